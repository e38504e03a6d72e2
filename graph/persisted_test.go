package graph_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/tradehub/tradehub/graph"
	"github.com/tradehub/tradehub/web"
)

func sha(s string) string {
	b := sha256.Sum256([]byte(s))
	return hex.EncodeToString(b[:])
}

const registered = "query Me { viewer { authenticated } }"

func allowListHandler(t *testing.T) http.Handler {
	t.Helper()
	manifest, _ := json.Marshal(map[string]string{"sha256:" + sha(registered): registered})
	list, err := graph.NewAllowList(manifest)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	return graph.NewHandler(&graph.Resolver{Logger: logger}, graph.ServerConfig{Logger: logger, AllowList: list})
}

func body(query string, ext map[string]any) string {
	b, _ := json.Marshal(map[string]any{"query": query, "extensions": ext})
	return string(b)
}

func apq(hash string) map[string]any {
	return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
}

func TestAllowList(t *testing.T) {
	h := allowListHandler(t)
	tests := []struct {
		name, query string
		ext         map[string]any
		wantCode    string // "" for success
	}{
		{"Registered", registered, nil, ""},
		// urql prints documents its own way and adds __typename: still the same operation.
		{"RegisteredReformatted", "query Me {\n  viewer {\n    __typename\n    authenticated\n  }\n  __typename\n}", nil, ""},
		{"RegisteredHashOnly", "", apq(sha(registered)), ""},
		{"RegisteredHashAndDocument", registered, apq(sha(registered)), ""},
		{"OtherSelection", "query Me { viewer { authenticated user { id } } }", nil, graph.CodePersistedQueryNotAllowed},
		{"Renamed", "query You { viewer { authenticated } }", nil, graph.CodePersistedQueryNotAllowed},
		{"AliasedTypename", "query Me { viewer { authenticated t: __typename } }", nil, graph.CodePersistedQueryNotAllowed},
		{"UnknownHashOnly", "", apq(sha("{ viewer { authenticated } }")), graph.CodePersistedQueryNotAllowed},
		// An APQ registration of an unregistered document is refused before APQ stores it.
		{"UnknownHashAndDocument", "{ viewer { authenticated } }", apq(sha("{ viewer { authenticated } }")), graph.CodePersistedQueryNotAllowed},
		{"Unparsable", "query {", nil, graph.CodePersistedQueryNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, resp, raw := do(t, h, post(body(tt.query, tt.ext)))
			var got string
			if len(resp.Errors) > 0 {
				got, _ = resp.Errors[0].Extensions["code"].(string)
			}
			if got != tt.wantCode {
				t.Errorf("code = %q, want %q: %s", got, tt.wantCode, raw)
			}
			if tt.wantCode == "" && string(resp.Data) != `{"viewer":{"authenticated":false}}` && string(resp.Data) != `{"viewer":{"__typename":"Viewer","authenticated":false},"__typename":"Query"}` {
				t.Errorf("data = %s", resp.Data)
			}
		})
	}
	// The refused APQ registration was not remembered.
	if _, resp, _ := do(t, h, post(body("", apq(sha("{ viewer { authenticated } }"))))); len(resp.Errors) == 0 {
		t.Error("an unregistered hash ran")
	}
}

// Without an allow-list, automatic persisted queries: an unknown hash asks for the document,
// which is then remembered by its hash.
func TestAutomaticPersistedQueries(t *testing.T) {
	h := newHandler(t, graph.IntrospectionAuthenticated, nil)
	q := "{ viewer { authenticated } }"
	_, resp, raw := do(t, h, post(body("", apq(sha(q)))))
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != graph.CodePersistedQueryNotFound {
		t.Fatalf("unknown hash: %s", raw)
	}
	if _, resp, raw := do(t, h, post(body(q, apq(sha(q))))); len(resp.Errors) != 0 {
		t.Fatalf("register: %s", raw)
	}
	if _, resp, raw := do(t, h, post(body("", apq(sha(q))))); len(resp.Errors) != 0 || string(resp.Data) != `{"viewer":{"authenticated":false}}` {
		t.Fatalf("by hash: %s", raw)
	}
	if _, resp, raw := do(t, h, post(body("{ viewer { __typename } }", apq(sha(q))))); len(resp.Errors) != 1 ||
		resp.Errors[0].Extensions["code"] != graph.CodeBadUserInput || resp.Errors[0].Extensions["reason"] != "PERSISTED_QUERY_INVALID" {
		t.Errorf("a document that does not match its hash: %s", raw)
	}
}

// The manifest built into the binary is the portal's: every entry is the sha256 of its
// document and parses, and there are operations in it.
func TestEmbeddedManifest(t *testing.T) {
	list, err := graph.NewAllowList(web.PersistedDocuments)
	if err != nil {
		t.Fatal(err)
	}
	if list.Len() < 10 {
		t.Errorf("only %d operations in the manifest", list.Len())
	}
	if _, err := graph.NewAllowList([]byte(`{}`)); err == nil {
		t.Error("an empty manifest was accepted")
	}
	if _, err := graph.NewAllowList([]byte(`{"sha256:00": "{ viewer { authenticated } }"}`)); err == nil {
		t.Error("a wrong hash was accepted")
	}
}

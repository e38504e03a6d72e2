package graph_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tradehub/tradehub/graph"
)

// FuzzHandler throws arbitrary documents and variables at the real handler (without services:
// everything that reaches a resolver needing one is refused earlier or fails as INTERNAL). Every
// answer must be JSON, every error must carry one of the documented codes, and nothing may leak
// a stack or a Go file name.
func FuzzHandler(f *testing.F) {
	for _, seed := range []struct{ q, v string }{
		{`{ viewer { authenticated } }`, `{}`},
		{`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, `{"ids": ["acct_x", 1, null]}`},
		{`{ __schema { types { name } } }`, `null`},
		{`mutation { logout { sessionsEnded } }`, `{}`},
		{`{ viewer { ...F } } fragment F on Viewer { ...F }`, `{}`},
		{`{ viewer @skip(if: true) { authenticated } }`, `{"a": 1e309}`},
		{`query($d: DateTime) { viewer { authenticated } }`, `{"d": "2026-13-45"}`},
		{"{ viewer { authenticated } }\x00", `[]`},
	} {
		f.Add(seed.q, seed.v)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := graph.NewHandler(&graph.Resolver{Logger: logger}, graph.ServerConfig{Logger: logger, MaxBodyBytes: 64 << 10})
	codes := map[string]bool{graph.CodeBadUserInput: true, graph.CodeUnauthenticated: true, graph.CodeForbidden: true,
		graph.CodeNotFound: true, graph.CodeRateLimited: true, graph.CodeInternal: true}

	f.Fuzz(func(t *testing.T, query, variables string) {
		body, _ := json.Marshal(map[string]json.RawMessage{"query": mustJSON(query), "variables": json.RawMessage(orNull(variables))})
		r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		done := make(chan struct{})
		go func() { defer close(done); h.ServeHTTP(w, r) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("no answer within 5 s: %q %q", query, variables)
		}
		var resp struct {
			Errors []struct {
				Message    string         `json:"message"`
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
			t.Fatalf("not JSON (%v): %q", err, w.Body.String())
		}
		for _, e := range resp.Errors {
			if c, _ := e.Extensions["code"].(string); !codes[c] {
				t.Fatalf("error without a documented code: %q %v", e.Message, e.Extensions)
			}
		}
		if s := w.Body.String(); strings.Contains(s, "goroutine ") || strings.Contains(s, ".go:") {
			t.Fatalf("leak: %s", s)
		}
	})
}

func mustJSON(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

// orNull keeps the fuzzer's variables when they are JSON, so the variables path is explored too.
func orNull(s string) string {
	if json.Valid([]byte(s)) {
		return s
	}
	return "null"
}

package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tradehub/tradehub/graph"
	"github.com/tradehub/tradehub/internal/demo"
	"github.com/tradehub/tradehub/web"
)

// portalDocument is the portal's registered operation that starts with prefix, as the manifest
// holds it, so the test follows the portal's operations as they change.
func portalDocument(t *testing.T, prefix string) string {
	t.Helper()
	var manifest map[string]string
	if err := json.Unmarshal(web.PersistedDocuments, &manifest); err != nil {
		t.Fatal(err)
	}
	for _, doc := range manifest {
		if strings.HasPrefix(doc, prefix) {
			return doc
		}
	}
	t.Fatalf("no portal operation starts with %q", prefix)
	return ""
}

// With TRADEHUB_GRAPHQL_ALLOWLIST=on the portal's own operations work, sent as urql sends them
// (its own printing, __typename added), while any other document is refused with
// PERSISTED_QUERY_NOT_ALLOWED and runs nothing.
func TestAllowListMode(t *testing.T) {
	_, base, _ := startApp(t, appOptions{env: map[string]string{"TRADEHUB_GRAPHQL_ALLOWLIST": "on"}})
	c := anonymous(t, base)
	r := c.do("mutation SignIn($input: LoginInput!) {\n  login(input: $input) {\n    userErrors { code field message __typename }\n    viewer { authenticated __typename }\n    __typename\n  }\n}",
		map[string]any{"input": map[string]any{"email": "owner@brightlight.test", "password": demo.Password}})
	if len(r.Errors) > 0 || r.path("login", "viewer", "authenticated") != true {
		t.Fatalf("the portal's sign-in: %s", r.Raw)
	}
	r = c.do(portalDocument(t, "query SessionViewer "), nil)
	if len(r.Errors) > 0 || !strings.Contains(string(r.Raw), "Shenzhen Brightlight") {
		t.Fatalf("the portal's viewer query: %s", r.Raw)
	}
	for _, q := range []string{
		`query SessionViewer { viewer { user { email } } }`,
		`{ accounts(first: 5) { nodes { id } } }`,
		`{ __schema { types { name } } }`,
	} {
		r = c.do(q, nil)
		if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != graph.CodePersistedQueryNotAllowed || r.Data != nil {
			t.Errorf("%s: %s", q, r.Raw)
		}
	}
	if _, err := parseConfig("test", nil, mapEnv(map[string]string{"TRADEHUB_GRAPHQL_ALLOWLIST": "yes"}), nil); err == nil {
		t.Error("TRADEHUB_GRAPHQL_ALLOWLIST=yes accepted")
	}
}

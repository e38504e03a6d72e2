package main

import (
	"strings"
	"testing"

	"github.com/tradehub/tradehub/graph"
	"github.com/tradehub/tradehub/internal/demo"
)

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
	r = c.do(`query SessionViewer { viewer { authenticated memberships { account { id legalName status } role } partnerMembership { partner { id name } role } staffRole supplierId user { email id name } } }`, nil)
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

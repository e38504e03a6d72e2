package limits_test

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/tradehub/tradehub/graph/limits"
)

func check(t *testing.T, query string) error {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return limits.New(limits.Config{Sensitive: []string{"login", "createApiKey"}}).Check(doc, doc.Operations[0])
}

func nested(depth int) string {
	return strings.Repeat("{ a ", depth) + strings.Repeat("}", depth)
}

func TestLimits(t *testing.T) {
	aliases := func(n int) string {
		var b strings.Builder
		b.WriteString("{ viewer { ")
		for i := range n {
			b.WriteString("a" + strings.Repeat("x", i+1) + ": authenticated ")
		}
		return b.String() + "} }"
	}
	roots := func(n int) string {
		return "{ " + strings.Repeat("viewer { authenticated } ", n) + "}"
	}
	cases := []struct {
		name, query string
		ok          bool
	}{
		{"OK", `{ viewer { authenticated user { name } } }`, true},
		{"DepthAtLimit", nested(10), true},
		{"IntrospectionIsExempt", `{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } }`, true},
		{"TooDeep", nested(11), false},
		{"TooDeepThroughFragments", `query { ...F } fragment F on Query { a { b { c { d { e { f { g { h { i { j { k } } } } } } } } } } }`, false},
		{"AliasesAtLimit", aliases(15), true},
		{"TooManyAliases", aliases(16), false},
		{"TooManyRootFields", roots(21), false},
		{"TooManyDirectives", `{ viewer ` + strings.Repeat("@skip(if: false) ", 51) + `{ authenticated } }`, false},
		{"LoginTwice", `mutation { a: login(input: {email: "a", password: "b"}) { userErrors { code } } b: login(input: {email: "a", password: "c"}) { userErrors { code } } }`, false},
		{"LoginOnce", `mutation { login(input: {email: "a", password: "b"}) { userErrors { code } } }`, true},
		{"KeyTwiceViaFragment", `mutation { ...M ...M } fragment M on Mutation { createApiKey(input: {}) { secret } }`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := check(t, c.query)
			if (err == nil) != c.ok {
				t.Errorf("Check = %v, want ok=%v", err, c.ok)
			}
		})
	}
}

func BenchmarkCheckLargeDocument(b *testing.B) {
	q := "{ " + strings.Repeat("viewer { authenticated user { name email } } ", 2000) + "}"
	doc, err := parser.ParseQuery(&ast.Source{Input: q})
	if err != nil {
		b.Fatal(err)
	}
	ext := limits.New(limits.Config{})
	for b.Loop() {
		_ = ext.Check(doc, doc.Operations[0])
	}
}

// Package limits refuses GraphQL documents whose shape alone makes them dangerous, before any
// resolver runs: too deep, too many aliases, too many root fields, too many directives, or a
// sensitive field (login, createApiKey…) asked more than once. gqlgen has none of these built
// in; the numbers follow graphql-armor's defaults and the OWASP GraphQL cheat sheet (see
// ANCHORS.md), and the parser's token limit (set on the server) bounds the work done before
// these checks run.
package limits

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Config holds the limits; zero values take the defaults.
type Config struct {
	MaxDepth      int // nesting of selection sets (default 10)
	MaxAliases    int // aliased fields in the operation (default 15)
	MaxRootFields int // fields at the root of the operation, counting aliases (default 20)
	MaxDirectives int // directives anywhere in the document (default 50)
	// Sensitive root fields may appear at most once per operation, so aliases cannot turn one
	// request into many password guesses or many minted keys.
	Sensitive []string
}

func (c *Config) defaults() {
	if c.MaxDepth == 0 {
		c.MaxDepth = 10
	}
	if c.MaxAliases == 0 {
		c.MaxAliases = 15
	}
	if c.MaxRootFields == 0 {
		c.MaxRootFields = 20
	}
	if c.MaxDirectives == 0 {
		c.MaxDirectives = 50
	}
}

// Extension is the gqlgen handler extension that applies the limits.
type Extension struct{ cfg Config }

// New returns the extension.
func New(cfg Config) Extension {
	cfg.defaults()
	return Extension{cfg: cfg}
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = Extension{}

func (Extension) ExtensionName() string                   { return "DocumentLimits" }
func (Extension) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext checks the operation about to run.
func (e Extension) MutateOperationContext(_ context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if op.Operation == nil {
		return nil
	}
	if err := e.Check(op.Doc, op.Operation); err != nil {
		gerr := gqlerror.Errorf("%s", err.Error())
		errcode.Set(gerr, errcode.ValidationFailed) // refused as a bad document: 400
		return gerr
	}
	return nil
}

// Check applies every limit to one operation of a parsed document.
func (e Extension) Check(doc *ast.QueryDocument, op *ast.OperationDefinition) error {
	w := walker{doc: doc, seenFragments: map[string]bool{}, sensitive: map[string]int{}}
	for _, s := range e.cfg.Sensitive {
		w.sensitive[s] = 0
	}
	w.directives += len(op.Directives)
	roots := w.selections(op.SelectionSet, 1, true)
	switch {
	case w.maxDepth > e.cfg.MaxDepth:
		return fmt.Errorf("the query is nested %d levels deep; the limit is %d", w.maxDepth, e.cfg.MaxDepth)
	case w.aliases > e.cfg.MaxAliases:
		return fmt.Errorf("the query uses %d aliases; the limit is %d", w.aliases, e.cfg.MaxAliases)
	case roots > e.cfg.MaxRootFields:
		return fmt.Errorf("the operation has %d root fields; the limit is %d", roots, e.cfg.MaxRootFields)
	case w.directives > e.cfg.MaxDirectives:
		return fmt.Errorf("the query uses %d directives; the limit is %d", w.directives, e.cfg.MaxDirectives)
	}
	for name, n := range w.sensitive {
		if n > 1 {
			return fmt.Errorf("%s may appear only once per request", name)
		}
	}
	return nil
}

type walker struct {
	doc           *ast.QueryDocument
	seenFragments map[string]bool
	maxDepth      int
	aliases       int
	directives    int
	sensitive     map[string]int
}

// selections walks a selection set at depth and returns how many fields it holds directly
// (fragments spread in it count as if written there, as they are for the root).
func (w *walker) selections(set ast.SelectionSet, depth int, root bool) int {
	if len(set) > 0 && depth > w.maxDepth {
		w.maxDepth = depth
	}
	n := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			n++
			w.directives += len(s.Directives)
			if s.Alias != "" && s.Alias != s.Name {
				w.aliases++
			}
			if root {
				if _, ok := w.sensitive[s.Name]; ok {
					w.sensitive[s.Name]++
				}
			}
			// Introspection is answered from the schema in memory and its depth is bounded by
			// the schema itself; GraphiQL's own query is 15 levels deep.
			if s.Name != "__schema" && s.Name != "__type" {
				w.selections(s.SelectionSet, depth+1, false)
			}
		case *ast.InlineFragment:
			w.directives += len(s.Directives)
			n += w.selections(s.SelectionSet, depth, root)
		case *ast.FragmentSpread:
			w.directives += len(s.Directives)
			// A fragment used twice is counted twice for aliases and depth but walked
			// only once per path to stay linear; gqlparser already refuses cycles.
			def := w.doc.Fragments.ForName(s.Name)
			if def == nil {
				continue
			}
			key := fmt.Sprintf("%s@%d", s.Name, depth)
			if w.seenFragments[key] && !root {
				continue
			}
			w.seenFragments[key] = true
			w.directives += len(def.Directives)
			n += w.selections(def.SelectionSet, depth, root)
		}
	}
	return n
}

package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"

	"github.com/tradehub/tradehub/graph/cost"
	"github.com/tradehub/tradehub/graph/limits"
	"github.com/tradehub/tradehub/graph/loaders"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/services/bulk"
)

// BulkQueries runs bulk exports' queries (services/bulk.Query) through the same schema and
// resolvers as /graphql, as the export's owner (the principal in the context), with the same
// document limits, without the cost bucket (an export is paced by running one page at a time
// and bounded by the bulk service), and with fresh dataloaders per page.
//
// A query is exported by paging its one root connection: the query must not page it itself;
// BulkQueries adds `first`, `after` and the page info it needs, and returns the connection's
// nodes (or edges' nodes), one JSON object each.
type BulkQueries struct {
	r      *Resolver
	schema *ast.Schema
	exec   *executor.Executor
	price  *cost.Extension
}

// Variables and the alias BulkQueries adds to the exported query.
const (
	bulkFirstVar = "bulkFirst"
	bulkAfterVar = "bulkAfter"
	bulkPageInfo = "bulkPageInfo"
)

// NewBulkQueries builds the runner over the resolver's schema.
func NewBulkQueries(r *Resolver, logger *slog.Logger) *BulkQueries {
	es := NewExecutableSchema(Config{Resolvers: r})
	exec := executor.New(es)
	exec.SetQueryCache(lru.New[*ast.QueryDocument](100))
	exec.SetErrorPresenter(NewErrorPresenter(logger))
	exec.SetRecoverFunc(NewRecoverFunc(logger))
	exec.Use(limits.New(limits.Config{}))
	return &BulkQueries{r: r, schema: es.Schema(), exec: exec, price: cost.New(cost.Config{})}
}

var _ bulk.Query = (*BulkQueries)(nil)

// Check implements bulk.Query.
func (b *BulkQueries) Check(doc string, pageSize int) error {
	page, err := b.pageDocument(doc)
	if err != nil {
		return err
	}
	d, gerr := gqlparser.LoadQuery(b.schema, page)
	if gerr != nil {
		return errs.InvalidField("input.query", "the query cannot be exported: %s", gerr[0].Message)
	}
	if c := b.price.Requested(d, d.Operations[0], map[string]any{bulkFirstVar: pageSize}); c > bulk.MaxPageCost {
		return errs.InvalidField("input.query", "a page of %d items of this query costs %d points; an export allows %d per page: select fewer nested connections or give them a smaller `first`",
			pageSize, c, bulk.MaxPageCost)
	}
	return nil
}

// pageDocument checks the submitted document and returns it with the paging added.
func (b *BulkQueries) pageDocument(doc string) (string, error) {
	invalid := func(format string, args ...any) error {
		return errs.InvalidField("input.query", "the query cannot be exported: "+format, args...)
	}
	d, gerr := gqlparser.LoadQuery(b.schema, doc)
	if gerr != nil {
		return "", invalid("%s", gerr[0].Message)
	}
	if len(d.Operations) != 1 || d.Operations[0].Operation != ast.Query {
		return "", invalid("give exactly one query operation")
	}
	op := d.Operations[0]
	if len(op.VariableDefinitions) > 0 {
		return "", invalid("write values into the query instead of using variables")
	}
	if len(op.SelectionSet) != 1 {
		return "", invalid("select exactly one connection field at the root, such as shipments(accountId: …)")
	}
	f, ok := op.SelectionSet[0].(*ast.Field)
	if !ok || f.Definition == nil || !strings.HasSuffix(f.Definition.Type.Name(), "Connection") ||
		f.Definition.Arguments.ForName("first") == nil || f.Definition.Arguments.ForName("after") == nil {
		return "", invalid("the root field must be a connection, such as shipments(accountId: …) { nodes { … } }")
	}
	for _, a := range f.Arguments {
		switch a.Name {
		case "first", "last", "after", "before":
			return "", invalid("leave out %s: the export pages through the whole connection itself", a.Name)
		}
	}
	if itemsOf(f) == "" {
		return "", invalid("select the connection's nodes { … } or edges { node { … } }")
	}
	op.VariableDefinitions = ast.VariableDefinitionList{
		{Variable: bulkFirstVar, Type: ast.NonNullNamedType("Int", nil)},
		{Variable: bulkAfterVar, Type: f.Definition.Arguments.ForName("after").Type},
	}
	f.Arguments = append(f.Arguments,
		&ast.Argument{Name: "first", Value: &ast.Value{Kind: ast.Variable, Raw: bulkFirstVar}},
		&ast.Argument{Name: "after", Value: &ast.Value{Kind: ast.Variable, Raw: bulkAfterVar}})
	f.SelectionSet = append(f.SelectionSet, &ast.Field{Alias: bulkPageInfo, Name: "pageInfo", SelectionSet: ast.SelectionSet{
		&ast.Field{Alias: "hasNextPage", Name: "hasNextPage"}, &ast.Field{Alias: "endCursor", Name: "endCursor"},
	}})
	var buf bytes.Buffer
	formatter.NewFormatter(&buf).FormatQueryDocument(d)
	return buf.String(), nil
}

// itemsOf names how the connection's items are selected: "nodes", "edges", or "".
func itemsOf(f *ast.Field) string {
	for _, s := range f.SelectionSet {
		if c, ok := s.(*ast.Field); ok && c.Name == "nodes" && c.Alias == c.Name {
			return "nodes"
		}
	}
	for _, s := range f.SelectionSet {
		if c, ok := s.(*ast.Field); ok && c.Name == "edges" && c.Alias == c.Name {
			for _, n := range c.SelectionSet {
				if nf, ok := n.(*ast.Field); ok && nf.Name == "node" && nf.Alias == nf.Name {
					return "edges"
				}
			}
		}
	}
	return ""
}

// Page implements bulk.Query.
func (b *BulkQueries) Page(ctx context.Context, doc string, after string, pageSize int) (bulk.Page, error) {
	page, err := b.pageDocument(doc)
	if err != nil {
		return bulk.Page{}, err
	}
	vars := map[string]any{bulkFirstVar: pageSize, bulkAfterVar: nil}
	if after != "" {
		vars[bulkAfterVar] = after
	}
	ctx = loaders.Attach(ctx, b.r.warehousingSource(), b.r.carrierSource())
	ctx = graphql.StartOperationTrace(ctx)
	now := graphql.Now()
	rc, gerr := b.exec.CreateOperationContext(ctx, &graphql.RawParams{Query: page, Variables: vars,
		ReadTime: graphql.TraceTiming{Start: now, End: now}})
	if gerr != nil {
		return bulk.Page{}, errs.E(errs.Invalid, "%s", gerr[0].Message)
	}
	responses, ctx := b.exec.DispatchOperation(ctx, rc)
	resp := responses(ctx)
	if resp == nil {
		return bulk.Page{}, errs.Internalf("bulk: no response")
	}
	if len(resp.Errors) > 0 {
		e := resp.Errors[0]
		code, _ := e.Extensions["code"].(string)
		if code == CodeInternal || code == "" {
			return bulk.Page{}, errs.Internalf("bulk page: %s", e.Message)
		}
		return bulk.Page{}, errs.E(errs.Invalid, "%s (%s)", e.Message, code)
	}
	return decodePage(resp.Data, rc.Operation)
}

// decodePage takes the items and the page info out of a page's data.
func decodePage(data json.RawMessage, op *ast.OperationDefinition) (bulk.Page, error) {
	f := op.SelectionSet[0].(*ast.Field)
	var root map[string]json.RawMessage
	if err := json.Unmarshal(data, &root); err != nil {
		return bulk.Page{}, errs.Internalf("bulk page: %w", err)
	}
	var conn struct {
		Nodes    []json.RawMessage `json:"nodes"`
		Edges    []map[string]json.RawMessage
		PageInfo struct {
			HasNextPage bool    `json:"hasNextPage"`
			EndCursor   *string `json:"endCursor"`
		} `json:"bulkPageInfo"`
	}
	raw := root[f.Alias]
	if len(raw) == 0 || string(raw) == "null" {
		return bulk.Page{}, errs.E(errs.NotFound, "the query returned nothing")
	}
	if err := json.Unmarshal(raw, &conn); err != nil {
		return bulk.Page{}, errs.Internalf("bulk page: %w", err)
	}
	out := bulk.Page{HasNext: conn.PageInfo.HasNextPage}
	if conn.PageInfo.EndCursor != nil {
		out.EndCursor = *conn.PageInfo.EndCursor
	}
	switch itemsOf(f) {
	case "nodes":
		out.Items = conn.Nodes
	case "edges":
		for _, e := range conn.Edges {
			out.Items = append(out.Items, e["node"])
		}
	}
	return out, nil
}

// Package cost prices GraphQL operations before they run and throttles each caller with a
// leaky bucket, as Shopify's Admin API does (see ANCHORS.md):
//
//   - Requested cost, computed from the document and its variables before execution: every
//     field returning an object costs 1, scalars and enums 0; a connection's items are
//     multiplied by `first`/`last` (DefaultPage when neither is given); `nodes(ids:)` by the
//     number of ids; other lists by ListEstimate; each root mutation field costs 10 more.
//   - An operation above MaxQueryCost is refused before any store call (BAD_USER_INPUT).
//   - Each caller (API key, user, or client address when anonymous) has a bucket of
//     BucketSize points restoring RestoreRate per second; the requested cost is taken before
//     execution, and an operation the bucket cannot pay is refused with RATE_LIMITED and a
//     retry-after. After execution the difference between requested and actual cost is
//     returned to the bucket; the actual cost counts the objects really returned.
//   - Every response reports extensions.cost {requestedQueryCost, actualQueryCost,
//     throttleStatus {maximumAvailable, currentlyAvailable, restoreRate}}.
//   - A request with extensions {"cost": {"dryRun": true}} is priced and not run.
//   - Config.Limits may give a caller other limits than the defaults (per-account limits set by
//     a platform admin); the bucket is still the caller's.
package cost

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tradehub/tradehub/internal/errs"
)

// Config sets the prices and the buckets; zero values take the defaults.
type Config struct {
	MaxQueryCost int     // a single operation's ceiling (default 1000)
	BucketSize   float64 // each caller's bucket (default 1000)
	RestoreRate  float64 // points per second (default 50)
	DefaultPage  int     // items assumed for a connection without first/last (default 20)
	ListEstimate int     // items assumed for a list that is not a connection (default 10)
	MutationCost int     // added per root mutation field (default 10)
	// Caller names the bucket of a request (an API key id, a user id, a client address).
	Caller func(ctx context.Context) string
	// Limits, when set, gives the bucket size and restore rate of a request's caller when they
	// differ from BucketSize and RestoreRate (an account configured by a platform admin); ok
	// false means the defaults. It runs on every operation, so it must be cheap (cached).
	Limits func(ctx context.Context) (bucketSize, restoreRate float64, ok bool)
	// Now is the clock of the buckets (default time.Now).
	Now func() time.Time
	// Present turns a refusal into the client's error (the server's error presenter).
	Present graphql.ErrorPresenterFunc
}

func (c *Config) defaults() {
	if c.MaxQueryCost == 0 {
		c.MaxQueryCost = 1000
	}
	if c.BucketSize == 0 {
		c.BucketSize = 1000
	}
	if c.RestoreRate == 0 {
		c.RestoreRate = 50
	}
	if c.DefaultPage == 0 {
		c.DefaultPage = 20
	}
	if c.ListEstimate == 0 {
		c.ListEstimate = 10
	}
	if c.MutationCost == 0 {
		c.MutationCost = 10
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Present == nil {
		c.Present = graphql.DefaultErrorPresenter
	}
	if c.Caller == nil {
		c.Caller = func(context.Context) string { return "" }
	}
}

// ThrottleStatus is a caller's bucket, as reported to it.
type ThrottleStatus struct {
	MaximumAvailable   float64 `json:"maximumAvailable"`
	CurrentlyAvailable float64 `json:"currentlyAvailable"`
	RestoreRate        float64 `json:"restoreRate"`
}

// Report is extensions.cost.
type Report struct {
	RequestedQueryCost int            `json:"requestedQueryCost"`
	ActualQueryCost    *int           `json:"actualQueryCost"`
	ThrottleStatus     ThrottleStatus `json:"throttleStatus"`
}

// Extension is the gqlgen extension that prices and throttles.
type Extension struct {
	cfg     Config
	mu      sync.Mutex
	buckets *lru.Cache[string, *bucket]
}

type bucket struct {
	available float64
	at        time.Time
	size      float64
	rate      float64
}

// limits are a bucket's size and restore rate.
type limits struct{ size, rate float64 }

// New returns the extension. Buckets live in a bounded LRU on this instance: a caller spread
// over several instances gets each instance's budget, which bounds the load per instance.
func New(cfg Config) *Extension {
	cfg.defaults()
	b, _ := lru.New[string, *bucket](100_000)
	return &Extension{cfg: cfg, buckets: b}
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = (*Extension)(nil)

func (*Extension) ExtensionName() string                   { return "QueryCost" }
func (*Extension) Validate(graphql.ExecutableSchema) error { return nil }

type costKey struct{}

type opCost struct {
	requested int
	caller    string
	limits    limits
	status    ThrottleStatus
}

// InterceptOperation prices the operation, refuses or charges it, and reports the cost.
func (e *Extension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	op := graphql.GetOperationContext(ctx)
	if op == nil || op.Operation == nil {
		return next(ctx)
	}
	requested := e.Requested(op.Doc, op.Operation, op.Variables)
	caller := e.cfg.Caller(ctx)
	lim := e.limitsOf(ctx)
	if requested > e.cfg.MaxQueryCost {
		return e.refuse(errs.E(errs.Invalid, "the query costs %d points; the limit for one query is %d: ask for fewer items or fields", requested, e.cfg.MaxQueryCost), Report{
			RequestedQueryCost: requested, ThrottleStatus: e.peek(caller, lim),
		})
	}
	if dryRun(op.Extensions) {
		return e.refuse(nil, Report{RequestedQueryCost: requested, ThrottleStatus: e.peek(caller, lim)})
	}
	status, retryAfter, ok := e.take(caller, lim, float64(requested))
	if !ok {
		err := errs.E(errs.RateLimited, "throttled: this query costs %d points and %.0f are available; retry in %.0f s",
			requested, status.CurrentlyAvailable, math.Ceil(retryAfter.Seconds()))
		return e.refuse(err, Report{RequestedQueryCost: requested, ThrottleStatus: status})
	}
	ctx = context.WithValue(ctx, costKey{}, &opCost{requested: requested, caller: caller, limits: lim, status: status})
	return next(ctx)
}

// InterceptResponse fills extensions.cost with the actual cost and refunds the difference.
func (e *Extension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	oc, ok := ctx.Value(costKey{}).(*opCost)
	if !ok || resp == nil {
		return resp
	}
	op := graphql.GetOperationContext(ctx)
	actual := e.Actual(op.Doc, op.Operation, resp.Data)
	status := e.refund(oc.caller, oc.limits, float64(oc.requested-actual))
	if resp.Extensions == nil {
		resp.Extensions = map[string]any{}
	}
	resp.Extensions["cost"] = Report{RequestedQueryCost: oc.requested, ActualQueryCost: &actual, ThrottleStatus: status}
	return resp
}

// refuse answers without running the operation: an error (if any) and the cost report. The
// error goes through the server's presenter, like every other error.
func (e *Extension) refuse(err error, r Report) graphql.ResponseHandler {
	return func(ctx context.Context) *graphql.Response {
		resp := &graphql.Response{Extensions: map[string]any{"cost": r}}
		if err != nil {
			resp.Errors = gqlerror.List{e.cfg.Present(ctx, err)}
		}
		return resp
	}
}

func dryRun(ext map[string]any) bool {
	c, ok := ext["cost"].(map[string]any)
	if !ok {
		return false
	}
	d, _ := c["dryRun"].(bool)
	return d
}

// limitsOf is the bucket size and restore rate of the request's caller.
func (e *Extension) limitsOf(ctx context.Context) limits {
	if e.cfg.Limits != nil {
		if size, rate, ok := e.cfg.Limits(ctx); ok && size > 0 && rate > 0 {
			return limits{size, rate}
		}
	}
	return limits{e.cfg.BucketSize, e.cfg.RestoreRate}
}

// bucketOf restores the caller's bucket up to now under its current limits. When the limits
// changed (a platform admin set them), the bucket keeps what it holds, capped at the new size.
func (e *Extension) bucketOf(caller string, l limits, now time.Time) *bucket {
	b, ok := e.buckets.Get(caller)
	if !ok {
		b = &bucket{available: l.size, at: now, size: l.size, rate: l.rate}
		e.buckets.Add(caller, b)
	}
	b.size, b.rate = l.size, l.rate
	b.available = math.Min(b.size, b.available+now.Sub(b.at).Seconds()*b.rate)
	b.at = now
	return b
}

func (e *Extension) status(b *bucket) ThrottleStatus {
	return ThrottleStatus{MaximumAvailable: b.size, CurrentlyAvailable: math.Floor(b.available), RestoreRate: b.rate}
}

func (e *Extension) peek(caller string, l limits) ThrottleStatus {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.status(e.bucketOf(caller, l, e.cfg.Now()))
}

// take charges cost if the bucket can pay it; otherwise it says how long until it could.
func (e *Extension) take(caller string, l limits, cost float64) (ThrottleStatus, time.Duration, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	b := e.bucketOf(caller, l, e.cfg.Now())
	if b.available < cost {
		wait := time.Duration((cost - b.available) / b.rate * float64(time.Second))
		return e.status(b), wait, false
	}
	b.available -= cost
	return e.status(b), 0, true
}

func (e *Extension) refund(caller string, l limits, points float64) ThrottleStatus {
	e.mu.Lock()
	defer e.mu.Unlock()
	b := e.bucketOf(caller, l, e.cfg.Now())
	if points > 0 {
		b.available = math.Min(b.size, b.available+points)
	}
	return e.status(b)
}

// Requested prices an operation from its document and variables.
func (e *Extension) Requested(doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any) int {
	total := 0
	for _, f := range collect(doc, op.SelectionSet) {
		total += e.fieldCost(doc, f, vars)
		if op.Operation == ast.Mutation {
			total += e.cfg.MutationCost
		}
	}
	return total
}

func (e *Extension) fieldCost(doc *ast.QueryDocument, f *ast.Field, vars map[string]any) int {
	if f.Definition == nil || strings.HasPrefix(f.Name, "__") {
		return 0
	}
	children := collect(doc, f.SelectionSet)
	if len(children) == 0 {
		return 0 // a scalar or an enum
	}
	per := 1
	for _, c := range children {
		per += e.fieldCost(doc, c, vars)
	}
	if f.Definition.Type.Elem == nil {
		if isConnection(f) {
			// The connection object is 1; its edges and nodes are lists of the page size.
			n := e.pageSize(f, vars)
			total := 1
			for _, c := range children {
				if c.Name == "edges" || c.Name == "nodes" {
					total += n * e.itemCost(doc, c, vars)
				} else {
					total += e.fieldCost(doc, c, vars)
				}
			}
			return total
		}
		return per
	}
	return e.listSize(f, vars) * per
}

// itemCost prices one item of a connection's edges or nodes list.
func (e *Extension) itemCost(doc *ast.QueryDocument, f *ast.Field, vars map[string]any) int {
	per := 1
	for _, c := range collect(doc, f.SelectionSet) {
		per += e.fieldCost(doc, c, vars)
	}
	return per
}

func isConnection(f *ast.Field) bool {
	if !strings.HasSuffix(f.Definition.Type.Name(), "Connection") {
		return false
	}
	for _, a := range f.Definition.Arguments {
		if a.Name == "first" || a.Name == "last" {
			return true
		}
	}
	return false
}

func (e *Extension) pageSize(f *ast.Field, vars map[string]any) int {
	for _, name := range []string{"first", "last"} {
		if n, ok := intArg(f, name, vars); ok && n > 0 {
			return n
		}
	}
	return e.cfg.DefaultPage
}

func (e *Extension) listSize(f *ast.Field, vars map[string]any) int {
	if a := f.Arguments.ForName("ids"); a != nil {
		if v, err := a.Value.Value(vars); err == nil {
			if l, ok := v.([]any); ok {
				return max(len(l), 1)
			}
		}
	}
	return e.cfg.ListEstimate
}

func intArg(f *ast.Field, name string, vars map[string]any) (int, bool) {
	a := f.Arguments.ForName(name)
	if a == nil {
		return 0, false
	}
	v, err := a.Value.Value(vars)
	if err != nil || v == nil {
		return 0, false
	}
	switch n := v.(type) {
	case int64:
		return int(n), true
	case int:
		return n, true
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	case float64:
		return int(n), true
	}
	return 0, false
}

// Actual counts what the response really holds: 1 per object returned, plus the mutation
// surcharge, following the operation's selections through the data.
func (e *Extension) Actual(doc *ast.QueryDocument, op *ast.OperationDefinition, data json.RawMessage) int {
	if len(data) == 0 {
		return 0
	}
	var v map[string]any
	if err := json.Unmarshal(data, &v); err != nil {
		return 0
	}
	total := 0
	for _, f := range collect(doc, op.SelectionSet) {
		if op.Operation == ast.Mutation {
			total += e.cfg.MutationCost
		}
		total += actualOf(doc, f, v[responseKey(f)])
	}
	return total
}

func actualOf(doc *ast.QueryDocument, f *ast.Field, v any) int {
	children := collect(doc, f.SelectionSet)
	if len(children) == 0 || v == nil {
		return 0
	}
	switch x := v.(type) {
	case []any:
		n := 0
		for _, item := range x {
			n += actualOf(doc, f, item)
		}
		return n
	case map[string]any:
		n := 1
		for _, c := range children {
			n += actualOf(doc, c, x[responseKey(c)])
		}
		return n
	}
	return 0
}

func responseKey(f *ast.Field) string {
	if f.Alias != "" {
		return f.Alias
	}
	return f.Name
}

// collect flattens fragments into the fields they select (fields of every type condition are
// included: the price is an upper bound).
func collect(doc *ast.QueryDocument, set ast.SelectionSet) []*ast.Field {
	var out []*ast.Field
	var walk func(ast.SelectionSet, int)
	walk = func(s ast.SelectionSet, depth int) {
		if depth > 32 { // fragments cannot cycle after validation; this only bounds the walk
			return
		}
		for _, sel := range s {
			switch x := sel.(type) {
			case *ast.Field:
				out = append(out, x)
			case *ast.InlineFragment:
				walk(x.SelectionSet, depth+1)
			case *ast.FragmentSpread:
				if def := doc.Fragments.ForName(x.Name); def != nil {
					walk(def.SelectionSet, depth+1)
				}
			}
		}
	}
	walk(set, 0)
	return out
}

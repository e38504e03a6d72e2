package cost

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

const testSchema = `
type Query { viewer: Viewer! orders(first: Int, last: Int, after: String): OrderConnection! nodes(ids: [ID!]!): [Order]! }
type Mutation { cancel(id: ID!): Payload! }
type Payload { order: Order userErrors: [String!]! }
type Viewer { name: String! tags: [Tag!]! }
type Tag { label: String! }
type OrderConnection { edges: [OrderEdge!]! nodes: [Order!]! pageInfo: PageInfo! }
type OrderEdge { cursor: String! node: Order! }
type PageInfo { hasNextPage: Boolean! }
type Order { id: ID! lines: [Line!]! sku: Sku }
type Line { qty: Int! sku: Sku! }
type Sku { code: String! }
`

func load(t testing.TB, q string) (*ast.QueryDocument, *ast.OperationDefinition) {
	t.Helper()
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: testSchema})
	doc, err := gqlparser.LoadQuery(schema, q)
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	return doc, doc.Operations[0]
}

func TestRequestedCost(t *testing.T) {
	e := New(Config{})
	cases := []struct {
		name  string
		query string
		vars  map[string]any
		want  int
	}{
		{"ScalarsAreFree", `{ viewer { name } }`, nil, 1},
		{"PlainListUsesTheEstimate", `{ viewer { tags { label } } }`, nil, 1 + 10*1},
		// connection 1 + pageInfo 1 + 5 × (node 1 + sku 1)
		{"ConnectionMultipliesByFirst", `{ orders(first: 5) { pageInfo { hasNextPage } nodes { id sku { code } } } }`, nil, 1 + 1 + 5*2},
		{"ConnectionFromVariable", `query($n: Int) { orders(first: $n) { nodes { id } } }`, map[string]any{"n": json.Number("50")}, 1 + 50},
		{"ConnectionDefaultPage", `{ orders { edges { node { id } } } }`, nil, 1 + 20*(1+1)},
		// nested list inside a connection: 10 orders × (1 + 10 lines × (1 + sku 1))
		{"NestedLists", `{ orders(first: 10) { nodes { lines { sku { code } } } } }`, nil, 1 + 10*(1+10*(1+1))},
		{"NodesByIDs", `{ nodes(ids: ["a","b","c"]) { id } }`, nil, 3},
		{"MutationSurcharge", `mutation { cancel(id: "x") { order { id } } }`, nil, 10 + 1 + 1},
		{"FragmentsCount", `{ ...F } fragment F on Query { viewer { name } }`, nil, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, op := load(t, c.query)
			if got := e.Requested(doc, op, c.vars); got != c.want {
				t.Errorf("Requested = %d, want %d", got, c.want)
			}
		})
	}
}

func TestActualCountsWhatCameBack(t *testing.T) {
	e := New(Config{})
	doc, op := load(t, `{ orders(first: 50) { nodes { id sku { code } } } }`)
	data := json.RawMessage(`{"orders":{"nodes":[{"id":"1","sku":{"code":"A"}},{"id":"2","sku":null}]}}`)
	// connection 1 + order 1 + sku 1 + order 1
	if got := e.Actual(doc, op, data); got != 4 {
		t.Errorf("Actual = %d, want 4", got)
	}
	if req := e.Requested(doc, op, nil); req < 4 {
		t.Errorf("requested %d is below actual", req)
	}
}

func TestBucketDrainsRestoresAndRefunds(t *testing.T) {
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	e := New(Config{BucketSize: 100, RestoreRate: 10, Now: func() time.Time { return now }})
	d := limits{100, 10}
	if _, _, ok := e.take("a", d, 80); !ok {
		t.Fatal("first take refused")
	}
	st, wait, ok := e.take("a", d, 50)
	if ok || st.CurrentlyAvailable != 20 || wait != 3*time.Second {
		t.Fatalf("second take: ok=%v available=%v wait=%v, want refused, 20, 3s", ok, st.CurrentlyAvailable, wait)
	}
	if _, _, ok := e.take("b", d, 50); !ok {
		t.Error("another caller was throttled by a's spending")
	}
	now = now.Add(3 * time.Second)
	if _, _, ok := e.take("a", d, 50); !ok {
		t.Error("bucket did not restore")
	}
	if st := e.refund("a", d, 1000); st.CurrentlyAvailable != 100 {
		t.Errorf("refund overflowed the bucket: %v", st.CurrentlyAvailable)
	}
}

// A caller whose account has limits of its own gets a bucket of that size and rate; when the
// limits change, the bucket keeps what it holds up to the new size.
func TestLimitsPerCaller(t *testing.T) {
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	e := New(Config{BucketSize: 100, RestoreRate: 10, Now: func() time.Time { return now }})
	big := limits{5000, 250}
	st, _, ok := e.take("big", big, 1000)
	if !ok || st != (ThrottleStatus{MaximumAvailable: 5000, CurrentlyAvailable: 4000, RestoreRate: 250}) {
		t.Fatalf("configured caller: ok=%v %+v", ok, st)
	}
	if st, _, ok := e.take("small", limits{100, 10}, 1000); ok || st.MaximumAvailable != 100 {
		t.Errorf("default caller could spend 1000: %+v", st)
	}
	st, wait, ok := e.take("big", limits{500, 50}, 600)
	if ok || st != (ThrottleStatus{MaximumAvailable: 500, CurrentlyAvailable: 500, RestoreRate: 50}) || wait != 2*time.Second {
		t.Errorf("after shrinking: ok=%v %+v wait %v", ok, st, wait)
	}
	if l := New(Config{BucketSize: 100, RestoreRate: 10}).limitsOf(t.Context()); l != (limits{100, 10}) {
		t.Errorf("no Limits func: %+v", l)
	}
}

func BenchmarkRequested(b *testing.B) {
	e := New(Config{})
	doc, op := load(b, `{ orders(first: 100) { pageInfo { hasNextPage } edges { cursor node { id lines { qty sku { code } } sku { code } } } } viewer { name tags { label } } }`)
	for b.Loop() {
		e.Requested(doc, op, nil)
	}
}

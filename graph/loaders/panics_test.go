package loaders_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/event"

	"github.com/tradehub/tradehub/graph"
	"github.com/tradehub/tradehub/graph/cost"
	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/logging"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/internal/mongodb/mongotest"
	"github.com/tradehub/tradehub/internal/requestid"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/usage"
	wh "github.com/tradehub/tradehub/services/warehousing"
)

// panicker makes the driver panic, from its command monitor, on the next command of one kind on
// one collection: the panic then happens inside whatever called the store (a resolver, a
// loader's batch function), as a bug in a library would, with no hook in production code.
type panicker struct {
	mu      sync.Mutex
	command string // "find"
	coll    string
	fired   atomic.Int64
}

func (p *panicker) arm(command, coll string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.command, p.coll = command, coll
}

func (p *panicker) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		p.mu.Lock()
		hit := p.command != "" && e.CommandName == p.command && e.Command.Lookup(e.CommandName).StringValue() == p.coll
		if hit {
			p.command = ""
		}
		p.mu.Unlock()
		if hit {
			p.fired.Add(1)
			panic("injected fault: " + e.CommandName + " " + p.coll)
		}
	}}
}

// A panic in a resolver, in a dataloader's batch function and in a subscription resolver: the
// process carries on, the client gets INTERNAL (nothing of the panic) and its request id, and
// the log has the panic under that request id. Each time, the next request is served as usual.
func TestPanicsBecomeInternalErrors(t *testing.T) {
	var p panicker
	store := mongotest.Store(t, p.monitor())
	ctx := context.Background()
	var logs syncBuffer
	logger, err := logging.New(&logs, "json", "info")
	if err != nil {
		t.Fatal(err)
	}
	acc, err := access.New(ctx, store.Client, store.DB, logger)
	if err != nil {
		t.Fatal(err)
	}
	if err := mongodb.EnsureIndexes(ctx, store.DB, append(wh.Indexes(), usage.Indexes()...)...); err != nil {
		t.Fatal(err)
	}
	svc := wh.NewService(wh.Config{DB: store.DB, Access: acc, Usage: usage.NewService(store.DB, clock.System()), Logger: logger})
	admin, acct := ids.New(ids.User), ids.New(ids.Account)
	if err := acc.Assign(ctx, access.Assignment{Subject: admin, Role: access.PlatformAdmin, Domain: access.DomainPlatform}); err != nil {
		t.Fatal(err)
	}
	as := auth.WithPrincipal(ctx, &auth.Principal{Kind: auth.KindUser, UserID: admin})
	w, err := svc.CreateWarehouse(as, wh.WarehouseInput{Code: "SZX1", Name: "SZX1", Timezone: "UTC", Kind: wh.Overseas, Active: true,
		Address: wh.Address{Line1: "1 Road", City: "City", Country: "CN"}})
	if err != nil {
		t.Fatal(err)
	}
	k, err := svc.CreateSKU(as, wh.SKUInput{AccountID: acct, Code: "PANIC-1", Name: "Item", UnitValue: money.New(100, money.MustCurrency("USD"))})
	if err != nil {
		t.Fatal(err)
	}
	o, err := svc.CreateFulfilmentOrder(as, wh.OrderInput{AccountID: acct, WarehouseID: w.ID, IdempotencyKey: "panic-1",
		ServiceLevel: wh.Standard, ShipTo: wh.ShipTo{Name: "A", Address: wh.Address{Line1: "1", City: "X", Country: "US"}},
		Lines: []wh.OrderLine{{SKUID: k.ID, Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}

	// Transport is not wired: its subscription resolver panics on the nil service, the
	// commonest panic there is.
	h := graph.NewHandler(&graph.Resolver{Logger: logger, Warehousing: svc}, graph.ServerConfig{Logger: logger,
		Cost: cost.Config{BucketSize: 10_000_000, RestoreRate: 1_000_000}})
	srv := httptest.NewServer(requestid.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), &auth.Principal{Kind: auth.KindUser, UserID: admin})))
	})))
	defer srv.Close()

	orderQuery := `query($id: ID!) { fulfilmentOrder(id: $id) { id lines { sku { code } } } }`
	post := func(query string) (string, map[string]any) {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"id": o.ID}})
		resp, err := http.Post(srv.URL, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out map[string]any
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("not JSON: %s", raw)
		}
		return resp.Header.Get(requestid.Header), out
	}
	servedNormally := func(after string) {
		t.Helper()
		if _, out := post(orderQuery); out["errors"] != nil {
			t.Errorf("after the panic in %s, a normal request failed: %v", after, out)
		}
	}
	// internalOnly checks the errors are INTERNAL "internal error" with the request id, and
	// returns that id.
	internalOnly := func(what string, errors any) string {
		t.Helper()
		list, _ := errors.([]any)
		if len(list) == 0 {
			t.Fatalf("%s: no error", what)
		}
		var id string
		for _, e := range list {
			m := e.(map[string]any)
			ext := m["extensions"].(map[string]any)
			id, _ = ext["requestId"].(string)
			if m["message"] != "internal error" || ext["code"] != "INTERNAL" || id == "" {
				t.Errorf("%s: error %v, want INTERNAL \"internal error\" with a requestId", what, m)
			}
			for _, leak := range []string{"injected fault", "goroutine", ".go:", "nil pointer"} {
				if strings.Contains(string(mustJSON(m)), leak) {
					t.Errorf("%s: the client saw %q", what, leak)
				}
			}
		}
		return id
	}
	loggedPanic := func(what, reqID, needle string) {
		t.Helper()
		for _, line := range strings.Split(logs.String(), "\n") {
			if strings.Contains(line, needle) && strings.Contains(line, `"request_id":"`+reqID+`"`) {
				return
			}
		}
		t.Errorf("%s: no log line with %q under request id %s:\n%s", what, needle, reqID, logs.String())
	}
	servedNormally("nothing")
	faults := 0

	// In a resolver: the order's own read panics.
	p.arm("find", "fulfilment_orders")
	id, out := post(orderQuery)
	faults++
	if p.fired.Load() != 1 || id == "" {
		t.Fatalf("the resolver fault did not fire (%d) or no request id", p.fired.Load())
	}
	if got := internalOnly("resolver", out["errors"]); got != id {
		t.Errorf("resolver: requestId %q in the error, %q in the header", got, id)
	}
	loggedPanic("resolver", id, "panic in resolver")
	servedNormally("a resolver")

	// In a dataloader's batch function: the SKU loader's read panics.
	p.arm("find", "skus")
	id, out = post(orderQuery)
	faults++
	if p.fired.Load() != 2 {
		t.Fatal("the loader fault did not fire")
	}
	if got := internalOnly("loader", out["errors"]); got != id {
		t.Errorf("loader: requestId %q in the error, %q in the header", got, id)
	}
	loggedPanic("loader", id, "panic during fetch")
	servedNormally("a loader")

	// In a subscription resolver.
	u := "ws" + strings.TrimPrefix(srv.URL, "http")
	d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}, HandshakeTimeout: 5 * time.Second}
	conn, _, err := d.Dial(u, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if err := conn.WriteJSON(map[string]any{"type": "connection_init", "payload": map[string]any{}}); err != nil {
		t.Fatal(err)
	}
	var ack map[string]any
	if err := conn.ReadJSON(&ack); err != nil || ack["type"] != "connection_ack" {
		t.Fatalf("connection_init: %v %v", ack, err)
	}
	if err := conn.WriteJSON(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": `subscription($id: ID!) { shipmentUpdated(id: $id) { id } }`, "variables": map[string]any{"id": ids.New(ids.Shipment)}}}); err != nil {
		t.Fatal(err)
	}
	faults++
	for {
		var m map[string]any
		if err := conn.ReadJSON(&m); err != nil {
			t.Fatalf("subscription: %v", err)
		}
		if m["type"] == "ping" || m["type"] == "pong" {
			continue
		}
		switch m["type"] {
		case "error":
			id = internalOnly("subscription", m["payload"])
		case "next":
			id = internalOnly("subscription", m["payload"].(map[string]any)["errors"])
		default:
			t.Fatalf("subscription: %v", m)
		}
		break
	}
	loggedPanic("subscription", id, "panic in resolver")
	servedNormally("a subscription")

	if err := store.DB.Collection("fulfilment_orders").FindOne(ctx, bson.M{"_id": o.ID}).Err(); err != nil {
		t.Fatalf("the order is gone after the panics: %v", err)
	}
	t.Logf("FIGURE panics: faults injected %d (resolver, dataloader batch, subscription), process survived, lost 0", faults)
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// syncBuffer is a bytes.Buffer safe for the handler's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

package warehousing_test

import (
	"context"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tradehub/tradehub/internal/ids"
	wh "github.com/tradehub/tradehub/services/warehousing"
)

// A fault between an order's reservation and its status change leaves it PENDING while the
// balance holds its units (docs/RELIABILITY.md). Replays while it is fresh answer it as it is;
// once stale, a replay and two concurrent sweeps reconcile it from its movements, exactly once:
// RESERVED with its lines' units recorded and nothing reserved twice. A stale PENDING order that
// holds nothing is allocated (RESERVED when there is stock, BACKORDERED with nothing held when
// there is not).
func TestStalePendingOrdersAreReconciledOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.stock(t, e.sku, 10)
	orders := e.db.Collection("fulfilment_orders")

	// The status change was lost: the units are held, the order says PENDING with 0 reserved.
	first, err := e.order(e.op, "lost-status", wh.OrderLine{SKUID: e.sku, Quantity: 3})
	if err != nil || first.Status != wh.OrderReserved {
		t.Fatalf("order: %v %v", first.Status, err)
	}
	if _, err := orders.UpdateOne(ctx, bson.M{"_id": first.ID},
		bson.M{"$set": bson.M{"status": "PENDING", "lines.0.reserved": int64(0)}}); err != nil {
		t.Fatal(err)
	}
	if o, err := e.order(e.op, "lost-status", wh.OrderLine{SKUID: e.sku, Quantity: 3}); err != nil || o.Status != wh.OrderPending {
		t.Fatalf("a replay within the lease: %v %v, want the PENDING order untouched", o.Status, err)
	}
	if n, err := e.svc.ReconcilePendingOrders(ctx, 100); err != nil || n != 0 {
		t.Fatalf("a sweep within the lease reconciled %d (%v), want 0", n, err)
	}

	// Two orders that hold nothing (the first reservation's command was lost): one that stock
	// covers and one that it does not.
	var doc bson.M
	if err := orders.FindOne(ctx, bson.M{"_id": first.ID}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	bare := func(key string, qty int64) string {
		id := ids.New(ids.Order)
		doc["_id"], doc["idempotencyKey"] = id, key
		doc["lines"] = bson.A{bson.M{"skuId": e.sku, "quantity": qty, "reserved": int64(0)}}
		if _, err := orders.InsertOne(ctx, doc); err != nil {
			t.Fatal(err)
		}
		return id
	}
	covered, short := bare("nothing-held", 2), bare("too-big", 50)

	e.clock.Advance(wh.PendingLease)
	var wg sync.WaitGroup
	var swept [2]int
	for i := range swept {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := e.svc.ReconcilePendingOrders(ctx, 100)
			if err != nil {
				t.Error(err)
			}
			swept[i] = n
		}()
	}
	replay, rerr := e.order(e.op, "lost-status", wh.OrderLine{SKUID: e.sku, Quantity: 3})
	wg.Wait()
	if rerr != nil || replay.ID != first.ID {
		t.Fatalf("replay after the lease: %v %v", replay.ID, rerr)
	}
	if swept[0]+swept[1] > 3 {
		t.Errorf("the sweeps finished %d and %d orders: some twice", swept[0], swept[1])
	}
	want := map[string]struct {
		status   wh.OrderStatus
		reserved int64
	}{first.ID: {wh.OrderReserved, 3}, covered: {wh.OrderReserved, 2}, short: {wh.OrderBackordered, 0}}
	for id, w := range want {
		o, err := e.svc.FulfilmentOrder(e.op, id)
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != w.status || o.Lines[0].Reserved != w.reserved {
			t.Errorf("order %s: %s with %d reserved, want %s with %d", id, o.Status, o.Lines[0].Reserved, w.status, w.reserved)
		}
	}
	if b := e.invariants(t, e.sku, e.whs); b.Reserved != 5 || b.Available != 5 {
		t.Errorf("balance reserved %d available %d, want 5 and 5 (each order's units once)", b.Reserved, b.Available)
	}
	// Finished orders are left alone by later sweeps.
	e.clock.Advance(wh.PendingLease)
	if n, err := e.svc.ReconcilePendingOrders(ctx, 100); err != nil || n != 0 {
		t.Errorf("a later sweep reconciled %d (%v), want 0", n, err)
	}
	if b := e.invariants(t, e.sku, e.whs); b.Reserved != 5 {
		t.Errorf("reserved %d after a later sweep, want 5", b.Reserved)
	}
}

package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
)

// The "done when", through the real HTTP handler as Brightlight's demo OPERATOR: goods
// are received and stock rises, orders reserve it, one ships, a cancelled one gives its stock
// back, the day's storage and handling usage is there, and Kessler's owner can touch none of it.
func TestWarehousingFlowAsOperator(t *testing.T) {
	a, base := demoApp(t)
	w := loadWorld(t, base)
	op := signIn(t, base, "operator@brightlight.test")

	available := func() int {
		t.Helper()
		r := op.do(`query($s: ID!) { sku(id: $s) { balances { warehouse { code } available } } }`, map[string]any{"s": w.lamp})
		for _, b := range r.path("sku", "balances").([]any) {
			m := b.(map[string]any)
			if m["warehouse"].(map[string]any)["code"] == "SZX1" {
				return int(m["available"].(float64))
			}
		}
		t.Fatalf("no SZX1 balance: %s", r.Raw)
		return 0
	}
	mustOK := func(name string, r response) {
		t.Helper()
		if !r.ok(name) || r.path(name) == nil {
			t.Fatalf("%s: %s", name, r.Raw)
		}
	}
	start := available()

	// Receive goods: announce, receive, put away.
	r := op.do(`mutation($a: ID!, $w: ID!, $s: ID!) { createReceipt(input: {accountId: $a, warehouseId: $w, reference: "ASN-E2E",
		lines: [{skuId: $s, quantity: 30}]}) { receipt { id status } userErrors { code field message } } }`, stockVars(w, 0))
	mustOK("createReceipt", r)
	rcpt := r.str("createReceipt", "receipt", "id")
	r = op.do(`mutation($id: ID!, $s: ID!) { receiveReceipt(input: {receiptId: $id, lines: [{skuId: $s, received: 28, damaged: 1}]}) {
		receipt { status hasDiscrepancy lines { expected received damaged short } } userErrors { code field } } }`,
		map[string]any{"id": rcpt, "s": w.lamp})
	mustOK("receiveReceipt", r)
	if r.path("receiveReceipt", "receipt", "hasDiscrepancy") != true {
		t.Errorf("a short, damaged receipt shows no discrepancy: %s", r.Raw)
	}
	if got := available(); got != start {
		t.Errorf("received goods became available before putaway: %d, want %d", got, start)
	}
	r = op.do(`mutation($id: ID!) { putawayReceipt(input: {receiptId: $id}) { receipt { status } userErrors { code } } }`, map[string]any{"id": rcpt})
	mustOK("putawayReceipt", r)
	if got := available(); got != start+28 {
		t.Fatalf("after putaway: available %d, want %d", got, start+28)
	}

	// Place orders: they reserve; a replay is the same order.
	order := func(key string, qty int) response {
		v := stockVars(w, 0)
		v["k"], v["q"] = key, qty
		return op.do(`mutation($a: ID!, $w: ID!, $s: ID!, $k: String!, $q: Int!) { createFulfilmentOrder(input: {accountId: $a, warehouseId: $w,
			idempotencyKey: $k, serviceLevel: EXPRESS, reference: "E2E", lines: [{skuId: $s, quantity: $q}],
			shipTo: {name: "Dana Park", address: {line1: "9 Elm St", city: "Portland", region: "OR", country: "US"}}}) {
			fulfilmentOrder { id status lines { reserved sku { code } } warehouse { code } } userErrors { code field } } }`, v)
	}
	r = order("e2e-1", 5)
	mustOK("createFulfilmentOrder", r)
	shipID := r.str("createFulfilmentOrder", "fulfilmentOrder", "id")
	if r.str("createFulfilmentOrder", "fulfilmentOrder", "status") != "RESERVED" {
		t.Fatalf("order: %s", r.Raw)
	}
	if again := order("e2e-1", 5); again.str("createFulfilmentOrder", "fulfilmentOrder", "id") != shipID {
		t.Errorf("a replay made another order: %s", again.Raw)
	}
	if reused := order("e2e-1", 6); fmt.Sprint(reused.codes("createFulfilmentOrder")) != "[IDEMPOTENCY_KEY_REUSED]" {
		t.Errorf("same key, other payload: %s", reused.Raw)
	}
	r = order("e2e-2", 7)
	mustOK("createFulfilmentOrder", r)
	cancelID := r.str("createFulfilmentOrder", "fulfilmentOrder", "id")
	if got := available(); got != start+28-12 {
		t.Fatalf("after two orders: available %d, want %d", got, start+28-12)
	}

	// Ship one: pick, pack, ship; out-of-order steps are refused.
	step := func(name, query string, vars map[string]any) response {
		return op.do(query, vars)
	}
	id := map[string]any{"id": shipID}
	r = step("shipFulfilmentOrder", `mutation($id: ID!) { shipFulfilmentOrder(input: {orderId: $id, carrier: "UPS", trackingNumber: "1Z999"}) { fulfilmentOrder { status } userErrors { code } } }`, id)
	if fmt.Sprint(r.codes("shipFulfilmentOrder")) != "[INVALID_TRANSITION]" {
		t.Errorf("ship before pick: %s", r.Raw)
	}
	mustOK("pickFulfilmentOrder", step("", `mutation($id: ID!) { pickFulfilmentOrder(input: {orderId: $id}) { fulfilmentOrder { status } userErrors { code } } }`, id))
	mustOK("packFulfilmentOrder", step("", `mutation($id: ID!) { packFulfilmentOrder(input: {orderId: $id, packages: [{weightGrams: 6500, lengthMm: 420, widthMm: 320, heightMm: 260}]}) { fulfilmentOrder { status } userErrors { code } } }`, id))
	r = step("", `mutation($id: ID!) { shipFulfilmentOrder(input: {orderId: $id, carrier: "UPS", trackingNumber: "1Z999"}) { fulfilmentOrder { status trackingNumber } userErrors { code } } }`, id)
	mustOK("shipFulfilmentOrder", r)
	if r.str("shipFulfilmentOrder", "fulfilmentOrder", "status") != "SHIPPED" {
		t.Errorf("ship: %s", r.Raw)
	}

	// Cancel the other: its stock comes back.
	r = op.do(`mutation($id: ID!) { cancelFulfilmentOrder(input: {orderId: $id}) { fulfilmentOrder { status } userErrors { code } } }`, map[string]any{"id": cancelID})
	mustOK("cancelFulfilmentOrder", r)
	if got := available(); got != start+28-5 {
		t.Errorf("after cancelling: available %d, want %d", got, start+28-5)
	}

	// The movement history tells the story, and the SKU's movements add up.
	r = op.do(`query($s: ID!) { sku(id: $s) { movements(last: 10) { nodes { reason delta { available } sourceId } } } }`, map[string]any{"s": w.lamp})
	if nodes, _ := r.path("sku", "movements", "nodes").([]any); len(nodes) < 6 {
		t.Errorf("movements: %s", r.Raw)
	}

	// The day's storage and handling usage.
	admin := w.admin
	today := time.Now().UTC().Format(time.DateOnly)
	r = admin.do(`mutation($d: String!) { snapshotStorage(input: {day: $d}) { snapshots { accountId warehouse { code } cubicMetres pallets } userErrors { code } } }`, map[string]any{"d": today})
	mustOK("snapshotStorage", r)
	r = op.do(`query($a: ID!, $from: DateTime!, $to: DateTime!) { usageTotals(accountId: $a, from: $from, to: $to) { code unit quantity } }`,
		map[string]any{"a": w.brightlight, "from": today + "T00:00:00Z", "to": time.Now().UTC().Add(24 * time.Hour).Format(time.RFC3339)})
	got := map[string]bool{}
	for _, n := range r.path("usageTotals").([]any) {
		got[n.(map[string]any)["code"].(string)] = true
	}
	for _, code := range []string{"receiving.unit", "pickpack.order", "storage.cubic_metre_day", "storage.pallet_day"} {
		if !got[code] {
			t.Errorf("usage %s missing: %s", code, r.Raw)
		}
	}
	r = op.do(`query($a: ID!) { usageRecords(accountId: $a, filter: {category: WAREHOUSING}, first: 100) { nodes { code sourceKey } } }`, map[string]any{"a": w.brightlight})
	if nodes, _ := r.path("usageRecords", "nodes").([]any); len(nodes) == 0 {
		t.Errorf("usage records: %s", r.Raw)
	}
	r = op.do(`query($a: ID!) { inventoryValuation(accountId: $a) { totals { amount currencyCode } lines { sku { code } warehouse { code } value { amount } } } }`, map[string]any{"a": w.brightlight})
	if totals, _ := r.path("inventoryValuation", "totals").([]any); len(totals) != 1 {
		t.Errorf("valuation: %s", r.Raw)
	}

	// The relay published the changes as events in the account's feed, and drained the outboxes.
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := a.store.DB.Collection("events").CountDocuments(context.Background(),
			bson.M{"accountId": w.brightlight, "type": bson.M{"$in": bson.A{"order.status_changed", "inventory.reserved", "receipt.discrepancy"}}})
		pending, _ := a.store.DB.Collection("fulfilment_orders").CountDocuments(context.Background(), bson.M{"outbox.id": bson.M{"$gt": ""}})
		if err == nil && n >= 3 && pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("events not relayed: %d in the feed, %d orders with pending events (%v)", n, pending, err)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Another account can neither see nor change any of it, and nothing is written.
	kessler := signIn(t, base, "owner@kessler-outdoor.test")
	before := snapshot(t, a)
	for _, q := range []struct{ name, query string }{
		{"cancelFulfilmentOrder", `mutation($id: ID!) { cancelFulfilmentOrder(input: {orderId: $id}) { fulfilmentOrder { id } userErrors { code } } }`},
		{"putawayReceipt", `mutation($id: ID!) { putawayReceipt(input: {receiptId: $id}) { receipt { id } userErrors { code } } }`},
		{"fulfilmentOrder", `query($id: ID!) { fulfilmentOrder(id: $id) { id } }`},
	} {
		target := shipID
		if q.name == "putawayReceipt" {
			target = rcpt
		}
		r := kessler.do(q.query, map[string]any{"id": target})
		if codes := r.codes(q.name); q.name != "fulfilmentOrder" && fmt.Sprint(codes) != "[NOT_FOUND]" {
			t.Errorf("Kessler %s: %s", q.name, r.Raw)
		}
		if q.name == "fulfilmentOrder" && r.path("fulfilmentOrder") != nil {
			t.Errorf("Kessler sees Brightlight's order: %s", r.Raw)
		}
	}
	r = kessler.do(`mutation($s: ID!, $w: ID!) { adjustInventory(input: {skuId: $s, warehouseId: $w, delta: -3, reason: LOST}) { inventoryBalance { available } userErrors { code } } }`, stockVars(w, 0))
	if fmt.Sprint(r.codes("adjustInventory")) != "[NOT_FOUND]" {
		t.Errorf("Kessler adjusts Brightlight's stock: %s", r.Raw)
	}
	if after := snapshot(t, a); after != before {
		t.Errorf("another account's attempts changed the store:\n before %s\n after  %s", before, after)
	}

	checkCatalogued(t, a)
}

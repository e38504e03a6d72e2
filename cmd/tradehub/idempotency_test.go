package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/bson"
)

// 100 concurrent createFulfilmentOrder requests with one idempotency key, through the real HTTP
// handler: every one answers the same order, the store holds one order for the key, and the
// stock is reserved once.
func TestConcurrentRequestsWithOneIdempotencyKey(t *testing.T) {
	a, base := demoApp(t)
	w := loadWorld(t, base)
	op := signIn(t, base, "operator@brightlight.test")
	db := a.store.DB
	before := readLedger(t, db, w.lamp, w.szx)

	const n, qty = 100, 3
	vars := stockVars(w, 0)
	vars["k"] = "one-key-100-requests"
	body, _ := json.Marshal(map[string]any{"variables": vars, "query": `mutation($a: ID!, $w: ID!, $s: ID!, $k: String!) {
		createFulfilmentOrder(input: {accountId: $a, warehouseId: $w, idempotencyKey: $k, serviceLevel: STANDARD,
		lines: [{skuId: $s, quantity: 3}], shipTo: {name: "Race", address: {line1: "1 Race St", city: "Austin", country: "US"}}}) {
		fulfilmentOrder { id } userErrors { code } } }`})
	ids := make([]string, n)
	problems := make([]string, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := op.http.Do(req)
			if err != nil {
				problems[i] = err.Error()
				return
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			var r response
			if err := json.Unmarshal(raw, &r); err != nil || !r.ok("createFulfilmentOrder") || len(r.Errors) > 0 {
				problems[i] = string(raw)
				return
			}
			ids[i] = r.str("createFulfilmentOrder", "fulfilmentOrder", "id")
		}()
	}
	close(start)
	wg.Wait()
	distinct := map[string]int{}
	for i := range n {
		if problems[i] != "" {
			t.Errorf("request %d: %s", i, problems[i])
			continue
		}
		distinct[ids[i]]++
	}
	if len(distinct) != 1 {
		t.Errorf("the requests answered %d different orders: %v", len(distinct), distinct)
	}
	stored, err := db.Collection("fulfilment_orders").CountDocuments(context.Background(), bson.M{"idempotencyKey": vars["k"]})
	if err != nil {
		t.Fatal(err)
	}
	if stored != 1 {
		t.Errorf("%d orders stored for the key, want 1", stored)
	}
	after := readLedger(t, db, w.lamp, w.szx)
	if err := after.check(); err != nil {
		t.Error(err)
	}
	if got := after.balance["reserved"] - before.balance["reserved"]; got != qty {
		t.Errorf("%d units reserved by %d requests with one key, want %d", got, n, qty)
	}
	if after.stranded() != before.stranded() {
		t.Errorf("units reserved by no RESERVED order: %d, was %d", after.stranded(), before.stranded())
	}
	t.Logf("FIGURE idempotency: %d concurrent requests with one key → %d order(s) stored, %d units reserved (one effect of %d)",
		n, stored, after.balance["reserved"]-before.balance["reserved"], qty)
}

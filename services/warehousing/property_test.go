package warehousing_test

import (
	"errors"
	"flag"
	"fmt"
	"sync/atomic"
	"testing"

	"pgregory.net/rapid"

	wh "github.com/tradehub/tradehub/services/warehousing"
)

// propertyChecks is how many random sequences make test runs unless -rapid.checks says
// otherwise: each sequence talks to the real store, so rapid's default of 100 would take most of
// a minute on a small machine. Longer runs: go test ./services/warehousing -run Property
// -rapid.checks=1000.
const propertyChecks = "20"

var skuSeq atomic.Int64

// stockModel is what the test expects of one SKU: the units on hand in each warehouse (which
// only receipts, adjustments, shipments and transfers change), and the orders by idempotency
// key with what was asked of them.
type stockModel struct {
	onHand map[string]int64
	orders map[string]placedOrder
	keys   []string
}

type placedOrder struct {
	id  string
	qty int64
}

// Random sequences of the stock operations (receive through an ASN, adjust up and down, order
// with a new key or a replayed one, cancel, pick-pack-ship, transfer) against the real service
// on the embedded store. After every step: no bucket is negative, available = onHand − reserved
// − pledged, reserved ≤ onHand, each balance equals the sum of its movements, on hand is what the
// model says, the RESERVED orders hold exactly the reserved units and the picked orders exactly
// the picked ones, and a replayed key gives the first order and changes nothing. A failure
// shrinks to the shortest sequence that breaks a rule.
func TestPropertyStockOperations(t *testing.T) {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "rapid.checks" })
	if f := flag.Lookup("rapid.checks"); f != nil && !set {
		_ = f.Value.Set(propertyChecks)
		defer func() { _ = f.Value.Set(f.DefValue) }()
	}
	e := newEnv(t)
	var steps, replays atomic.Int64
	rapid.Check(t, func(rt *rapid.T) {
		code := fmt.Sprintf("PROP-%d", skuSeq.Add(1))
		sku := e.newSKU(t, e.op, e.acct, code, false)
		m := &stockModel{onHand: map[string]int64{e.whs: 0, e.whs2: 0}, orders: map[string]placedOrder{}}
		n := rapid.IntRange(4, 12).Draw(rt, "steps")
		for range n {
			steps.Add(1)
			switch op := rapid.SampledFrom([]string{"receive", "adjust", "order", "replay", "cancel", "ship", "transfer"}).Draw(rt, "op"); op {
			case "receive":
				qty := rapid.Int64Range(1, 20).Draw(rt, "qty")
				e.stock(t, sku, qty)
				m.onHand[e.whs] += qty
			case "adjust":
				delta := rapid.Int64Range(-10, 10).Filter(func(d int64) bool { return d != 0 }).Draw(rt, "delta")
				reason := wh.AdjustFound
				if delta < 0 {
					reason = wh.AdjustLost
				}
				_, err := e.svc.AdjustInventory(e.op, wh.AdjustInput{SKUID: sku, WarehouseID: e.whs, Delta: delta, Reason: reason})
				switch {
				case err == nil:
					m.onHand[e.whs] += delta
				case !errors.Is(err, wh.ErrInsufficientStock):
					rt.Fatalf("adjust %d: %v", delta, err)
				}
			case "order":
				qty := rapid.Int64Range(1, 8).Draw(rt, "qty")
				key := fmt.Sprintf("%s-k%d", code, len(m.keys)) // keys are per account: one sequence's own
				o, err := e.order(e.op, key, wh.OrderLine{SKUID: sku, Quantity: qty})
				if err != nil {
					rt.Fatalf("order %s: %v", key, err)
				}
				m.orders[key] = placedOrder{id: o.ID, qty: qty}
				m.keys = append(m.keys, key)
			case "replay":
				if len(m.keys) == 0 {
					continue
				}
				replays.Add(1)
				key := rapid.SampledFrom(m.keys).Draw(rt, "key")
				first := m.orders[key]
				before := e.balance(t, sku, e.whs)
				same := rapid.Bool().Draw(rt, "samePayload")
				qty := first.qty
				if !same {
					qty++
				}
				o, err := e.order(e.op, key, wh.OrderLine{SKUID: sku, Quantity: qty})
				switch {
				case same && (err != nil || o.ID != first.id):
					rt.Fatalf("replay of %s: order %s (%v), want the first order %s", key, o.ID, err, first.id)
				case !same && codeOf(err) != "IDEMPOTENCY_KEY_REUSED":
					rt.Fatalf("key %s with another payload: %v, want IDEMPOTENCY_KEY_REUSED", key, err)
				}
				if after := e.balance(t, sku, e.whs); after.Sum() != before.Sum() {
					rt.Fatalf("replay of %s changed the balance: %+v → %+v", key, before.Sum(), after.Sum())
				}
			case "cancel":
				if len(m.keys) == 0 {
					continue
				}
				key := rapid.SampledFrom(m.keys).Draw(rt, "key")
				prior, err := e.svc.FulfilmentOrder(e.op, m.orders[key].id)
				if err != nil {
					rt.Fatal(err)
				}
				_, err = e.svc.CancelFulfilmentOrder(e.op, m.orders[key].id)
				if err != nil && codeOf(err) != "INVALID_TRANSITION" {
					rt.Fatalf("cancel %s: %v", key, err)
				}
				if err == nil && (prior.Status == wh.OrderPicked || prior.Status == wh.OrderPacked) {
					m.onHand[e.whs] += m.orders[key].qty // picked units go back to their locations
				}
			case "ship":
				if len(m.keys) == 0 {
					continue
				}
				key := rapid.SampledFrom(m.keys).Draw(rt, "key")
				id := m.orders[key].id
				if _, err := e.svc.PickFulfilmentOrder(e.op, id); err != nil {
					if codeOf(err) != "INVALID_TRANSITION" {
						rt.Fatalf("pick %s: %v", key, err)
					}
					continue
				}
				m.onHand[e.whs] -= m.orders[key].qty // picked units leave their locations (on hand)
				if rapid.Bool().Draw(rt, "stopAfterPick") {
					continue
				}
				if _, err := e.svc.PackFulfilmentOrder(e.op, id, []wh.Package{{WeightGrams: 900, LengthMM: 300, WidthMM: 200, HeightMM: 100}}); err != nil {
					rt.Fatalf("pack %s: %v", key, err)
				}
				if _, err := e.svc.ShipFulfilmentOrder(e.op, id, "DHL", "PROP"+key); err != nil {
					rt.Fatalf("ship %s: %v", key, err)
				}
			case "transfer":
				qty := rapid.Int64Range(1, 10).Draw(rt, "qty")
				tr, err := e.svc.CreateTransfer(e.op, wh.TransferInput{AccountID: e.acct, FromWarehouseID: e.whs, ToWarehouseID: e.whs2,
					Lines: []wh.TransferLine{{SKUID: sku, Quantity: qty}}})
				if errors.Is(err, wh.ErrInsufficientStock) {
					continue
				}
				if err != nil {
					rt.Fatalf("transfer %d: %v", qty, err)
				}
				m.onHand[e.whs] -= qty
				if rapid.Bool().Draw(rt, "arrives") {
					if _, err := e.svc.ReceiveTransfer(e.op, tr.ID); err != nil {
						rt.Fatalf("receive transfer: %v", err)
					}
					m.onHand[e.whs2] += qty
				}
			}
			e.checkStock(t, rt, sku, m)
		}
	})
	t.Logf("FIGURE stock properties: %d random steps, %d replayed requests, every invariant held after each", steps.Load(), replays.Load())
}

// checkStock checks every rule of the property test after one step.
func (e *env) checkStock(t *testing.T, rt *rapid.T, sku string, m *stockModel) {
	for _, w := range []string{e.whs, e.whs2} {
		b, err := e.svc.Balance(e.op, sku, w)
		if err != nil && codeOf(err) != "NOT_FOUND" {
			rt.Fatalf("balance: %v", err)
		}
		if err := b.Check(); err != nil {
			rt.Fatal(err)
		}
		if b.Reserved > b.OnHand {
			rt.Fatalf("%s: reserved %d > on hand %d", w, b.Reserved, b.OnHand)
		}
		sum, err := e.svc.MovementSums(e.op, sku, w)
		if err != nil {
			rt.Fatal(err)
		}
		if sum != b.Sum() {
			rt.Fatalf("%s: movements add up to %+v, balance is %+v", w, sum, b.Sum())
		}
		if b.OnHand != m.onHand[w] {
			rt.Fatalf("%s: on hand %d, the model says %d", w, b.OnHand, m.onHand[w])
		}
		if w != e.whs {
			continue
		}
		var reserved, picked int64
		for _, key := range m.keys {
			o, err := e.svc.FulfilmentOrder(e.op, m.orders[key].id)
			if err != nil {
				rt.Fatal(err)
			}
			for _, l := range o.Lines {
				switch o.Status {
				case wh.OrderReserved:
					reserved += l.Reserved
				case wh.OrderPicked, wh.OrderPacked:
					picked += l.Quantity
				}
			}
		}
		if reserved != b.Reserved || picked != b.Picked {
			rt.Fatalf("orders hold %d reserved and %d picked; the balance says %d and %d", reserved, picked, b.Reserved, b.Picked)
		}
	}
}

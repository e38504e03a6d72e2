package warehousing_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/internal/mongodb/mongotest"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/usage"
	wh "github.com/tradehub/tradehub/services/warehousing"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Run(m)) }

// env is one test's world: a service over a fresh database, a platform admin, two accounts
// with an operator each, a viewer and an operator-only admin of the first, a warehouse and a SKU.
type env struct {
	svc                  *wh.Service
	db                   *mongo.Database
	usage                *usage.Service
	clock                *clock.Fake
	admin, op, viewer    context.Context
	otherOp, accountAdmn context.Context
	acct, other          string
	whs, whs2            string
	sku, lotSKU          string
}

func as(id string) context.Context {
	return auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.KindUser, UserID: id})
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db := mongotest.DB(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	acc, err := access.New(ctx, db.Client(), db, logger)
	if err != nil {
		t.Fatal(err)
	}
	if err := mongodb.EnsureIndexes(ctx, db, append(wh.Indexes(), usage.Indexes()...)...); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
	us := usage.NewService(db, clk)
	e := &env{db: db, usage: us, clock: clk, acct: ids.New(ids.Account), other: ids.New(ids.Account)}
	e.svc = wh.NewService(wh.Config{DB: db, Access: acc, Usage: us, Clock: clk, Logger: logger, LargeAdjustment: 1000})
	users := map[string]struct {
		role   access.Role
		domain string
		ctx    *context.Context
	}{
		ids.New(ids.User): {access.PlatformAdmin, access.DomainPlatform, &e.admin},
		ids.New(ids.User): {access.Operator, e.acct, &e.op},
		ids.New(ids.User): {access.Viewer, e.acct, &e.viewer},
		ids.New(ids.User): {access.Admin, e.acct, &e.accountAdmn},
		ids.New(ids.User): {access.Operator, e.other, &e.otherOp},
	}
	for id, u := range users {
		if err := acc.Assign(ctx, access.Assignment{Subject: id, Role: u.role, Domain: u.domain}); err != nil {
			t.Fatal(err)
		}
		*u.ctx = as(id)
	}
	e.whs = e.warehouse(t, "SZX1", wh.Domestic)
	e.whs2 = e.warehouse(t, "LAX1", wh.Overseas)
	e.sku = e.newSKU(t, e.op, e.acct, "LAMP-01", false)
	e.lotSKU = e.newSKU(t, e.op, e.acct, "SERUM-30", true)
	return e
}

func (e *env) warehouse(t *testing.T, code string, kind wh.WarehouseKind) string {
	t.Helper()
	w, err := e.svc.CreateWarehouse(e.admin, wh.WarehouseInput{Code: code, Name: code + " warehouse", Timezone: "Asia/Shanghai",
		Kind: kind, Active: true, Address: wh.Address{Line1: "1 Dock Road", City: "Shenzhen", Country: "CN"}})
	if err != nil {
		t.Fatal(err)
	}
	return w.ID
}

func (e *env) newSKU(t *testing.T, ctx context.Context, acct, code string, lots bool) string {
	t.Helper()
	k, err := e.svc.CreateSKU(ctx, wh.SKUInput{AccountID: acct, Code: code, Name: "Thing " + code, HSCode: "9405.40",
		CountryOfOrigin: "CN", UnitValue: money.New(2500, money.MustCurrency("USD")), TracksLots: lots,
		Weight:        &wh.Weight{Value: "0.8", Unit: wh.Kilogram},
		Dimensions:    &wh.Dimensions{Length: "30", Width: "20", Height: "10", Unit: wh.Centimetre},
		ReorderPoints: []wh.ReorderPoint{{WarehouseID: e.whs, Point: 10, Quantity: 50}}})
	if err != nil {
		t.Fatal(err)
	}
	return k.ID
}

// stock puts n units of sku into available stock in the first warehouse through an ASN.
func (e *env) stock(t *testing.T, sku string, n int64) {
	t.Helper()
	r, err := e.svc.CreateReceipt(e.op, wh.ReceiptInput{AccountID: e.acct, WarehouseID: e.whs, Lines: []wh.ReceiptLine{{SKUID: sku, Expected: n}}})
	if err != nil {
		t.Fatal(err)
	}
	lot := ""
	if sku == e.lotSKU {
		lot = "L1"
	}
	if _, err := e.svc.ReceiveReceipt(e.op, r.ID, []wh.ReceiveLine{{SKUID: sku, Received: n, Lot: lot}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.PutawayReceipt(e.op, r.ID); err != nil {
		t.Fatal(err)
	}
}

func (e *env) order(ctx context.Context, key string, lines ...wh.OrderLine) (wh.Order, error) {
	return e.svc.CreateFulfilmentOrder(ctx, wh.OrderInput{AccountID: e.acct, WarehouseID: e.whs, IdempotencyKey: key,
		ServiceLevel: wh.Standard, Lines: lines, ShipTo: wh.ShipTo{Name: "Ana Buyer",
			Address: wh.Address{Line1: "5 Main St", City: "Austin", Country: "US"}}})
}

func (e *env) balance(t *testing.T, sku, whs string) wh.Balance {
	t.Helper()
	b, err := e.svc.Balance(e.op, sku, whs)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// invariants checks a balance: no negative bucket, available = onHand − reserved − pledged, and
// its movements add up to it bucket by bucket.
func (e *env) invariants(t *testing.T, sku, whs string) wh.Balance {
	t.Helper()
	b := e.balance(t, sku, whs)
	if err := b.Check(); err != nil {
		t.Error(err)
	}
	sum, err := e.svc.MovementSums(context.Background(), sku, whs)
	if err != nil {
		t.Fatal(err)
	}
	if sum != b.Sum() {
		t.Errorf("movements of %s add up to %+v, balance is %+v", b.ID, sum, b.Sum())
	}
	return b
}

func codeOf(err error) string {
	if e, ok := errs.As(err); ok {
		return e.UserCode()
	}
	if err != nil {
		return "INTERNAL"
	}
	return ""
}

// 200 goroutines each order one unit against 100 available: exactly 100 are reserved, the rest
// are backordered, available ends at 0, never below, and the movements add up to the balance.
func TestConcurrentReservationsNeverOversell(t *testing.T) {
	e := newEnv(t)
	e.stock(t, e.sku, 100)
	var reserved, backordered atomic.Int64
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, err := e.order(e.op, fmt.Sprintf("race-%d", i), wh.OrderLine{SKUID: e.sku, Quantity: 1})
			switch {
			case err != nil:
				t.Errorf("order %d: %v", i, err)
			case o.Status == wh.OrderReserved:
				reserved.Add(1)
			case o.Status == wh.OrderBackordered:
				backordered.Add(1)
			default:
				t.Errorf("order %d: status %s", i, o.Status)
			}
		}()
	}
	wg.Wait()
	if reserved.Load() != 100 || backordered.Load() != 100 {
		t.Errorf("reserved %d, backordered %d; want 100 and 100", reserved.Load(), backordered.Load())
	}
	b := e.invariants(t, e.sku, e.whs)
	if b.Available != 0 || b.Reserved != 100 || b.OnHand != 100 {
		t.Errorf("balance %+v, want 0 available, 100 reserved, 100 on hand", b)
	}
}

// Reservations, cancellations and adjustments racing each other keep every invariant.
func TestMixedTrafficKeepsInvariants(t *testing.T) {
	e := newEnv(t)
	e.stock(t, e.sku, 50)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var orders []string
	for i := range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch i % 3 {
			case 0, 1:
				o, err := e.order(e.op, fmt.Sprintf("mix-%d", i), wh.OrderLine{SKUID: e.sku, Quantity: 3})
				if err != nil {
					t.Errorf("order: %v", err)
					return
				}
				mu.Lock()
				orders = append(orders, o.ID)
				mu.Unlock()
				if i%2 == 0 {
					if _, err := e.svc.CancelFulfilmentOrder(e.op, o.ID); err != nil && codeOf(err) != "INVALID_TRANSITION" {
						t.Errorf("cancel: %v", err)
					}
				}
			case 2:
				delta := int64(5)
				if i%2 == 0 {
					delta = -4
				}
				_, err := e.svc.AdjustInventory(e.op, wh.AdjustInput{SKUID: e.sku, WarehouseID: e.whs, Delta: delta, Reason: wh.AdjustCorrection})
				if err != nil && !errors.Is(err, wh.ErrInsufficientStock) {
					t.Errorf("adjust: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	b := e.invariants(t, e.sku, e.whs)
	var held int64
	for _, id := range orders {
		o, err := e.svc.FulfilmentOrder(e.op, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range o.Lines {
			held += l.Reserved
		}
		if o.Status == wh.OrderPending {
			t.Errorf("order %s left PENDING", id)
		}
	}
	if held != b.Reserved {
		t.Errorf("orders hold %d units, balance reserves %d", held, b.Reserved)
	}
}

func TestIdempotentOrders(t *testing.T) {
	e := newEnv(t)
	e.stock(t, e.sku, 10)
	first, err := e.order(e.op, "shop-1001", wh.OrderLine{SKUID: e.sku, Quantity: 2})
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.order(e.op, "shop-1001", wh.OrderLine{SKUID: e.sku, Quantity: 2})
	if err != nil || again.ID != first.ID {
		t.Fatalf("replay: %v, %v; want the first order %s", again.ID, err, first.ID)
	}
	_, err = e.order(e.op, "shop-1001", wh.OrderLine{SKUID: e.sku, Quantity: 3})
	if got := codeOf(err); got != "IDEMPOTENCY_KEY_REUSED" {
		t.Errorf("same key, other payload: %s, want IDEMPOTENCY_KEY_REUSED", got)
	}
	if b := e.invariants(t, e.sku, e.whs); b.Reserved != 2 {
		t.Errorf("reserved %d, want 2 (one order)", b.Reserved)
	}
}

// counts is what a refused request must not change: the documents of every collection.
func counts(t *testing.T, db *mongo.Database) string {
	t.Helper()
	ctx := context.Background()
	names, err := db.ListCollectionNames(ctx, bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, n := range names {
		if strings.HasPrefix(n, "casbin") || n == "access_meta" {
			continue
		}
		c, _ := db.Collection(n).CountDocuments(ctx, bson.M{})
		fmt.Fprintf(&b, "%s=%d ", n, c)
	}
	var bal []bson.M
	cur, _ := db.Collection("inventory_balances").Find(ctx, bson.M{})
	_ = cur.All(ctx, &bal)
	for _, d := range bal {
		fmt.Fprintf(&b, "%v:%v/%v/%v ", d["_id"], d["onHand"], d["available"], d["reserved"])
	}
	return b.String()
}

// Every bad input is a clear refusal with a code, and writes nothing.
func TestBadInputWritesNothing(t *testing.T) {
	e := newEnv(t)
	e.stock(t, e.sku, 5)
	foreignSKU := e.newSKU(t, e.otherOp, e.other, "THEIRS-1", false)
	rcpt, err := e.svc.CreateReceipt(e.op, wh.ReceiptInput{AccountID: e.acct, WarehouseID: e.whs,
		Lines: []wh.ReceiptLine{{SKUID: e.lotSKU, Expected: 5}}})
	if err != nil {
		t.Fatal(err)
	}
	reserved, err := e.order(e.op, "bad-input-base", wh.OrderLine{SKUID: e.sku, Quantity: 1})
	if err != nil {
		t.Fatal(err)
	}
	line := func(sku string, q int64) []wh.OrderLine { return []wh.OrderLine{{SKUID: sku, Quantity: q}} }
	orderWith := func(whs string, lines []wh.OrderLine) func() error {
		return func() error {
			_, err := e.svc.CreateFulfilmentOrder(e.op, wh.OrderInput{AccountID: e.acct, WarehouseID: whs, IdempotencyKey: "k-" + ids.New(ids.Order),
				ServiceLevel: wh.Standard, Lines: lines, ShipTo: wh.ShipTo{Name: "A", Address: wh.Address{Line1: "1", City: "X", Country: "US"}}})
			return err
		}
	}
	tests := []struct {
		name string
		do   func() error
		want string
	}{
		{"UnknownSKU", orderWith(e.whs, line(ids.New(ids.SKU), 1)), "NOT_FOUND"},
		{"MalformedSKU", orderWith(e.whs, line("sku_nope", 1)), "NOT_FOUND"},
		{"UnknownWarehouse", orderWith(ids.New(ids.Warehouse), line(e.sku, 1)), "NOT_FOUND"},
		{"ZeroQuantity", orderWith(e.whs, line(e.sku, 0)), "INVALID"},
		{"NegativeQuantity", orderWith(e.whs, line(e.sku, -2)), "INVALID"},
		{"NoLines", orderWith(e.whs, nil), "INVALID"},
		{"SameSKUTwice", orderWith(e.whs, []wh.OrderLine{{SKUID: e.sku, Quantity: 1}, {SKUID: e.sku, Quantity: 1}}), "INVALID"},
		{"AnotherAccountsSKU", orderWith(e.whs, line(foreignSKU, 1)), "NOT_FOUND"},
		{"AnotherAccount", func() error {
			_, err := e.svc.CreateFulfilmentOrder(e.op, wh.OrderInput{AccountID: e.other, WarehouseID: e.whs, IdempotencyKey: "x",
				ServiceLevel: wh.Standard, Lines: line(foreignSKU, 1)})
			return err
		}, "NOT_FOUND"},
		{"ViewerCannotOrder", orderWith(e.whs, line(e.sku, 1)), ""}, // replaced below
		{"LotRequired", func() error {
			_, err := e.svc.ReceiveReceipt(e.op, rcpt.ID, []wh.ReceiveLine{{SKUID: e.lotSKU, Received: 5}})
			return err
		}, "LOT_REQUIRED"},
		{"MoreLinesThanTheASN", func() error {
			_, err := e.svc.ReceiveReceipt(e.op, rcpt.ID, []wh.ReceiveLine{{SKUID: e.lotSKU, Received: 5, Lot: "A"}, {SKUID: e.sku, Received: 1}})
			return err
		}, "TOO_MANY_LINES"},
		{"SKUNotOnTheASN", func() error {
			_, err := e.svc.ReceiveReceipt(e.op, rcpt.ID, []wh.ReceiveLine{{SKUID: e.sku, Received: 1}})
			return err
		}, "INVALID"},
		{"NegativeReceived", func() error {
			_, err := e.svc.ReceiveReceipt(e.op, rcpt.ID, []wh.ReceiveLine{{SKUID: e.lotSKU, Received: -1, Lot: "A"}})
			return err
		}, "INVALID"},
		{"PutawayBeforeReceiving", func() error { _, err := e.svc.PutawayReceipt(e.op, rcpt.ID); return err }, "INVALID_TRANSITION"},
		{"PackBeforePick", func() error {
			_, err := e.svc.PackFulfilmentOrder(e.op, reserved.ID, []wh.Package{{WeightGrams: 900, LengthMM: 300, WidthMM: 200, HeightMM: 100}})
			return err
		}, "INVALID_TRANSITION"},
		{"ShipBeforePack", func() error { _, err := e.svc.ShipFulfilmentOrder(e.op, reserved.ID, "UPS", "1Z"); return err }, "INVALID_TRANSITION"},
		{"DeliverBeforeShip", func() error { _, err := e.svc.DeliverFulfilmentOrder(e.op, reserved.ID); return err }, "INVALID_TRANSITION"},
		{"ForeignOrder", func() error { _, err := e.svc.PickFulfilmentOrder(e.otherOp, reserved.ID); return err }, "NOT_FOUND"},
		{"AdjustZero", func() error {
			_, err := e.svc.AdjustInventory(e.op, wh.AdjustInput{SKUID: e.sku, WarehouseID: e.whs, Delta: 0, Reason: wh.AdjustFound})
			return err
		}, "INVALID"},
		{"AdjustBelowAvailable", func() error {
			_, err := e.svc.AdjustInventory(e.op, wh.AdjustInput{SKUID: e.sku, WarehouseID: e.whs, Delta: -5, Reason: wh.AdjustLost})
			return err
		}, "INSUFFICIENT_STOCK"},
		{"LargeAdjustmentByOperator", func() error {
			_, err := e.svc.AdjustInventory(e.op, wh.AdjustInput{SKUID: e.sku, WarehouseID: e.whs, Delta: 5000, Reason: wh.AdjustFound})
			return err
		}, "FORBIDDEN"},
		{"CountBelowReserved", func() error {
			_, err := e.svc.CountInventory(e.op, wh.CountInput{SKUID: e.sku, WarehouseID: e.whs, Counted: 0})
			return err
		}, "COUNT_BELOW_COMMITTED"},
		{"BadHSCode", func() error {
			_, err := e.svc.CreateSKU(e.op, wh.SKUInput{AccountID: e.acct, Code: "X-1", Name: "X", HSCode: "12",
				UnitValue: money.New(1, money.MustCurrency("USD"))})
			return err
		}, "INVALID"},
		{"DuplicateSKUCode", func() error {
			_, err := e.svc.CreateSKU(e.op, wh.SKUInput{AccountID: e.acct, Code: "LAMP-01", Name: "X",
				UnitValue: money.New(1, money.MustCurrency("USD"))})
			return err
		}, "ALREADY_EXISTS"},
		{"TransferToSameWarehouse", func() error {
			_, err := e.svc.CreateTransfer(e.op, wh.TransferInput{AccountID: e.acct, FromWarehouseID: e.whs, ToWarehouseID: e.whs,
				Lines: []wh.TransferLine{{SKUID: e.sku, Quantity: 1}}})
			return err
		}, "INVALID"},
	}
	tests[9] = struct {
		name string
		do   func() error
		want string
	}{"ViewerCannotOrder", func() error {
		_, err := e.svc.CreateFulfilmentOrder(e.viewer, wh.OrderInput{AccountID: e.acct, WarehouseID: e.whs, IdempotencyKey: "v",
			ServiceLevel: wh.Standard, Lines: line(e.sku, 1)})
		return err
	}, "FORBIDDEN"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := counts(t, e.db)
			err := tt.do()
			if got := codeOf(err); got != tt.want {
				t.Fatalf("got %s (%v), want %s", got, err, tt.want)
			}
			if after := counts(t, e.db); after != before {
				t.Errorf("a refused request wrote:\n before %s\n after  %s", before, after)
			}
		})
	}
}

// The life of stock: received, put away, reserved, picked, packed, shipped, delivered; a
// cancellation brings stock back; a backorder is reserved when stock arrives, oldest first.
func TestOrderLifecycle(t *testing.T) {
	e := newEnv(t)
	e.stock(t, e.sku, 10)
	o, err := e.order(e.op, "life-1", wh.OrderLine{SKUID: e.sku, Quantity: 4})
	if err != nil || o.Status != wh.OrderReserved {
		t.Fatalf("order: %v %v", o.Status, err)
	}
	steps := []struct {
		name string
		do   func() (wh.Order, error)
		want wh.OrderStatus
	}{
		{"Pick", func() (wh.Order, error) { return e.svc.PickFulfilmentOrder(e.op, o.ID) }, wh.OrderPicked},
		{"PickAgain", func() (wh.Order, error) { return e.svc.PickFulfilmentOrder(e.op, o.ID) }, ""},
		{"Pack", func() (wh.Order, error) {
			return e.svc.PackFulfilmentOrder(e.op, o.ID, []wh.Package{{WeightGrams: 3300, LengthMM: 400, WidthMM: 300, HeightMM: 200}})
		}, wh.OrderPacked},
		{"Ship", func() (wh.Order, error) { return e.svc.ShipFulfilmentOrder(e.op, o.ID, "DHL", "JD0146") }, wh.OrderShipped},
		{"CancelAfterShip", func() (wh.Order, error) { return e.svc.CancelFulfilmentOrder(e.op, o.ID) }, ""},
		{"Deliver", func() (wh.Order, error) { return e.svc.DeliverFulfilmentOrder(e.op, o.ID) }, wh.OrderDelivered},
	}
	for _, s := range steps {
		got, err := s.do()
		if s.want == "" {
			if codeOf(err) != "INVALID_TRANSITION" {
				t.Errorf("%s: %v, want INVALID_TRANSITION", s.name, err)
			}
			continue
		}
		if err != nil || got.Status != s.want {
			t.Fatalf("%s: %v %v, want %s", s.name, got.Status, err, s.want)
		}
	}
	if b := e.invariants(t, e.sku, e.whs); b.OnHand != 6 || b.Available != 6 || b.Picked != 0 {
		t.Errorf("after shipping 4 of 10: %+v", b)
	}

	// Cancel gives stock back.
	c, _ := e.order(e.op, "life-2", wh.OrderLine{SKUID: e.sku, Quantity: 5})
	if _, err := e.svc.CancelFulfilmentOrder(e.op, c.ID); err != nil {
		t.Fatal(err)
	}
	if b := e.invariants(t, e.sku, e.whs); b.Available != 6 || b.Reserved != 0 {
		t.Errorf("after a cancellation: %+v", b)
	}

	// Backorders: two orders short, stock arrives for the older one only.
	old, _ := e.order(e.op, "life-old", wh.OrderLine{SKUID: e.sku, Quantity: 8})
	young, _ := e.order(e.op, "life-young", wh.OrderLine{SKUID: e.sku, Quantity: 2})
	if old.Status != wh.OrderBackordered || young.Status != wh.OrderReserved {
		t.Fatalf("old %s young %s; want BACKORDERED and RESERVED", old.Status, young.Status)
	}
	young2, _ := e.order(e.op, "life-young2", wh.OrderLine{SKUID: e.sku, Quantity: 4})
	if young2.Status != wh.OrderReserved {
		t.Fatalf("young2 %s", young2.Status)
	}
	more, _ := e.order(e.op, "life-more", wh.OrderLine{SKUID: e.sku, Quantity: 1})
	e.stock(t, e.sku, 8)
	for id, want := range map[string]wh.OrderStatus{old.ID: wh.OrderReserved, more.ID: wh.OrderBackordered} {
		got, _ := e.svc.FulfilmentOrder(e.op, id)
		if got.Status != want {
			t.Errorf("after stock arrived, order %s is %s, want %s", id, got.Status, want)
		}
	}
	e.invariants(t, e.sku, e.whs)
}

func TestReceivingDiscrepanciesTransfersAndReturns(t *testing.T) {
	e := newEnv(t)
	r, err := e.svc.CreateReceipt(e.op, wh.ReceiptInput{AccountID: e.acct, WarehouseID: e.whs,
		Lines: []wh.ReceiptLine{{SKUID: e.sku, Expected: 10}, {SKUID: e.lotSKU, Expected: 5}}})
	if err != nil {
		t.Fatal(err)
	}
	if r.HasDiscrepancy() {
		t.Error("an expected receipt reports a discrepancy before anything arrived")
	}
	r, err = e.svc.ReceiveReceipt(e.op, r.ID, []wh.ReceiveLine{{SKUID: e.sku, Received: 8, Damaged: 1}, {SKUID: e.lotSKU, Received: 6, Lot: "B7"}})
	if err != nil {
		t.Fatal(err)
	}
	if !r.HasDiscrepancy() || r.Lines[0].Short() != 1 || r.Lines[1].Over() != 1 {
		t.Errorf("discrepancies: %+v", r.Lines)
	}
	var ev bson.M
	if err := e.db.Collection("receipts").FindOne(context.Background(), bson.M{"outbox.type": "receipt.discrepancy"}).Decode(&ev); err != nil {
		t.Errorf("no receipt.discrepancy event: %v", err)
	}
	if b := e.invariants(t, e.sku, e.whs); b.AwaitingPutaway != 8 || b.Damaged != 1 || b.Available != 0 {
		t.Errorf("after receiving: %+v", b)
	}
	if _, err := e.svc.PutawayReceipt(e.op, r.ID); err != nil {
		t.Fatal(err)
	}
	tr, err := e.svc.CreateTransfer(e.op, wh.TransferInput{AccountID: e.acct, FromWarehouseID: e.whs, ToWarehouseID: e.whs2,
		Lines: []wh.TransferLine{{SKUID: e.sku, Quantity: 3}, {SKUID: e.lotSKU, Quantity: 100}}})
	if codeOf(err) != "INSUFFICIENT_STOCK" {
		t.Fatalf("short transfer: %v %v", tr, err)
	}
	if b := e.invariants(t, e.sku, e.whs); b.Available != 8 || b.InTransferOut != 0 {
		t.Errorf("a refused transfer left %+v", b)
	}
	tr, err = e.svc.CreateTransfer(e.op, wh.TransferInput{AccountID: e.acct, FromWarehouseID: e.whs, ToWarehouseID: e.whs2,
		Lines: []wh.TransferLine{{SKUID: e.sku, Quantity: 3}}})
	if err != nil {
		t.Fatal(err)
	}
	if b := e.invariants(t, e.sku, e.whs2); b.InTransferIn != 3 {
		t.Errorf("destination in transit: %+v", b)
	}
	if _, err := e.svc.ReceiveTransfer(e.op, tr.ID); err != nil {
		t.Fatal(err)
	}
	if b := e.invariants(t, e.sku, e.whs2); b.Available != 3 || b.InTransferIn != 0 {
		t.Errorf("destination after: %+v", b)
	}
	if b := e.invariants(t, e.sku, e.whs); b.Available != 5 || b.InTransferOut != 0 {
		t.Errorf("source after: %+v", b)
	}
	rma, err := e.svc.CreateReturn(e.op, wh.ReturnInput{AccountID: e.acct, WarehouseID: e.whs, Reason: "wrong colour",
		Lines: []wh.ReturnLine{{SKUID: e.sku, Quantity: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ResolveReturn(e.op, rma.ID, true); codeOf(err) != "INVALID_TRANSITION" {
		t.Errorf("restock before receiving: %v", err)
	}
	if _, err := e.svc.ReceiveReturn(e.op, rma.ID, []int64{2}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ResolveReturn(e.op, rma.ID, true); err != nil {
		t.Fatal(err)
	}
	if b := e.invariants(t, e.sku, e.whs); b.Available != 7 {
		t.Errorf("after restocking a return: %+v", b)
	}
	if _, err := e.svc.CountInventory(e.accountAdmn, wh.CountInput{SKUID: e.sku, WarehouseID: e.whs, Counted: 6}); err != nil {
		t.Fatal(err)
	}
	if b := e.invariants(t, e.sku, e.whs); b.OnHand != 6 || b.Available != 6 {
		t.Errorf("after a count of 6: %+v", b)
	}
	// A low-stock event was raised once available fell below the reorder point of 10.
	n, _ := e.db.Collection("inventory_balances").CountDocuments(context.Background(), bson.M{"outbox.type": "inventory.low_stock"})
	if n == 0 {
		t.Error("no inventory.low_stock event")
	}
	k, _ := e.svc.SKU(e.op, e.sku)
	bals, _ := e.svc.BalancesOfSKUs(context.Background(), []string{e.sku})
	if s := wh.SuggestedReorders(k, bals[e.sku]); len(s) != 1 || s[0].Quantity != 50 {
		t.Errorf("suggested reorders: %+v", s)
	}
}

// A storage snapshot bills cubic metres and pallets per account and warehouse, once per day.
func TestStorageSnapshotAndUsage(t *testing.T) {
	e := newEnv(t)
	e.stock(t, e.sku, 100) // 100 × 0.3 × 0.2 × 0.1 m = 0.6 m³: one pallet
	day := e.clock.Now()
	for run := range 2 {
		snaps, err := e.svc.SnapshotStorage(context.Background(), day)
		if err != nil {
			t.Fatal(err)
		}
		if len(snaps) != 1 || snaps[0].CubicMetres != 600_000 || snaps[0].Pallets != 1 || snaps[0].Units != int64(100*(run+1)) ||
			snaps[0].AlreadyRecorded != (run == 1) {
			t.Fatalf("run %d: snapshot %+v", run, snaps)
		}
		e.stock(t, e.sku, 100) // more stock later that day does not change the day's bill
	}
	if _, err := e.svc.RunStorageSnapshot(e.op, day); codeOf(err) != "NOT_FOUND" {
		t.Errorf("an operator ran the snapshot: %v", err)
	}
	totals, err := e.svc.UsageTotals(e.viewer, e.acct, day.Add(-24*time.Hour), day.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tot := range totals {
		got[tot.Code] = tot.Quantity.String()
	}
	want := map[string]string{"receiving.unit": "300", "storage.cubic_metre_day": "0.6", "storage.pallet_day": "1"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("usage %s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	v, err := e.svc.InventoryValuation(e.viewer, e.acct)
	if err != nil || len(v.Totals) != 1 || v.Totals[0].String() != "7500.00 USD" {
		t.Errorf("valuation: %+v %v", v, err)
	}
	if _, err := e.svc.InventoryValuation(e.otherOp, e.acct); codeOf(err) != "NOT_FOUND" {
		t.Errorf("another account's valuation: %v", err)
	}
}

func TestSKUSearchByNameCodeOrBarcode(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.CreateSKU(e.op, wh.SKUInput{AccountID: e.acct, Code: "MUG-RED", Name: "Red enamel mug", Barcode: "4006381333931",
		HSCode: "6912.00", CountryOfOrigin: "CN", UnitValue: money.New(450, money.MustCurrency("USD"))})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		search string
		want   int
	}{{"enamel", 1}, {"mug-red", 1}, {"4006381333931", 1}, {"400638", 0}, {"nothing like it", 0}} {
		res, err := e.svc.SKUs(e.op, e.acct, wh.SKUFilter{Search: c.search}, cursor.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Items) != c.want {
			t.Errorf("search %q: %d SKUs, want %d", c.search, len(res.Items), c.want)
		}
	}
}

// A platform's batch: the valid orders are created once, the invalid ones get their own
// errors at input.orders.<i>, and sending the batch again creates nothing new.
func TestBulkOrderIntake(t *testing.T) {
	e := newEnv(t)
	e.stock(t, e.sku, 20)
	order := func(key string, qty int64) wh.OrderInput {
		return wh.OrderInput{WarehouseID: e.whs, IdempotencyKey: key, ServiceLevel: wh.Standard,
			Lines:  []wh.OrderLine{{SKUID: e.sku, Quantity: qty}},
			ShipTo: wh.ShipTo{Name: "Ana Buyer", Address: wh.Address{Line1: "5 Main St", City: "Austin", Country: "US"}}}
	}
	batch := []wh.OrderInput{order("shop-1001", 2), order("shop-1002", 0), order("shop-1003", 3)}
	first, err := e.svc.CreateFulfilmentOrders(e.op, e.acct, batch)
	if err != nil {
		t.Fatal(err)
	}
	if first[0].Err != nil || first[2].Err != nil || first[1].Err == nil {
		t.Fatalf("results: %+v", first)
	}
	if e, ok := errs.As(first[1].Err); !ok || strings.Join(e.Field, ".") != "input.orders.1.lines.0.quantity" {
		t.Errorf("refusal field: %v", first[1].Err)
	}
	again, err := e.svc.CreateFulfilmentOrders(e.op, e.acct, batch)
	if err != nil {
		t.Fatal(err)
	}
	if again[0].Order.ID != first[0].Order.ID || again[2].Order.ID != first[2].Order.ID {
		t.Error("resending the batch created new orders")
	}
	if b := e.balance(t, e.sku, e.whs); b.Reserved != 5 {
		t.Errorf("reserved = %d, want 5 (2 + 3, once)", b.Reserved)
	}
	if _, err := e.svc.CreateFulfilmentOrders(e.op, e.acct, make([]wh.OrderInput, wh.MaxBulkOrders+1)); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("oversized batch: %v", err)
	}
	if _, err := e.svc.CreateFulfilmentOrders(e.op, e.acct, nil); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("empty batch: %v", err)
	}
}

package events_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/internal/mongodb/mongotest"
	"github.com/tradehub/tradehub/services/events"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Run(m)) }

var t0 = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

// adjusted is the payload of the test domain's "inventory.adjusted" event.
type adjusted struct {
	Delta int64 `bson:"delta"`
	N     int64 `bson:"n"` // the sku's change counter after this change
}

type fixture struct {
	db    *mongo.Database
	clk   *clock.Fake
	relay *events.Relay
	feed  *events.Feed
	skus  *mongo.Collection
}

func setup(t *testing.T) fixture {
	t.Helper()
	db := mongotest.DB(t)
	clk := clock.NewFake(t0)
	r := events.NewRelay(db, clk, nil, "skus", "orders")
	if err := mongodb.EnsureIndexes(context.Background(), db, append(events.Indexes(), r.OutboxIndexes()...)...); err != nil {
		t.Fatal(err)
	}
	return fixture{db: db, clk: clk, relay: r, feed: events.NewFeed(db, clk), skus: db.Collection("skus")}
}

var errNotEnoughStock = errors.New("not enough stock")

// adjust is what a domain service does: a guarded state change and its event, in one update.
func (f fixture) adjust(t *testing.T, account, sku string, delta int64) (events.OutboxEntry, error) {
	t.Helper()
	ctx := context.Background()
	entry, err := events.New(events.Draft{
		AccountID: account, Type: "inventory.adjusted", ObjectID: sku, Actor: "usr_01jq3v8k2m5x7c9d0e4f6g8h1j",
		OccurredAt: f.clk.Now(), Data: adjusted{Delta: delta},
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.skus.UpdateOne(ctx,
		bson.M{"_id": sku, "accountId": account, "onHand": bson.M{"$gte": -delta}},
		bson.D{{Key: "$inc", Value: bson.M{"onHand": delta}}, events.Push(entry)})
	if err != nil {
		t.Fatal(err)
	}
	if res.MatchedCount == 0 {
		return events.OutboxEntry{}, errNotEnoughStock
	}
	return entry, nil
}

func (f fixture) newSKU(t *testing.T, account string, onHand int64) string {
	t.Helper()
	id := ids.New(ids.SKU)
	if _, err := f.skus.InsertOne(context.Background(), bson.M{"_id": id, "accountId": account, "onHand": onHand, "n": 0}); err != nil {
		t.Fatal(err)
	}
	return id
}

func (f fixture) list(t *testing.T, account string) []events.Event {
	t.Helper()
	evs, err := f.feed.List(context.Background(), account, 0, nil, events.MaxListLimit)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func (f fixture) flush(t *testing.T) {
	t.Helper()
	if err := f.relay.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func pendingIn(t *testing.T, coll *mongo.Collection) int {
	t.Helper()
	cur, err := coll.Find(context.Background(), bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	var docs []struct {
		Outbox []bson.Raw `bson:"outbox"`
	}
	if err := cur.All(context.Background(), &docs); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range docs {
		n += len(d.Outbox)
	}
	return n
}

func seqs(evs []events.Event) []int64 {
	out := make([]int64, len(evs))
	for i, e := range evs {
		out[i] = e.Seq
	}
	return out
}

func TestNew(t *testing.T) {
	acct := ids.New(ids.Account)
	valid := events.Draft{AccountID: acct, Type: "inventory.adjusted", ObjectID: "sku_x", OccurredAt: t0}
	with := func(change func(*events.Draft)) events.Draft {
		d := valid
		change(&d)
		return d
	}
	tests := []struct {
		name  string
		draft events.Draft
		ok    bool
	}{
		{"OK", valid, true},
		{"OKWithVersionActorAndData", with(func(d *events.Draft) {
			d.Version, d.Actor, d.Data = 3, "usr_x", bson.M{"a": 1}
		}), true},
		{"OKRawData", with(func(d *events.Draft) { d.Data = bson.Raw(must(bson.Marshal(bson.M{"a": 1}))) }), true},
		{"NoAccount", with(func(d *events.Draft) { d.AccountID = "" }), false},
		{"AccountIsNotAnAccountID", with(func(d *events.Draft) { d.AccountID = ids.New(ids.SKU) }), false},
		{"NoType", with(func(d *events.Draft) { d.Type = "" }), false},
		{"TypeOneWord", with(func(d *events.Draft) { d.Type = "adjusted" }), false},
		{"TypeUpperCase", with(func(d *events.Draft) { d.Type = "Inventory.Adjusted" }), false},
		{"TypeTooLong", with(func(d *events.Draft) { d.Type = "a." + strings.Repeat("b", 63) }), false},
		{"NegativeVersion", with(func(d *events.Draft) { d.Version = -1 }), false},
		{"NoObject", with(func(d *events.Draft) { d.ObjectID = "" }), false},
		{"ActorTooLong", with(func(d *events.Draft) { d.Actor = strings.Repeat("u", 65) }), false},
		{"NoTime", with(func(d *events.Draft) { d.OccurredAt = time.Time{} }), false},
		{"DataNotADocument", with(func(d *events.Draft) { d.Data = 42 }), false},
		{"DataBadRaw", with(func(d *events.Draft) { d.Data = bson.Raw{1, 2, 3} }), false},
		{"DataTooLarge", with(func(d *events.Draft) {
			d.Data = bson.M{"s": strings.Repeat("x", events.MaxDataSize)}
		}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := events.New(tt.draft)
			if !tt.ok {
				if got := errs.CodeOf(err); got != errs.Internal {
					t.Fatalf("New: code %q (%v), want INTERNAL", got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if !ids.HasPrefix(e.ID(), ids.Event) || e.Event().ID != e.ID() {
				t.Errorf("id %q, want an evt_ id", e.ID())
			}
			if e.Event().Version < 1 || e.Event().Seq != 0 {
				t.Errorf("version %d seq %d, want ≥ 1 and 0", e.Event().Version, e.Event().Seq)
			}
		})
	}
}

func TestNewDefaultsAndCopiesData(t *testing.T) {
	data := map[string]any{"delta": int64(-3)}
	local := time.Date(2026, 11, 20, 10, 0, 0, 123456789, time.FixedZone("CET", 3600))
	e, err := events.New(events.Draft{
		AccountID: ids.New(ids.Account), Type: "inventory.adjusted", ObjectID: "sku_x", OccurredAt: local, Data: data,
	})
	if err != nil {
		t.Fatal(err)
	}
	data["delta"] = int64(99) // a later change must not reach the event
	ev := e.Event()
	var got adjusted
	if err := ev.DecodeData(&got); err != nil {
		t.Fatal(err)
	}
	if got.Delta != -3 {
		t.Errorf("data delta = %d, want -3", got.Delta)
	}
	if ev.Version != 1 {
		t.Errorf("version = %d, want 1", ev.Version)
	}
	if want := time.Date(2026, 11, 20, 9, 0, 0, 123000000, time.UTC); !ev.OccurredAt.Equal(want) || ev.OccurredAt.Location() != time.UTC {
		t.Errorf("occurredAt = %v, want %v", ev.OccurredAt, want)
	}
	if j, err := ev.DataJSON(); err != nil || string(j) != `{"delta":-3}` {
		t.Errorf("DataJSON = %s, %v", j, err)
	}

	empty, err := events.New(events.Draft{AccountID: ids.New(ids.Account), Type: "a.b", ObjectID: "x", OccurredAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	if j, _ := empty.Event().DataJSON(); string(j) != `{}` {
		t.Errorf("nil data = %s, want {}", j)
	}
}

// The heart of the outbox: the change and its event are one write, and the relay turns the
// entries into numbered events in order.
func TestStateChangeAndEventInOneWrite(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	acct := ids.New(ids.Account)
	sku := f.newSKU(t, acct, 10)

	var want []string
	for _, delta := range []int64{-3, 5, -4} {
		e, err := f.adjust(t, acct, sku, delta)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, e.ID())
	}
	// A refused change writes no event either.
	if _, err := f.adjust(t, acct, sku, -100); !errors.Is(err, errNotEnoughStock) {
		t.Fatalf("adjust -100: %v, want not enough stock", err)
	}
	if n := pendingIn(t, f.skus); n != 3 {
		t.Fatalf("pending entries = %d, want 3", n)
	}
	if evs := f.list(t, acct); len(evs) != 0 {
		t.Fatalf("feed before flush has %d events", len(evs))
	}

	f.clk.Advance(time.Second)
	f.flush(t)

	evs := f.list(t, acct)
	if got := seqs(evs); !reflect.DeepEqual(got, []int64{1, 2, 3}) {
		t.Fatalf("seqs = %v, want [1 2 3]", got)
	}
	var deltas []int64
	for i, ev := range evs {
		if ev.ID != want[i] || ev.AccountID != acct || ev.ObjectID != sku || ev.Type != "inventory.adjusted" ||
			ev.Version != 1 || ev.Actor == "" || !ev.OccurredAt.Equal(t0) || !ev.RelayedAt.Equal(t0.Add(time.Second)) {
			t.Errorf("event %d = %+v", i, ev)
		}
		var d adjusted
		if err := ev.DecodeData(&d); err != nil {
			t.Fatal(err)
		}
		deltas = append(deltas, d.Delta)
	}
	if !reflect.DeepEqual(deltas, []int64{-3, 5, -4}) {
		t.Errorf("deltas = %v, want [-3 5 -4]", deltas)
	}
	if n := pendingIn(t, f.skus); n != 0 {
		t.Errorf("pending entries after flush = %d, want 0", n)
	}
	var sku1 struct{ OnHand int64 }
	if err := f.skus.FindOne(ctx, bson.M{"_id": sku}).Decode(&sku1); err != nil || sku1.OnHand != 8 {
		t.Errorf("onHand = %d (%v), want 8", sku1.OnHand, err)
	}

	// Flushing again, or a second relay process finding nothing, adds nothing.
	f.flush(t)
	f.flush(t)
	if got := seqs(f.list(t, acct)); !reflect.DeepEqual(got, []int64{1, 2, 3}) {
		t.Fatalf("after more flushes seqs = %v, want [1 2 3]", got)
	}

	// Numbering goes on from the counter.
	if _, err := f.adjust(t, acct, sku, 1); err != nil {
		t.Fatal(err)
	}
	f.flush(t)
	if got := seqs(f.list(t, acct)); !reflect.DeepEqual(got, []int64{1, 2, 3, 4}) {
		t.Fatalf("seqs = %v, want [1 2 3 4]", got)
	}
}

// A domain that creates a document may put its first events in the insert.
func TestEntriesInAnInsertedDocument(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	acct := ids.New(ids.Account)
	orderID := ids.New(ids.Order)
	created, err := events.New(events.Draft{AccountID: acct, Type: "order.created", ObjectID: orderID, OccurredAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	type orderDoc struct {
		ID        string               `bson:"_id"`
		AccountID string               `bson:"accountId"`
		Outbox    []events.OutboxEntry `bson:"outbox"`
	}
	if _, err := f.db.Collection("orders").InsertOne(ctx, orderDoc{ID: orderID, AccountID: acct, Outbox: []events.OutboxEntry{created}}); err != nil {
		t.Fatal(err)
	}
	// Reading the document back with its outbox works too.
	var back orderDoc
	if err := f.db.Collection("orders").FindOne(ctx, bson.M{"_id": orderID}).Decode(&back); err != nil {
		t.Fatal(err)
	}
	if len(back.Outbox) != 1 || !reflect.DeepEqual(back.Outbox[0].Event(), created.Event()) {
		t.Fatalf("outbox read back = %+v, want %+v", back.Outbox, created.Event())
	}
	// The zero entry is refused, rather than stored as an event without id.
	if _, err := f.db.Collection("orders").InsertOne(ctx, orderDoc{ID: "ord_2", AccountID: acct, Outbox: []events.OutboxEntry{{}}}); err == nil {
		t.Error("inserting a zero OutboxEntry succeeded")
	}

	f.flush(t)
	evs := f.list(t, acct)
	if len(evs) != 1 || evs[0].ID != created.ID() || evs[0].Seq != 1 {
		t.Fatalf("feed = %+v, want order.created with seq 1", evs)
	}
}

func TestDrainedGuardsDeletes(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	acct := ids.New(ids.Account)
	sku := f.newSKU(t, acct, 1)
	if _, err := f.adjust(t, acct, sku, -1); err != nil {
		t.Fatal(err)
	}
	del := func() int64 {
		res, err := f.skus.DeleteOne(ctx, bson.D{{Key: "_id", Value: sku}, events.Drained()})
		if err != nil {
			t.Fatal(err)
		}
		return res.DeletedCount
	}
	if n := del(); n != 0 {
		t.Fatal("deleted a document with a pending event")
	}
	f.flush(t)
	if n := del(); n != 1 {
		t.Fatal("did not delete a drained document")
	}
	if len(f.list(t, acct)) != 1 {
		t.Error("event lost")
	}
}

// Writers push entries onto the documents of two accounts while two goroutines flush: every
// event lands once, numbers are unique and increasing per account, and each document's events
// keep their order.
func TestConcurrentWritersAndFlushes(t *testing.T) {
	f := setup(t)
	accounts := []string{ids.New(ids.Account), ids.New(ids.Account)}
	var skus []string
	owner := map[string]string{}
	for _, a := range accounts {
		for range 3 {
			s := f.newSKU(t, a, 0)
			skus = append(skus, s)
			owner[s] = a
		}
	}
	const writers, writesEach = 4, 25
	writes := writeConcurrently(t, f, skus, owner, writers, writesEach, func(ctx context.Context) {
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					if err := f.relay.Flush(context.Background()); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
	})
	f.flush(t)
	checkFeed(t, f, accounts, owner, writes)
}

// writeConcurrently runs writers that each make writesEach changes to random skus, while during
// runs; it returns the ids of the entries written. Each change bumps the sku's counter n with an
// optimistic guard and carries the new n in its event, so the feed can be checked for order.
func writeConcurrently(t *testing.T, f fixture, skus []string, owner map[string]string, writers, writesEach int, during func(context.Context)) map[string]bool {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	duringDone := make(chan struct{})
	go func() { during(ctx); close(duringDone) }()

	var mu sync.Mutex
	written := map[string]bool{}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(w), 7))
			for range writesEach {
				sku := skus[rnd.IntN(len(skus))]
				id, err := bump(f, owner[sku], sku)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				written[id] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	stop()
	<-duringDone
	return written
}

func bump(f fixture, account, sku string) (string, error) {
	ctx := context.Background()
	for {
		var cur struct{ N int64 }
		if err := f.skus.FindOne(ctx, bson.M{"_id": sku}).Decode(&cur); err != nil {
			return "", err
		}
		e, err := events.New(events.Draft{AccountID: account, Type: "inventory.adjusted", ObjectID: sku,
			OccurredAt: f.clk.Now(), Data: adjusted{Delta: 1, N: cur.N + 1}})
		if err != nil {
			return "", err
		}
		res, err := f.skus.UpdateOne(ctx, bson.M{"_id": sku, "n": cur.N},
			bson.D{{Key: "$inc", Value: bson.M{"n": 1, "onHand": 1}}, events.Push(e)})
		if err != nil {
			return "", err
		}
		if res.MatchedCount == 1 {
			return e.ID(), nil
		}
	}
}

func checkFeed(t *testing.T, f fixture, accounts []string, owner map[string]string, written map[string]bool) {
	t.Helper()
	if n := pendingIn(t, f.skus); n != 0 {
		t.Errorf("%d entries still pending", n)
	}
	seen := map[string]bool{}
	lastN := map[string]int64{}
	for _, a := range accounts {
		var prev int64
		for _, ev := range f.list(t, a) {
			if seen[ev.ID] {
				t.Errorf("event %s twice", ev.ID)
			}
			seen[ev.ID] = true
			if !written[ev.ID] {
				t.Errorf("event %s was never written", ev.ID)
			}
			if ev.Seq <= prev {
				t.Errorf("account %s: seq %d after %d", a, ev.Seq, prev)
			}
			prev = ev.Seq
			if owner[ev.ObjectID] != a || ev.AccountID != a {
				t.Errorf("event %s of %s in the feed of %s", ev.ID, ev.AccountID, a)
			}
			var d adjusted
			if err := ev.DecodeData(&d); err != nil {
				t.Fatal(err)
			}
			if d.N != lastN[ev.ObjectID]+1 {
				t.Errorf("sku %s: change %d after %d: order lost", ev.ObjectID, d.N, lastN[ev.ObjectID])
			}
			lastN[ev.ObjectID] = d.N
		}
	}
	if len(seen) != len(written) {
		t.Errorf("feed has %d events, %d were written", len(seen), len(written))
	}
}

// An entry that was not written by New stops its document's outbox there (so order holds),
// and the other documents go on.
func TestMalformedEntryStopsOnlyItsDocument(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	acct := ids.New(ids.Account)
	bad, good := f.newSKU(t, acct, 0), f.newSKU(t, acct, 0)
	if _, err := f.skus.UpdateOne(ctx, bson.M{"_id": bad}, bson.M{"$push": bson.M{"outbox": bson.M{"id": "evt_junk"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.adjust(t, acct, bad, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := f.adjust(t, acct, good, 1); err != nil {
		t.Fatal(err)
	}
	if err := f.relay.Flush(ctx); err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("Flush = %v, want an error naming %s", err, bad)
	}
	evs := f.list(t, acct)
	if len(evs) != 1 || evs[0].ObjectID != good {
		t.Fatalf("feed = %+v, want only the event of %s", evs, good)
	}
	if n := pendingIn(t, f.skus); n != 2 {
		t.Errorf("pending = %d, want the junk entry and the one after it", n)
	}
}

func TestList(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	acct, other := ids.New(ids.Account), ids.New(ids.Account)
	order := ids.New(ids.Order)
	var entries []events.OutboxEntry
	for _, typ := range []string{"order.created", "order.line_added", "order.line_added", "order.shipped"} {
		e, err := events.New(events.Draft{AccountID: acct, Type: typ, ObjectID: order, OccurredAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e)
	}
	oe, err := events.New(events.Draft{AccountID: other, Type: "order.created", ObjectID: ids.New(ids.Order), OccurredAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	orders := f.db.Collection("orders")
	if _, err := orders.InsertMany(ctx, []any{
		bson.M{"_id": order, "accountId": acct, "outbox": entries},
		bson.M{"_id": oe.Event().ObjectID, "accountId": other, "outbox": []events.OutboxEntry{oe}},
	}); err != nil {
		t.Fatal(err)
	}
	f.flush(t)

	tests := []struct {
		name     string
		account  string
		after    int64
		types    []string
		limit    int
		wantSeqs []int64
	}{
		{"All", acct, 0, nil, 10, []int64{1, 2, 3, 4}},
		{"After", acct, 2, nil, 10, []int64{3, 4}},
		{"AfterTheEnd", acct, 4, nil, 10, []int64{}},
		{"Limit", acct, 0, nil, 2, []int64{1, 2}},
		{"OneType", acct, 0, []string{"order.line_added"}, 10, []int64{2, 3}},
		{"TwoTypesAfter", acct, 2, []string{"order.created", "order.shipped"}, 10, []int64{4}},
		{"UnknownType", acct, 0, []string{"order.cancelled"}, 10, []int64{}},
		{"OtherAccount", other, 0, nil, 10, []int64{1}},
		{"NoEvents", ids.New(ids.Account), 0, nil, 10, []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := f.feed.List(ctx, tt.account, tt.after, tt.types, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if got := seqs(evs); !reflect.DeepEqual(got, tt.wantSeqs) {
				t.Errorf("seqs = %v, want %v", got, tt.wantSeqs)
			}
			for _, ev := range evs {
				if ev.AccountID != tt.account {
					t.Errorf("event of %s listed for %s", ev.AccountID, tt.account)
				}
			}
		})
	}

	bad := []struct {
		name    string
		account string
		after   int64
		types   []string
		limit   int
		field   string
	}{
		{"ErrAccountMissing", "", 0, nil, 10, "accountId"},
		{"ErrAccountNotAnAccount", order, 0, nil, 10, "accountId"},
		{"ErrNegativeAfter", acct, -1, nil, 10, "afterSeq"},
		{"ErrZeroLimit", acct, 0, nil, 0, "limit"},
		{"ErrLimitTooLarge", acct, 0, nil, events.MaxListLimit + 1, "limit"},
		{"ErrMalformedType", acct, 0, []string{"order.created", "Order Created"}, 10, "types.1"},
		{"ErrTooManyTypes", acct, 0, make([]string, 51), 10, "types"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.feed.List(ctx, tt.account, tt.after, tt.types, tt.limit)
			e, ok := errs.As(err)
			if !ok || e.Code != errs.Invalid || strings.Join(e.Field, ".") != tt.field {
				t.Fatalf("List = %v, want INVALID at %s", err, tt.field)
			}
		})
	}
}

func TestSweep(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	acct := ids.New(ids.Account)
	sku := f.newSKU(t, acct, 0)
	relayAt := func(at time.Time) {
		f.clk.Set(at)
		if _, err := f.adjust(t, acct, sku, 1); err != nil {
			t.Fatal(err)
		}
		f.flush(t)
	}
	relayAt(t0)                          // seq 1: old
	relayAt(t0.Add(24 * time.Hour))      // seq 2: old
	relayAt(t0.Add(40 * 24 * time.Hour)) // seq 3: recent
	now := f.clk.Now()

	for _, tt := range []struct {
		name      string
		olderThan time.Time
	}{
		{"ErrZero", time.Time{}},
		{"ErrYoungerThanRetention", now.Add(-events.MinRetention + time.Millisecond)},
		{"ErrFuture", now.Add(time.Hour)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.feed.Sweep(ctx, tt.olderThan)
			if e, ok := errs.As(err); !ok || e.Code != errs.Invalid || strings.Join(e.Field, ".") != "olderThan" {
				t.Fatalf("Sweep = %v, want INVALID at olderThan", err)
			}
			if got := seqs(f.list(t, acct)); len(got) != 3 {
				t.Fatalf("refused sweep left %v", got)
			}
		})
	}

	n, err := f.feed.Sweep(ctx, now.Add(-events.MinRetention))
	if err != nil {
		t.Fatal(err)
	}
	if got := seqs(f.list(t, acct)); n != 2 || !reflect.DeepEqual(got, []int64{3}) {
		t.Fatalf("swept %d, left %v; want 2 and [3]", n, got)
	}
	// Numbering goes on after a sweep.
	relayAt(now)
	if got := seqs(f.list(t, acct)); !reflect.DeepEqual(got, []int64{3, 4}) {
		t.Fatalf("seqs = %v, want [3 4]", got)
	}
}

func TestSubscribe(t *testing.T) {
	f := setup(t)
	acct, other := ids.New(ids.Account), ids.New(ids.Account)
	sku, otherSKU := f.newSKU(t, acct, 0), f.newSKU(t, other, 0)

	// Relayed before the subscription: not delivered.
	if _, err := f.adjust(t, acct, sku, 1); err != nil {
		t.Fatal(err)
	}
	f.flush(t)
	f.clk.Advance(time.Second)

	ctx, stop := context.WithCancel(context.Background())
	runDone := make(chan error)
	go func() { runDone <- f.relay.Run(ctx) }()

	ch, cancel := f.relay.Subscribe(acct)
	kept, _ := f.relay.Subscribe(acct) // ended by Run's return
	var want []string
	for range 3 {
		e, err := f.adjust(t, acct, sku, 1)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, e.ID())
		if _, err := f.adjust(t, other, otherSKU, 1); err != nil {
			t.Fatal(err)
		}
		f.relay.Notify()
	}
	var got []string
	var prev int64 = 1
	for len(got) < len(want) {
		ev := receive(t, ch)
		if ev.AccountID != acct || ev.Seq <= prev {
			t.Fatalf("received %+v after seq %d", ev, prev)
		}
		prev = ev.Seq
		got = append(got, ev.ID)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("received %v, want %v", got, want)
	}

	cancel()
	cancel() // twice is fine
	if _, open := <-ch; open {
		t.Error("channel open after cancel")
	}

	stop()
	if err := <-runDone; err != nil {
		t.Fatalf("Run = %v", err)
	}
	for range want {
		receive(t, kept)
	}
	if _, open := <-kept; open {
		t.Error("channel open after Run returned")
	}
	late, _ := f.relay.Subscribe(acct)
	if _, open := <-late; open {
		t.Error("Subscribe after Run returned an open channel")
	}
}

func TestSlowSubscriberIsCutOff(t *testing.T) {
	f := setup(t)
	acct := ids.New(ids.Account)
	sku := f.newSKU(t, acct, 0)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	runDone := make(chan error)
	go func() { runDone <- f.relay.Run(ctx) }()

	slow, _ := f.relay.Subscribe(acct)
	fast, cancelFast := f.relay.Subscribe(acct)
	defer cancelFast()
	// The slow reader reads nothing: the first batch fills its buffer, the second cuts it off.
	// The fast reader gets everything, whatever the slow one does.
	for _, n := range []int{events.SubscriberBuffer, 10} {
		for range n {
			if _, err := f.adjust(t, acct, sku, 1); err != nil {
				t.Fatal(err)
			}
		}
		f.relay.Notify()
		for range n {
			receive(t, fast)
		}
	}
	got := 0
	for range slow {
		got++
	}
	if got != events.SubscriberBuffer || f.relay.CutSubscriptions() != 1 {
		t.Errorf("slow subscriber got %d events, cut %d; want %d and 1", got, f.relay.CutSubscriptions(), events.SubscriberBuffer)
	}
	stop()
	<-runDone
}

func receive(t *testing.T, ch <-chan events.Event) events.Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("subscription closed")
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10s")
	}
	panic("unreachable")
}

// Only one relay moves events at a time; another takes over when the lease lapses or is given
// up.
func TestLease(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	acct := ids.New(ids.Account)
	sku := f.newSKU(t, acct, 0)
	other := events.NewRelay(f.db, f.clk, nil, "skus")

	write := func() {
		if _, err := f.adjust(t, acct, sku, 1); err != nil {
			t.Fatal(err)
		}
	}
	write()
	f.flush(t) // f.relay holds the lease now
	write()
	if err := other.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := pendingIn(t, f.skus); n != 1 {
		t.Fatalf("second relay moved events while the first held the lease (pending %d)", n)
	}

	f.clk.Advance(events.LeaseTTL + time.Second)
	if err := other.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := pendingIn(t, f.skus); n != 0 {
		t.Fatalf("second relay did not take over a lapsed lease (pending %d)", n)
	}

	// A relay that stops cleanly hands over at once.
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- other.Run(runCtx) }()
	write()
	other.Notify()
	waitFor(t, func() bool { return pendingIn(t, f.skus) == 0 })
	stop()
	<-done
	third := events.NewRelay(f.db, f.clk, nil, "skus")
	write()
	if err := third.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := pendingIn(t, f.skus); n != 0 {
		t.Fatalf("lease not handed over after Run returned (pending %d)", n)
	}
	if got := seqs(f.list(t, acct)); !reflect.DeepEqual(got, []int64{1, 2, 3, 4}) {
		t.Errorf("seqs = %v, want [1 2 3 4]", got)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestNewRelayPanics(t *testing.T) {
	db := mongotest.DB(t)
	clk := clock.NewFake(t0)
	tests := []struct {
		name        string
		collections []string
	}{
		{"None", nil},
		{"Empty", []string{""}},
		{"Repeated", []string{"skus", "orders", "skus"}},
		{"Events", []string{events.Collection}},
		{"Counters", []string{events.CountersCollection}},
		{"Lease", []string{events.LeaseCollection}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			events.NewRelay(db, clk, nil, tt.collections...)
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprint(err))
	}
	return v
}

func TestNotifierForPanicsOnAnUnwatchedCollection(t *testing.T) {
	f := setup(t)
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	f.relay.NotifierFor("invoices")
}

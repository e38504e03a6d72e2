package events

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/internal/mongodb/mongotest"
)

// The relay stopped after inserting an event and before pulling its entry: the next flush
// recognises the event, pulls the entry, and writes each event exactly once, in order.
func TestFlushAfterCrashBetweenInsertAndPull(t *testing.T) {
	db := mongotest.DB(t)
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
	r := NewRelay(db, clk, nil, "skus")
	if err := mongodb.EnsureIndexes(ctx, db, append(Indexes(), r.OutboxIndexes()...)...); err != nil {
		t.Fatal(err)
	}
	acct, sku := ids.New(ids.Account), ids.New(ids.SKU)
	var entries []OutboxEntry
	for range 2 {
		e, err := New(Draft{AccountID: acct, Type: "inventory.adjusted", ObjectID: sku, OccurredAt: clk.Now()})
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e)
	}
	skus := db.Collection("skus")
	if _, err := skus.InsertOne(ctx, bson.M{"_id": sku, "accountId": acct, OutboxField: entries}); err != nil {
		t.Fatal(err)
	}
	// The half-done relay: the first event is in the feed, both entries are still pending.
	if err := r.relayEvent(ctx, entries[0].Event()); err != nil {
		t.Fatal(err)
	}

	for range 2 {
		if err := r.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := NewFeed(db, clk).List(ctx, acct, 0, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	var gotIDs []string
	for _, ev := range evs {
		gotIDs = append(gotIDs, ev.ID)
	}
	if want := []string{entries[0].ID(), entries[1].ID()}; !reflect.DeepEqual(gotIDs, want) {
		t.Fatalf("feed = %v, want %v", gotIDs, want)
	}
	// Seq 2 went to the replay of the first event and is not used: a documented gap.
	if evs[0].Seq != 1 || evs[1].Seq != 3 {
		t.Errorf("seqs = %d, %d; want 1, 3", evs[0].Seq, evs[1].Seq)
	}
	if n, err := skus.CountDocuments(ctx, bson.D{{Key: OutboxField + ".0", Value: bson.M{"$exists": true}}}); err != nil || n != 0 {
		t.Errorf("documents with pending entries = %d (%v), want 0", n, err)
	}
}

// Exactly-once and per-document order do not depend on the lease: two relays that both believe
// they hold it (one stalled past LeaseTTL, say) and flush the same outboxes at once still write
// each event once, in its document's order.
func TestTwoMoversAtOnceStillWriteEachEventOnce(t *testing.T) {
	db := mongotest.DB(t)
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
	a := NewRelay(db, clk, nil, "skus")
	b := NewRelay(db, clk, nil, "skus")
	b.owner = a.owner // both pass the lease
	if err := mongodb.EnsureIndexes(ctx, db, append(Indexes(), a.OutboxIndexes()...)...); err != nil {
		t.Fatal(err)
	}
	skus := db.Collection("skus")
	accounts := []string{ids.New(ids.Account), ids.New(ids.Account)}
	type item struct{ account, sku string }
	var items []item
	for _, acct := range accounts {
		for range 3 {
			it := item{acct, ids.New(ids.SKU)}
			items = append(items, it)
			var entries []OutboxEntry
			for n := range 10 {
				e, err := New(Draft{AccountID: acct, Type: "inventory.adjusted", ObjectID: it.sku,
					OccurredAt: clk.Now(), Data: bson.M{"n": n}})
				if err != nil {
					t.Fatal(err)
				}
				entries = append(entries, e)
			}
			if _, err := skus.InsertOne(ctx, bson.M{"_id": it.sku, "accountId": acct, OutboxField: entries}); err != nil {
				t.Fatal(err)
			}
		}
	}

	var wg sync.WaitGroup
	for _, r := range []*Relay{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.Flush(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()

	feed := NewFeed(db, clk)
	total := 0
	for _, acct := range accounts {
		evs, err := feed.List(ctx, acct, 0, nil, MaxListLimit)
		if err != nil {
			t.Fatal(err)
		}
		total += len(evs)
		next := map[string]int32{}
		seen := map[string]bool{}
		for _, ev := range evs {
			if seen[ev.ID] {
				t.Errorf("event %s twice", ev.ID)
			}
			seen[ev.ID] = true
			n := ev.Data.Lookup("n").Int32()
			if n != next[ev.ObjectID] {
				t.Errorf("sku %s: event %d where %d was due", ev.ObjectID, n, next[ev.ObjectID])
			}
			next[ev.ObjectID] = n + 1
		}
	}
	if total != len(items)*10 {
		t.Errorf("feed has %d events, want %d", total, len(items)*10)
	}
}

// What Run flushes next: on a notification, the collections notified since the last flush
// (a service's notifier names its own; the relay's Notify names all); on a tick, all of them.
func TestRunFlushesTheNotifiedCollections(t *testing.T) {
	r := NewRelay(mongotest.DB(t), clock.NewFake(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)), nil, "skus", "orders", "receipts")
	receipts, skus := r.NotifierFor("receipts"), r.NotifierFor("skus")
	steps := []struct {
		notify func()
		tick   bool
		want   []string
	}{
		{nil, false, nil},
		{receipts.Notify, false, []string{"receipts"}},
		{nil, false, nil}, // taken once
		{func() { receipts.Notify(); skus.Notify(); receipts.Notify() }, false, []string{"skus", "receipts"}},
		{r.Notify, false, []string{"skus", "orders", "receipts"}},
		{skus.Notify, true, []string{"skus", "orders", "receipts"}},
		{nil, false, nil}, // the tick took the notification too
	}
	for i, s := range steps {
		if s.notify != nil {
			s.notify()
		}
		if got := r.takeDirty(s.tick); !reflect.DeepEqual(got, s.want) {
			t.Errorf("step %d: flush %v, want %v", i, got, s.want)
		}
	}
}

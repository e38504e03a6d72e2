package usage_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/services/usage"
)

// Of many concurrent claimers of one record, exactly one wins; a billed (frozen) claim is never
// released, an unbilled one is.
func TestClaimReleaseFreeze(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	acct := ids.New(ids.Account)
	r, _, err := f.svc.Record(ctx, usage.Record{AccountID: acct, Category: usage.Warehousing, Code: "pickpack.order",
		Quantity: usage.Units(1), Unit: "order", OccurredAt: t0, SourceKey: "pickpack:1"})
	if err != nil {
		t.Fatal(err)
	}
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if n, err := f.svc.ClaimAll(ctx, acct, []string{r.ID}, ids.New(ids.Invoice)); err == nil && n == 1 {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d claimers won", wins.Load())
	}
	strays, _ := f.svc.StrayInvoices(ctx, acct)
	if len(strays) != 1 {
		t.Fatalf("invoices with unbilled claims: %v, want the winner's", strays)
	}
	inv := strays[0]
	if n, _ := f.svc.Release(ctx, acct, ids.New(ids.Invoice)); n != 0 {
		t.Error("released another invoice's claim")
	}
	if n, _ := f.svc.Release(ctx, acct, inv); n != 1 {
		t.Error("unbilled claim not released")
	}
	if n, _ := f.svc.ClaimAll(ctx, acct, []string{r.ID}, inv); n != 1 {
		t.Fatal("reclaim")
	}
	if n, _ := f.svc.Freeze(ctx, acct, inv); n != 1 {
		t.Errorf("froze %d", n)
	}
	if n, _ := f.svc.Release(ctx, acct, inv); n != 0 {
		t.Error("a billed claim was released")
	}
	if strays, _ := f.svc.StrayInvoices(ctx, acct); len(strays) != 0 {
		t.Errorf("invoices with unbilled claims after the freeze: %v", strays)
	}
	if got, _ := f.svc.Claimed(ctx, acct, inv, true); len(got) != 1 {
		t.Errorf("billed %d", len(got))
	}
	if got, _ := f.svc.Unclaimed(ctx, acct, t0.AddDate(1, 0, 0)); len(got) != 0 {
		t.Errorf("unclaimed %d", len(got))
	}
}

// Windows cut a run's records into ranges of OccurredAt that cover every record before the end,
// hold about size records each, and never split records of one time.
func TestWindowsCoverEveryRecordInBoundedSlices(t *testing.T) {
	end := t0.AddDate(0, 1, 0)
	var times []time.Time
	for i := range 23 {
		times = append(times, t0.Add(time.Duration(i/2)*time.Hour)) // pairs of equal times
	}
	ws := usage.Windows(times, 5, end)
	if !ws[0].From.IsZero() || !ws[len(ws)-1].To.Equal(end) {
		t.Fatalf("windows %v: want the first unbounded below and the last ending at %v", ws, end)
	}
	for i := 1; i < len(ws); i++ {
		if !ws[i].From.Equal(ws[i-1].To) {
			t.Fatalf("windows %d and %d are not contiguous: %v", i-1, i, ws)
		}
	}
	for _, w := range ws {
		n := 0
		for _, at := range times {
			if (w.From.IsZero() || !at.Before(w.From)) && at.Before(w.To) {
				n++
			}
		}
		if n > 6 { // 5, plus the partner of a pair cut at the boundary
			t.Errorf("window %v holds %d records, want about 5", w, n)
		}
	}
	if got := usage.Windows(nil, 5, end); len(got) != 1 || !got[0].From.IsZero() || !got[0].To.Equal(end) {
		t.Errorf("no times: %v, want one window ending at %v", got, end)
	}
	if got := usage.Windows(times, 5, time.Time{}); !got[len(got)-1].To.IsZero() {
		t.Errorf("zero end: last window %v, want unbounded above", got[len(got)-1])
	}
}

// ClaimScope claims the unclaimed records of its codes, window and account that were stored by
// RecordedBy: not another code's, not another account's, not one stored after the run looked,
// not one another invoice holds.
func TestClaimScopeTakesOnlyItsScope(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	acct, other := ids.New(ids.Account), ids.New(ids.Account)
	rec := func(account, code, key string, at time.Time) usage.Record {
		return f.record(t, usage.Record{AccountID: account, Category: usage.Warehousing, Code: code,
			Quantity: usage.Units(1), Unit: "order", OccurredAt: at, SourceKey: key})
	}
	in1 := rec(acct, "pickpack.order", "a", t0.Add(time.Hour))
	in2 := rec(acct, "receiving.unit", "b", t0.Add(2*time.Hour))
	rec(acct, "returns.unit", "other-code", t0.Add(time.Hour))
	rec(acct, "pickpack.order", "outside-window", t0.AddDate(0, 1, 0))
	rec(other, "pickpack.order", "other-account", t0.Add(time.Hour))
	held := rec(acct, "pickpack.order", "held", t0.Add(3*time.Hour))
	if n, err := f.svc.ClaimAll(ctx, acct, []string{held.ID}, ids.New(ids.Invoice)); err != nil || n != 1 {
		t.Fatalf("claim held: %d, %v", n, err)
	}
	recordedBy := f.clk.Now()
	f.clk.Advance(time.Minute)
	rec(acct, "pickpack.order", "recorded-later", t0.Add(time.Hour))

	inv := ids.New(ids.Invoice)
	n, err := f.svc.ClaimScope(ctx, acct, usage.Scope{Codes: []string{"pickpack.order", "receiving.unit"},
		Window: usage.Window{To: t0.AddDate(0, 1, 0)}, RecordedBy: recordedBy}, inv)
	if err != nil || n != 2 {
		t.Fatalf("ClaimScope = %d, %v; want the 2 records in scope", n, err)
	}
	got, _ := f.svc.Claimed(ctx, acct, inv, false)
	if len(got) != 2 || got[0].ID != in1.ID || got[1].ID != in2.ID {
		t.Errorf("claimed %v, want %s and %s", got, in1.ID, in2.ID)
	}
	if n, _ := f.svc.ClaimScope(ctx, acct, usage.Scope{Codes: []string{"pickpack.order", "receiving.unit"},
		Window: usage.Window{To: t0.AddDate(0, 1, 0)}, RecordedBy: recordedBy}, ids.New(ids.Invoice)); n != 0 {
		t.Errorf("a second invoice claimed %d records already held", n)
	}
}

// Freeze marks every record of the invoice, across as many windows as it needs (three here).
func TestFreezeMarksEveryClaimedRecord(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	acct, inv := ids.New(ids.Account), ids.New(ids.Invoice)
	usage.SetFreezeWindow(f.svc, 10)
	n := 27
	docs := make([]any, n)
	for i := range n {
		docs[i] = bson.M{"_id": ids.New(ids.Usage), "accountId": acct, "category": string(usage.Warehousing), "code": "pickpack.order",
			"quantity": int64(1_000_000), "unit": "order", "occurredAt": t0.Add(time.Duration(i) * time.Minute),
			"sourceKey": fmt.Sprint("k", i), "invoiceId": inv, "createdAt": t0}
	}
	if _, err := f.coll.InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if got, err := f.svc.Freeze(ctx, acct, inv); err != nil || got != int64(n) {
		t.Fatalf("Freeze = %d, %v; want %d", got, err, n)
	}
	if got, _ := f.svc.Claimed(ctx, acct, inv, true); len(got) != n {
		t.Errorf("billed %d, want %d", len(got), n)
	}
	if got, err := f.svc.Freeze(ctx, acct, inv); err != nil || got != 0 {
		t.Errorf("second Freeze = %d, %v; want 0", got, err)
	}
}

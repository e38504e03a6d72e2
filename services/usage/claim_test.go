package usage_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

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
	strays, _ := f.svc.Strays(ctx, acct)
	if len(strays) != 1 {
		t.Fatalf("strays %d", len(strays))
	}
	inv := strays[0].InvoiceID
	if ok, _ := f.svc.Release(ctx, acct, r.ID, ids.New(ids.Invoice)); ok {
		t.Error("released another invoice's claim")
	}
	if ok, _ := f.svc.Release(ctx, acct, r.ID, inv); !ok {
		t.Error("unbilled claim not released")
	}
	if n, _ := f.svc.ClaimAll(ctx, acct, []string{r.ID}, inv); n != 1 {
		t.Fatal("reclaim")
	}
	if n, _ := f.svc.Freeze(ctx, acct, inv); n != 1 {
		t.Errorf("froze %d", n)
	}
	if ok, _ := f.svc.Release(ctx, acct, r.ID, inv); ok {
		t.Error("a billed claim was released")
	}
	if got, _ := f.svc.Claimed(ctx, acct, inv, true); len(got) != 1 {
		t.Errorf("billed %d", len(got))
	}
	if got, _ := f.svc.Unclaimed(ctx, acct, t0.AddDate(1, 0, 0)); len(got) != 0 {
		t.Errorf("unclaimed %d", len(got))
	}
}

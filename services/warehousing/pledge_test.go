package warehousing_test

import (
	"context"
	"testing"

	wh "github.com/tradehub/tradehub/services/warehousing"
)

// Pledged units are out of reach: an order for more than what is left available is backordered,
// not served from the pledge; releasing the pledge gives them back, and every movement adds up.
func TestPledgedStockCannotBeReserved(t *testing.T) {
	e := newEnv(t)
	e.stock(t, e.sku, 10)
	ctx := context.Background()
	if err := e.svc.PledgeStock(ctx, e.acct, e.sku, e.whs, 8, "loan_1"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.PledgeStock(ctx, e.acct, e.sku, e.whs, 3, "loan_2"); codeOf(err) != "INSUFFICIENT_STOCK" {
		t.Errorf("pledging more than available: %v", err)
	}
	b := e.invariants(t, e.sku, e.whs)
	if b.Pledged != 8 || b.Available != 2 || b.OnHand != 10 {
		t.Fatalf("after the pledge: %+v", b)
	}
	o, err := e.order(e.op, "pledged-1", wh.OrderLine{SKUID: e.sku, Quantity: 3})
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != wh.OrderBackordered {
		t.Errorf("an order for pledged units is %s, want BACKORDERED", o.Status)
	}
	if err := e.svc.ReleaseStock(ctx, e.acct, e.sku, e.whs, 8, "loan_1"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.ReleaseStock(ctx, e.acct, e.sku, e.whs, 8, "loan_1"); codeOf(err) != "INSUFFICIENT_STOCK" {
		t.Errorf("releasing twice: %v", err)
	}
	b = e.invariants(t, e.sku, e.whs)
	if b.Pledged != 0 || b.Reserved != 3 {
		t.Errorf("after the release (the backorder served): %+v", b)
	}
	got, err := e.svc.VisibleOrders(e.op, []string{o.ID})
	if err != nil || got[o.ID].Status != wh.OrderReserved {
		t.Errorf("the backorder after the release: %+v %v", got[o.ID], err)
	}
}

package procurement

import (
	"context"
	"math/big"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/usage"
)

// Worked landed-cost examples: 1,000 lamps, the fake transport quoting USD 320.00 freight and
// USD 86.56 duties on every lane, a 3 % fee, rates CNY/USD 0.1385, EUR/USD 1.0825, USD/JPY 150.5.
func TestLandedCostWorkedExamples(t *testing.T) {
	for _, tc := range []struct {
		name                                     string
		rfqCur, quoteCur, price                  string
		inc                                      Incoterm
		supplier                                 func(e *env) string
		goods, freight, duties, fee, total, unit int64
	}{
		// 1,000 × CNY 12.50 = 1,250,000 fen × 0.1385 = 173,125 ¢; fee 5,193.75 → 5,194 (half-even);
		// FOB: freight and duties added. Per unit 218.975 → 219 ¢.
		{"FOB CNY into USD", "USD", "CNY", "12.50", FOB, func(e *env) string { return e.supA }, 173125, 32000, 8656, 5194, 218975, 219},
		// EXW adds the same as FOB here (the fake prices from the supplier's country).
		{"EXW CNY into USD", "USD", "CNY", "12.50", EXW, func(e *env) string { return e.supA }, 173125, 32000, 8656, 5194, 218975, 219},
		// 1,000 × EUR 1.60 = 160,000 ¢ × 1.0825 = 173,200 ¢; CIF pays the freight, not the duties.
		{"CIF EUR into USD", "USD", "EUR", "1.60", CIF, func(e *env) string { return e.supB }, 173200, 0, 8656, 5196, 187052, 187},
		// DDP pays freight and duties: goods and fee only. 200.85 → 201 ¢ per unit.
		{"DDP USD into USD", "USD", "USD", "1.95", DDP, func(e *env) string { return e.supC }, 195000, 0, 0, 5850, 200850, 201},
		// USD into JPY (no minor units): 195,000 ¢ × 150.5 ÷ 100 = ¥293,475; fee 8,804.25 → 8,804.
		{"DDP USD into JPY", "JPY", "USD", "1.95", DDP, func(e *env) string { return e.supC }, 293475, 0, 0, 8804, 302279, 302},
		// Only CNY/USD is set: USD → CNY uses its inverse, 195,000 ÷ 0.1385 = 1,407,942.238… fen.
		{"DDP USD into CNY by the inverse rate", "CNY", "USD", "1.95", DDP, func(e *env) string { return e.supC }, 1407942, 0, 0, 42238, 1450180, 1450},
		// Freight and duties quoted in USD, converted into CNY: 32,000 ÷ 0.1385 = 231,046.93… →
		// 231,047 fen; 8,656 ÷ 0.1385 = 62,498.19… → 62,498.
		{"FOB CNY into CNY", "CNY", "CNY", "12.50", FOB, func(e *env) string { return e.supA }, 1250000, 231047, 62498, 37500, 1581045, 1581},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			sup := tc.supplier(e)
			r := e.rfq(tc.rfqCur, sup)
			e.quote(e.am, r.ID, sup, tc.inc, tc.quoteCur, tc.price, 30)
			c, err := e.svc.CompareQuotes(e.buyer, r.ID)
			if err != nil {
				t.Fatalf("CompareQuotes: %v", err)
			}
			l := c.Quotes[0].Quote.Landed
			if l == nil {
				t.Fatal("no landed cost")
			}
			got := []int64{l.Goods.Amount, l.Freight.Amount, l.Duties.Amount, l.Fee.Amount, l.Total.Amount, l.Lines[0].PerUnit.Amount}
			want := []int64{tc.goods, tc.freight, tc.duties, tc.fee, tc.total, tc.unit}
			for i, name := range []string{"goods", "freight", "duties", "fee", "total", "per unit"} {
				if got[i] != want[i] {
					t.Errorf("%s = %d, want %d", name, got[i], want[i])
				}
			}
			if l.Currency.Code() != tc.rfqCur || l.Lines[0].Total != l.Total {
				t.Errorf("currency %s, line total %v vs total %v", l.Currency, l.Lines[0].Total, l.Total)
			}
			if tc.inc == DDP && len(e.freight.asked) != 0 {
				t.Errorf("DDP asked transport for freight: %+v", e.freight.asked)
			}
		})
	}
}

// Two lines share freight and duties by goods value and add up exactly.
func TestLandedCostSpreadsOverLines(t *testing.T) {
	e := newEnv(t)
	r, err := e.svc.CreateRFQ(e.buyer, RFQInput{AccountID: e.acct, Title: "Two", DestinationWarehouseID: e.warehouse, Currency: "USD",
		ResponseDeadline: start.Add(time.Hour), SupplierIDs: []string{e.supA},
		Lines: []RFQLineInput{{SKUID: e.skuA, Quantity: 100}, {Description: "Lamp shade, linen", Quantity: 300, UnitWeightGrams: 120}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SendRFQ(e.buyer, r.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.SubmitQuote(e.supUserA, QuoteInput{RFQID: r.ID, SupplierID: e.supA, Incoterm: FOB, Currency: "USD",
		ValidUntil: start.Add(48 * time.Hour), Lines: []QuoteLineInput{{RFQLineID: "1", UnitPrice: "2.00"}, {RFQLineID: "2", UnitPrice: "1.00"}}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.svc.CompareQuotes(e.buyer, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	l := c.Quotes[0].Quote.Landed
	// Goods 20,000 and 30,000 ¢: freight 32,000 splits 12,800 / 19,200; duties 8,656 split
	// 3,462.4 / 5,193.6 → 3,462 / 5,194 (the leftover unit to the larger line).
	if l.Lines[0].Freight.Amount != 12800 || l.Lines[1].Freight.Amount != 19200 ||
		l.Lines[0].Duties.Amount != 3462 || l.Lines[1].Duties.Amount != 5194 {
		t.Fatalf("lines = %+v", l.Lines)
	}
	if l.Lines[0].Total.Amount+l.Lines[1].Total.Amount != l.Total.Amount {
		t.Fatalf("lines do not add up: %+v vs %v", l.Lines, l.Total)
	}
	asked := e.freight.asked[0]
	if asked.OriginCountry != "CN" || asked.WarehouseID != e.warehouse || asked.Items[0].WeightGrams != 80000 || asked.Items[1].WeightGrams != 36000 ||
		asked.Items[0].HSCode != "940520" {
		t.Fatalf("freight request = %+v", asked)
	}
}

func TestConvertRoundsHalfEven(t *testing.T) {
	jpy, usdC := money.MustCurrency("JPY"), money.MustCurrency("USD")
	r := big.NewRat(1505, 10)
	for _, tc := range []struct{ cents, yen int64 }{{100, 150}, {300, 452}, {1, 2}, {0, 0}} {
		got, err := convertAt(money.New(tc.cents, usdC), jpy, r)
		if err != nil || got.Amount != tc.yen {
			t.Errorf("%d ¢ → %v (%v), want ¥%d", tc.cents, got, err, tc.yen)
		}
	}
}

func TestComparisonRanks(t *testing.T) {
	e := newEnv(t)
	r := e.rfq("USD", e.supA, e.supB, e.supC)
	qa := e.quote(e.supUserA, r.ID, e.supA, FOB, "CNY", "12.50", 30)
	qb := e.quote(e.supUserB, r.ID, e.supB, CIF, "EUR", "1.60", 45)
	qc := e.quote(e.am, r.ID, e.supC, DDP, "USD", "1.95", 20)
	c, err := e.svc.CompareQuotes(e.buyer, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][4]int64{}
	for _, q := range c.Quotes {
		got[q.Quote.ID] = [4]int64{int64(q.RankByLanded), int64(q.RankByLead), int64(q.RankByScore), q.WeightedScore}
	}
	// Totals 218,975 / 187,052 / 200,850; leads 30 / 45 / 20; no supplier scores yet (50 %).
	want := map[string][4]int64{
		qa.ID: {3, 2, 3, 5125 + 1333 + 1000},
		qb.ID: {1, 3, 2, 6000 + 888 + 1000},
		qc.ID: {2, 1, 1, 5587 + 2000 + 1000},
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: ranks and score = %v, want %v", id, got[id], w)
		}
	}
	if c.Quotes[0].Quote.ID != qb.ID {
		t.Errorf("first by landed = %s, want %s", c.Quotes[0].Quote.ID, qb.ID)
	}
}

func TestBadInput(t *testing.T) {
	e := newEnv(t)
	r := e.rfq("USD", e.supA)
	valid := start.Add(30 * 24 * time.Hour)
	before := func() [3]int64 {
		return [3]int64{e.count(CollRFQs, bson.M{}), e.count(CollQuotes, bson.M{}), e.count(CollPurchaseOrders, bson.M{})}
	}
	n := before()
	for _, tc := range []struct {
		name          string
		run           func() error
		code          errs.Code
		reason, field string
	}{
		{"RFQ without lines", func() error {
			_, err := e.svc.CreateRFQ(e.buyer, RFQInput{AccountID: e.acct, Title: "x", DestinationWarehouseID: e.warehouse, Currency: "USD",
				ResponseDeadline: start.Add(time.Hour), SupplierIDs: []string{e.supA}})
			return err
		}, errs.Invalid, "", "input.lines"},
		{"RFQ in an unknown currency", func() error {
			_, err := e.svc.CreateRFQ(e.buyer, RFQInput{AccountID: e.acct, Title: "x", DestinationWarehouseID: e.warehouse, Currency: "XYZ",
				ResponseDeadline: start.Add(time.Hour), Lines: []RFQLineInput{{Description: "x", Quantity: 1}}})
			return err
		}, errs.Invalid, "", "input.currency"},
		{"RFQ with eleven suppliers", func() error {
			var sups []string
			for range 11 {
				sups = append(sups, ids.New(ids.Supplier))
			}
			_, err := e.svc.CreateRFQ(e.buyer, RFQInput{AccountID: e.acct, Title: "x", DestinationWarehouseID: e.warehouse, Currency: "USD",
				ResponseDeadline: start.Add(time.Hour), SupplierIDs: sups, Lines: []RFQLineInput{{Description: "x", Quantity: 1}}})
			return err
		}, errs.Invalid, "", "input.supplierIds"},
		{"RFQ with another account's SKU", func() error {
			_, err := e.svc.CreateRFQ(e.stranger, RFQInput{AccountID: e.other, Title: "x", DestinationWarehouseID: e.warehouse, Currency: "USD",
				ResponseDeadline: start.Add(time.Hour), Lines: []RFQLineInput{{SKUID: e.skuA, Quantity: 1}}})
			return err
		}, errs.NotFound, "", "input.lines.0.skuId"},
		{"quote from a supplier not invited", func() error {
			_, err := e.svc.SubmitQuote(e.supUserB, QuoteInput{RFQID: r.ID, SupplierID: e.supB, Incoterm: FOB, Currency: "USD", ValidUntil: valid,
				Lines: []QuoteLineInput{{RFQLineID: "1", UnitPrice: "1.00"}}})
			return err
		}, errs.NotFound, "", "input.rfqId"},
		{"staff quoting for a supplier not invited", func() error {
			_, err := e.svc.SubmitQuote(e.am, QuoteInput{RFQID: r.ID, SupplierID: e.supB, Incoterm: FOB, Currency: "USD", ValidUntil: valid,
				Lines: []QuoteLineInput{{RFQLineID: "1", UnitPrice: "1.00"}}})
			return err
		}, errs.NotFound, "", "input.supplierId"},
		{"supplier quoting as another supplier", func() error {
			_, err := e.svc.SubmitQuote(e.supUserA, QuoteInput{RFQID: r.ID, SupplierID: e.supB, Incoterm: FOB, Currency: "USD", ValidUntil: valid,
				Lines: []QuoteLineInput{{RFQLineID: "1", UnitPrice: "1.00"}}})
			return err
		}, errs.NotFound, "", "input.supplierId"},
		{"quantity below MOQ", func() error {
			_, err := e.svc.SubmitQuote(e.supUserA, QuoteInput{RFQID: r.ID, SupplierID: e.supA, Incoterm: FOB, Currency: "USD", ValidUntil: valid,
				Lines: []QuoteLineInput{{RFQLineID: "1", UnitPrice: "1.00", MOQ: 5000}}})
			return err
		}, errs.Invalid, "BELOW_MOQ", "input.lines.0.moq"},
		{"unit price beyond the bound", func() error {
			_, err := e.svc.SubmitQuote(e.supUserA, QuoteInput{RFQID: r.ID, SupplierID: e.supA, Incoterm: FOB, Currency: "USD", ValidUntil: valid,
				Lines: []QuoteLineInput{{RFQLineID: "1", UnitPrice: "99999999999.00"}}})
			return err
		}, errs.Invalid, "", "input.lines.0.unitPrice"},
		{"quote in an unknown currency", func() error {
			_, err := e.svc.SubmitQuote(e.supUserA, QuoteInput{RFQID: r.ID, SupplierID: e.supA, Incoterm: FOB, Currency: "ABC", ValidUntil: valid,
				Lines: []QuoteLineInput{{RFQLineID: "1", UnitPrice: "1.00"}}})
			return err
		}, errs.Invalid, "", "input.currency"},
		{"buyer quoting", func() error {
			_, err := e.svc.SubmitQuote(e.buyer, QuoteInput{RFQID: r.ID, SupplierID: e.supA, Incoterm: FOB, Currency: "USD", ValidUntil: valid,
				Lines: []QuoteLineInput{{RFQLineID: "1", UnitPrice: "1.00"}}})
			return err
		}, errs.Forbidden, "", ""},
		{"another account's RFQ", func() error { _, err := e.svc.CloseRFQ(e.stranger, r.ID); return err }, errs.NotFound, "", "input.rfqId"},
		{"viewer closing", func() error { _, err := e.svc.CloseRFQ(e.viewer, r.ID); return err }, errs.Forbidden, "", ""},
		{"FX rate for an unknown currency", func() error {
			_, err := e.svc.SetFXRate(e.admin, FXRateInput{Base: "USD", Quote: "QQQ", Rate: "1"})
			return err
		}, errs.Invalid, "", "input.quote"},
		{"FX rate not a decimal", func() error {
			_, err := e.svc.SetFXRate(e.admin, FXRateInput{Base: "USD", Quote: "GBP", Rate: "1e3"})
			return err
		}, errs.Invalid, "", "input.rate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, tc.run(), tc.code, tc.reason, tc.field)
			if got := before(); got != n {
				t.Fatalf("a refusal wrote: %v → %v", n, got)
			}
		})
	}

	t.Run("quote after the deadline", func(t *testing.T) {
		e.clk.Set(r.ResponseDeadline)
		_, err := e.svc.SubmitQuote(e.supUserA, QuoteInput{RFQID: r.ID, SupplierID: e.supA, Incoterm: FOB, Currency: "USD", ValidUntil: valid,
			Lines: []QuoteLineInput{{RFQLineID: "1", UnitPrice: "1.00"}}})
		wantCode(t, err, errs.FailedPrecondition, "DEADLINE_PASSED", "input.rfqId")
		if e.count(CollQuotes, bson.M{}) != 0 {
			t.Fatal("late quote stored")
		}
		e.clk.Set(start)
	})

	t.Run("comparison without a rate for the pair", func(t *testing.T) {
		r2 := e.rfq("EUR", e.supA)
		e.quote(e.supUserA, r2.ID, e.supA, FOB, "CNY", "12.50", 10)
		_, err := e.svc.CompareQuotes(e.buyer, r2.ID)
		wantCode(t, err, errs.FailedPrecondition, "UNKNOWN_FX_RATE", "")
	})
}

// A supplier sees its own quote only, and target prices only when the buyer shows them.
func TestSupplierView(t *testing.T) {
	e := newEnv(t)
	r := e.rfq("USD", e.supA, e.supB)
	e.quote(e.supUserA, r.ID, e.supA, FOB, "USD", "1.70", 10)
	e.quote(e.supUserB, r.ID, e.supB, FOB, "USD", "1.60", 10)

	got, err := e.svc.RFQ(e.supUserA, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.SupplierView || got.Lines[0].TargetUnitPrice != nil || len(got.SupplierIDs) != 1 || got.SupplierIDs[0] != e.supA {
		t.Fatalf("supplier view = %+v", got)
	}
	qs, err := e.svc.Quotes(e.supUserA, r.ID)
	if err != nil || len(qs) != 1 || qs[0].SupplierID != e.supA {
		t.Fatalf("supplier sees quotes %+v (%v)", qs, err)
	}
	if buyerView, _ := e.svc.Quotes(e.buyer, r.ID); len(buyerView) != 2 {
		t.Fatalf("buyer sees %d quotes", len(buyerView))
	}
	if _, err := e.svc.Comparison(e.supUserA, r.ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("supplier comparison: %v", err)
	}
	inv, err := e.svc.SupplierInvitations(e.supUserA, cursor.Page{})
	if err != nil || len(inv.Items) != 1 || inv.Items[0].ID != r.ID {
		t.Fatalf("invitations = %+v (%v)", inv, err)
	}
	if inv, _ := e.svc.SupplierInvitations(e.buyer, cursor.Page{}); len(inv.Items) != 0 {
		t.Fatalf("a buyer has invitations: %+v", inv.Items)
	}

	// With target prices shown.
	target := "1.80"
	r2, err := e.svc.CreateRFQ(e.buyer, RFQInput{AccountID: e.acct, Title: "Shown", DestinationWarehouseID: e.warehouse, Currency: "USD",
		ResponseDeadline: start.Add(time.Hour), SupplierIDs: []string{e.supA}, ShowTargetPrices: true,
		Lines: []RFQLineInput{{SKUID: e.skuA, Quantity: 10, TargetUnitPrice: &target}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.RFQ(e.supUserA, r2.ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("a DRAFT is visible to the supplier: %v", err)
	}
	if _, err := e.svc.SendRFQ(e.buyer, r2.ID); err != nil {
		t.Fatal(err)
	}
	got, err = e.svc.RFQ(e.supUserA, r2.ID)
	if err != nil || got.Lines[0].TargetUnitPrice == nil || got.Lines[0].TargetUnitPrice.Amount != 180 {
		t.Fatalf("shown target = %+v (%v)", got.Lines, err)
	}
	if _, err := e.svc.RFQ(e.supUserB, r2.ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("a supplier not invited sees the RFQ: %v", err)
	}
}

func TestQuoteRevisionUntilDeadline(t *testing.T) {
	e := newEnv(t)
	r := e.rfq("USD", e.supA)
	q1 := e.quote(e.supUserA, r.ID, e.supA, FOB, "USD", "1.70", 10)
	e.clk.Advance(time.Hour)
	q2 := e.quote(e.supUserA, r.ID, e.supA, FOB, "USD", "1.65", 12)
	if q2.ID != q1.ID || q2.Revision != 2 || q2.Lines[0].UnitPrice.Amount != 165 || e.count(CollQuotes, bson.M{}) != 1 {
		t.Fatalf("revision = %+v", q2)
	}
	q3 := e.quote(e.am, r.ID, e.supA, FOB, "USD", "1.60", 12)
	if !q3.OnBehalf || q3.Revision != 3 {
		t.Fatalf("on behalf = %+v", q3)
	}
}

// Award, PO lifecycle, receiving, supplier score, usage and collateral, end to end.
func TestAwardToReceipt(t *testing.T) {
	e := newEnv(t)
	r := e.rfq("USD", e.supA, e.supB)
	qa := e.quote(e.supUserA, r.ID, e.supA, FOB, "USD", "1.70", 10)
	qb := e.quote(e.supUserB, r.ID, e.supB, FOB, "USD", "1.60", 40)
	if _, err := e.svc.CloseRFQ(e.buyer, r.ID); err != nil {
		t.Fatal(err)
	}
	pos, err := e.svc.AwardRFQ(e.buyer, AwardInput{RFQID: r.ID, QuoteID: qa.ID})
	if err != nil {
		t.Fatal(err)
	}
	po := pos[0]
	if po.Number != "PO-2026-000001" || po.Total.Amount != 170000 || po.Status != POIssued || po.SupplierCountry != "CN" ||
		po.PaymentTerms != (PaymentTerms{30, BalanceBeforeShipment}) {
		t.Fatalf("po = %+v", po)
	}
	for id, want := range map[string]QuoteStatus{qa.ID: QuoteAwarded, qb.ID: QuoteNotAwarded} {
		if n := e.count(CollQuotes, bson.M{"_id": id, "status": string(want)}); n != 1 {
			t.Errorf("quote %s is not %s", id, want)
		}
	}
	// Award of an awarded ("closed") RFQ.
	_, err = e.svc.AwardRFQ(e.buyer, AwardInput{RFQID: r.ID, QuoteID: qb.ID})
	wantCode(t, err, errs.FailedPrecondition, "RFQ_NOT_AWARDABLE", "input.rfqId")

	if _, err := e.svc.ShipPurchaseOrder(e.supUserA, po.ID, nil); errs.CodeOf(err) != errs.FailedPrecondition {
		t.Fatalf("ship an ISSUED PO: %v", err)
	}
	if _, err := e.svc.ConfirmPurchaseOrder(e.supUserB, po.ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("another supplier confirms: %v", err)
	}
	if _, err := e.svc.ConfirmPurchaseOrder(e.supUserA, po.ID); err != nil {
		t.Fatal(err)
	}
	page, err := e.usage.List(e.admin, e.acct, usage.Filter{}, cursor.Window{Limit: 10, Forward: true})
	recs := page.Records
	if err != nil || len(recs) != 1 || recs[0].SourceKey != "procurement:"+po.ID || recs[0].Amount == nil || recs[0].Amount.Amount != 170000 ||
		recs[0].Code != "procurement.commission" || recs[0].Unit != "purchase_order" {
		t.Fatalf("usage = %+v (%v)", recs, err)
	}
	col, err := e.svc.PurchaseOrdersForCollateral(e.buyer, e.acct)
	if err != nil || len(col) != 1 || col[0].Confirmed.Amount != 170000 || col[0].Received.Amount != 0 {
		t.Fatalf("collateral = %+v (%v)", col, err)
	}
	if _, err := e.svc.PurchaseOrderForCollateral(e.stranger, e.other, po.ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("foreign collateral: %v", err)
	}

	e.clk.Advance(9 * 24 * time.Hour) // within the 10 days promised
	shipped, err := e.svc.ShipPurchaseOrder(e.supUserA, po.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if shipped.Status != POShipped || shipped.ReceiptID == "" || len(e.inbound.requests) != 1 ||
		e.inbound.requests[0].Lines[0] != (InboundLine{SKUID: e.skuA, Quantity: 1000}) || e.inbound.requests[0].PurchaseOrderID != po.ID {
		t.Fatalf("shipped = %+v, inbound %+v", shipped, e.inbound.requests)
	}
	// The warehouse received 990 good and 5 damaged units (5 short).
	lines := []ReceivedLine{{SKUID: e.skuA, Received: 990, Rejected: 5}}
	if err := e.svc.ApplyReceipt(context.Background(), po.ID, shipped.ReceiptID, lines, e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.ApplyReceipt(context.Background(), po.ID, shipped.ReceiptID, lines, e.clk.Now()); err != nil {
		t.Fatalf("replay: %v", err)
	}
	got, _ := e.svc.PurchaseOrder(e.buyer, po.ID)
	if got.Status != POPartiallyReceived || got.Lines[0].Received != 990 || got.Lines[0].Rejected != 5 || got.ReceivedValue().Amount != 168300 {
		t.Fatalf("received po = %+v", got)
	}
	sup, _ := e.svc.Supplier(e.buyer, e.supA)
	// On time 1/1 → 4000; accuracy (1000 − 5)/1000 → 2985; acceptance 990/995 → 2984: 99.69 → 100.
	if sup.Score != (Score{Orders: 1, OnTime: 1, UnitsOrdered: 1000, UnitsAccurate: 995, UnitsReceived: 990, UnitsRejected: 5}) ||
		*sup.Score.Percent() != 100 {
		t.Fatalf("score = %+v %v", sup.Score, *sup.Score.Percent())
	}
	col, _ = e.svc.PurchaseOrdersForCollateral(e.buyer, e.acct)
	if len(col) != 1 || col[0].Received.Amount != 168300 {
		t.Fatalf("collateral after receipt = %+v", col)
	}
	if _, err := e.svc.ClosePurchaseOrder(e.buyer, po.ID); err != nil {
		t.Fatal(err)
	}
}

func TestLateShipmentLowersScore(t *testing.T) {
	sc := Score{Orders: 2, OnTime: 1, UnitsOrdered: 200, UnitsAccurate: 200, UnitsReceived: 150, UnitsRejected: 50}
	// 2000 + 3000 + 2250 = 7250 bps → 73 (half up).
	if p := sc.Percent(); p == nil || *p != 73 {
		t.Fatalf("percent = %v", p)
	}
	if (Score{}).Percent() != nil {
		t.Fatal("a score without orders")
	}
}

// Lines to different quotes: one PO per quote, numbered in sequence.
func TestAwardLinesToDifferentQuotes(t *testing.T) {
	e := newEnv(t)
	r, err := e.svc.CreateRFQ(e.buyer, RFQInput{AccountID: e.acct, Title: "Split", DestinationWarehouseID: e.warehouse, Currency: "USD",
		ResponseDeadline: start.Add(time.Hour), SupplierIDs: []string{e.supA, e.supB},
		Lines: []RFQLineInput{{SKUID: e.skuA, Quantity: 100}, {SKUID: e.skuB, Quantity: 200}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SendRFQ(e.buyer, r.ID); err != nil {
		t.Fatal(err)
	}
	both := func(ctx context.Context, sup string) Quote {
		q, err := e.svc.SubmitQuote(ctx, QuoteInput{RFQID: r.ID, SupplierID: sup, Incoterm: DDP, Currency: "USD", ValidUntil: start.Add(48 * time.Hour),
			Lines: []QuoteLineInput{{RFQLineID: "1", UnitPrice: "2.00"}, {RFQLineID: "2", UnitPrice: "0.50"}}})
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	qa, qb := both(e.supUserA, e.supA), both(e.supUserB, e.supB)
	pos, err := e.svc.AwardRFQ(e.buyer, AwardInput{RFQID: r.ID, Lines: []LineAward{{"1", qa.ID}, {"2", qb.ID}},
		PaymentTerms: PaymentTerms{DepositPercent: 0, Balance: BalanceNet30}})
	if err != nil {
		t.Fatal(err)
	}
	if len(pos) != 2 || pos[0].Number != "PO-2026-000001" || pos[1].Number != "PO-2026-000002" ||
		pos[0].Total.Amount != 20000 || pos[1].Total.Amount != 10000 || pos[1].SupplierID != e.supB {
		t.Fatalf("pos = %+v", pos)
	}
}

// Two awards race: exactly one wins and only its PO exists.
func TestRacingAwardsExactlyOneWins(t *testing.T) {
	e := newEnv(t)
	r := e.rfq("USD", e.supA, e.supB)
	qa := e.quote(e.supUserA, r.ID, e.supA, FOB, "USD", "1.70", 10)
	qb := e.quote(e.supUserB, r.ID, e.supB, FOB, "USD", "1.60", 10)
	var wg sync.WaitGroup
	errsOut := make([]error, 8)
	for i := range errsOut {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q := qa.ID
			if i%2 == 1 {
				q = qb.ID
			}
			_, errsOut[i] = e.svc.AwardRFQ(e.buyer, AwardInput{RFQID: r.ID, QuoteID: q})
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errsOut {
		if err == nil {
			wins++
		} else if errs.CodeOf(err) != errs.FailedPrecondition {
			t.Errorf("loser error = %v", err)
		}
	}
	if wins != 1 || e.count(CollPurchaseOrders, bson.M{}) != 1 || e.count(CollQuotes, bson.M{"status": string(QuoteAwarded)}) != 1 {
		t.Fatalf("wins = %d, pos = %d", wins, e.count(CollPurchaseOrders, bson.M{}))
	}
}

func TestRFQFromLowStock(t *testing.T) {
	e := newEnv(t)
	r, err := e.svc.CreateRFQFromLowStock(e.buyer, LowStockRFQInput{AccountID: e.acct, WarehouseID: e.warehouse, Currency: "USD",
		SKUIDs: []string{e.skuA}, SupplierIDs: []string{e.supA}, ResponseDeadline: start.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != RFQDraft || len(r.Lines) != 1 || r.Lines[0].Quantity != 600 || r.Lines[0].SKUID != e.skuA || r.Lines[0].UnitWeightGrams != 800 {
		t.Fatalf("rfq = %+v", r)
	}
	_, err = e.svc.CreateRFQFromLowStock(e.buyer, LowStockRFQInput{AccountID: e.acct, WarehouseID: e.warehouse, Currency: "USD",
		SKUIDs: []string{e.skuB}, ResponseDeadline: start.Add(24 * time.Hour)})
	wantCode(t, err, errs.Invalid, "", "input.skuIds.0")
}

func TestSuppliersVisibility(t *testing.T) {
	e := newEnv(t)
	own, err := e.svc.CreateSupplier(e.buyer, SupplierInput{AccountID: e.acct, Name: "Local Molds", Country: "VN",
		Contacts: []Contact{{Name: "Lan", Email: "lan@molds.test"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Supplier(e.stranger, own.ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("stranger sees a private supplier: %v", err)
	}
	list, err := e.svc.Suppliers(e.buyer, e.acct, cursor.Page{})
	if err != nil || len(list.Items) != 4 {
		t.Fatalf("suppliers = %d (%v)", len(list.Items), err)
	}
	if _, err := e.svc.SetSupplierStatus(e.buyer, e.supA, SupplierSuspended); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("a buyer changes a curated supplier: %v", err)
	}
	if _, err := e.svc.SetSupplierStatus(e.admin, e.supA, SupplierSuspended); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.CreateRFQ(e.buyer, RFQInput{AccountID: e.acct, Title: "x", DestinationWarehouseID: e.warehouse, Currency: "USD",
		ResponseDeadline: start.Add(time.Hour), SupplierIDs: []string{e.supA}, Lines: []RFQLineInput{{Description: "x", Quantity: 1}}})
	wantCode(t, err, errs.FailedPrecondition, "SUPPLIER_SUSPENDED", "input.supplierIds.0")
}

type fakeReceipts map[string]ReceivedReceipt

func (f fakeReceipts) PurchaseOrderReceipts(_ context.Context, list []string) (map[string]ReceivedReceipt, error) {
	out := map[string]ReceivedReceipt{}
	for _, id := range list {
		if r, ok := f[id]; ok {
			out[id] = r
		}
	}
	return out, nil
}

// A receipt received while its hook did not run is caught up by the sweep, once.
func TestSyncReceiptsCatchesUp(t *testing.T) {
	e := newEnv(t)
	r := e.rfq("USD", e.supA)
	q := e.quote(e.supUserA, r.ID, e.supA, FOB, "USD", "1.70", 10)
	pos, err := e.svc.AwardRFQ(e.buyer, AwardInput{RFQID: r.ID, QuoteID: q.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ConfirmPurchaseOrder(e.supUserA, pos[0].ID); err != nil {
		t.Fatal(err)
	}
	po, err := e.svc.ShipPurchaseOrder(e.buyer, pos[0].ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	src := fakeReceipts{po.ReceiptID: {ID: po.ReceiptID, PurchaseOrderID: po.ID}}
	if n, err := e.svc.SyncReceipts(context.Background(), src, 10); err != nil || n != 0 {
		t.Fatalf("sync of an expected receipt: %d, %v", n, err)
	}
	src[po.ReceiptID] = ReceivedReceipt{ID: po.ReceiptID, PurchaseOrderID: po.ID, Received: true, ReceivedAt: e.clk.Now(),
		Lines: []ReceivedLine{{SKUID: e.skuA, Received: 1000}}}
	for range 2 {
		if _, err := e.svc.SyncReceipts(context.Background(), src, 10); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := e.svc.PurchaseOrder(e.buyer, po.ID)
	sup, _ := e.svc.Supplier(e.buyer, e.supA)
	if got.Status != POReceived || got.Lines[0].Received != 1000 || sup.Score.Orders != 1 || sup.Score.UnitsReceived != 1000 {
		t.Fatalf("po %+v, score %+v", got, sup.Score)
	}
}

package financing

import (
	"context"
	"maps"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/usage"
)

func TestDailyInterestWorkedExamples(t *testing.T) {
	for _, c := range []struct {
		name           string
		principal, apr int64
		want           int64
	}{
		{"10,000.00 at 12%: 328.767 rounds up", 1_000_000, 1200, 329},
		{"tie 0.5 rounds to even 0", 50, 36500, 0},
		{"tie 1.5 rounds to even 2", 150, 36500, 2},
		{"tie 2.5 rounds to even 2", 250, 36500, 2},
		{"50,000.00 at 9.5%: 1,301.3699", 5_000_000, 950, 1301},
		{"zero principal", 0, 1200, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := DailyInterest(c.principal, c.apr); got != c.want {
				t.Errorf("DailyInterest(%d, %d) = %d, want %d", c.principal, c.apr, got, c.want)
			}
		})
	}
}

func TestCostOfWorkedExample(t *testing.T) {
	// 10,000.00 USD for 30 days at 12% APR with a 1% fee: fee 100.00, interest 30 × 3.29 = 98.70,
	// total 10,198.70, effective APR (198.70 / 10,000 × 365 / 30) = 24.1758% → 2418 bps.
	c, err := CostOf(usdm(1_000_000), 30, 1200, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	if c.Fee.Amount != 10_000 || c.Interest.Amount != 9_870 || c.TotalRepayable.Amount != 1_019_870 || c.EffectiveAPRBps != 2418 {
		t.Errorf("cost = %+v", c)
	}
	// The minimum fee applies to a small advance.
	c, _ = CostOf(usdm(100_000), 30, 1200, 100, 5_000)
	if c.Fee.Amount != 5_000 {
		t.Errorf("fee = %d, want the minimum 5000", c.Fee.Amount)
	}
}

func TestFinancingJourney(t *testing.T) {
	e := newEnv(t, false)
	// Quote: shipment 10,000.00 × 80% + 40 lamps × 25.00 × 50% = 8,000 + 500.
	q, err := e.svc.QuoteFinancing(e.seller, RequestInput{FacilityID: e.facility.ID, Collateral: []CollateralRef{shipmentRef("shp_a"), stockRef(40)}, TenorDays: 60})
	if err != nil {
		t.Fatal(err)
	}
	if q.MaxAdvance.Amount != 850_000 {
		t.Fatalf("max advance = %d, want 850000", q.MaxAdvance.Amount)
	}
	r, err := e.request([]CollateralRef{shipmentRef("shp_a"), stockRef(40)}, 800_000, 60)
	if err != nil {
		t.Fatal(err)
	}
	if r.Cost.Fee.Amount != 8_000 || r.Cost.Interest.Amount != DailyInterest(800_000, 1200)*60 {
		t.Errorf("cost = %+v", r.Cost)
	}
	// The partner sees it in its queue; another partner does not see it at all.
	qu, err := e.svc.Queue(e.lender, e.partner)
	if err != nil || len(qu) != 1 || qu[0].ID != r.ID {
		t.Fatalf("queue = %v, %v", qu, err)
	}
	if _, err := e.svc.FinancingRequest(e.other, r.ID); reasonOf(err) != "NOT_FOUND" {
		t.Errorf("other partner reads the request: %v", err)
	}
	rk, err := e.svc.RequestRisk(e.lender, r.ID)
	if err != nil || len(rk.Collateral) != 2 || rk.Collateral[0].Score == nil || rk.OnTimeRateBps != -1 {
		t.Fatalf("risk = %+v, %v", rk, err)
	}
	if _, err := e.svc.FundRequest(e.lender, r.ID); reasonOf(err) != "INVALID_TRANSITION" {
		t.Errorf("funding before approval: %v", err)
	}
	if _, err := e.svc.ApproveRequest(e.analyst, ApproveInput{RequestID: r.ID}); reasonOf(err) != "FORBIDDEN" {
		t.Errorf("analyst approves: %v", err)
	}
	lower := usdm(700_000)
	if _, err := e.svc.ApproveRequest(e.lender, ApproveInput{RequestID: r.ID, Amount: &lower}); err != nil {
		t.Fatal(err)
	}
	loan, err := e.svc.FundRequest(e.lender, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.FundRequest(e.lender, r.ID); reasonOf(err) != "ALREADY_FUNDED" {
		t.Errorf("funding twice: %v", err)
	}
	f, _ := e.svc.Facility(e.seller, e.facility.ID)
	if f.Available.Amount != 5_000_000-700_000 {
		t.Errorf("available = %d", f.Available.Amount)
	}
	if e.inv.pledged["sku_1@whs_1"] != 40 || e.inv.lines["sku_1@whs_1"].Available != 60 {
		t.Errorf("stock not pledged: %v %d", e.inv.pledged, e.inv.lines["sku_1@whs_1"].Available)
	}
	recs, err := e.usage.List(e.staff, e.acct, usage.Filter{Category: usage.Financing}, cursor.Window{Limit: 10, Forward: true})
	if err != nil || len(recs.Records) != 1 {
		t.Fatalf("usage: %+v %v", recs, err)
	}
	if r := recs.Records[0]; r.SourceKey != "financing:"+loan.ID || r.Amount.Amount != 700_000 || r.Code != "financing.facilitation" ||
		r.Quantity != usage.Units(1) || r.Unit != "loan" {
		t.Errorf("usage = %+v", r)
	}
	// Interest for three days, posted by a job that missed two runs: caught up, once.
	e.clk.Advance(72 * time.Hour)
	for range 2 {
		if _, err := e.svc.AccrueInterest(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	l := e.loanDoc(loan.ID)
	if l.Outstanding.Interest != 3*DailyInterest(700_000, 1200) {
		t.Errorf("interest = %d, want %d", l.Outstanding.Interest, 3*DailyInterest(700_000, 1200))
	}
	// The shipment goes on hold: AT_RISK, LTV up; then clears and is delivered: due = delivery + 5.
	e.ships.set("shp_a", func(s *ShipmentInfo) { s.Status = "CUSTOMS_HOLD" })
	if err := e.svc.SyncShipment(context.Background(), e.acct, "shp_a"); err != nil {
		t.Fatal(err)
	}
	if l := e.loanDoc(loan.ID); l.Status != LoanAtRisk || l.LTVBps <= 0 {
		t.Errorf("after hold: %s ltv %d", l.Status, l.LTVBps)
	}
	// The console's at-risk figure: the lender and staff count it; a partner without consent
	// does not see the account at all (absent, so null in the console). Staff read every
	// account, so one without loans is 0.
	nobodys := ids.New(ids.Account)
	for _, c := range []struct {
		name   string
		ctx    context.Context
		counts map[string]int
	}{
		{"lender", e.lender, map[string]int{e.acct: 1}},
		{"staff", e.staff, map[string]int{e.acct: 1, nobodys: 0}},
		{"another partner", e.other, map[string]int{}},
	} {
		got, err := e.svc.AtRiskCounts(c.ctx, []string{e.acct, nobodys})
		if err != nil || !maps.Equal(got, c.counts) {
			t.Errorf("AtRiskCounts as %s = %v, %v; want %v", c.name, got, err, c.counts)
		}
	}
	delivered := e.clk.Now()
	e.ships.set("shp_a", func(s *ShipmentInfo) { s.Status, s.DeliveredAt = "DELIVERED", &delivered })
	if _, err := e.svc.ReconcileShipments(context.Background()); err != nil {
		t.Fatal(err)
	}
	l = e.loanDoc(loan.ID)
	if l.Status != LoanActive || day(l.DueDate) != day(delivered.AddDate(0, 0, 5)) {
		t.Errorf("after delivery: %s due %s", l.Status, day(l.DueDate))
	}
	// Past due: OVERDUE with the late fee, once.
	e.clk.Advance(7 * 24 * time.Hour)
	e.svc.AccrueInterest(context.Background())
	e.svc.AccrueInterest(context.Background())
	l = e.loanDoc(loan.ID)
	if l.Status != LoanOverdue || l.Totals.LateFees != 2_500 {
		t.Errorf("overdue: %s late fees %d", l.Status, l.Totals.LateFees)
	}
	// Pay in two parts; the reference makes a replay harmless.
	owed := l.Outstanding.Total()
	if _, err := e.svc.RecordPayment(e.lender, loan.ID, usdm(owed+1), "wire-0"); reasonOf(err) != "AMOUNT_ABOVE_OUTSTANDING" {
		t.Errorf("overpayment: %v", err)
	}
	if _, err := e.svc.RecordPayment(e.seller, loan.ID, usdm(100), "wire-x"); reasonOf(err) != "FORBIDDEN" {
		t.Errorf("seller records a payment: %v", err)
	}
	if _, err := e.svc.RecordPayment(e.lender, loan.ID, usdm(20_000), "wire-1"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.ApplyLoanPayment(context.Background(), e.acct, loan.ID, usdm(20_000), "wire-1"); err != nil {
		t.Errorf("replayed reference: %v", err)
	}
	l = e.loanDoc(loan.ID)
	if l.Outstanding.Fees != 0 || l.Totals.Payments != 20_000 {
		t.Errorf("fees first: %+v %+v", l.Outstanding, l.Totals)
	}
	if err := e.svc.ApplyLoanPayment(context.Background(), e.acct, loan.ID, usdm(l.Outstanding.Total()), "stripe-in_1"); err != nil {
		t.Fatal(err)
	}
	l = e.loanDoc(loan.ID)
	if l.Status != LoanRepaid || !l.Released {
		t.Errorf("repaid: %s released %v", l.Status, l.Released)
	}
	if e.inv.pledged["sku_1@whs_1"] != 0 || e.inv.lines["sku_1@whs_1"].Available != 100 {
		t.Errorf("stock not released")
	}
	if _, err := e.svc.RecordPayment(e.lender, loan.ID, usdm(1), "wire-2"); reasonOf(err) != "LOAN_CLOSED" {
		t.Errorf("paying a repaid loan: %v", err)
	}
	f, _ = e.svc.Facility(e.seller, e.facility.ID)
	if f.Available.Amount != 5_000_000 {
		t.Errorf("facility available after repayment = %d", f.Available.Amount)
	}
	for _, ctx := range []context.Context{e.seller, e.lender} {
		st, err := e.svc.LoanStatement(ctx, loan.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Check(); err != nil || st.Outstanding != 0 {
			t.Error(err, st.Outstanding)
		}
	}
	// The collateral can be pledged again.
	if _, err := e.request([]CollateralRef{stockRef(40)}, 10_000, 30); err != nil {
		t.Errorf("collateral not free again: %v", err)
	}
	// Revoking consent hides everything of the account from the partner.
	e.partners.mu.Lock()
	e.partners.consents[e.partner] = nil
	e.partners.mu.Unlock()
	e.acc.revoke("padmin", e.acct)
	if _, err := e.svc.Loan(e.lender, loan.ID); reasonOf(err) != "NOT_FOUND" {
		t.Errorf("after revocation: %v", err)
	}
	if _, err := e.svc.Loans(e.lender, e.acct); reasonOf(err) != "NOT_FOUND" {
		t.Errorf("after revocation: %v", err)
	}
	if pf, err := e.svc.Portfolio(e.lender, e.partner); err != nil || pf.RepaidLoans != 0 || pf.OpenLoans != 0 {
		t.Errorf("portfolio after revocation: %+v %v", pf, err)
	}
}

func TestBadRequests(t *testing.T) {
	e := newEnv(t, false)
	for _, c := range []struct {
		name   string
		refs   []CollateralRef
		amount int64
		tenor  int
		ctx    context.Context
		want   string
	}{
		{"above max advance", []CollateralRef{shipmentRef("shp_a")}, 800_001, 30, nil, "ABOVE_MAX_ADVANCE"},
		{"wrong status", []CollateralRef{shipmentRef("shp_held")}, 1_000, 30, nil, "INELIGIBLE_COLLATERAL"},
		{"wrong lane", []CollateralRef{shipmentRef("shp_lane")}, 1_000, 30, nil, "INELIGIBLE_COLLATERAL"},
		{"foreign shipment", []CollateralRef{shipmentRef("shp_foreign")}, 1_000, 30, nil, "NOT_FOUND"},
		{"tenor beyond max", []CollateralRef{shipmentRef("shp_a")}, 1_000, 91, nil, "TENOR_TOO_LONG"},
		{"more stock than available", []CollateralRef{stockRef(101)}, 1_000, 30, nil, "INELIGIBLE_COLLATERAL"},
		{"PO without procurement", []CollateralRef{{Type: CollateralPurchaseOrder, ID: "po_1"}}, 1_000, 30, nil, "COLLATERAL_UNAVAILABLE"},
		{"viewer", []CollateralRef{shipmentRef("shp_a")}, 1_000, 30, e.viewer, "FORBIDDEN"},
		{"partner", []CollateralRef{shipmentRef("shp_a")}, 1_000, 30, e.lender, "FORBIDDEN"},
		{"no consent partner", []CollateralRef{shipmentRef("shp_a")}, 1_000, 30, e.other, "NOT_FOUND"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := c.ctx
			if ctx == nil {
				ctx = e.seller
			}
			_, err := e.svc.RequestFinancing(ctx, RequestInput{FacilityID: e.facility.ID, Collateral: c.refs, Amount: usdm(c.amount), TenorDays: c.tenor})
			if got := reasonOf(err); got != c.want {
				t.Errorf("got %s (%v), want %s", got, err, c.want)
			}
		})
	}
	if rs, _ := e.svc.FinancingRequests(e.seller, e.acct); len(rs) != 0 {
		t.Errorf("bad input wrote %d requests", len(rs))
	}
	if n, _ := e.svc.claims.CountDocuments(context.Background(), map[string]any{}); n != 0 {
		t.Errorf("bad input left %d claims", n)
	}
}

func TestPurchaseOrderCollateral(t *testing.T) {
	e := newEnv(t, true)
	q, err := e.svc.QuoteFinancing(e.seller, RequestInput{FacilityID: e.facility.ID,
		Collateral: []CollateralRef{{Type: CollateralPurchaseOrder, ID: "po_1"}}, TenorDays: 30})
	if err != nil {
		t.Fatal(err)
	}
	// (10,000 − 4,000 received) × 60%.
	if q.MaxAdvance.Amount != 360_000 {
		t.Errorf("max advance = %d", q.MaxAdvance.Amount)
	}
}

func TestSameCollateralTwoRequestsOneWins(t *testing.T) {
	e := newEnv(t, false)
	var wg sync.WaitGroup
	var ok, pledged atomic.Int64
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.request([]CollateralRef{shipmentRef("shp_a"), stockRef(10)}, 10_000, 30)
			switch reasonOf(err) {
			case "":
				ok.Add(1)
			case "COLLATERAL_ALREADY_PLEDGED":
				pledged.Add(1)
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 || pledged.Load() != 7 {
		t.Errorf("%d won, %d refused; want exactly one winner", ok.Load(), pledged.Load())
	}
}

func TestConcurrentDrawdowns(t *testing.T) {
	for _, c := range []struct {
		n, amount, limit, want int64
	}{{100, 70_000, 5_000_000, 71}, {1000, 10_000, 5_000_000, 500}} {
		e := newEnv(t, false)
		var wg sync.WaitGroup
		var won atomic.Int64
		sem := make(chan struct{}, 50)
		for range c.n {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				err := e.svc.drawdown(context.Background(), e.facility.ID, c.amount)
				switch reasonOf(err) {
				case "":
					won.Add(1)
				case "FACILITY_LIMIT_EXCEEDED":
				default:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		f, _ := e.svc.Facility(e.seller, e.facility.ID)
		if won.Load() != c.want || f.Outstanding.Amount != c.want*c.amount || f.Available.Amount < 0 {
			t.Errorf("%d drawdowns of %d: %d won (want %d), outstanding %d", c.n, c.amount, won.Load(), c.want, f.Outstanding.Amount)
		}
	}
}

func TestWriteOffAndDefault(t *testing.T) {
	e := newEnv(t, false)
	r, err := e.request([]CollateralRef{shipmentRef("shp_a")}, 500_000, 10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AskForInformation(e.lender, r.ID, "Insurance certificate?"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AnswerInformationRequest(e.seller, r.ID, "Attached to the shipment"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ApproveRequest(e.lender, ApproveInput{RequestID: r.ID}); err != nil {
		t.Fatal(err)
	}
	loan, err := e.svc.FundRequest(e.lender, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.WriteOff(e.lender, loan.ID); reasonOf(err) != "INVALID_TRANSITION" {
		t.Errorf("write-off of an active loan: %v", err)
	}
	e.ships.set("shp_a", func(s *ShipmentInfo) { s.Status = "LOST" })
	e.svc.SyncShipment(context.Background(), e.acct, "shp_a")
	pf, _ := e.svc.Portfolio(e.lender, e.partner)
	if len(pf.AtRisk) != 1 || len(pf.ByLane) != 1 || pf.ByLane[0].Key != "CN-US" || pf.ByLane[0].Amount.Amount != 500_000 {
		t.Errorf("portfolio = %+v", pf)
	}
	if l := e.loanDoc(loan.ID); l.LTVBps != -1 {
		t.Errorf("LTV of a loan whose only collateral is lost = %d", l.LTVBps)
	}
	if _, err := e.svc.MarkDefaulted(e.lender, loan.ID); err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(48 * time.Hour)
	l, err := e.svc.WriteOff(e.lender, loan.ID)
	if err != nil {
		t.Fatal(err)
	}
	st := StatementOf(e.loanDoc(loan.ID))
	if err := st.Check(); err != nil || l.Status != LoanWrittenOff || st.Balances[AccWriteOffExpense] != st.Loan.Totals.WrittenOff {
		t.Errorf("%v %s %v", err, l.Status, st.Balances)
	}
	f, _ := e.svc.Facility(e.seller, e.facility.ID)
	if f.Outstanding.Amount != 0 {
		t.Errorf("facility outstanding after write-off = %d", f.Outstanding.Amount)
	}
}

func TestRejectReleasesCollateral(t *testing.T) {
	e := newEnv(t, false)
	r, err := e.request([]CollateralRef{shipmentRef("shp_a")}, 500_000, 10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.RejectRequest(e.lender, r.ID, ""); reasonOf(err) != "INVALID" {
		t.Errorf("reject without reason: %v", err)
	}
	if _, err := e.svc.RejectRequest(e.lender, r.ID, "Lane outside appetite"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.request([]CollateralRef{shipmentRef("shp_a")}, 500_000, 10); err != nil {
		t.Errorf("collateral not released by rejection: %v", err)
	}
	_ = money.HalfEven
}

// Funding the same request from several places at once makes exactly one loan and one drawdown.
func TestConcurrentFundingMakesOneLoan(t *testing.T) {
	e := newEnv(t, false)
	r, err := e.request([]CollateralRef{shipmentRef("shp_a"), stockRef(10)}, 500_000, 30)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ApproveRequest(e.lender, ApproveInput{RequestID: r.ID}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var won, refused atomic.Int64
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.svc.FundRequest(e.lender, r.ID)
			switch reasonOf(err) {
			case "":
				won.Add(1)
			case "ALREADY_FUNDED":
				refused.Add(1)
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	f, _ := e.svc.Facility(e.seller, e.facility.ID)
	loans, _ := e.svc.Loans(e.seller, e.acct)
	if won.Load() != 1 || refused.Load() != 9 || len(loans) != 1 || f.Outstanding.Amount != 500_000 || e.inv.pledged["sku_1@whs_1"] != 10 {
		t.Errorf("won %d refused %d loans %d outstanding %d pledged %d", won.Load(), refused.Load(), len(loans), f.Outstanding.Amount, e.inv.pledged["sku_1@whs_1"])
	}
}

// What the schedule shows is what the request promised: funded on 1 March for 60 days at
// 12 % APR, 15,000.00 owes on 30 April the fee and 60 days of interest (the due day itself
// carries none), and once some days are posted, the rest of them.
func TestOwedAtDueMatchesTheQuote(t *testing.T) {
	funded := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	l := Loan{Status: LoanActive, APRBps: 1200, DueDate: funded.AddDate(0, 0, 60),
		AccruedThrough: day(funded.AddDate(0, 0, -1)), Outstanding: Balances{Principal: 1_500_000, Fees: 15_000}}
	daily := DailyInterest(1_500_000, 1200) // 15,000.00 × 12 % / 365 = 4.93150… → 4.93
	if daily != 493 {
		t.Fatalf("daily interest %d, want 493", daily)
	}
	if got, want := l.OwedAtDue(), int64(1_500_000+15_000+60*493); got != want {
		t.Errorf("at funding: owed at due %d, want %d", got, want)
	}
	l.AccruedThrough, l.Outstanding.Interest = day(funded.AddDate(0, 0, 9)), 10*493
	if got, want := l.OwedAtDue(), int64(1_500_000+15_000+60*493); got != want {
		t.Errorf("after 10 days posted: owed at due %d, want %d", got, want)
	}
}

package billing

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/internal/mongodb/mongotest"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/usage"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Run(m)) }

var (
	usd = money.MustCurrency("USD")
	eur = money.MustCurrency("EUR")
	// nov is the period most tests bill; now is in early December.
	nov, dec = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
)

// allow is a consumer-side fake of the access service: everything is allowed, except for the
// accounts in deny (not even readable) and, when readOnly, writes.
type allow struct {
	deny     map[string]bool
	readOnly bool
}

func (a allow) Require(_ context.Context, domain string, _ access.Resource, act access.Action) error {
	if a.deny[domain] {
		return errs.E(errs.NotFound, "not found")
	}
	if a.readOnly && act == access.Write {
		return errs.E(errs.Forbidden, "forbidden")
	}
	return nil
}

func (a allow) Can(ctx context.Context, domain string, res access.Resource, act access.Action) bool {
	return a.Require(ctx, domain, res, act) == nil
}

type accountsFake map[string]Customer

func (f accountsFake) Customer(_ context.Context, id string) (Customer, error) {
	c, ok := f[id]
	if !ok {
		return Customer{}, ErrNotFound
	}
	return c, nil
}

func (f accountsFake) AccountIDs(context.Context) ([]string, error) {
	var out []string
	for id := range f {
		out = append(out, id)
	}
	slices.Sort(out)
	return out, nil
}

type fixture struct {
	svc        *Service
	usage      *usage.Service
	clk        *clock.Fake
	us, de, cn string // accounts in US, DE, CN
	cfg        Config
}

func setup(t *testing.T, mod ...func(*Config)) *fixture {
	t.Helper()
	db := mongotest.DB(t)
	ctx := context.Background()
	if err := mongodb.EnsureIndexes(ctx, db, append(usage.Indexes(), Indexes()...)...); err != nil {
		t.Fatal(err)
	}
	f := &fixture{clk: clock.NewFake(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)),
		us: ids.New(ids.Account), de: ids.New(ids.Account), cn: ids.New(ids.Account)}
	f.usage = usage.NewService(db, f.clk)
	accts := accountsFake{
		f.us: {AccountID: f.us, LegalName: "Maple & Pine Home LLC", Country: "US", Currency: usd, Email: "ap@maple.test"},
		f.de: {AccountID: f.de, LegalName: "Kessler Outdoor GmbH", Country: "DE", Currency: eur, Email: "ap@kessler.test"},
		f.cn: {AccountID: f.cn, LegalName: "Shenzhen Brightlight", Country: "CN", Currency: money.MustCurrency("CNY"), Email: "ap@bl.test"},
	}
	f.cfg = Config{DB: db, Access: allow{}, Usage: f.usage, Accounts: accts, Clock: f.clk, Issuer: DemoIssuer}
	for _, m := range mod {
		m(&f.cfg)
	}
	f.svc = NewService(f.cfg)
	if err := f.svc.SeedDemo(ctx, f.de); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) record(t *testing.T, acct, code string, cat usage.Category, qty usage.Quantity, unit string, amount *money.Money, at time.Time) usage.Record {
	t.Helper()
	r, _, err := f.usage.Record(context.Background(), usage.Record{AccountID: acct, Category: cat, Code: code, Quantity: qty, Unit: unit,
		Amount: amount, OccurredAt: at, SourceKey: fmt.Sprintf("%s:%s", code, ids.New(ids.Event))})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ptr(m money.Money) *money.Money { return &m }

func code(err error) string {
	if e, ok := errs.As(err); ok {
		return e.UserCode()
	}
	if err == nil {
		return ""
	}
	return "non-errs: " + err.Error()
}

// line finds the line of a code in an invoice.
func line(t *testing.T, inv Invoice, code string) Line {
	t.Helper()
	for _, s := range inv.Sections {
		for _, l := range s.Lines {
			if l.Code == code {
				return l
			}
		}
	}
	t.Fatalf("invoice has no %s line: %+v", code, inv.Sections)
	return Line{}
}

func (f *fixture) run(t *testing.T, acct string) RunReport {
	t.Helper()
	rep, err := f.svc.RunPeriod(context.Background(), nov, dec, acct)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func onlyInvoice(t *testing.T, rep RunReport) Invoice {
	t.Helper()
	if len(rep.Invoices) != 1 {
		t.Fatalf("want 1 invoice, got %d: %+v", len(rep.Invoices), rep.Invoices)
	}
	return rep.Invoices[0]
}

// Worked examples of every rate of the default book (USD, see DemoDefaultRates), to the cent.
func TestPricingWorkedExamples(t *testing.T) {
	f := setup(t)
	at := nov.Add(5 * 24 * time.Hour)
	u := func(n int64) usage.Quantity { return usage.Units(n) }
	f.record(t, f.us, "storage.cubic_metre_day", usage.Warehousing, 2_500_000, "cubic_metre_day", nil, at) // 2.5 × 0.45 = 1.125 → 1.13
	f.record(t, f.us, "storage.pallet_day", usage.Warehousing, u(3), "pallet_day", nil, at)                // 3 × 0.60 = 1.80
	f.record(t, f.us, "receiving.unit", usage.Warehousing, u(120), "unit", nil, at)                        // 120 × 0.25 = 30.00
	f.record(t, f.us, "receiving.carton", usage.Warehousing, u(7), "carton", nil, at)                      // 7 × 1.50 = 10.50
	f.record(t, f.us, "pickpack.order", usage.Warehousing, u(1), "order", nil, at)
	f.record(t, f.us, "pickpack.order", usage.Warehousing, u(1), "order", nil, at)                                          // 2 × 2.10 = 4.20
	f.record(t, f.us, "pickpack.extra_line", usage.Warehousing, u(4), "line", nil, at)                                      // 4 × 0.40 = 1.60
	f.record(t, f.us, "returns.unit", usage.Warehousing, u(3), "unit", nil, at)                                             // 3 × 1.20 = 3.60
	f.record(t, f.us, "freight.charge", usage.Transport, u(1), "shipment", ptr(money.New(12345, usd)), at)                  // 123.45 + 8 % (9.876 → 9.88) = 133.33
	f.record(t, f.us, "customs.declaration", usage.Customs, u(2), "declaration", nil, at)                                   // 2 × 25.00 = 50.00
	f.record(t, f.us, "customs.duties_taxes", usage.Customs, u(1), "shipment", ptr(money.New(4210, usd)), at)               // at cost, untaxed: 42.10
	f.record(t, f.us, "procurement.commission", usage.Procurement, u(1), "purchase_order", ptr(money.New(100000, usd)), at) // 3 % of 1,000 = 30 → minimum 50.00
	f.record(t, f.us, "procurement.commission", usage.Procurement, u(1), "purchase_order", ptr(money.New(500000, usd)), at) // 3 % of 5,000 = 150.00
	f.record(t, f.us, "financing.facilitation", usage.Financing, u(1), "loan", ptr(money.New(2000000, usd)), at)            // 0.5 % of 20,000 = 100.00
	f.record(t, f.us, "financing.facilitation", usage.Financing, u(1), "loan", ptr(money.New(33333, usd)), at)              // 0.5 % of 333.33 = 1.66665 → 1.67
	if _, err := f.svc.AddAdHocCharge(context.Background(), AdHocInput{AccountID: f.us, Amount: money.New(1500, usd), Reason: "Relabelling 30 cartons", OccurredAt: at, IdempotencyKey: "k1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddAdHocCharge(context.Background(), AdHocInput{AccountID: f.us, Amount: money.New(-500, usd), Reason: "Goodwill", OccurredAt: at, IdempotencyKey: "k2"}); err != nil {
		t.Fatal(err)
	}
	inv := onlyInvoice(t, f.run(t, f.us))
	for _, c := range []struct {
		code string
		want int64
	}{
		{"storage.cubic_metre_day", 113}, {"storage.pallet_day", 180}, {"receiving.unit", 3000}, {"receiving.carton", 1050},
		{"pickpack.order", 420}, {"pickpack.extra_line", 160}, {"returns.unit", 360}, {"freight.charge", 13333},
		{"customs.declaration", 5000}, {"customs.duties_taxes", 4210}, {"procurement.commission", 20000},
		{"financing.facilitation", 10167}, {CodeAdHocCharge, 1500}, {CodeAdHocCredit, -500},
	} {
		if got := line(t, inv, c.code).Amount.Amount; got != c.want {
			t.Errorf("%s: got %d, want %d", c.code, got, c.want)
		}
	}
	// Sections in invoice order, with subtotals.
	var cats []string
	for _, s := range inv.Sections {
		cats = append(cats, s.Category)
	}
	if want := []string{"WAREHOUSING", "TRANSPORT", "CUSTOMS", "PROCUREMENT", "FINANCING", "OTHER"}; !slices.Equal(cats, want) {
		t.Errorf("sections %v, want %v", cats, want)
	}
	if got := inv.Sections[0].Subtotal.Amount; got != 113+180+3000+1050+420+160+360 {
		t.Errorf("warehousing subtotal %d", got)
	}
	const sum = 113 + 180 + 3000 + 1050 + 420 + 160 + 360 + 13333 + 5000 + 4210 + 20000 + 10167 + 1500 - 500
	if inv.Subtotal.Amount != sum || inv.Total.Amount != sum || inv.Tax.Amount.Amount != 0 || inv.Tax.Taxable.Amount != sum-4210 {
		t.Errorf("subtotal %d total %d tax %+v, want %d (US: 0 %% on %d)", inv.Subtotal.Amount, inv.Total.Amount, inv.Tax, sum, sum-4210)
	}
	if inv.Currency != usd || inv.TermsDays != 30 {
		t.Errorf("currency %s terms %d", inv.Currency, inv.TermsDays)
	}
}

// The contract book (EUR) prices the DE account; VAT 19 % applies for a DE issuer, and a
// reverse charge (no VAT) for an issuer abroad.
func TestContractBookAndTaxes(t *testing.T) {
	at := nov.Add(3 * 24 * time.Hour)
	for _, c := range []struct {
		name          string
		issuer        string
		wantTax       int64
		reverseCharge bool
	}{
		{"domestic: 19 % VAT", "DE", 6709, false}, // 353.13 × 19 % = 67.0947 → 67.09
		{"cross-border B2B: reverse charge", "HK", 0, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := setup(t, func(cfg *Config) { cfg.Issuer.Country = c.issuer })
			f.record(t, f.de, "customs.declaration", usage.Customs, usage.Units(1), "declaration", nil, at)                  // 22.00
			f.record(t, f.de, "freight.charge", usage.Transport, usage.Units(1), "shipment", ptr(money.New(30000, eur)), at) // 300 + 6 % = 318.00
			f.record(t, f.de, "pickpack.extra_line", usage.Warehousing, 37_500_000, "line", nil, at)                         // 37.5 × 0.35 = 13.125 → 13.13
			inv := onlyInvoice(t, f.run(t, f.de))
			if inv.Currency != eur || line(t, inv, "customs.declaration").Amount.Amount != 2200 || line(t, inv, "freight.charge").Amount.Amount != 31800 ||
				line(t, inv, "pickpack.extra_line").Amount.Amount != 1313 {
				t.Fatalf("contract lines: %+v", inv.Sections)
			}
			const sub = 2200 + 31800 + 1313
			if inv.Subtotal.Amount != sub || inv.Tax.Amount.Amount != c.wantTax || inv.Tax.ReverseCharge != c.reverseCharge || inv.Total.Amount != sub+c.wantTax {
				t.Errorf("subtotal %d tax %+v total %d; want tax %d", inv.Subtotal.Amount, inv.Tax, inv.Total.Amount, c.wantTax)
			}
			if inv.TermsDays != 14 {
				t.Errorf("terms %d, want the contract's 14", inv.TermsDays)
			}
		})
	}
}

// A rate change mid-month: each record is priced by the version in effect when it happened.
func TestVersionInEffectAtOccurredAt(t *testing.T) {
	f := setup(t)
	r := DemoDefaultRates
	r.ReceivingUnit = 30
	if _, err := f.svc.SetPriceBookVersion(context.Background(), PriceBookInput{Version: Version{EffectiveFrom: nov.Add(15 * 24 * time.Hour), TermsDays: 30, Rates: r}}); err != nil {
		t.Fatal(err)
	}
	f.record(t, f.us, "receiving.unit", usage.Warehousing, usage.Units(10), "unit", nil, nov.Add(24*time.Hour))    // 10 × 0.25
	f.record(t, f.us, "receiving.unit", usage.Warehousing, usage.Units(10), "unit", nil, nov.Add(20*24*time.Hour)) // 10 × 0.30
	inv := onlyInvoice(t, f.run(t, f.us))
	if len(inv.Sections[0].Lines) != 2 || inv.Total.Amount != 250+300 {
		t.Errorf("lines %+v total %d, want 2.50 + 3.00", inv.Sections[0].Lines, inv.Total.Amount)
	}
	// A version must start after the latest one.
	_, err := f.svc.SetPriceBookVersion(context.Background(), PriceBookInput{Version: Version{EffectiveFrom: nov, Rates: r}})
	if errs.CodeOf(err) != errs.Invalid {
		t.Errorf("earlier version: %v", err)
	}
}

// An unknown code is not billed at zero: the run leaves it unclaimed and reports it; once a
// custom rate prices it, the next run bills it.
func TestUnknownCodeIsReportedNotBilled(t *testing.T) {
	f := setup(t)
	at := nov.Add(24 * time.Hour)
	f.record(t, f.us, "receiving.unit", usage.Warehousing, usage.Units(4), "unit", nil, at)
	mystery := f.record(t, f.us, "kitting.kit", usage.Warehousing, usage.Units(5), "kit", nil, at)
	rep := f.run(t, f.us)
	if rep.Unpriced["kitting.kit"] != 1 || !slices.Contains(rep.Invoices[0].UnpricedCodes, "kitting.kit") || rep.Invoices[0].Total.Amount != 100 {
		t.Fatalf("report %+v", rep)
	}
	recs, _ := f.usage.Unclaimed(context.Background(), f.us, dec)
	if len(recs) != 1 || recs[0].ID != mystery.ID {
		t.Fatalf("the unpriced record must stay unclaimed: %+v", recs)
	}
	r := DemoDefaultRates
	r.Custom = []CustomRate{{Code: "kitting.kit", UnitPrice: 75}}
	if _, err := f.svc.SetPriceBookVersion(context.Background(), PriceBookInput{Version: Version{EffectiveFrom: DemoEffectiveFrom, TermsDays: 30, Rates: r}}); err != nil {
		t.Fatal(err)
	}
	inv := onlyInvoice(t, f.run(t, f.us))
	if line(t, inv, "kitting.kit").Amount.Amount != 375 || inv.Total.Amount != 475 || len(inv.UnpricedCodes) != 0 {
		t.Errorf("after the custom rate: %+v", inv)
	}
}

func seedMany(t *testing.T, f *fixture, acct string, n int) {
	for i := range n {
		f.record(t, acct, "pickpack.order", usage.Warehousing, usage.Units(1), "order", nil, nov.Add(time.Duration(i)*time.Hour))
	}
}

// Ten concurrent runs of the same period bill each usage record exactly once, on one invoice.
func TestConcurrentRunsBillEachRecordOnce(t *testing.T) {
	f := setup(t)
	seedMany(t, f, f.us, 30)
	var wg sync.WaitGroup
	errc := make(chan error, 10)
	claimed := make(chan int, 10)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep, err := f.svc.RunPeriod(context.Background(), nov, dec, "")
			errc <- err
			claimed <- rep.Claimed
		}()
	}
	wg.Wait()
	close(errc)
	close(claimed)
	for err := range errc {
		if err != nil {
			t.Fatal(err)
		}
	}
	total := 0
	for n := range claimed {
		total += n
	}
	if total != 30 {
		t.Errorf("claims across the runs: %d, want 30", total)
	}
	checkOneInvoice(t, f, f.us, 30)
}

// checkOneInvoice asserts the account has one November invoice billing n orders, each record
// claimed by it.
func checkOneInvoice(t *testing.T, f *fixture, acct string, n int) Invoice {
	t.Helper()
	invs, err := f.svc.accountInvoices(context.Background(), acct)
	if err != nil || len(invs) != 1 {
		t.Fatalf("invoices: %d, %v", len(invs), err)
	}
	inv := invs[0]
	l := line(t, inv, "pickpack.order")
	if l.Records != n || l.Quantity != fmt.Sprint(n) || inv.Total.Amount != int64(n)*210 {
		t.Errorf("line %+v total %d, want %d orders", l, inv.Total.Amount, n)
	}
	recs, err := f.usage.Claimed(context.Background(), acct, inv.ID, false)
	if err != nil || len(recs) != n {
		t.Errorf("claimed by the invoice: %d, %v", len(recs), err)
	}
	return inv
}

// A run killed midway (after some claims, before recalculating) and started again completes
// exactly once.
func TestKilledRunCompletesOnRerun(t *testing.T) {
	f := setup(t)
	seedMany(t, f, f.us, 12)
	killed := errors.New("killed")
	f.svc.claimChunk = 1
	f.svc.beforeClaimHook = func(n int) error {
		if n == 5 {
			return killed
		}
		return nil
	}
	if _, err := f.svc.RunPeriod(context.Background(), nov, dec, f.us); !errors.Is(err, killed) {
		t.Fatalf("first run: %v", err)
	}
	f.svc.beforeClaimHook = nil
	rep := f.run(t, f.us)
	if rep.Claimed != 7 {
		t.Errorf("the rerun claimed %d, want the 7 left", rep.Claimed)
	}
	checkOneInvoice(t, f, f.us, 12)
	if rep := f.run(t, f.us); rep.Claimed != 0 {
		t.Errorf("a third run claimed %d", rep.Claimed)
	}
	checkOneInvoice(t, f, f.us, 12)
}

// Usage that arrives after its period's invoice is finalized goes on the next invoice.
func TestLateUsageGoesOnTheNextInvoice(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	seedMany(t, f, f.us, 2)
	inv := onlyInvoice(t, f.run(t, f.us))
	if _, err := f.svc.Finalize(ctx, inv.ID); err != nil {
		t.Fatal(err)
	}
	f.record(t, f.us, "pickpack.order", usage.Warehousing, usage.Units(1), "order", nil, nov.Add(29*24*time.Hour))
	if rep := f.run(t, f.us); rep.Claimed != 0 || len(rep.Invoices) != 0 {
		t.Fatalf("rerun of the finalized month: %+v", rep)
	}
	rep, err := f.svc.RunPeriod(ctx, dec, dec.AddDate(0, 1, 0), f.us)
	if err != nil {
		t.Fatal(err)
	}
	next := onlyInvoice(t, rep)
	if next.ID == inv.ID || line(t, next, "pickpack.order").Records != 1 {
		t.Errorf("December invoice %+v", next)
	}
}

// Numbers run per year without gaps, also when a finalize dies between taking its number and
// writing it: the next finalize completes it first, and the retry keeps its number.
func TestFinalizeNumbersWithoutGaps(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	var invs []Invoice
	for _, a := range []string{f.us, f.de, f.cn} {
		f.record(t, a, "customs.declaration", usage.Customs, usage.Units(1), "declaration", nil, nov.Add(time.Hour))
		invs = append(invs, onlyInvoice(t, f.run(t, a)))
	}
	crash := errors.New("crash")
	f.svc.afterNumberTakenHook = func() error { return crash }
	if _, err := f.svc.Finalize(ctx, invs[0].ID); !errors.Is(err, crash) {
		t.Fatalf("crashed finalize: %v", err)
	}
	f.svc.afterNumberTakenHook = nil
	second, err := f.svc.Finalize(ctx, invs[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	// The retry finds it finalized already: the second finalize completed it with its number.
	if _, err := f.svc.Finalize(ctx, invs[0].ID); code(err) != "INVALID_TRANSITION" {
		t.Fatalf("retry: %v", err)
	}
	first, err := f.svc.Invoice(ctx, invs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	third, err := f.svc.Finalize(ctx, invs[2].ID)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{first.Number, second.Number, third.Number}
	if want := []string{"TH-2026-000001", "TH-2026-000002", "TH-2026-000003"}; !slices.Equal(got, want) {
		t.Errorf("numbers %v, want %v", got, want)
	}
	if first.Status != StatusFinalized || !first.DueDate.Equal(f.clk.Now().AddDate(0, 0, 30)) || second.Status != StatusFinalized {
		t.Errorf("first: %s due %s", first.Status, first.DueDate)
	}
}

// Concurrent finalizes of different invoices take distinct, consecutive numbers.
func TestConcurrentFinalizes(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	var ids []string
	for _, a := range []string{f.us, f.de, f.cn} {
		f.record(t, a, "customs.declaration", usage.Customs, usage.Units(1), "declaration", nil, nov.Add(time.Hour))
		ids = append(ids, onlyInvoice(t, f.run(t, a)).ID)
	}
	var wg sync.WaitGroup
	numbers := make(chan string, 6)
	for _, id := range append(ids, ids...) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inv, err := f.svc.Finalize(ctx, id)
			if err == nil {
				numbers <- inv.Number
			}
		}()
	}
	wg.Wait()
	close(numbers)
	seen := map[string]bool{}
	for n := range numbers {
		seen[n] = true
	}
	for _, id := range ids {
		inv, _ := f.svc.Invoice(ctx, id)
		seen[inv.Number] = true
	}
	if len(seen) != 3 || !seen["TH-2026-000001"] || !seen["TH-2026-000002"] || !seen["TH-2026-000003"] {
		t.Errorf("numbers %v", seen)
	}
}

// Bad input: every refusal has its code and writes nothing.
func TestLifecycleRefusals(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.record(t, f.us, "customs.declaration", usage.Customs, usage.Units(4), "declaration", nil, nov.Add(time.Hour)) // 100.00
	inv := onlyInvoice(t, f.run(t, f.us))

	empty, err := f.svc.draftFor(ctx, f.cn, nov, dec, usd)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Finalize(ctx, empty.ID); code(err) != "EMPTY_INVOICE" {
		t.Errorf("finalize empty: %v", err)
	}
	if d, _ := f.svc.loadInvoice(ctx, empty.ID); d.Status != string(StatusDraft) {
		t.Errorf("empty invoice is %s", d.Status)
	}
	if _, err := f.svc.RecordPayment(ctx, PaymentInput{InvoiceID: inv.ID, Amount: money.New(100, usd), Reference: "early"}); code(err) != "INVALID_TRANSITION" {
		t.Errorf("payment on a draft: %v", err)
	}
	if _, err := f.svc.UpdateDraft(ctx, inv.ID, "Thanks for your business"); err != nil {
		t.Fatal(err)
	}
	fin, err := f.svc.Finalize(ctx, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.UpdateDraft(ctx, inv.ID, "changed"); code(err) != "INVALID_TRANSITION" {
		t.Errorf("edit finalized: %v", err)
	}
	if _, err := f.svc.Recalculate(ctx, inv.ID); code(err) != "INVALID_TRANSITION" {
		t.Errorf("recalculate finalized: %v", err)
	}
	for name, c := range map[string]struct {
		in   PaymentInput
		want string
	}{
		"above balance":  {PaymentInput{InvoiceID: inv.ID, Amount: money.New(10001, usd), Reference: "r"}, "PAYMENT_ABOVE_BALANCE"},
		"zero":           {PaymentInput{InvoiceID: inv.ID, Amount: money.New(0, usd), Reference: "r"}, "INVALID"},
		"other currency": {PaymentInput{InvoiceID: inv.ID, Amount: money.New(100, eur), Reference: "r"}, "INVALID"},
		"no reference":   {PaymentInput{InvoiceID: inv.ID, Amount: money.New(100, usd)}, "INVALID"},
		"foreign":        {PaymentInput{InvoiceID: ids.New(ids.Invoice), Amount: money.New(100, usd), Reference: "r"}, "NOT_FOUND"},
	} {
		if _, err := f.svc.RecordPayment(ctx, c.in); code(err) != c.want {
			t.Errorf("%s: %v, want %s", name, err, c.want)
		}
	}
	if _, err := f.svc.IssueCreditNote(ctx, CreditNoteInput{InvoiceID: inv.ID, Amount: money.New(10001, usd), Reason: "x", IdempotencyKey: "c1"}); code(err) != "CREDIT_ABOVE_TOTAL" {
		t.Errorf("credit above total: %v", err)
	}
	if d, _ := f.svc.loadInvoice(ctx, inv.ID); d.Version != mustVersion(fin) || d.Paid != 0 || d.Credited != 0 {
		t.Errorf("refusals wrote: version %d→%d paid %d credited %d", fin.Version, d.Version, d.Paid, d.Credited)
	}

	// Partial payment, a credit note, then the rest: PAID. A replayed reference changes nothing.
	got, err := f.svc.RecordPayment(ctx, PaymentInput{InvoiceID: inv.ID, Amount: money.New(4000, usd), Reference: "BANK-1"})
	if err != nil || got.Status != StatusPartiallyPaid || got.Balance().Amount != 6000 {
		t.Fatalf("partial: %+v %v", got.Status, err)
	}
	if again, err := f.svc.RecordPayment(ctx, PaymentInput{InvoiceID: inv.ID, Amount: money.New(4000, usd), Reference: "BANK-1"}); err != nil || again.Paid.Amount != 4000 {
		t.Errorf("replayed payment: %+v %v", again.Paid, err)
	}
	if got, err = f.svc.IssueCreditNote(ctx, CreditNoteInput{InvoiceID: inv.ID, Amount: money.New(1000, usd), Reason: "Damaged carton", IdempotencyKey: "c2"}); err != nil || got.Balance().Amount != 5000 {
		t.Fatalf("credit note: %+v %v", got.Balance(), err)
	}
	if got, err = f.svc.RecordPayment(ctx, PaymentInput{InvoiceID: inv.ID, Amount: money.New(5000, usd), Reference: "BANK-2"}); err != nil || got.Status != StatusPaid {
		t.Fatalf("rest: %+v %v", got.Status, err)
	}
	if _, err := f.svc.Void(ctx, inv.ID); code(err) != "INVALID_TRANSITION" {
		t.Errorf("void a paid invoice: %v", err)
	}
}

func mustVersion(inv Invoice) int64 { return inv.Version }

// Statements: open balance, overdue, and aging by days past due.
func TestStatementAging(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.record(t, f.us, "customs.declaration", usage.Customs, usage.Units(2), "declaration", nil, nov.Add(time.Hour)) // 50.00
	inv := onlyInvoice(t, f.run(t, f.us))
	if _, err := f.svc.Finalize(ctx, inv.ID); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(30*24*time.Hour + 45*24*time.Hour) // due after 30 days, then 45 days late
	st, err := f.svc.Statement(ctx, f.us)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Aging) != 1 || st.Aging[0].Balance.Amount != 5000 || st.Aging[0].Days31To60.Amount != 5000 || st.Aging[0].Overdue.Amount != 5000 || len(st.Overdue) != 1 {
		t.Errorf("statement %+v", st)
	}
	got, _ := f.svc.Invoice(ctx, inv.ID)
	if got.Effective(f.clk.Now()) != StatusOverdue {
		t.Errorf("effective status %s", got.Effective(f.clk.Now()))
	}
	// Tenancy: another account's caller sees nothing.
	f.svc.access = allow{deny: map[string]bool{f.us: true}}
	if _, err := f.svc.Statement(ctx, f.us); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("foreign statement: %v", err)
	}
	if _, err := f.svc.Invoice(ctx, inv.ID); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("foreign invoice: %v", err)
	}
	if _, err := f.svc.Finalize(ctx, inv.ID); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("foreign finalize: %v", err)
	}
	f.svc.access = allow{readOnly: true}
	if _, err := f.svc.RecordPayment(ctx, PaymentInput{InvoiceID: inv.ID, Amount: money.New(1, usd), Reference: "x"}); errs.CodeOf(err) != errs.Forbidden {
		t.Errorf("seller records a payment: %v", err)
	}
}

// The PDF and CSV render a finalized invoice.
func TestDocuments(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.record(t, f.us, "receiving.unit", usage.Warehousing, usage.Units(10), "unit", nil, nov.Add(time.Hour))
	inv := onlyInvoice(t, f.run(t, f.us))
	if _, err := f.svc.Finalize(ctx, inv.ID); err != nil {
		t.Fatal(err)
	}
	pdf, err := f.svc.InvoicePDF(ctx, inv.ID)
	if err != nil || len(pdf.Data) < 1000 || string(pdf.Data[:5]) != "%PDF-" || pdf.FileName != "TH-2026-000001.pdf" {
		t.Fatalf("pdf %s %d %v", pdf.FileName, len(pdf.Data), err)
	}
	csv, err := f.svc.InvoiceCSV(ctx, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := "section,code,description,quantity,unit,unit_price,basis,rate_bps,amount,currency\n" +
		"WAREHOUSING,receiving.unit,Receiving (units),10,unit,0.25,,0,2.50,USD\n" +
		"TAX,tax,Sales tax,,,,2.50,0,0.00,USD\n" +
		"TOTAL,total,Total,,,,,,2.50,USD\n"
	if string(csv.Data) != want {
		t.Errorf("csv:\n%s\nwant:\n%s", csv.Data, want)
	}
}

var _ = bson.D{}

// Invoices lists newest first, page by page.
func TestInvoicesNewestFirst(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	var want []string
	for i, start := range []time.Time{nov.AddDate(0, -2, 0), nov.AddDate(0, -1, 0), nov} {
		f.record(t, f.us, "customs.declaration", usage.Customs, usage.Units(1), "declaration", nil, start.Add(time.Hour))
		rep, err := f.svc.RunPeriod(ctx, start, start.AddDate(0, 1, 0), f.us)
		if err != nil || len(rep.Invoices) != 1 {
			t.Fatalf("run %d: %+v %v", i, rep, err)
		}
		want = append([]string{rep.Invoices[0].ID}, want...)
		f.clk.Advance(time.Minute)
	}
	two := 2
	first, err := f.svc.Invoices(ctx, f.us, InvoiceFilter{}, cursor.Page{First: &two})
	if err != nil || len(first.Items) != 2 || !first.HasNextPage {
		t.Fatalf("first page: %+v %v", first, err)
	}
	next, err := f.svc.Invoices(ctx, f.us, InvoiceFilter{}, cursor.Page{First: &two, After: &first.Cursors[1]})
	if err != nil || len(next.Items) != 1 || next.HasNextPage {
		t.Fatalf("second page: %+v %v", next, err)
	}
	got := []string{first.Items[0].ID, first.Items[1].ID, next.Items[0].ID}
	if !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	drafts, _ := f.svc.Invoices(ctx, f.us, InvoiceFilter{Status: StatusDraft}, cursor.Page{})
	if len(drafts.Items) != 3 {
		t.Errorf("drafts %d", len(drafts.Items))
	}
}

// The scheduled run bills last month during the first days of a month, and not later.
func TestRunScheduled(t *testing.T) {
	f := setup(t) // now: 2 December
	ctx := context.Background()
	f.record(t, f.us, "customs.declaration", usage.Customs, usage.Units(1), "declaration", nil, nov.Add(time.Hour))
	f.record(t, f.us, "customs.declaration", usage.Customs, usage.Units(1), "declaration", nil, dec.Add(time.Hour)) // this month: not yet
	n, err := f.svc.RunScheduled(ctx, 3)
	if err != nil || n != 3 {
		t.Fatalf("ran %d accounts, %v", n, err)
	}
	invs, _ := f.svc.accountInvoices(ctx, f.us)
	if len(invs) != 1 || !invs[0].PeriodStart.Equal(nov) || line(t, invs[0], "customs.declaration").Records != 1 {
		t.Fatalf("invoices %+v", invs)
	}
	f.clk.Set(dec.Add(5 * 24 * time.Hour))
	if n, _ := f.svc.RunScheduled(ctx, 3); n != 0 {
		t.Errorf("ran on the 6th: %d", n)
	}
}

// fixedFX converts CNY to USD at 0.1385 (one half-even rounding) and knows no other pair.
type fixedFX struct{}

func (fixedFX) Convert(_ context.Context, m money.Money, to money.Currency, _ time.Time) (money.Money, string, error) {
	if m.Currency.Code() != "CNY" || to != usd {
		return money.Money{}, "", errs.E(errs.Invalid, "no rate")
	}
	r := new(big.Rat).Mul(big.NewRat(m.Amount, 1), big.NewRat(1385, 10000))
	q, rem := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	if c := new(big.Int).Mul(rem, big.NewInt(2)).Cmp(r.Denom()); c > 0 || c == 0 && q.Bit(0) == 1 {
		q.Add(q, big.NewInt(1))
	}
	return money.New(q.Int64(), usd), "CNY/USD=0.1385", nil
}

// A charge whose basis is in another currency goes on the account's one invoice, converted at
// the rate in force when it happened: a CNY purchase order's commission and a CNY loan's
// facilitation fee on a USD price book make one USD invoice, not one per currency. Without a
// rate for the pair the charge keeps its currency (an invoice of its own).
func TestChargesInAnotherCurrencyAreConverted(t *testing.T) {
	f := setup(t, func(c *Config) { c.FX = fixedFX{} })
	at := nov.Add(5 * 24 * time.Hour)
	cny, jpy := money.MustCurrency("CNY"), money.MustCurrency("JPY")
	f.record(t, f.us, "receiving.unit", usage.Warehousing, usage.Units(120), "unit", nil, at)                                          // 30.00 USD
	f.record(t, f.us, "procurement.commission", usage.Procurement, usage.Units(1), "purchase_order", ptr(money.New(4250000, cny)), at) // 42,500.00 CNY → 5,886.25 USD; 3 % = 176.5875 → 176.59
	f.record(t, f.us, "financing.facilitation", usage.Financing, usage.Units(1), "loan", ptr(money.New(1500000, cny)), at)             // 15,000.00 CNY → 2,077.50 USD; 0.5 % = 10.3875 → 10.39
	f.record(t, f.us, "freight.charge", usage.Transport, usage.Units(1), "shipment", ptr(money.New(100000, jpy)), at)                  // no JPY rate: stays JPY
	rep := f.run(t, f.us)
	if len(rep.Invoices) != 2 {
		t.Fatalf("want a USD invoice and a JPY one, got %+v", rep.Invoices)
	}
	var inv Invoice
	for _, i := range rep.Invoices {
		if i.Currency == usd {
			inv = i
		}
	}
	for _, c := range []struct {
		code string
		want int64
	}{{"receiving.unit", 3000}, {"procurement.commission", 17659}, {"financing.facilitation", 1039}} {
		if got := line(t, inv, c.code).Amount.Amount; got != c.want {
			t.Errorf("%s: got %d, want %d", c.code, got, c.want)
		}
	}
}

// A run claims by scope (codes and a window of time) only the codes all of whose records it
// priced in the draft's currency; a code split across currencies, or partly unpriced, is claimed
// record by record, so each record lands on the invoice of its own currency and an unpriced
// one stays unclaimed.
func TestCodesSplitAcrossCurrenciesAreClaimedRecordByRecord(t *testing.T) {
	f := setup(t, func(c *Config) { c.FX = fixedFX{} })
	at := nov.Add(5 * 24 * time.Hour)
	jpy := money.MustCurrency("JPY")
	f.record(t, f.us, "freight.charge", usage.Transport, usage.Units(1), "shipment", ptr(money.New(10000, usd)), at)
	f.record(t, f.us, "freight.charge", usage.Transport, usage.Units(1), "shipment", ptr(money.New(100000, jpy)), at.Add(time.Hour))
	f.record(t, f.us, "procurement.commission", usage.Procurement, usage.Units(1), "purchase_order", ptr(money.New(100000, usd)), at)
	basisless := f.record(t, f.us, "procurement.commission", usage.Procurement, usage.Units(1), "purchase_order", nil, at.Add(time.Hour))
	seedMany(t, f, f.us, 3)

	rep := f.run(t, f.us)
	if len(rep.Invoices) != 2 || rep.Claimed != 6 || rep.Unpriced["procurement.commission"] != 1 {
		t.Fatalf("run: %d invoices, %d claimed, unpriced %v; want a USD and a JPY invoice, 6 claimed, the basisless commission unpriced",
			len(rep.Invoices), rep.Claimed, rep.Unpriced)
	}
	for _, inv := range rep.Invoices {
		recs, err := f.usage.Claimed(context.Background(), f.us, inv.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"USD": 5, "JPY": 1}[inv.Currency.Code()]
		if len(recs) != want {
			t.Errorf("%s invoice holds %d records, want %d", inv.Currency.Code(), len(recs), want)
		}
		for _, r := range recs {
			if r.Amount != nil && r.Amount.Currency != inv.Currency {
				t.Errorf("%s invoice holds a %s %s", inv.Currency.Code(), r.Amount.Currency.Code(), r.Code)
			}
		}
	}
	left, _ := f.usage.Unclaimed(context.Background(), f.us, dec)
	if len(left) != 1 || left[0].ID != basisless.ID {
		t.Errorf("unclaimed %v, want only the basisless commission %s", left, basisless.ID)
	}
}

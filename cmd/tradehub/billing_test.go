package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	stripewebhook "github.com/stripe/stripe-go/v76/webhook"

	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/billing/stripetest"
	"github.com/tradehub/tradehub/services/usage"
)

// thisMonth is the period the app's (system) clock is in.
func thisMonth() string { return time.Now().UTC().Format("2006-01") }

const invoiceFields = `id number status currencyCode syncStatus stripeInvoiceId payUrl pdfUrl csvUrl
	sections { category subtotal { amount } lines { code quantity amount { amount currencyCode } } }
	subtotal { amount } tax { name rateBps reverseCharge amount { amount } } total { amount } balance { amount }`

// invoiceFor has admin bill an ad-hoc charge to account and runs and finalizes its month; it
// returns the finalized invoice's id.
func invoiceFor(t *testing.T, admin *client, account, currency, key string) string {
	t.Helper()
	r := admin.do(`mutation($a: ID!, $c: CurrencyCode!, $k: String!) { addAdHocCharge(input: {accountId: $a, amount: {amount: "12.50", currencyCode: $c}, reason: "Relabelling", idempotencyKey: $k}) { usageRecord { id } userErrors { code message } } }`,
		map[string]any{"a": account, "c": currency, "k": key})
	if !r.ok("addAdHocCharge") {
		t.Fatalf("ad-hoc charge: %s", r.Raw)
	}
	r = admin.do(`mutation($a: ID!, $p: String!) { runInvoices(input: {accountId: $a, period: $p}) { invoices { id currencyCode } userErrors { code message } } }`,
		map[string]any{"a": account, "p": thisMonth()})
	// The charge lands on the account's invoice of its price book's currency (converted through
	// the FX table when it differs), so the run gives one invoice.
	var id string
	if invs, _ := r.path("runInvoices", "invoices").([]any); len(invs) == 1 {
		id = invs[0].(map[string]any)["id"].(string)
	}
	if id == "" {
		t.Fatalf("run: %s", r.Raw)
	}
	r = admin.do(`mutation($i: ID!) { finalizeInvoice(input: {invoiceId: $i}) { invoice { id status } userErrors { code message } } }`, map[string]any{"i": id})
	if r.str("finalizeInvoice", "invoice", "status") != "FINALIZED" {
		t.Fatalf("finalize: %s", r.Raw)
	}
	return id
}

// billingWorld gives Brightlight a finalized invoice, for the payInvoice cell.
func billingWorld(t *testing.T, w *world) {
	t.Helper()
	w.invoice = invoiceFor(t, w.admin, w.brightlight, "CNY", "matrix-world")
}

func kesslerBillingFixtures(t *testing.T, w world, f *foreignIDs) {
	t.Helper()
	f.invoice = invoiceFor(t, w.admin, w.kessler, "EUR", "tenancy-world")
}

const ratesInput = `{storageCubicMetreDay: "3.20", storagePalletDay: "4.10", receivingUnit: "1.80", receivingCarton: "9.00", pickPackOrder: "15.00",
	pickPackExtraLine: "2.50", returnsUnit: "8.00", freightMarkupBps: 700, customsDeclaration: "160.00", procurementCommissionBps: 300,
	procurementMinimum: "350.00", financingFacilitationBps: 50}`

// billingCells exercise the billing resources of the matrix.
var billingCells = []cell{
	{access.PriceBooks, access.Read, platformDomain, queryCell(`{ priceBook { id versions { effectiveFrom } } }`, func(world) map[string]any { return nil }, "priceBook")},
	{access.PriceBooks, access.Write, accountDomain, mutationCell("setPriceBookVersion",
		`mutation($a: ID!, $d: DateTime!) { setPriceBookVersion(input: {accountId: $a, name: "Brightlight contract", currencyCode: "CNY", effectiveFrom: $d, termsDays: 30, rates: `+ratesInput+`}) { priceBook { id } userErrors { code message } } }`,
		func(w world, n int) map[string]any {
			return map[string]any{"a": w.brightlight, "d": time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n).Format(time.RFC3339)}
		})},
	{access.Invoices, access.Read, accountDomain, queryCell(`query($a: ID!) { invoices(accountId: $a) { nodes { id } } }`, inBrightlightAccount, "invoices")},
	{access.Invoices, access.Write, accountDomain, mutationCell("addAdHocCharge",
		`mutation($a: ID!, $k: String!) { addAdHocCharge(input: {accountId: $a, amount: {amount: "1.00", currencyCode: "CNY"}, reason: "matrix", idempotencyKey: $k}) { usageRecord { id } userErrors { code } } }`,
		func(w world, n int) map[string]any {
			return map[string]any{"a": w.brightlight, "k": fmt.Sprintf("matrix-%d", n)}
		})},
	{access.InvoicePay, access.Write, accountDomain, mutationCell("payInvoice",
		`mutation($i: ID!) { payInvoice(input: {invoiceId: $i}) { invoice { id } payUrl userErrors { code } } }`,
		func(w world, _ int) map[string]any { return map[string]any{"i": w.invoice} })},
}

func foreignInvoice(f foreignIDs) map[string]any { return map[string]any{"i": f.invoice} }
func foreignAccount(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }

// billingTenancyCases probe every billing field that takes an id.
var billingTenancyCases = map[string]tenancyCase{
	"Query.invoice":          {`query($i: ID!) { invoice(id: $i) { id } }`, foreignInvoice},
	"Query.invoices":         {`query($a: ID!) { invoices(accountId: $a) { nodes { id } } }`, foreignAccount},
	"Query.billingStatement": {`query($a: ID!) { billingStatement(accountId: $a) { accountId } }`, foreignAccount},
	"Query.currentUsage":     {`query($a: ID!) { currentUsage(accountId: $a) { currencyCode } }`, foreignAccount},
	"Query.priceBook":        {`query($a: ID) { priceBook(accountId: $a) { id } }`, foreignAccount},
	"Mutation.runInvoices": {`mutation($a: ID!) { runInvoices(input: {accountId: $a, period: "2026-10"}) { claimed userErrors { code field } } }`,
		foreignAccount},
	"Mutation.recalculateInvoice": {`mutation($i: ID!) { recalculateInvoice(input: {invoiceId: $i}) { invoice { id } userErrors { code field } } }`, foreignInvoice},
	"Mutation.updateInvoiceDraft": {`mutation($i: ID!) { updateInvoiceDraft(input: {invoiceId: $i, memo: "x"}) { invoice { id } userErrors { code field } } }`, foreignInvoice},
	"Mutation.finalizeInvoice":    {`mutation($i: ID!) { finalizeInvoice(input: {invoiceId: $i}) { invoice { id } userErrors { code field } } }`, foreignInvoice},
	"Mutation.recordInvoicePayment": {`mutation($i: ID!) { recordInvoicePayment(input: {invoiceId: $i, amount: {amount: "1.00", currencyCode: "EUR"}, reference: "x"}) { invoice { id } userErrors { code field } } }`,
		foreignInvoice},
	"Mutation.issueCreditNote": {`mutation($i: ID!) { issueCreditNote(input: {invoiceId: $i, amount: {amount: "1.00", currencyCode: "EUR"}, reason: "x", idempotencyKey: "x"}) { invoice { id } userErrors { code field } } }`,
		foreignInvoice},
	"Mutation.voidInvoice": {`mutation($i: ID!) { voidInvoice(input: {invoiceId: $i}) { invoice { id } userErrors { code field } } }`, foreignInvoice},
	"Mutation.payInvoice":  {`mutation($i: ID!) { payInvoice(input: {invoiceId: $i}) { payUrl userErrors { code field } } }`, foreignInvoice},
	"Mutation.addAdHocCharge": {`mutation($a: ID!) { addAdHocCharge(input: {accountId: $a, amount: {amount: "1.00", currencyCode: "EUR"}, reason: "x", idempotencyKey: "x"}) { usageRecord { id } userErrors { code field } } }`,
		foreignAccount},
	"Mutation.setPriceBookVersion": {`mutation($a: ID!) { setPriceBookVersion(input: {accountId: $a, effectiveFrom: "2031-01-01T00:00:00Z", termsDays: 30, rates: ` + ratesInput + `}) { priceBook { id } userErrors { code field } } }`,
		foreignAccount},
	"Mutation.createLoanRepaymentInvoice": {`mutation($a: ID!) { createLoanRepaymentInvoice(input: {accountId: $a, loanId: "loan_01jq3v8k2m5x7c9d0e4f6g8h1j", amount: {amount: "1.00", currencyCode: "EUR"}, idempotencyKey: "x"}) { invoice { id } userErrors { code field } } }`,
		foreignAccount},
}

// The "done when": an account manager runs the month for the demo accounts, reviews
// Kessler's consolidated invoice (warehousing, freight, customs, procurement and financing
// lines), finalizes it, it is pushed to stripe-mock, a signed invoice.paid webhook arrives,
// and the seller sees it PAID, with its PDF; other tenants get 404 for the PDF.
func TestBillingMonthEndToEnd(t *testing.T) {
	mock := stripetest.StartMock(t)
	const secret = "whsec_journey"
	a, base, _ := startApp(t, appOptions{env: map[string]string{"STRIPE_API_KEY": "sk_test_journey", "STRIPE_API_BASE": mock,
		"STRIPE_WEBHOOK_SECRET": secret}})
	w := loadWorld(t, base)

	// What the domains record as they work (procurement and financing are other engineers'
	// services: their records are written here as those services will write them).
	u := usage.NewService(a.store.DB, clock.System())
	eur := money.MustCurrency("EUR")
	now := time.Now().UTC()
	amt := func(n int64) *money.Money { m := money.New(n, eur); return &m }
	for _, r := range []usage.Record{
		{Category: usage.Warehousing, Code: "storage.cubic_metre_day", Quantity: 12_500_000, Unit: "cubic_metre_day"},
		{Category: usage.Warehousing, Code: "pickpack.order", Quantity: usage.Units(1), Unit: "order"},
		{Category: usage.Transport, Code: "freight.charge", Quantity: usage.Units(1), Unit: "shipment", Amount: amt(48000)},
		{Category: usage.Customs, Code: "customs.declaration", Quantity: usage.Units(1), Unit: "declaration"},
		{Category: usage.Procurement, Code: "procurement.commission", Quantity: usage.Units(1), Unit: "purchase_order", Amount: amt(1200000)},
		{Category: usage.Financing, Code: "financing.facilitation", Quantity: usage.Units(1), Unit: "loan", Amount: amt(5000000)},
	} {
		r.AccountID, r.OccurredAt, r.SourceKey = w.kessler, now, "journey:"+r.Code
		if _, _, err := u.Record(t.Context(), r); err != nil {
			t.Fatal(err)
		}
	}

	lin := signIn(t, base, "am.lin@tradehub.test")
	r := lin.do(`mutation($p: String!) { runInvoices(input: {period: $p}) { invoices { id accountId currencyCode } claimed unpriced { code } userErrors { code message } } }`,
		map[string]any{"p": thisMonth()})
	if !r.ok("runInvoices") {
		t.Fatalf("run: %s", r.Raw)
	}
	var inv string
	accountsRun := map[string]bool{}
	for _, n := range r.path("runInvoices", "invoices").([]any) {
		m := n.(map[string]any)
		accountsRun[m["accountId"].(string)] = true
		if m["accountId"] == w.kessler && m["currencyCode"] == "EUR" {
			inv = m["id"].(string)
		}
	}
	if inv == "" || accountsRun[w.maple] {
		t.Fatalf("Lin bills Brightlight and Kessler, not Maple: %s", r.Raw)
	}
	// A second run is a no-op.
	if again := lin.do(`mutation($p: String!) { runInvoices(input: {period: $p}) { claimed } }`, map[string]any{"p": thisMonth()}); again.path("runInvoices", "claimed") != float64(0) {
		t.Errorf("second run claimed: %s", again.Raw)
	}

	r = lin.do(`query($i: ID!) { invoice(id: $i) { `+invoiceFields+` } }`, map[string]any{"i": inv})
	var cats []string
	for _, s := range r.path("invoice", "sections").([]any) {
		cats = append(cats, s.(map[string]any)["category"].(string))
	}
	for _, want := range []string{"WAREHOUSING", "TRANSPORT", "CUSTOMS", "PROCUREMENT", "FINANCING"} {
		if !slices.Contains(cats, want) {
			t.Errorf("the consolidated invoice lacks %s: %v", want, cats)
		}
	}
	// Kessler's contract (EUR): 480.00 freight + 6 % = 508.80; procurement 2.5 % of 12,000 =
	// 300.00; facilitation 0.4 % of 50,000 = 200.00; customs 22.00. DE buyer, HK issuer:
	// reverse charge, so the total is the subtotal.
	lines := map[string]string{}
	for _, s := range r.path("invoice", "sections").([]any) {
		for _, l := range s.(map[string]any)["lines"].([]any) {
			lm := l.(map[string]any)
			lines[lm["code"].(string)] = lm["amount"].(map[string]any)["amount"].(string)
		}
	}
	for code, want := range map[string]string{"freight.charge": "508.80", "procurement.commission": "300.00",
		"financing.facilitation": "200.00", "customs.declaration": "22.00"} {
		if lines[code] != want {
			t.Errorf("%s: %q, want %s", code, lines[code], want)
		}
	}
	if r.path("invoice", "tax", "reverseCharge") != true || r.str("invoice", "total", "amount") != r.str("invoice", "subtotal", "amount") {
		t.Errorf("tax %v", r.path("invoice", "tax"))
	}
	if r.str("invoice", "status") != "DRAFT" {
		t.Errorf("status %s", r.str("invoice", "status"))
	}

	r = lin.do(`mutation($i: ID!) { finalizeInvoice(input: {invoiceId: $i}) { invoice { `+invoiceFields+` } userErrors { code message } } }`, map[string]any{"i": inv})
	if r.str("finalizeInvoice", "invoice", "status") != "FINALIZED" || r.str("finalizeInvoice", "invoice", "syncStatus") != "SYNCED" {
		t.Fatalf("finalize: %s", r.Raw)
	}
	stripeID := r.str("finalizeInvoice", "invoice", "stripeInvoiceId")
	if stripeID == "" || r.str("finalizeInvoice", "invoice", "number") == "" {
		t.Fatalf("not pushed: %s", r.Raw)
	}
	// Editing a finalized invoice is refused.
	r = lin.do(`mutation($i: ID!) { updateInvoiceDraft(input: {invoiceId: $i, memo: "late edit"}) { invoice { id } userErrors { code } } }`, map[string]any{"i": inv})
	if c := r.codes("updateInvoiceDraft"); len(c) != 1 || c[0] != "INVALID_TRANSITION" {
		t.Errorf("edit finalized: %s", r.Raw)
	}

	post := func(body []byte, sig string) int {
		req, _ := http.NewRequest(http.MethodPost, base+"/webhooks/stripe", bytes.NewReader(body))
		req.Header.Set("Stripe-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	body, _ := json.Marshal(map[string]any{"id": "evt_journey_paid", "object": "event", "type": "invoice.paid", "api_version": "2023-10-16",
		"data": map[string]any{"object": map[string]any{"id": stripeID, "object": "invoice", "metadata": map[string]any{"tradehub_invoice_id": inv}}}})
	if got := post(body, stripewebhook.GenerateTestSignedPayload(&stripewebhook.UnsignedPayload{Payload: body, Secret: "whsec_wrong"}).Header); got != 400 {
		t.Errorf("bad signature: %d", got)
	}
	if got := post(body, stripewebhook.GenerateTestSignedPayload(&stripewebhook.UnsignedPayload{Payload: body, Secret: secret}).Header); got != 200 {
		t.Fatalf("invoice.paid: %d", got)
	}

	owner := signIn(t, base, "owner@kessler-outdoor.test")
	r = owner.do(`query($a: ID!) { invoices(accountId: $a) { nodes { id status balance { amount } } } billingStatement(accountId: $a) { aging { balance { amount } } } }`, map[string]any{"a": w.kessler})
	found := false
	for _, n := range r.path("invoices", "nodes").([]any) {
		if m := n.(map[string]any); m["id"] == inv {
			found = true
			if m["status"] != "PAID" || m["balance"].(map[string]any)["amount"] != "0.00" {
				t.Errorf("seller sees %v", m)
			}
		}
	}
	if !found {
		t.Fatalf("seller does not see the invoice: %s", r.Raw)
	}
	pdfURL := r2str(owner.do(`query($i: ID!) { invoice(id: $i) { pdfUrl } }`, map[string]any{"i": inv}), "invoice", "pdfUrl")
	if code, ctype := download(t, owner, base+pdfURL); code != 200 || ctype != "application/pdf" {
		t.Errorf("seller PDF: %d %s", code, ctype)
	}
	if code, _ := download(t, signIn(t, base, "owner@brightlight.test"), base+pdfURL); code != 404 {
		t.Errorf("another tenant's PDF: %d, want 404", code)
	}
	if code, _ := download(t, anonymous(t, base), base+pdfURL); code != http.StatusUnauthorized {
		t.Errorf("PDF without credentials: %d, want 401", code)
	}
	csvURL := r2str(owner.do(`query($i: ID!) { invoice(id: $i) { csvUrl } }`, map[string]any{"i": inv}), "invoice", "csvUrl")
	if code, ctype := download(t, owner, base+csvURL); code != 200 || ctype != "text/csv; charset=utf-8" {
		t.Errorf("seller CSV: %d %s", code, ctype)
	}
	// Sellers read but do not bill.
	r = owner.do(`mutation($i: ID!) { recordInvoicePayment(input: {invoiceId: $i, amount: {amount: "1.00", currencyCode: "EUR"}, reference: "x"}) { invoice { id } userErrors { code } } }`, map[string]any{"i": inv})
	if c := r.codes("recordInvoicePayment"); len(c) != 1 || c[0] != "FORBIDDEN" {
		t.Errorf("seller records a payment: %s", r.Raw)
	}
}

func r2str(r response, keys ...string) string { return r.str(keys...) }

// Bad input over GraphQL: each refusal is a userError with its code and field, and writes nothing.
func TestBillingBadInputOverHTTP(t *testing.T) {
	a, base := demoApp(t)
	w := loadWorld(t, base)
	inv := invoiceFor(t, w.admin, w.kessler, "EUR", "bad-input")
	lin := signIn(t, base, "am.lin@tradehub.test")
	r := lin.do(`query($i: ID!) { invoice(id: $i) { total { amount } } }`, map[string]any{"i": inv})
	total, err := money.ParseAmount(r.str("invoice", "total", "amount"), money.MustCurrency("EUR"))
	if err != nil {
		t.Fatalf("total: %s", r.Raw)
	}
	above := money.FormatAmount(total+1, money.MustCurrency("EUR")) // one cent over the balance and the total
	for _, c := range []struct {
		name, mutation, query string
		vars                  map[string]any
		code, field           string
	}{
		{"malformed period", "runInvoices", `mutation { runInvoices(input: {period: "November"}) { claimed userErrors { code field } } }`, nil, "INVALID", "input.period"},
		{"payment above balance", "recordInvoicePayment", `mutation($i: ID!, $x: Decimal!) { recordInvoicePayment(input: {invoiceId: $i, amount: {amount: $x, currencyCode: "EUR"}, reference: "B1"}) { invoice { id } userErrors { code field } } }`,
			map[string]any{"i": inv, "x": above}, "PAYMENT_ABOVE_BALANCE", "input.amount"},
		{"payment in another currency", "recordInvoicePayment", `mutation($i: ID!) { recordInvoicePayment(input: {invoiceId: $i, amount: {amount: "1.00", currencyCode: "USD"}, reference: "B2"}) { invoice { id } userErrors { code field } } }`,
			map[string]any{"i": inv}, "INVALID", "input.amount.currencyCode"},
		{"credit note above total", "issueCreditNote", `mutation($i: ID!, $x: Decimal!) { issueCreditNote(input: {invoiceId: $i, amount: {amount: $x, currencyCode: "EUR"}, reason: "x", idempotencyKey: "c1"}) { invoice { id } userErrors { code field } } }`,
			map[string]any{"i": inv, "x": above}, "CREDIT_ABOVE_TOTAL", "input.amount"},
		{"finalize twice", "finalizeInvoice", `mutation($i: ID!) { finalizeInvoice(input: {invoiceId: $i}) { invoice { id } userErrors { code field } } }`,
			map[string]any{"i": inv}, "INVALID_TRANSITION", ""},
		{"ad-hoc without reason", "addAdHocCharge", `mutation($a: ID!) { addAdHocCharge(input: {accountId: $a, amount: {amount: "5.00", currencyCode: "EUR"}, reason: " ", idempotencyKey: "k"}) { usageRecord { id } userErrors { code field } } }`,
			map[string]any{"a": w.kessler}, "INVALID", "input.reason"},
		{"negative rate", "setPriceBookVersion", `mutation($a: ID!) { setPriceBookVersion(input: {accountId: $a, effectiveFrom: "2031-01-01T00:00:00Z", termsDays: 30, rates: {storageCubicMetreDay: "-1.00", storagePalletDay: "0", receivingUnit: "0", receivingCarton: "0", pickPackOrder: "0", pickPackExtraLine: "0", returnsUnit: "0", freightMarkupBps: 0, customsDeclaration: "0", procurementCommissionBps: 0, procurementMinimum: "0", financingFacilitationBps: 0}}) { priceBook { id } userErrors { code field } } }`,
			map[string]any{"a": w.kessler}, "INVALID", "input.rates.storageCubicMetreDay"},
		{"repayment of a loan that does not exist", "createLoanRepaymentInvoice", `mutation($a: ID!) { createLoanRepaymentInvoice(input: {accountId: $a, loanId: "loan_01jq3v8k2m5x7c9d0e4f6g8h1j", amount: {amount: "100.00", currencyCode: "EUR"}, idempotencyKey: "k"}) { invoice { id } userErrors { code field } } }`,
			map[string]any{"a": w.kessler}, "NOT_FOUND", "input.loanId"},
	} {
		before := snapshot(t, a)
		r = lin.do(c.query, c.vars)
		after := snapshot(t, a)
		ue, _ := r.path(c.mutation, "userErrors").([]any)
		if len(ue) != 1 {
			t.Errorf("%s: %s", c.name, r.Raw)
			continue
		}
		e := ue[0].(map[string]any)
		field := ""
		if f, ok := e["field"].([]any); ok {
			for i, p := range f {
				if i > 0 {
					field += "."
				}
				field += p.(string)
			}
		}
		if e["code"] != c.code || field != c.field {
			t.Errorf("%s: %v %q, want %s %q", c.name, e["code"], field, c.code, c.field)
		}
		if before != after {
			t.Errorf("%s wrote to the store", c.name)
		}
	}
}

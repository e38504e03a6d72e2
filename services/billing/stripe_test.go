package billing

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/billing/stripetest"
	"github.com/tradehub/tradehub/services/usage"
)

const whsec = "whsec_test_secret"

// A push that meets 5xx answers (the first ones even after stripe-mock did the work) stays
// PENDING_SYNC, is retried by the queue with backoff, and creates one Stripe invoice: every
// retried call carries the same idempotency key.
func TestStripePushRetriedAfter5xxCreatesOneInvoice(t *testing.T) {
	mock := stripetest.StartMock(t)
	proxy := stripetest.NewFaultProxy(t, mock, 3, true)
	f := setup(t, func(c *Config) { c.StripeKey, c.StripeAPIBase = "sk_test_123", proxy.URL })
	ctx := context.Background()
	f.record(t, f.us, "receiving.unit", usage.Warehousing, usage.Units(10), "unit", nil, nov.Add(time.Hour))
	f.record(t, f.us, "customs.declaration", usage.Customs, usage.Units(1), "declaration", nil, nov.Add(time.Hour))
	inv := onlyInvoice(t, f.run(t, f.us))
	fin, err := f.svc.Finalize(ctx, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fin.Sync != SyncPending || fin.SyncError == "" {
		t.Fatalf("after a 5xx: sync %s (%q)", fin.Sync, fin.SyncError)
	}
	for i := 0; i < 10; i++ {
		// Not due yet: nothing is pushed before the backoff has passed.
		if n, err := f.svc.SyncPending(ctx, 10); err != nil || n != 0 {
			t.Fatalf("early sync: %d %v", n, err)
		}
		f.clk.Advance(time.Hour)
		if _, err := f.svc.SyncPending(ctx, 10); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.svc.Invoice(ctx, inv.ID); got.Sync == SyncSynced {
			break
		}
	}
	got, _ := f.svc.Invoice(ctx, inv.ID)
	// (stripe-mock's invoice fixture has no hosted_invoice_url; Stripe's has one, stored as is.)
	if got.Sync != SyncSynced || got.StripeID == "" || got.SyncError != "" {
		t.Fatalf("not synced: %+v", got)
	}
	creates := map[string]int{}
	keysByPath := map[string]map[string]bool{}
	for _, r := range proxy.Requests() {
		if r.Method != http.MethodPost {
			continue
		}
		if keysByPath[r.Path] == nil {
			keysByPath[r.Path] = map[string]bool{}
		}
		keysByPath[r.Path][r.IdempotencyKey] = true
		if r.IdempotencyKey == "" {
			t.Errorf("POST %s without an idempotency key", r.Path)
		}
		creates[r.Path]++
	}
	if len(keysByPath["/v1/customers"]) != 1 || len(keysByPath["/v1/invoices"]) != 1 {
		t.Errorf("customer and invoice must each be one key: %v", keysByPath)
	}
	if want := 2; len(keysByPath["/v1/invoiceitems"]) != want { // two lines, no tax (US)
		t.Errorf("invoice items: %d keys, want %d", len(keysByPath["/v1/invoiceitems"]), want)
	}
	if proxy.Requests()[0].Failed != true || creates["/v1/customers"] < 2 {
		t.Errorf("the fault proxy did not fail the first calls: %+v", proxy.Requests()[:3])
	}
	// Pushed once: the queue is empty now.
	f.clk.Advance(24 * time.Hour)
	before := len(proxy.Requests())
	if n, _ := f.svc.SyncPending(ctx, 10); n != 0 || len(proxy.Requests()) != before {
		t.Errorf("synced invoice pushed again")
	}
}

func signed(t *testing.T, payload []byte, secret string, at time.Time) string {
	t.Helper()
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at}).Header
}

func event(id, typ string, object map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"id": id, "object": "event", "type": typ, "api_version": "2023-10-16",
		"created": time.Now().Unix(), "data": map[string]any{"object": object}})
	return b
}

type loansFake struct {
	mu    sync.Mutex
	calls []string
}

// LoanOwed answers USD 1,000,000.00 for any loan; financing tests what an unknown or closed one answers.
func (l *loansFake) LoanOwed(_ context.Context, _, _ string) (money.Money, error) {
	return money.New(1_000_000_00, money.MustCurrency("USD")), nil
}

func (l *loansFake) ApplyLoanPayment(_ context.Context, accountID, loanID string, amount money.Money, reference string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, fmt.Sprintf("%s %s %s %s", accountID, loanID, amount, reference))
	return nil
}

// Webhooks: valid, bad signature, replay, stale, unknown type, unknown invoice, out of order.
func TestStripeWebhooks(t *testing.T) {
	mock := stripetest.StartMock(t)
	loans := &loansFake{}
	f := setup(t, func(c *Config) {
		c.StripeKey, c.StripeAPIBase, c.StripeWebhookSecret = "sk_test_123", mock, whsec
		c.Loans = loans
	})
	ctx := context.Background()
	f.record(t, f.us, "customs.declaration", usage.Customs, usage.Units(1), "declaration", nil, nov.Add(time.Hour))
	inv := onlyInvoice(t, f.run(t, f.us))
	fin, err := f.svc.Finalize(ctx, inv.ID)
	if err != nil || fin.Sync != SyncSynced {
		t.Fatalf("finalize: %+v %v", fin.Sync, err)
	}
	srv := httptest.NewServer(f.svc.WebhookHandler())
	defer srv.Close()
	post := func(body []byte, sig string) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
		req.Header.Set("Stripe-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	stripeInv := map[string]any{"id": fin.StripeID, "object": "invoice", "metadata": map[string]any{"tradehub_invoice_id": inv.ID}}
	paid := event("evt_paid_1", "invoice.paid", stripeInv)
	now := time.Now()
	status := func() (Status, int) {
		got, _ := f.svc.Invoice(ctx, inv.ID)
		return got.Status, len(got.Payments)
	}

	for _, c := range []struct {
		name string
		body []byte
		sig  string
		want int
	}{
		{"bad signature", paid, signed(t, paid, "whsec_wrong", now), 400},
		{"tampered body", []byte(strings.Replace(string(paid), "evt_paid_1", "evt_paid_X", 1)), signed(t, paid, whsec, now), 400},
		{"stale timestamp", paid, signed(t, paid, whsec, now.Add(-10*time.Minute)), 400},
		{"no signature", paid, "", 400},
	} {
		if got := post(c.body, c.sig); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
		if st, n := status(); st != StatusFinalized || n != 0 {
			t.Errorf("%s changed the invoice: %s, %d payments", c.name, st, n)
		}
	}
	if got := post(paid, signed(t, paid, whsec, now)); got != 200 {
		t.Fatalf("valid invoice.paid: %d", got)
	}
	if st, n := status(); st != StatusPaid || n != 1 {
		t.Fatalf("after invoice.paid: %s, %d payments", st, n)
	}
	if got := post(paid, signed(t, paid, whsec, now)); got != 200 {
		t.Errorf("replay: %d", got)
	}
	paidAgain := event("evt_paid_2", "invoice.paid", stripeInv) // same fact, another event id
	failed := event("evt_failed_late", "invoice.payment_failed", stripeInv)
	voided := event("evt_void_late", "invoice.voided", stripeInv)
	for _, b := range [][]byte{paidAgain, failed, voided} {
		if got := post(b, signed(t, b, whsec, now)); got != 200 {
			t.Errorf("late event: %d", got)
		}
	}
	if st, n := status(); st != StatusPaid || n != 1 {
		t.Errorf("late events reverted PAID: %s, %d payments", st, n)
	}
	unknownType := event("evt_other", "customer.created", map[string]any{"id": "cus_1", "object": "customer"})
	unknownInvoice := event("evt_unknown_inv", "invoice.paid", map[string]any{"id": "in_nope", "object": "invoice", "metadata": map[string]any{}})
	for name, b := range map[string][]byte{"unknown type": unknownType, "unknown invoice": unknownInvoice} {
		if got := post(b, signed(t, b, whsec, now)); got != 200 {
			t.Errorf("%s: %d", name, got)
		}
	}
	refund := event("evt_refund", "charge.refunded", map[string]any{"id": "ch_1", "object": "charge", "amount_refunded": 1000, "invoice": fin.StripeID})
	if got := post(refund, signed(t, refund, whsec, now)); got != 200 {
		t.Errorf("refund: %d", got)
	}
	if got, _ := f.svc.Invoice(ctx, inv.ID); got.Refunded.Amount != 1000 {
		t.Errorf("refunded %v", got.Refunded)
	}

	// A loan repayment invoice: paid through Stripe, applied to the loan once.
	loan := ids.New(ids.Loan)
	rep, err := f.svc.CreateLoanRepaymentInvoice(ctx, LoanRepaymentInput{AccountID: f.us, LoanID: loan, Amount: money.New(250000, usd), IdempotencyKey: "r1"})
	if err != nil || rep.Status != StatusFinalized || rep.StripeID == "" {
		t.Fatalf("repayment invoice: %+v %v", rep, err)
	}
	if again, err := f.svc.CreateLoanRepaymentInvoice(ctx, LoanRepaymentInput{AccountID: f.us, LoanID: loan, Amount: money.New(250000, usd), IdempotencyKey: "r1"}); err != nil || again.ID != rep.ID {
		t.Errorf("replayed repayment invoice: %v %v", again.ID, err)
	}
	for i, id := range []string{"evt_loan_1", "evt_loan_1", "evt_loan_2"} {
		b := event(id, "invoice.paid", map[string]any{"id": rep.StripeID, "object": "invoice", "metadata": map[string]any{"tradehub_invoice_id": rep.ID}})
		if got := post(b, signed(t, b, whsec, now)); got != 200 {
			t.Errorf("loan paid %d: %d", i, got)
		}
	}
	if want := fmt.Sprintf("%s %s 2500.00 USD %s", f.us, loan, rep.ID); len(loans.calls) != 1 || loans.calls[0] != want {
		t.Errorf("loan payments %q, want once %q", loans.calls, want)
	}
}

// Without financing wired, a repayment invoice is refused with a clear error.
func TestLoanRepaymentWithoutFinancing(t *testing.T) {
	f := setup(t)
	_, err := f.svc.CreateLoanRepaymentInvoice(context.Background(), LoanRepaymentInput{AccountID: f.us, LoanID: ids.New(ids.Loan), Amount: money.New(100, usd), IdempotencyKey: "k"})
	if code(err) != "FINANCING_UNAVAILABLE" || errs.CodeOf(err) != errs.FailedPrecondition {
		t.Errorf("got %v", err)
	}
}

// A repayment invoice is for at most what the loan owes, in its currency.
func TestLoanRepaymentAboveWhatIsOwed(t *testing.T) {
	f := setup(t, func(c *Config) { c.Loans = &loansFake{} })
	for _, amt := range []money.Money{money.New(1_000_000_01, usd), money.New(100, money.MustCurrency("EUR"))} {
		_, err := f.svc.CreateLoanRepaymentInvoice(context.Background(), LoanRepaymentInput{AccountID: f.us, LoanID: ids.New(ids.Loan), Amount: amt, IdempotencyKey: "k"})
		if errs.CodeOf(err) != errs.Invalid {
			t.Errorf("%s: got %v, want INVALID", amt, err)
		}
	}
}

type flakyLoans struct {
	loansFake
	fail bool
}

func (l *flakyLoans) ApplyLoanPayment(ctx context.Context, accountID, loanID string, amount money.Money, reference string) error {
	if l.fail {
		return errs.E(errs.Internal, "financing is down")
	}
	return l.loansFake.ApplyLoanPayment(ctx, accountID, loanID, amount, reference)
}

// A repayment settled by bank transfer while financing is down is applied by the worker later,
// once.
func TestLoanRepaymentAppliedAfterFinancingRecovers(t *testing.T) {
	loans := &flakyLoans{fail: true}
	f := setup(t, func(c *Config) { c.Loans = loans })
	ctx := context.Background()
	inv, err := f.svc.CreateLoanRepaymentInvoice(ctx, LoanRepaymentInput{AccountID: f.us, LoanID: ids.New(ids.Loan), Amount: money.New(50000, usd), IdempotencyKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := f.svc.RecordPayment(ctx, PaymentInput{InvoiceID: inv.ID, Amount: money.New(50000, usd), Reference: "BANK-9"}); err != nil || got.Status != StatusPaid {
		t.Fatalf("payment: %v %v", got.Status, err)
	}
	loans.fail = false
	for range 2 {
		if _, err := f.svc.SyncPending(ctx, 10); err != nil {
			t.Fatal(err)
		}
	}
	if len(loans.calls) != 1 {
		t.Errorf("loan payments %v, want one", loans.calls)
	}
}

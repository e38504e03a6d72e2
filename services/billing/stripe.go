package billing

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/errs"
)

type stripeClient struct{ api *client.API }

// newStripeClient builds a client over base (empty: Stripe itself). stripe-go's own retries are
// off: the retry queue owns retries and their backoff, and each call's idempotency key makes a
// retried call safe.
func newStripeClient(key, base string, hc *http.Client) *stripeClient {
	if hc == nil {
		hc = &http.Client{Timeout: 20 * time.Second}
	}
	cfg := &stripe.BackendConfig{HTTPClient: hc, MaxNetworkRetries: stripe.Int64(0),
		LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull}}
	if base != "" {
		cfg.URL = stripe.String(strings.TrimRight(base, "/"))
	}
	backends := &stripe.Backends{API: stripe.GetBackendWithConfig(stripe.APIBackend, cfg),
		Connect: stripe.GetBackendWithConfig(stripe.ConnectBackend, cfg),
		Uploads: stripe.GetBackendWithConfig(stripe.UploadsBackend, cfg)}
	return &stripeClient{api: client.New(key, backends)}
}

type customerDoc struct {
	AccountID string `bson:"_id"`
	StripeID  string `bson:"stripeId"`
}

// idem sets a call's idempotency key and the context that bounds it.
func idem(ctx context.Context, p *stripe.Params, key string) {
	p.SetIdempotencyKey("tradehub-" + key)
	p.Context = ctx
}

// inlinePushTimeout bounds the push a finalize tries at once, so that a slow Stripe never
// holds the request; what does not finish is left to the retry queue.
const inlinePushTimeout = 8 * time.Second

// pushInline tries the push of a just-finalized invoice within inlinePushTimeout.
func (s *Service) pushInline(ctx context.Context, id string) {
	callCtx, cancel := context.WithTimeout(ctx, inlinePushTimeout)
	defer cancel()
	if err := s.pushOne(ctx, callCtx, id); err != nil {
		s.log.WarnContext(ctx, "stripe push failed; queued for retry", "invoice", id, "error", err)
	}
}

// pushOne pushes one PENDING_SYNC invoice to Stripe, step by step, storing each step's result
// before the next; on failure it schedules the next attempt with backoff.
// Stripe calls run under callCtx; the bookkeeping of a failure under ctx, so that it is recorded
// even when callCtx ran out.
func (s *Service) pushOne(ctx, callCtx context.Context, id string) error {
	err := s.push(ctx, callCtx, id)
	if err == nil {
		return nil
	}
	now := s.clock.Now()
	_, werr := s.mutate(ctx, id, func(d *invoiceDoc) error {
		if d.Sync != string(SyncPending) {
			return errSkip
		}
		d.Stripe.Attempts++
		d.NextSyncAt = now.Add(backoff(d.Stripe.Attempts))
		d.SyncError = truncate(err.Error(), 300)
		return nil
	})
	return errors.Join(err, werr)
}

// backoff is 10 s doubling to at most an hour: a Stripe outage is retried for as long as it
// lasts, never given up on (an invoice is never lost).
func backoff(attempts int) time.Duration {
	d := 10 * time.Second
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (s *Service) push(ctx, callCtx context.Context, id string) error {
	d, err := s.loadInvoice(ctx, id)
	if err != nil {
		return err
	}
	if d.Sync != string(SyncPending) {
		return nil
	}
	cust, err := s.cfg.Accounts.Customer(ctx, d.AccountID)
	if err != nil {
		return err
	}
	api := s.stripe.api
	cur := strings.ToLower(d.Currency)

	// 1. One customer per account.
	customerID := d.Stripe.CustomerID
	if customerID == "" {
		var c customerDoc
		err := s.customers.FindOne(ctx, bson.D{{Key: "_id", Value: d.AccountID}}).Decode(&c)
		switch {
		case err == nil:
			customerID = c.StripeID
		case err == mongo.ErrNoDocuments:
			p := &stripe.CustomerParams{Name: stripe.String(cust.LegalName), Email: stripe.String(cust.Email)}
			p.AddMetadata("tradehub_account_id", d.AccountID)
			idem(callCtx, &p.Params, "customer-"+d.AccountID)
			sc, err := api.Customers.New(p)
			if err != nil {
				return fmt.Errorf("stripe customer: %w", err)
			}
			if _, err := s.customers.UpdateOne(ctx, bson.D{{Key: "_id", Value: d.AccountID}},
				bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "stripeId", Value: sc.ID}}}}, options.Update().SetUpsert(true)); err != nil && !mongo.IsDuplicateKeyError(err) {
				return errs.Internalf("store stripe customer: %w", err)
			}
			if err := s.customers.FindOne(ctx, bson.D{{Key: "_id", Value: d.AccountID}}).Decode(&c); err != nil {
				return errs.Internalf("read stripe customer: %w", err)
			}
			customerID = c.StripeID
		default:
			return errs.Internalf("read stripe customer: %w", err)
		}
		if d, err = s.mutate(ctx, id, func(d *invoiceDoc) error { d.Stripe.CustomerID = customerID; return nil }); err != nil {
			return err
		}
	}

	// 2. The invoice, without pending items of the customer's other invoices.
	if d.StripeID == "" {
		days := int64(max(d.TermsDays, 1))
		p := &stripe.InvoiceParams{Customer: stripe.String(customerID), CollectionMethod: stripe.String("send_invoice"),
			DaysUntilDue: stripe.Int64(days), AutoAdvance: stripe.Bool(false), Currency: stripe.String(cur),
			PendingInvoiceItemsBehavior: stripe.String("exclude"), Description: stripe.String("Tradehub invoice " + d.Number)}
		p.AddMetadata("tradehub_invoice_id", d.ID)
		p.AddMetadata("tradehub_number", d.Number)
		idem(callCtx, &p.Params, "invoice-"+d.ID)
		si, err := api.Invoices.New(p)
		if err != nil {
			return fmt.Errorf("stripe invoice: %w", err)
		}
		if d, err = s.mutate(ctx, id, func(d *invoiceDoc) error { d.StripeID = si.ID; return nil }); err != nil {
			return err
		}
	}

	// 3. One item per line, and one for the tax.
	items := stripeItems(d)
	for i := d.Stripe.ItemsDone; i < len(items); i++ {
		it := items[i]
		p := &stripe.InvoiceItemParams{Customer: stripe.String(customerID), Invoice: stripe.String(d.StripeID),
			Amount: stripe.Int64(it.amount), Currency: stripe.String(cur), Description: stripe.String(it.desc)}
		idem(callCtx, &p.Params, fmt.Sprintf("item-%s-%d", d.ID, i))
		if _, err := api.InvoiceItems.New(p); err != nil {
			return fmt.Errorf("stripe invoice item %d: %w", i, err)
		}
		n := i + 1
		if d, err = s.mutate(ctx, id, func(d *invoiceDoc) error { d.Stripe.ItemsDone = max(d.Stripe.ItemsDone, n); return nil }); err != nil {
			return err
		}
	}

	// 4. Finalize, and keep the hosted invoice URL.
	p := &stripe.InvoiceFinalizeInvoiceParams{AutoAdvance: stripe.Bool(false)}
	idem(callCtx, &p.Params, "finalize-"+d.ID)
	si, err := api.Invoices.FinalizeInvoice(d.StripeID, p)
	if err != nil {
		return fmt.Errorf("stripe finalize: %w", err)
	}
	_, err = s.mutate(ctx, id, func(d *invoiceDoc) error {
		d.Stripe.Finalized = true
		d.HostedURL = si.HostedInvoiceURL
		d.Sync = string(SyncSynced)
		d.SyncError = ""
		return nil
	})
	return err
}

type stripeItem struct {
	desc   string
	amount int64
}

func stripeItems(d invoiceDoc) []stripeItem {
	var out []stripeItem
	for _, s := range d.Sections {
		for _, l := range s.Lines {
			out = append(out, stripeItem{desc: l.Description + " (" + l.Quantity + " " + l.Unit + ")", amount: l.Amount})
		}
	}
	if d.Tax.Amount != 0 {
		out = append(out, stripeItem{desc: fmt.Sprintf("%s %s", d.Tax.Name, bpsPercent(d.Tax.RateBps)), amount: d.Tax.Amount})
	}
	return out
}

func bpsPercent(bps int64) string {
	s := fmt.Sprintf("%d.%02d", bps/100, bps%100)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}

// SyncPending works the Stripe retry queue: it completes finalizes a crash left FINALIZING,
// applies paid loan repayments whose application failed, and pushes up to limit PENDING_SYNC
// invoices that are due. Each is leased for a minute first (a
// guarded move of nextSyncAt), so two workers do not push the same invoice at once; a push that
// fails is rescheduled with backoff. It returns how many were pushed.
func (s *Service) SyncPending(ctx context.Context, limit int) (int, error) {
	// Finalizes that crashed midway (found by status; at most a few).
	cur, err := s.invoices.Find(ctx, bson.D{{Key: "status", Value: string(StatusFinalizing)},
		{Key: "updatedAt", Value: bson.D{{Key: "$lt", Value: s.clock.Now().Add(-time.Minute)}}}}, options.Find().SetLimit(int64(limit)))
	if err != nil {
		return 0, errs.Internalf("finalizing invoices: %w", err)
	}
	var stuck []invoiceDoc
	if err := cur.All(ctx, &stuck); err != nil {
		return 0, errs.Internalf("finalizing invoices: %w", err)
	}
	for _, d := range stuck {
		if err := s.completeFinalize(ctx, d.ID); err != nil {
			s.log.WarnContext(ctx, "complete finalize", "invoice", d.ID, "error", err)
		}
	}
	// Paid repayment invoices whose loan application failed (financing was down): again.
	cur, err = s.invoices.Find(ctx, bson.D{{Key: "kind", Value: string(KindLoanRepayment)}, {Key: "status", Value: string(StatusPaid)},
		{Key: "loanApplied", Value: false}}, options.Find().SetLimit(int64(limit)))
	if err != nil {
		return 0, errs.Internalf("unapplied repayments: %w", err)
	}
	var unapplied []invoiceDoc
	if err := cur.All(ctx, &unapplied); err != nil {
		return 0, errs.Internalf("unapplied repayments: %w", err)
	}
	for _, d := range unapplied {
		if err := s.applyLoan(ctx, d.ID); err != nil {
			s.log.WarnContext(ctx, "apply loan payment", "invoice", d.ID, "error", err)
		}
	}
	if s.stripe == nil {
		return 0, nil
	}
	now := s.clock.Now()
	cur, err = s.invoices.Find(ctx, bson.D{{Key: "sync", Value: string(SyncPending)}, {Key: "nextSyncAt", Value: bson.D{{Key: "$lte", Value: now}}}},
		options.Find().SetSort(bson.D{{Key: "nextSyncAt", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return 0, errs.Internalf("sync queue: %w", err)
	}
	var due []invoiceDoc
	if err := cur.All(ctx, &due); err != nil {
		return 0, errs.Internalf("sync queue: %w", err)
	}
	n := 0
	for _, d := range due {
		res, err := s.invoices.UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}, {Key: "version", Value: d.Version}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "nextSyncAt", Value: now.Add(time.Minute)}}}, {Key: "$inc", Value: bson.D{{Key: "version", Value: int64(1)}}}})
		if err != nil {
			return n, errs.Internalf("lease %s: %w", d.ID, err)
		}
		if res.ModifiedCount != 1 {
			continue
		}
		if err := s.pushOne(ctx, ctx, d.ID); err != nil {
			s.log.WarnContext(ctx, "stripe push failed; will retry", "invoice", d.ID, "error", err)
			continue
		}
		n++
	}
	return n, nil
}

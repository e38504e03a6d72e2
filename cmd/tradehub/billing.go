package main

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/services/accounts"
	"github.com/tradehub/tradehub/services/billing"
)

// billingAccounts gives billing the accounts it bills (trusted reads).
type billingAccounts struct{ a *accounts.Service }

func (b billingAccounts) Customer(ctx context.Context, id string) (billing.Customer, error) {
	m, err := b.a.AccountsByID(ctx, []string{id})
	if err != nil {
		return billing.Customer{}, err
	}
	acc, ok := m[id]
	if !ok {
		return billing.Customer{}, billing.ErrNotFound
	}
	return billing.Customer{AccountID: acc.ID, LegalName: acc.LegalName, Country: acc.Country, Currency: acc.DefaultCurrency, Email: acc.BillingEmail}, nil
}

func (b billingAccounts) AccountIDs(ctx context.Context) ([]string, error) {
	all, err := b.a.AllAccounts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(all))
	for i, a := range all {
		out[i] = a.ID
	}
	return out, nil
}

// seedDemoBilling creates the demo price books (a default book, and Kessler Outdoor's contract)
// and tax rates; idempotent.
func seedDemoBilling(ctx context.Context, b *billing.Service, a *accounts.Service) error {
	all, err := a.AllAccounts(ctx)
	if err != nil {
		return err
	}
	contract := ""
	for _, acc := range all {
		if strings.HasPrefix(acc.LegalName, "Kessler") {
			contract = acc.ID
		}
	}
	return b.SeedDemo(ctx, contract)
}

// runBillingJobs works the Stripe retry queue (and completes finalizes a crash left midway).
func runBillingJobs(ctx context.Context, b *billing.Service, logger *slog.Logger) {
	if _, err := b.SyncPending(ctx, 50); err != nil && ctx.Err() == nil {
		logger.WarnContext(ctx, "billing: stripe sync", "error", err)
	}
}

// scheduledRunDays is how many days into a month the previous month is run automatically.
const scheduledRunDays = 3

// runScheduledInvoices prepares last month's drafts in the first days of a month (hourly;
// idempotent).
func runScheduledInvoices(ctx context.Context, b *billing.Service, logger *slog.Logger) {
	if n, err := b.RunScheduled(ctx, scheduledRunDays); err != nil && ctx.Err() == nil {
		logger.WarnContext(ctx, "billing: scheduled run", "error", err)
	} else if n > 0 {
		logger.InfoContext(ctx, "billing: scheduled run", "accounts", n)
	}
}

// billingSyncEvery is how often the Stripe retry queue is worked; each invoice's own backoff
// decides when it is retried.
const billingSyncEvery = 10 * time.Second

// invoiceDocumentHandler serves GET /documents/invoices/{account}/{invoice}/{kind} with kind pdf
// or csv, authorized like the invoice (the same session or API key as /graphql); a foreign or
// missing invoice is 404.
func invoiceDocumentHandler(b *billing.Service, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := auth.PrincipalFrom(r.Context()); !ok {
			http.Error(w, "sign in or send an API key", http.StatusUnauthorized)
			return
		}
		var doc billing.Document
		var err error
		switch r.PathValue("kind") {
		case "pdf":
			doc, err = b.InvoicePDF(r.Context(), r.PathValue("invoice"))
		case "csv":
			doc, err = b.InvoiceCSV(r.Context(), r.PathValue("invoice"))
		default:
			http.NotFound(w, r)
			return
		}
		if err == nil {
			if inv, ierr := b.Invoice(r.Context(), r.PathValue("invoice")); ierr != nil || inv.AccountID != r.PathValue("account") {
				err = billing.ErrNotFound
			}
		}
		serveDocument(w, r, logger, "invoice document", doc.FileName, doc.ContentType, doc.Data, err)
	})
}

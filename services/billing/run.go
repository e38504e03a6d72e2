package billing

import (
	"context"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/usage"
)

// RunReport is what a run did.
type RunReport struct {
	PeriodStart, PeriodEnd time.Time
	Invoices               []Invoice      // the drafts the run created or updated
	Claimed                int            // records this run claimed (0 on a re-run)
	Unpriced               map[string]int // code → records left unclaimed for want of a rate
	Skipped                []string       // accounts the caller may not bill
}

// RunPeriod runs invoicing for the month starting at start, for accountID or, when empty, for
// every account the caller may bill. It is idempotent and safe to run concurrently and again
// after a crash (see the package doc). A period may be run while still open: the draft is
// recalculated by later runs. Returns NOT_FOUND for an account the caller may not read invoices
// of, FORBIDDEN if it may read but not bill (or, for every account, bills none), and
// NO_PRICE_BOOK when no default book exists.
func (s *Service) RunPeriod(ctx context.Context, start, end time.Time, accountID string) (RunReport, error) {
	rep := RunReport{PeriodStart: start, PeriodEnd: end, Unpriced: map[string]int{}}
	var accounts []string
	if accountID != "" {
		if !ids.HasPrefix(accountID, ids.Account) {
			return rep, ErrNotFound.With("input.accountId", nil)
		}
		if err := s.requireVisible(ctx, accountID, access.Invoices); err != nil {
			return rep, err
		}
		accounts = []string{accountID}
	} else {
		all, err := s.cfg.Accounts.AccountIDs(ctx)
		if err != nil {
			return rep, err
		}
		for _, a := range all {
			if s.access.Can(ctx, a, access.Invoices, access.Write) {
				accounts = append(accounts, a)
			} else {
				rep.Skipped = append(rep.Skipped, a)
			}
		}
		if len(accounts) == 0 {
			return rep, errs.E(errs.Forbidden, "you bill no account")
		}
	}
	for _, a := range accounts {
		invs, n, unpriced, err := s.runAccount(ctx, a, start, end)
		if err != nil {
			return rep, err
		}
		rep.Invoices = append(rep.Invoices, invs...)
		rep.Claimed += n
		for c, k := range unpriced {
			rep.Unpriced[c] += k
		}
	}
	return rep, nil
}

// runAccount is one account's part of a run: trusted (the caller authorized).
func (s *Service) runAccount(ctx context.Context, accountID string, start, end time.Time) ([]Invoice, int, map[string]int, error) {
	cust, err := s.cfg.Accounts.Customer(ctx, accountID)
	if err != nil {
		return nil, 0, nil, err
	}
	book, err := s.effectiveBook(ctx, accountID)
	if err != nil {
		return nil, 0, nil, err
	}
	if err := s.releaseStrays(ctx, accountID); err != nil {
		return nil, 0, nil, err
	}
	recs, err := s.usage.Unclaimed(ctx, accountID, end)
	if err != nil {
		return nil, 0, nil, err
	}
	byCur := map[string][]usage.Record{}
	unpriced := map[string]int{}
	// codeCur is the one currency all of a code's records price in, "" when they do not.
	codeCur := map[string]string{}
	for _, r := range recs {
		p, ok, err := s.priceIn(ctx, book, r)
		if err != nil {
			return nil, 0, nil, err
		}
		c := ""
		if ok {
			c = p.currency.Code()
			byCur[c] = append(byCur[c], r)
		} else {
			unpriced[r.Code]++
		}
		if prev, seen := codeCur[r.Code]; !seen {
			codeCur[r.Code] = c
		} else if prev != c {
			codeCur[r.Code] = ""
		}
	}
	// A draft of this period already claimed in an earlier run is recalculated too, so that a
	// run after a price change, or after a crash between claiming and recalculating, completes.
	existing, err := s.periodDrafts(ctx, accountID, start)
	if err != nil {
		return nil, 0, nil, err
	}
	for _, c := range existing {
		if _, ok := byCur[c]; !ok {
			byCur[c] = nil
		}
	}
	var out []Invoice
	claimed := 0
	for _, code := range sortedKeys(byCur) {
		c, _ := money.ParseCurrency(code)
		d, err := s.draftFor(ctx, accountID, start, end, c)
		if err != nil {
			return nil, 0, nil, err
		}
		if d.Status != string(StatusDraft) {
			continue // finalized already: these records go on the next period's invoice
		}
		n, err := s.claim(ctx, accountID, d.ID, end, byCur[code], func(r usage.Record) bool { return codeCur[r.Code] == code })
		claimed += n
		if err != nil {
			return nil, claimed, nil, err
		}
		// A finalize that won the race takes no claim made after it froze: give those back.
		cur, err := s.loadInvoice(ctx, d.ID)
		if err != nil {
			return nil, claimed, nil, err
		}
		if cur.Status != string(StatusDraft) {
			if err := s.releaseStrays(ctx, accountID); err != nil {
				return nil, claimed, nil, err
			}
			continue
		}
		nd, err := s.recalc(ctx, d.ID, cust, book, unpriced)
		if err != nil {
			return nil, claimed, nil, err
		}
		out = append(out, nd.toInvoice())
	}
	return out, claimed, unpriced, nil
}

// claim claims recs (records occurred before end) for the draft invoiceID and returns how many
// it claimed. The records of codes that price wholly in the draft's currency (byScope) are
// claimed by scope, code set and window of OccurredAt; the others by id. Usage's claim cost note
// says why: claims by id cost records × collection on the embedded store.
func (s *Service) claim(ctx context.Context, accountID, invoiceID string, end time.Time, recs []usage.Record,
	byScope func(usage.Record) bool) (int, error) {
	var (
		sc      usage.Scope
		times   []time.Time
		byID    []string
		inScope = map[string]bool{}
	)
	for _, r := range recs {
		if !byScope(r) {
			byID = append(byID, r.ID)
			continue
		}
		if !inScope[r.Code] {
			inScope[r.Code] = true
			sc.Codes = append(sc.Codes, r.Code)
		}
		times = append(times, r.OccurredAt) // ascending: Unclaimed reads in OccurredAt order
		if r.CreatedAt.After(sc.RecordedBy) {
			sc.RecordedBy = r.CreatedAt
		}
	}
	sort.Strings(sc.Codes)
	claimed := 0
	step := func() error {
		if h := s.beforeClaimHook; h != nil {
			return h(claimed)
		}
		return nil
	}
	if len(sc.Codes) > 0 {
		for _, w := range usage.Windows(times, s.claimChunk, end) {
			if err := step(); err != nil {
				return claimed, err
			}
			sc.Window = w
			n, err := s.usage.ClaimScope(ctx, accountID, sc, invoiceID)
			claimed += n
			if err != nil {
				return claimed, err
			}
		}
	}
	for len(byID) > 0 {
		if err := step(); err != nil {
			return claimed, err
		}
		batch := byID[:min(len(byID), s.claimChunk)]
		byID = byID[len(batch):]
		n, err := s.usage.ClaimAll(ctx, accountID, batch, invoiceID)
		claimed += n
		if err != nil {
			return claimed, err
		}
	}
	return claimed, nil
}

// periodDrafts returns the currencies of the account's drafts of the period.
func (s *Service) periodDrafts(ctx context.Context, accountID string, start time.Time) ([]string, error) {
	cur, err := s.invoices.Find(ctx, bson.D{{Key: "accountId", Value: accountID}, {Key: "kind", Value: string(KindUsage)},
		{Key: "periodStart", Value: start}, {Key: "status", Value: string(StatusDraft)}})
	if err != nil {
		return nil, errs.Internalf("period drafts: %w", err)
	}
	var docs []invoiceDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, errs.Internalf("period drafts: %w", err)
	}
	var out []string
	for _, d := range docs {
		out = append(out, d.Currency)
	}
	return out, nil
}

// draftFor finds or creates the period's invoice of the currency; the unique (accountId, key)
// index makes concurrent runs meet on one.
func (s *Service) draftFor(ctx context.Context, accountID string, start, end time.Time, c money.Currency) (invoiceDoc, error) {
	key := periodKey(start, c)
	for range 3 {
		var d invoiceDoc
		err := s.invoices.FindOne(ctx, bson.D{{Key: "accountId", Value: accountID}, {Key: "key", Value: key}}).Decode(&d)
		if err == nil {
			return d, nil
		}
		if err != mongo.ErrNoDocuments {
			return d, errs.Internalf("find draft: %w", err)
		}
		now := s.clock.Now()
		d = invoiceDoc{ID: ids.New(ids.Invoice), AccountID: accountID, Kind: string(KindUsage), Key: key, PeriodStart: start,
			PeriodEnd: end, Currency: c.Code(), Status: string(StatusDraft), Sync: string(SyncNone), CreatedAt: now, UpdatedAt: now,
			Payments: []paymentDoc{}, CreditNotes: []creditNoteDoc{}, Sections: []sectionDoc{}}
		if _, err := s.invoices.InsertOne(ctx, d); err == nil {
			return d, nil
		} else if !mongo.IsDuplicateKeyError(err) {
			return d, errs.Internalf("create draft: %w", err)
		}
	}
	return invoiceDoc{}, errRetry
}

// recalc prices a draft from the records it has claimed (or, while finalizing, the billed ones)
// and writes the lines guarded on the version read before the records (see the package doc).
func (s *Service) recalc(ctx context.Context, id string, cust Customer, book PriceBook, unpriced map[string]int) (invoiceDoc, error) {
	return s.mutate(ctx, id, func(d *invoiceDoc) error {
		finalizing := d.Status == string(StatusFinalizing)
		if d.Status != string(StatusDraft) && !finalizing {
			return errSkip
		}
		recs, err := s.usage.Claimed(ctx, d.AccountID, d.ID, finalizing)
		if err != nil {
			return err
		}
		c, _ := money.ParseCurrency(d.Currency)
		var ps []priced
		d.Unpriced = nil
		for _, r := range recs {
			p, ok, err := s.priceIn(ctx, book, r)
			if err != nil {
				return err
			}
			if !ok || p.currency != c {
				// Claimed under a rate that is gone (a version was replaced meanwhile): keep it
				// claimed and visible rather than billing it at zero.
				d.Unpriced = append(d.Unpriced, r.Code)
				continue
			}
			ps = append(ps, p)
		}
		for code := range unpriced {
			d.Unpriced = append(d.Unpriced, code)
		}
		secs, taxable, err := buildSections(ps, c)
		if err != nil {
			return err
		}
		rate, found, err := s.taxRate(ctx, cust.Country)
		if err != nil {
			return err
		}
		tax, err := computeTax(rate, found, cust.Country, s.cfg.Issuer.Country, money.New(taxable, c))
		if err != nil {
			return err
		}
		d.Sections = sectionsToDoc(secs)
		var sub int64
		for _, sec := range secs {
			sub += sec.Subtotal.Amount
		}
		d.Subtotal = sub
		d.Tax = taxDoc{Country: tax.Country, Name: tax.Name, RateBps: tax.RateBps, ReverseCharge: tax.ReverseCharge,
			Taxable: tax.Taxable.Amount, Amount: tax.Amount.Amount}
		d.Total = sub + tax.Amount.Amount
		if v, _, ok := book.At(d.PeriodEnd.Add(-time.Millisecond)); ok {
			d.TermsDays = v.TermsDays
		}
		return nil
	})
}

// releaseStrays gives back claims on invoices that are neither drafts nor finalizing (a claimer
// that crashed after a finalize froze the invoice without them).
func (s *Service) releaseStrays(ctx context.Context, accountID string) error {
	invs, err := s.usage.StrayInvoices(ctx, accountID)
	if err != nil {
		return err
	}
	for _, id := range invs {
		d, err := s.loadInvoice(ctx, id)
		if err != nil && errs.CodeOf(err) != errs.NotFound {
			return err
		}
		if d.Status == string(StatusDraft) || d.Status == string(StatusFinalizing) {
			continue
		}
		if _, err := s.usage.Release(ctx, accountID, id); err != nil {
			return err
		}
	}
	return nil
}

// RunScheduled is the monthly run of the background job (trusted: no caller): during the first
// days of a month it runs the month before for every account, so that account managers find
// the drafts ready to review. Runs being idempotent, the job may run it every day of those days
// and after every restart. It returns the accounts run; an account's failure is logged and the
// others still run.
func (s *Service) RunScheduled(ctx context.Context, days int) (int, error) {
	now := s.clock.Now()
	if now.Day() > days {
		return 0, nil
	}
	start, end := MonthOf(now.AddDate(0, 0, -now.Day()))
	accounts, err := s.cfg.Accounts.AccountIDs(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, a := range accounts {
		if _, _, _, err := s.runAccount(ctx, a, start, end); err != nil {
			if ctx.Err() != nil {
				return n, ctx.Err()
			}
			s.log.WarnContext(ctx, "scheduled invoice run", "account", a, "period", start.Format("2006-01"), "error", err)
			continue
		}
		n++
	}
	return n, nil
}

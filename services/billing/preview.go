package billing

import (
	"context"
	"time"

	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/access"
)

// Preview is the open period's usage priced so far, in one currency.
type Preview struct {
	PeriodStart, PeriodEnd time.Time
	Currency               money.Currency
	Sections               []Section
	Total                  money.Money
	UnpricedCodes          []string
}

// CurrentUsage prices accountID's usage of the current month so far (claimed or not), one
// preview per currency: the running totals a seller watches before the invoice. NOT_FOUND if the
// caller may not read the account's invoices; NO_PRICE_BOOK without a book.
func (s *Service) CurrentUsage(ctx context.Context, accountID string) ([]Preview, error) {
	if !ids.HasPrefix(accountID, ids.Account) || s.access.Require(ctx, accountID, access.Invoices, access.Read) != nil {
		return nil, ErrNotFound
	}
	start, end := MonthOf(s.clock.Now())
	recs, err := s.usage.InPeriod(ctx, accountID, start, end)
	if err != nil {
		return nil, err
	}
	book, err := s.effectiveBook(ctx, accountID)
	if err != nil {
		return nil, err
	}
	byCur := map[string][]priced{}
	var unpriced []string
	for _, r := range recs {
		p, ok, err := s.priceIn(ctx, book, r)
		if err != nil {
			return nil, err
		}
		if !ok {
			unpriced = append(unpriced, r.Code)
			continue
		}
		byCur[p.currency.Code()] = append(byCur[p.currency.Code()], p)
	}
	if len(byCur) == 0 {
		byCur[book.Currency.Code()] = nil
	}
	var out []Preview
	for _, code := range sortedKeys(byCur) {
		c, _ := money.ParseCurrency(code)
		secs, _, err := buildSections(byCur[code], c)
		if err != nil {
			return nil, err
		}
		p := Preview{PeriodStart: start, PeriodEnd: end, Currency: c, Sections: secs, Total: money.New(0, c), UnpricedCodes: unpriced}
		for _, s := range secs {
			p.Total.Amount += s.Subtotal.Amount
		}
		out = append(out, p)
	}
	return out, nil
}

// PayLink returns an invoice and its hosted pay link ("" when it is not in Stripe: pay by bank
// transfer). NOT_FOUND when the caller may not read it, FORBIDDEN when it may not pay,
// INVALID_TRANSITION for a draft.
func (s *Service) PayLink(ctx context.Context, id string) (Invoice, string, error) {
	d, err := s.authorizeWrite(ctx, id, access.InvoicePay)
	if err != nil {
		return Invoice{}, "", err
	}
	inv := d.toInvoice()
	if inv.Effective(s.clock.Now()) == StatusDraft {
		return Invoice{}, "", ErrInvalidTransition.WithMessage("a draft cannot be paid yet")
	}
	return inv, inv.HostedURL, nil
}

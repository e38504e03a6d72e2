package billing

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/usage"
)

// Access is what billing asks of the access service.
type Access interface {
	Require(ctx context.Context, domain string, res access.Resource, act access.Action) error
	Can(ctx context.Context, domain string, res access.Resource, act access.Action) bool
}

// Config wires a Service.
type Config struct {
	DB       *mongo.Database
	Access   Access
	Usage    *usage.Service
	Accounts Accounts
	Clock    clock.Clock
	Logger   *slog.Logger
	Issuer   Issuer
	// Stripe: with an API key, finalized invoices are pushed. APIBase points the client
	// elsewhere (stripe-mock); WebhookSecret verifies /webhooks/stripe.
	StripeKey, StripeAPIBase, StripeWebhookSecret string
	// StripeHTTP is the client for Stripe calls (a timeout is the caller's choice); nil uses a
	// client with a 20 s timeout.
	StripeHTTP *http.Client
	// Loans applies paid repayment invoices to loans; nil until financing is wired.
	Loans LoanPayments
	// FX converts a charge whose basis is in another currency (a purchase order in CNY, a loan
	// in EUR) into the price book's, so that an account gets one invoice, not one per
	// currency. Nil, or no rate for the pair: the charge stays in its basis currency and goes
	// on an invoice of that currency.
	FX FX
}

// Service is the billing service.
type Service struct {
	cfg       Config
	invoices  *mongo.Collection
	books     *mongo.Collection
	taxRates  *mongo.Collection
	counters  *mongo.Collection
	events    *mongo.Collection
	customers *mongo.Collection
	usage     *usage.Service
	access    Access
	clock     clock.Clock
	log       *slog.Logger
	stripe    *stripeClient
	// beforeClaimHook, in tests, runs before each claim command (to kill a run midway).
	beforeClaimHook func(n int) error
	// claimChunk is about how many usage records one claim command takes (tests make it 1):
	// small enough that a command ends well within the driver's 30 s timeout on the embedded
	// store (about 0.5 ms a record there), large enough that a run scans its collection rarely.
	claimChunk int
	// afterNumberTakenHook, in tests, runs between taking a number and writing it.
	afterNumberTakenHook func() error
}

// NewService builds the billing service.
func NewService(cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = clock.System()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Service{cfg: cfg, claimChunk: 5_000, invoices: cfg.DB.Collection(CollInvoices), books: cfg.DB.Collection(CollPriceBooks),
		taxRates: cfg.DB.Collection(CollTaxRates), counters: cfg.DB.Collection(CollCounters), events: cfg.DB.Collection(CollEvents),
		customers: cfg.DB.Collection(CollCustomers), usage: cfg.Usage, access: cfg.Access, clock: cfg.Clock, log: cfg.Logger}
	if cfg.StripeKey != "" {
		s.stripe = newStripeClient(cfg.StripeKey, cfg.StripeAPIBase, cfg.StripeHTTP)
	}
	return s
}

// SetLoanPayments wires financing after both services exist.
func (s *Service) SetLoanPayments(l LoanPayments) { s.cfg.Loans = l }

// ---- price books and tax rates ----

// PriceBookInput creates a book or adds a version to one.
type PriceBookInput struct {
	AccountID string // empty: the default book
	Name      string
	Currency  money.Currency
	Version   Version
	// RatesText, when set, replaces Version.Rates: decimals in the book's currency.
	RatesText *RatesText
}

// SetPriceBookVersion adds a version to the account's contract book (or the default book when
// AccountID is empty), creating the book with Name and Currency if it does not exist. A new
// version must start after the latest one. Returns NOT_FOUND if the caller may not read price
// books there, FORBIDDEN if it may not write them, INVALID for bad input.
func (s *Service) SetPriceBookVersion(ctx context.Context, in PriceBookInput) (PriceBook, error) {
	domain := access.DomainPlatform
	if in.AccountID != "" {
		if !ids.HasPrefix(in.AccountID, ids.Account) {
			return PriceBook{}, ErrNotFound.With("input.accountId", nil)
		}
		domain = in.AccountID
	}
	if err := s.requireVisible(ctx, domain, access.PriceBooks); err != nil {
		return PriceBook{}, err
	}
	if in.RatesText != nil {
		c := in.Currency
		if existing, ok, err := s.bookOf(ctx, in.AccountID); err != nil {
			return PriceBook{}, err
		} else if ok {
			c = existing.Currency
		}
		if c.IsZero() {
			return PriceBook{}, errs.InvalidField("input.currencyCode", "a new price book needs a currency")
		}
		r, err := in.RatesText.parse(c)
		if err != nil {
			return PriceBook{}, err
		}
		in.Version.Rates = r
	}
	for range 10 {
		var d bookDoc
		err := s.books.FindOne(ctx, bson.D{{Key: "accountId", Value: in.AccountID}}).Decode(&d)
		if err == mongo.ErrNoDocuments {
			if in.Currency.IsZero() {
				return PriceBook{}, errs.InvalidField("input.currencyCode", "a new price book needs a currency")
			}
			if strings.TrimSpace(in.Name) == "" || len(in.Name) > 100 {
				return PriceBook{}, errs.InvalidField("input.name", "a new price book needs a name of at most 100 characters")
			}
			if err := validateVersion(in.Version, nil); err != nil {
				return PriceBook{}, err
			}
			d = bookDoc{ID: ids.New(ids.PriceBook), AccountID: in.AccountID, Name: strings.TrimSpace(in.Name), Currency: in.Currency.Code(),
				Versions: []versionDoc{versionToDoc(in.Version)}, CreatedAt: s.clock.Now()}
			if _, err := s.books.InsertOne(ctx, d); err != nil {
				if mongo.IsDuplicateKeyError(err) {
					continue
				}
				return PriceBook{}, errs.Internalf("insert price book: %w", err)
			}
			return d.toBook(), nil
		}
		if err != nil {
			return PriceBook{}, errs.Internalf("load price book: %w", err)
		}
		if !in.Currency.IsZero() && in.Currency.Code() != d.Currency {
			return PriceBook{}, errs.InvalidField("input.currencyCode", "the book is in %s", d.Currency)
		}
		book := d.toBook()
		// A version with the EffectiveFrom of an existing one replaces it (to add a custom rate
		// for a code that runs reported unpriced, say); invoices already finalized keep their
		// frozen lines, drafts are priced again at their next run.
		replace := -1
		for i, v := range book.Versions {
			if v.EffectiveFrom.Equal(in.Version.EffectiveFrom) {
				replace = i
			}
		}
		prev := book.Versions
		if replace >= 0 {
			prev = book.Versions[:replace]
		}
		if err := validateVersion(in.Version, prev); err != nil {
			return PriceBook{}, err
		}
		update := bson.D{{Key: "$push", Value: bson.D{{Key: "versions", Value: versionToDoc(in.Version)}}}}
		if replace >= 0 {
			update = bson.D{{Key: "$set", Value: bson.D{{Key: fmt.Sprintf("versions.%d", replace), Value: versionToDoc(in.Version)}}}}
		}
		res, err := s.books.UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}, {Key: "versions", Value: bson.D{{Key: "$size", Value: len(d.Versions)}}}}, update)
		if err != nil {
			return PriceBook{}, errs.Internalf("add price book version: %w", err)
		}
		if res.ModifiedCount == 1 || res.MatchedCount == 1 {
			if replace >= 0 {
				book.Versions[replace] = in.Version
			} else {
				book.Versions = append(book.Versions, in.Version)
			}
			return book, nil
		}
	}
	return PriceBook{}, errRetry
}

// PriceBook returns the account's contract book (or the default book for ""), NOT_FOUND when
// there is none or the caller may not read it.
func (s *Service) PriceBook(ctx context.Context, accountID string) (PriceBook, error) {
	domain := access.DomainPlatform
	if accountID != "" {
		domain = accountID
	}
	if err := s.access.Require(ctx, domain, access.PriceBooks, access.Read); err != nil {
		return PriceBook{}, ErrNotFound
	}
	// A contract is the account's data: only its own staff read it (the platform-wide staff
	// role reads the default book, never an account's contract).
	if accountID != "" && s.access.Require(ctx, accountID, access.Invoices, access.Write) != nil {
		return PriceBook{}, ErrNotFound
	}
	b, ok, err := s.bookOf(ctx, accountID)
	if err != nil {
		return PriceBook{}, err
	}
	if !ok {
		return PriceBook{}, ErrNotFound
	}
	return b, nil
}

func (s *Service) bookOf(ctx context.Context, accountID string) (PriceBook, bool, error) {
	var d bookDoc
	err := s.books.FindOne(ctx, bson.D{{Key: "accountId", Value: accountID}}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return PriceBook{}, false, nil
	}
	if err != nil {
		return PriceBook{}, false, errs.Internalf("load price book: %w", err)
	}
	return d.toBook(), true, nil
}

// effectiveBook is the account's contract book, else the default book.
func (s *Service) effectiveBook(ctx context.Context, accountID string) (PriceBook, error) {
	b, ok, err := s.bookOf(ctx, accountID)
	if err != nil || ok {
		return b, err
	}
	b, ok, err = s.bookOf(ctx, "")
	if err != nil {
		return b, err
	}
	if !ok {
		return b, ErrNoPriceBook
	}
	return b, nil
}

// SetTaxRate sets the tax of one jurisdiction (platform admins). INVALID for a country that is
// not two capital letters or a rate outside 0–10000 bps.
func (s *Service) SetTaxRate(ctx context.Context, r TaxRate) (TaxRate, error) {
	if err := s.requireVisible(ctx, access.DomainPlatform, access.PriceBooks); err != nil {
		return TaxRate{}, err
	}
	switch {
	case len(r.Country) != 2 || strings.ToUpper(r.Country) != r.Country:
		return TaxRate{}, errs.InvalidField("input.country", "must be an ISO 3166 alpha-2 code such as DE")
	case r.RateBps < 0 || r.RateBps > 10_000:
		return TaxRate{}, errs.InvalidField("input.rateBps", "must be between 0 and 10000")
	case strings.TrimSpace(r.Name) == "" || len(r.Name) > 40:
		return TaxRate{}, errs.InvalidField("input.name", "must be 1 to 40 characters, such as VAT")
	}
	_, err := s.taxRates.ReplaceOne(ctx, bson.D{{Key: "_id", Value: r.Country}},
		taxRateDoc{Country: r.Country, Name: r.Name, RateBps: r.RateBps, ReverseCharge: r.ReverseCharge}, options.Replace().SetUpsert(true))
	if err != nil {
		return TaxRate{}, errs.Internalf("set tax rate: %w", err)
	}
	return r, nil
}

// TaxRates lists the configured tax rates (staff).
func (s *Service) TaxRates(ctx context.Context) ([]TaxRate, error) {
	if err := s.access.Require(ctx, access.DomainPlatform, access.PriceBooks, access.Read); err != nil {
		return nil, ErrNotFound
	}
	cur, err := s.taxRates.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, errs.Internalf("tax rates: %w", err)
	}
	var docs []taxRateDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, errs.Internalf("tax rates: %w", err)
	}
	out := make([]TaxRate, len(docs))
	for i, d := range docs {
		out[i] = TaxRate(d)
	}
	return out, nil
}

func (s *Service) taxRate(ctx context.Context, country string) (TaxRate, bool, error) {
	var d taxRateDoc
	err := s.taxRates.FindOne(ctx, bson.D{{Key: "_id", Value: country}}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return TaxRate{}, false, nil
	}
	if err != nil {
		return TaxRate{}, false, errs.Internalf("tax rate %s: %w", country, err)
	}
	return TaxRate(d), true, nil
}

// requireVisible requires write on res in domain, answering NOT_FOUND to a caller who may not
// even read it (existence does not leak) and FORBIDDEN to one who may read only.
func (s *Service) requireVisible(ctx context.Context, domain string, res access.Resource) error {
	if err := s.access.Require(ctx, domain, res, access.Write); err != nil {
		if errs.CodeOf(err) == errs.Unauthenticated {
			return err
		}
		if !s.access.Can(ctx, domain, res, access.Read) {
			return ErrNotFound
		}
		return err
	}
	return nil
}

// ---- reads ----

// Invoice returns an invoice the caller may read; NOT_FOUND otherwise (also for a foreign one).
func (s *Service) Invoice(ctx context.Context, id string) (Invoice, error) {
	if !ids.HasPrefix(id, ids.Invoice) {
		return Invoice{}, ErrNotFound
	}
	d, err := s.loadInvoice(ctx, id)
	if err != nil {
		return Invoice{}, err
	}
	if !s.access.Can(ctx, d.AccountID, access.Invoices, access.Read) {
		return Invoice{}, ErrNotFound
	}
	return d.toInvoice(), nil
}

// CanPay reports whether the caller may see inv's pay link.
func (s *Service) CanPay(ctx context.Context, accountID string) bool {
	return s.access.Can(ctx, accountID, access.InvoicePay, access.Write)
}

// InvoicesByID returns the visible invoices among list (for node lookups).
func (s *Service) InvoicesByID(ctx context.Context, list []string) (map[string]Invoice, error) {
	out := map[string]Invoice{}
	for _, id := range list {
		inv, err := s.Invoice(ctx, id)
		if errs.CodeOf(err) == errs.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = inv
	}
	return out, nil
}

// InvoiceFilter narrows Invoices.
type InvoiceFilter struct {
	Status Status // as clients see it (OVERDUE included); empty for all
}

// OverdueCounts is how many finalized invoices of each account are still open past their due
// date (for the account managers' console): one store query for a page of accounts. An account
// whose invoices the caller may not read is absent from the map (its figure is hidden, not an
// error); a readable one without overdue invoices is 0.
func (s *Service) OverdueCounts(ctx context.Context, accountIDs []string) (map[string]int, error) {
	readable := make([]string, 0, len(accountIDs))
	for _, id := range accountIDs {
		if s.access.Can(ctx, id, access.Invoices, access.Read) {
			readable = append(readable, id)
		}
	}
	return mongodb.CountByAccount(ctx, s.invoices, "accountId", readable, bson.D{
		{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{string(StatusFinalized), string(StatusPartiallyPaid)}}}},
		{Key: "dueDate", Value: bson.D{{Key: "$lt", Value: s.clock.Now()}}}}, "count overdue invoices")
}

// Invoices lists an account's invoices, newest first. NOT_FOUND if the caller may not read them.
func (s *Service) Invoices(ctx context.Context, accountID string, f InvoiceFilter, page cursor.Page) (cursor.Result[Invoice], error) {
	if err := s.access.Require(ctx, accountID, access.Invoices, access.Read); err != nil {
		return cursor.Result[Invoice]{}, ErrNotFound
	}
	w, err := page.Validate(cursor.MaxLimit)
	if err != nil {
		return cursor.Result[Invoice]{}, err
	}
	all, err := s.accountInvoices(ctx, accountID)
	if err != nil {
		return cursor.Result[Invoice]{}, err
	}
	now := s.clock.Now()
	var items []Invoice
	for _, inv := range all {
		if f.Status != "" && inv.Effective(now) != f.Status {
			continue
		}
		items = append(items, inv)
	}
	// Newest first: PageSlice pages in ascending key order, so the key counts down from the
	// far future (fixed width, so that strings compare like the numbers).
	return cursor.PageSlice(items, w, func(inv Invoice) cursor.Cursor {
		return cursor.Cursor{Key: fmt.Sprintf("%019d", math.MaxInt64-inv.CreatedAt.UnixNano()), ID: inv.ID}
	}), nil
}

// accountInvoices reads every invoice of an account (a few per month), newest first.
func (s *Service) accountInvoices(ctx context.Context, accountID string) ([]Invoice, error) {
	cur, err := s.invoices.Find(ctx, bson.D{{Key: "accountId", Value: accountID}}, options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(5000))
	if err != nil {
		return nil, errs.Internalf("invoices of %s: %w", accountID, err)
	}
	var docs []invoiceDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, errs.Internalf("invoices of %s: %w", accountID, err)
	}
	out := make([]Invoice, len(docs))
	for i, d := range docs {
		out[i] = d.toInvoice()
	}
	return out, nil
}

// ---- periods ----

// MonthOf returns the calendar month (UTC) containing t as [start, end).
func MonthOf(t time.Time) (time.Time, time.Time) {
	t = t.UTC()
	start := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	return start, start.AddDate(0, 1, 0)
}

// ParsePeriod reads "2026-11" as that month.
func ParsePeriod(p string) (time.Time, time.Time, error) {
	t, err := time.Parse("2006-01", p)
	if err != nil {
		return time.Time{}, time.Time{}, errs.InvalidField("input.period", "must be a month such as 2026-11")
	}
	start, end := MonthOf(t)
	return start, end, nil
}

func periodKey(start time.Time, c money.Currency) string {
	return start.Format("2006-01") + ":" + c.Code()
}

func invoiceNumber(year int, seq int64) string { return fmt.Sprintf("TH-%d-%06d", year, seq) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Now is the service's clock, for deriving OVERDUE in views.
func (s *Service) Now() time.Time { return s.clock.Now() }

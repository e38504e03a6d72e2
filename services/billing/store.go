package billing

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/internal/mongodb"
)

// Collections.
const (
	CollInvoices   = "billing_invoices"
	CollPriceBooks = "billing_price_books"
	CollTaxRates   = "billing_tax_rates"
	CollCounters   = "billing_counters"
	CollEvents     = "billing_stripe_events"
	CollCustomers  = "billing_stripe_customers"
)

// Indexes are billing's indexes.
func Indexes() []mongodb.Indexes {
	return []mongodb.Indexes{
		{Collection: CollInvoices, Models: []mongo.IndexModel{
			// The deterministic key: racing runs meet on one draft.
			{Keys: bson.D{{Key: "accountId", Value: 1}, {Key: "key", Value: 1}}, Options: options.Index().SetName("account_key").SetUnique(true)},
			{Keys: bson.D{{Key: "accountId", Value: 1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("account_id")},
			// The Stripe retry queue and webhook lookups.
			{Keys: bson.D{{Key: "sync", Value: 1}, {Key: "nextSyncAt", Value: 1}}, Options: options.Index().SetName("sync_next")},
			{Keys: bson.D{{Key: "stripeId", Value: 1}}, Options: options.Index().SetName("stripeId")},
			{Keys: bson.D{{Key: "status", Value: 1}}, Options: options.Index().SetName("status")},
		}},
		{Collection: CollPriceBooks, Models: []mongo.IndexModel{
			// One book per account; the default book has accountId "".
			{Keys: bson.D{{Key: "accountId", Value: 1}}, Options: options.Index().SetName("accountId").SetUnique(true)},
		}},
	}
}

type lineDoc struct {
	Code        string `bson:"code"`
	Description string `bson:"description"`
	Quantity    string `bson:"quantity"`
	Unit        string `bson:"unit"`
	UnitPrice   *int64 `bson:"unitPrice,omitempty"`
	Basis       *int64 `bson:"basis,omitempty"`
	RateBps     int64  `bson:"rateBps"`
	Amount      int64  `bson:"amount"`
	Records     int    `bson:"records"`
}

type sectionDoc struct {
	Category string    `bson:"category"`
	Lines    []lineDoc `bson:"lines"`
	Subtotal int64     `bson:"subtotal"`
}

type taxDoc struct {
	Country       string `bson:"country"`
	Name          string `bson:"name"`
	RateBps       int64  `bson:"rateBps"`
	ReverseCharge bool   `bson:"reverseCharge"`
	Taxable       int64  `bson:"taxable"`
	Amount        int64  `bson:"amount"`
}

type paymentDoc struct {
	ID         string    `bson:"id"`
	Amount     int64     `bson:"amount"`
	Method     string    `bson:"method"`
	Reference  string    `bson:"reference"`
	ReceivedAt time.Time `bson:"receivedAt"`
}

type creditNoteDoc struct {
	ID        string    `bson:"id"`
	Amount    int64     `bson:"amount"`
	Reason    string    `bson:"reason"`
	Key       string    `bson:"key"`
	CreatedAt time.Time `bson:"createdAt"`
}

// stripeDoc is the push's progress: each step's result is stored before the next step.
type stripeDoc struct {
	CustomerID string `bson:"customerId,omitempty"`
	ItemsDone  int    `bson:"itemsDone"`
	Finalized  bool   `bson:"finalized"`
	Attempts   int    `bson:"attempts"`
}

type invoiceDoc struct {
	ID            string          `bson:"_id"`
	AccountID     string          `bson:"accountId"`
	Kind          string          `bson:"kind"`
	Key           string          `bson:"key"`
	PeriodStart   time.Time       `bson:"periodStart"`
	PeriodEnd     time.Time       `bson:"periodEnd"`
	Currency      string          `bson:"currency"`
	Status        string          `bson:"status"`
	Year          int             `bson:"year"`
	Seq           int64           `bson:"seq"`
	Number        string          `bson:"number"`
	Sections      []sectionDoc    `bson:"sections"`
	Subtotal      int64           `bson:"subtotal"`
	Tax           taxDoc          `bson:"tax"`
	Total         int64           `bson:"total"`
	Credited      int64           `bson:"credited"`
	Paid          int64           `bson:"paid"`
	Refunded      int64           `bson:"refunded"`
	Payments      []paymentDoc    `bson:"payments"`
	CreditNotes   []creditNoteDoc `bson:"creditNotes"`
	Unpriced      []string        `bson:"unpriced"`
	Memo          string          `bson:"memo"`
	TermsDays     int             `bson:"termsDays"`
	DueDate       time.Time       `bson:"dueDate"`
	FinalizedAt   time.Time       `bson:"finalizedAt"`
	LoanID        string          `bson:"loanId,omitempty"`
	LoanApplied   bool            `bson:"loanApplied"`
	Sync          string          `bson:"sync"`
	NextSyncAt    time.Time       `bson:"nextSyncAt"`
	SyncError     string          `bson:"syncError"`
	Stripe        stripeDoc       `bson:"stripe"`
	StripeID      string          `bson:"stripeId"`
	HostedURL     string          `bson:"hostedUrl"`
	PaymentError  string          `bson:"paymentError"`
	Uncollectible bool            `bson:"uncollectible"`
	CreatedAt     time.Time       `bson:"createdAt"`
	UpdatedAt     time.Time       `bson:"updatedAt"`
	Version       int64           `bson:"version"`
}

func (d invoiceDoc) toInvoice() Invoice {
	c, _ := money.ParseCurrency(d.Currency)
	m := func(n int64) money.Money { return money.New(n, c) }
	inv := Invoice{ID: d.ID, AccountID: d.AccountID, Kind: Kind(d.Kind), Key: d.Key, PeriodStart: d.PeriodStart.UTC(),
		PeriodEnd: d.PeriodEnd.UTC(), Currency: c, Status: Status(d.Status), Number: d.Number, Subtotal: m(d.Subtotal),
		Total: m(d.Total), Credited: m(d.Credited), Paid: m(d.Paid), Refunded: m(d.Refunded), UnpricedCodes: d.Unpriced,
		Memo: d.Memo, TermsDays: d.TermsDays, DueDate: d.DueDate.UTC(), FinalizedAt: d.FinalizedAt.UTC(), LoanID: d.LoanID,
		Sync: SyncStatus(d.Sync), SyncError: d.SyncError, StripeID: d.StripeID, HostedURL: d.HostedURL,
		PaymentError: d.PaymentError, Uncollectible: d.Uncollectible, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
		Version: d.Version,
		Tax: Tax{Country: d.Tax.Country, Name: d.Tax.Name, RateBps: d.Tax.RateBps, ReverseCharge: d.Tax.ReverseCharge,
			Taxable: m(d.Tax.Taxable), Amount: m(d.Tax.Amount)}}
	if inv.Sync == "" {
		inv.Sync = SyncNone
	}
	for _, s := range d.Sections {
		sec := Section{Category: s.Category, Subtotal: m(s.Subtotal)}
		for _, l := range s.Lines {
			line := Line{Code: l.Code, Description: l.Description, Quantity: l.Quantity, Unit: l.Unit, RateBps: l.RateBps,
				Amount: m(l.Amount), Records: l.Records}
			if l.UnitPrice != nil {
				up := m(*l.UnitPrice)
				line.UnitPrice = &up
			}
			if l.Basis != nil {
				b := m(*l.Basis)
				line.Basis = &b
			}
			sec.Lines = append(sec.Lines, line)
		}
		inv.Sections = append(inv.Sections, sec)
	}
	for _, p := range d.Payments {
		inv.Payments = append(inv.Payments, Payment{ID: p.ID, Amount: m(p.Amount), Method: p.Method, Reference: p.Reference, ReceivedAt: p.ReceivedAt.UTC()})
	}
	for _, n := range d.CreditNotes {
		inv.CreditNotes = append(inv.CreditNotes, CreditNote{ID: n.ID, Amount: m(n.Amount), Reason: n.Reason, CreatedAt: n.CreatedAt.UTC()})
	}
	return inv
}

func sectionsToDoc(ss []Section) []sectionDoc {
	out := make([]sectionDoc, 0, len(ss))
	for _, s := range ss {
		sd := sectionDoc{Category: s.Category, Subtotal: s.Subtotal.Amount}
		for _, l := range s.Lines {
			ld := lineDoc{Code: l.Code, Description: l.Description, Quantity: l.Quantity, Unit: l.Unit, RateBps: l.RateBps,
				Amount: l.Amount.Amount, Records: l.Records}
			if l.UnitPrice != nil {
				n := l.UnitPrice.Amount
				ld.UnitPrice = &n
			}
			if l.Basis != nil {
				n := l.Basis.Amount
				ld.Basis = &n
			}
			sd.Lines = append(sd.Lines, ld)
		}
		out = append(out, sd)
	}
	return out
}

type ratesDoc struct {
	StorageCubicMetreDay     int64       `bson:"storageCubicMetreDay"`
	StoragePalletDay         int64       `bson:"storagePalletDay"`
	ReceivingUnit            int64       `bson:"receivingUnit"`
	ReceivingCarton          int64       `bson:"receivingCarton"`
	PickPackOrder            int64       `bson:"pickPackOrder"`
	PickPackExtraLine        int64       `bson:"pickPackExtraLine"`
	ReturnsUnit              int64       `bson:"returnsUnit"`
	FreightMarkupBps         int64       `bson:"freightMarkupBps"`
	CustomsDeclaration       int64       `bson:"customsDeclaration"`
	ProcurementCommissionBps int64       `bson:"procurementCommissionBps"`
	ProcurementMinimum       int64       `bson:"procurementMinimum"`
	FinancingFacilitationBps int64       `bson:"financingFacilitationBps"`
	Custom                   []customDoc `bson:"custom,omitempty"`
}

type customDoc struct {
	Code      string `bson:"code"`
	UnitPrice int64  `bson:"unitPrice"`
}

type versionDoc struct {
	EffectiveFrom time.Time `bson:"effectiveFrom"`
	TermsDays     int       `bson:"termsDays"`
	Rates         ratesDoc  `bson:"rates"`
}

type bookDoc struct {
	ID        string       `bson:"_id"`
	AccountID string       `bson:"accountId"`
	Name      string       `bson:"name"`
	Currency  string       `bson:"currency"`
	Versions  []versionDoc `bson:"versions"`
	CreatedAt time.Time    `bson:"createdAt"`
}

func (d bookDoc) toBook() PriceBook {
	c, _ := money.ParseCurrency(d.Currency)
	b := PriceBook{ID: d.ID, AccountID: d.AccountID, Name: d.Name, Currency: c, CreatedAt: d.CreatedAt.UTC()}
	for _, v := range d.Versions {
		r := v.Rates
		rates := Rates{StorageCubicMetreDay: r.StorageCubicMetreDay, StoragePalletDay: r.StoragePalletDay, ReceivingUnit: r.ReceivingUnit,
			ReceivingCarton: r.ReceivingCarton, PickPackOrder: r.PickPackOrder, PickPackExtraLine: r.PickPackExtraLine, ReturnsUnit: r.ReturnsUnit,
			FreightMarkupBps: r.FreightMarkupBps, CustomsDeclaration: r.CustomsDeclaration, ProcurementCommissionBps: r.ProcurementCommissionBps,
			ProcurementMinimum: r.ProcurementMinimum, FinancingFacilitationBps: r.FinancingFacilitationBps}
		for _, c := range r.Custom {
			rates.Custom = append(rates.Custom, CustomRate(c))
		}
		b.Versions = append(b.Versions, Version{EffectiveFrom: v.EffectiveFrom.UTC(), TermsDays: v.TermsDays, Rates: rates})
	}
	return b
}

func versionToDoc(v Version) versionDoc {
	r := v.Rates
	rd := ratesDoc{StorageCubicMetreDay: r.StorageCubicMetreDay, StoragePalletDay: r.StoragePalletDay, ReceivingUnit: r.ReceivingUnit,
		ReceivingCarton: r.ReceivingCarton, PickPackOrder: r.PickPackOrder, PickPackExtraLine: r.PickPackExtraLine, ReturnsUnit: r.ReturnsUnit,
		FreightMarkupBps: r.FreightMarkupBps, CustomsDeclaration: r.CustomsDeclaration, ProcurementCommissionBps: r.ProcurementCommissionBps,
		ProcurementMinimum: r.ProcurementMinimum, FinancingFacilitationBps: r.FinancingFacilitationBps}
	for _, c := range r.Custom {
		rd.Custom = append(rd.Custom, customDoc(c))
	}
	return versionDoc{EffectiveFrom: v.EffectiveFrom.UTC(), TermsDays: v.TermsDays, Rates: rd}
}

type taxRateDoc struct {
	Country       string `bson:"_id"`
	Name          string `bson:"name"`
	RateBps       int64  `bson:"rateBps"`
	ReverseCharge bool   `bson:"reverseCharge"`
}

func (s *Service) loadInvoice(ctx context.Context, id string) (invoiceDoc, error) {
	var d invoiceDoc
	err := s.invoices.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return d, ErrNotFound
	}
	if err != nil {
		return d, errs.Internalf("load invoice %s: %w", id, err)
	}
	return d, nil
}

// errRetry asks mutate to read the document again and start over.
var errRetry = errs.E(errs.Conflict, "the invoice changed meanwhile; try again")

// mutate applies fn to invoice id and writes the result guarded on the version it read,
// starting over when another writer got there first. fn may return errSkip to write nothing.
func (s *Service) mutate(ctx context.Context, id string, fn func(d *invoiceDoc) error) (invoiceDoc, error) {
	for range 20 {
		d, err := s.loadInvoice(ctx, id)
		if err != nil {
			return d, err
		}
		v := d.Version
		if err := fn(&d); err != nil {
			if err == errSkip {
				return d, nil
			}
			return d, err
		}
		d.Version = v + 1
		d.UpdatedAt = s.clock.Now()
		res, err := s.invoices.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "version", Value: v}}, d)
		if err != nil {
			return d, errs.Internalf("write invoice %s: %w", id, err)
		}
		if res.ModifiedCount == 1 {
			return d, nil
		}
	}
	return invoiceDoc{}, errRetry
}

// errSkip leaves the document as it is.
var errSkip = errs.E(errs.Internal, "skip")

func upsert() *options.UpdateOptions { return options.Update().SetUpsert(true) }

package procurement

import (
	"context"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/audit"
)

// QuoteLineInput is a supplier's price for one RFQ line; UnitPrice is a decimal in the quote
// currency.
type QuoteLineInput struct {
	RFQLineID    string
	UnitPrice    string
	MOQ          int64
	LeadTimeDays int
}

// QuoteInput submits or revises a supplier's quote.
type QuoteInput struct {
	RFQID      string
	SupplierID string
	Incoterm   Incoterm
	Currency   string
	ValidUntil time.Time
	Lines      []QuoteLineInput
	Notes      string
}

// SubmitQuote records the supplier's quote for an OPEN RFQ before its deadline, or revises it
// (one quote per supplier and RFQ; a revision replaces the lines, clears the landed cost and
// increments Revision). The caller is the supplier's own user, or staff with write on the
// account's supplier_quotes (an account manager entering it on the supplier's behalf).
//
// Returns NOT_FOUND at input.rfqId for an RFQ the caller cannot see, and at input.supplierId
// for a supplier that is not invited (or not the caller's); DEADLINE_PASSED for a late quote
// or an RFQ no longer OPEN; BELOW_MOQ at the line when the RFQ's quantity is below the quoted
// MOQ; INVALID with a field for bad input (an unknown currency, a line not on the RFQ, a
// validity before the deadline…); FORBIDDEN for a buyer who may read but not quote.
func (s *Service) SubmitQuote(ctx context.Context, in QuoteInput) (Quote, error) {
	cur, err := money.ParseCurrency(strings.TrimSpace(in.Currency))
	if err != nil {
		return Quote{}, errs.InvalidField("input.currency", "not an ISO 4217 currency code")
	}
	if !in.Incoterm.Valid() {
		return Quote{}, errs.InvalidField("input.incoterm", "an Incoterms 2020 code such as FOB or DDP")
	}
	notes, err := text("input.notes", in.Notes, maxSpecs, false)
	if err != nil {
		return Quote{}, err
	}
	if len(in.Lines) == 0 {
		return Quote{}, errs.InvalidField("input.lines", "a quote needs at least one line")
	}
	d, v, err := s.loadRFQ(ctx, in.RFQID, "input.rfqId")
	if err != nil {
		return Quote{}, err
	}
	audit.Annotate(ctx, d.AccountID, d.ID)
	// Who quotes: the supplier itself, or staff on its behalf. A supplier user naming another
	// supplier, or anyone naming a supplier not invited, gets NOT_FOUND for the supplier.
	onBehalf := false
	switch {
	case v.supplier != "":
		if in.SupplierID != v.supplier {
			return Quote{}, ErrNotFound.With("input.supplierId", nil)
		}
		if err := s.access.Require(ctx, v.supplier, access.SupplierQuotes, access.Write); err != nil {
			return Quote{}, notFound(err, "input.supplierId")
		}
	default:
		if err := s.access.Require(ctx, d.AccountID, access.SupplierQuotes, access.Write); err != nil {
			return Quote{}, err
		}
		onBehalf = true
	}
	invited := false
	for _, id := range d.SupplierIDs {
		invited = invited || id == in.SupplierID
	}
	if !invited {
		return Quote{}, ErrNotFound.With("input.supplierId", nil)
	}
	now := s.clock.Now()
	if d.Status != string(RFQOpen) || !now.Before(d.Deadline) {
		return Quote{}, ErrDeadlinePassed.With("input.rfqId", nil)
	}
	if in.ValidUntil.Before(d.Deadline) {
		return Quote{}, errs.InvalidField("input.validUntil", "a quote must stay valid at least until the RFQ's response deadline")
	}
	seen := map[string]bool{}
	var lines []quoteLineDoc
	for i, l := range in.Lines {
		f := "input.lines." + itoa(i)
		rl, ok := d.line(l.RFQLineID)
		if !ok || seen[l.RFQLineID] {
			return Quote{}, errs.InvalidField(f+".rfqLineId", "a line of the RFQ, each once")
		}
		seen[l.RFQLineID] = true
		p, err := money.ParseAmount(strings.TrimSpace(l.UnitPrice), cur)
		if err != nil || p <= 0 || p > MaxUnitPrice {
			return Quote{}, errs.InvalidField(f+".unitPrice", "a positive amount in %s, at most %s", cur.Code(), money.FormatAmount(MaxUnitPrice, cur))
		}
		if l.MOQ < 0 || l.MOQ > MaxQuantity {
			return Quote{}, errs.InvalidField(f+".moq", "between 0 and %d", MaxQuantity)
		}
		if l.LeadTimeDays < 0 || l.LeadTimeDays > MaxLeadTimeDays {
			return Quote{}, errs.InvalidField(f+".leadTimeDays", "between 0 and %d days", MaxLeadTimeDays)
		}
		if rl.Quantity < l.MOQ {
			return Quote{}, ErrBelowMOQ.With(f+".moq", nil).WithMessage(
				"the RFQ asks for %d %s, below this minimum order quantity of %d", rl.Quantity, rl.Unit, l.MOQ)
		}
		lines = append(lines, quoteLineDoc{LineID: l.RFQLineID, UnitPrice: p, MOQ: l.MOQ, LeadDays: l.LeadTimeDays})
	}
	set := bson.M{"accountId": d.AccountID, "incoterm": string(in.Incoterm), "currency": cur.Code(),
		"validUntil": in.ValidUntil.UTC().Truncate(time.Millisecond), "lines": lines, "notes": notes, fStatus: string(QuoteSubmitted),
		"submittedBy": actor(ctx), "onBehalf": onBehalf, "submittedAt": now}
	filter := bson.M{fRFQID: d.ID, fSupplierID: in.SupplierID}
	upd := bson.M{"$set": set, "$unset": bson.M{"landed": ""}, "$inc": bson.M{"revision": 1},
		"$setOnInsert": bson.M{fID: ids.New(ids.SupplierQuote)}}
	opts := options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)
	var out quoteDoc
	err = s.quotes.FindOneAndUpdate(ctx, filter, upd, opts).Decode(&out)
	if mongo.IsDuplicateKeyError(err) {
		// A racing first submission inserted it: this one is a revision.
		err = s.quotes.FindOneAndUpdate(ctx, filter, upd, opts).Decode(&out)
	}
	if err != nil {
		return Quote{}, internal("upsert quote", err)
	}
	return out.toQuote(), nil
}

// Quotes lists an RFQ's quotes: all of them for the buyer, only its own for a supplier user.
// Returns NOT_FOUND for an RFQ the caller cannot see.
func (s *Service) Quotes(ctx context.Context, rfqID string) ([]Quote, error) {
	d, v, err := s.loadRFQ(ctx, rfqID, "rfqId")
	if err != nil {
		return nil, err
	}
	f := bson.M{fRFQID: d.ID}
	if v.buyer {
		if err := s.access.Require(ctx, d.AccountID, access.SupplierQuotes, access.Read); err != nil {
			return nil, notFound(err, "rfqId")
		}
	} else {
		if err := s.access.Require(ctx, v.supplier, access.SupplierQuotes, access.Read); err != nil {
			return nil, notFound(err, "rfqId")
		}
		f[fSupplierID] = v.supplier
	}
	docs, err := s.quoteDocs(ctx, f)
	if err != nil {
		return nil, err
	}
	out := []Quote{}
	for _, q := range docs {
		qq := q.toQuote()
		if !v.buyer {
			qq.Landed = nil // the buyer's comparison is the buyer's
		}
		out = append(out, qq)
	}
	return out, nil
}

func (s *Service) quoteDocs(ctx context.Context, f bson.M) ([]quoteDoc, error) {
	cur, err := s.quotes.Find(ctx, f, options.Find().SetSort(bson.D{{Key: fID, Value: 1}}))
	if err != nil {
		return nil, internal("find quotes", err)
	}
	var docs []quoteDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, internal("find quotes", err)
	}
	return docs, nil
}

// QuotesByID returns the visible quotes among list: all quotes of RFQs the caller buys on,
// and a supplier user's own.
func (s *Service) QuotesByID(ctx context.Context, list []string) (map[string]Quote, error) {
	docs, err := s.quoteDocs(ctx, bson.M{fID: bson.M{"$in": list}})
	if err != nil {
		return nil, err
	}
	out := map[string]Quote{}
	for _, q := range docs {
		_, v, err := s.loadRFQ(ctx, q.RFQID, "id")
		if errs.CodeOf(err) == errs.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		switch {
		case v.buyer && s.access.Require(ctx, q.AccountID, access.SupplierQuotes, access.Read) == nil:
			out[q.ID] = q.toQuote()
		case !v.buyer && v.supplier == q.SupplierID:
			qq := q.toQuote()
			qq.Landed = nil
			out[q.ID] = qq
		}
	}
	return out, nil
}

package usage

import (
	"context"
	"maps"
	"math"
	"regexp"
	"slices"
	"time"
	"unicode"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
)

// Limits on a record's text.
const (
	MaxSourceKeyLen = 200
	MaxAttributes   = 20
	maxCodeLen      = 64
	maxUnitLen      = 32
	maxAttrValueLen = 200
)

var (
	codePattern    = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)
	unitPattern    = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	attrKeyPattern = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]{0,39}$`)
)

// Service records and reads usage.
type Service struct {
	coll  *mongo.Collection
	clock clock.Clock
	// freezeWindow is how many records one command of Freeze marks at most (see the claim
	// cost note in claim.go): about 0.5 ms a record on the embedded store, so 5,000 end well
	// within the driver's 30 s timeout. Tests make it small.
	freezeWindow int
}

// NewService returns the usage service over db; clk stamps CreatedAt.
func NewService(db *mongo.Database, clk clock.Clock) *Service {
	return &Service{coll: db.Collection(Collection), clock: clk, freezeWindow: 5_000}
}

// Record stores r and returns it with its ID and CreatedAt, and created = true. If the account
// already has a record with r's SourceKey, it stores nothing and returns that record with
// created = false, never an error: a replay (a retried request, a re-run job, two racing
// workers) is answered by the first record, even if r differs from it, because the source key is
// what identifies the fact.
//
// Record does no authorization: it is called by trusted service code after that code has
// authorized and applied its own change, never on a user's behalf with user-chosen fields.
//
// It returns an INVALID error with the field (nothing stored) if r has an ID, InvoiceID or
// CreatedAt set (they are assigned), an AccountID that is not an account id, an unknown
// Category, a Code or Unit that is not lower-case snake words ("pickpack.order", "unit"), a zero
// Quantity, an Amount without currency, a zero OccurredAt, an empty SourceKey or one over
// MaxSourceKeyLen bytes or with control characters, or more than MaxAttributes attributes, a
// key other than letters, digits and "_" (at most 40) or a value over 200 bytes; and an
// INTERNAL error if the store fails.
func (s *Service) Record(ctx context.Context, r Record) (Record, bool, error) {
	if err := validate(r); err != nil {
		return Record{}, false, err
	}
	r.ID = ids.New(ids.Usage)
	r.OccurredAt = r.OccurredAt.UTC().Truncate(time.Millisecond)
	r.CreatedAt = s.clock.Now()
	r.Attributes = cloneAttributes(r.Attributes)
	if r.Amount != nil {
		a := *r.Amount
		r.Amount = &a
	}
	_, err := s.coll.InsertOne(ctx, toDoc(r))
	if err == nil {
		return r, true, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return Record{}, false, errs.Internalf("record usage %s: %w", r.SourceKey, err)
	}
	d, ferr := findBySourceKey(ctx, s.coll, r.AccountID, r.SourceKey)
	if ferr != nil {
		return Record{}, false, errs.Internalf("record usage %s: replay, but reading the first record: %w (insert: %v)",
			r.SourceKey, ferr, err)
	}
	first, err := fromDoc(d)
	if err != nil {
		return Record{}, false, errs.Internalf("record usage %s: %w", r.SourceKey, err)
	}
	return first, false, nil
}

func validate(r Record) error {
	switch {
	case r.ID != "":
		return errs.InvalidField("id", "is assigned when the record is stored; leave it empty")
	case r.InvoiceID != "":
		return errs.InvalidField("invoiceId", "is set by invoicing; leave it empty")
	case !r.CreatedAt.IsZero():
		return errs.InvalidField("createdAt", "is assigned when the record is stored; leave it zero")
	case !ids.HasPrefix(r.AccountID, ids.Account):
		return errs.InvalidField("accountId", "not an account id")
	case !r.Category.Valid():
		return errs.InvalidField("category", "unknown category %q", r.Category)
	case len(r.Code) > maxCodeLen || !codePattern.MatchString(r.Code):
		return errs.InvalidField("code",
			"must be lower-case words separated by dots, such as pickpack.order, at most %d characters", maxCodeLen)
	case len(r.Unit) > maxUnitLen || !unitPattern.MatchString(r.Unit):
		return errs.InvalidField("unit",
			"must be a lower-case word such as unit or cubic_metre_day, at most %d characters", maxUnitLen)
	case r.Quantity == 0:
		return errs.InvalidField("quantity", "must not be zero")
	case r.Quantity == math.MinInt64:
		return errs.InvalidField("quantity", "is out of range")
	case r.Amount != nil && r.Amount.Currency.IsZero():
		return errs.InvalidField("amount.currencyCode", "an amount needs a currency")
	case r.Amount != nil && r.Amount.Amount == math.MinInt64:
		return errs.InvalidField("amount.amount", "is out of range")
	case r.OccurredAt.IsZero():
		return errs.InvalidField("occurredAt", "must be set")
	case r.SourceKey == "":
		return errs.InvalidField("sourceKey", "must be set")
	case len(r.SourceKey) > MaxSourceKeyLen:
		return errs.InvalidField("sourceKey", "must be at most %d bytes", MaxSourceKeyLen)
	case !printable(r.SourceKey):
		return errs.InvalidField("sourceKey", "must be UTF-8 text without control characters")
	case len(r.Attributes) > MaxAttributes:
		return errs.InvalidField("attributes", "at most %d attributes", MaxAttributes)
	}
	keys := make([]string, 0, len(r.Attributes))
	for k := range r.Attributes {
		keys = append(keys, k)
	}
	slices.Sort(keys) // report the same bad attribute every time
	for _, k := range keys {
		if !attrKeyPattern.MatchString(k) {
			return errs.InvalidField("attributes",
				"attribute name %q must be letters, digits and _, starting with a letter, at most 40", k)
		}
		if v := r.Attributes[k]; len(v) > maxAttrValueLen || !printable(v) {
			return errs.InvalidField("attributes."+k,
				"must be UTF-8 text without control characters, at most %d bytes", maxAttrValueLen)
		}
	}
	return nil
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, c := range s {
		if unicode.IsControl(c) {
			return false
		}
	}
	return true
}

func cloneAttributes(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return maps.Clone(m)
}

// position is a decoded List cursor.
type position struct {
	at time.Time
	id string
}

// Cursor returns r's position in List's order, for building a connection's edges.
func Cursor(r Record) cursor.Cursor {
	return cursor.Cursor{Key: r.OccurredAt.UTC().Format(time.RFC3339Nano), ID: r.ID}
}

func decodePosition(c *cursor.Cursor, field string) (*position, error) {
	if c == nil {
		return nil, nil
	}
	at, err := time.Parse(time.RFC3339Nano, c.Key)
	if err != nil || !ids.HasPrefix(c.ID, ids.Usage) {
		return nil, cursor.ErrInvalidCursor.With(field, err)
	}
	return &position{at: at.UTC(), id: c.ID}, nil
}

// List returns a page of accountID's records that match f, in (OccurredAt, ID) order, as the
// window w (from cursor.Page.Validate) asks: w.Limit records after w.After and before w.Before,
// from the start (w.Forward) or the end.
//
// List does no authorization: the caller checks that its principal may read accountID's usage.
// It returns an INVALID error with the field for an accountID that is not an account id
// ("accountId"), an unknown category ("filter.category"), From not before To ("filter.to") or a
// non-positive limit ("first"); ErrInvalidCursor (INVALID) for a cursor that is not a usage
// position; and an INTERNAL error if the store fails.
func (s *Service) List(ctx context.Context, accountID string, f Filter, w cursor.Window) (Page, error) {
	switch {
	case !ids.HasPrefix(accountID, ids.Account):
		return Page{}, errs.InvalidField("accountId", "not an account id")
	case f.Category != "" && !f.Category.Valid():
		return Page{}, errs.InvalidField("filter.category", "unknown category %q", f.Category)
	case !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To):
		return Page{}, errs.InvalidField("filter.to", "must be after from")
	case w.Limit < 1:
		return Page{}, errs.InvalidField("first", "must be at least 1")
	}
	after, err := decodePosition(w.After, "after")
	if err != nil {
		return Page{}, err
	}
	before, err := decodePosition(w.Before, "before")
	if err != nil {
		return Page{}, err
	}
	recs, err := findRecords(ctx, s.coll, listFilter(accountID, f, after, before), w.Forward, w.Limit+1)
	if err != nil {
		return Page{}, errs.Internalf("list usage of %s: %w", accountID, err)
	}
	p := Page{More: len(recs) > w.Limit}
	if p.More {
		recs = recs[:w.Limit]
	}
	if !w.Forward {
		slices.Reverse(recs)
	}
	p.Records = recs
	return p, nil
}

// Totals adds up accountID's usage that occurred in [from, to), by Category, Code and Unit,
// with the amounts summed per currency, in category order (Categories()), then code and unit.
// The sums are exact integers.
//
// Totals does no authorization: the caller checks that its principal may read accountID's
// usage. It returns an INVALID error with the field for an accountID that is not an account id
// ("accountId"), a zero from ("from") or a to that is zero or not after from ("to"); and an
// INTERNAL error if the store fails or a sum overflows int64.
func (s *Service) Totals(ctx context.Context, accountID string, from, to time.Time) ([]Total, error) {
	switch {
	case !ids.HasPrefix(accountID, ids.Account):
		return nil, errs.InvalidField("accountId", "not an account id")
	case from.IsZero():
		return nil, errs.InvalidField("from", "must be set")
	case to.IsZero() || !from.Before(to):
		return nil, errs.InvalidField("to", "must be after from")
	}
	totals, err := sumTotals(ctx, s.coll, accountID, from, to, s.clock.Now())
	if err != nil {
		return nil, errs.Internalf("usage totals of %s from %s to %s: %w", accountID,
			from.Format(time.RFC3339), to.Format(time.RFC3339), err)
	}
	return totals, nil
}

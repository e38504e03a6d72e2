// Package usage keeps the billable usage records that the domains write as they work (a unit
// received, an order picked, a cubic metre stored for a day, a customs declaration filed) and
// that invoicing prices and claims.
//
// A record is written once per billable fact: its SourceKey names the fact deterministically
// ("storage:acct_x:whs_y:2026-11-20", "pickpack:ord_z"), and recording the same key again returns
// the first record instead of a second one. So a domain may record usage after its own write,
// and again on every retry, without ever billing twice.
//
// Quantities are exact: a Quantity counts millionths of its Unit (see Quantity). Money that a
// record carries as its basis (a freight charge, a purchase order's value) is a money.Money in
// minor units. Neither ever passes through float64.
package usage

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
)

// Category groups usage on an invoice.
type Category string

// The categories. They are stored, and invoicing maps them to invoice sections.
const (
	Warehousing Category = "WAREHOUSING"
	Transport   Category = "TRANSPORT"
	Customs     Category = "CUSTOMS"
	Procurement Category = "PROCUREMENT"
	Financing   Category = "FINANCING"
	Other       Category = "OTHER"
)

// Categories returns every category, in invoice order.
func Categories() []Category {
	return []Category{Warehousing, Transport, Customs, Procurement, Financing, Other}
}

// Valid reports whether c is one of the categories.
func (c Category) Valid() bool {
	switch c {
	case Warehousing, Transport, Customs, Procurement, Financing, Other:
		return true
	}
	return false
}

// Quantity is an exact quantity of a record's Unit, counted in millionths: Units(3) is three
// units, Quantity(2_500_000) is 2.5 (cubic metre-days, say), and the smallest step is 0.000001,
// which keeps a volume measured in cubic centimetres exact in cubic metres. The range is about
// ±9.2 trillion units. Code that measures something finer rounds once, where it measures, and
// says how.
type Quantity int64

const (
	// QuantityScale is the number of Quantity steps in one unit.
	QuantityScale = 1_000_000
	// QuantityDigits is the number of decimal places a Quantity holds.
	QuantityDigits = 6
)

// Units returns n whole units. It panics if n is beyond the Quantity range (about 9.2 trillion),
// which no real count reaches.
func Units(n int64) Quantity {
	if n > math.MaxInt64/QuantityScale || n < math.MinInt64/QuantityScale {
		panic("usage.Units: count out of range")
	}
	return Quantity(n * QuantityScale)
}

// ErrInvalidQuantity reports a decimal string that is not a quantity.
var ErrInvalidQuantity = errs.Sentinel(errs.Invalid, "INVALID_QUANTITY",
	"quantity must be a decimal number with at most 6 decimal places, such as 2.5")

// ParseQuantity reads a decimal such as "3", "2.5" or "-0.000125": an optional "-", an integer
// part ("0" or digits without a leading zero) and optionally "." and one to six digits, the
// form the GraphQL Decimal scalar carries. It returns ErrInvalidQuantity (INVALID) for anything
// else, including exponents, spaces, "+", ".5", "5.", "-0" and values out of range.
func ParseQuantity(s string) (Quantity, error) {
	neg := strings.HasPrefix(s, "-")
	body := strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(body, ".")
	if whole == "" || !allDigits(whole) || len(whole) > 1 && whole[0] == '0' ||
		hasFrac && (frac == "" || len(frac) > QuantityDigits || !allDigits(frac)) {
		return 0, ErrInvalidQuantity
	}
	frac += strings.Repeat("0", QuantityDigits-len(frac))
	var q uint64
	for _, c := range whole + frac {
		d := uint64(c - '0')
		if q > (math.MaxInt64-d)/10 {
			return 0, ErrInvalidQuantity.WithMessage("quantity is too large")
		}
		q = q*10 + d
	}
	if neg {
		if q == 0 {
			return 0, ErrInvalidQuantity.WithMessage("quantity must not be negative zero")
		}
		return -Quantity(q), nil
	}
	return Quantity(q), nil
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String formats q as a decimal without trailing zeros: "3", "2.5", "-0.000125". ParseQuantity
// reads it back to the same value.
func (q Quantity) String() string {
	neg := q < 0
	u := uint64(q)
	if neg {
		u = uint64(-(q + 1)) + 1 // also right for math.MinInt64
	}
	whole, frac := u/QuantityScale, u%QuantityScale
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(strconv.FormatUint(whole, 10))
	if frac != 0 {
		f := strconv.FormatUint(frac, 10)
		f = strings.Repeat("0", QuantityDigits-len(f)) + f
		b.WriteByte('.')
		b.WriteString(strings.TrimRight(f, "0"))
	}
	return b.String()
}

// Record is one billable fact.
type Record struct {
	ID        string   // "use_…", assigned by Service.Record
	AccountID string   // the account billed
	Category  Category // the invoice section
	// Code says what was done, "area.what": "storage.cubic_metre_day", "receiving.unit",
	// "pickpack.order", "pickpack.extra_line", "returns.unit", "freight.charge",
	// "customs.declaration", "procurement.commission", "financing.facilitation"... Invoicing
	// prices by Category and Code.
	Code     string
	Quantity Quantity // how much, in millionths of Unit; negative for a correction
	Unit     string   // what Quantity counts: "unit", "order", "line", "cubic_metre_day"...
	// Amount is the record's own money basis where it has one (the freight charge, the PO
	// value that a commission is a percentage of); nil otherwise.
	Amount     *money.Money
	OccurredAt time.Time // when the billable fact happened; decides the billing period
	// SourceKey names the fact, deterministically and uniquely within the account, such as
	// "storage:acct_x:whs_y:2026-11-20": recording it again returns the first record.
	SourceKey string
	// Attributes are details for the invoice line: sku, warehouse, order ids...
	Attributes map[string]string
	// InvoiceID is empty until an invoice claims the record; only invoicing sets it.
	InvoiceID string
	CreatedAt time.Time // when the record was stored
}

// Filter narrows List. The zero Filter lists everything.
type Filter struct {
	Category   Category  // only this category; empty for all
	From, To   time.Time // OccurredAt in [From, To); a zero bound is open
	Uninvoiced bool      // only records no invoice has claimed
}

// Page is one page of List: the records in (OccurredAt, ID) order, and whether there are more
// records beyond it in the direction of paging (hasNextPage going forward, hasPreviousPage going
// backward).
type Page struct {
	Records []Record
	More    bool
}

// Total is the usage of one Category, Code and Unit over a period.
type Total struct {
	Category Category
	Code     string
	Unit     string
	Quantity Quantity
	// Amounts sums the Amount of the records that have one, one Money per currency, in
	// currency code order; empty when none has.
	Amounts []money.Money
}

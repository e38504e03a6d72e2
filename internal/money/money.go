// Package money is Tradehub's money: an int64 count of a currency's minor units (cents for USD,
// yen for JPY, fils for KWD) and the currency. Arithmetic is exact integer arithmetic, checked
// for overflow; multiplication by a rate goes through math/big and rounds once, by a mode the
// caller names. There is no float64 anywhere.
//
// # Range
//
// Amounts are kept in [-math.MaxInt64, math.MaxInt64]: every checked operation and ParseAmount
// refuse math.MinInt64, so Neg of any amount this package produced is exact. (For USD
// that is about ±92 quadrillion dollars.)
//
// # Currencies and their digits
//
// A currency's number of minor-unit digits comes from golang.org/x/text/currency, which carries
// CLDR 32's currency data (x/text v0.43.0), never from a table typed here. Two consequences:
//
//   - CLDR's "digits" follow how a currency is used in practice, and for two dozen currencies
//     that is 0 where the ISO 4217 minor unit is 2 (3 for IQD): AFN, ALL, AMD, COP, GYD, IDR,
//     IQD, IRR, KPW, LAK, LBP, MGA, MMK, MNT, MRO, MUR, PKR, RSD, SLL, SOS, SYP, TZS, UZS and
//     YER. JPY 0, USD 2, EUR 2, GBP 2, CNY 2, AUD 2, CAD 2, KWD 3 and BHD 3 agree with ISO.
//     Payment providers keep their own lists (Stripe treats ISK, HUF and TWD specially), so
//     converting to a provider's integer amounts is that adapter's job, with Digits as input.
//   - CLDR 32 predates VES, MRU, SLE, ZWG and XCG, so those are rejected, and it still counts
//     HRK (replaced by EUR in 2023) as in use.
//
// Stored amounts mean something only together with the digits they were written with, so a
// change of digits is a data migration, not a library upgrade. testdata/currencies.golden pins
// the accepted codes and their digits; TestCurrencyTable fails when x/text changes them.
//
// # Decimal strings
//
// The GraphQL Decimal scalar is a string. ParseAmount accepts only the plain form:
// an optional "-", an integer part ("0" or digits without a leading zero) and optionally "."
// followed by one up to Digits() digits. "0.5" is accepted; ".5", "5.", "+5", "1e3", "1,000",
// "007", "-0" and surrounding spaces are not. FormatAmount always prints exactly Digits()
// fraction digits, and ParseAmount(FormatAmount(x)) == x for every amount in range.
package money

import (
	"math"
	"math/big"
	"slices"

	"github.com/tradehub/tradehub/internal/errs"
)

var (
	// ErrCurrencyMismatch reports arithmetic or a comparison between two currencies.
	ErrCurrencyMismatch = errs.Sentinel(errs.Invalid, "CURRENCY_MISMATCH",
		"amounts are in different currencies")
	// ErrOutOfRange reports a result too large to hold in int64 minor units.
	ErrOutOfRange = errs.Sentinel(errs.Invalid, "AMOUNT_OUT_OF_RANGE", "amount is too large")
)

// Money is an amount of minor units of a currency: {1230, USD} is 12.30 USD.
type Money struct {
	Amount   int64 // minor units
	Currency Currency
}

// New returns minor units of c: New(1230, usd) is 12.30 USD.
func New(minor int64, c Currency) Money { return Money{Amount: minor, Currency: c} }

// String formats m as "12.30 USD".
func (m Money) String() string {
	if m.Currency.IsZero() {
		return FormatAmount(m.Amount, m.Currency)
	}
	return FormatAmount(m.Amount, m.Currency) + " " + m.Currency.Code()
}

// IsZero reports whether the amount is zero, whatever the currency.
func (m Money) IsZero() bool { return m.Amount == 0 }

// IsNegative reports whether the amount is below zero.
func (m Money) IsNegative() bool { return m.Amount < 0 }

// Neg returns -m. It panics on an amount of math.MinInt64, which is outside the range every
// checked operation and ParseAmount keep to, so only a hand-built Money can hold it.
func (m Money) Neg() Money {
	if m.Amount == math.MinInt64 {
		panic("money: Neg of math.MinInt64")
	}
	return Money{Amount: -m.Amount, Currency: m.Currency}
}

// Add returns m + o. It returns ErrCurrencyMismatch if the currencies differ or either is the
// zero Currency, and ErrOutOfRange if the sum leaves the package's range.
func (m Money) Add(o Money) (Money, error) {
	if err := sameCurrency(m, o); err != nil {
		return Money{}, err
	}
	a, b := m.Amount, o.Amount
	// Compare against the bounds before adding, so nothing ever wraps around.
	if b > 0 && a > math.MaxInt64-b || b < 0 && a < -math.MaxInt64-b || a+b == math.MinInt64 {
		return Money{}, ErrOutOfRange
	}
	return Money{Amount: a + b, Currency: m.Currency}, nil
}

// Sub returns m - o, with Add's errors.
func (m Money) Sub(o Money) (Money, error) {
	if err := sameCurrency(m, o); err != nil {
		return Money{}, err
	}
	a, b := m.Amount, o.Amount
	if b < 0 && a > math.MaxInt64+b || b > 0 && a < -math.MaxInt64+b || a-b == math.MinInt64 {
		return Money{}, ErrOutOfRange
	}
	return Money{Amount: a - b, Currency: m.Currency}, nil
}

// Cmp compares m and o: -1 if m < o, 0 if equal, +1 if m > o. It returns ErrCurrencyMismatch if
// the currencies differ, because 5 USD and 5 EUR are neither equal nor ordered.
func (m Money) Cmp(o Money) (int, error) {
	if err := sameCurrency(m, o); err != nil {
		return 0, err
	}
	switch {
	case m.Amount < o.Amount:
		return -1, nil
	case m.Amount > o.Amount:
		return 1, nil
	}
	return 0, nil
}

func sameCurrency(m, o Money) error {
	if m.Currency.IsZero() || o.Currency.IsZero() {
		return ErrCurrencyMismatch.WithMessage("amount has no currency")
	}
	if m.Currency != o.Currency {
		return ErrCurrencyMismatch.WithMessage("cannot combine %s with %s",
			m.Currency.Code(), o.Currency.Code())
	}
	return nil
}

// RoundingMode says how a result that falls between two minor units becomes one of them. Every
// place that rounds money names its mode, so the rule is written where it happens. The zero
// value is not a mode: forgetting to choose one is an error, not a silent default.
type RoundingMode int

const (
	// HalfEven rounds to the nearest minor unit and a tie to the even one (banker's rounding):
	// 0.125 → 0.12, 0.135 → 0.14, -0.125 → -0.12. Ties do not drift one way over many
	// roundings, so it suits interest accruals and anything summed afterwards.
	HalfEven RoundingMode = iota + 1
	// HalfUp rounds to the nearest minor unit and a tie away from zero ("commercial"
	// rounding, what a person does by hand): 0.125 → 0.13, -0.125 → -0.13.
	HalfUp
	// Down truncates toward zero: 0.129 → 0.12, -0.129 → -0.12. Use it where a bound must not
	// be exceeded, such as an advance of at most 80 % of a shipment's value.
	Down
)

// String returns the mode's name.
func (r RoundingMode) String() string {
	switch r {
	case HalfEven:
		return "HalfEven"
	case HalfUp:
		return "HalfUp"
	case Down:
		return "Down"
	}
	return "RoundingMode(invalid)"
}

// MulBasisPoints returns m × bps / 10,000 rounded by mode: 150 bps of 1,000.00 USD is 15.00 USD.
// Errors are MulRat's.
func (m Money) MulBasisPoints(bps int64, mode RoundingMode) (Money, error) {
	return m.MulRat(bps, 10_000, mode)
}

// MulRat returns m × num / den, computed exactly and rounded once by mode; it is the one place
// where percentages, advance rates and interest become minor units. For 4.5 % a year over 30
// days, pass num = 45 × 30 and den = 1000 × 365 rather than rounding twice.
//
// It returns an INVALID error if den is zero, ErrOutOfRange if the result does not fit, and an
// INTERNAL error for an unknown rounding mode (a bug in the caller).
func (m Money) MulRat(num, den int64, mode RoundingMode) (Money, error) {
	if mode < HalfEven || mode > Down {
		return Money{}, errs.Internalf("money: unknown rounding mode %d", int(mode))
	}
	if den == 0 {
		return Money{}, errs.E(errs.Invalid, "rate has a zero denominator")
	}
	n := new(big.Int).Mul(big.NewInt(m.Amount), big.NewInt(num))
	d := big.NewInt(den)
	if d.Sign() < 0 {
		n.Neg(n)
		d.Neg(d)
	}
	q := divRound(n, d, mode)
	if !q.IsInt64() || q.Int64() == math.MinInt64 {
		return Money{}, ErrOutOfRange
	}
	return Money{Amount: q.Int64(), Currency: m.Currency}, nil
}

// divRound returns n / d rounded by mode; d must be positive.
func divRound(n, d *big.Int, mode RoundingMode) *big.Int {
	q, r := new(big.Int).QuoRem(n, d, new(big.Int)) // q is truncated toward zero
	if r.Sign() == 0 || mode == Down {
		return q
	}
	// Compare the dropped fraction |r|/d with one half, as 2|r| against d.
	twice := new(big.Int).Abs(r)
	twice.Lsh(twice, 1)
	c := twice.Cmp(d)
	awayFromZero := c > 0 || c == 0 && (mode == HalfUp || q.Bit(0) == 1)
	if awayFromZero {
		q.Add(q, big.NewInt(int64(n.Sign())))
	}
	return q
}

// Allocate splits m into len(weights) parts proportional to weights that add up to m exactly,
// as for spreading an invoice total over lines or a payment over invoices. Each part is the
// truncated share; the few minor units left over go one each to the parts with the largest
// weights, earlier positions first among equal weights, so the result is deterministic. A
// negative amount is split like its absolute value, with every part negative.
//
// It returns an INVALID error if weights is empty, a weight is negative, or they add up to zero.
func (m Money) Allocate(weights []int64) ([]Money, error) {
	if len(weights) == 0 {
		return nil, errs.E(errs.Invalid, "allocation needs at least one weight")
	}
	total := new(big.Int)
	for _, w := range weights {
		if w < 0 {
			return nil, errs.E(errs.Invalid, "allocation weights must not be negative")
		}
		total.Add(total, big.NewInt(w))
	}
	if total.Sign() == 0 {
		return nil, errs.E(errs.Invalid, "allocation weights must not all be zero")
	}

	// Work on the magnitude so that truncation and the leftover units go the same way for
	// negative amounts; big.Int also holds |math.MinInt64|.
	amount := new(big.Int).Abs(big.NewInt(m.Amount))
	shares := make([]*big.Int, len(weights))
	left := new(big.Int).Set(amount)
	for i, w := range weights {
		shares[i] = new(big.Int).Mul(amount, big.NewInt(w))
		shares[i].Quo(shares[i], total)
		left.Sub(left, shares[i])
	}
	// left < the number of positive weights (each share lost less than one unit, zero weights
	// lost nothing), so it never reaches a zero weight.
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case weights[a] > weights[b]:
			return -1
		case weights[a] < weights[b]:
			return 1
		}
		return 0
	})
	for _, i := range order[:left.Int64()] {
		shares[i].Add(shares[i], big.NewInt(1))
	}

	parts := make([]Money, len(weights))
	for i, s := range shares {
		if m.Amount < 0 {
			s.Neg(s)
		}
		parts[i] = Money{Amount: s.Int64(), Currency: m.Currency}
	}
	return parts, nil
}

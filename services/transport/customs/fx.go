package customs

import (
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
)

// StaticRates converts with fixed rates: each entry is the value of one unit of the currency in
// millionths of a US dollar (EUR 1_160_000 means 1 EUR = 1.16 USD). Conversion is exact
// rational arithmetic rounded once, half to even.
type StaticRates map[string]int64

// DefaultRates are fixed demonstration rates (late 2025). They are good enough for a duty
// ESTIMATE shown next to a quote, never for a customs value: production wires a Converter fed by
// a rates provider.
var DefaultRates = StaticRates{
	"USD": 1_000_000, "EUR": 1_160_000, "GBP": 1_310_000, "AUD": 650_000, "CAD": 710_000,
	"JPY": 6_500, "CNY": 140_000, "HKD": 128_000, "SGD": 770_000, "CHF": 1_250_000,
}

// ErrNoRate reports a currency the converter has no rate for.
var ErrNoRate = errs.Sentinel(errs.Invalid, "UNSUPPORTED_CURRENCY", "no exchange rate for this currency")

// Convert returns m in currency to.
func (s StaticRates) Convert(m money.Money, to money.Currency) (money.Money, error) {
	if m.Currency == to {
		return m, nil
	}
	rf, ok1 := s[m.Currency.Code()]
	rt, ok2 := s[to.Code()]
	if !ok1 || !ok2 || rf <= 0 || rt <= 0 {
		return money.Money{}, ErrNoRate.WithMessage("no exchange rate from %s to %s", m.Currency.Code(), to.Code())
	}
	num, den := rf, rt
	for d := m.Currency.Digits(); d < to.Digits(); d++ {
		num *= 10
	}
	for d := to.Digits(); d < m.Currency.Digits(); d++ {
		den *= 10
	}
	r, err := money.New(m.Amount, to).MulRat(num, den, money.HalfEven)
	if err != nil {
		return money.Money{}, err
	}
	return r, nil
}

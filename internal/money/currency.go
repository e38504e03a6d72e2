package money

import (
	"golang.org/x/text/currency"

	"github.com/tradehub/tradehub/internal/errs"
)

// ErrInvalidCurrency reports a currency code that is not one Tradehub accepts.
var ErrInvalidCurrency = errs.Sentinel(errs.Invalid, "INVALID_CURRENCY",
	"currency must be an ISO 4217 code of a currency in use, such as USD")

// Currency is an ISO 4217 currency together with its number of minor-unit digits. Build one with
// ParseCurrency or MustCurrency; the zero Currency means "no currency" and every operation that
// needs one rejects it. Currencies are comparable with ==.
type Currency struct {
	code   string
	digits int
}

// tender maps each accepted code to its Currency. It is filled once from x/text's CLDR data and
// never written again, so reading it from many goroutines is safe.
var tender = loadTender()

// loadTender accepts the currencies that x/text's CLDR snapshot lists as legal tender in some
// region today. That leaves out what x/text parses but is not money a seller can hold: XXX ("no
// currency"), XTS (reserved for tests), precious metals (XAU...), fund and accounting units (XDR,
// CLF, USN...) and withdrawn currencies (DEM, FRF...).
//
// The digits are CLDR's standard rounding scale, not typed by hand. See the package doc for
// where they differ from the ISO 4217 minor units and why that table is pinned by a golden test.
func loadTender() map[string]Currency {
	m := make(map[string]Currency)
	for it := currency.Query(); it.Next(); {
		u := it.Unit()
		// The increment is 1 for the standard rounding of every currency in this data; it
		// only differs for cash (CHF rounds cash to 0.05), which is not what we store.
		scale, _ := currency.Standard.Rounding(u)
		m[u.String()] = Currency{code: u.String(), digits: scale}
	}
	return m
}

// ParseCurrency returns the currency whose ISO 4217 code is code: exactly three upper-case
// letters naming a currency in current use (see the package doc). It returns ErrInvalidCurrency
// (INVALID) otherwise, including for lower case, test and non-money codes such as XTS or XAU.
func ParseCurrency(code string) (Currency, error) {
	if !isUpperAlpha3(code) {
		return Currency{}, ErrInvalidCurrency.WithMessage(
			"currency must be three upper-case letters, such as USD")
	}
	// ParseISO only tells us that x/text knows the code; the tender set decides whether it is
	// money. Both checks are needed: ParseISO also accepts XXX, XTS and withdrawn currencies.
	if _, err := currency.ParseISO(code); err != nil {
		return Currency{}, ErrInvalidCurrency.With("", err).WithMessage(
			"%s is not an ISO 4217 currency code", code)
	}
	c, ok := tender[code]
	if !ok {
		return Currency{}, ErrInvalidCurrency.WithMessage("%s is not a currency in use", code)
	}
	return c, nil
}

// MustCurrency is ParseCurrency for constants in tests and seed data; it panics on a bad code.
func MustCurrency(code string) Currency {
	c, err := ParseCurrency(code)
	if err != nil {
		panic("money.MustCurrency(" + code + "): " + err.Error())
	}
	return c
}

// Code returns the ISO 4217 code, such as "USD", or "" for the zero Currency.
func (c Currency) Code() string { return c.code }

// Digits returns the number of minor-unit digits: 2 for USD (cents), 0 for JPY, 3 for KWD.
func (c Currency) Digits() int { return c.digits }

// IsZero reports whether c is the zero Currency, which names no currency.
func (c Currency) IsZero() bool { return c.code == "" }

// String returns the ISO 4217 code.
func (c Currency) String() string { return c.code }

func isUpperAlpha3(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := range len(s) {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

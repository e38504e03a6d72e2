package money

import (
	"math"
	"strconv"
	"strings"

	"github.com/tradehub/tradehub/internal/errs"
)

// ErrInvalidAmount reports a decimal string that is not an amount of the currency.
var ErrInvalidAmount = errs.Sentinel(errs.Invalid, "INVALID_AMOUNT",
	`amount must be a plain decimal number such as "-1234.56"`)

// ParseMoney parses a Decimal string and an ISO 4217 code, as the GraphQL Money input carries
// them. It returns ErrInvalidCurrency or ErrInvalidAmount.
func ParseMoney(amount, currencyCode string) (Money, error) {
	c, err := ParseCurrency(currencyCode)
	if err != nil {
		return Money{}, err
	}
	minor, err := ParseAmount(amount, c)
	if err != nil {
		return Money{}, err
	}
	return New(minor, c), nil
}

// ParseAmount parses a plain decimal string into minor units of c: "12.3" USD is 1230, "1500"
// JPY is 1500. The accepted form is written in the package doc; anything else, a negative zero,
// more fraction digits than c has, or a value beyond the package's range returns
// ErrInvalidAmount with a message that says which; the zero Currency returns
// ErrInvalidCurrency. The messages never repeat the input, which may be long.
func ParseAmount(s string, c Currency) (int64, error) {
	if c.IsZero() {
		return 0, ErrInvalidCurrency.WithMessage("amount has no currency")
	}
	if s == "" {
		return 0, ErrInvalidAmount.WithMessage("amount is empty")
	}
	neg := s[0] == '-'
	rest := s
	if neg {
		rest = s[1:]
	}
	intPart, frac, hasPoint := strings.Cut(rest, ".")
	if !allDigits(intPart) || hasPoint && !allDigits(frac) {
		return 0, ErrInvalidAmount
	}
	switch {
	case intPart == "" && hasPoint:
		return 0, ErrInvalidAmount.WithMessage(
			`amount needs a digit before the decimal point, as in "0.5"`)
	case intPart == "": // a lone "-"
		return 0, ErrInvalidAmount
	case hasPoint && frac == "":
		return 0, ErrInvalidAmount.WithMessage(
			"amount needs a digit after the decimal point, or no point")
	case len(intPart) > 1 && intPart[0] == '0':
		return 0, ErrInvalidAmount.WithMessage("amount must not have leading zeros")
	case len(frac) > c.digits && c.digits == 0:
		return 0, ErrInvalidAmount.WithMessage("%s amounts are whole numbers", c.code)
	case len(frac) > c.digits:
		return 0, ErrInvalidAmount.WithMessage(
			"%s amounts have at most %d decimal places", c.code, c.digits)
	}

	// Accumulate the digits as a non-negative number of minor units, stopping at the first
	// digit that would pass math.MaxInt64; the range is symmetric, so that bound serves both
	// signs.
	var v int64
	digits := intPart + frac + strings.Repeat("0", c.digits-len(frac))
	for i := range len(digits) {
		d := int64(digits[i] - '0')
		if v > (math.MaxInt64-d)/10 {
			return 0, ErrInvalidAmount.WithMessage("amount is too large")
		}
		v = v*10 + d
	}
	if neg {
		if v == 0 {
			return 0, ErrInvalidAmount.WithMessage("amount must not be a negative zero")
		}
		v = -v
	}
	return v, nil
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// FormatAmount prints minor units of c as a plain decimal string with exactly c.Digits()
// fraction digits: 1230 USD is "12.30", -5 USD is "-0.05", 1500 JPY is "1500", 1250 KWD is
// "1.250". It is ParseAmount's inverse. It prints math.MinInt64 too, although ParseAmount
// refuses it; the zero Currency prints as a whole number.
func FormatAmount(minor int64, c Currency) string {
	s := strconv.FormatInt(minor, 10)
	if c.digits == 0 {
		return s
	}
	sign := ""
	if minor < 0 {
		sign, s = "-", s[1:]
	}
	// Left-pad with zeros so that there is at least one integer digit: 5 cents → "005".
	if len(s) <= c.digits {
		s = strings.Repeat("0", c.digits-len(s)+1) + s
	}
	cut := len(s) - c.digits
	return sign + s[:cut] + "." + s[cut:]
}

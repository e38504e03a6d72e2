// Package scalar holds the marshallers of Tradehub's custom GraphQL scalars. They check shape
// only (an RFC 3339 time, a plain decimal string, a known currency or country); what a value
// means — for example whether an amount has too many decimals for its currency — is checked by
// the converters and services that use it. A rejected value becomes a BAD_USER_INPUT error at
// the variable or argument's path, before any resolver runs.
package scalar

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/tradehub/tradehub/internal/country"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
)

// MarshalDateTime writes t in UTC as RFC 3339 with the fractional seconds it has.
func MarshalDateTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.UTC().Format(time.RFC3339Nano)))
	})
}

// UnmarshalDateTime accepts an RFC 3339 string with an explicit offset.
func UnmarshalDateTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, invalid("DateTime must be an RFC 3339 string")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, invalid("DateTime %q is not RFC 3339 (for example 2026-11-21T08:30:00Z)", truncate(s))
	}
	return t.UTC(), nil
}

// decimalShape is a plain decimal: optional minus, digits, optional fraction. Anything a
// float formatter might produce (exponents, NaN, Inf) or a locale might (separators) is refused.
var decimalShape = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// MarshalDecimal writes a decimal string as a JSON string.
func MarshalDecimal(s string) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(s)) })
}

// UnmarshalDecimal accepts a decimal as a JSON string only: a JSON number may already have
// lost precision in the client's float64 before it reached us.
func UnmarshalDecimal(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", invalid(`Decimal must be a string such as "12.50"`)
	}
	if len(s) > 40 || !decimalShape.MatchString(s) {
		return "", invalid(`Decimal %q is not a plain decimal such as "12.50"`, truncate(s))
	}
	return s, nil
}

// MarshalCurrencyCode writes the ISO 4217 code.
func MarshalCurrencyCode(c money.Currency) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(c.Code())) })
}

// UnmarshalCurrencyCode accepts a known ISO 4217 code in upper case.
func UnmarshalCurrencyCode(v any) (money.Currency, error) {
	s, ok := v.(string)
	if !ok {
		return money.Currency{}, invalid("CurrencyCode must be a string such as \"USD\"")
	}
	c, err := money.ParseCurrency(s)
	if err != nil {
		return money.Currency{}, invalid("CurrencyCode %q is not a known ISO 4217 code", truncate(s))
	}
	return c, nil
}

// MarshalCountryCode writes the ISO 3166-1 alpha-2 code.
func MarshalCountryCode(s string) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(s)) })
}

// UnmarshalCountryCode accepts an ISO 3166-1 alpha-2 country in upper case.
func UnmarshalCountryCode(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", invalid("CountryCode must be a string such as \"CN\"")
	}
	if err := country.Validate(s); err != nil {
		return "", invalid("CountryCode %q is not an ISO 3166-1 alpha-2 code such as \"CN\"", truncate(s))
	}
	return s, nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// invalid classifies a scalar's refusal as bad input, so the client sees BAD_USER_INPUT with
// this message rather than a masked internal error.
func invalid(format string, args ...any) error {
	return &errs.Error{Code: errs.Invalid, Message: fmt.Sprintf(format, args...)}
}

// Package scalar holds the marshallers of Tradehub's custom GraphQL scalars. They check shape
// only (an RFC 3339 time, a plain decimal string, a known currency or country); what a value
// means — for example whether an amount has too many decimals for its currency — is checked by
// the converters and services that use it. A rejected value becomes a BAD_USER_INPUT error at
// the variable or argument's path, before any resolver runs.
package scalar

import (
	"encoding/json"
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

// maxJSONInput bounds a JSON value given as input once encoded. Tradehub reads JSON only as
// output today (event data); the bound keeps a future input from carrying a document-sized
// blob past the request limits' intent.
const maxJSONInput = 64 << 10

// MarshalJSON writes a JSON value as it is. Empty or malformed bytes (a bug upstream) are
// written as null rather than corrupting the response.
func MarshalJSON(v json.RawMessage) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		if len(v) == 0 || !json.Valid(v) {
			_, _ = io.WriteString(w, "null")
			return
		}
		_, _ = w.Write(v)
	})
}

// UnmarshalJSON accepts any JSON value (as the GraphQL parser or the variables decoded it) and
// returns its encoding, up to 64 KiB.
func UnmarshalJSON(v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, invalid("JSON value cannot be encoded")
	}
	if len(b) > maxJSONInput {
		return nil, invalid("JSON value is larger than %d bytes", maxJSONInput)
	}
	return b, nil
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

// Package country validates ISO 3166-1 alpha-2 country codes with golang.org/x/text's region
// data, so no table of countries is typed by hand.
package country

import (
	"strings"

	"golang.org/x/text/language"

	"github.com/tradehub/tradehub/internal/errs"
)

// ErrInvalid is returned for anything but an upper-case alpha-2 code of a country.
var ErrInvalid = errs.Sentinel(errs.Invalid, "INVALID_COUNTRY", "not an ISO 3166-1 alpha-2 country code such as CN")

// Validate reports whether code is an upper-case ISO 3166-1 alpha-2 code of a country (not a
// macro-region such as EU or QO, and not a private-use code).
func Validate(code string) error {
	if len(code) != 2 || strings.ToUpper(code) != code {
		return ErrInvalid
	}
	r, err := language.ParseRegion(code)
	if err != nil || !r.IsCountry() || r.String() != code {
		return ErrInvalid
	}
	return nil
}

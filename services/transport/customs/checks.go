package customs

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
)

// FlagCode names what a check found. Flags are warnings shown with the declaration; what cannot
// be filed at all (a malformed HS code, a negative quantity) is an INVALID error instead.
type FlagCode string

const (
	FlagMissingHSCode      FlagCode = "MISSING_HS_CODE"      // the default duty rate was used
	FlagMalformedHSCode    FlagCode = "MALFORMED_HS_CODE"    // only from Check on raw input
	FlagValueMismatch      FlagCode = "VALUE_MISMATCH"       // declared far from the expected value
	FlagRestrictedCategory FlagCode = "RESTRICTED_CATEGORY"  // licence, excise or dangerous goods
	FlagMissingIOSS        FlagCode = "MISSING_IOSS"         // EU DDP low-value goods without IOSS
	FlagMissingEORI        FlagCode = "MISSING_EORI"         // EU/GB export or import without EORI
	FlagMissingImporterTax FlagCode = "MISSING_IMPORTER_TAX" // DDP to GB ≤ £135 needs the seller's UK VAT number
)

// Flag is one finding. Item is the index of the item, or -1 for the declaration as a whole.
type Flag struct {
	Code    FlagCode
	Item    int
	Message string
}

// ValueTolerancePct is how far (in percent of the expected value) a declared unit value may be
// from the expected one before VALUE_MISMATCH: customs look hard at undervaluation, and a value
// far above the SKU's is as likely a typo.
const ValueTolerancePct = 30

// CheckItem is an item as a user sent it, for Check.
type CheckItem struct {
	Description string
	HSCode      string // raw, as typed
	UnitValue   money.Money
	// ExpectedUnitValue is what the SKU is worth (its catalogue or purchase price), when known.
	ExpectedUnitValue *money.Money
}

// CheckInput is what Check looks at.
type CheckInput struct {
	Items         []CheckItem
	Rule          *Rule // the destination's rule; nil when not known (no restriction check)
	OriginCountry string
	DDP           bool
	// GoodsValue is the consignment value in the rule's currency, for low-value rules; zero if
	// unknown.
	GoodsValue   money.Money
	SenderEORI   string
	ImporterTax  string
	IOSS         string
	SenderVATNum string
}

var euCountries = map[string]bool{
	"AT": true, "BE": true, "BG": true, "HR": true, "CY": true, "CZ": true, "DK": true, "EE": true,
	"FI": true, "FR": true, "DE": true, "GR": true, "HU": true, "IE": true, "IT": true, "LV": true,
	"LT": true, "LU": true, "MT": true, "NL": true, "PL": true, "PT": true, "RO": true, "SK": true,
	"SI": true, "ES": true, "SE": true,
}

// InEU reports whether a country is an EU member state (for VAT and customs purposes).
func InEU(country string) bool { return euCountries[country] }

// Check returns the flags of a declaration, in item order then declaration-level flags.
func Check(in CheckInput) []Flag {
	var flags []Flag
	for i, it := range in.Items {
		hs := strings.TrimSpace(it.HSCode)
		norm := ""
		switch {
		case hs == "":
			flags = append(flags, Flag{FlagMissingHSCode, i, "no HS code: duty is estimated at the destination's default rate and customs may hold the parcel"})
		default:
			n, err := NormalizeHSCode(hs)
			if err != nil {
				flags = append(flags, Flag{FlagMalformedHSCode, i, "the HS code is not 6 to 10 digits of an existing chapter"})
			}
			norm = n
		}
		if it.ExpectedUnitValue != nil && it.ExpectedUnitValue.Currency == it.UnitValue.Currency && it.ExpectedUnitValue.Amount > 0 {
			exp, got := it.ExpectedUnitValue.Amount, it.UnitValue.Amount
			diff := got - exp
			if diff < 0 {
				diff = -diff
			}
			// diff/exp > pct/100, without division.
			if diff*100 > exp*ValueTolerancePct {
				flags = append(flags, Flag{FlagValueMismatch, i, fmt.Sprintf(
					"declared unit value %s is more than %d %% away from the expected %s", it.UnitValue, ValueTolerancePct, *it.ExpectedUnitValue)})
			}
		}
		if in.Rule != nil && norm != "" {
			for _, r := range in.Rule.Restricted {
				if strings.HasPrefix(norm, r.Prefix) {
					flags = append(flags, Flag{FlagRestrictedCategory, i, r.Reason})
					break
				}
			}
		}
	}
	if in.Rule == nil {
		return flags
	}
	dest := in.Rule.Country
	if in.DDP && InEU(dest) && in.IOSS == "" && in.GoodsValue.Currency == in.Rule.Currency &&
		in.GoodsValue.Amount > 0 && in.GoodsValue.Amount <= 15000 && in.Rule.Currency.Code() == "EUR" {
		flags = append(flags, Flag{FlagMissingIOSS, -1, "DDP goods of at most €150 to the EU are declared under the seller's IOSS number"})
	}
	if (InEU(in.OriginCountry) || in.OriginCountry == "GB") && in.SenderEORI == "" {
		flags = append(flags, Flag{FlagMissingEORI, -1, "exports from the EU or GB need the exporter's EORI number"})
	}
	if in.DDP && (InEU(dest) || dest == "GB") && in.ImporterTax == "" && in.IOSS == "" &&
		in.GoodsValue.Currency == in.Rule.Currency && in.GoodsValue.Amount > in.Rule.DutyDeMinimis {
		flags = append(flags, Flag{FlagMissingEORI, -1, "DDP imports above the low-value limit need the importer of record's EORI number"})
	}
	if in.DDP && dest == "GB" && in.ImporterTax == "" && in.GoodsValue.Currency == in.Rule.Currency &&
		in.GoodsValue.Amount > 0 && in.GoodsValue.Amount <= in.Rule.DutyDeMinimis {
		flags = append(flags, Flag{FlagMissingImporterTax, -1, "UK VAT on goods of at most £135 is charged by the seller: give its UK VAT number"})
	}
	return flags
}

var (
	eoriPattern = regexp.MustCompile(`^[A-Z]{2}[A-Z0-9]{1,15}$`)
	iossPattern = regexp.MustCompile(`^IM[0-9]{10}$`)
	taxPattern  = regexp.MustCompile(`^[A-Z0-9][A-Z0-9 .\-/]{1,29}$`)
)

// ValidateEORI checks an EORI number's form: a 2-letter country code and up to 15 letters or
// digits (Reg. 2015/2447 art. 6). field names the input.
func ValidateEORI(field, s string) error {
	if s != "" && !eoriPattern.MatchString(s) {
		return errs.InvalidField(field, "an EORI number is a country code and up to 15 letters or digits, such as DE123456789012345")
	}
	return nil
}

// ValidateIOSS checks an IOSS number: "IM" and 10 digits.
func ValidateIOSS(field, s string) error {
	if s != "" && !iossPattern.MatchString(s) {
		return errs.InvalidField(field, "an IOSS number is IM followed by 10 digits")
	}
	return nil
}

// ValidateTaxID checks a free-form tax id (VAT number, ABN, business number): 2 to 30 letters,
// digits, spaces, dots, dashes or slashes.
func ValidateTaxID(field, s string) error {
	if s != "" && !taxPattern.MatchString(s) {
		return errs.InvalidField(field, "a tax id is 2 to 30 letters, digits, spaces, dots, dashes or slashes")
	}
	return nil
}

// Package customs estimates import duty and VAT/GST for a shipment and checks a customs
// declaration's items. Like ratecard it is pure: the rules table lives in the store of the
// transport service (seeded from DefaultRules), currency conversion comes from a Converter, and
// amounts are int64 minor units rounded half to even, once per line.
//
// # The estimate
//
// For a destination's Rule and the goods (each item's quantity × unit value, converted to the
// rule's currency) and the international shipping charge:
//
//  1. Goods value G is the sum of the items' values. The de minimis test compares G (or, where
//     DeMinimisOnCIF, G plus shipping) with DutyDeMinimis and TaxDeMinimis: at or below a
//     threshold, that levy is zero. A threshold of 0 means the levy applies from the first unit.
//  2. Duty per item = the item's customs value × the duty rate of the longest matching HS
//     prefix in DutyRates (else DefaultDutyBps). The customs value is the item's value, plus its
//     share of the shipping (allocated by value with money.Allocate) where DutyIncludesShipping
//     (a CIF country); FOB countries leave shipping out.
//  3. Tax = (G + shipping if TaxIncludesShipping + duty if TaxIncludesDuty) × TaxBps.
//
// # The cascade per destination (DefaultRules; sources as of 2025, simplifications marked)
//
//   - US: no federal VAT; duty on the transaction value (FOB: international freight excluded,
//     19 CFR 152.103). The $800 Section 321 de minimis was suspended for all origins on
//     29 Aug 2025 (Executive Order 14324), so DutyDeMinimis is 0. SIMPLIFIED: MFN rates only;
//     Section 301 and IEEPA tariffs on Chinese goods are not in the table; state sales tax is not
//     an import levy and is left out.
//   - EU (DE 19 %, FR 20 %, NL 21 %): duty on the CIF customs value (Union Customs Code art. 71);
//     no duty on consignments of intrinsic value ≤ €150 (Reg. 1186/2009 art. 23) — the EU has
//     decided to abolish this relief, update the row when it ends; import VAT from the first euro
//     since 1 July 2021 (IOSS for ≤ €150), on customs value + duty (VAT Directive art. 85–86).
//   - GB (20 %): no duty at or below £135 intrinsic value; VAT always (at the point of sale up to
//     £135, at import above), on CIF customs value + duty.
//   - AU (GST 10 %): duty and border GST only above A$1,000 customs value, which is FOB in
//     Australia; below it the vendor collects GST under the low-value-goods rules, so GST applies
//     from the first dollar here. GST is on the value of the taxable importation: customs value
//   - duty + international transport and insurance. SIMPLIFIED: ChAFTA and other preferential
//     rates are not modelled (CN-origin goods are mostly duty free with proof of origin).
//   - CA (GST 5 %): courier low-value relief CAD 20 for both duty and taxes (CUSMA-origin
//     CAD 150/40 not modelled); duty on value for duty (FOB), GST on value for duty + duty.
//     SIMPLIFIED: federal GST only, no HST/PST/QST.
//   - JP (consumption tax 10 %): duty and tax waived when the CIF taxable value is ≤ ¥10,000; duty
//     on CIF, consumption tax on CIF + duty. SIMPLIFIED: the 60 % valuation of personal imports
//     is not modelled.
//
// Duty rates in DefaultRules are indicative MFN rates per HS chapter (a few headings such as
// 8471 computers and 8517 phones, duty free under the WTO ITA, override their chapter). They are
// for estimates, not classification: a production deployment loads the national tariffs
// (HTSUS, TARIC, UK Global Tariff...) into the same table through UpsertCustomsRule.
package customs

import (
	"strings"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
)

// ErrInvalidHSCode reports an HS code that is not 6 to 10 digits of an existing chapter.
var ErrInvalidHSCode = errs.Sentinel(errs.Invalid, "INVALID_HS_CODE",
	"an HS code is 6 to 10 digits, such as 6109.10 or 6109100010")

// NormalizeHSCode returns the digits of an HS code, dropping the dots and spaces people write
// ("6109.10.00" → "61091000"). It returns ErrInvalidHSCode unless what is left is 6 to 10 digits
// whose first two name an HS chapter (01–97, 77 being reserved).
func NormalizeHSCode(s string) (string, error) {
	if len(s) > 20 {
		return "", ErrInvalidHSCode
	}
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == '.' || c == ' ':
		default:
			return "", ErrInvalidHSCode
		}
	}
	d := b.String()
	if len(d) < 6 || len(d) > 10 {
		return "", ErrInvalidHSCode
	}
	ch := int(d[0]-'0')*10 + int(d[1]-'0')
	if ch < 1 || ch > 97 || ch == 77 {
		return "", ErrInvalidHSCode.WithMessage("HS chapter %s does not exist", d[:2])
	}
	return d, nil
}

// Rate is a duty rate for the HS codes starting with Prefix (2 digits for a chapter, 4 for a
// heading, 6 for a subheading...).
type Rate struct {
	Prefix string
	Bps    int64
}

// Restriction marks HS codes that need a licence, an excise procedure or dangerous-goods
// handling on the way to a destination.
type Restriction struct {
	Prefix string
	Reason string
}

// Rule is the duty and tax regime of one destination country.
type Rule struct {
	Country  string
	Currency money.Currency
	// DutyDeMinimis and TaxDeMinimis are thresholds in minor units of Currency: goods value at or
	// below → no duty (no tax). 0 means the levy applies from the first unit.
	DutyDeMinimis int64
	TaxDeMinimis  int64
	// DeMinimisOnCIF compares goods + shipping with the thresholds instead of the goods alone.
	DeMinimisOnCIF bool
	// DutyIncludesShipping: duty on CIF (true) or FOB (false) value.
	DutyIncludesShipping bool
	TaxIncludesShipping  bool
	TaxIncludesDuty      bool
	TaxBps               int64
	TaxName              string // "VAT", "GST", "consumption tax"; "" where there is none
	DefaultDutyBps       int64
	DutyRates            []Rate
	Restricted           []Restriction
	Notes                string
}

// Validate checks a rule an admin sends. Fields: "country", "currency", "dutyRates.N.prefix"...
func (r Rule) Validate() error {
	bps := func(f string, v int64) error {
		if v < 0 || v > 100_000 {
			return errs.InvalidField(f, "must be between 0 and 100000 basis points")
		}
		return nil
	}
	switch {
	case len(r.Country) != 2:
		return errs.InvalidField("country", "an ISO 3166-1 alpha-2 country code is required")
	case r.Currency.IsZero():
		return errs.InvalidField("currency", "a currency is required")
	case r.DutyDeMinimis < 0:
		return errs.InvalidField("dutyDeMinimis", "must not be negative")
	case r.TaxDeMinimis < 0:
		return errs.InvalidField("taxDeMinimis", "must not be negative")
	case len(r.DutyRates) > 20_000:
		return errs.InvalidField("dutyRates", "at most 20000 rates")
	case len(r.Notes) > 4000:
		return errs.InvalidField("notes", "at most 4000 bytes")
	}
	if err := bps("taxBps", r.TaxBps); err != nil {
		return err
	}
	if err := bps("defaultDutyBps", r.DefaultDutyBps); err != nil {
		return err
	}
	for i, d := range r.DutyRates {
		if !digitsOnly(d.Prefix) || len(d.Prefix) < 2 || len(d.Prefix) > 10 {
			return errs.InvalidField("dutyRates."+itoa(i)+".prefix", "an HS prefix is 2 to 10 digits")
		}
		if err := bps("dutyRates."+itoa(i)+".bps", d.Bps); err != nil {
			return err
		}
	}
	for i, x := range r.Restricted {
		if !digitsOnly(x.Prefix) || len(x.Prefix) < 2 || len(x.Prefix) > 10 {
			return errs.InvalidField("restricted."+itoa(i)+".prefix", "an HS prefix is 2 to 10 digits")
		}
	}
	return nil
}

// DutyBps is the duty rate of an HS code: the longest matching prefix, else DefaultDutyBps. An
// empty code gets the default.
func (r Rule) DutyBps(hs string) int64 {
	best, bps := -1, r.DefaultDutyBps
	for _, d := range r.DutyRates {
		if len(d.Prefix) > best && hs != "" && strings.HasPrefix(hs, d.Prefix) {
			best, bps = len(d.Prefix), d.Bps
		}
	}
	return bps
}

// Converter converts money between currencies; the transport service is given one (StaticRates
// by default). Conversion rounds half to even.
type Converter interface {
	Convert(m money.Money, to money.Currency) (money.Money, error)
}

// Item is one line of goods. Values are in any currency the Converter knows.
type Item struct {
	Description   string
	HSCode        string // normalized digits, or "" when missing (the default rate applies)
	OriginCountry string
	Quantity      int64
	UnitValue     money.Money
	WeightGrams   int64
}

// Value is quantity × unit value.
func (it Item) Value() (money.Money, error) {
	return it.UnitValue.MulRat(it.Quantity, 1, money.HalfEven)
}

// LineDuty is the duty of one item.
type LineDuty struct {
	CustomsValue money.Money
	DutyBps      int64
	Duty         money.Money
}

// Estimate is the duty and tax an importer would pay, in the rule's currency.
type Estimate struct {
	Country    string
	Currency   money.Currency
	GoodsValue money.Money
	Shipping   money.Money
	DutyExempt bool // at or below the duty de minimis
	TaxExempt  bool // at or below the tax de minimis
	Lines      []LineDuty
	Duty       money.Money
	TaxBase    money.Money
	TaxBps     int64
	TaxName    string
	Tax        money.Money
	Total      money.Money // duty + tax
}

// Estimate computes duty and tax for items shipped with the given international shipping
// charge (see the package doc). It returns INVALID for no items, a non-positive quantity, or a
// value in a currency the converter does not know, and money errors on overflow.
func (r Rule) Estimate(items []Item, shipping money.Money, fx Converter) (Estimate, error) {
	if len(items) == 0 {
		return Estimate{}, errs.InvalidField("contents", "at least one item is required")
	}
	zero := money.New(0, r.Currency)
	e := Estimate{Country: r.Country, Currency: r.Currency, GoodsValue: zero, Duty: zero, Tax: zero,
		TaxBps: r.TaxBps, TaxName: r.TaxName}
	var err error
	if e.Shipping, err = fx.Convert(shipping, r.Currency); err != nil {
		return Estimate{}, err
	}
	values := make([]money.Money, len(items))
	weights := make([]int64, len(items))
	for i, it := range items {
		if it.Quantity <= 0 {
			return Estimate{}, errs.InvalidField("contents."+itoa(i)+".quantity", "must be more than zero")
		}
		v, err := it.Value()
		if err != nil {
			return Estimate{}, err
		}
		if values[i], err = fx.Convert(v, r.Currency); err != nil {
			return Estimate{}, err
		}
		if e.GoodsValue, err = e.GoodsValue.Add(values[i]); err != nil {
			return Estimate{}, err
		}
		weights[i] = values[i].Amount
	}
	test := e.GoodsValue
	if r.DeMinimisOnCIF {
		if test, err = test.Add(e.Shipping); err != nil {
			return Estimate{}, err
		}
	}
	e.DutyExempt = r.DutyDeMinimis > 0 && test.Amount <= r.DutyDeMinimis
	e.TaxExempt = r.TaxDeMinimis > 0 && test.Amount <= r.TaxDeMinimis || r.TaxBps == 0

	shares := make([]money.Money, len(items))
	for i := range shares {
		shares[i] = zero
	}
	if r.DutyIncludesShipping && e.Shipping.Amount > 0 && e.GoodsValue.Amount > 0 {
		if shares, err = e.Shipping.Allocate(weights); err != nil {
			return Estimate{}, err
		}
	}
	for i, it := range items {
		cv, err := values[i].Add(shares[i])
		if err != nil {
			return Estimate{}, err
		}
		l := LineDuty{CustomsValue: cv, DutyBps: r.DutyBps(it.HSCode), Duty: zero}
		if !e.DutyExempt {
			if l.Duty, err = cv.MulBasisPoints(l.DutyBps, money.HalfEven); err != nil {
				return Estimate{}, err
			}
		}
		if e.Duty, err = e.Duty.Add(l.Duty); err != nil {
			return Estimate{}, err
		}
		e.Lines = append(e.Lines, l)
	}
	e.TaxBase = e.GoodsValue
	if r.TaxIncludesShipping {
		if e.TaxBase, err = e.TaxBase.Add(e.Shipping); err != nil {
			return Estimate{}, err
		}
	}
	if r.TaxIncludesDuty {
		if e.TaxBase, err = e.TaxBase.Add(e.Duty); err != nil {
			return Estimate{}, err
		}
	}
	if !e.TaxExempt {
		if e.Tax, err = e.TaxBase.MulBasisPoints(r.TaxBps, money.HalfEven); err != nil {
			return Estimate{}, err
		}
	}
	if e.Total, err = e.Duty.Add(e.Tax); err != nil {
		return Estimate{}, err
	}
	return e, nil
}

func digitsOnly(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

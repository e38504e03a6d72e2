package billing

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/usage"
)

// Rates are the prices of one price-book version, in the book's currency (minor units). A zero
// rate prices at zero on purpose (a contract that waives a fee).
type Rates struct {
	StorageCubicMetreDay     int64 // per m³-day (storage.cubic_metre_day)
	StoragePalletDay         int64 // per pallet-day (storage.pallet_day)
	ReceivingUnit            int64 // per unit received (receiving.unit)
	ReceivingCarton          int64 // per carton received (receiving.carton)
	PickPackOrder            int64 // per order (pickpack.order)
	PickPackExtraLine        int64 // per line beyond the first (pickpack.extra_line)
	ReturnsUnit              int64 // per unit returned (returns.unit)
	FreightMarkupBps         int64 // on the freight charge (freight.charge, freight.reweigh_adjustment)
	CustomsDeclaration       int64 // brokerage per declaration (customs.declaration)
	ProcurementCommissionBps int64 // on the purchase order total (procurement.commission)
	ProcurementMinimum       int64 // the least commission per purchase order, in the book's currency
	FinancingFacilitationBps int64 // on the funded principal (financing.facilitation)
	// Custom prices further codes per unit, so that a code a domain starts writing can be
	// priced without a release.
	Custom []CustomRate
}

// CustomRate is the per-unit price of a code billing has no rule of its own for.
type CustomRate struct {
	Code      string
	UnitPrice int64
}

// Version is one version of a price book.
type Version struct {
	EffectiveFrom time.Time
	TermsDays     int // payment terms: the due date is this many days after finalizing
	Rates         Rates
}

// PriceBook is the default book (AccountID empty) or an account's contract book.
type PriceBook struct {
	ID        string
	AccountID string
	Name      string
	Currency  money.Currency
	Versions  []Version // by EffectiveFrom, ascending
	CreatedAt time.Time
}

// At returns the version in effect at t.
func (b PriceBook) At(t time.Time) (Version, int, bool) {
	i := -1
	for j, v := range b.Versions {
		if !v.EffectiveFrom.After(t) {
			i = j
		}
	}
	if i < 0 {
		return Version{}, 0, false
	}
	return b.Versions[i], i, true
}

// How a code is priced.
type rule int

const (
	perUnit        rule = iota + 1 // quantity × rate
	markup                         // amount + amount × bps
	percentWithMin                 // max(amount × bps, minimum), per record
	percent                        // amount × bps, per record
	passThrough                    // the amount itself
)

// codeRule is every code billing knows, with its rule and its rate in a version.
func codeRule(code string, r Rates) (rule, int64, bool) {
	switch code {
	case "storage.cubic_metre_day":
		return perUnit, r.StorageCubicMetreDay, true
	case "storage.pallet_day":
		return perUnit, r.StoragePalletDay, true
	case "receiving.unit":
		return perUnit, r.ReceivingUnit, true
	case "receiving.carton":
		return perUnit, r.ReceivingCarton, true
	case "pickpack.order":
		return perUnit, r.PickPackOrder, true
	case "pickpack.extra_line":
		return perUnit, r.PickPackExtraLine, true
	case "returns.unit":
		return perUnit, r.ReturnsUnit, true
	case "freight.charge", "freight.reweigh_adjustment":
		return markup, r.FreightMarkupBps, true
	case "customs.declaration":
		return perUnit, r.CustomsDeclaration, true
	case "customs.duties_taxes":
		return passThrough, 0, true
	case "procurement.commission":
		return percentWithMin, r.ProcurementCommissionBps, true
	case "financing.facilitation":
		return percent, r.FinancingFacilitationBps, true
	case CodeAdHocCharge, CodeAdHocCredit:
		return passThrough, 0, true
	}
	for _, c := range r.Custom {
		if c.Code == code {
			return perUnit, c.UnitPrice, true
		}
	}
	return 0, 0, false
}

// The codes of ad-hoc charges and credits that account managers enter (category OTHER).
const (
	CodeAdHocCharge = "adhoc.charge"
	CodeAdHocCredit = "adhoc.credit"
)

var descriptions = map[string]string{
	"storage.cubic_metre_day":    "Storage (m³-days)",
	"storage.pallet_day":         "Storage (pallet-days)",
	"receiving.unit":             "Receiving (units)",
	"receiving.carton":           "Receiving (cartons)",
	"pickpack.order":             "Pick & pack (orders)",
	"pickpack.extra_line":        "Pick & pack (extra lines)",
	"returns.unit":               "Returns handling (units)",
	"freight.charge":             "Freight",
	"freight.reweigh_adjustment": "Freight re-weigh adjustments",
	"customs.declaration":        "Customs brokerage (declarations)",
	"customs.duties_taxes":       "Duties and import taxes (at cost)",
	"procurement.commission":     "Procurement commission",
	"financing.facilitation":     "Financing facilitation",
	CodeAdHocCharge:              "Ad-hoc charge",
	CodeAdHocCredit:              "Ad-hoc credit",
}

// taxExempt codes are disbursements passed through at cost: no VAT on top.
var taxExempt = map[string]bool{"customs.duties_taxes": true}

// priced is one usage record's price.
type priced struct {
	rec      usage.Record
	currency money.Currency
	rule     rule
	rate     int64
	version  int
	amount   int64 // per-record amount (records of non-per-unit rules)
}

// priceIn prices one record by book, first converting its basis into the book's currency at the
// rate in force when the record happened (so a re-run prices it the same way). The rate used is
// kept on the record's attributes ("fx") for the invoice line.
func (s *Service) priceIn(ctx context.Context, book PriceBook, r usage.Record) (priced, bool, error) {
	if s.cfg.FX != nil && r.Amount != nil && r.Amount.Currency != book.Currency {
		conv, rate, err := s.cfg.FX.Convert(ctx, *r.Amount, book.Currency, r.OccurredAt)
		switch {
		case err == nil:
			attrs := make(map[string]string, len(r.Attributes)+1)
			for k, v := range r.Attributes {
				attrs[k] = v
			}
			attrs["fx"] = rate
			r.Amount, r.Attributes = &conv, attrs
		case errs.CodeOf(err) == errs.Internal:
			return priced{}, false, err
		}
		// Any other error is a missing rate: the charge stays in its own currency.
	}
	return price(book, r)
}

// price prices one record by book. ok is false for a code without a rate.
func price(book PriceBook, r usage.Record) (priced, bool, error) {
	v, vi, found := book.At(r.OccurredAt)
	if !found {
		return priced{}, false, nil
	}
	ru, rate, ok := codeRule(r.Code, v.Rates)
	if !ok {
		return priced{}, false, nil
	}
	p := priced{rec: r, currency: book.Currency, rule: ru, rate: rate, version: vi}
	if ru == perUnit {
		return p, true, nil
	}
	if r.Amount == nil {
		return priced{}, false, nil // an amount-based code without its basis cannot be priced
	}
	basis := *r.Amount
	p.currency = basis.Currency
	switch ru {
	case markup:
		m, err := basis.MulBasisPoints(rate, money.HalfUp)
		if err != nil {
			return priced{}, false, err
		}
		p.amount = basis.Amount + m.Amount
	case percent:
		m, err := basis.MulBasisPoints(rate, money.HalfUp)
		if err != nil {
			return priced{}, false, err
		}
		p.amount = m.Amount
	case percentWithMin:
		m, err := basis.MulBasisPoints(rate, money.HalfUp)
		if err != nil {
			return priced{}, false, err
		}
		p.amount = m.Amount
		// The minimum is in the book's currency; a purchase order in another currency pays
		// the percentage only (no conversion is guessed here).
		if basis.Currency == book.Currency && p.amount < v.Rates.ProcurementMinimum {
			p.amount = v.Rates.ProcurementMinimum
		}
	case passThrough:
		p.amount = basis.Amount
		if r.Code == CodeAdHocCredit && p.amount > 0 {
			p.amount = -p.amount
		}
	}
	return p, true, nil
}

// buildSections groups priced records into lines by (code, version) — ad-hoc ones one line per
// record, with their reason — and sections by category in invoice order.
func buildSections(ps []priced, c money.Currency) ([]Section, int64, error) {
	type key struct {
		code    string
		version int
		single  string
	}
	type acc struct {
		p        priced
		qty      big.Int
		basis    int64
		amount   int64
		records  int
		category string
		desc     string
	}
	lines := map[key]*acc{}
	var order []key
	for _, p := range ps {
		k := key{code: p.rec.Code, version: p.version}
		desc := descriptions[p.rec.Code]
		if desc == "" {
			desc = p.rec.Code
		}
		if p.rec.Category == usage.Other {
			k.single = p.rec.ID
			if reason := p.rec.Attributes["reason"]; reason != "" {
				desc += ": " + reason
			}
		}
		a := lines[k]
		if a == nil {
			a = &acc{p: p, category: string(p.rec.Category), desc: desc}
			lines[k] = a
			order = append(order, k)
		}
		a.qty.Add(&a.qty, big.NewInt(int64(p.rec.Quantity)))
		if p.rec.Amount != nil {
			a.basis += p.rec.Amount.Amount
		}
		a.amount += p.amount
		a.records++
	}
	byCat := map[string][]Line{}
	for _, k := range order {
		a := lines[k]
		l := Line{Code: k.code, Description: a.desc, Unit: a.p.rec.Unit, Records: a.records}
		if !a.qty.IsInt64() {
			return nil, 0, errs.Internalf("billing: quantity of %s overflows", k.code)
		}
		l.Quantity = usage.Quantity(a.qty.Int64()).String()
		switch a.p.rule {
		case perUnit:
			up := money.New(a.p.rate, c)
			l.UnitPrice = &up
			// Σquantity (millionths) × rate, rounded once, half up.
			amt, err := money.New(a.p.rate, c).MulRat(a.qty.Int64(), usage.QuantityScale, money.HalfUp)
			if err != nil {
				return nil, 0, err
			}
			l.Amount = amt
		default:
			b := money.New(a.basis, c)
			l.Basis = &b
			if a.p.rule != passThrough {
				l.RateBps = a.p.rate
			}
			l.Amount = money.New(a.amount, c)
		}
		byCat[a.category] = append(byCat[a.category], l)
	}
	var out []Section
	var taxable int64
	for _, cat := range usage.Categories() {
		ls := byCat[string(cat)]
		if len(ls) == 0 {
			continue
		}
		s := Section{Category: string(cat), Lines: ls, Subtotal: money.New(0, c)}
		for _, l := range ls {
			s.Subtotal.Amount += l.Amount.Amount
			if !taxExempt[l.Code] {
				taxable += l.Amount.Amount
			}
		}
		out = append(out, s)
	}
	return out, taxable, nil
}

// TaxRate is the tax of one jurisdiction (the buyer's country).
type TaxRate struct {
	Country string
	Name    string
	RateBps int64
	// ReverseCharge: for a B2B buyer in another country than the issuer, no tax is charged and
	// the invoice says the buyer accounts for it (every Tradehub customer is a business).
	ReverseCharge bool
}

// computeTax applies rate to the taxable amount, rounded half up.
func computeTax(rate TaxRate, found bool, buyerCountry, issuerCountry string, taxable money.Money) (Tax, error) {
	t := Tax{Country: buyerCountry, Taxable: taxable, Amount: money.New(0, taxable.Currency)}
	if !found {
		t.Name = "No tax configured"
		return t, nil
	}
	t.Name, t.RateBps = rate.Name, rate.RateBps
	if rate.ReverseCharge && buyerCountry != issuerCountry {
		t.ReverseCharge = true
		return t, nil
	}
	amt, err := taxable.MulBasisPoints(rate.RateBps, money.HalfUp)
	if err != nil {
		return Tax{}, err
	}
	t.Amount = amt
	return t, nil
}

// validateBook checks a price book input.
func validateVersion(v Version, prev []Version) error {
	switch {
	case v.EffectiveFrom.IsZero():
		return errs.InvalidField("input.effectiveFrom", "must be set")
	case len(prev) > 0 && !v.EffectiveFrom.After(prev[len(prev)-1].EffectiveFrom):
		return errs.InvalidField("input.effectiveFrom", "must be after the latest version's (%s)", prev[len(prev)-1].EffectiveFrom.Format(time.RFC3339))
	case v.TermsDays < 0 || v.TermsDays > 180:
		return errs.InvalidField("input.termsDays", "must be between 0 and 180")
	}
	r := v.Rates
	for name, x := range map[string]int64{"storageCubicMetreDay": r.StorageCubicMetreDay, "storagePalletDay": r.StoragePalletDay,
		"receivingUnit": r.ReceivingUnit, "receivingCarton": r.ReceivingCarton, "pickPackOrder": r.PickPackOrder,
		"pickPackExtraLine": r.PickPackExtraLine, "returnsUnit": r.ReturnsUnit, "customsDeclaration": r.CustomsDeclaration,
		"procurementMinimum": r.ProcurementMinimum} {
		if x < 0 {
			return errs.InvalidField("input.rates."+name, "must not be negative")
		}
	}
	for name, x := range map[string]int64{"freightMarkupBps": r.FreightMarkupBps, "procurementCommissionBps": r.ProcurementCommissionBps,
		"financingFacilitationBps": r.FinancingFacilitationBps} {
		if x < 0 || x > 10_000 {
			return errs.InvalidField("input.rates."+name, "must be between 0 and 10000 basis points")
		}
	}
	seen := map[string]bool{}
	for _, cr := range r.Custom {
		c := cr.Code
		if _, _, known := codeRule(c, Rates{}); known || seen[c] {
			return errs.InvalidField("input.rates.custom", "%s has a rate already", c)
		}
		seen[c] = true
		if cr.UnitPrice < 0 {
			return errs.InvalidField("input.rates.custom", "%s: must not be negative", c)
		}
		if len(c) > 64 || !codeOK(c) {
			return errs.InvalidField("input.rates.custom", "%q is not a usage code", c)
		}
	}
	return nil
}

func codeOK(c string) bool {
	dot := false
	for i, ch := range c {
		switch {
		case ch >= 'a' && ch <= 'z', ch == '_' && i > 0, ch >= '0' && ch <= '9' && i > 0:
		case ch == '.' && i > 0:
			dot = true
		default:
			return false
		}
	}
	return dot
}

// RatesText are Rates as decimal strings in the book's currency ("0.45"), as clients send them.
type RatesText struct {
	StorageCubicMetreDay, StoragePalletDay, ReceivingUnit, ReceivingCarton, PickPackOrder,
	PickPackExtraLine, ReturnsUnit, CustomsDeclaration, ProcurementMinimum string
	FreightMarkupBps, ProcurementCommissionBps, FinancingFacilitationBps int64
	Custom                                                               []CustomRateText
}

// CustomRateText is a CustomRate with a decimal price.
type CustomRateText struct{ Code, UnitPrice string }

// parse reads the decimals in currency c; INVALID with the field for a malformed one.
func (t RatesText) parse(c money.Currency) (Rates, error) {
	r := Rates{FreightMarkupBps: t.FreightMarkupBps, ProcurementCommissionBps: t.ProcurementCommissionBps,
		FinancingFacilitationBps: t.FinancingFacilitationBps}
	for _, f := range []struct {
		name string
		s    string
		dst  *int64
	}{
		{"storageCubicMetreDay", t.StorageCubicMetreDay, &r.StorageCubicMetreDay}, {"storagePalletDay", t.StoragePalletDay, &r.StoragePalletDay},
		{"receivingUnit", t.ReceivingUnit, &r.ReceivingUnit}, {"receivingCarton", t.ReceivingCarton, &r.ReceivingCarton},
		{"pickPackOrder", t.PickPackOrder, &r.PickPackOrder}, {"pickPackExtraLine", t.PickPackExtraLine, &r.PickPackExtraLine},
		{"returnsUnit", t.ReturnsUnit, &r.ReturnsUnit}, {"customsDeclaration", t.CustomsDeclaration, &r.CustomsDeclaration},
		{"procurementMinimum", t.ProcurementMinimum, &r.ProcurementMinimum},
	} {
		n, err := money.ParseAmount(f.s, c)
		if err != nil {
			return Rates{}, errs.InvalidField("input.rates."+f.name, "must be an amount in %s such as 1.25", c.Code())
		}
		*f.dst = n
	}
	for i, cr := range t.Custom {
		n, err := money.ParseAmount(cr.UnitPrice, c)
		if err != nil {
			return Rates{}, errs.InvalidField(fmt.Sprintf("input.rates.custom.%d.unitPrice", i), "must be an amount in %s", c.Code())
		}
		r.Custom = append(r.Custom, CustomRate{Code: cr.Code, UnitPrice: n})
	}
	return r, nil
}

// FormatRates renders rates as decimals of c.
func FormatRates(r Rates, c money.Currency) RatesText {
	f := func(n int64) string { return money.FormatAmount(n, c) }
	t := RatesText{StorageCubicMetreDay: f(r.StorageCubicMetreDay), StoragePalletDay: f(r.StoragePalletDay), ReceivingUnit: f(r.ReceivingUnit),
		ReceivingCarton: f(r.ReceivingCarton), PickPackOrder: f(r.PickPackOrder), PickPackExtraLine: f(r.PickPackExtraLine),
		ReturnsUnit: f(r.ReturnsUnit), CustomsDeclaration: f(r.CustomsDeclaration), ProcurementMinimum: f(r.ProcurementMinimum),
		FreightMarkupBps: r.FreightMarkupBps, ProcurementCommissionBps: r.ProcurementCommissionBps, FinancingFacilitationBps: r.FinancingFacilitationBps}
	for _, cr := range r.Custom {
		t.Custom = append(t.Custom, CustomRateText{Code: cr.Code, UnitPrice: f(cr.UnitPrice)})
	}
	return t
}

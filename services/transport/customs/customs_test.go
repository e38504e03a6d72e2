package customs

import (
	"errors"
	"testing"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
)

func rule(country string) Rule {
	for _, r := range DefaultRules() {
		if r.Country == country {
			return r
		}
	}
	panic("no rule for " + country)
}

func m(minor int64, cur string) money.Money { return money.New(minor, money.MustCurrency(cur)) }

func item(hs string, qty, unit int64, cur string) Item {
	return Item{Description: "goods", HSCode: hs, OriginCountry: "CN", Quantity: qty, UnitValue: m(unit, cur)}
}

func TestEstimate(t *testing.T) {
	tests := []struct {
		name       string
		country    string
		items      []Item
		shipping   money.Money
		dutyExempt bool
		taxExempt  bool
		duty, tax  int64
	}{
		// GB: no duty at or below £135; VAT 20 % on goods + shipping + duty always.
		// 2 × £60 = £120, shipping £10: VAT 20 % of £130 = £26.00.
		{name: "GB_BelowDeMinimis", country: "GB", items: []Item{item("610910", 2, 6000, "GBP")}, shipping: m(1000, "GBP"),
			dutyExempt: true, duty: 0, tax: 2600},
		// Exactly £135.00 is "at or below".
		{name: "GB_AtDeMinimis", country: "GB", items: []Item{item("610910", 1, 13500, "GBP")}, shipping: m(1000, "GBP"),
			dutyExempt: true, duty: 0, tax: 2900},
		// 3 × £60 = £180, shipping £15: duty 12 % of CIF £195 = £23.40; VAT 20 % of
		// £180 + £15 + £23.40 = £218.40 → £43.68.
		{name: "GB_AboveDeMinimis", country: "GB", items: []Item{item("610910", 3, 6000, "GBP")}, shipping: m(1500, "GBP"),
			duty: 2340, tax: 4368},
		// Two lines: shipping £15 is allocated by value, £8.34 to the £100 shirt (the leftover
		// penny goes to the larger line) and £6.66 to the £80 toy; duty 12 % of £108.34 =
		// £13.0008 → £13.00, toys 0 %; VAT 20 % of £180 + £15 + £13 = £41.60.
		{name: "GB_TwoLinesCIFAllocation", country: "GB", items: []Item{item("61091000", 1, 10000, "GBP"), item("950300", 1, 8000, "GBP")},
			shipping: m(1500, "GBP"), duty: 1300, tax: 4160},
		// AU: FOB duty above A$1,000: 5 % of A$1,200 = A$60; GST 10 % of 1,200 + 50 + 60 = A$131.
		{name: "AU_AboveThreshold", country: "AU", items: []Item{item("620342", 1, 120000, "AUD")}, shipping: m(5000, "AUD"),
			duty: 6000, tax: 13100},
		// AU below: no duty, GST (collected by the vendor) 10 % of A$900 + A$50 = A$95.
		{name: "AU_BelowThreshold", country: "AU", items: []Item{item("620342", 1, 90000, "AUD")}, shipping: m(5000, "AUD"),
			dutyExempt: true, duty: 0, tax: 9500},
		// US: de minimis suspended, FOB: 16 % of $100 (shipping excluded), no VAT.
		{name: "US_FOBNoTax", country: "US", items: []Item{item("610910", 4, 2500, "USD")}, shipping: m(2000, "USD"),
			taxExempt: true, duty: 1600, tax: 0},
		// JP: the ¥10,000 test is on CIF. ¥8,000 + ¥1,500 = ¥9,500: both waived.
		{name: "JP_CIFBelow", country: "JP", items: []Item{item("610910", 1, 8000, "JPY")}, shipping: m(1500, "JPY"),
			dutyExempt: true, taxExempt: true},
		// ¥9,000 + ¥1,500 = ¥10,500 > ¥10,000: duty 9 % of CIF = ¥945; tax 10 % of ¥11,445 =
		// ¥1,144.5, a tie that goes to the even ¥1,144.
		{name: "JP_CIFAbove", country: "JP", items: []Item{item("610910", 1, 9000, "JPY")}, shipping: m(1500, "JPY"),
			duty: 945, tax: 1144},
		// CA: CAD 20 relief for both levies.
		{name: "CA_Below", country: "CA", items: []Item{item("950300", 1, 1999, "CAD")}, shipping: m(1000, "CAD"),
			dutyExempt: true, taxExempt: true},
		// CA above: duty 18 % FOB of CAD 50 = 9.00; GST 5 % of 50 + 9 (no shipping) = 2.95.
		{name: "CA_Above", country: "CA", items: []Item{item("610910", 1, 5000, "CAD")}, shipping: m(1000, "CAD"),
			duty: 900, tax: 295},
		// DE with conversion: $100 → €86.21 and $20 → €17.24 at 1.16; under €150 no duty; VAT 19 %
		// of €103.45 = €19.6555 → €19.66.
		{name: "DE_ConvertedBelow", country: "DE", items: []Item{item("610910", 1, 10000, "USD")}, shipping: m(2000, "USD"),
			dutyExempt: true, tax: 1966},
		// Missing HS code: the default rate (EU 4 %) on CIF €200 + €10 = €8.40.
		{name: "NL_MissingHSCodeDefaultRate", country: "NL", items: []Item{item("", 1, 20000, "EUR")}, shipping: m(1000, "EUR"),
			duty: 840, tax: 4586},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rule(tt.country)
			e, err := r.Estimate(tt.items, tt.shipping, DefaultRates)
			if err != nil {
				t.Fatalf("Estimate: %v", err)
			}
			if e.DutyExempt != tt.dutyExempt || e.TaxExempt != tt.taxExempt {
				t.Errorf("exempt duty %v tax %v, want %v %v", e.DutyExempt, e.TaxExempt, tt.dutyExempt, tt.taxExempt)
			}
			if e.Duty != money.New(tt.duty, r.Currency) || e.Tax != money.New(tt.tax, r.Currency) {
				t.Errorf("duty %v tax %v, want %v %v", e.Duty, e.Tax, money.New(tt.duty, r.Currency), money.New(tt.tax, r.Currency))
			}
			if want, _ := e.Duty.Add(e.Tax); e.Total != want {
				t.Errorf("total %v, want %v", e.Total, want)
			}
		})
	}
}

func TestEstimateErrors(t *testing.T) {
	r := rule("GB")
	if _, err := r.Estimate(nil, m(0, "GBP"), DefaultRates); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("no items: %v", err)
	}
	if _, err := r.Estimate([]Item{item("610910", 0, 100, "GBP")}, m(0, "GBP"), DefaultRates); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("zero quantity: %v", err)
	}
	if _, err := r.Estimate([]Item{item("610910", 1, 100, "BRL")}, m(0, "GBP"), DefaultRates); !errors.Is(err, ErrNoRate) {
		t.Errorf("unknown currency: %v", err)
	}
}

func TestNormalizeHSCode(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"SixDigits", "610910", "610910"},
		{"Dotted", "6109.10", "610910"},
		{"TenDigits", "6109.10.0010", "6109100010"},
		{"Spaces", "8517 13", "851713"},
		{"FiveDigits", "61091", ""},
		{"ElevenDigits", "61091000101", ""},
		{"Letters", "6109a0", ""},
		{"Dash", "6109-10", ""},
		{"ReservedChapter77", "770000", ""},
		{"Chapter00", "000000", ""},
		{"Chapter98National", "980000", ""},
		{"Empty", "", ""},
		{"Long", "6109.10.00.10.10.10.10", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeHSCode(tt.in)
			if tt.want == "" {
				if !errors.Is(err, ErrInvalidHSCode) {
					t.Fatalf("NormalizeHSCode(%q) = %q, %v; want ErrInvalidHSCode", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("NormalizeHSCode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func FuzzNormalizeHSCode(f *testing.F) {
	for _, s := range []string{"610910", "6109.10.00", "770000", "", "99999999999", "٦١٠٩١٠"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := NormalizeHSCode(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidHSCode) {
				t.Fatalf("error %v is not ErrInvalidHSCode", err)
			}
			return
		}
		if len(got) < 6 || len(got) > 10 || !digitsOnly(got) {
			t.Fatalf("NormalizeHSCode(%q) = %q", s, got)
		}
		if again, err := NormalizeHSCode(got); err != nil || again != got {
			t.Fatalf("not idempotent: %q → %q, %v", got, again, err)
		}
	})
}

func TestCheck(t *testing.T) {
	expected := m(2000, "USD")
	gb := rule("GB")
	de := rule("DE")
	tests := []struct {
		name string
		in   CheckInput
		want []FlagCode
	}{
		{"Clean", CheckInput{Items: []CheckItem{{HSCode: "610910", UnitValue: m(2100, "USD"), ExpectedUnitValue: &expected}}, Rule: &gb,
			OriginCountry: "CN"}, nil},
		{"MissingHS", CheckInput{Items: []CheckItem{{UnitValue: m(100, "USD")}}, Rule: &gb, OriginCountry: "CN"},
			[]FlagCode{FlagMissingHSCode}},
		{"MalformedHS", CheckInput{Items: []CheckItem{{HSCode: "61-09", UnitValue: m(100, "USD")}}, OriginCountry: "CN"},
			[]FlagCode{FlagMalformedHSCode}},
		{"Undervalued", CheckInput{Items: []CheckItem{{HSCode: "610910", UnitValue: m(500, "USD"), ExpectedUnitValue: &expected}},
			OriginCountry: "CN"}, []FlagCode{FlagValueMismatch}},
		{"Overvalued", CheckInput{Items: []CheckItem{{HSCode: "610910", UnitValue: m(2700, "USD"), ExpectedUnitValue: &expected}},
			OriginCountry: "CN"}, []FlagCode{FlagValueMismatch}},
		{"LithiumBatteries", CheckInput{Items: []CheckItem{{HSCode: "850760", UnitValue: m(100, "USD")}}, Rule: &gb, OriginCountry: "CN"},
			[]FlagCode{FlagRestrictedCategory}},
		{"EUDDPLowValueWithoutIOSS", CheckInput{Items: []CheckItem{{HSCode: "610910", UnitValue: m(100, "EUR")}}, Rule: &de,
			OriginCountry: "CN", DDP: true, GoodsValue: m(10000, "EUR")}, []FlagCode{FlagMissingIOSS}},
		{"EUExportWithoutEORI", CheckInput{Items: []CheckItem{{HSCode: "610910", UnitValue: m(100, "EUR")}}, Rule: &gb,
			OriginCountry: "DE"}, []FlagCode{FlagMissingEORI}},
		{"GBLowValueDDPWithoutVATNumber", CheckInput{Items: []CheckItem{{HSCode: "610910", UnitValue: m(100, "GBP")}}, Rule: &gb,
			OriginCountry: "CN", DDP: true, GoodsValue: m(5000, "GBP")}, []FlagCode{FlagMissingImporterTax}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Check(tt.in)
			var codes []FlagCode
			for _, f := range got {
				codes = append(codes, f.Code)
			}
			if len(codes) != len(tt.want) {
				t.Fatalf("flags = %v, want %v", codes, tt.want)
			}
			for i := range codes {
				if codes[i] != tt.want[i] {
					t.Fatalf("flags = %v, want %v", codes, tt.want)
				}
			}
		})
	}
}

func TestDefaultRulesAreValid(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range DefaultRules() {
		if err := r.Validate(); err != nil {
			t.Errorf("%s: %v", r.Country, err)
		}
		seen[r.Country] = true
	}
	for _, c := range []string{"US", "DE", "FR", "NL", "GB", "AU", "CA", "JP"} {
		if !seen[c] {
			t.Errorf("no rule for %s", c)
		}
	}
}

func TestStaticRates(t *testing.T) {
	tests := []struct {
		name string
		from money.Money
		to   string
		want int64
	}{
		{"Same", m(1234, "USD"), "USD", 1234},
		{"USDToEUR", m(10000, "USD"), "EUR", 8621},
		{"JPYToUSD", m(10000, "JPY"), "USD", 6500},
		{"USDToJPY", m(100, "USD"), "JPY", 154},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DefaultRates.Convert(tt.from, money.MustCurrency(tt.to))
			if err != nil || got.Amount != tt.want {
				t.Fatalf("Convert(%v, %s) = %v, %v; want %d", tt.from, tt.to, got, err, tt.want)
			}
		})
	}
}

package customs

import "github.com/tradehub/tradehub/internal/money"

// restrictedEverywhere are HS prefixes that need a licence, an excise procedure or
// dangerous-goods handling in every seeded destination. They are flagged, not refused: some
// sellers hold the licences.
var restrictedEverywhere = []Restriction{
	{"93", "arms and ammunition need an import licence"},
	{"2402", "tobacco products are excise goods"},
	{"2403", "tobacco products are excise goods"},
	{"2208", "spirits are excise goods"},
	{"3003", "medicines need a health-authority authorisation"},
	{"3004", "medicines need a health-authority authorisation"},
	{"3604", "fireworks are explosives (dangerous goods)"},
	{"8506", "batteries are dangerous goods in air transport (IATA DGR)"},
	{"8507", "lithium batteries are dangerous goods in air transport (IATA DGR)"},
}

func rates(pairs ...any) []Rate {
	out := make([]Rate, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, Rate{Prefix: pairs[i].(string), Bps: int64(pairs[i+1].(int))})
	}
	return out
}

func restricted() []Restriction { return append([]Restriction(nil), restrictedEverywhere...) }

// DefaultRules returns the seeded rules for US, DE, FR, NL, GB, AU, CA and JP (see the package
// doc for the cascade and the sources). Duty rates are indicative chapter-level MFN rates.
func DefaultRules() []Rule {
	eu := func(country string, vatBps int64) Rule {
		return Rule{
			Country: country, Currency: money.MustCurrency("EUR"),
			DutyDeMinimis: 150_00, TaxDeMinimis: 0,
			DutyIncludesShipping: true, TaxIncludesShipping: true, TaxIncludesDuty: true,
			TaxBps: vatBps, TaxName: "VAT", DefaultDutyBps: 400,
			DutyRates: rates("33", 0, "39", 650, "42", 370, "61", 1200, "62", 1200, "64", 800,
				"71", 250, "84", 170, "8471", 0, "85", 270, "8517", 0, "90", 200, "94", 270, "95", 0),
			Restricted: restricted(),
			Notes: "EU: duty relief ≤ €150 intrinsic value (Reg. 1186/2009 art. 23, being abolished); " +
				"import VAT from the first euro since 2021-07-01 (IOSS ≤ €150); duty on CIF; VAT on CIF + duty.",
		}
	}
	return []Rule{
		{
			Country: "US", Currency: money.MustCurrency("USD"),
			DutyDeMinimis: 0, TaxDeMinimis: 0, DutyIncludesShipping: false, TaxBps: 0, TaxName: "",
			DefaultDutyBps: 350,
			DutyRates: rates("33", 0, "39", 530, "42", 800, "61", 1600, "62", 1500, "64", 1000,
				"71", 550, "84", 200, "8471", 0, "85", 200, "8517", 0, "90", 200, "94", 0, "95", 0),
			Restricted: restricted(),
			Notes: "US: Section 321 $800 de minimis suspended for all origins since 2025-08-29 (EO 14324); " +
				"duty on FOB transaction value; no federal VAT. SIMPLIFIED: MFN only, no Section 301/IEEPA tariffs.",
		},
		eu("DE", 1900),
		eu("FR", 2000),
		eu("NL", 2100),
		{
			Country: "GB", Currency: money.MustCurrency("GBP"),
			DutyDeMinimis: 135_00, TaxDeMinimis: 0,
			DutyIncludesShipping: true, TaxIncludesShipping: true, TaxIncludesDuty: true,
			TaxBps: 2000, TaxName: "VAT", DefaultDutyBps: 200,
			DutyRates: rates("33", 0, "39", 600, "42", 200, "61", 1200, "62", 1200, "64", 800,
				"71", 200, "84", 0, "85", 200, "8517", 0, "90", 0, "94", 0, "95", 0),
			Restricted: restricted(),
			Notes: "GB: no duty ≤ £135 intrinsic value; VAT 20 % always (point of sale ≤ £135, import above) " +
				"on CIF + duty.",
		},
		{
			Country: "AU", Currency: money.MustCurrency("AUD"),
			DutyDeMinimis: 1000_00, TaxDeMinimis: 0,
			DutyIncludesShipping: false, TaxIncludesShipping: true, TaxIncludesDuty: true,
			TaxBps: 1000, TaxName: "GST", DefaultDutyBps: 500,
			DutyRates: rates("33", 500, "39", 500, "42", 500, "61", 500, "62", 500, "64", 500,
				"71", 500, "84", 0, "85", 0, "90", 0, "94", 500, "95", 0),
			Restricted: restricted(),
			Notes: "AU: duty and border GST above A$1,000 (FOB customs value); below, GST by the vendor (LVG). " +
				"GST on customs value + duty + transport. SIMPLIFIED: no ChAFTA preference.",
		},
		{
			Country: "CA", Currency: money.MustCurrency("CAD"),
			DutyDeMinimis: 20_00, TaxDeMinimis: 20_00,
			DutyIncludesShipping: false, TaxIncludesShipping: false, TaxIncludesDuty: true,
			TaxBps: 500, TaxName: "GST", DefaultDutyBps: 500,
			DutyRates: rates("33", 650, "39", 650, "42", 800, "61", 1800, "62", 1800, "64", 1800,
				"71", 500, "84", 0, "85", 0, "90", 0, "94", 800, "95", 0),
			Restricted: restricted(),
			Notes: "CA: courier low-value relief CAD 20 for duty and tax; duty on value for duty (FOB); GST 5 % " +
				"on value for duty + duty. SIMPLIFIED: no HST/PST/QST, no CUSMA thresholds.",
		},
		{
			Country: "JP", Currency: money.MustCurrency("JPY"),
			DutyDeMinimis: 10_000, TaxDeMinimis: 10_000, DeMinimisOnCIF: true,
			DutyIncludesShipping: true, TaxIncludesShipping: true, TaxIncludesDuty: true,
			TaxBps: 1000, TaxName: "consumption tax", DefaultDutyBps: 250,
			DutyRates: rates("33", 0, "39", 390, "42", 800, "61", 900, "62", 900, "64", 2000,
				"71", 500, "84", 0, "85", 0, "90", 0, "94", 0, "95", 0),
			Restricted: restricted(),
			Notes: "JP: duty and consumption tax waived when the CIF taxable value is ≤ ¥10,000; duty on CIF; " +
				"10 % consumption tax on CIF + duty. SIMPLIFIED: no 60 % personal-import valuation.",
		},
	}
}

package ratecard

import (
	"strings"
	"testing"
)

const header = "carrier,service,origin,destination,currency,volumetric_divisor,fuel_surcharge_bps,minimum_charge,remote_area_surcharge,remote_postcodes,oversize_surcharge,oversize_length_cm,oversize_weight_kg,transit_days_min,transit_days_max,effective_from,effective_to,max_kg,per_kg,tiers\n"

const goodCSV = header +
	"SWIFTX,EXPRESS_WW,CN,US,USD,5000,2250,18.00,25.00,995 996,60.00,100,30,3,5,2026-01-01,,1,28.00,0:0 2000:500\n" +
	"SWIFTX,EXPRESS_WW,CN,US,USD,5000,2250,18.00,25.00,995 996,60.00,100,30,3,5,2026-01-01,,5,16.50,0:0 2000:500\n" +
	"\n" +
	"PANDAPOST,EPACKET,CN-GD,GB,USD,6000,0,3.50,,,,,,8,15,2026-01-01,2027-01-01,0.5,12.00,\n"

func TestParseCSV(t *testing.T) {
	entries, problems := ParseCSV(strings.NewReader(goodCSV))
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	if len(entries) != 2 {
		t.Fatalf("got %d cards, want 2", len(entries))
	}
	e := entries[0]
	if e.CarrierCode != "SWIFTX" || e.Lane != (Lane{"CN", "US"}) || len(e.Card.Breaks) != 2 ||
		e.Card.Breaks[1] != (Break{UpToGrams: 5000, PerKg: 1650}) || e.Card.OversizeLengthMM != 1000 ||
		e.Card.OversizeWeightGrams != 30000 || len(e.Card.Tiers) != 2 || e.Card.Tiers[1].MinPooledGrams != 2_000_000 ||
		len(e.Card.RemotePostcodePrefixes) != 2 || e.TransitDaysMax != 5 {
		t.Errorf("first card = %+v", e)
	}
	if p := entries[1]; p.Lane.Origin != "CN-GD" || p.EffectiveTo == nil || p.Card.Breaks[0].UpToGrams != 500 || p.Line != 5 {
		t.Errorf("second card = %+v", p)
	}
}

func TestParseCSVErrors(t *testing.T) {
	row := "SWIFTX,EXPRESS_WW,CN,US,USD,5000,2250,18.00,,,,,,3,5,2026-01-01,,1,28.00,\n"
	tests := []struct {
		name   string
		csv    string
		line   int
		column string
	}{
		{"Empty", "", 1, ""},
		{"MissingColumn", strings.Replace(header, "per_kg,", "", 1), 1, "per_kg"},
		{"BadCurrency", header + row + strings.Replace(row, "USD", "XYZ", 1), 3, "currency"},
		{"UnknownCountry", header + strings.Replace(row, ",US,", ",QQ,", 1), 2, "destination"},
		{"BadAmount", header + strings.Replace(row, "28.00", "28.001", 1), 2, "per_kg"},
		{"NegativeWeight", header + strings.Replace(row, ",1,28.00", ",-1,28.00", 1), 2, "max_kg"},
		{"BadDate", header + strings.Replace(row, "2026-01-01", "01/01/2026", 1), 2, "effective_from"},
		{"TransitBackwards", header + strings.Replace(row, ",3,5,", ",6,5,", 1), 2, "transit_days_max"},
		{"CardColumnsDisagree", header + row + strings.Replace(row, ",2250,", ",1000,", 1), 3, ""},
		{"DuplicateBreak", header + row + row, 2, "breaks.1.upTo"},
		{"BadTiers", header + strings.Replace(row, ",28.00,", ",28.00,lots", 1), 2, "tiers"},
		{"UnterminatedQuote", header + "\"SWIFTX,EXPRESS_WW\n", 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, problems := ParseCSV(strings.NewReader(tt.csv))
			if len(problems) == 0 {
				t.Fatal("no problems found")
			}
			for _, p := range problems {
				if p.Line == tt.line && p.Column == tt.column {
					return
				}
			}
			t.Errorf("problems = %v, want one at line %d column %q", problems, tt.line, tt.column)
		})
	}
}

func TestParseFixed(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{{"1.25", 1250, true}, {"0.5", 500, true}, {"12", 12000, true}, {".5", 0, false}, {"5.", 0, false},
		{"1.2345", 0, false}, {"-1", 0, false}, {"1e3", 0, false}, {"", 0, false}, {" 1", 0, false}}
	for _, tt := range tests {
		got, ok := ParseFixed(tt.in, 3)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseFixed(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzParseCSV checks that the parser never panics, reports lines within the input, and that
// every card it returns without problems is valid.
func FuzzParseCSV(f *testing.F) {
	f.Add(goodCSV)
	f.Add(header)
	f.Add("")
	f.Add(header + "a,b,c\n")
	f.Add(header + "\"x\n")
	f.Fuzz(func(t *testing.T, s string) {
		entries, problems := ParseCSV(strings.NewReader(s))
		lines := strings.Count(s, "\n") + 2
		for _, p := range problems {
			if p.Line < 1 || p.Line > lines {
				t.Fatalf("problem at line %d of a %d-line input: %v", p.Line, lines, p)
			}
		}
		if len(problems) == 0 {
			for _, e := range entries {
				if err := e.Card.Validate(); err != nil {
					t.Fatalf("card without problems is invalid: %v", err)
				}
				if err := ValidateLane(e.Lane); err != nil {
					t.Fatalf("lane without problems is invalid: %v", err)
				}
			}
		}
	})
}

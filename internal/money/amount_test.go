package money

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/tradehub/tradehub/internal/errs"
)

func TestParseFormatAmount(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		c      Currency
		minor  int64
		format string // canonical form; "" means the same as in
	}{
		{name: "USD", in: "12.34", c: usd, minor: 1234},
		{name: "USD_OneFractionDigit", in: "12.3", c: usd, minor: 1230, format: "12.30"},
		{name: "USD_Whole", in: "1000000", c: usd, minor: 100_000_000, format: "1000000.00"},
		{name: "USD_Zero", in: "0", c: usd, minor: 0, format: "0.00"},
		{name: "USD_ZeroPointZero", in: "0.00", c: usd, minor: 0},
		{name: "USD_Tenth", in: "0.1", c: usd, minor: 10, format: "0.10"},
		{name: "USD_Negative", in: "-5", c: usd, minor: -500, format: "-5.00"},
		{name: "USD_NegativeCents", in: "-0.05", c: usd, minor: -5},
		{name: "USD_Max", in: "92233720368547758.07", c: usd, minor: math.MaxInt64},
		{name: "USD_MinusMax", in: "-92233720368547758.07", c: usd, minor: -math.MaxInt64},
		{name: "JPY", in: "1500", c: jpy, minor: 1500},
		{name: "JPY_Negative", in: "-1", c: jpy, minor: -1},
		{name: "JPY_Max", in: "9223372036854775807", c: jpy, minor: math.MaxInt64},
		{name: "KWD", in: "1.25", c: kwd, minor: 1250, format: "1.250"},
		{name: "KWD_Fils", in: "0.001", c: kwd, minor: 1},
		{name: "KWD_Max", in: "9223372036854775.807", c: kwd, minor: math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAmount(tt.in, tt.c)
			if err != nil {
				t.Fatalf("ParseAmount(%q, %v): %v", tt.in, tt.c, err)
			}
			if want := tt.minor; got != want {
				t.Errorf("ParseAmount(%q, %v) = %d, want %d", tt.in, tt.c, got, want)
			}
			want := tt.format
			if want == "" {
				want = tt.in
			}
			if got := FormatAmount(tt.minor, tt.c); got != want {
				t.Errorf("FormatAmount(%d, %v) = %q, want %q", tt.minor, tt.c, got, want)
			}
		})
	}
}

func TestFormatAmount(t *testing.T) {
	tests := []struct {
		name  string
		minor int64
		c     Currency
		want  string
	}{
		{"USD", 1230, usd, "12.30"},
		{"USD_Cents", 5, usd, "0.05"},
		{"USD_NegativeCents", -5, usd, "-0.05"},
		{"USD_Zero", 0, usd, "0.00"},
		{"JPY", 1500, jpy, "1500"},
		{"KWD", 1250, kwd, "1.250"},
		{"KWD_NegativeFils", -1, kwd, "-0.001"},
		// Outside ParseAmount's range, but still printed correctly.
		{"USD_MinInt64", math.MinInt64, usd, "-92233720368547758.08"},
		{"NoCurrency", 42, Currency{}, "42"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatAmount(tt.minor, tt.c); got != tt.want {
				t.Errorf("FormatAmount(%d, %v) = %q, want %q", tt.minor, tt.c, got, tt.want)
			}
		})
	}
}

func TestParseAmountRejects(t *testing.T) {
	tests := []struct {
		name string
		in   string
		c    Currency
	}{
		{"Empty", "", usd},
		{"Space", " ", usd},
		{"LeadingSpace", " 1", usd},
		{"TrailingSpace", "1 ", usd},
		{"TrailingNewline", "1\n", usd},
		{"Plus", "+1", usd},
		{"MinusOnly", "-", usd},
		{"DoubleMinus", "--1", usd},
		{"MinusAfterDigits", "1-", usd},
		{"Exponent", "1e3", usd},
		{"UpperExponent", "1E3", usd},
		{"NaN", "NaN", usd},
		{"Inf", "Inf", usd},
		{"NegativeInf", "-Inf", usd},
		{"Infinity", "Infinity", usd},
		{"Hex", "0x10", usd},
		{"Underscore", "1_000", usd},
		{"ThousandsComma", "1,000.00", usd},
		{"ThousandsSpace", "1 000", usd},
		{"DecimalComma", "1,5", usd},
		{"TwoPoints", "1.2.3", usd},
		{"ArabicIndicDigits", "١٢", usd},
		{"FullwidthDigit", "１", usd},
		{"TooManyDecimals_USD", "1.234", usd},
		{"TooManyZeroDecimals_USD", "1.000", usd},
		{"Decimals_JPY", "1.5", jpy},
		{"ZeroDecimal_JPY", "1.0", jpy},
		{"TooManyDecimals_KWD", "1.2345", kwd},
		{"NegativeZero", "-0", usd},
		{"NegativeZeroFraction", "-0.00", usd},
		{"NegativeZeroShortFraction", "-0.0", usd},
		{"NegativeZero_JPY", "-0", jpy},
		{"BarePoint", ".", usd},
		{"TrailingPoint", "1.", usd},
		{"TrailingPoint_JPY", "1.", jpy},
		{"LeadingPoint", ".5", usd},
		{"NegativeLeadingPoint", "-.5", usd},
		{"LeadingZeros", "007", usd},
		{"LeadingZeroWithFraction", "00.5", usd},
		{"NegativeLeadingZero", "-01", usd},
		{"PastMax_USD", "92233720368547758.08", usd},
		// math.MinInt64 itself: the range is symmetric.
		{"MinInt64_USD", "-92233720368547758.08", usd},
		{"PastMax_JPY", "9223372036854775808", jpy},
		{"PastMax_KWD", "9223372036854775.808", kwd},
		{"Huge", strings.Repeat("9", 10_000), usd},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAmount(tt.in, tt.c)
			if !errors.Is(err, ErrInvalidAmount) {
				t.Fatalf("ParseAmount(%q, %v) = %d, %v; want ErrInvalidAmount", tt.in, tt.c, got, err)
			}
			if e, _ := errs.As(err); e.Message == "" || len(e.Message) > 100 {
				t.Errorf("message %q: want a short, non-empty message", e.Message)
			}
		})
	}
}

func TestParseAmountNoCurrency(t *testing.T) {
	if _, err := ParseAmount("1", Currency{}); !errors.Is(err, ErrInvalidCurrency) {
		t.Errorf("ParseAmount with the zero Currency: err = %v, want ErrInvalidCurrency", err)
	}
}

func TestParseMoney(t *testing.T) {
	tests := []struct {
		name     string
		amount   string
		currency string
		want     Money
		wantErr  error
	}{
		{name: "OK", amount: "12.30", currency: "USD", want: New(1230, usd)},
		{name: "JPY", amount: "1500", currency: "JPY", want: New(1500, jpy)},
		{name: "BadCurrency", amount: "1", currency: "usd", wantErr: ErrInvalidCurrency},
		{name: "BadAmount", amount: "1.5", currency: "JPY", wantErr: ErrInvalidAmount},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMoney(tt.amount, tt.currency)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("ParseMoney(%q, %q): err = %v, want %v", tt.amount, tt.currency, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseMoney(%q, %q) = %v, %v; want %v", tt.amount, tt.currency, got, err, tt.want)
			}
		})
	}
}

var fuzzCurrencies = []Currency{jpy, usd, kwd}

// FuzzParseAmount checks that ParseAmount never panics and that what it accepts is exactly a
// canonical FormatAmount string, possibly with trailing fraction zeros (or the whole fraction)
// left off.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{
		"12.34", "-5", "0.1", "1000000", "0", "-0", "-0.00", "+1", " 1", "1e3", "NaN", "Inf",
		"1,000", ".", "1.", ".5", "007", "1.234", "1.5", "92233720368547758.07",
		"92233720368547758.08", "-92233720368547758.08", "9223372036854775807",
	} {
		for i := range fuzzCurrencies {
			f.Add(s, uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, s string, ci uint8) {
		c := fuzzCurrencies[int(ci)%len(fuzzCurrencies)]
		v, err := ParseAmount(s, c)
		if err != nil {
			if !errors.Is(err, ErrInvalidAmount) {
				t.Fatalf("ParseAmount(%q, %v): err = %v, want ErrInvalidAmount", s, c, err)
			}
			return
		}
		canonical := FormatAmount(v, c)
		back, err := ParseAmount(canonical, c)
		if err != nil || back != v {
			t.Fatalf("ParseAmount(%q) = %d; its format %q parses to %d, %v", s, v, canonical, back, err)
		}
		rest, ok := strings.CutPrefix(canonical, s)
		if !ok || strings.Trim(strings.TrimPrefix(rest, "."), "0") != "" {
			t.Fatalf("ParseAmount accepted %q (= %d), which is not a short form of %q", s, v, canonical)
		}
	})
}

// FuzzFormatParse checks that FormatAmount and ParseAmount are inverses on the whole range.
func FuzzFormatParse(f *testing.F) {
	for _, v := range []int64{0, 1, -1, 5, -5, 999, 1000, math.MaxInt64, -math.MaxInt64, math.MinInt64} {
		for i := range fuzzCurrencies {
			f.Add(v, uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, v int64, ci uint8) {
		c := fuzzCurrencies[int(ci)%len(fuzzCurrencies)]
		s := FormatAmount(v, c)
		got, err := ParseAmount(s, c)
		if v == math.MinInt64 {
			if err == nil {
				t.Fatalf("ParseAmount(%q) = %d, want ErrInvalidAmount (outside the range)", s, got)
			}
			return
		}
		if err != nil || got != v {
			t.Fatalf("ParseAmount(FormatAmount(%d) = %q) = %d, %v", v, s, got, err)
		}
	})
}

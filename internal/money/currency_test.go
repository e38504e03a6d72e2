package money

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tradehub/tradehub/internal/errs"
)

var update = flag.Bool("update", false, "rewrite testdata/currencies.golden from x/text")

func TestParseCurrency(t *testing.T) {
	tests := []struct {
		name   string
		code   string
		digits int
	}{
		{"JPY", "JPY", 0},
		{"USD", "USD", 2},
		{"EUR", "EUR", 2},
		{"GBP", "GBP", 2},
		{"CNY", "CNY", 2},
		{"AUD", "AUD", 2},
		{"CAD", "CAD", 2},
		{"KWD", "KWD", 3},
		{"BHD", "BHD", 3},
		// CLDR differs from ISO 4217 here (ISO: 3 and 2); see the package doc.
		{"IQD_CLDR", "IQD", 0},
		{"IDR_CLDR", "IDR", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCurrency(tt.code)
			if err != nil {
				t.Fatalf("ParseCurrency(%q): %v", tt.code, err)
			}
			if got, want := c.Digits(), tt.digits; got != want {
				t.Errorf("Digits() = %d, want %d", got, want)
			}
			if got, want := c.Code(), tt.code; got != want {
				t.Errorf("Code() = %q, want %q", got, want)
			}
			if got, want := c.String(), tt.code; got != want {
				t.Errorf("String() = %q, want %q", got, want)
			}
			if c.IsZero() {
				t.Error("IsZero() = true, want false")
			}
		})
	}
}

func TestParseCurrencyRejects(t *testing.T) {
	tests := []struct {
		name string
		code string
	}{
		{"Empty", ""},
		{"LowerCase", "usd"},
		{"MixedCase", "Usd"},
		{"TooShort", "US"},
		{"TooLong", "USDX"},
		{"Spaces", " USD"},
		{"Digits", "840"},
		{"NoCurrency_XXX", "XXX"},
		{"Testing_XTS", "XTS"},
		{"Gold_XAU", "XAU"},
		{"SpecialDrawingRights_XDR", "XDR"},
		{"FundCode_USN", "USN"},
		{"Withdrawn_DEM", "DEM"},
		{"Unknown", "ABC"},
		// Real since 2018, but unknown to CLDR 32; see the package doc.
		{"NotInCLDR32_VES", "VES"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCurrency(tt.code)
			if !errors.Is(err, ErrInvalidCurrency) {
				t.Fatalf("ParseCurrency(%q) = %v, %v; want ErrInvalidCurrency", tt.code, c, err)
			}
			if got, want := errs.CodeOf(err), errs.Invalid; got != want {
				t.Errorf("code = %s, want %s", got, want)
			}
			if !c.IsZero() {
				t.Errorf("currency = %v, want the zero Currency", c)
			}
		})
	}
}

func TestMustCurrencyPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustCurrency(\"usd\") did not panic")
		}
	}()
	MustCurrency("usd")
}

// TestCurrencyTable pins the accepted codes and their digits. Stored amounts are minor units,
// so if an x/text upgrade changes a currency's digits, every stored amount in it changes value:
// this test makes that a decision (a data migration) instead of an accident. Run
// `go test ./internal/money -run TestCurrencyTable -update` only after deciding.
func TestCurrencyTable(t *testing.T) {
	var got []string
	for code, c := range tender {
		got = append(got, fmt.Sprintf("%s %d", code, c.Digits()))
	}
	slices.Sort(got)

	const golden = "testdata/currencies.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	for _, line := range got {
		if !slices.Contains(want, line) {
			t.Errorf("x/text now gives %q, not in %s", line, golden)
		}
	}
	for _, line := range want {
		if !slices.Contains(got, line) {
			t.Errorf("%s has %q, which x/text no longer gives", golden, line)
		}
	}
}

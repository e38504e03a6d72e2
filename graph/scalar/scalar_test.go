package scalar_test

import (
	"bytes"
	"testing"

	"github.com/tradehub/tradehub/graph/scalar"
)

func TestUnmarshalDecimal(t *testing.T) {
	cases := []struct {
		name string
		in   any
		ok   bool
	}{
		{"Integer", "12", true},
		{"Fraction", "12.50", true},
		{"Negative", "-0.05", true},
		{"JSONNumber", 12.5, false},
		{"Exponent", "1e3", false},
		{"NaN", "NaN", false},
		{"Plus", "+1", false},
		{"Separator", "1,000", false},
		{"Space", " 1", false},
		{"BareDot", ".5", false},
		{"TrailingDot", "1.", false},
		{"Empty", "", false},
		{"TooLong", "1" + string(bytes.Repeat([]byte("0"), 50)), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := scalar.UnmarshalDecimal(c.in)
			if got := err == nil; got != c.ok {
				t.Errorf("UnmarshalDecimal(%v) ok = %v, want %v (%v)", c.in, got, c.ok, err)
			}
		})
	}
}

func TestDateTimeIsUTCAndRFC3339(t *testing.T) {
	got, err := scalar.UnmarshalDateTime("2026-11-21T16:30:00+08:00")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	scalar.MarshalDateTime(got).MarshalGQL(&b)
	if want := `"2026-11-21T08:30:00Z"`; b.String() != want {
		t.Errorf("got %s, want %s", b.String(), want)
	}
	for _, bad := range []any{"2026-11-21", "2026-11-21 08:30:00", "yesterday", 1700000000} {
		if _, err := scalar.UnmarshalDateTime(bad); err == nil {
			t.Errorf("UnmarshalDateTime(%v) accepted", bad)
		}
	}
}

func TestCountryAndCurrencyCodes(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{{"CN", true}, {"US", true}, {"DE", true}, {"cn", false}, {"EU", false}, {"ZZ", false}, {"USA", false}, {"QO", false}} {
		if _, err := scalar.UnmarshalCountryCode(c.in); (err == nil) != c.ok {
			t.Errorf("country %q ok = %v, want %v", c.in, err == nil, c.ok)
		}
	}
	for _, c := range []struct {
		in string
		ok bool
	}{{"USD", true}, {"JPY", true}, {"KWD", true}, {"usd", false}, {"ABC", false}, {"", false}} {
		if _, err := scalar.UnmarshalCurrencyCode(c.in); (err == nil) != c.ok {
			t.Errorf("currency %q ok = %v, want %v", c.in, err == nil, c.ok)
		}
	}
}

func TestJSON(t *testing.T) {
	for _, c := range []struct {
		name string
		in   []byte
		want string
	}{
		{"Object", []byte(`{"a":1,"b":[true,null]}`), `{"a":1,"b":[true,null]}`},
		{"Empty", nil, "null"},
		{"Malformed", []byte(`{"a":`), "null"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			scalar.MarshalJSON(c.in).MarshalGQL(&buf)
			if buf.String() != c.want {
				t.Errorf("MarshalJSON(%s) = %s, want %s", c.in, buf.String(), c.want)
			}
		})
	}
	got, err := scalar.UnmarshalJSON(map[string]any{"k": []any{"v", 1}})
	if err != nil || string(got) != `{"k":["v",1]}` {
		t.Errorf("UnmarshalJSON = %s, %v", got, err)
	}
	if _, err := scalar.UnmarshalJSON(string(bytes.Repeat([]byte("x"), 70<<10))); err == nil {
		t.Error("UnmarshalJSON accepted a value over the limit")
	}
}

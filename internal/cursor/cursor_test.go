package cursor

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tradehub/tradehub/internal/errs"
)

func TestEncodeDecode(t *testing.T) {
	tests := []struct {
		name string
		c    Cursor
	}{
		{"Time", Cursor{Key: "2026-03-01T09:00:00.123456789Z", ID: "shp_01jq3v8k2m5x7c9d0e4f6g8h1j"}},
		{"Code", Cursor{Key: "SKU-0042", ID: "sku_01jq3v8k2m5x7c9d0e4f6g8h1j"}},
		{"IDOnly", Cursor{ID: "ord_01jq3v8k2m5x7c9d0e4f6g8h1j"}},
		{"Unicode", Cursor{Key: "Zürich 東京", ID: "whs_1"}},
		{"KeyWithLongLength", Cursor{Key: strings.Repeat("k", 200), ID: "x"}},
		{"Largest", Cursor{Key: strings.Repeat("k", 300), ID: strings.Repeat("i", 81)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Encode(tt.c)
			if strings.ContainsAny(s, "+/=") {
				t.Errorf("Encode = %q, want URL-safe base64 without padding", s)
			}
			got, err := Decode(s, "after")
			if err != nil {
				t.Fatalf("Decode(Encode(%+v)): %v", tt.c, err)
			}
			if got != tt.c {
				t.Errorf("Decode(Encode(%+v)) = %+v", tt.c, got)
			}
		})
	}
}

func TestEncodePanics(t *testing.T) {
	tests := []struct {
		name string
		c    Cursor
	}{
		{"EmptyID", Cursor{Key: "k"}},
		{"TooLong", Cursor{Key: strings.Repeat("k", 300), ID: strings.Repeat("i", 82)}},
		{"NotUTF8", Cursor{Key: "\xff", ID: "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Encode(%+v) did not panic", tt.c)
				}
			}()
			Encode(tt.c)
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	good := Encode(Cursor{Key: "k", ID: "id"}) // "AQFraWQ": version 1, length 1, "k", "id"
	tests := []struct {
		name string
		s    string
	}{
		{"Empty", ""},
		{"TooLong", strings.Repeat("A", MaxLen+1)},
		{"NotBase64", "not a cursor!"},
		{"StandardAlphabet", base64.RawStdEncoding.EncodeToString([]byte{1, 0, '?', '?', '>'})},
		{"Padded", base64.URLEncoding.EncodeToString([]byte{1, 1, 'k', 'i', 'd'})},
		{"LineBreak", good[:2] + "\n" + good[2:]},
		// 'R' is 'Q' with one of the two unused low bits set: same bytes, another spelling.
		{"TrailingBits", good[:len(good)-1] + "R"},
		{"OtherVersion", enc([]byte{2, 1, 'k', 'i', 'd'})},
		{"VersionZero", enc([]byte{0, 1, 'k', 'i', 'd'})},
		{"OnlyVersion", enc([]byte{1})},
		{"KeyLengthPastEnd", enc([]byte{1, 9, 'k', 'i', 'd'})},
		{"UnterminatedLength", enc([]byte{1, 0x80})},
		{"OverlongLength", enc([]byte{1, 0x81, 0x00, 'k', 'i', 'd'})},
		{"HugeLength", enc([]byte{1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 'x'})},
		{"EmptyID", enc([]byte{1, 1, 'k'})},
		{"KeyNotUTF8", enc([]byte{1, 1, 0xff, 'i', 'd'})},
		{"IDNotUTF8", enc([]byte{1, 1, 'k', 0xc3})},
		{"JSON", enc([]byte(`{"k":"k","i":"id"}`))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.s, "before")
			if !errors.Is(err, ErrInvalidCursor) {
				t.Fatalf("Decode(%q) = %+v, %v; want ErrInvalidCursor", tt.s, got, err)
			}
			e, _ := errs.As(err)
			if want := []string{"before"}; !slices.Equal(e.Field, want) {
				t.Errorf("error field = %v, want %v", e.Field, want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	after := Encode(Cursor{Key: "a", ID: "1"})
	before := Encode(Cursor{Key: "b", ID: "2"})
	tests := []struct {
		name string
		p    Page
		max  int
		want Window
	}{
		{name: "Default", p: Page{}, max: MaxLimit, want: Window{Limit: DefaultLimit, Forward: true}},
		{name: "DefaultCappedByMax", p: Page{}, max: 5, want: Window{Limit: 5, Forward: true}},
		{name: "First", p: Page{First: ptr(10)}, max: MaxLimit, want: Window{Limit: 10, Forward: true}},
		{name: "FirstMax", p: Page{First: ptr(100)}, max: MaxLimit, want: Window{Limit: 100, Forward: true}},
		{name: "FirstOne", p: Page{First: ptr(1)}, max: MaxLimit, want: Window{Limit: 1, Forward: true}},
		{name: "Last", p: Page{Last: ptr(7)}, max: MaxLimit, want: Window{Limit: 7}},
		{
			name: "FirstAfter", p: Page{First: ptr(2), After: &after}, max: MaxLimit,
			want: Window{Limit: 2, Forward: true, After: &Cursor{Key: "a", ID: "1"}},
		},
		{
			name: "LastBefore", p: Page{Last: ptr(2), Before: &before}, max: MaxLimit,
			want: Window{Limit: 2, Before: &Cursor{Key: "b", ID: "2"}},
		},
		{
			name: "AfterAndBefore", p: Page{After: &after, Before: &before}, max: MaxLimit,
			want: Window{Limit: DefaultLimit, Forward: true,
				After: &Cursor{Key: "a", ID: "1"}, Before: &Cursor{Key: "b", ID: "2"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.p.Validate(tt.max)
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if got.Limit != tt.want.Limit || got.Forward != tt.want.Forward ||
				!equalCursor(got.After, tt.want.After) || !equalCursor(got.Before, tt.want.Before) {
				t.Errorf("Validate = %s, want %s", show(got), show(tt.want))
			}
		})
	}
}

func TestValidateRejects(t *testing.T) {
	bad := "bad"
	tests := []struct {
		name  string
		p     Page
		want  error
		field string
	}{
		{"FirstAndLast", Page{First: ptr(1), Last: ptr(1)}, ErrInvalidPage, "last"},
		{"FirstZero", Page{First: ptr(0)}, ErrInvalidPage, "first"},
		{"FirstNegative", Page{First: ptr(-1)}, ErrInvalidPage, "first"},
		{"FirstOverMax", Page{First: ptr(101)}, ErrInvalidPage, "first"},
		{"LastZero", Page{Last: ptr(0)}, ErrInvalidPage, "last"},
		{"LastOverMax", Page{Last: ptr(101)}, ErrInvalidPage, "last"},
		{"BadAfter", Page{First: ptr(1), After: &bad}, ErrInvalidCursor, "after"},
		{"BadBefore", Page{Last: ptr(1), Before: &bad}, ErrInvalidCursor, "before"},
		{"EmptyAfter", Page{After: new(string)}, ErrInvalidCursor, "after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.p.Validate(MaxLimit)
			if !errors.Is(err, tt.want) || errs.CodeOf(err) != errs.Invalid {
				t.Fatalf("Validate: err = %v, want %v", err, tt.want)
			}
			e, _ := errs.As(err)
			if want := []string{tt.field}; !slices.Equal(e.Field, want) {
				t.Errorf("error field = %v, want %v", e.Field, want)
			}
		})
	}
}

// FuzzDecode checks that Decode never panics and accepts only what Encode would write.
func FuzzDecode(f *testing.F) {
	f.Add(Encode(Cursor{Key: "2026-03-01T09:00:00Z", ID: "shp_01jq3v8k2m5x7c9d0e4f6g8h1j"}))
	f.Add(Encode(Cursor{ID: "x"}))
	f.Add("")
	f.Add("AQFraWQ")
	f.Add("AQFraWQ=")
	f.Add("AgFraWQ")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Decode(s, "after")
		if err != nil {
			if !errors.Is(err, ErrInvalidCursor) {
				t.Fatalf("Decode(%q): err = %v, want ErrInvalidCursor", s, err)
			}
			return
		}
		if got := Encode(c); got != s {
			t.Fatalf("Decode(%q) = %+v, which encodes as %q", s, c, got)
		}
	})
}

func ptr(n int) *int { return &n }

func equalCursor(a, b *Cursor) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

func show(w Window) string {
	deref := func(c *Cursor) any {
		if c == nil {
			return nil
		}
		return *c
	}
	return fmt.Sprintf("{Limit:%d Forward:%t After:%+v Before:%+v}",
		w.Limit, w.Forward, deref(w.After), deref(w.Before))
}

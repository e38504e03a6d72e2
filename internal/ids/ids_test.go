package ids

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/oklog/ulid/v2"

	"github.com/tradehub/tradehub/internal/errs"
)

func TestPrefixesAreWellFormed(t *testing.T) {
	for p := range known {
		if len(p) < 2 || len(p) > 4 || strings.Trim(string(p), "abcdefghijklmnopqrstuvwxyz") != "" {
			t.Errorf("prefix %q: want 2 to 4 lower-case letters", p)
		}
	}
}

func TestNew(t *testing.T) {
	for p := range known {
		t.Run(string(p), func(t *testing.T) {
			id := New(p)
			if got, want := len(id), len(p)+1+26; got != want {
				t.Errorf("len(%q) = %d, want %d", id, got, want)
			}
			got, err := Parse(id)
			if err != nil {
				t.Fatalf("Parse(New(%q) = %q): %v", p, id, err)
			}
			if got != p {
				t.Errorf("Parse(%q) = %q, want %q", id, got, p)
			}
		})
	}
}

func TestNewUnknownPrefixPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error(`New("nope") did not panic`)
		}
	}()
	New("nope")
}

// TestNewConcurrent checks that ids made at the same time from many goroutines are distinct,
// and that each goroutine's ids come out in increasing order, which keyset pagination on _id
// relies on.
func TestNewConcurrent(t *testing.T) {
	const goroutines, perGoroutine = 8, 2000
	got := make([][]string, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for range perGoroutine {
				got[g] = append(got[g], New(Order))
			}
		})
	}
	wg.Wait()

	seen := make(map[string]bool, goroutines*perGoroutine)
	for g, list := range got {
		if !slices.IsSorted(list) {
			t.Errorf("goroutine %d: ids not in increasing order", g)
		}
		for _, id := range list {
			if seen[id] {
				t.Fatalf("duplicate id %q", id)
			}
			seen[id] = true
		}
	}
}

func TestParse(t *testing.T) {
	const valid = "01arz3ndektsv4rrffq69g5fav"
	tests := []struct {
		name    string
		id      string
		want    Prefix
		wantErr bool
	}{
		{name: "Order", id: "ord_" + valid, want: Order},
		{name: "ShortPrefix", id: "po_" + valid, want: PurchaseOrder},
		{name: "MaxULID", id: "acct_7zzzzzzzzzzzzzzzzzzzzzzzzz", want: Account},
		{name: "Empty", id: "", wantErr: true},
		{name: "NoUnderscore", id: "ord" + valid, wantErr: true},
		{name: "OnlyPrefix", id: "ord_", wantErr: true},
		{name: "UnknownPrefix", id: "abc_" + valid, wantErr: true},
		{name: "UpperCasePrefix", id: "ORD_" + valid, wantErr: true},
		{name: "UpperCaseULID", id: "ord_" + strings.ToUpper(valid), wantErr: true},
		{name: "OneUpperCaseChar", id: "ord_01Arz3ndektsv4rrffq69g5fav", wantErr: true},
		{name: "TooShort", id: "ord_" + valid[1:], wantErr: true},
		{name: "TooLong", id: "ord_" + valid + "0", wantErr: true},
		{name: "NotCrockford_i", id: "ord_01arz3ndektsv4rrffq69g5fai", wantErr: true},
		{name: "NotCrockford_l", id: "ord_01arz3ndektsv4rrffq69g5fal", wantErr: true},
		{name: "NotCrockford_o", id: "ord_01arz3ndektsv4rrffq69g5fao", wantErr: true},
		{name: "NotCrockford_u", id: "ord_01arz3ndektsv4rrffq69g5fau", wantErr: true},
		{name: "Overflow", id: "ord_8zzzzzzzzzzzzzzzzzzzzzzzzz", wantErr: true},
		{name: "DoubleUnderscore", id: "ord__" + valid[1:], wantErr: true},
		{name: "TrailingSpace", id: "ord_" + valid[1:] + " ", wantErr: true},
		{name: "ObjectID", id: "65f1c2a9e4b0a1b2c3d4e5f6", wantErr: true},
		{name: "NonASCII", id: "ord_01arz3ndektsv4rrffq69g5fé", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.id)
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidID) || errs.CodeOf(err) != errs.Invalid {
					t.Errorf("Parse(%q) = %q, %v; want ErrInvalidID", tt.id, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Parse(%q) = %q, %v; want %q", tt.id, got, err, tt.want)
			}
		})
	}
}

func TestHasPrefix(t *testing.T) {
	id := New(Warehouse)
	tests := []struct {
		name string
		id   string
		p    Prefix
		want bool
	}{
		{"Match", id, Warehouse, true},
		{"OtherType", id, SKU, false},
		{"Malformed", "whs_123", Warehouse, false},
		// "inv" must not match an Invitation id ("invt_...") by a naive prefix test.
		{"PrefixOfAnotherPrefix", New(Invitation), Invoice, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HasPrefix(tt.id, tt.p); got != tt.want {
				t.Errorf("HasPrefix(%q, %q) = %v, want %v", tt.id, tt.p, got, tt.want)
			}
		})
	}
}

// FuzzParse checks that Parse never panics and accepts only canonical ids: a known prefix and
// the lower-case form of the ULID the rest decodes to.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "_", "ord_", "ord_01arz3ndektsv4rrffq69g5fav", "ORD_01ARZ3NDEKTSV4RRFFQ69G5FAV",
		"ord_8zzzzzzzzzzzzzzzzzzzzzzzzz", "ord_01arz3ndektsv4rrffq69g5fai", "invt_" + New(Invitation)[5:],
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidID) {
				t.Fatalf("Parse(%q): err = %v, want ErrInvalidID", s, err)
			}
			return
		}
		u := ulid.MustParseStrict(s[len(p)+1:])
		if canonical := string(p) + "_" + strings.ToLower(u.String()); canonical != s {
			t.Fatalf("Parse accepted %q, whose canonical form is %q", s, canonical)
		}
	})
}

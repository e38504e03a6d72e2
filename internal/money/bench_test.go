package money

import "testing"

// Money arithmetic runs in every price, fee, accrual and invoice line: exact minor units, with
// big.Int only where a product could overflow int64.
func BenchmarkArithmetic(b *testing.B) {
	usd := MustCurrency("USD")
	m := New(1_234_567, usd)
	o := New(89_10, usd)
	b.Run("Add", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.Add(o); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("MulBasisPoints", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.MulBasisPoints(2250, HalfEven); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Allocate3", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.Allocate([]int64{1, 1, 1}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ParseAmount", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ParseAmount("12345.67", usd); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("FormatAmount", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = FormatAmount(1_234_567, usd)
		}
	})
}

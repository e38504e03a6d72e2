package money

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tradehub/tradehub/internal/errs"
)

var (
	usd = MustCurrency("USD")
	eur = MustCurrency("EUR")
	jpy = MustCurrency("JPY")
	kwd = MustCurrency("KWD")
)

func TestAddSub(t *testing.T) {
	const max, min = math.MaxInt64, math.MinInt64
	tests := []struct {
		name    string
		a, b    Money
		sum     int64
		diff    int64
		sumErr  error
		diffErr error
	}{
		{name: "OK", a: New(1230, usd), b: New(70, usd), sum: 1300, diff: 1160},
		{name: "Negative", a: New(-5, usd), b: New(10, usd), sum: 5, diff: -15},
		{name: "AtMax", a: New(max-1, usd), b: New(1, usd), sum: max, diff: max - 2},
		{name: "AtMinusMax", a: New(-max+1, usd), b: New(-1, usd), sum: -max, diff: -max + 2},
		{name: "PastMax", a: New(max, usd), b: New(1, usd), sumErr: ErrOutOfRange, diff: max - 1},
		// -MaxInt64 - 1 is math.MinInt64, which the package's symmetric range excludes.
		{name: "PastMinusMax", a: New(-max, usd), b: New(-1, usd), sumErr: ErrOutOfRange, diff: -max + 1},
		{name: "SubPastMax", a: New(max, usd), b: New(-1, usd), sum: max - 1, diffErr: ErrOutOfRange},
		{name: "SubPastMinusMax", a: New(-max, usd), b: New(1, usd), sum: -max + 1, diffErr: ErrOutOfRange},
		{name: "HandBuiltMinInt64", a: New(min, usd), b: New(0, usd), sumErr: ErrOutOfRange, diffErr: ErrOutOfRange},
		{name: "SubMinInt64", a: New(-1, usd), b: New(min, usd), sumErr: ErrOutOfRange, diff: max},
		{name: "CurrencyMismatch", a: New(1, usd), b: New(1, eur), sumErr: ErrCurrencyMismatch, diffErr: ErrCurrencyMismatch},
		{name: "NoCurrency", a: New(1, usd), b: Money{Amount: 1}, sumErr: ErrCurrencyMismatch, diffErr: ErrCurrencyMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check := func(op string, got Money, err error, want int64, wantErr error) {
				t.Helper()
				if wantErr != nil {
					if !errors.Is(err, wantErr) {
						t.Errorf("%v %s %v: err = %v, want %v", tt.a, op, tt.b, err, wantErr)
					}
					return
				}
				if err != nil {
					t.Errorf("%v %s %v: %v", tt.a, op, tt.b, err)
					return
				}
				if w := New(want, tt.a.Currency); got != w {
					t.Errorf("%v %s %v = %v, want %v", tt.a, op, tt.b, got, w)
				}
			}
			got, err := tt.a.Add(tt.b)
			check("+", got, err, tt.sum, tt.sumErr)
			got, err = tt.a.Sub(tt.b)
			check("-", got, err, tt.diff, tt.diffErr)
		})
	}
}

func TestCmp(t *testing.T) {
	tests := []struct {
		name    string
		a, b    Money
		want    int
		wantErr error
	}{
		{name: "Less", a: New(-1, usd), b: New(0, usd), want: -1},
		{name: "Equal", a: New(5, usd), b: New(5, usd), want: 0},
		{name: "Greater", a: New(math.MaxInt64, usd), b: New(-math.MaxInt64, usd), want: 1},
		{name: "CurrencyMismatch", a: New(5, usd), b: New(5, eur), wantErr: ErrCurrencyMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.a.Cmp(tt.b)
			if !errors.Is(err, tt.wantErr) || err != nil && tt.wantErr == nil {
				t.Fatalf("Cmp: err = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("%v.Cmp(%v) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestPredicatesAndNeg(t *testing.T) {
	tests := []struct {
		name          string
		m             Money
		isZero, isNeg bool
		neg           int64
		str           string
	}{
		{name: "Zero", m: New(0, usd), isZero: true, neg: 0, str: "0.00 USD"},
		{name: "Positive", m: New(1230, usd), neg: -1230, str: "12.30 USD"},
		{name: "Negative", m: New(-5, usd), isNeg: true, neg: 5, str: "-0.05 USD"},
		{name: "JPY", m: New(1500, jpy), neg: -1500, str: "1500 JPY"},
		{name: "KWD", m: New(1250, kwd), neg: -1250, str: "1.250 KWD"},
		{name: "NoCurrency", m: Money{Amount: 7}, neg: -7, str: "7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := tt.m.IsZero(), tt.isZero; got != want {
				t.Errorf("IsZero() = %v, want %v", got, want)
			}
			if got, want := tt.m.IsNegative(), tt.isNeg; got != want {
				t.Errorf("IsNegative() = %v, want %v", got, want)
			}
			if got, want := tt.m.Neg(), New(tt.neg, tt.m.Currency); got != want {
				t.Errorf("Neg() = %v, want %v", got, want)
			}
			if got, want := tt.m.String(), tt.str; got != want {
				t.Errorf("String() = %q, want %q", got, want)
			}
		})
	}
}

func TestNegMinInt64Panics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Neg of math.MinInt64 did not panic")
		}
	}()
	New(math.MinInt64, usd).Neg()
}

func TestMulRat(t *testing.T) {
	tests := []struct {
		name     string
		amount   int64
		num, den int64
		mode     RoundingMode
		want     int64
	}{
		// 12.5 is a tie: HalfEven goes to the even 12, HalfUp away from zero, Down toward it.
		{"TieToEvenBelow_HalfEven", 125, 1, 10, HalfEven, 12},
		{"TieToEvenBelow_HalfUp", 125, 1, 10, HalfUp, 13},
		{"TieToEvenBelow_Down", 125, 1, 10, Down, 12},
		// 13.5 is a tie whose even neighbour is above.
		{"TieToEvenAbove_HalfEven", 135, 1, 10, HalfEven, 14},
		{"TieToEvenAbove_HalfUp", 135, 1, 10, HalfUp, 14},
		{"TieToEvenAbove_Down", 135, 1, 10, Down, 13},
		{"NegativeTie_HalfEven", -125, 1, 10, HalfEven, -12},
		{"NegativeTie_HalfUp", -125, 1, 10, HalfUp, -13},
		{"NegativeTie_Down", -125, 1, 10, Down, -12},
		{"NegativeTieAbove_HalfEven", -135, 1, 10, HalfEven, -14},
		{"NotATie_HalfEven", 126, 1, 10, HalfEven, 13},
		{"NotATie_Down", 126, 1, 10, Down, 12},
		{"NegativeNotATie_HalfUp", -124, 1, 10, HalfUp, -12},
		{"NegativeNotATie_HalfEven", -126, 1, 10, HalfEven, -13},
		{"NegativeDenominator", 125, 1, -10, HalfEven, -12},
		{"NegativeRate", 135, -1, 10, HalfUp, -14},
		{"Exact", 100_000, 3, 4, HalfEven, 75_000},
		// An 80 % advance on 9,876.53: 7,901.224 rounds down so the cap is never exceeded.
		{"AdvanceRate_Down", 987_653, 80, 100, Down, 790_122},
		// 4.5 % a year for 30 days on 10,000.00: 36.986301... in one rounding.
		{"InterestForDays_HalfEven", 1_000_000, 45 * 30, 1000 * 365, HalfEven, 3_699},
		// The intermediate product passes int64, the result does not.
		{"BigIntermediate", math.MaxInt64, 3, 3, HalfEven, math.MaxInt64},
		{"ResultMinusMax", math.MaxInt64, -1, 1, HalfEven, -math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := New(tt.amount, usd).MulRat(tt.num, tt.den, tt.mode)
			if err != nil {
				t.Fatalf("MulRat: %v", err)
			}
			if want := New(tt.want, usd); got != want {
				t.Errorf("%d × %d/%d (%v) = %v, want %v", tt.amount, tt.num, tt.den, tt.mode, got, want)
			}
		})
	}
}

func TestMulRatErrors(t *testing.T) {
	tests := []struct {
		name     string
		amount   int64
		num, den int64
		mode     RoundingMode
		want     errs.Code
	}{
		{"ZeroDenominator", 100, 1, 0, HalfEven, errs.Invalid},
		{"Overflow", math.MaxInt64, 2, 1, HalfEven, errs.Invalid},
		{"PastMinusMax", math.MaxInt64 / 2, -3, 1, Down, errs.Invalid},
		{"NoRoundingMode", 100, 1, 3, 0, errs.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.amount, usd).MulRat(tt.num, tt.den, tt.mode)
			if got, want := errs.CodeOf(err), tt.want; got != want {
				t.Errorf("MulRat error code = %q (%v), want %q", got, err, want)
			}
		})
	}
}

func TestMulBasisPoints(t *testing.T) {
	tests := []struct {
		name   string
		amount int64
		bps    int64
		mode   RoundingMode
		want   int64
	}{
		{"Fee150bps", 100_000, 150, HalfEven, 1_500},
		// 0.4 % of 12.34 is 0.04936.
		{"SmallFee_HalfUp", 1_234, 40, HalfUp, 5},
		{"SmallFee_Down", 1_234, 40, Down, 4},
		// 50 bps of 1.00 is exactly half a cent.
		{"HalfCent_HalfEven", 100, 50, HalfEven, 0},
		{"HalfCent_HalfUp", 100, 50, HalfUp, 1},
		{"Refund_HalfUp", -100, 50, HalfUp, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := New(tt.amount, usd).MulBasisPoints(tt.bps, tt.mode)
			if err != nil {
				t.Fatalf("MulBasisPoints: %v", err)
			}
			if want := New(tt.want, usd); got != want {
				t.Errorf("%d × %d bps (%v) = %v, want %v", tt.amount, tt.bps, tt.mode, got, want)
			}
		})
	}
}

func TestAllocate(t *testing.T) {
	tests := []struct {
		name    string
		amount  int64
		weights []int64
		want    []int64
	}{
		{"Thirds", 100, []int64{1, 1, 1}, []int64{34, 33, 33}},
		{"Exact", 100, []int64{1, 2, 1}, []int64{25, 50, 25}},
		{"RemainderToLargestWeight", 5, []int64{1, 3}, []int64{1, 4}},
		{"EqualWeightsEarlierFirst", 10, []int64{3, 3, 1}, []int64{5, 4, 1}},
		{"NegativeThirds", -100, []int64{1, 1, 1}, []int64{-34, -33, -33}},
		{"ZeroWeightGetsNothing", 101, []int64{0, 1, 1}, []int64{0, 51, 50}},
		{"OneWeight", 999, []int64{7}, []int64{999}},
		{"ZeroAmount", 0, []int64{1, 2}, []int64{0, 0}},
		{"MoreWeightsThanUnits", 2, []int64{1, 1, 1, 1}, []int64{1, 1, 0, 0}},
		{"Huge", math.MaxInt64, []int64{1, 1}, []int64{1 << 62, 1<<62 - 1}},
		{"HugeWeights", 3, []int64{math.MaxInt64, math.MaxInt64}, []int64{2, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts, err := New(tt.amount, usd).Allocate(tt.weights)
			if err != nil {
				t.Fatalf("Allocate: %v", err)
			}
			got := make([]int64, len(parts))
			for i, p := range parts {
				got[i] = p.Amount
				if p.Currency != usd {
					t.Errorf("part %d currency = %v, want USD", i, p.Currency)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Allocate(%d, %v) = %v, want %v", tt.amount, tt.weights, got, tt.want)
			}
		})
	}
}

func TestAllocateErrors(t *testing.T) {
	tests := []struct {
		name    string
		weights []int64
	}{
		{"NoWeights", nil},
		{"NegativeWeight", []int64{1, -1}},
		{"AllZero", []int64{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(100, usd).Allocate(tt.weights)
			if got, want := errs.CodeOf(err), errs.Invalid; got != want {
				t.Errorf("Allocate(%v) error code = %q (%v), want %q", tt.weights, got, err, want)
			}
		})
	}
}

// TestAllocateSumsExactly checks on random inputs that the parts add up to the amount and that
// each part is within one minor unit of its exact proportional share.
func TestAllocateSumsExactly(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		amount := r.Int64N(2_000_000_001) - 1_000_000_000
		weights := make([]int64, 1+r.IntN(12))
		var total int64
		for i := range weights {
			weights[i] = r.Int64N(1_000)
			total += weights[i]
		}
		if total == 0 {
			weights[0], total = 1, 1
		}
		parts, err := New(amount, usd).Allocate(weights)
		if err != nil {
			t.Fatalf("Allocate(%d, %v): %v", amount, weights, err)
		}
		var sum int64
		for i, p := range parts {
			sum += p.Amount
			exact := amount * weights[i] / total // truncated toward zero; fits: |product| < 2^40
			if d := p.Amount - exact; d < -1 || d > 1 {
				t.Fatalf("Allocate(%d, %v)[%d] = %d, exact share %d", amount, weights, i, p.Amount, exact)
			}
		}
		if sum != amount {
			t.Fatalf("Allocate(%d, %v) sums to %d", amount, weights, sum)
		}
	}
}

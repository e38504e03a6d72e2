package ratecard

import (
	"errors"
	"strings"
	"testing"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
)

var usd = money.MustCurrency("USD")

// card is the worked examples' card: divisor 5000; 28.00/kg up to 1 kg, 16.50 up to 5 kg, 11.80
// up to 20 kg, 9.40 up to 70 kg; minimum 18.00; fuel 22.5 %; remote 25.00 for postcodes 995…;
// oversize 60.00 per parcel over 100 cm or 30 kg; tiers at 2,000 kg (5 %) and 10,000 kg (10 %).
func card() Card {
	return Card{
		Currency: usd, VolumetricDivisor: 5000,
		Breaks:        []Break{{UpToGrams: 1000, PerKg: 2800}, {UpToGrams: 5000, PerKg: 1650}, {UpToGrams: 20000, PerKg: 1180}, {UpToGrams: 70000, PerKg: 940}},
		MinimumCharge: 1800, FuelSurchargeBps: 2250, RemoteAreaSurcharge: 2500, RemotePostcodePrefixes: []string{"995"},
		OversizeSurcharge: 6000, OversizeLengthMM: 1000, OversizeWeightGrams: 30000,
		Tiers: []Tier{{MinPooledGrams: 0}, {MinPooledGrams: 2_000_000, DiscountBps: 500}, {MinPooledGrams: 10_000_000, DiscountBps: 1000}},
	}
}

func p(g, l, w, h int64) Parcel { return Parcel{WeightGrams: g, LengthMM: l, WidthMM: w, HeightMM: h} }

func TestPriceWorkedExamples(t *testing.T) {
	tests := []struct {
		name       string
		req        Request
		chargeable int64
		linehaul   int64
		discount   int64
		freight    int64
		minimum    bool
		remote     int64
		oversize   int64
		fuel       int64
		total      int64
		baseTotal  int64
		reached    int
		toNext     int64
	}{
		// 1.2 kg in 30×20×15 cm: volumetric 9,000,000 mm³ / 5000 = 1.8 kg > 1.2 kg, billed 2.0 kg
		// at 16.50 = 33.00; fuel 22.5 % = 7.425 → 7.42 (half even); total 40.42.
		{name: "VolumetricWins", req: Request{Parcels: []Parcel{p(1200, 300, 200, 150)}},
			chargeable: 2000, linehaul: 3300, freight: 3300, fuel: 742, total: 4042, baseTotal: 4042, toNext: 2_000_000},
		// 3.7 kg in 20×20×20 cm (1.6 kg volumetric): actual wins, billed 4.0 kg = 66.00 + 14.85.
		{name: "ActualWins", req: Request{Parcels: []Parcel{p(3700, 200, 200, 200)}},
			chargeable: 4000, linehaul: 6600, freight: 6600, fuel: 1485, total: 8085, baseTotal: 8085, toNext: 2_000_000},
		// 0.3 kg → 0.5 kg × 28.00 = 14.00, below the 18.00 minimum.
		{name: "MinimumCharge", req: Request{Parcels: []Parcel{p(300, 100, 100, 100)}},
			chargeable: 500, linehaul: 1400, freight: 1800, minimum: true, fuel: 405, total: 2205, baseTotal: 2205, toNext: 2_000_000},
		// Exactly 5.0 kg is still in the "up to 5 kg" break: 5 × 16.50 = 82.50, fuel 18.5625 → 18.56.
		{name: "BreakUpperBoundInclusive", req: Request{Parcels: []Parcel{p(5000, 100, 100, 100)}},
			chargeable: 5000, linehaul: 8250, freight: 8250, fuel: 1856, total: 10106, baseTotal: 10106, toNext: 2_000_000},
		// 5.1 kg → 5.5 kg in the next break: 5.5 × 11.80 = 64.90, cheaper than 5 kg (the classic
		// weight-break effect); fuel 14.6025 → 14.60.
		{name: "NextBreak", req: Request{Parcels: []Parcel{p(5100, 100, 100, 100)}},
			chargeable: 5500, linehaul: 6490, freight: 6490, fuel: 1460, total: 7950, baseTotal: 7950, toNext: 2_000_000},
		// Two parcels, each at max(actual, volumetric): 110×40×30 cm = 26.4 kg volumetric (12 kg
		// actual) and 2 kg; 28.4 → 28.5 kg × 9.40 = 267.90; oversize (110 cm) 60.00; remote
		// (99501) 25.00; fuel on 352.90 = 79.4025 → 79.40; total 432.30.
		{name: "RemoteAndOversize", req: Request{Parcels: []Parcel{p(12000, 1100, 400, 300), p(2000, 200, 200, 200)}, DestinationPostcode: "99501"},
			chargeable: 28500, linehaul: 26790, freight: 26790, remote: 2500, oversize: 6000, fuel: 7940, total: 43230, baseTotal: 43230, toNext: 2_000_000},
		// Pool at 2,500 kg reaches the 5 % tier: 66.00 − 3.30 = 62.70, fuel 14.1075 → 14.11;
		// the base tier would be 80.85; 7,500 kg to the 10 % tier.
		{name: "TierReached", req: Request{Parcels: []Parcel{p(3700, 200, 200, 200)}, PooledGrams: 2_500_000},
			chargeable: 4000, linehaul: 6600, discount: 330, freight: 6270, fuel: 1411, total: 7681, baseTotal: 8085, reached: 1, toNext: 7_500_000},
		// Exactly at a tier's threshold counts as reached.
		{name: "TierAtThreshold", req: Request{Parcels: []Parcel{p(3700, 200, 200, 200)}, PooledGrams: 2_000_000},
			chargeable: 4000, linehaul: 6600, discount: 330, freight: 6270, fuel: 1411, total: 7681, baseTotal: 8085, reached: 1, toNext: 8_000_000},
		// Top tier: 10 % off 66.00 = 59.40; fuel 13.365 is a tie and goes to the even 13.36.
		{name: "TopTierFuelTieToEven", req: Request{Parcels: []Parcel{p(3700, 200, 200, 200)}, PooledGrams: 12_000_000},
			chargeable: 4000, linehaul: 6600, discount: 660, freight: 5940, fuel: 1336, total: 7276, baseTotal: 8085, reached: 2},
		// The discount never takes freight under the minimum: 14.00 − 0.70 → 18.00.
		{name: "TierDoesNotBeatMinimum", req: Request{Parcels: []Parcel{p(300, 100, 100, 100)}, PooledGrams: 2_000_000},
			chargeable: 500, linehaul: 1400, discount: 70, freight: 1800, minimum: true, fuel: 405, total: 2205, baseTotal: 2205, reached: 1, toNext: 8_000_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := card().Price(tt.req)
			if err != nil {
				t.Fatalf("Price: %v", err)
			}
			check := func(what string, got money.Money, want int64) {
				t.Helper()
				if got != money.New(want, usd) {
					t.Errorf("%s = %v, want %v", what, got, money.New(want, usd))
				}
			}
			if got.ChargeableGrams != tt.chargeable {
				t.Errorf("chargeable = %d g, want %d", got.ChargeableGrams, tt.chargeable)
			}
			check("linehaul", got.Linehaul, tt.linehaul)
			check("discount", got.TierDiscount, tt.discount)
			check("freight", got.Freight, tt.freight)
			check("remote", got.RemoteArea, tt.remote)
			check("oversize", got.Oversize, tt.oversize)
			check("fuel", got.Fuel, tt.fuel)
			check("total", got.Total, tt.total)
			check("base total", got.BaseTotal, tt.baseTotal)
			if got.MinimumApplied != tt.minimum {
				t.Errorf("minimum applied = %v, want %v", got.MinimumApplied, tt.minimum)
			}
			if tt.reached > 0 && got.Tier.Reached != tt.reached || tt.reached == 0 && got.Tier.Reached > 0 {
				t.Errorf("tier reached = %d, want %d", got.Tier.Reached, tt.reached)
			}
			if got.Tier.GramsToNext != tt.toNext {
				t.Errorf("grams to next tier = %d, want %d", got.Tier.GramsToNext, tt.toNext)
			}
		})
	}
}

func TestPriceBeyondBreaks(t *testing.T) {
	_, err := card().Price(Request{Parcels: []Parcel{p(71000, 100, 100, 100)}})
	if !errors.Is(err, ErrBeyondBreaks) {
		t.Fatalf("err = %v, want ErrBeyondBreaks", err)
	}
}

func TestChargeableRoundsUpToHalfKilo(t *testing.T) {
	tests := []struct {
		name  string
		grams int64
		want  int64
	}{{"OneGram", 1, 500}, {"HalfKilo", 500, 500}, {"JustOver", 501, 1000}, {"TwoKilos", 2000, 2000}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Chargeable([]Parcel{p(tt.grams, 10, 10, 10)}, 5000).ChargeableGrams; got != tt.want {
				t.Errorf("chargeable(%d g) = %d, want %d", tt.grams, got, tt.want)
			}
		})
	}
}

func TestParcelValidate(t *testing.T) {
	tests := []struct {
		name  string
		p     Parcel
		field string
	}{
		{"ZeroWeight", p(0, 100, 100, 100), "weight"},
		{"NegativeWeight", p(-5, 100, 100, 100), "weight"},
		{"TooHeavy", p(MaxParcelWeightGrams+1, 100, 100, 100), "weight"},
		{"ZeroLength", p(1000, 0, 100, 100), "length"},
		{"NegativeWidth", p(1000, 100, -1, 100), "width"},
		{"HugeHeight", p(1000, 100, 100, MaxParcelSideMM+1), "height"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			e, ok := errs.As(err)
			if !ok || e.Code != errs.Invalid || strings.Join(e.Field, ".") != tt.field {
				t.Fatalf("Validate = %v, want INVALID at %s", err, tt.field)
			}
		})
	}
	if err := p(1, 1, 1, 1).Validate(); err != nil {
		t.Errorf("smallest parcel: %v", err)
	}
}

func TestCardValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Card)
		field string
	}{
		{"NoCurrency", func(c *Card) { c.Currency = money.Currency{} }, "currency"},
		{"DivisorTooSmall", func(c *Card) { c.VolumetricDivisor = 10 }, "volumetricDivisor"},
		{"NoBreaks", func(c *Card) { c.Breaks = nil }, "breaks"},
		{"BreaksNotIncreasing", func(c *Card) { c.Breaks[1].UpToGrams = 1000 }, "breaks.1.upTo"},
		{"NegativePrice", func(c *Card) { c.Breaks[0].PerKg = -1 }, "breaks.0.perKg"},
		{"FuelOver100Percent", func(c *Card) { c.FuelSurchargeBps = 10_001 }, "fuelSurchargeBps"},
		{"NegativeMinimum", func(c *Card) { c.MinimumCharge = -1 }, "minimumCharge"},
		{"TiersNotIncreasing", func(c *Card) { c.Tiers[2].MinPooledGrams = 1 }, "tiers.2.minPooled"},
		{"TierDiscountTooBig", func(c *Card) { c.Tiers[1].DiscountBps = 20_000 }, "tiers.1.discountBps"},
		{"BlankRemotePrefix", func(c *Card) { c.RemotePostcodePrefixes = []string{""} }, "remotePostcodePrefixes.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := card()
			c.Breaks = append([]Break(nil), c.Breaks...)
			c.Tiers = append([]Tier(nil), c.Tiers...)
			tt.edit(&c)
			e, ok := errs.As(c.Validate())
			if !ok || e.Code != errs.Invalid || strings.Join(e.Field, ".") != tt.field {
				t.Fatalf("Validate = %v, want INVALID at %s", e, tt.field)
			}
		})
	}
	if err := card().Validate(); err != nil {
		t.Errorf("the worked examples' card: %v", err)
	}
}

// Package ratecard prices a shipment from a carrier's rate card: chargeable weight, weight
// breaks, the minimum charge, surcharges, fuel, and the discount of the pooled-volume tier the
// platform has reached on the lane. It is pure arithmetic on integers (grams, millimetres,
// minor units of money) with no store and no clock, so every worked example in the tests is
// exact to the minor unit. It also reads rate cards from CSV (see ParseCSV).
//
// # Chargeable weight
//
// Each parcel weighs max(actual, volumetric), where the volumetric weight is length × width ×
// height in cm³ divided by the card's divisor (5000 for most express services, 6000 for most
// economy and freight ones), in kg. In the integer units used here that is mm³ ÷ divisor in
// grams, rounded up to the gram. The parcels' weights are added and the total is rounded UP to
// the next 0.5 kg (500 g), as express carriers bill. So a 1.2 kg parcel of 30 × 20 × 15 cm at
// divisor 5000 is max(1.2, 1.8) = 1.8 kg, billed as 2.0 kg.
//
// # Price
//
// In this order, each amount rounded once, half to even (banker's rounding, money.HalfEven):
//
//  1. break: the first weight break whose UpToGrams is at least the chargeable weight; a weight
//     above the last break is not priced by the card (ErrBeyondBreaks).
//  2. linehaul = break.PerKg × chargeable grams ÷ 1000.
//  3. tier discount = linehaul × tier.DiscountBps ÷ 10,000 for the tier reached (below).
//  4. freight = max(linehaul − discount, MinimumCharge).
//  5. surcharges: RemoteAreaSurcharge once if the destination postcode starts with one of
//     RemotePostcodePrefixes; OversizeSurcharge for each parcel whose longest side exceeds
//     OversizeLengthMM or whose actual weight exceeds OversizeWeightGrams.
//  6. fuel = (freight + surcharges) × FuelSurchargeBps ÷ 10,000.
//  7. total = freight + surcharges + fuel.
//
// # Pooled-volume tiers
//
// A card may have tiers by the platform's pooled monthly volume on its lane: the chargeable
// grams of every account's bookings on that carrier service and lane in the current calendar
// month (UTC), kept by the transport service with $inc at each booking. The tier reached is the
// last one whose MinPooledGrams is at most the pool BEFORE the shipment being priced, so a
// quote never depends on itself. The discount applies to the linehaul only (step 3): minimum
// charge, surcharges and fuel are not discounted, except that fuel follows the lower freight.
// Price also prices the same shipment at the base tier (no discount) and says how many grams
// the pool lacks to reach the next tier, so a seller sees what pooling saves it.
package ratecard

import (
	"slices"
	"strings"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
)

// Limits that keep every product below within int64 and cards within reason.
const (
	MaxParcelSideMM      = 10_000     // 10 m
	MaxParcelWeightGrams = 50_000_000 // 50 t: a freight parcel; services set their own limits
	MaxBreaks            = 100
	MaxTiers             = 20
	MaxRemotePrefixes    = 500
	MinDivisor           = 1000
	MaxDivisor           = 10_000
	MaxBasisPoints       = 10_000
	maxMinor             = 1_000_000_000_000 // 10^12 minor units: far above any freight price
	weightStepGrams      = 500
)

// ErrBeyondBreaks reports a chargeable weight above the card's last weight break.
var ErrBeyondBreaks = errs.Sentinel(errs.FailedPrecondition, "WEIGHT_BEYOND_RATE_CARD",
	"the shipment is heavier than the rate card prices")

// Break is a weight break: shipments up to UpToGrams chargeable (and above the previous break)
// pay PerKg minor units for every kg of the whole chargeable weight.
type Break struct {
	UpToGrams int64
	PerKg     int64 // minor units of the card's currency per kg
}

// Tier is a pooled-volume tier: once the lane's pooled volume this month reaches MinPooledGrams,
// the linehaul is discounted by DiscountBps basis points.
type Tier struct {
	MinPooledGrams int64
	DiscountBps    int64
}

// Card is what prices a shipment on one carrier service and lane.
type Card struct {
	Currency               money.Currency
	VolumetricDivisor      int64 // cm³ per kg, e.g. 5000 or 6000
	Breaks                 []Break
	MinimumCharge          int64 // minor units
	FuelSurchargeBps       int64
	RemoteAreaSurcharge    int64 // minor units, once per shipment
	RemotePostcodePrefixes []string
	OversizeSurcharge      int64 // minor units, per oversize parcel
	OversizeLengthMM       int64 // 0: no length rule
	OversizeWeightGrams    int64 // 0: no weight rule
	Tiers                  []Tier
}

// Parcel is one package: actual weight and outer dimensions.
type Parcel struct {
	WeightGrams                 int64
	LengthMM, WidthMM, HeightMM int64
}

// LongestSideMM is the parcel's longest side.
func (p Parcel) LongestSideMM() int64 { return max(p.LengthMM, p.WidthMM, p.HeightMM) }

// GirthMM is the longest side plus twice the two others, the length-plus-girth that carriers
// limit.
func (p Parcel) GirthMM() int64 {
	l := p.LongestSideMM()
	return l + 2*(p.LengthMM+p.WidthMM+p.HeightMM-l)
}

// Validate reports a parcel that is not a real package: a weight or side that is zero, negative
// or above the package limits. Fields are "weight", "length", "width", "height".
func (p Parcel) Validate() error {
	switch {
	case p.WeightGrams <= 0:
		return errs.InvalidField("weight", "weight must be more than zero")
	case p.WeightGrams > MaxParcelWeightGrams:
		return errs.InvalidField("weight", "weight must be at most %d kg", MaxParcelWeightGrams/1000)
	}
	for _, s := range []struct {
		field string
		v     int64
	}{{"length", p.LengthMM}, {"width", p.WidthMM}, {"height", p.HeightMM}} {
		if s.v <= 0 {
			return errs.InvalidField(s.field, "%s must be more than zero", s.field)
		}
		if s.v > MaxParcelSideMM {
			return errs.InvalidField(s.field, "%s must be at most %d m", s.field, MaxParcelSideMM/1000)
		}
	}
	return nil
}

// VolumetricGrams is the parcel's volumetric weight at divisor (cm³ per kg), in grams rounded
// up: mm³ ÷ divisor.
func VolumetricGrams(p Parcel, divisor int64) int64 {
	v := p.LengthMM * p.WidthMM * p.HeightMM // ≤ 10^12: fits
	return (v + divisor - 1) / divisor
}

// Weights is the weight a shipment is billed on.
type Weights struct {
	ActualGrams     int64 // sum of the actual weights
	VolumetricGrams int64 // sum of the volumetric weights
	// ChargeableGrams is the sum over parcels of max(actual, volumetric), rounded up to the
	// next 500 g.
	ChargeableGrams int64
}

// Chargeable computes the weights of parcels at divisor. Parcels must be valid.
func Chargeable(parcels []Parcel, divisor int64) Weights {
	var w Weights
	var sum int64
	for _, p := range parcels {
		vol := VolumetricGrams(p, divisor)
		w.ActualGrams += p.WeightGrams
		w.VolumetricGrams += vol
		sum += max(p.WeightGrams, vol)
	}
	w.ChargeableGrams = (sum + weightStepGrams - 1) / weightStepGrams * weightStepGrams
	return w
}

// Validate checks a card. Errors are INVALID with a field relative to the card: "breaks.1.perKg",
// "tiers.0.minPooledGrams", "volumetricDivisor"...
func (c Card) Validate() error {
	amount := func(field string, v int64) error {
		if v < 0 || v > maxMinor {
			return errs.InvalidField(field, "must be between 0 and %d minor units", int64(maxMinor))
		}
		return nil
	}
	bps := func(field string, v int64) error {
		if v < 0 || v > MaxBasisPoints {
			return errs.InvalidField(field, "must be between 0 and %d basis points", MaxBasisPoints)
		}
		return nil
	}
	switch {
	case c.Currency.IsZero():
		return errs.InvalidField("currency", "a currency is required")
	case c.VolumetricDivisor < MinDivisor || c.VolumetricDivisor > MaxDivisor:
		return errs.InvalidField("volumetricDivisor", "must be between %d and %d cm³ per kg", MinDivisor, MaxDivisor)
	case len(c.Breaks) == 0:
		return errs.InvalidField("breaks", "at least one weight break is required")
	case len(c.Breaks) > MaxBreaks:
		return errs.InvalidField("breaks", "at most %d weight breaks", MaxBreaks)
	case len(c.Tiers) > MaxTiers:
		return errs.InvalidField("tiers", "at most %d tiers", MaxTiers)
	case len(c.RemotePostcodePrefixes) > MaxRemotePrefixes:
		return errs.InvalidField("remotePostcodePrefixes", "at most %d prefixes", MaxRemotePrefixes)
	case c.OversizeLengthMM < 0 || c.OversizeLengthMM > MaxParcelSideMM:
		return errs.InvalidField("oversizeLength", "must be between 0 and %d m", MaxParcelSideMM/1000)
	case c.OversizeWeightGrams < 0 || c.OversizeWeightGrams > MaxParcelWeightGrams:
		return errs.InvalidField("oversizeWeight", "must be between 0 and %d kg", MaxParcelWeightGrams/1000)
	}
	for _, a := range []struct {
		f string
		v int64
	}{{"minimumCharge", c.MinimumCharge}, {"remoteAreaSurcharge", c.RemoteAreaSurcharge}, {"oversizeSurcharge", c.OversizeSurcharge}} {
		if err := amount(a.f, a.v); err != nil {
			return err
		}
	}
	if err := bps("fuelSurchargeBps", c.FuelSurchargeBps); err != nil {
		return err
	}
	var prev int64
	for i, b := range c.Breaks {
		f := "breaks." + itoa(i)
		if b.UpToGrams <= prev || b.UpToGrams > MaxParcelWeightGrams*MaxBreaks {
			return errs.InvalidField(f+".upTo", "weight breaks must increase and be positive")
		}
		if err := amount(f+".perKg", b.PerKg); err != nil {
			return err
		}
		prev = b.UpToGrams
	}
	prev = -1
	for i, t := range c.Tiers {
		f := "tiers." + itoa(i)
		if t.MinPooledGrams <= prev {
			return errs.InvalidField(f+".minPooled", "tiers must start at 0 or more and increase")
		}
		if err := bps(f+".discountBps", t.DiscountBps); err != nil {
			return err
		}
		prev = t.MinPooledGrams
	}
	for i, p := range c.RemotePostcodePrefixes {
		if p == "" || len(p) > 10 || strings.TrimSpace(p) != p {
			return errs.InvalidField("remotePostcodePrefixes."+itoa(i), "a postcode prefix is 1 to 10 characters without spaces")
		}
	}
	return nil
}

// Request is a shipment to price.
type Request struct {
	Parcels             []Parcel
	DestinationPostcode string
	// PooledGrams is the lane's pooled chargeable volume this month before this shipment.
	PooledGrams int64
}

// TierStatus tells where the pool stands.
type TierStatus struct {
	PooledGrams int64
	// Reached is the index in Card.Tiers of the tier reached, or -1 for the base (no tier).
	Reached     int
	DiscountBps int64
	// Next is the index of the next tier, or -1 at the top; GramsToNext is how much pooled
	// volume it lacks (0 at the top).
	Next        int
	GramsToNext int64
}

// Price is a priced shipment. Every Money is in the card's currency.
type Price struct {
	Weights
	Break           Break
	Linehaul        money.Money // PerKg × chargeable kg
	TierDiscount    money.Money // taken off the linehaul (zero or positive)
	MinimumApplied  bool        // freight was raised to the minimum charge
	Freight         money.Money // max(linehaul − discount, minimum)
	RemoteArea      money.Money
	Oversize        money.Money
	OversizeParcels int
	Fuel            money.Money
	Total           money.Money // freight + remote + oversize + fuel
	Tier            TierStatus
	// BaseTotal is Total at the base tier (no discount); BaseTotal − Total is what pooling saves.
	BaseTotal money.Money
}

// Price prices r with the card. The card and the parcels must be valid. It returns
// ErrBeyondBreaks (FAILED_PRECONDITION) for a weight above the last break, and
// money.ErrOutOfRange if an amount overflows (impossible within the validated limits).
func (c Card) Price(r Request) (Price, error) {
	w := Chargeable(r.Parcels, c.VolumetricDivisor)
	tier := c.tierStatus(r.PooledGrams)
	p, err := c.PriceAt(w, r, tier.DiscountBps)
	if err != nil {
		return Price{}, err
	}
	p.Tier = tier
	p.BaseTotal = p.Total
	if tier.DiscountBps != 0 {
		base, err := c.PriceAt(w, r, 0)
		if err != nil {
			return Price{}, err
		}
		p.BaseTotal = base.Total
	}
	return p, nil
}

// PriceAt prices already computed weights with a given tier discount (steps 1–7 of the
// package doc), for re-pricing a booked shipment at its booked tier. Tier and BaseTotal are
// left zero. Errors are Price's.
func (c Card) PriceAt(w Weights, r Request, discountBps int64) (Price, error) {
	i := slices.IndexFunc(c.Breaks, func(b Break) bool { return w.ChargeableGrams <= b.UpToGrams })
	if i < 0 {
		return Price{}, ErrBeyondBreaks
	}
	b := c.Breaks[i]
	zero := money.New(0, c.Currency)
	p := Price{Weights: w, Break: b, TierDiscount: zero, RemoteArea: zero, Oversize: zero}
	var err error
	if p.Linehaul, err = money.New(b.PerKg, c.Currency).MulRat(w.ChargeableGrams, 1000, money.HalfEven); err != nil {
		return Price{}, err
	}
	if p.TierDiscount, err = p.Linehaul.MulBasisPoints(discountBps, money.HalfEven); err != nil {
		return Price{}, err
	}
	if p.Freight, err = p.Linehaul.Sub(p.TierDiscount); err != nil {
		return Price{}, err
	}
	if p.Freight.Amount < c.MinimumCharge {
		p.Freight, p.MinimumApplied = money.New(c.MinimumCharge, c.Currency), true
	}
	if c.RemoteAreaSurcharge > 0 && c.isRemote(r.DestinationPostcode) {
		p.RemoteArea = money.New(c.RemoteAreaSurcharge, c.Currency)
	}
	for _, pc := range r.Parcels {
		if c.OversizeLengthMM > 0 && pc.LongestSideMM() > c.OversizeLengthMM ||
			c.OversizeWeightGrams > 0 && pc.WeightGrams > c.OversizeWeightGrams {
			p.OversizeParcels++
		}
	}
	p.Oversize = money.New(c.OversizeSurcharge*int64(p.OversizeParcels), c.Currency)
	sub, err := sum(p.Freight, p.RemoteArea, p.Oversize)
	if err != nil {
		return Price{}, err
	}
	if p.Fuel, err = sub.MulBasisPoints(c.FuelSurchargeBps, money.HalfEven); err != nil {
		return Price{}, err
	}
	if p.Total, err = sub.Add(p.Fuel); err != nil {
		return Price{}, err
	}
	return p, nil
}

func (c Card) tierStatus(pooled int64) TierStatus {
	t := TierStatus{PooledGrams: pooled, Reached: -1, Next: -1}
	for i, tier := range c.Tiers {
		if tier.MinPooledGrams <= pooled {
			t.Reached, t.DiscountBps = i, tier.DiscountBps
			continue
		}
		t.Next, t.GramsToNext = i, tier.MinPooledGrams-pooled
		break
	}
	return t
}

// isRemote matches the postcode, upper-cased and without spaces, against the prefixes.
func (c Card) isRemote(postcode string) bool {
	pc := strings.ToUpper(strings.ReplaceAll(postcode, " ", ""))
	if pc == "" {
		return false
	}
	for _, p := range c.RemotePostcodePrefixes {
		if strings.HasPrefix(pc, strings.ToUpper(p)) {
			return true
		}
	}
	return false
}

func sum(ms ...money.Money) (money.Money, error) {
	total := ms[0]
	for _, m := range ms[1:] {
		var err error
		if total, err = total.Add(m); err != nil {
			return money.Money{}, err
		}
	}
	return total, nil
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

package procurement

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/access"
)

// FX rates.
//
// A rate says 1 Base = Rate Quote and applies from EffectiveAt until a later rate of the same
// pair takes over; rates are never edited, so a comparison can always be recomputed as of its
// time. Rates are exact decimals (at most 10 places), stored as strings and computed with
// big.Rat, never float64.
//
// Conversion of an amount in minor units of A into B at time t:
//
//	minorB = round_half_even( minorA × rate × 10^digits(B) / 10^digits(A) )
//
// with the rate of (A, B) in force at t; if only (B, A) is set, its inverse is used (the division
// is exact in big.Rat and rounded once, at the end). Converting within one currency is the
// identity. Each amount is converted once and then summed, so totals equal the sum of their
// converted parts.

// maxRateDigits bounds a rate's decimals; maxRateInt its integer digits.
const (
	maxRateDigits = 10
	maxRateInt    = 12
)

// parseRate checks a decimal rate string and returns it as a rational.
func parseRate(field, s string) (string, *big.Rat, error) {
	s = strings.TrimSpace(s)
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" || !digits(intPart) || (frac != "" && !digits(frac)) || strings.Count(s, ".") > 1 ||
		len(frac) > maxRateDigits || len(intPart) > maxRateInt {
		return "", nil, errs.InvalidField(field, "a positive decimal such as 7.1234, with at most %d decimals", maxRateDigits)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || r.Sign() <= 0 {
		return "", nil, errs.InvalidField(field, "a positive decimal such as 7.1234, with at most %d decimals", maxRateDigits)
	}
	return s, r, nil
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// FXRateInput sets a rate.
type FXRateInput struct {
	Base, Quote string // currency codes
	Rate        string
	EffectiveAt *time.Time // default now
}

// SetFXRate records a rate (platform admins only: write on fx_rates in the platform domain).
// Returns INVALID for an unknown currency (field input.base / input.quote), the same currency
// twice, or a malformed rate; access errors otherwise.
func (s *Service) SetFXRate(ctx context.Context, in FXRateInput) (FXRate, error) {
	base, err := money.ParseCurrency(strings.TrimSpace(in.Base))
	if err != nil {
		return FXRate{}, errs.InvalidField("input.base", "not an ISO 4217 currency code")
	}
	quote, err := money.ParseCurrency(strings.TrimSpace(in.Quote))
	if err != nil {
		return FXRate{}, errs.InvalidField("input.quote", "not an ISO 4217 currency code")
	}
	if base == quote {
		return FXRate{}, errs.InvalidField("input.quote", "the two currencies must differ")
	}
	rate, _, err := parseRate("input.rate", in.Rate)
	if err != nil {
		return FXRate{}, err
	}
	if err := s.access.Require(ctx, access.DomainPlatform, access.FXRates, access.Write); err != nil {
		return FXRate{}, err
	}
	now := s.clock.Now()
	at := now
	if in.EffectiveAt != nil {
		at = in.EffectiveAt.UTC().Truncate(time.Millisecond)
	}
	d := fxDoc{ID: ids.New(ids.FXRate), Base: base.Code(), Quote: quote.Code(), Rate: rate, EffectiveAt: at,
		CreatedAt: now, CreatedBy: actor(ctx)}
	if _, err := s.fx.InsertOne(ctx, d); err != nil {
		return FXRate{}, internal("insert fx rate", err)
	}
	return d.toRate(), nil
}

// FXRates lists the rates in force now, one per pair, for any signed-in caller.
func (s *Service) FXRates(ctx context.Context) ([]FXRate, error) {
	if _, ok := auth.PrincipalFrom(ctx); !ok {
		return nil, access.ErrUnauthenticated
	}
	cur, err := s.fx.Find(ctx, bson.M{fEffectiveAt: bson.M{"$lte": s.clock.Now()}},
		options.Find().SetSort(bson.D{{Key: fEffectiveAt, Value: -1}, {Key: fID, Value: -1}}))
	if err != nil {
		return nil, internal("list fx rates", err)
	}
	var docs []fxDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, internal("list fx rates", err)
	}
	seen := map[string]bool{}
	out := []FXRate{}
	for _, d := range docs {
		if k := d.Base + "/" + d.Quote; !seen[k] {
			seen[k] = true
			out = append(out, d.toRate())
		}
	}
	return out, nil
}

// converter converts at one time, remembering the rates it looked up and used.
type converter struct {
	s    *Service
	at   time.Time
	memo map[string]*big.Rat
	used []string
}

func (s *Service) converterAt(at time.Time) *converter {
	return &converter{s: s, at: at, memo: map[string]*big.Rat{}}
}

func (c *converter) rate(ctx context.Context, from, to money.Currency) (*big.Rat, error) {
	k := from.Code() + "/" + to.Code()
	if r, ok := c.memo[k]; ok {
		return r, nil
	}
	find := func(b, q string) (*fxDoc, error) {
		var d fxDoc
		err := c.s.fx.FindOne(ctx, bson.M{fBase: b, fQuote: q, fEffectiveAt: bson.M{"$lte": c.at}},
			options.FindOne().SetSort(bson.D{{Key: fEffectiveAt, Value: -1}, {Key: fID, Value: -1}})).Decode(&d)
		if err == mongo.ErrNoDocuments {
			return nil, nil
		}
		if err != nil {
			return nil, internal("find fx rate", err)
		}
		return &d, nil
	}
	d, err := find(from.Code(), to.Code())
	if err != nil {
		return nil, err
	}
	var r *big.Rat
	if d != nil {
		_, r, _ = parseRate("rate", d.Rate)
		c.used = append(c.used, fmt.Sprintf("%s/%s=%s", from.Code(), to.Code(), d.Rate))
	} else {
		inv, err := find(to.Code(), from.Code())
		if err != nil {
			return nil, err
		}
		if inv == nil {
			return nil, ErrUnknownFXRate.WithMessage("no exchange rate from %s to %s is set", from.Code(), to.Code())
		}
		_, ir, _ := parseRate("rate", inv.Rate)
		r = new(big.Rat).Inv(ir)
		c.used = append(c.used, fmt.Sprintf("%s/%s=1/%s", from.Code(), to.Code(), inv.Rate))
	}
	c.memo[k] = r
	return r, nil
}

// convert converts m into to (see the rules at the top of this file).
func (c *converter) convert(ctx context.Context, m money.Money, to money.Currency) (money.Money, error) {
	if m.Currency == to {
		return m, nil
	}
	r, err := c.rate(ctx, m.Currency, to)
	if err != nil {
		return money.Money{}, err
	}
	return convertAt(m, to, r)
}

// Convert converts m into to at the rates in force at at, by the rules at the top of this file
// (one half-even rounding), and says which rate it used ("CNY/USD=0.1385", or "1/…" for an
// inverse). It is the FX table's one entry point for other services (billing converts charges
// whose basis is in another currency into the invoice's). No rate either way is
// UNKNOWN_FX_RATE.
func (s *Service) Convert(ctx context.Context, m money.Money, to money.Currency, at time.Time) (money.Money, string, error) {
	c := s.converterAt(at)
	out, err := c.convert(ctx, m, to)
	if err != nil {
		return money.Money{}, "", err
	}
	return out, strings.Join(c.used, ", "), nil
}

// convertAt applies rate r to m, rounding half-even once.
func convertAt(m money.Money, to money.Currency, r *big.Rat) (money.Money, error) {
	v := new(big.Rat).Mul(new(big.Rat).SetInt64(m.Amount), r)
	v.Mul(v, new(big.Rat).SetInt(pow10(to.Digits())))
	v.Quo(v, new(big.Rat).SetInt(pow10(m.Currency.Digits())))
	q := roundHalfEven(v)
	if !q.IsInt64() {
		return money.Money{}, money.ErrOutOfRange
	}
	return money.New(q.Int64(), to), nil
}

func pow10(n int) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }

// roundHalfEven rounds a rational to the nearest integer, ties to even.
func roundHalfEven(v *big.Rat) *big.Int {
	num, den := new(big.Int).Set(v.Num()), v.Denom() // den > 0
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if r.Sign() == 0 {
		return q
	}
	twice := new(big.Int).Abs(r)
	twice.Lsh(twice, 1)
	c := twice.Cmp(den)
	if c > 0 || c == 0 && q.Bit(0) == 1 {
		q.Add(q, big.NewInt(int64(num.Sign())))
	}
	return q
}

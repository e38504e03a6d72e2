package transport

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/country"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/audit"
	"github.com/tradehub/tradehub/services/transport/customs"
	"github.com/tradehub/tradehub/services/transport/ratecard"
)

// Input limits.
const (
	MaxParcels      = 50
	MaxContentItems = 100
	maxText         = 200
	maxQuantity     = 1_000_000
	maxUnitValue    = 1_000_000_000_00 // minor units
)

// QuoteInput asks for quotes. Give the origin as a warehouse of the account or as an address.
type QuoteInput struct {
	AccountID         string
	OriginWarehouseID string
	Origin            *Address
	Destination       Address
	Parcels           []ratecard.Parcel
	// Contents are required across borders (they make the declaration and the duty estimate).
	Contents []ContentItem
	Incoterm Incoterm // default DAP
	Sort     SortMode // default BEST_VALUE
	Modes    []Mode   // only these modes; empty for all
}

// ErrDDPUnavailable reports a DDP quote to a destination without customs rules.
var ErrDDPUnavailable = errs.Sentinel(errs.FailedPrecondition, "DDP_UNAVAILABLE",
	"duties cannot be estimated for this destination: ask for DAP quotes")

func validateAddress(field string, a *Address) error {
	a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
	if err := country.Validate(a.Country); err != nil {
		return errs.InvalidField(field+".country", "not an ISO 3166-1 alpha-2 country code such as US")
	}
	for _, f := range []struct {
		name     string
		v        *string
		required bool
	}{{"name", &a.Name, true}, {"company", &a.Company, false}, {"line1", &a.Line1, true}, {"line2", &a.Line2, false},
		{"city", &a.City, true}, {"region", &a.Region, false}, {"postalCode", &a.PostalCode, false},
		{"phone", &a.Phone, false}, {"email", &a.Email, false}} {
		*f.v = strings.TrimSpace(*f.v)
		if f.required && *f.v == "" {
			return errs.InvalidField(field+"."+f.name, "required")
		}
		if utf8.RuneCountInString(*f.v) > maxText || !utf8.ValidString(*f.v) {
			return errs.InvalidField(field+"."+f.name, "at most %d characters", maxText)
		}
	}
	if len(a.PostalCode) > 12 {
		return errs.InvalidField(field+".postalCode", "at most 12 characters")
	}
	return nil
}

func validateContents(items []ContentItem) ([]ContentItem, error) {
	if len(items) > MaxContentItems {
		return nil, errs.InvalidField("input.contents", "at most %d items", MaxContentItems)
	}
	out := make([]ContentItem, len(items))
	for i, it := range items {
		f := "input.contents." + itoa(i)
		it.Description = strings.TrimSpace(it.Description)
		it.OriginCountry = strings.ToUpper(strings.TrimSpace(it.OriginCountry))
		switch {
		case it.Description == "" || utf8.RuneCountInString(it.Description) > maxText:
			return nil, errs.InvalidField(f+".description", "a description is 1 to %d characters", maxText)
		case utf8.RuneCountInString(it.SKU) > 100:
			return nil, errs.InvalidField(f+".sku", "at most 100 characters")
		case country.Validate(it.OriginCountry) != nil:
			return nil, errs.InvalidField(f+".originCountry", "not an ISO 3166-1 alpha-2 country code such as CN")
		case it.Quantity <= 0 || it.Quantity > maxQuantity:
			return nil, errs.InvalidField(f+".quantity", "must be between 1 and %d", maxQuantity)
		case it.UnitValue.Currency.IsZero():
			return nil, errs.InvalidField(f+".unitValue", "a currency is required")
		case it.UnitValue.Amount < 0 || it.UnitValue.Amount > maxUnitValue:
			return nil, errs.InvalidField(f+".unitValue", "must be between 0 and 1,000,000,000")
		case it.WeightGrams < 0 || it.WeightGrams > ratecard.MaxParcelWeightGrams:
			return nil, errs.InvalidField(f+".weight", "must not be negative")
		case it.ExpectedUnitValue != nil && (it.ExpectedUnitValue.Currency.IsZero() || it.ExpectedUnitValue.Amount < 0):
			return nil, errs.InvalidField(f+".expectedUnitValue", "must be a non-negative amount with a currency")
		}
		if strings.TrimSpace(it.HSCode) != "" {
			hs, err := customs.NormalizeHSCode(it.HSCode)
			if err != nil {
				e, _ := errs.As(err)
				return nil, e.With(f+".hsCode", nil)
			}
			it.HSCode = hs
		} else {
			it.HSCode = ""
		}
		out[i] = it
	}
	return out, nil
}

func (s *Service) validateQuote(in *QuoteInput) error {
	if !ids.HasPrefix(in.AccountID, ids.Account) {
		return errs.InvalidField("input.accountId", "not an account id")
	}
	switch {
	case in.OriginWarehouseID != "" && in.Origin != nil:
		return errs.InvalidField("input.origin", "give a warehouse or an address, not both")
	case in.OriginWarehouseID == "" && in.Origin == nil:
		return errs.InvalidField("input.origin", "an origin warehouse or address is required")
	case in.OriginWarehouseID != "" && !ids.HasPrefix(in.OriginWarehouseID, ids.Warehouse):
		return errs.InvalidField("input.originWarehouseId", "not a warehouse id")
	}
	if in.Origin != nil {
		o := *in.Origin
		if err := validateAddress("input.origin", &o); err != nil {
			return err
		}
		in.Origin = &o
	}
	if err := validateAddress("input.destination", &in.Destination); err != nil {
		return err
	}
	if len(in.Parcels) == 0 || len(in.Parcels) > MaxParcels {
		return errs.InvalidField("input.parcels", "1 to %d parcels", MaxParcels)
	}
	for i, p := range in.Parcels {
		if err := p.Validate(); err != nil {
			return prefixed("input.parcels."+itoa(i), err)
		}
	}
	items, err := validateContents(in.Contents)
	if err != nil {
		return err
	}
	in.Contents = items
	if in.Incoterm == "" {
		in.Incoterm = DAP
	}
	if in.Incoterm != DDP && in.Incoterm != DAP {
		return errs.InvalidField("input.incoterm", "DDP or DAP")
	}
	if in.Sort == "" {
		in.Sort = SortBestValue
	}
	if in.Sort != SortBestValue && in.Sort != SortCheapest && in.Sort != SortFastest {
		return errs.InvalidField("input.sort", "BEST_VALUE, CHEAPEST or FASTEST")
	}
	for i, m := range in.Modes {
		if !m.Valid() {
			return errs.InvalidField("input.modes."+itoa(i), "unknown mode")
		}
	}
	return nil
}

// fits reports whether every parcel is within a service's limits.
func fits(svc CarrierService, parcels []ratecard.Parcel) bool {
	for _, p := range parcels {
		if svc.MaxParcelWeightGrams > 0 && p.WeightGrams > svc.MaxParcelWeightGrams ||
			svc.MaxLengthMM > 0 && p.LongestSideMM() > svc.MaxLengthMM ||
			svc.MaxGirthMM > 0 && p.GirthMM() > svc.MaxGirthMM {
			return false
		}
	}
	return true
}

func poolKey(rc RateCard, month string) string {
	return strings.Join([]string{rc.CarrierID, rc.ServiceCode, rc.Lane.Origin, rc.Lane.Destination, month}, "|")
}

// QuoteShipment prices a shipment with every carrier service on the lane and returns the quotes
// ranked by in.Sort, each stored for QuoteTTL so that BookShipment can refer to it. It requires
// write on the account's quotes.
//
// Ranking: CHEAPEST by total (converted to USD), then promised days; FASTEST by promised
// maximum, then minimum days, then total; BEST_VALUE by total in USD ÷ Reliability of the
// carrier service's last ScorecardMonths of scorecards on the lane (see Reliability). Ties go
// to the carrier and service code, so the order is stable.
//
// Errors: INVALID with a field under "input" (bad weights or dimensions, unknown countries,
// malformed HS codes with reason INVALID_HS_CODE, contents missing across a border);
// EXCEEDS_CARRIER_LIMITS (INVALID, field input.parcels) when parcels exceed every service's
// limits; NO_ROUTE when no carrier serves the lane; NO_SERVICE_FITS when services exist but
// none can price the shipment; DDP_UNAVAILABLE for DDP to a destination without customs
// rules; NOT_FOUND for an unknown origin warehouse; and access errors.
func (s *Service) QuoteShipment(ctx context.Context, in QuoteInput) (QuoteResult, error) {
	audit.Annotate(ctx, in.AccountID, "")
	if err := s.validateQuote(&in); err != nil {
		return QuoteResult{}, err
	}
	if err := s.access.Require(ctx, in.AccountID, ResQuotes, access.Write); err != nil {
		return QuoteResult{}, err
	}
	origin := Address{}
	if in.Origin != nil {
		origin = *in.Origin
	} else {
		if s.cfg.Warehouses == nil {
			return QuoteResult{}, ErrNotFound.With("input.originWarehouseId", nil)
		}
		w, err := s.cfg.Warehouses.Warehouse(ctx, in.AccountID, in.OriginWarehouseID)
		if err != nil {
			if errs.IsCode(err, errs.NotFound) {
				return QuoteResult{}, ErrNotFound.With("input.originWarehouseId", err)
			}
			return QuoteResult{}, internal("find warehouse", err)
		}
		origin = w.Address
	}
	crossBorder := origin.Country != in.Destination.Country
	if crossBorder && len(in.Contents) == 0 {
		return QuoteResult{}, errs.InvalidField("input.contents", "contents are required across a border, for customs")
	}
	now := s.clock.Now()
	month := monthOf(now)

	cards, err := s.laneCards(ctx, origin, in.Destination.Country, now)
	if err != nil {
		return QuoteResult{}, err
	}
	if len(cards) == 0 {
		return QuoteResult{}, ErrNoRoute
	}
	var carrierIDs []string
	for _, c := range cards {
		carrierIDs = append(carrierIDs, c.CarrierID)
	}
	carrierDocs, err := s.findCarriers(ctx, bson.D{{Key: fID, Value: bson.D{{Key: "$in", Value: carrierIDs}}},
		{Key: "active", Value: true}})
	if err != nil {
		return QuoteResult{}, err
	}
	var rule *customs.Rule
	if crossBorder {
		r, ok, err := s.rule(ctx, in.Destination.Country)
		if err != nil {
			return QuoteResult{}, err
		}
		if ok {
			rule = &r
		} else if in.Incoterm == DDP {
			return QuoteResult{}, ErrDDPUnavailable.With("input.incoterm", nil)
		}
	}

	res := QuoteResult{RequestID: ids.New(ids.Quote), Sort: in.Sort}
	pooledIDs := []string{}
	for _, c := range cards {
		pooledIDs = append(pooledIDs, poolKey(c, month))
	}
	pooled, err := s.pooled(ctx, pooledIDs)
	if err != nil {
		return QuoteResult{}, err
	}
	type priced struct {
		carrier Carrier
		svc     CarrierService
		card    *RateCard
		rate    Rate
	}
	var got []priced
	limitsOnly := true
	for _, cd := range carrierDocs {
		c := cd.toCarrier()
		adapter := s.adapters[c.Adapter]
		var svcs []CarrierService
		var own []RateCard
		pool := map[string]int64{}
		for _, rc := range cards {
			if rc.CarrierID != c.ID {
				continue
			}
			svc, ok := c.Service(rc.ServiceCode)
			if !ok {
				continue
			}
			if len(in.Modes) > 0 && !slices.Contains(in.Modes, svc.Mode) {
				res.Unavailable = append(res.Unavailable, Unavailable{c.Code, svc.Code, "MODE_FILTERED", "not one of the modes asked for"})
				continue
			}
			if !fits(svc, in.Parcels) {
				res.Unavailable = append(res.Unavailable, Unavailable{c.Code, svc.Code, "EXCEEDS_SERVICE_LIMITS",
					"a parcel is heavier or larger than the service accepts"})
				continue
			}
			svcs, own = append(svcs, svc), append(own, rc)
			pool[rc.ID] = pooled[poolKey(rc, month)]
		}
		if len(svcs) == 0 || adapter == nil {
			continue
		}
		rates, err := adapter.Rates(ctx, RateRequest{Carrier: c, Services: svcs, Cards: own, PooledGrams: pool,
			Origin: origin, Destination: in.Destination, Parcels: in.Parcels, Now: now})
		if err != nil {
			s.log.Warn("transport: carrier rates failed", "carrier", c.Code, "err", err)
			res.Unavailable = append(res.Unavailable, Unavailable{c.Code, "", "CARRIER_ERROR", "the carrier did not answer"})
			limitsOnly = false
			continue
		}
		for _, r := range rates {
			svc, ok := c.Service(r.ServiceCode)
			if !ok {
				continue
			}
			if r.Unavailable != "" {
				res.Unavailable = append(res.Unavailable, Unavailable{c.Code, svc.Code, r.Unavailable, r.Message})
				limitsOnly = false
				continue
			}
			p := priced{carrier: c, svc: svc, rate: r}
			for i := range own {
				if own[i].ID == r.RateCardID {
					p.card = &own[i]
				}
			}
			got = append(got, p)
		}
	}
	if len(got) == 0 {
		if limitsOnly && len(res.Unavailable) > 0 && !allFiltered(res.Unavailable) {
			return res, ErrExceedsLimits.With("input.parcels", nil)
		}
		return res, ErrNoServiceFits
	}

	var lanes []laneService
	for _, p := range got {
		lanes = append(lanes, laneService{p.carrier.ID, p.svc.Code, origin.Country, in.Destination.Country})
	}
	sums, err := s.summaries(ctx, lanes, now)
	if err != nil {
		return QuoteResult{}, err
	}

	var flags []customs.Flag
	docs := make([]quoteDoc, 0, len(got))
	usd := money.MustCurrency("USD")
	for _, p := range got {
		pr := p.rate.Price
		cur := pr.Total.Currency
		b := Breakdown{Currency: cur, Linehaul: pr.Linehaul, TierDiscount: pr.TierDiscount, MinimumApplied: pr.MinimumApplied,
			Freight: pr.Freight, RemoteArea: pr.RemoteArea, Oversize: pr.Oversize, Fuel: pr.Fuel, Shipping: pr.Total,
			Duties: money.New(0, cur), Taxes: money.New(0, cur), Total: pr.Total}
		var est *customs.Estimate
		if rule != nil {
			e, err := rule.Estimate(toCustomsItems(in.Contents), pr.Total, s.fx)
			if err != nil {
				return QuoteResult{}, prefixed("input", err)
			}
			est = &e
			if flags == nil {
				flags = customs.Check(checkInput(in.Contents, rule, origin.Country, in.Incoterm == DDP, e.GoodsValue, "", "", "", ""))
				if flags == nil {
					flags = []customs.Flag{}
				}
			}
			if in.Incoterm == DDP {
				if b.Duties, err = s.fx.Convert(e.Duty, cur); err != nil {
					return QuoteResult{}, err
				}
				if b.Taxes, err = s.fx.Convert(e.Tax, cur); err != nil {
					return QuoteResult{}, err
				}
				if b.Total, err = sumMoney(pr.Total, b.Duties, b.Taxes); err != nil {
					return QuoteResult{}, err
				}
			}
		}
		baseTotal := pr.BaseTotal
		if in.Incoterm == DDP && rule != nil {
			// The duty on the base-tier price would differ by a few cents of CIF duty; the
			// saving shown is the freight saving, which is what the pool buys.
			baseTotal, _ = sumMoney(pr.BaseTotal, b.Duties, b.Taxes)
		}
		saving, _ := baseTotal.Sub(b.Total)
		ps := PoolStatus{PooledGrams: pr.Tier.PooledGrams, TierReached: pr.Tier.Reached, DiscountBps: pr.Tier.DiscountBps,
			BaseTotal: baseTotal, Saving: saving, GramsToNextTier: pr.Tier.GramsToNext}
		if p.card != nil && pr.Tier.Next >= 0 {
			ps.NextTierDiscountBps = p.card.Card.Tiers[pr.Tier.Next].DiscountBps
		}
		sum := sums[laneService{p.carrier.ID, p.svc.Code, origin.Country, in.Destination.Country}]
		inUSD, err := s.fx.Convert(b.Total, usd)
		if err != nil {
			return QuoteResult{}, err
		}
		d := quoteDoc{ID: ids.New(ids.Quote), AccountID: in.AccountID, RequestID: res.RequestID, CarrierID: p.carrier.ID,
			CarrierCode: p.carrier.Code, CarrierName: p.carrier.Name, ServiceCode: p.svc.Code, ServiceName: p.svc.Name,
			Mode: string(p.svc.Mode), RateCardID: p.rate.RateCardID, Origin: toAddressDoc(origin),
			OriginWarehouse: in.OriginWarehouseID, Destination: toAddressDoc(in.Destination),
			Parcels: toParcelDocs(in.Parcels), Contents: toItemDocs(in.Contents), Incoterm: string(in.Incoterm),
			Weights:   weightsDoc{pr.ActualGrams, pr.VolumetricGrams, pr.ChargeableGrams},
			Breakdown: toBreakdownDoc(b), Duty: toEstimateDoc(est), Flags: toFlagDocs(flags),
			Pool: poolDoc{Pooled: ps.PooledGrams, Reached: ps.TierReached, Bps: ps.DiscountBps, BaseTotal: ps.BaseTotal.Amount,
				Saving: ps.Saving.Amount, NextBps: ps.NextTierDiscountBps, GramsToNext: ps.GramsToNextTier},
			TransitMin: p.rate.TransitDaysMin, TransitMax: p.rate.TransitDaysMax, Scorecard: sum,
			Score: float64(inUSD.Amount) / sum.Reliability, ExpiresAt: now.Add(s.cfg.QuoteTTL), CreatedAt: now}
		if p.card != nil {
			cd := toCardDoc(p.card.Card)
			d.Card, d.PoolKey = &cd, poolKey(*p.card, month)
		}
		docs = append(docs, d)
	}
	rank(docs, in.Sort, s.fx)
	insert := make([]any, len(docs))
	for i := range docs {
		docs[i].Rank = i + 1
		insert[i] = docs[i]
	}
	if _, err := s.quotes.InsertMany(ctx, insert); err != nil {
		return QuoteResult{}, internal("store quotes", err)
	}
	for _, d := range docs {
		res.Quotes = append(res.Quotes, d.toQuote())
	}
	return res, nil
}

func allFiltered(us []Unavailable) bool {
	for _, u := range us {
		if u.Reason != "MODE_FILTERED" {
			return false
		}
	}
	return true
}

// rank sorts quote documents by the sort mode.
func rank(docs []quoteDoc, mode SortMode, fx customs.Converter) {
	usd := money.MustCurrency("USD")
	price := make(map[string]int64, len(docs))
	for _, d := range docs {
		m, err := fx.Convert(d.Breakdown.toBreakdown().Total, usd)
		if err != nil {
			m.Amount = d.Breakdown.Total
		}
		price[d.ID] = m.Amount
	}
	slices.SortStableFunc(docs, func(a, b quoteDoc) int {
		var c int
		switch mode {
		case SortCheapest:
			c = cmp.Or(cmp.Compare(price[a.ID], price[b.ID]), cmp.Compare(a.TransitMax, b.TransitMax))
		case SortFastest:
			c = cmp.Or(cmp.Compare(a.TransitMax, b.TransitMax), cmp.Compare(a.TransitMin, b.TransitMin),
				cmp.Compare(price[a.ID], price[b.ID]))
		default:
			c = cmp.Or(cmp.Compare(a.Score, b.Score), cmp.Compare(price[a.ID], price[b.ID]))
		}
		return cmp.Or(c, strings.Compare(a.CarrierCode, b.CarrierCode), strings.Compare(a.ServiceCode, b.ServiceCode))
	})
}

func sumMoney(ms ...money.Money) (money.Money, error) {
	t := ms[0]
	for _, m := range ms[1:] {
		var err error
		if t, err = t.Add(m); err != nil {
			return money.Money{}, err
		}
	}
	return t, nil
}

func toCustomsItems(items []ContentItem) []customs.Item {
	out := make([]customs.Item, len(items))
	for i, it := range items {
		out[i] = customs.Item{Description: it.Description, HSCode: it.HSCode, OriginCountry: it.OriginCountry,
			Quantity: it.Quantity, UnitValue: it.UnitValue, WeightGrams: it.WeightGrams}
	}
	return out
}

func checkInput(items []ContentItem, rule *customs.Rule, origin string, ddp bool, goods money.Money,
	eori, importerTax, ioss, vat string) customs.CheckInput {
	in := customs.CheckInput{Rule: rule, OriginCountry: origin, DDP: ddp, GoodsValue: goods, SenderEORI: eori,
		ImporterTax: importerTax, IOSS: ioss, SenderVATNum: vat}
	for _, it := range items {
		in.Items = append(in.Items, customs.CheckItem{Description: it.Description, HSCode: it.HSCode,
			UnitValue: it.UnitValue, ExpectedUnitValue: it.ExpectedUnitValue})
	}
	return in
}

// laneCards returns the effective cards for the lane: per carrier service, the one with a
// region origin ("CN-GD") over a country one ("CN"), then the latest effectiveFrom.
func (s *Service) laneCards(ctx context.Context, origin Address, dest string, now time.Time) ([]RateCard, error) {
	origins := []string{origin.Country}
	if r := strings.ToUpper(strings.TrimSpace(origin.Region)); r != "" && len(r) <= 3 {
		origins = append(origins, origin.Country+"-"+r)
	}
	cur, err := s.cards.Find(ctx, bson.D{
		{Key: fDestination, Value: dest},
		{Key: fOrigin, Value: bson.D{{Key: "$in", Value: origins}}},
		{Key: fEffectiveFrom, Value: bson.D{{Key: "$lte", Value: now}}},
		{Key: "$or", Value: bson.A{bson.D{{Key: fEffectiveTo, Value: nil}}, bson.D{{Key: fEffectiveTo, Value: bson.D{{Key: "$gt", Value: now}}}}}},
	})
	if err != nil {
		return nil, internal("find rate cards", err)
	}
	var docs []rateCardDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, internal("find rate cards", err)
	}
	best := map[string]RateCard{}
	for _, d := range docs {
		rc := d.toRateCard()
		k := rc.CarrierID + "|" + rc.ServiceCode
		old, ok := best[k]
		if !ok || len(rc.Lane.Origin) > len(old.Lane.Origin) ||
			len(rc.Lane.Origin) == len(old.Lane.Origin) && rc.EffectiveFrom.After(old.EffectiveFrom) {
			best[k] = rc
		}
	}
	out := make([]RateCard, 0, len(best))
	for _, rc := range best {
		out = append(out, rc)
	}
	slices.SortFunc(out, func(a, b RateCard) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func (s *Service) pooled(ctx context.Context, keys []string) (map[string]int64, error) {
	out := map[string]int64{}
	if len(keys) == 0 {
		return out, nil
	}
	cur, err := s.pool.Find(ctx, bson.D{{Key: fID, Value: bson.D{{Key: "$in", Value: keys}}}},
		options.Find().SetProjection(bson.D{{Key: "grams", Value: 1}}))
	if err != nil {
		return nil, internal("read pool", err)
	}
	var docs []struct {
		ID    string `bson:"_id"`
		Grams int64  `bson:"grams"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, internal("read pool", err)
	}
	for _, d := range docs {
		out[d.ID] = d.Grams
	}
	return out, nil
}

// Quote returns one of the account's quotes (read on quotes). NOT_FOUND for a missing or
// foreign quote.
func (s *Service) Quote(ctx context.Context, accountID, quoteID string) (Quote, error) {
	if err := s.access.Require(ctx, accountID, ResQuotes, access.Read); err != nil {
		return Quote{}, err
	}
	d, err := s.quoteDoc(ctx, accountID, quoteID)
	if err != nil {
		return Quote{}, err
	}
	return d.toQuote(), nil
}

func (s *Service) quoteDoc(ctx context.Context, accountID, quoteID string) (quoteDoc, error) {
	var d quoteDoc
	err := s.quotes.FindOne(ctx, bson.D{{Key: fID, Value: quoteID}, {Key: fAccountID, Value: accountID}}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return d, ErrNotFound
	}
	if err != nil {
		return d, internal("read quote", err)
	}
	return d, nil
}

// SweepQuotes deletes quotes that expired before olderThan and were never booked, and returns
// how many (run it daily from cmd/tradehub; expiry itself is checked at booking, not by this
// sweep).
func (s *Service) SweepQuotes(ctx context.Context, olderThan time.Time) (int64, error) {
	res, err := s.quotes.DeleteMany(ctx, bson.D{{Key: fExpiresAt, Value: bson.D{{Key: "$lt", Value: olderThan}}},
		{Key: fBookedShipment, Value: bson.D{{Key: "$exists", Value: false}}}})
	if err != nil {
		return 0, internal("sweep quotes", err)
	}
	return res.DeletedCount, nil
}

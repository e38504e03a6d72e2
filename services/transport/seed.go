package transport

import (
	"context"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/transport/ratecard"
)

// DemoCarrier is a seeded carrier with its webhook secret, so the demo (and a developer with
// curl) can sign tracking webhooks.
type DemoCarrier struct {
	Carrier       Carrier
	WebhookSecret string
}

// DemoWebhookSecret is the webhook secret SeedDemo gives a carrier: fixed, for demos only.
func DemoWebhookSecret(code string) string {
	return "demo-" + strings.ToLower(code) + "-webhook-secret"
}

type demoLane struct {
	carrier, service, origin, dest, currency string
	divisor                                  int64
	breaks                                   []ratecard.Break
	minimum, fuelBps, remote, oversize       int64
	oversizeLengthMM, oversizeWeightGrams    int64
	transitMin, transitMax                   int
	tiers                                    []ratecard.Tier
}

func kg(n int64) int64 { return n * 1000 }

// breaks reads (upToGrams, perKg) pairs.
func breaks(v ...int64) []ratecard.Break {
	var out []ratecard.Break
	for i := 0; i+1 < len(v); i += 2 {
		out = append(out, ratecard.Break{UpToGrams: v[i], PerKg: v[i+1]})
	}
	return out
}

// tiers reads (minPooledGrams, discountBps) pairs.
func tiers(v ...int64) []ratecard.Tier {
	var out []ratecard.Tier
	for i := 0; i+1 < len(v); i += 2 {
		out = append(out, ratecard.Tier{MinPooledGrams: v[i], DiscountBps: v[i+1]})
	}
	return out
}

var demoCarriers = []CarrierInput{
	{Code: "SWIFTX", Name: "SwiftX Express", TrackingPrefix: "SX", Active: true, Services: []CarrierService{
		{Code: "EXPRESS_WW", Name: "Express Worldwide", Mode: ModeExpress, MaxParcelWeightGrams: kg(70), MaxLengthMM: 1200, MaxGirthMM: 3000},
	}},
	{Code: "PANDAPOST", Name: "Panda Post", TrackingPrefix: "PP", Active: true, Services: []CarrierService{
		{Code: "EPACKET", Name: "ePacket Tracked", Mode: ModePostal, MaxParcelWeightGrams: kg(2), MaxLengthMM: 600, MaxGirthMM: 900},
		{Code: "REGISTERED", Name: "Registered Parcel", Mode: ModePostal, MaxParcelWeightGrams: kg(30), MaxLengthMM: 1050, MaxGirthMM: 2000},
	}},
	{Code: "SILKAIR", Name: "Silk Air Cargo", TrackingPrefix: "SA", Active: true, Services: []CarrierService{
		{Code: "AIR_CONSOL", Name: "Air Freight Consolidated", Mode: ModeAirFreight, MaxParcelWeightGrams: kg(300), MaxLengthMM: 3000},
	}},
	{Code: "OCEANIC", Name: "Oceanic Lines", TrackingPrefix: "OL", Active: true, Services: []CarrierService{
		{Code: "LCL", Name: "Sea Freight LCL", Mode: ModeSeaFreight, MaxParcelWeightGrams: kg(2000), MaxLengthMM: 6000},
	}},
	{Code: "EURASIARAIL", Name: "Eurasia Rail", TrackingPrefix: "ER", Active: true, Services: []CarrierService{
		{Code: "RAIL_LCL", Name: "China–Europe Rail LCL", Mode: ModeRail, MaxParcelWeightGrams: kg(2000), MaxLengthMM: 6000},
	}},
	{Code: "ATLANTIC", Name: "Atlantic Road & Air", TrackingPrefix: "AT", Active: true, Services: []CarrierService{
		{Code: "ECONOMY", Name: "Economy Road + Air", Mode: ModeTruck, MaxParcelWeightGrams: kg(70), MaxLengthMM: 1750},
	}},
}

func demoLanes() []demoLane {
	var out []demoLane
	express := func(dest, cur string, scale int64) demoLane {
		return demoLane{carrier: "SWIFTX", service: "EXPRESS_WW", origin: "CN", dest: dest, currency: cur, divisor: 5000,
			breaks:  breaks(kg(1), 2800*scale/100, kg(5), 1650*scale/100, kg(20), 1180*scale/100, kg(70), 940*scale/100),
			minimum: 1800 * scale / 100, fuelBps: 2250, remote: 2500, oversize: 6000, oversizeLengthMM: 1000, oversizeWeightGrams: kg(30),
			transitMin: 3, transitMax: 5, tiers: tiers(0, 0, kg(2000), 500, kg(10000), 1000)}
	}
	for _, l := range []struct {
		dest  string
		scale int64
	}{{"US", 100}, {"DE", 105}, {"GB", 102}, {"AU", 110}} {
		out = append(out, express(l.dest, "USD", l.scale))
		out = append(out,
			demoLane{carrier: "PANDAPOST", service: "EPACKET", origin: "CN", dest: l.dest, currency: "USD", divisor: 6000,
				breaks: breaks(500, 1200*l.scale/100, kg(2), 950*l.scale/100), minimum: 350,
				transitMin: 8, transitMax: 15, tiers: tiers(0, 0, kg(1000), 300, kg(5000), 700)},
			demoLane{carrier: "PANDAPOST", service: "REGISTERED", origin: "CN", dest: l.dest, currency: "USD", divisor: 6000,
				breaks:  breaks(kg(2), 1100*l.scale/100, kg(10), 800*l.scale/100, kg(30), 650*l.scale/100),
				minimum: 600, transitMin: 10, transitMax: 20, tiers: tiers(0, 0, kg(3000), 400)},
			demoLane{carrier: "SILKAIR", service: "AIR_CONSOL", origin: "CN", dest: l.dest, currency: "USD", divisor: 6000,
				breaks:  breaks(kg(45), 620*l.scale/100, kg(100), 510*l.scale/100, kg(300), 430*l.scale/100, kg(1000), 360*l.scale/100),
				minimum: 9500, fuelBps: 1500, transitMin: 5, transitMax: 9, tiers: tiers(0, 0, kg(20000), 400)},
			demoLane{carrier: "OCEANIC", service: "LCL", origin: "CN", dest: l.dest, currency: "USD", divisor: 1000,
				breaks: breaks(kg(500), 110, kg(5000), 65, kg(20000), 45), minimum: 18000, fuelBps: 800,
				transitMin: 25, transitMax: 40})
	}
	out = append(out,
		demoLane{carrier: "EURASIARAIL", service: "RAIL_LCL", origin: "CN", dest: "DE", currency: "USD", divisor: 3000,
			breaks: breaks(kg(500), 190, kg(5000), 120, kg(20000), 95), minimum: 15000, fuelBps: 500,
			transitMin: 16, transitMax: 24},
		demoLane{carrier: "SWIFTX", service: "EXPRESS_WW", origin: "DE", dest: "US", currency: "EUR", divisor: 5000,
			breaks: breaks(kg(1), 3100, kg(5), 1800, kg(20), 1250, kg(70), 990), minimum: 2200, fuelBps: 2000,
			remote: 2500, oversize: 5500, oversizeLengthMM: 1000, transitMin: 2, transitMax: 4,
			tiers: tiers(0, 0, kg(1000), 500)},
		demoLane{carrier: "ATLANTIC", service: "ECONOMY", origin: "DE", dest: "US", currency: "EUR", divisor: 6000,
			breaks: breaks(kg(5), 1300, kg(30), 780, kg(70), 620), minimum: 1500, fuelBps: 1200,
			transitMin: 6, transitMax: 10})
	return out
}

// demoHistory is synthetic scorecard history (previous two months), so that BEST_VALUE has
// records to weigh in a fresh demo: per carrier service, shipments and on-time share per 100,
// exceptions and losses per 1000, and a typical transit day.
var demoHistory = map[string]struct{ shipments, onTimePct, excPerMille, lostPerMille, days int64 }{
	"SWIFTX|EXPRESS_WW":    {420, 96, 20, 1, 4},
	"PANDAPOST|EPACKET":    {1300, 71, 90, 12, 13},
	"PANDAPOST|REGISTERED": {380, 84, 50, 6, 14},
	"SILKAIR|AIR_CONSOL":   {90, 88, 40, 2, 7},
	"OCEANIC|LCL":          {40, 80, 60, 0, 33},
	"EURASIARAIL|RAIL_LCL": {25, 76, 80, 0, 21},
	"ATLANTIC|ECONOMY":     {60, 90, 30, 3, 8},
}

// SeedDemo seeds the customs rules, the demo carriers (SWIFTX, PANDAPOST, SILKAIR, OCEANIC,
// EURASIARAIL, ATLANTIC) with DemoWebhookSecret secrets, their rate cards on CN→US, CN→DE,
// CN→GB, CN→AU and DE→US (effective from 2025-01-01, pooled tiers on the express and postal
// services), and, with history, synthetic scorecards for the two months before now. It is
// idempotent (carriers are matched by code; a carrier that has rate cards gets none added;
// existing scorecards are left alone) and does no authorization: it is system code for
// internal/demo.
func (s *Service) SeedDemo(ctx context.Context, history bool) ([]DemoCarrier, error) {
	if err := s.SeedCustomsRules(ctx); err != nil {
		return nil, err
	}
	var out []DemoCarrier
	byCode := map[string]Carrier{}
	for _, in := range demoCarriers {
		in.Services = append([]CarrierService(nil), in.Services...)
		d, err := s.carrierByCode(ctx, in.Code)
		var c Carrier
		switch {
		case err == nil:
			c = d.toCarrier()
		case err == ErrNotFound:
			c, _, err = s.createCarrier(ctx, in, DemoWebhookSecret(in.Code))
			if err != nil {
				return nil, err
			}
		default:
			return nil, err
		}
		byCode[c.Code] = c
		out = append(out, DemoCarrier{Carrier: c, WebhookSecret: DemoWebhookSecret(c.Code)})
	}
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	now := s.clock.Now()
	hasCards := map[string]bool{}
	for code, c := range byCode {
		n, err := s.cards.CountDocuments(ctx, bson.D{{Key: fCarrierID, Value: c.ID}})
		if err != nil {
			return nil, internal("seed rate cards", err)
		}
		hasCards[code] = n > 0
	}
	var docs []any
	for _, l := range demoLanes() {
		c := byCode[l.carrier]
		if hasCards[l.carrier] {
			continue
		}
		rc := s.newRateCard(RateCardInput{CarrierID: c.ID, ServiceCode: l.service, Lane: ratecard.Lane{Origin: l.origin, Destination: l.dest},
			TransitDaysMin: l.transitMin, TransitDaysMax: l.transitMax, EffectiveFrom: from,
			Card: ratecard.Card{Currency: money.MustCurrency(l.currency), VolumetricDivisor: l.divisor, Breaks: l.breaks,
				MinimumCharge: l.minimum, FuelSurchargeBps: l.fuelBps, RemoteAreaSurcharge: l.remote,
				RemotePostcodePrefixes: remotePrefixes(l.dest), OversizeSurcharge: l.oversize,
				OversizeLengthMM: l.oversizeLengthMM, OversizeWeightGrams: l.oversizeWeightGrams, Tiers: l.tiers}})
		if err := rc.Card.Validate(); err != nil {
			return nil, internal("demo rate card "+l.carrier+" "+l.dest, err)
		}
		docs = append(docs, toRateCardDoc(rc))
	}
	if len(docs) > 0 {
		if _, err := s.cards.InsertMany(ctx, docs); err != nil {
			return nil, internal("seed rate cards", err)
		}
	}
	if history {
		if err := s.seedHistory(ctx, byCode, now); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// remotePrefixes are a few real remote-area postcode prefixes per destination (Alaska and
// Hawaii, the Scottish Highlands and islands, Heligoland, outback Northern Territory).
func remotePrefixes(dest string) []string {
	switch dest {
	case "US":
		return []string{"995", "996", "997", "998", "999", "967", "968"}
	case "GB":
		return []string{"HS", "ZE", "KW15", "KW16", "KW17", "IV41"}
	case "DE":
		return []string{"27498"}
	case "AU":
		return []string{"08"}
	}
	return nil
}

func (s *Service) seedHistory(ctx context.Context, byCode map[string]Carrier, now time.Time) error {
	for _, l := range demoLanes() {
		h, ok := demoHistory[l.carrier+"|"+l.service]
		if !ok {
			continue
		}
		c := byCode[l.carrier]
		for back := 1; back <= 2; back++ {
			month := monthOf(time.Date(now.Year(), now.Month()-time.Month(back), 1, 0, 0, 0, 0, time.UTC))
			k := ScorecardKey{c.ID, l.service, l.origin, l.dest, month}
			n := h.shipments / int64(back)
			delivered := n * (1000 - h.excPerMille/2 - h.lostPerMille) / 1000
			onTime := delivered * h.onTimePct / 100
			transit := bson.D{
				{Key: "d" + itoa(int(h.days-1)), Value: delivered * 30 / 100},
				{Key: "d" + itoa(int(h.days)), Value: delivered * 40 / 100},
				{Key: "d" + itoa(int(min(h.days+3, MaxTransitBucket))), Value: delivered - delivered*70/100},
			}
			doc := bson.D{
				{Key: fCarrierID, Value: k.CarrierID}, {Key: fServiceCode, Value: k.ServiceCode}, {Key: fOrigin, Value: k.Origin},
				{Key: fDestination, Value: k.Destination}, {Key: fMonth, Value: month}, {Key: "demo", Value: true},
				{Key: scShipments, Value: n}, {Key: scDelivered, Value: delivered}, {Key: scOnTime, Value: onTime},
				{Key: scLate, Value: delivered - onTime}, {Key: scExceptions, Value: n * h.excPerMille / 1000},
				{Key: scCustomsHolds, Value: n * 3 / 100}, {Key: scLost, Value: n * h.lostPerMille / 1000},
				{Key: scTransit, Value: transit}, {Key: scComplaints, Value: bson.D{{Key: "LATE", Value: (delivered - onTime) / 10}}},
			}
			_, err := s.scores.UpdateOne(ctx, bson.D{{Key: fID, Value: k.id()}}, bson.D{{Key: "$setOnInsert", Value: doc}},
				options.Update().SetUpsert(true))
			if err != nil {
				return internal("seed scorecards", err)
			}
		}
	}
	return nil
}

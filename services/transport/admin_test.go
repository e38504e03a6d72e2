package transport

import (
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/transport/customs"
	"github.com/tradehub/tradehub/services/transport/ratecard"
)

func TestCarrierAdmin(t *testing.T) {
	e := newEnv(t)
	in := CarrierInput{Code: "newco", Name: "NewCo Freight", TrackingPrefix: "NC", Active: true,
		Services: []CarrierService{{Code: "road", Name: "Road", Mode: ModeTruck, MaxParcelWeightGrams: 30000}}}
	if _, _, err := e.svc.CreateCarrier(e.seller, in); !errs.IsCode(err, errs.NotFound) {
		t.Fatalf("a seller creating a carrier: %v", err)
	}
	c, secret, err := e.svc.CreateCarrier(e.staff, in)
	if err != nil || c.Code != "NEWCO" || c.Services[0].Code != "ROAD" || len(secret) != 64 {
		t.Fatalf("%+v %q %v", c, secret, err)
	}
	_, _, err = e.svc.CreateCarrier(e.staff, in)
	wantCode(t, err, errs.Conflict, "ALREADY_EXISTS")
	bad := []struct {
		name  string
		edit  func(*CarrierInput)
		field string
	}{
		{"BadCode", func(c *CarrierInput) { c.Code = "x" }, "input.code"},
		{"NoServices", func(c *CarrierInput) { c.Services = nil }, "input.services"},
		{"UnknownMode", func(c *CarrierInput) { c.Services[0].Mode = "CAMEL" }, "input.services.0.mode"},
		{"UnknownAdapter", func(c *CarrierInput) { c.Adapter = "dhl-api" }, "input.adapter"},
		{"NoPrefix", func(c *CarrierInput) { c.TrackingPrefix = "" }, "input.trackingPrefix"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			x := in
			x.Code = "OTHER"
			x.Services = append([]CarrierService(nil), in.Services...)
			tt.edit(&x)
			_, _, err := e.svc.CreateCarrier(e.staff, x)
			wantCode(t, err, errs.Invalid, "")
			wantField(t, err, tt.field)
		})
	}
	in.Name = "NewCo"
	if u, err := e.svc.UpdateCarrier(e.staff, c.ID, in); err != nil || u.Name != "NewCo" {
		t.Fatalf("update: %+v %v", u, err)
	}
	if s2, err := e.svc.RotateWebhookSecret(e.staff, c.ID); err != nil || s2 == secret {
		t.Fatalf("rotate: %v", err)
	}
	list, err := e.svc.ListCarriers(e.seller)
	if err != nil || len(list) != len(e.carriers)+1 {
		t.Fatalf("%d carriers, %v", len(list), err)
	}
}

func TestRateCardAdmin(t *testing.T) {
	e := newEnv(t)
	swift := e.carriers["SWIFTX"].Carrier
	in := RateCardInput{CarrierID: swift.ID, ServiceCode: "EXPRESS_WW", Lane: ratecard.Lane{Origin: "CN-GD", Destination: "US"},
		TransitDaysMin: 2, TransitDaysMax: 4, EffectiveFrom: start.Add(-time.Hour),
		Card: ratecard.Card{Currency: money.MustCurrency("USD"), VolumetricDivisor: 5000,
			Breaks: []ratecard.Break{{UpToGrams: 70000, PerKg: 500}}, MinimumCharge: 1000}}
	if _, err := e.svc.CreateRateCard(e.seller, in); !errs.IsCode(err, errs.NotFound) {
		t.Fatalf("a seller: %v", err)
	}
	rc, err := e.svc.CreateRateCard(e.staff, in)
	if err != nil {
		t.Fatal(err)
	}
	// The Guangdong card wins over the country card for a Guangdong origin: 2 kg × 5.00 =
	// 10.00, the minimum.
	q := e.quoteOf(e.quote(e.quoteInput(DAP)), "SWIFTX", "EXPRESS_WW")
	if q.RateCardID != rc.ID || q.Breakdown.Total != usd(1000) || q.TransitDaysMax != 4 {
		t.Fatalf("quote from card %s total %v", q.RateCardID, q.Breakdown.Total)
	}
	bad := []struct {
		name  string
		edit  func(*RateCardInput)
		field string
	}{
		{"UnknownService", func(r *RateCardInput) { r.ServiceCode = "NOPE" }, "input.serviceCode"},
		{"BadOrigin", func(r *RateCardInput) { r.Lane.Origin = "Guangdong" }, "input.lane.origin"},
		{"TransitBackwards", func(r *RateCardInput) { r.TransitDaysMin = 9 }, "input.transitDays"},
		{"NoBreaks", func(r *RateCardInput) { r.Card.Breaks = nil }, "input.card.breaks"},
		{"EndBeforeStart", func(r *RateCardInput) { t := r.EffectiveFrom; r.EffectiveTo = &t }, "input.effectiveTo"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			x := in
			tt.edit(&x)
			_, err := e.svc.CreateRateCard(e.staff, x)
			wantCode(t, err, errs.Invalid, "")
			wantField(t, err, tt.field)
		})
	}
	if err := e.svc.DeleteRateCard(e.staff, rc.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.RateCard(e.staff, rc.ID); !errs.IsCode(err, errs.NotFound) {
		t.Errorf("deleted card: %v", err)
	}
}

func TestImportRateCards(t *testing.T) {
	e := newEnv(t)
	head := strings.Join(ratecard.Columns, ",") + "\n"
	row := func(carrier, service, per string) string {
		return carrier + "," + service + ",CN,CA,USD,5000,1500,20.00,,,,,,4,7,2026-01-01,,10," + per + ",\n"
	}
	res, err := e.svc.ImportRateCards(e.staff, strings.NewReader(head+row("SWIFTX", "EXPRESS_WW", "12.00")+
		row("GHOST", "X1", "1.00")+row("SWIFTX", "EXPRESS_WW", "oops")))
	wantCode(t, err, errs.Invalid, "INVALID_RATE_CARD_CSV")
	lines := map[int]string{}
	for _, p := range res.Errors {
		lines[p.Line] = p.Column
	}
	if lines[3] != "carrier" || lines[4] != "per_kg" || len(res.Created) != 0 {
		t.Fatalf("errors %+v", res.Errors)
	}
	if n := e.count(CollRateCards, bson.D{}); n == 0 {
		t.Fatal("no seeded cards?")
	}
	before := e.count(CollRateCards, bson.D{})
	res, err = e.svc.ImportRateCards(e.staff, strings.NewReader(head+row("SWIFTX", "EXPRESS_WW", "12.00")))
	if err != nil || len(res.Created) != 1 || e.count(CollRateCards, bson.D{}) != before+1 {
		t.Fatalf("import: %+v %v", res, err)
	}
	in := e.quoteInput(DAP)
	in.Destination = Address{Name: "C", Line1: "1 Rue", City: "Montreal", Country: "CA"}
	if q := e.quote(in); len(q.Quotes) != 1 || q.Quotes[0].Breakdown.Freight != usd(2400) {
		t.Fatalf("CN→CA quote %+v", q.Quotes)
	}
}

func TestCustomsRuleAdmin(t *testing.T) {
	e := newEnv(t)
	r, err := e.svc.CustomsRule(e.staff, "GB")
	if err != nil || r.DutyDeMinimis != 135_00 {
		t.Fatalf("%+v %v", r, err)
	}
	if _, err := e.svc.CustomsRule(e.seller, "GB"); !errs.IsCode(err, errs.NotFound) {
		t.Errorf("a seller reading rules: %v", err)
	}
	r.DutyRates = append(r.DutyRates, customs.Rate{Prefix: "6x", Bps: 1})
	_, err = e.svc.UpsertCustomsRule(e.staff, r)
	wantCode(t, err, errs.Invalid, "")
	r.DutyRates = r.DutyRates[:len(r.DutyRates)-1]
	r.TaxBps = 2500
	if _, err := e.svc.UpsertCustomsRule(e.staff, r); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SeedCustomsRules(e.staff); err != nil { // seeding keeps the edit
		t.Fatal(err)
	}
	if got, _ := e.svc.CustomsRule(e.staff, "GB"); got.TaxBps != 2500 {
		t.Errorf("seeding overwrote an edited rule: %d", got.TaxBps)
	}
	all, err := e.svc.ListCustomsRules(e.staff)
	if err != nil || len(all) != 8 {
		t.Errorf("%d rules, %v", len(all), err)
	}
}

package transport

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/transport/customs"
	"github.com/tradehub/tradehub/services/transport/ratecard"
	"github.com/tradehub/tradehub/services/usage"
)

func TestQuoteAndBookDDP(t *testing.T) {
	e := newEnv(t)
	res := e.quote(e.quoteInput(DDP))
	if res.Sort != SortBestValue || len(res.Quotes) < 4 {
		t.Fatalf("sort %s, %d quotes: %+v", res.Sort, len(res.Quotes), res.Unavailable)
	}
	for i, q := range res.Quotes {
		if q.Rank != i+1 {
			t.Errorf("quote %d has rank %d", i, q.Rank)
		}
		if i > 0 && q.Score < res.Quotes[i-1].Score {
			t.Errorf("BEST_VALUE order broken at %d: %f < %f", i, q.Score, res.Quotes[i-1].Score)
		}
		if q.ExpiresAt != start.Add(DefaultQuoteTTL) {
			t.Errorf("expires %v", q.ExpiresAt)
		}
	}
	// SwiftX on CN→US is the worked-examples card: 2.0 kg chargeable, 33.00 + 7.42 fuel; DDP
	// adds US duty: 16 % of the $30.00 FOB goods value = $4.80, no VAT.
	q := e.quoteOf(res, "SWIFTX", "EXPRESS_WW")
	if q.Weights.ChargeableGrams != 2000 || q.Breakdown.Shipping != usd(4042) || q.Breakdown.Duties != usd(480) ||
		q.Breakdown.Taxes != usd(0) || q.Breakdown.Total != usd(4522) || q.TransitDaysMin != 3 || q.TransitDaysMax != 5 {
		t.Fatalf("SwiftX quote = %+v", q.Breakdown)
	}
	if q.Duty == nil || q.Duty.Duty != usd(480) || q.Pool.TierReached != 0 || q.Pool.GramsToNextTier != 2_000_000 ||
		q.Pool.NextTierDiscountBps != 500 || q.Pool.Saving != usd(0) {
		t.Fatalf("duty %+v pool %+v", q.Duty, q.Pool)
	}

	sh := e.book(q, "order-1001")
	if sh.Status != StatusBooked || !ValidTrackingNumber(sh.TrackingNumber) || sh.TrackingNumber[:2] != "SX" {
		t.Fatalf("shipment status %s tracking %q", sh.Status, sh.TrackingNumber)
	}
	if sh.Declaration == nil || len(sh.Declaration.Items) != 1 || sh.Declaration.Estimate == nil || len(sh.Documents) != 2 {
		t.Fatalf("declaration %+v documents %+v", sh.Declaration, sh.Documents)
	}
	for _, kind := range []DocumentKind{DocLabel, DocCommercialInvoice} {
		doc, err := e.svc.Document(e.seller, e.acct, sh.ID, kind)
		if err != nil || len(doc.Data) < 500 || string(doc.Data[:5]) != "%PDF-" {
			t.Fatalf("document %s: %v (%d bytes)", kind, err, len(doc.Data))
		}
	}
	if _, err := e.svc.Document(e.stranger, e.other, sh.ID, DocLabel); !errs.IsCode(err, errs.NotFound) {
		t.Errorf("another account's document: %v", err)
	}

	// Usage: the freight charge, the DDP duties, one customs declaration; deterministic keys.
	page, err := e.usage.List(context.Background(), e.acct, usage.Filter{}, cursor.Window{Limit: 10, Forward: true})
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]usage.Record{}
	for _, r := range page.Records {
		keys[r.SourceKey] = r
	}
	if r := keys["freight:"+sh.ID]; r.Code != UsageFreight || r.Amount == nil || *r.Amount != usd(4042) {
		t.Errorf("freight usage = %+v", r)
	}
	if r := keys["duties:"+sh.ID]; r.Code != UsageDutiesTaxes || r.Amount == nil || *r.Amount != usd(480) {
		t.Errorf("duties usage = %+v", r)
	}
	if r := keys["customs:"+sh.Declaration.ID]; r.Code != UsageCustomsDeclared || r.Category != usage.Customs {
		t.Errorf("customs usage = %+v", r)
	}
	if len(page.Records) != 3 {
		t.Errorf("%d usage records, want 3", len(page.Records))
	}

	// The pool and the scorecard moved; nothing is left pending; the event is in the outbox.
	sc, err := e.svc.Scorecard(e.seller, ScorecardKey{q.CarrierID, "EXPRESS_WW", "CN", "US", "2026-11"})
	if err != nil || sc.Shipments != 1 {
		t.Fatalf("scorecard %+v, %v", sc, err)
	}
	if n := e.count(CollPool, bson.D{{Key: "grams", Value: int64(2000)}}); n != 1 {
		t.Errorf("pool documents with 2 kg: %d", n)
	}
	if n := e.count(CollShipments, bson.D{{Key: fPendingCount, Value: bson.D{{Key: "$gt", Value: 0}}}}); n != 0 {
		t.Errorf("%d shipments with pending ops", n)
	}
	if n := e.count(CollShipments, bson.D{{Key: "outbox.type", Value: "shipment.booked"}}); n != 1 || e.relay.n.Load() == 0 {
		t.Errorf("booked events %d, relay told %d times", n, e.relay.n.Load())
	}

	// The pool now lowers the next quote's distance to the next tier.
	again := e.quoteOf(e.quote(e.quoteInput(DAP)), "SWIFTX", "EXPRESS_WW")
	if again.Pool.PooledGrams != 2000 || again.Pool.GramsToNextTier != 2_000_000-2000 || again.Breakdown.Duties != usd(0) {
		t.Errorf("second quote pool %+v breakdown %+v", again.Pool, again.Breakdown)
	}
}

func TestQuoteSortModes(t *testing.T) {
	e := newEnv(t)
	for _, mode := range []SortMode{SortCheapest, SortFastest, SortBestValue} {
		in := e.quoteInput(DAP)
		in.Sort = mode
		res := e.quote(in)
		for i := 1; i < len(res.Quotes); i++ {
			a, b := res.Quotes[i-1], res.Quotes[i]
			switch mode {
			case SortCheapest:
				if a.Breakdown.Total.Amount > b.Breakdown.Total.Amount {
					t.Errorf("CHEAPEST: %s %v before %s %v", a.CarrierCode, a.Breakdown.Total, b.CarrierCode, b.Breakdown.Total)
				}
			case SortFastest:
				if a.TransitDaysMax > b.TransitDaysMax {
					t.Errorf("FASTEST: %s %d days before %s %d", a.CarrierCode, a.TransitDaysMax, b.CarrierCode, b.TransitDaysMax)
				}
			}
		}
		if mode == SortFastest && res.Quotes[0].CarrierCode != "SWIFTX" {
			t.Errorf("FASTEST first = %s", res.Quotes[0].CarrierCode)
		}
	}
}

// TestBestValueUsesReliability: with measured history, an unreliable cheap carrier falls
// below a punctual dearer one.
func TestBestValueUsesReliability(t *testing.T) {
	// Pure formula: $10.00 late half the time vs $12.00 on time 98 % (100 deliveries each).
	cheap := 1000 / Reliability(100, 50, 50, 0, 0)
	punctual := 1200 / Reliability(100, 98, 2, 0, 0)
	if !(punctual < cheap) {
		t.Fatalf("punctual %f should beat cheap %f", punctual, cheap)
	}
	if r := Reliability(0, 0, 0, 0, 0); r < 0.82 || r > 0.83 {
		t.Errorf("prior reliability = %f, want 0.85 × 0.995 × 0.975 ≈ 0.8246", r)
	}
	e := newEnv(t)
	if _, err := e.svc.SeedDemo(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	in := e.quoteInput(DAP)
	in.Parcels = []ratecard.Parcel{{WeightGrams: 400, LengthMM: 200, WidthMM: 150, HeightMM: 50}}
	res := e.quote(in)
	post := e.quoteOf(res, "PANDAPOST", "EPACKET")
	express := e.quoteOf(res, "SWIFTX", "EXPRESS_WW")
	if post.Scorecard.Shipments == 0 || post.Scorecard.OnTimeRate == nil || *post.Scorecard.OnTimeRate > 0.75 {
		t.Fatalf("ePacket history %+v", post.Scorecard)
	}
	if !(post.Scorecard.Reliability < express.Scorecard.Reliability) {
		t.Errorf("reliability post %f express %f", post.Scorecard.Reliability, express.Scorecard.Reliability)
	}
	want := float64(post.Breakdown.Total.Amount) / post.Scorecard.Reliability
	if d := post.Score - want; d > 1e-6 || d < -1e-6 {
		t.Errorf("score %f, want price / reliability %f", post.Score, want)
	}
}

func TestQuoteBadInput(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name   string
		edit   func(*QuoteInput)
		code   errs.Code
		reason string
		field  string
	}{
		{"ZeroWeight", func(in *QuoteInput) { in.Parcels[0].WeightGrams = 0 }, errs.Invalid, "", "input.parcels.0.weight"},
		{"NegativeWeight", func(in *QuoteInput) { in.Parcels[0].WeightGrams = -1000 }, errs.Invalid, "", "input.parcels.0.weight"},
		{"ZeroHeight", func(in *QuoteInput) { in.Parcels[0].HeightMM = 0 }, errs.Invalid, "", "input.parcels.0.height"},
		{"NoParcels", func(in *QuoteInput) { in.Parcels = nil }, errs.Invalid, "", "input.parcels"},
		{"UnknownDestinationCountry", func(in *QuoteInput) { in.Destination.Country = "XX" }, errs.Invalid, "", "input.destination.country"},
		{"LowerCaseCountry", func(in *QuoteInput) { in.Origin.Country = "EU" }, errs.Invalid, "", "input.origin.country"},
		{"MissingStreet", func(in *QuoteInput) { in.Destination.Line1 = " " }, errs.Invalid, "", "input.destination.line1"},
		{"MalformedHSCode", func(in *QuoteInput) { in.Contents[0].HSCode = "61-09" }, errs.Invalid, "INVALID_HS_CODE", "input.contents.0.hsCode"},
		{"ShortHSCode", func(in *QuoteInput) { in.Contents[0].HSCode = "6109" }, errs.Invalid, "INVALID_HS_CODE", "input.contents.0.hsCode"},
		{"UnknownOriginOfGoods", func(in *QuoteInput) { in.Contents[0].OriginCountry = "ZZ" }, errs.Invalid, "", "input.contents.0.originCountry"},
		{"ZeroQuantity", func(in *QuoteInput) { in.Contents[0].Quantity = 0 }, errs.Invalid, "", "input.contents.0.quantity"},
		{"NoContentsAcrossBorder", func(in *QuoteInput) { in.Contents = nil }, errs.Invalid, "", "input.contents"},
		{"BothOrigins", func(in *QuoteInput) { in.OriginWarehouseID = ids.New(ids.Warehouse) }, errs.Invalid, "", "input.origin"},
		{"BadIncoterm", func(in *QuoteInput) { in.Incoterm = "EXW" }, errs.Invalid, "", "input.incoterm"},
		{"BeyondEveryCarriersLimits", func(in *QuoteInput) {
			in.Parcels[0] = ratecard.Parcel{WeightGrams: 2_500_000, LengthMM: 2000, WidthMM: 1000, HeightMM: 1000}
		}, errs.Invalid, "EXCEEDS_CARRIER_LIMITS", "input.parcels"},
		{"LongerThanEveryService", func(in *QuoteInput) {
			in.Parcels[0] = ratecard.Parcel{WeightGrams: 5000, LengthMM: 7000, WidthMM: 100, HeightMM: 100}
		}, errs.Invalid, "EXCEEDS_CARRIER_LIMITS", "input.parcels"},
		{"NoRoute", func(in *QuoteInput) { in.Destination.Country = "BR" }, errs.FailedPrecondition, "NO_ROUTE", ""},
		{"WarehouseUnknown", func(in *QuoteInput) { in.Origin, in.OriginWarehouseID = nil, ids.New(ids.Warehouse) }, errs.NotFound, "", "input.originWarehouseId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := e.quoteInput(DDP)
			tt.edit(&in)
			_, err := e.svc.QuoteShipment(e.seller, in)
			wantCode(t, err, tt.code, tt.reason)
			if tt.field != "" {
				wantField(t, err, tt.field)
			}
		})
	}
	if n := e.count(CollQuotes, bson.D{}); n != 0 {
		t.Errorf("%d quotes stored by refused requests", n)
	}
	if _, err := e.svc.QuoteShipment(e.stranger, e.quoteInput(DAP)); !errs.IsCode(err, errs.NotFound) {
		t.Errorf("quoting for another account: %v", err)
	}
	if _, err := e.svc.QuoteShipment(context.Background(), e.quoteInput(DAP)); !errs.IsCode(err, errs.Unauthenticated) {
		t.Errorf("anonymous: %v", err)
	}
}

type fakeWarehouses map[string]Warehouse

func (f fakeWarehouses) Warehouse(_ context.Context, accountID, id string) (Warehouse, error) {
	w, ok := f[accountID+"/"+id]
	if !ok {
		return Warehouse{}, ErrNotFound
	}
	return w, nil
}

func TestQuoteFromWarehouse(t *testing.T) {
	e := newEnv(t)
	whs := ids.New(ids.Warehouse)
	e.svc.cfg.Warehouses = fakeWarehouses{e.acct + "/" + whs: {ID: whs, Name: "Shenzhen DC", Address: *cnOrigin()}}
	in := e.quoteInput(DAP)
	in.Origin, in.OriginWarehouseID = nil, whs
	res := e.quote(in)
	if res.Quotes[0].Origin.City != "Shenzhen" || res.Quotes[0].OriginWarehouse != whs {
		t.Errorf("origin %+v", res.Quotes[0].Origin)
	}
	other := e.quoteInput(DAP)
	other.AccountID, other.Origin, other.OriginWarehouseID = e.other, nil, whs
	if _, err := e.svc.QuoteShipment(e.stranger, other); !errs.IsCode(err, errs.NotFound) {
		t.Errorf("another account's warehouse: %v", err)
	}
}

func TestDDPAcrossDeMinimisGB(t *testing.T) {
	e := newEnv(t)
	gb := Address{Name: "Bea Buyer", Line1: "2 High St", City: "Leeds", PostalCode: "LS1 4AP", Country: "GB"}
	duty := func(qty int64) Quote {
		in := e.quoteInput(DDP)
		in.Destination = gb
		in.Contents = []ContentItem{{Description: "Shirt", HSCode: "610910", OriginCountry: "CN", Quantity: qty,
			UnitValue: money.New(6000, money.MustCurrency("GBP"))}}
		return e.quoteOf(e.quote(in), "SWIFTX", "EXPRESS_WW")
	}
	below, above := duty(2), duty(3) // £120 and £180 against the £135 threshold
	if below.Duty == nil || !below.Duty.DutyExempt || below.Duty.Duty.Amount != 0 || below.Duty.Tax.Amount == 0 {
		t.Fatalf("below £135: %+v", below.Duty)
	}
	if above.Duty == nil || above.Duty.DutyExempt || above.Duty.Duty.Amount == 0 {
		t.Fatalf("above £135: %+v", above.Duty)
	}
	// The breakdown carries duty and VAT converted from GBP to the card's USD.
	wantDuty, _ := customs.DefaultRates.Convert(above.Duty.Duty, money.MustCurrency("USD"))
	if above.Breakdown.Duties != wantDuty {
		t.Errorf("duties %v, want %v", above.Breakdown.Duties, wantDuty)
	}
	if len(below.Flags) == 0 || below.Flags[len(below.Flags)-1].Code != customs.FlagMissingImporterTax {
		t.Errorf("flags %+v", below.Flags)
	}
}

func TestBookRefusals(t *testing.T) {
	e := newEnv(t)
	res := e.quote(e.quoteInput(DAP))
	q1, q2 := res.Quotes[0], res.Quotes[1]
	sh := e.book(q1, "key-1")

	t.Run("ReplaySameKey", func(t *testing.T) {
		again := e.book(q1, "key-1")
		if again.ID != sh.ID || again.TrackingNumber != sh.TrackingNumber {
			t.Fatalf("replay gave %s, want %s", again.ID, sh.ID)
		}
	})
	tests := []struct {
		name   string
		ctx    context.Context
		in     BookInput
		code   errs.Code
		reason string
	}{
		{"AlreadyBooked", e.seller, BookInput{AccountID: e.acct, QuoteID: q1.ID, IdempotencyKey: "key-2"}, errs.FailedPrecondition, "QUOTE_ALREADY_BOOKED"},
		{"KeyReusedForAnotherQuote", e.seller, BookInput{AccountID: e.acct, QuoteID: q2.ID, IdempotencyKey: "key-1"}, errs.Conflict, "IDEMPOTENCY_KEY_REUSED"},
		{"ForeignQuote", e.stranger, BookInput{AccountID: e.other, QuoteID: q2.ID, IdempotencyKey: "k"}, errs.NotFound, "NOT_FOUND"},
		{"MissingQuote", e.seller, BookInput{AccountID: e.acct, QuoteID: ids.New(ids.Quote), IdempotencyKey: "k"}, errs.NotFound, "NOT_FOUND"},
		{"NotAQuoteID", e.seller, BookInput{AccountID: e.acct, QuoteID: "shp_x", IdempotencyKey: "k"}, errs.Invalid, ""},
		{"NoKey", e.seller, BookInput{AccountID: e.acct, QuoteID: q2.ID}, errs.Invalid, ""},
		{"BadEORI", e.seller, BookInput{AccountID: e.acct, QuoteID: q2.ID, IdempotencyKey: "k", SenderEORI: "12"}, errs.Invalid, ""},
		{"BadIOSS", e.seller, BookInput{AccountID: e.acct, QuoteID: q2.ID, IdempotencyKey: "k", IOSS: "IM12"}, errs.Invalid, ""},
		{"OrdersWithoutLinker", e.seller, BookInput{AccountID: e.acct, QuoteID: q2.ID, IdempotencyKey: "k", OrderIDs: []string{ids.New(ids.Order)}}, errs.Invalid, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.BookShipment(tt.ctx, tt.in)
			wantCode(t, err, tt.code, tt.reason)
		})
	}
	t.Run("Expired", func(t *testing.T) {
		e.clk.Advance(DefaultQuoteTTL)
		_, err := e.svc.BookShipment(e.seller, BookInput{AccountID: e.acct, QuoteID: q2.ID, IdempotencyKey: "late"})
		wantCode(t, err, errs.FailedPrecondition, "QUOTE_EXPIRED")
	})
	if n := e.count(CollShipments, bson.D{}); n != 1 {
		t.Errorf("%d shipments, want 1", n)
	}
}

func TestConcurrentBookingsOfOneQuote(t *testing.T) {
	e := newEnv(t)
	q := e.quote(e.quoteInput(DAP)).Quotes[0]
	const n = 8
	var wg sync.WaitGroup
	errsOf := make([]error, n)
	shipments := make([]Shipment, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			shipments[i], errsOf[i] = e.svc.BookShipment(e.seller, BookInput{AccountID: e.acct, QuoteID: q.ID,
				IdempotencyKey: "racer-" + string(rune('a'+i))})
		}()
	}
	wg.Wait()
	wins := 0
	for i, err := range errsOf {
		switch {
		case err == nil:
			wins++
		case errors.Is(err, ErrQuoteAlreadyBooked):
		default:
			t.Errorf("booking %d: %v", i, err)
		}
	}
	if wins != 1 || e.count(CollShipments, bson.D{}) != 1 {
		t.Fatalf("%d bookings succeeded, %d shipments stored; want exactly one", wins, e.count(CollShipments, bson.D{}))
	}
	// The same key twice at once: one shipment, both get it.
	q2 := e.quote(e.quoteInput(DAP)).Quotes[0]
	var ids2 [2]string
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sh, err := e.svc.BookShipment(e.seller, BookInput{AccountID: e.acct, QuoteID: q2.ID, IdempotencyKey: "same"})
			if err != nil {
				t.Errorf("same-key booking: %v", err)
			}
			ids2[i] = sh.ID
		}()
	}
	wg.Wait()
	if ids2[0] == "" || ids2[0] != ids2[1] {
		t.Errorf("same-key bookings gave %v", ids2)
	}
}

type fakeOrders struct {
	mu    sync.Mutex
	moves []Status
}

func (f *fakeOrders) CheckOrders(_ context.Context, _ string, orderIDs []string) error {
	for _, o := range orderIDs {
		if o == "ord_01aaaaaaaaaaaaaaaaaaaaaaaa" {
			return ErrNotFound
		}
	}
	return nil
}

func (f *fakeOrders) ShipmentMoved(_ context.Context, _, _ string, _ []string, st Status, _ time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.moves = append(f.moves, st)
	return nil
}

func TestOrdersFollowShipment(t *testing.T) {
	e := newEnv(t)
	orders := &fakeOrders{}
	e.svc.cfg.Orders = orders
	q := e.quote(e.quoteInput(DAP)).Quotes[0]
	_, err := e.svc.BookShipment(e.seller, BookInput{AccountID: e.acct, QuoteID: q.ID, IdempotencyKey: "x",
		OrderIDs: []string{"ord_01aaaaaaaaaaaaaaaaaaaaaaaa"}})
	wantCode(t, err, errs.NotFound, "")
	sh, err := e.svc.BookShipment(e.seller, BookInput{AccountID: e.acct, QuoteID: q.ID, IdempotencyKey: "y",
		OrderIDs: []string{ids.New(ids.Order)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.RecordTrackingEvent(e.staff, StaffEventInput{AccountID: e.acct, ShipmentID: sh.ID,
		Status: StatusPickedUp, OccurredAt: start.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if len(orders.moves) != 2 || orders.moves[0] != StatusBooked || orders.moves[1] != StatusPickedUp {
		t.Errorf("orders moved %v", orders.moves)
	}
}

func TestListShipmentsNewestFirst(t *testing.T) {
	e := newEnv(t)
	var booked []string
	for i := range 3 {
		q := e.quote(e.quoteInput(DAP)).Quotes[0]
		booked = append(booked, e.book(q, "k"+string(rune('0'+i))).ID)
		e.clk.Advance(time.Second)
	}
	first := 2
	w, _ := cursor.Page{First: &first}.Validate(cursor.MaxLimit)
	p1, err := e.svc.ListShipments(e.seller, e.acct, ShipmentFilter{}, w)
	if err != nil || len(p1.Items) != 2 || !p1.HasNextPage || p1.Items[0].ID != booked[2] || p1.Items[1].ID != booked[1] {
		t.Fatalf("page 1: %v %+v", err, p1)
	}
	after := p1.Cursors[1]
	w2, _ := cursor.Page{First: &first, After: &after}.Validate(cursor.MaxLimit)
	p2, err := e.svc.ListShipments(e.seller, e.acct, ShipmentFilter{Status: StatusBooked}, w2)
	if err != nil || len(p2.Items) != 1 || p2.HasNextPage || p2.Items[0].ID != booked[0] {
		t.Fatalf("page 2: %v %+v", err, p2)
	}
	if res, err := e.svc.ListShipments(e.stranger, e.other, ShipmentFilter{}, w); err != nil || len(res.Items) != 0 {
		t.Errorf("another account sees %d shipments (%v)", len(res.Items), err)
	}
	if _, err := e.svc.ListShipments(e.stranger, e.acct, ShipmentFilter{}, w); !errs.IsCode(err, errs.NotFound) {
		t.Errorf("listing a foreign account: %v", err)
	}
	m, err := e.svc.ShipmentsByID(e.stranger, booked)
	if err != nil || len(m) != 0 {
		t.Errorf("ShipmentsByID for a stranger: %d, %v", len(m), err)
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/transport"
)

// parcelQuote asks for quotes of one 2 kg parcel with a declared lamp, from a warehouse or an
// address, to an address in dest.
const parcelQuote = `mutation($a: ID!, $w: ID, $o: ShipmentAddressInput, $d: ShipmentAddressInput!, $cur: CurrencyCode!, $origin: CountryCode!, $inc: Incoterm) {
	quoteShipment(input: {accountId: $a, originWarehouseId: $w, origin: $o, destination: $d, incoterm: $inc,
		parcels: [{weightKg: "2", lengthCm: "30", widthCm: "20", heightCm: "15"}],
		contents: [{description: "LED desk lamp", hsCode: "9405.21", originCountry: $origin, quantity: 2, unitValue: {amount: "25.00", currencyCode: $cur}}]}) {
		sort
		quotes { id rank carrier { id code name } serviceCode transitDaysMin transitDaysMax expiresAt
			breakdown { freight { amount currencyCode } fuel { amount } shipping { amount } duties { amount } taxes { amount } total { amount currencyCode } }
			weights { actualKg volumetricKg chargeableKg }
			pool { pooledKg tierReached discountBps saving { amount } kgToNextTier }
			scorecard { shipments onTimeRate p50Days reliability } }
		unavailable { carrierCode serviceCode reason }
		userErrors { code field message } } }`

var usAddress = map[string]any{"name": "Maya Chen", "line1": "500 Congress Ave", "city": "Austin", "region": "TX", "postalCode": "78701", "country": "US"}

func quoteCNtoUS(c *client, w world) response {
	return c.do(parcelQuote, map[string]any{"a": w.brightlight, "w": w.szx, "d": usAddress, "cur": "USD", "origin": "CN"})
}

const bookMutation = `mutation($a: ID!, $q: ID!, $k: String!) { bookShipment(input: {accountId: $a, quoteId: $q, idempotencyKey: $k, reference: "PO-1"}) {
	shipment { id status trackingNumber carrier { code } documents { kind url } declaration { items { hsCode } flags { code } } }
	userErrors { code field } } }`

// bookOne quotes CN→US as c and books the best quote; it returns the shipment's id, tracking
// number and carrier code.
func bookOne(t *testing.T, c *client, w world, key string) (id, tracking, carrier string) {
	t.Helper()
	r := quoteCNtoUS(c, w)
	quotes, _ := r.path("quoteShipment", "quotes").([]any)
	if len(quotes) == 0 {
		t.Fatalf("no quotes: %s", r.Raw)
	}
	q := quotes[0].(map[string]any)["id"].(string)
	r = c.do(bookMutation, map[string]any{"a": w.brightlight, "q": q, "k": key})
	if !r.ok("bookShipment") {
		t.Fatalf("book: %s", r.Raw)
	}
	return r.str("bookShipment", "shipment", "id"), r.str("bookShipment", "shipment", "trackingNumber"),
		r.str("bookShipment", "shipment", "carrier", "code")
}

// transportWorld adds a booked Brightlight shipment, a quote and a carrier to w, for the
// matrix cells.
func transportWorld(t *testing.T, w *world) {
	t.Helper()
	w.shipment, _, _ = bookOne(t, w.admin, *w, "matrix-world")
	r := quoteCNtoUS(w.admin, *w)
	if qs, _ := r.path("quoteShipment", "quotes").([]any); len(qs) > 0 {
		w.quote = qs[0].(map[string]any)["id"].(string)
	}
	r = w.admin.do(`{ carriers { id code } }`, nil)
	for _, c := range r.path("carriers").([]any) {
		if m := c.(map[string]any); m["code"] == "SWIFTX" {
			w.carrier = m["id"].(string)
		}
	}
	if w.shipment == "" || w.quote == "" || w.carrier == "" {
		t.Fatalf("transport world incomplete: %+v", w)
	}
}

// transportCells exercise the transport resources of the matrix.
var transportCells = []cell{
	{access.Shipments, access.Read, accountDomain, queryCell(`query($a: ID!) { shipments(accountId: $a) { nodes { id carrier { code } } } }`, inBrightlightAccount, "shipments")},
	{access.Shipments, access.Write, accountDomain, mutationCell("fileComplaint",
		`mutation($a: ID!, $s: ID!) { fileComplaint(input: {accountId: $a, shipmentId: $s, kind: OTHER, note: "matrix"}) { shipment { id } userErrors { code } } }`,
		func(w world, _ int) map[string]any { return map[string]any{"a": w.brightlight, "s": w.shipment} })},
	{access.Quotes, access.Read, accountDomain, queryCell(`query($a: ID!, $q: ID!) { quote(accountId: $a, id: $q) { id rank } }`,
		func(w world) map[string]any { return map[string]any{"a": w.brightlight, "q": w.quote} }, "quote")},
	{access.Quotes, access.Write, accountDomain, mutationCell("quoteShipment", parcelQuote,
		func(w world, _ int) map[string]any {
			return map[string]any{"a": w.brightlight, "w": w.szx, "d": usAddress, "cur": "USD", "origin": "CN"}
		})},
	{access.TrackingEvents, access.Write, accountDomain, mutationCell("recordTrackingEvent",
		`mutation($a: ID!, $s: ID!, $at: DateTime!) { recordTrackingEvent(input: {accountId: $a, shipmentId: $s, status: IN_TRANSIT, occurredAt: $at, location: "Matrix hub"}) { shipment { id } userErrors { code } } }`,
		func(w world, _ int) map[string]any {
			return map[string]any{"a": w.brightlight, "s": w.shipment, "at": time.Now().UTC().Format(time.RFC3339)}
		})},
	{access.Carriers, access.Write, platformDomain, mutationCell("createCarrier",
		`mutation($c: String!) { createCarrier(input: {code: $c, name: "Matrix Couriers", trackingPrefix: "MX", services: [{code: "STD", name: "Standard", mode: EXPRESS}]}) { carrier { id } webhookSecret userErrors { code } } }`,
		func(w world, n int) map[string]any { return map[string]any{"c": fmt.Sprintf("MATRIX%d", n)} })},
	{access.RateCards, access.Read, platformDomain, queryCell(`{ rateCards { id carrier { code } } }`, func(world) map[string]any { return nil }, "rateCards")},
	{access.RateCards, access.Write, platformDomain, mutationCell("createRateCard",
		`mutation($c: ID!, $from: DateTime!, $to: DateTime!) { createRateCard(input: {carrierId: $c, serviceCode: "EXPRESS_WW", origin: "CN", destination: "NZ",
			transitDaysMin: 3, transitDaysMax: 6, effectiveFrom: $from, effectiveTo: $to, currency: "USD", volumetricDivisor: 5000,
			breaks: [{upToKg: "30", perKg: "9.50"}], minimumCharge: "20.00", fuelSurchargeBps: 1500}) { rateCard { id } userErrors { code field } } }`,
		func(w world, n int) map[string]any {
			from := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n)
			return map[string]any{"c": w.carrier, "from": from.Format(time.RFC3339), "to": from.AddDate(0, 0, 1).Format(time.RFC3339)}
		})},
	{access.CustomsRules, access.Read, platformDomain, queryCell(`{ customsRules { country taxBps } }`, func(world) map[string]any { return nil }, "customsRules")},
	{access.CustomsRules, access.Write, platformDomain, mutationCell("upsertCustomsRule",
		`mutation { upsertCustomsRule(input: {country: "NZ", currency: "NZD", dutyDeMinimis: "1000.00", taxDeMinimis: "1000.00", deMinimisOnCif: false,
			dutyIncludesShipping: true, taxIncludesShipping: true, taxIncludesDuty: true, taxBps: 1500, taxName: "GST", defaultDutyBps: 500}) { customsRule { country } userErrors { code field } } }`,
		func(world, int) map[string]any { return nil })},
}

// transportTenancyCases probe every transport field that takes an id.
var transportTenancyCases = map[string]tenancyCase{
	"Query.shipment": {`query($id: ID!) { shipment(id: $id) { id status } }`, func(f foreignIDs) map[string]any { return map[string]any{"id": f.shipment} }},
	"Query.shipments": {`query($a: ID!) { shipments(accountId: $a) { nodes { id } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
	"Query.quote": {`query($a: ID!, $q: ID!) { quote(accountId: $a, id: $q) { id } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.home, "q": f.quote} }},
	"Query.rateCards": {`query($c: ID) { rateCards(filter: {carrierId: $c}) { id } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"c": f.carrier} }},
	"Query.scorecards": {`query($c: ID) { scorecards(filter: {carrierId: $c}) { month shipments } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"c": f.carrier} }},
	"Mutation.quoteShipment": {parcelQuote, func(f foreignIDs) map[string]any {
		return map[string]any{"a": f.account, "w": f.homeWarehouse, "d": usAddress, "cur": "USD", "origin": "CN"}
	}},
	"Mutation.bookShipment": {bookMutation, func(f foreignIDs) map[string]any {
		return map[string]any{"a": f.home, "q": f.quote, "k": "tenancy-mole"}
	}},
	"Mutation.recordTrackingEvent": {`mutation($a: ID!, $s: ID!) { recordTrackingEvent(input: {accountId: $a, shipmentId: $s, status: LOST, occurredAt: "2026-01-01T00:00:00Z"}) { shipment { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.home, "s": f.shipment} }},
	"Mutation.fileComplaint": {`mutation($a: ID!, $s: ID!) { fileComplaint(input: {accountId: $a, shipmentId: $s, kind: LOST}) { shipment { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.home, "s": f.shipment} }},
	"Mutation.createRateCard": {`mutation($c: ID!) { createRateCard(input: {carrierId: $c, serviceCode: "X1", origin: "CN", destination: "US", transitDaysMin: 1, transitDaysMax: 2,
		effectiveFrom: "2030-01-01T00:00:00Z", currency: "USD", volumetricDivisor: 5000, breaks: [{upToKg: "1", perKg: "1"}], minimumCharge: "1", fuelSurchargeBps: 0}) { rateCard { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"c": f.carrier} }},
	"Mutation.updateRateCard": {`mutation($id: ID!, $c: ID!) { updateRateCard(input: {id: $id, rateCard: {carrierId: $c, serviceCode: "X1", origin: "CN", destination: "US", transitDaysMin: 1, transitDaysMax: 2,
		effectiveFrom: "2030-01-01T00:00:00Z", currency: "USD", volumetricDivisor: 5000, breaks: [{upToKg: "1", perKg: "1"}], minimumCharge: "1", fuelSurchargeBps: 0}}) { rateCard { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.rateCard, "c": f.carrier} }},
	"Mutation.deleteRateCard": {`mutation($id: ID!) { deleteRateCard(input: {id: $id}) { deletedRateCardId userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.rateCard} }},
	"Mutation.rotateCarrierWebhookSecret": {`mutation($id: ID!) { rotateCarrierWebhookSecret(input: {carrierId: $id}) { webhookSecret userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.carrier} }},
}

// kesslerTransportFixtures books a DE→US shipment for Kessler: its shipment and an unbooked
// quote are the foreign objects. Carriers and rate cards belong to no tenant: both id sets use
// ids that exist nowhere.
func kesslerTransportFixtures(t *testing.T, w world, kessler *client, f *foreignIDs) {
	t.Helper()
	origin := map[string]any{"name": "Kessler Versand", "line1": "Hafenstraße 1", "city": "Hamburg", "postalCode": "20457", "country": "DE"}
	vars := map[string]any{"a": w.kessler, "o": origin, "d": usAddress, "cur": "EUR", "origin": "DE"}
	r := kessler.do(parcelQuote, vars)
	quotes, _ := r.path("quoteShipment", "quotes").([]any)
	if len(quotes) == 0 {
		t.Fatalf("kessler quotes: %s", r.Raw)
	}
	q := quotes[0].(map[string]any)["id"].(string)
	r = kessler.do(bookMutation, map[string]any{"a": w.kessler, "q": q, "k": "kessler-1"})
	f.shipment = r.str("bookShipment", "shipment", "id")
	r = kessler.do(parcelQuote, vars)
	if qs, _ := r.path("quoteShipment", "quotes").([]any); len(qs) > 0 {
		f.quote = qs[0].(map[string]any)["id"].(string)
	}
	f.carrier, f.rateCard = ids.New(ids.Carrier), ids.New(ids.RateCard)
	if f.shipment == "" || f.quote == "" {
		t.Fatalf("kessler transport fixtures: %+v", f)
	}
}

// webhook posts tracking events to the carrier webhook, signed with secret at time at.
func webhook(t *testing.T, base, carrier string, secret []byte, at time.Time, ups []transport.TrackingUpdate) (int, map[string]any) {
	t.Helper()
	body := transport.EncodeWebhookBody(ups)
	req, _ := http.NewRequest(http.MethodPost, base+"/webhooks/carriers/"+carrier, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(transport.SignatureHeader, transport.SignWebhook(secret, at, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

func outcomes(res map[string]any) []string {
	var out []string
	list, _ := res["results"].([]any)
	for _, r := range list {
		out = append(out, r.(map[string]any)["outcome"].(string))
	}
	return out
}

const scorecardQuery = `query($c: ID!, $m: String!) { scorecards(filter: {carrierId: $c, origin: "CN", destination: "US", fromMonth: $m, toMonth: $m}) {
	serviceCode shipments delivered onTime p50Days p90Days onTimeRate exceptionRate customsHoldRate lostRate complaints { kind count } } }`

// scoreOf sums a carrier's CN→US scorecards of this month.
func scoreOf(c *client, carrierID string) (shipments, delivered, complaints float64) {
	r := c.do(scorecardQuery, map[string]any{"c": carrierID, "m": time.Now().UTC().Format("2006-01")})
	list, _ := r.path("scorecards").([]any)
	for _, s := range list {
		m := s.(map[string]any)
		shipments += m["shipments"].(float64)
		delivered += m["delivered"].(float64)
		for _, k := range m["complaints"].([]any) {
			complaints += k.(map[string]any)["count"].(float64)
		}
	}
	return
}

// eventually retries f for a few seconds: scorecard ops and the events relay run right after
// a write, but not inside it.
func eventually(t *testing.T, what string, f func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if f() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// The transport flow over HTTP as Brightlight's owner: quote CN→US, ranked quotes, book, watch
// the shipment live over WebSocket, feed tracking events through the signed carrier webhook
// (a late IN_TRANSIT after DELIVERED, a replay, a bad signature), download the label, see the
// scorecard move; another account sees and changes nothing.
func TestTransportFlowOverHTTP(t *testing.T) {
	a, base := demoApp(t)
	w := loadWorld(t, base)
	owner := signIn(t, base, "owner@brightlight.test")

	// Quotes: ranked 1..n, each with a breakdown, pooled tier and scorecard summary.
	r := quoteCNtoUS(owner, w)
	if !r.ok("quoteShipment") {
		t.Fatalf("quote: %s", r.Raw)
	}
	quotes := r.path("quoteShipment", "quotes").([]any)
	if len(quotes) < 2 || r.str("quoteShipment", "sort") != "BEST_VALUE" {
		t.Fatalf("want several BEST_VALUE quotes, got %s", r.Raw)
	}
	for i, q := range quotes {
		m := q.(map[string]any)
		if int(m["rank"].(float64)) != i+1 || m["breakdown"].(map[string]any)["total"] == nil || m["scorecard"] == nil || m["pool"] == nil {
			t.Errorf("quote %d: %v", i, m)
		}
	}
	best := quotes[0].(map[string]any)
	carrierID := best["carrier"].(map[string]any)["id"].(string)
	carrierCode := best["carrier"].(map[string]any)["code"].(string)
	shipmentsBefore, deliveredBefore, complaintsBefore := scoreOf(owner, carrierID)

	// Book it; a replay with the same key returns the same shipment; the quote is then booked.
	book := func(key string) response {
		return owner.do(bookMutation, map[string]any{"a": w.brightlight, "q": best["id"], "k": key})
	}
	r = book("e2e-1")
	if !r.ok("bookShipment") {
		t.Fatalf("book: %s", r.Raw)
	}
	shipment := r.str("bookShipment", "shipment", "id")
	tracking := r.str("bookShipment", "shipment", "trackingNumber")
	if r2 := book("e2e-1"); r2.str("bookShipment", "shipment", "id") != shipment {
		t.Errorf("replayed booking: %s", r2.Raw)
	}
	if r3 := book("e2e-2"); fmt.Sprint(r3.codes("bookShipment")) != "[QUOTE_ALREADY_BOOKED]" {
		t.Errorf("second booking of the quote: %s", r3.Raw)
	}
	docs, _ := r.path("bookShipment", "shipment", "documents").([]any)
	if len(docs) < 2 {
		t.Fatalf("want a label and a commercial invoice: %s", r.Raw)
	}
	eventually(t, "the booking in the scorecard", func() bool { s, _, _ := scoreOf(owner, carrierID); return s == shipmentsBefore+1 })

	// The label downloads with the owner's session and is a 404 for another tenant.
	label := docs[0].(map[string]any)["url"].(string)
	if code, ctype := download(t, owner, base+label); code != http.StatusOK || ctype != "application/pdf" {
		t.Errorf("label: %d %s", code, ctype)
	}
	kessler := signIn(t, base, "owner@kessler-outdoor.test")
	if code, _ := download(t, kessler, base+label); code != http.StatusNotFound {
		t.Errorf("label for another tenant: %d, want 404", code)
	}

	// Live updates over WebSocket, authenticated by the session cookie.
	sub := subscribe(t, owner, base, `subscription($id: ID!) { shipmentUpdated(id: $id) { id status latestEvent { status location } } }`, map[string]any{"id": shipment})
	defer sub.Close()

	secret := []byte(transport.DemoWebhookSecret(carrierCode))
	now := time.Now().UTC()
	ev := func(id string, st transport.Status, at time.Time) transport.TrackingUpdate {
		return transport.TrackingUpdate{EventID: id, TrackingNumber: tracking, Status: st, OccurredAt: at, Location: "Shenzhen"}
	}
	// A bad signature: 401 and nothing changes.
	before := snapshot(t, a)
	if code, _ := webhook(t, base, carrierCode, []byte("wrong"), now, []transport.TrackingUpdate{ev("e1", transport.StatusPickedUp, now)}); code != http.StatusUnauthorized {
		t.Errorf("bad signature: %d, want 401", code)
	}
	if code, _ := webhook(t, base, carrierCode, secret, now.Add(-time.Hour), []transport.TrackingUpdate{ev("e1", transport.StatusPickedUp, now)}); code != http.StatusUnauthorized {
		t.Errorf("stale signature: %d, want 401", code)
	}
	if after := snapshot(t, a); before != after {
		t.Errorf("a refused webhook changed the store")
	}

	code, res := webhook(t, base, carrierCode, secret, now, []transport.TrackingUpdate{ev("e1", transport.StatusPickedUp, now.Add(time.Minute))})
	if code != http.StatusOK || fmt.Sprint(outcomes(res)) != "[ACCEPTED]" {
		t.Fatalf("pick-up: %d %v", code, res)
	}
	msg := sub.next(t)
	if got := msg["shipmentUpdated"].(map[string]any)["status"]; got != "PICKED_UP" {
		t.Errorf("subscription: %v, want PICKED_UP", msg)
	}

	code, res = webhook(t, base, carrierCode, secret, now, []transport.TrackingUpdate{
		ev("e2", transport.StatusInTransit, now.Add(2*time.Minute)), ev("e4", transport.StatusDelivered, now.Add(5*time.Minute))})
	if code != http.StatusOK || fmt.Sprint(outcomes(res)) != "[ACCEPTED ACCEPTED]" {
		t.Fatalf("in transit and delivered: %d %v", code, res)
	}
	// A late IN_TRANSIT, older than DELIVERED, slots in before it and does not override it.
	code, res = webhook(t, base, carrierCode, secret, now, []transport.TrackingUpdate{ev("e3", transport.StatusInTransit, now.Add(3*time.Minute))})
	if code != http.StatusOK {
		t.Fatalf("late event: %d %v", code, res)
	}
	// A DELIVERED → IN_TRANSIT move after delivery is refused, and a replay is a replay.
	code, res = webhook(t, base, carrierCode, secret, now, []transport.TrackingUpdate{
		ev("e5", transport.StatusInTransit, now.Add(6*time.Minute)), ev("e4", transport.StatusDelivered, now.Add(5*time.Minute))})
	if code != http.StatusOK || fmt.Sprint(outcomes(res)) != "[INVALID_TRANSITION REPLAYED]" {
		t.Errorf("after delivery: %d %v", code, res)
	}
	r = owner.do(`query($id: ID!) { shipment(id: $id) { status deliveredAt events { id status } latestEvent { status } } }`, map[string]any{"id": shipment})
	if r.str("shipment", "status") != "DELIVERED" || r.str("shipment", "latestEvent", "status") != "DELIVERED" {
		t.Errorf("after the late event: %s", r.Raw)
	}
	eventually(t, "the delivery in the scorecard", func() bool { _, d, _ := scoreOf(owner, carrierID); return d == deliveredBefore+1 })

	// A complaint counts once, however often it is filed.
	for range 2 {
		r = owner.do(`mutation($a: ID!, $s: ID!) { fileComplaint(input: {accountId: $a, shipmentId: $s, kind: DAMAGED, note: "crushed box"}) { shipment { complaints { kind } } userErrors { code } } }`,
			map[string]any{"a": w.brightlight, "s": shipment})
		if !r.ok("fileComplaint") {
			t.Fatalf("complaint: %s", r.Raw)
		}
	}
	eventually(t, "the complaint in the scorecard", func() bool { _, _, c := scoreOf(owner, carrierID); return c == complaintsBefore+1 })
	// The whole replayed batch again: no double count.
	webhook(t, base, carrierCode, secret, time.Now(), []transport.TrackingUpdate{ev("e1", transport.StatusPickedUp, now.Add(time.Minute)),
		ev("e4", transport.StatusDelivered, now.Add(5*time.Minute))})
	time.Sleep(200 * time.Millisecond)
	if s, d, c := scoreOf(owner, carrierID); s != shipmentsBefore+1 || d != deliveredBefore+1 || c != complaintsBefore+1 {
		t.Errorf("after replays: shipments %v delivered %v complaints %v, want %v %v %v", s, d, c, shipmentsBefore+1, deliveredBefore+1, complaintsBefore+1)
	}

	// Another tenant sees nothing and changes nothing.
	before = snapshot(t, a)
	if r := kessler.do(`query($id: ID!) { shipment(id: $id) { id } }`, map[string]any{"id": shipment}); r.path("shipment") != nil {
		t.Errorf("kessler sees the shipment: %s", r.Raw)
	}
	if r := kessler.do(`query($a: ID!) { shipments(accountId: $a) { nodes { id } } }`, map[string]any{"a": w.brightlight}); r.path("shipments") != nil {
		t.Errorf("kessler lists Brightlight's shipments: %s", r.Raw)
	}
	r = kessler.do(`mutation($a: ID!, $s: ID!) { fileComplaint(input: {accountId: $a, shipmentId: $s, kind: LOST}) { shipment { id } userErrors { code } } }`,
		map[string]any{"a": w.brightlight, "s": shipment})
	if r.ok("fileComplaint") {
		t.Errorf("kessler complained about Brightlight's shipment: %s", r.Raw)
	}
	ks := subscribe(t, kessler, base, `subscription($id: ID!) { shipmentUpdated(id: $id) { id } }`, map[string]any{"id": shipment})
	if m := ks.first(t); m["type"] != "error" && !(m["type"] == "next" && m["payload"].(map[string]any)["data"] == nil) {
		t.Errorf("kessler subscribed to Brightlight's shipment: %v", m)
	}
	ks.Close()
	if after := snapshot(t, a); before != after {
		t.Errorf("another tenant changed the store")
	}
}

// Bad quote input is a userError with a field, and writes nothing.
func TestQuoteBadInput(t *testing.T) {
	a, base := demoApp(t)
	w := loadWorld(t, base)
	owner := signIn(t, base, "owner@brightlight.test")
	q := `mutation($a: ID!, $w: ID!, $p: ParcelInput!, $d: ShipmentAddressInput!, $hs: String) { quoteShipment(input: {accountId: $a, originWarehouseId: $w, destination: $d, parcels: [$p],
		contents: [{description: "Lamp", hsCode: $hs, originCountry: "CN", quantity: 1, unitValue: {amount: "10", currencyCode: "USD"}}]}) { quotes { id } userErrors { code field } } }`
	good := map[string]any{"weightKg": "2", "lengthCm": "30", "widthCm": "20", "heightCm": "10"}
	with := func(k, v string) map[string]any {
		p := map[string]any{}
		for kk, vv := range good {
			p[kk] = vv
		}
		p[k] = v
		return p
	}
	for _, c := range []struct {
		name, code, field string
		parcel            map[string]any
		dest              map[string]any
		hs                string
	}{
		{"ZeroWeight", "INVALID", "input.parcels.0.weight", with("weightKg", "0"), usAddress, "940521"},
		{"NegativeWeight", "INVALID", "input.parcels.0.weightKg", with("weightKg", "-1"), usAddress, "940521"},
		{"BeyondLimits", "EXCEEDS_CARRIER_LIMITS", "", with("lengthCm", "900"), usAddress, "940521"},
		// The CountryCode scalar refuses it before the resolver: a top-level BAD_USER_INPUT.
		{"UnknownCountry", "BAD_USER_INPUT", "", good, map[string]any{"name": "X", "line1": "1", "city": "Y", "country": "XX"}, "940521"},
		{"MalformedHSCode", "INVALID_HS_CODE", "input.contents.0.hsCode", good, usAddress, "94A5"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := snapshot(t, a)
			r := owner.do(q, map[string]any{"a": w.brightlight, "w": w.szx, "p": c.parcel, "d": c.dest, "hs": c.hs})
			ue, _ := r.path("quoteShipment", "userErrors").([]any)
			if codes := r.codes(""); len(codes) > 0 {
				if codes[0] != c.code {
					t.Errorf("got %v, want %s", codes, c.code)
				}
				return
			}
			if len(ue) == 0 {
				t.Fatalf("no userError: %s", r.Raw)
			}
			e := ue[0].(map[string]any)
			field, _ := e["field"].([]any)
			parts := make([]string, len(field))
			for i, f := range field {
				parts[i] = f.(string)
			}
			if e["code"] != c.code || c.field != "" && strings.Join(parts, ".") != c.field {
				t.Errorf("got %v %v, want %s %s", e["code"], parts, c.code, c.field)
			}
			if after := snapshot(t, a); before != after {
				t.Errorf("a refused quote wrote something")
			}
		})
	}
}

func download(t *testing.T, c *client, u string) (int, string) {
	t.Helper()
	resp, err := c.http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type")
}

// wsSub is one graphql-transport-ws subscription.
type wsSub struct {
	*websocket.Conn
}

// subscribe opens a WebSocket as c (its session cookie, or an API key in connection_init) and
// starts one subscription.
func subscribe(t *testing.T, c *client, base, query string, vars map[string]any) wsSub {
	t.Helper()
	u, _ := url.Parse(base + "/graphql")
	h := http.Header{}
	for _, ck := range c.http.Jar.Cookies(u) {
		h.Add("Cookie", ck.Name+"="+ck.Value)
	}
	u.Scheme = "ws"
	d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}, HandshakeTimeout: 5 * time.Second}
	conn, resp, err := d.Dial(u.String(), h)
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	init := map[string]any{"type": "connection_init", "payload": map[string]any{}}
	if c.bearer != "" {
		init["payload"] = map[string]any{"Authorization": "Bearer " + c.bearer}
	}
	if err := conn.WriteJSON(init); err != nil {
		t.Fatal(err)
	}
	var ack map[string]any
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if err := conn.ReadJSON(&ack); err != nil || ack["type"] != "connection_ack" {
		t.Fatalf("connection_init: %v %v", ack, err)
	}
	if err := conn.WriteJSON(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": query, "variables": vars}}); err != nil {
		t.Fatal(err)
	}
	return wsSub{conn}
}

// first returns the next message that is not a ping or pong.
func (s wsSub) first(t *testing.T) map[string]any {
	t.Helper()
	for {
		var m map[string]any
		_ = s.SetReadDeadline(time.Now().Add(10 * time.Second))
		if err := s.ReadJSON(&m); err != nil {
			t.Fatalf("subscription read: %v", err)
		}
		if m["type"] == "ping" || m["type"] == "pong" {
			continue
		}
		return m
	}
}

// next returns the data of the next "next" message.
func (s wsSub) next(t *testing.T) map[string]any {
	t.Helper()
	m := s.first(t)
	if m["type"] != "next" {
		t.Fatalf("subscription: %v", m)
	}
	data, _ := m["payload"].(map[string]any)["data"].(map[string]any)
	return data
}

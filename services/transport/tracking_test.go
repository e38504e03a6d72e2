package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/services/usage"
)

type hookResponse struct {
	Results []webhookResult `json:"results"`
	Error   string          `json:"error"`
}

// hook posts updates to the webhook over real HTTP, signed with secret at the given time.
func (e *env) hook(srv *httptest.Server, carrier string, secret string, at time.Time, body []byte) (int, hookResponse) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/webhooks/carriers/"+carrier, bytes.NewReader(body))
	if secret != "" {
		req.Header.Set(SignatureHeader, SignWebhook([]byte(secret), at, body))
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out hookResponse
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func (e *env) server() *httptest.Server {
	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/carriers/{carrier}", e.svc.WebhookHandler())
	srv := httptest.NewServer(mux)
	e.t.Cleanup(srv.Close)
	return srv
}

func TestWebhook(t *testing.T) {
	e := newEnv(t)
	srv := e.server()
	sh := e.book(e.quoteOf(e.quote(e.quoteInput(DAP)), "SWIFTX", "EXPRESS_WW"), "k")
	secret := e.carriers["SWIFTX"].WebhookSecret
	now := e.clk.Now()
	ev := func(id string, st Status, at time.Time) TrackingUpdate {
		return TrackingUpdate{EventID: id, TrackingNumber: sh.TrackingNumber, Status: st, OccurredAt: at, Location: "Shenzhen"}
	}
	one := func(u TrackingUpdate) []byte { return EncodeWebhookBody([]TrackingUpdate{u}) }

	t.Run("BadSignature", func(t *testing.T) {
		code, _ := e.hook(srv, "SWIFTX", "not-the-secret", now, one(ev("e1", StatusPickedUp, now)))
		if code != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", code)
		}
	})
	t.Run("NoSignature", func(t *testing.T) {
		if code, _ := e.hook(srv, "SWIFTX", "", now, one(ev("e1", StatusPickedUp, now))); code != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", code)
		}
	})
	t.Run("StaleTimestamp", func(t *testing.T) {
		code, _ := e.hook(srv, "SWIFTX", secret, now.Add(-DefaultWebhookTolerance-time.Second), one(ev("e1", StatusPickedUp, now)))
		if code != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", code)
		}
	})
	t.Run("OtherCarriersSecret", func(t *testing.T) {
		code, _ := e.hook(srv, "SWIFTX", e.carriers["PANDAPOST"].WebhookSecret, now, one(ev("e1", StatusPickedUp, now)))
		if code != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", code)
		}
	})
	t.Run("UnknownCarrier", func(t *testing.T) {
		if code, _ := e.hook(srv, "NOPE", secret, now, one(ev("e1", StatusPickedUp, now))); code != http.StatusNotFound {
			t.Fatalf("status %d, want 404", code)
		}
	})
	t.Run("MalformedBody", func(t *testing.T) {
		if code, _ := e.hook(srv, "SWIFTX", secret, now, []byte(`{"events": [`)); code != http.StatusBadRequest {
			t.Fatalf("status %d, want 400", code)
		}
	})
	if n := e.count(CollTrackingEvents, bson.D{}); n != 0 {
		t.Fatalf("refused requests wrote %d timelines", n)
	}

	t0 := now.Add(-48 * time.Hour)
	batch := []TrackingUpdate{
		ev("e1", StatusPickedUp, t0),
		ev("e2", StatusInTransit, t0.Add(6*time.Hour)),
		ev("e3", StatusDelivered, t0.Add(30*time.Hour)),
		{EventID: "e4", TrackingNumber: "SX000000000000", Status: StatusInTransit, OccurredAt: t0},
		{EventID: "e5", TrackingNumber: sh.TrackingNumber, Status: "TELEPORTED", OccurredAt: t0},
	}
	code, res := e.hook(srv, "SWIFTX", secret, now, EncodeWebhookBody(batch))
	want := []Outcome{OutcomeAccepted, OutcomeAccepted, OutcomeAccepted, OutcomeUnknownShipment, OutcomeInvalid}
	if code != http.StatusOK || len(res.Results) != len(want) {
		t.Fatalf("status %d, results %+v", code, res.Results)
	}
	for i, r := range res.Results {
		if r.Outcome != string(want[i]) {
			t.Errorf("event %s: %s, want %s", r.ID, r.Outcome, want[i])
		}
	}
	if res.Results[0].Status != string(StatusDelivered) {
		t.Errorf("status after batch: %s", res.Results[0].Status)
	}

	tests := []struct {
		name string
		u    TrackingUpdate
		want Outcome
	}{
		{"ReplayedEvent", ev("e2", StatusInTransit, t0.Add(6*time.Hour)), OutcomeReplayed},
		// A late IN_TRANSIT older than the delivery slots into the timeline, not the status.
		{"LateOlderInTransit", ev("e6", StatusInTransit, t0.Add(20*time.Hour)), OutcomeAccepted},
		// An IN_TRANSIT after the delivery is DELIVERED → IN_TRANSIT: refused.
		{"DeliveredToInTransit", ev("e7", StatusInTransit, t0.Add(40*time.Hour)), OutcomeInvalidTransition},
		// Backward before delivery: PICKED_UP after IN_TRANSIT.
		{"BackwardPickup", ev("e8", StatusPickedUp, t0.Add(10*time.Hour)), OutcomeInvalidTransition},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, res := e.hook(srv, "SWIFTX", secret, now, one(tt.u))
			if code != http.StatusOK || res.Results[0].Outcome != string(tt.want) {
				t.Fatalf("status %d result %+v, want %s", code, res.Results, tt.want)
			}
			if res.Results[0].Status != string(StatusDelivered) {
				t.Errorf("status moved to %s", res.Results[0].Status)
			}
		})
	}
	got, err := e.svc.Shipment(e.seller, e.acct, sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusDelivered || len(got.Events) != 4 || got.LatestEvent.ID != "e3" || got.DeliveredAt == nil ||
		!got.DeliveredAt.Equal(t0.Add(30*time.Hour)) || !got.PickedUpAt.Equal(t0) {
		t.Fatalf("shipment %s, %d events, latest %+v", got.Status, len(got.Events), got.LatestEvent)
	}
	// Scorecard: one shipment delivered in 30 h = 2 days, within the promised 5.
	sc, err := e.svc.Scorecard(e.seller, ScorecardKey{sh.CarrierID, sh.ServiceCode, "CN", "US", "2026-11"})
	if err != nil {
		t.Fatal(err)
	}
	if sc.Shipments != 1 || sc.Delivered != 1 || sc.OnTime != 1 || sc.TransitHistogram[2] != 1 || *sc.P50Days != 2 {
		t.Fatalf("scorecard %+v", sc)
	}
	if n := e.count(CollShipments, bson.D{{Key: "outbox.type", Value: "shipment.status_changed"}}); n != 1 {
		t.Errorf("status_changed events on %d shipments", n)
	}
}

func TestStaffTrackingEvents(t *testing.T) {
	e := newEnv(t)
	sh := e.book(e.quote(e.quoteInput(DAP)).Quotes[0], "k")
	t0 := start.Add(time.Hour)
	e.clk.Set(start.Add(10 * 24 * time.Hour))
	rec := func(ctx context.Context, st Status, at time.Time) (Shipment, error) {
		return e.svc.RecordTrackingEvent(ctx, StaffEventInput{AccountID: e.acct, ShipmentID: sh.ID, Status: st, OccurredAt: at})
	}
	steps := []struct {
		name   string
		status Status
		at     time.Duration
		want   Status
		code   errs.Code
		reason string
	}{
		{"PickedUp", StatusPickedUp, 0, StatusPickedUp, "", ""},
		{"InTransit", StatusInTransit, 5 * time.Hour, StatusInTransit, "", ""},
		{"CustomsHold", StatusCustomsHold, 30 * time.Hour, StatusCustomsHold, "", ""},
		{"BackInTransit", StatusInTransit, 40 * time.Hour, StatusInTransit, "", ""},
		{"HoldAgain", StatusCustomsHold, 41 * time.Hour, StatusCustomsHold, "", ""},
		{"Cleared", StatusCustomsCleared, 50 * time.Hour, StatusCustomsCleared, "", ""},
		{"HoldAfterClearance", StatusCustomsHold, 51 * time.Hour, "", errs.FailedPrecondition, "INVALID_TRANSITION"},
		{"Exception", StatusException, 52 * time.Hour, StatusException, "", ""},
		{"OutForDelivery", StatusOutForDelivery, 60 * time.Hour, StatusOutForDelivery, "", ""},
		{"Delivered", StatusDelivered, 62 * time.Hour, StatusDelivered, "", ""},
		{"DeliveredToInTransit", StatusInTransit, 70 * time.Hour, "", errs.FailedPrecondition, "INVALID_TRANSITION"},
		{"DeliveredToLost", StatusLost, 70 * time.Hour, "", errs.FailedPrecondition, "INVALID_TRANSITION"},
		{"BackToBooked", StatusBooked, 70 * time.Hour, "", errs.Invalid, ""},
		{"InTheFuture", StatusInTransit, 20 * 24 * time.Hour, "", errs.Invalid, ""},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			got, err := rec(e.staff, st.status, t0.Add(st.at))
			if st.code != "" {
				wantCode(t, err, st.code, st.reason)
				return
			}
			if err != nil || got.Status != st.want {
				t.Fatalf("status %s, %v; want %s", got.Status, err, st.want)
			}
		})
	}
	if _, err := rec(e.seller, StatusInTransit, t0); !errs.IsCode(err, errs.NotFound) {
		t.Errorf("a seller recording tracking: %v", err)
	}
	sc, _ := e.svc.Scorecard(e.seller, ScorecardKey{sh.CarrierID, sh.ServiceCode, "CN", "US", "2026-11"})
	if sc.CustomsHolds != 1 || sc.Exceptions != 1 || sc.Delivered != 1 {
		t.Errorf("scorecard %+v", sc)
	}
}

func TestReweighAndComplaint(t *testing.T) {
	e := newEnv(t)
	srv := e.server()
	sh := e.book(e.quoteOf(e.quote(e.quoteInput(DAP)), "SWIFTX", "EXPRESS_WW"), "k")
	// Booked at 2.0 kg for 40.42 (the worked example). The carrier weighs 3.7 kg: billed 4.0 kg,
	// 66.00 + 14.85 fuel = 80.85, so the adjustment is +40.43.
	u := TrackingUpdate{EventID: "w1", TrackingNumber: sh.TrackingNumber, Status: StatusPickedUp, OccurredAt: start, WeightGrams: 3700}
	code, res := e.hook(srv, "SWIFTX", e.carriers["SWIFTX"].WebhookSecret, start, EncodeWebhookBody([]TrackingUpdate{u}))
	if code != http.StatusOK || res.Results[0].Outcome != string(OutcomeAccepted) {
		t.Fatalf("%d %+v", code, res)
	}
	got, _ := e.svc.Shipment(e.seller, e.acct, sh.ID)
	if len(got.Adjustments) != 1 || got.Adjustments[0].Amount != usd(4043) || got.BilledChargeableGrams != 4000 {
		t.Fatalf("adjustments %+v billed %d", got.Adjustments, got.BilledChargeableGrams)
	}
	page, _ := e.usage.List(context.Background(), e.acct, usage.Filter{}, cursor.Window{Limit: 10, Forward: true})
	found := false
	for _, r := range page.Records {
		if r.SourceKey == "reweigh:"+sh.ID+":w1" && r.Code == UsageReweigh && *r.Amount == usd(4043) {
			found = true
		}
	}
	if !found {
		t.Errorf("no re-weigh usage in %+v", page.Records)
	}

	for range 2 { // the second complaint of a kind changes nothing
		if _, err := e.svc.FileComplaint(e.seller, e.acct, sh.ID, ComplaintDamaged, "box crushed"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.svc.FileComplaint(e.seller, e.acct, sh.ID, "ANGRY", ""); !errs.IsCode(err, errs.Invalid) {
		t.Errorf("unknown kind: %v", err)
	}
	if _, err := e.svc.FileComplaint(e.stranger, e.other, sh.ID, ComplaintLate, ""); !errs.IsCode(err, errs.NotFound) {
		t.Errorf("foreign shipment: %v", err)
	}
	sc, _ := e.svc.Scorecard(e.seller, ScorecardKey{sh.CarrierID, sh.ServiceCode, "CN", "US", "2026-11"})
	if sc.Complaints[ComplaintDamaged] != 1 {
		t.Errorf("complaints %+v", sc.Complaints)
	}
}

// TestApplyPendingFinishesCrashedOps leaves a booking's ops queued (as a crash between the
// shipment write and the summary updates would) and checks that ApplyPending applies each
// exactly once, even when run twice and after a partial application.
func TestApplyPendingFinishesCrashedOps(t *testing.T) {
	e := newEnv(t)
	q := e.quoteOf(e.quote(e.quoteInput(DAP)), "SWIFTX", "EXPRESS_WW")
	sh := e.book(q, "k")
	ctx := context.Background()
	// Put the ops back as if never cleared, and apply the scorecard op once more by hand first:
	// the marker must stop it from counting twice.
	var d shipmentDoc
	if err := e.db.Collection(CollShipments).FindOne(ctx, bson.D{{Key: fID, Value: sh.ID}}).Decode(&d); err != nil {
		t.Fatal(err)
	}
	ops := bson.D{}
	lane := d.ScoreLane
	ops = append(ops, bson.E{Key: fPending + ".2", Value: opDoc{Kind: opInc, Coll: CollScorecards, DocID: d.ScoreKey,
		Inc: []incDoc{{scShipments, 1}}, Lane: &lane}})
	if _, err := e.db.Collection(CollShipments).UpdateOne(ctx, bson.D{{Key: fID, Value: sh.ID}},
		bson.D{{Key: "$set", Value: ops}, {Key: "$inc", Value: bson.D{{Key: fPendingCount, Value: 1}}}}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := e.svc.ApplyPending(ctx, 10); err != nil {
			t.Fatal(err)
		}
	}
	sc, _ := e.svc.Scorecard(e.seller, ScorecardKey{sh.CarrierID, sh.ServiceCode, "CN", "US", "2026-11"})
	if sc.Shipments != 1 {
		t.Fatalf("shipments counted %d times", sc.Shipments)
	}
	if n := e.count(CollShipments, bson.D{{Key: fPendingCount, Value: 0}}); n != 1 {
		t.Errorf("pending left")
	}
	// Markers older than MarkerTTL go; the counts stay.
	e.clk.Advance(MarkerTTL + time.Minute)
	removed, err := e.svc.GCMarkers(ctx)
	if err != nil || removed == 0 {
		t.Fatalf("GCMarkers removed %d, %v", removed, err)
	}
	sc2, _ := e.svc.Scorecard(e.seller, ScorecardKey{sh.CarrierID, sh.ServiceCode, "CN", "US", "2026-11"})
	if sc2.Shipments != 1 {
		t.Errorf("after GC: %d", sc2.Shipments)
	}
}

func TestWebhookBodyParse(t *testing.T) {
	tests := []struct {
		name string
		body string
		ok   bool
	}{
		{"OK", `{"events":[{"id":"1","trackingNumber":"X","status":"IN_TRANSIT","occurredAt":"2026-11-10T09:00:00Z"}]}`, true},
		{"NoEvents", `{"events":[]}`, false},
		{"NotJSON", `events`, false},
		{"TrailingData", `{"events":[{"id":"1"}]} {}`, false},
		{"WrongType", `{"events":{"id":"1"}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseWebhookBody([]byte(tt.body))
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errs.IsCode(err, errs.Invalid) {
				t.Fatalf("code %v", err)
			}
		})
	}
}

// FuzzParseWebhookBody checks the body parser never panics, refuses with INVALID only, and that
// what it reads survives a round trip through EncodeWebhookBody.
func FuzzParseWebhookBody(f *testing.F) {
	f.Add([]byte(`{"events":[{"id":"1","trackingNumber":"SX1","status":"DELIVERED","occurredAt":"2026-11-10T09:00:00Z","weightGrams":5}]}`))
	f.Add([]byte(`{"events":[]}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"events":[{"occurredAt":"not a time"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ups, err := ParseWebhookBody(body)
		if err != nil {
			if !errs.IsCode(err, errs.Invalid) {
				t.Fatalf("error %v is not INVALID", err)
			}
			return
		}
		if len(ups) == 0 || len(ups) > MaxWebhookEvents {
			t.Fatalf("%d events accepted", len(ups))
		}
		again, err := ParseWebhookBody(EncodeWebhookBody(ups))
		if err != nil || len(again) != len(ups) {
			t.Fatalf("round trip: %v", err)
		}
		for i := range ups {
			if again[i].EventID != ups[i].EventID || again[i].Status != ups[i].Status || !again[i].OccurredAt.Equal(ups[i].OccurredAt) {
				t.Fatalf("round trip changed %+v into %+v", ups[i], again[i])
			}
		}
	})
}

func FuzzVerifySignature(f *testing.F) {
	secret := []byte("s")
	now := time.Unix(1_800_000_000, 0)
	f.Add(SignWebhook(secret, now, []byte("{}")), []byte("{}"))
	f.Add("t=1,v1=zz", []byte(""))
	f.Add(",,,=", []byte("x"))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		err := VerifySignature(header, secret, body, now, time.Minute)
		if err == nil && header != SignWebhook(secret, now, body) {
			// Only a correct signature may pass; other spellings of it are fine (extra v1 or
			// spaces), so check by recomputing.
			if VerifySignature(SignWebhook(secret, now, body), secret, body, now, time.Minute) != nil {
				t.Fatal("own signature refused")
			}
		}
	})
}

// TestConcurrentTrackingUpdates sends events for one shipment from several goroutines at
// once: the guarded writes must lose none and count the scorecard once.
func TestConcurrentTrackingUpdates(t *testing.T) {
	e := newEnv(t)
	sh := e.book(e.quoteOf(e.quote(e.quoteInput(DAP)), "SWIFTX", "EXPRESS_WW"), "k")
	t0 := start.Add(-72 * time.Hour)
	const workers, each = 6, 4
	done := make(chan error, workers)
	for w := range workers {
		go func() {
			var ups []TrackingUpdate
			for i := range each {
				ups = append(ups, TrackingUpdate{EventID: fmt.Sprintf("w%d-%d", w, i), TrackingNumber: sh.TrackingNumber,
					Status: StatusInTransit, OccurredAt: t0.Add(time.Duration(w*each+i+1) * time.Minute)})
			}
			if w == 0 {
				ups = append(ups, TrackingUpdate{EventID: "pickup", TrackingNumber: sh.TrackingNumber, Status: StatusPickedUp, OccurredAt: t0})
			}
			if w == workers-1 {
				ups = append(ups, TrackingUpdate{EventID: "done", TrackingNumber: sh.TrackingNumber, Status: StatusDelivered, OccurredAt: t0.Add(48 * time.Hour)})
			}
			res, err := e.svc.ReceiveTrackingUpdates(context.Background(), "SWIFTX", ups)
			for _, r := range res {
				if err == nil && r.Outcome != OutcomeAccepted {
					err = fmt.Errorf("%s: %s", r.EventID, r.Outcome)
				}
			}
			done <- err
		}()
	}
	for range workers {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	got, err := e.svc.Shipment(e.seller, e.acct, sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Events) != workers*each+2 || got.Status != StatusDelivered {
		t.Fatalf("%d events, status %s", len(got.Events), got.Status)
	}
	sc, _ := e.svc.Scorecard(e.seller, ScorecardKey{sh.CarrierID, sh.ServiceCode, "CN", "US", "2026-11"})
	if sc.Shipments != 1 || sc.Delivered != 1 || sc.OnTime != 1 || sc.TransitHistogram[2] != 1 {
		t.Errorf("scorecard %s", fmtScorecard(sc))
	}
}

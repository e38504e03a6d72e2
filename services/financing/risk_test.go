package financing

import (
	"context"
	"reflect"
	"testing"
)

func (f *fakeShipments) CollateralShipments(ctx context.Context, refs []ShipmentRef) (map[ShipmentRef]ShipmentInfo, error) {
	out := map[ShipmentRef]ShipmentInfo{}
	for _, r := range refs {
		if sh, err := f.CollateralShipment(ctx, r.AccountID, r.ShipmentID); err == nil {
			out[r] = sh
		}
	}
	return out, nil
}

func (f *fakeShipments) LaneScores(ctx context.Context, keys []CarrierLane) (map[CarrierLane]LaneScore, error) {
	out := map[CarrierLane]LaneScore{}
	for _, k := range keys {
		out[k], _ = f.LaneScore(ctx, k.CarrierID, k.ServiceCode, k.Lane)
	}
	return out, nil
}

// A page of requests gets its risk pictures in one call: each the same as the request's own
// (live collateral with its lane score, the account's history with the partner), and nothing
// for a request the caller may not see or that does not exist.
func TestRequestRisksOfAPage(t *testing.T) {
	e := newEnv(t, false)
	e.ships.m["shp_b"] = ShipmentInfo{ID: "shp_b", AccountID: e.acct, Status: "IN_TRANSIT", TrackingNumber: "SX200", CarrierID: "crr_2",
		ServiceCode: "EXPRESS", Lane: Lane{"CN", "DE"}, DeclaredValue: usdm(100_000)}
	e.ships.m["shp_c"] = ShipmentInfo{ID: "shp_c", AccountID: e.acct, Status: "BOOKED", TrackingNumber: "SX300", CarrierID: "crr_2",
		ServiceCode: "ECONOMY", Lane: Lane{"CN", "US"}, DeclaredValue: usdm(200_000)}
	// History: one loan repaid on time, one open with 100.00 USD of principal outstanding.
	for i, c := range []CollateralRef{stockRef(10), shipmentRef("shp_b")} {
		pay := i == 0
		r, err := e.request([]CollateralRef{c}, 10_000, 30)
		if err == nil {
			_, err = e.svc.ApproveRequest(e.lender, ApproveInput{RequestID: r.ID})
		}
		var l Loan
		if err == nil {
			l, err = e.svc.FundRequest(e.lender, r.ID)
		}
		if err == nil && pay {
			_, err = e.svc.RecordPayment(e.lender, l.ID, usdm(l.Outstanding.Total()), "wire-1")
		}
		if err != nil {
			t.Fatalf("loan %d: %v", i, err)
		}
	}
	inTransit, err := e.request([]CollateralRef{shipmentRef("shp_a"), stockRef(40)}, 800_000, 60)
	if err != nil {
		t.Fatal(err)
	}
	booked, err := e.request([]CollateralRef{shipmentRef("shp_c")}, 50_000, 30)
	if err != nil {
		t.Fatal(err)
	}
	e.ships.set("shp_a", func(sh *ShipmentInfo) { sh.Status, sh.LatestEvent = "CUSTOMS_CLEARED", "CUSTOMS_CLEARED Los Angeles" })

	risks, err := e.svc.RequestRisks(e.lender, []string{inTransit.ID, booked.ID, "fin_missing"})
	if err != nil {
		t.Fatal(err)
	}
	if len(risks) != 2 {
		t.Fatalf("risks of %d requests, want 2: %v", len(risks), risks)
	}
	rk := risks[inTransit.ID]
	if got, want := [...]int{rk.Loans, rk.Repaid, rk.RepaidOnTime, rk.Defaulted}, [...]int{2, 1, 1, 0}; got != want {
		t.Errorf("history (loans, repaid, on time, defaulted) = %v, want %v", got, want)
	}
	if rk.OnTimeRateBps != 10_000 || rk.Exposure != usdm(10_000) {
		t.Errorf("on-time rate %d bps, exposure %v; want 10000 and 100.00 USD", rk.OnTimeRateBps, rk.Exposure)
	}
	if len(rk.Collateral) != 2 {
		t.Fatalf("collateral = %+v", rk.Collateral)
	}
	sh := rk.Collateral[0]
	if sh.Collateral.Status != "CUSTOMS_CLEARED" || sh.TrackingNumber != "SX123" || sh.LatestEvent != "CUSTOMS_CLEARED Los Angeles" {
		t.Errorf("shipment as it stands now: %+v", sh)
	}
	if want := (LaneScore{Shipments: 10, Delivered: 9, OnTime: 8, Exceptions: 1}); sh.Score == nil || *sh.Score != want {
		t.Errorf("lane score = %+v, want %+v", sh.Score, want)
	}
	if b := risks[booked.ID]; len(b.Collateral) != 1 || b.Collateral[0].TrackingNumber != "SX300" || b.Collateral[0].Score == nil ||
		b.Loans != 2 || b.Exposure != usdm(10_000) {
		t.Errorf("the other request's risk: %+v", b)
	}
	if rk.Collateral[1].Score != nil || rk.Collateral[1].Collateral.Status != inTransit.Collateral[1].Status {
		t.Errorf("stock as valued when asked, without a score: %+v", rk.Collateral[1])
	}
	// The single form is the batch of one.
	for _, r := range []Request{inTransit, booked} {
		one, err := e.svc.RequestRisk(e.lender, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(risks[r.ID], one) {
			t.Errorf("RequestRisk(%s) = %+v, RequestRisks gave %+v", r.ID, one, risks[r.ID])
		}
	}

	// Another partner, without consent, sees none of them.
	if risks, err := e.svc.RequestRisks(e.other, []string{inTransit.ID, booked.ID}); err != nil || len(risks) != 0 {
		t.Errorf("another partner: %v, %v; want none", risks, err)
	}
	if _, err := e.svc.RequestRisk(e.other, inTransit.ID); reasonOf(err) != "NOT_FOUND" {
		t.Errorf("another partner reads a risk: %v", err)
	}
}

package transport

import (
	"context"
	"reflect"
	"strconv"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/event"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/mongodb/mongotest"
)

// Financing's risk picture of a page of requests reads the pledged shipments in one query and
// their carriers' records on their lanes in another, whatever the number of shipments.
func TestCollateralShipmentsAndScorecardsOfLanesAreOneQueryEach(t *testing.T) {
	var commands int
	var counting bool
	mon := &event.CommandMonitor{Started: func(_ context.Context, ev *event.CommandStartedEvent) {
		if counting {
			commands++
		}
	}}
	st := mongotest.Store(t, mon)
	e := newEnvOn(t, st.DB)
	res := e.quote(e.quoteInput(DAP))
	express := e.book(e.quoteOf(res, "SWIFTX", "EXPRESS_WW"), "k1")
	var other Shipment
	for _, q := range res.Quotes {
		if q.CarrierCode != "SWIFTX" || q.ServiceCode != "EXPRESS_WW" {
			other = e.book(q, "k2")
			break
		}
	}
	if other.ID == "" {
		t.Fatal("a single carrier service quoted")
	}
	for i, s := range []Status{StatusPickedUp, StatusInTransit, StatusDelivered} {
		if _, err := e.svc.receive(context.Background(), express.CarrierID, []TrackingUpdate{{EventID: strconv.Itoa(i),
			TrackingNumber: express.TrackingNumber, Status: s, OccurredAt: start.Add(time.Duration(i-4) * time.Hour)}}, SourceCarrier); err != nil {
			t.Fatal(err)
		}
	}

	ctx := context.Background() // no principal: CollateralShipments does no authorization
	commands, counting = 0, true
	list, err := e.svc.CollateralShipments(ctx, []string{e.acct}, []string{express.ID, other.ID, ids.New(ids.Shipment)})
	counting = false
	if err != nil || len(list) != 2 {
		t.Fatalf("collateral shipments: %d, %v; want 2", len(list), err)
	}
	if commands != 1 {
		t.Errorf("collateral shipments: %d commands, want 1", commands)
	}
	for _, sh := range list {
		one, err := e.svc.CollateralShipment(ctx, e.acct, sh.ID)
		if err != nil || !reflect.DeepEqual(one, sh) {
			t.Errorf("CollateralShipments gave %+v, CollateralShipment %+v (%v)", sh, one, err)
		}
	}
	if list, err := e.svc.CollateralShipments(ctx, []string{e.other}, []string{express.ID, other.ID}); err != nil || len(list) != 0 {
		t.Errorf("another account's shipments: %d, %v; want none", len(list), err)
	}

	lanes := []CarrierLane{
		{CarrierID: express.CarrierID, ServiceCode: express.ServiceCode, Origin: "CN", Destination: "US"},
		{CarrierID: other.CarrierID, ServiceCode: other.ServiceCode, Origin: "CN", Destination: "US"},
		{CarrierID: express.CarrierID, ServiceCode: express.ServiceCode, Origin: "CN", Destination: "DE"},
	}
	commands, counting = 0, true
	cards, err := e.svc.ScorecardsOfLanes(e.seller, lanes)
	counting = false
	if err != nil {
		t.Fatal(err)
	}
	if commands != 1 {
		t.Errorf("scorecards of %d lanes: %d commands, want 1", len(lanes), commands)
	}
	for _, l := range lanes {
		want, err := e.svc.ListScorecards(e.seller, ScorecardFilter{CarrierID: l.CarrierID, ServiceCode: l.ServiceCode,
			Origin: l.Origin, Destination: l.Destination})
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			want = nil
		}
		if !reflect.DeepEqual(cards[l], want) {
			t.Errorf("lane %+v: %+v, ListScorecards gives %+v", l, cards[l], want)
		}
	}
	if len(cards[lanes[0]]) != 1 || cards[lanes[0]][0].Delivered != 1 || len(cards[lanes[1]]) != 1 || cards[lanes[1]][0].Shipments != 1 {
		t.Errorf("scorecards: %+v", cards)
	}
	if _, err := e.svc.ScorecardsOfLanes(ctx, lanes); !errs.IsCode(err, errs.Unauthenticated) {
		t.Errorf("without a principal: %v, want UNAUTHENTICATED", err)
	}
}

package loaders_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/event"

	"github.com/tradehub/tradehub/graph"
	"github.com/tradehub/tradehub/graph/cost"
	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/internal/mongodb/mongotest"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/events"
	"github.com/tradehub/tradehub/services/financing"
	"github.com/tradehub/tradehub/services/usage"
)

func (g goodsInTransit) CollateralShipments(ctx context.Context, refs []financing.ShipmentRef) (map[financing.ShipmentRef]financing.ShipmentInfo, error) {
	out := map[financing.ShipmentRef]financing.ShipmentInfo{}
	for _, r := range refs {
		if sh, err := g.CollateralShipment(ctx, r.AccountID, r.ShipmentID); err == nil {
			out[r] = sh
		}
	}
	return out, nil
}

func (g goodsInTransit) LaneScores(ctx context.Context, keys []financing.CarrierLane) (map[financing.CarrierLane]financing.LaneScore, error) {
	out := map[financing.CarrierLane]financing.LaneScore{}
	for _, k := range keys {
		out[k], _ = g.LaneScore(ctx, k.CarrierID, k.ServiceCode, k.Lane)
	}
	return out, nil
}

// callsToTransport counts the calls financing makes to transport for its shipments, and gives
// each carrier its own record, so that a score shown against the wrong shipment shows.
type callsToTransport struct {
	goodsInTransit
	calls  atomic.Int64
	scores map[string]financing.LaneScore // by carrier
}

func (c *callsToTransport) CollateralShipment(ctx context.Context, accountID, id string) (financing.ShipmentInfo, error) {
	c.calls.Add(1)
	return c.goodsInTransit.CollateralShipment(ctx, accountID, id)
}

func (c *callsToTransport) CollateralShipments(ctx context.Context, refs []financing.ShipmentRef) (map[financing.ShipmentRef]financing.ShipmentInfo, error) {
	c.calls.Add(1)
	return c.goodsInTransit.CollateralShipments(ctx, refs)
}

func (c *callsToTransport) LaneScores(_ context.Context, keys []financing.CarrierLane) (map[financing.CarrierLane]financing.LaneScore, error) {
	c.calls.Add(1)
	out := map[financing.CarrierLane]financing.LaneScore{}
	for _, k := range keys {
		out[k] = c.scores[k.CarrierID]
	}
	return out, nil
}

// A finance partner's queue with the risk picture of each request — the partner workspace's
// query: live collateral with its carrier's record on the lane, the account's repayment history
// and exposure with the partner — costs the same store round trips and the same calls to
// transport with 100 requests as with 10: the risks of the queue load through the request's
// dataloader, one read of the requests, one of their shipments, one of their lane records and
// one of their accounts' loans.
func TestFinancingQueueRiskRoundTripsDoNotGrowWithItems(t *testing.T) {
	var trips roundTrips
	var mu sync.Mutex
	var commands []string
	store := mongotest.Store(t, &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		trips.n.Add(1)
		mu.Lock()
		commands = append(commands, e.CommandName+":"+e.Command.Lookup(e.CommandName).String())
		mu.Unlock()
	}})
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	acc, err := access.New(ctx, store.Client, store.DB, logger)
	if err != nil {
		t.Fatal(err)
	}
	if err := mongodb.EnsureIndexes(ctx, store.DB, append(financing.Indexes(), usage.Indexes()...)...); err != nil {
		t.Fatal(err)
	}
	// Two sellers consent to the lender: Ada has a history with it (a loan repaid on time, one
	// open), Bo has none.
	ada, bo, lender := ids.New(ids.User), ids.New(ids.User), ids.New(ids.User)
	adaAcct, boAcct, partner := ids.New(ids.Account), ids.New(ids.Account), ids.New(ids.Partner)
	for _, a := range []access.Assignment{{Subject: ada, Role: access.Owner, Domain: adaAcct}, {Subject: bo, Role: access.Owner, Domain: boAcct},
		{Subject: lender, Role: access.PartnerAdmin, Domain: partner}} {
		if err := acc.Assign(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []string{adaAcct, boAcct} {
		if err := acc.GrantConsent(ctx, a, partner); err != nil {
			t.Fatal(err)
		}
	}
	as := func(u string) context.Context {
		return auth.WithPrincipal(ctx, &auth.Principal{Kind: auth.KindUser, UserID: u})
	}

	usd := money.MustCurrency("USD")
	carriers := []string{ids.New(ids.Carrier), ids.New(ids.Carrier), ids.New(ids.Carrier)}
	ships := &callsToTransport{goodsInTransit: goodsInTransit{}, scores: map[string]financing.LaneScore{
		carriers[0]: {Shipments: 40, Delivered: 38, OnTime: 35, Exceptions: 2},
		carriers[1]: {Shipments: 12, Delivered: 9, OnTime: 6, Exceptions: 2, Lost: 1},
		carriers[2]: {Shipments: 3, Delivered: 3, OnTime: 3},
	}}
	ship := func(acct string, i int) string {
		sh := financing.ShipmentInfo{ID: ids.New(ids.Shipment), AccountID: acct, Status: "IN_TRANSIT", TrackingNumber: fmt.Sprintf("SX%06d", i),
			CarrierID: carriers[i%3], ServiceCode: "EXPRESS", Lane: financing.Lane{Origin: "CN", Destination: "US"},
			DeclaredValue: money.New(500_000, usd), LatestEvent: fmt.Sprintf("IN_TRANSIT at hub %d", i)}
		ships.goodsInTransit[sh.ID] = sh
		return sh.ID
	}
	svc := financing.NewService(financing.Config{DB: store.DB, Access: acc, Partners: acc, Shipments: ships,
		Inventory: &shelfStock{lines: map[string]*financing.StockLine{}}, Usage: usage.NewService(store.DB, clock.System()), Logger: logger})
	product, err := svc.CreateProduct(as(lender), financing.Product{PartnerID: partner, Name: "Goods in transit", Currency: usd,
		APRBps: 1200, FeeBps: 100, MinFee: money.New(5_000, usd), LateFee: money.New(2_500, usd), MaxTenorDays: 90, GraceDays: 5,
		Collateral: []financing.CollateralTerms{{Type: financing.CollateralShipment, AdvanceRateBps: 8000}}})
	if err != nil {
		t.Fatal(err)
	}
	facilities := map[string]string{}
	for _, a := range []string{adaAcct, boAcct} {
		f, err := svc.CreateFacility(as(lender), financing.FacilityInput{AccountID: a, ProductID: product.ID, Limit: money.New(100_000_000, usd)})
		if err != nil {
			t.Fatal(err)
		}
		facilities[a] = f.ID
	}
	ask := func(user, acct string, shipment string, amount int64) financing.Request {
		t.Helper()
		r, err := svc.RequestFinancing(as(user), financing.RequestInput{FacilityID: facilities[acct], Amount: money.New(amount, usd), TenorDays: 60,
			Collateral: []financing.CollateralRef{{Type: financing.CollateralShipment, ID: shipment}}})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// Ada's history: 300.00 repaid in full, 250.00 open.
	for i, amount := range []int64{30_000, 25_000} {
		r := ask(ada, adaAcct, ship(adaAcct, 100+i), amount)
		if _, err := svc.ApproveRequest(as(lender), financing.ApproveInput{RequestID: r.ID}); err != nil {
			t.Fatal(err)
		}
		l, err := svc.FundRequest(as(lender), r.ID)
		if err == nil && i == 0 {
			_, err = svc.RecordPayment(as(lender), l.ID, money.New(l.Outstanding.Total(), usd), "wire-1")
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	// Ten open requests, alternately Ada's and Bo's, each on its own shipment; one approved and
	// one waiting for information, which keeps them in the queue.
	var queued []financing.Request
	for i := range 10 {
		user, acct := ada, adaAcct
		if i%2 == 1 {
			user, acct = bo, boAcct
		}
		queued = append(queued, ask(user, acct, ship(acct, i), int64(100_000+i*1_000)))
	}
	if _, err := svc.ApproveRequest(as(lender), financing.ApproveInput{RequestID: queued[2].ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AskForInformation(as(lender), queued[3].ID, "Who is the buyer?"); err != nil {
		t.Fatal(err)
	}
	// The collateral as it stands now, not as valued when asked.
	ships.goodsInTransit[queued[0].Collateral[0].ID] = func(sh financing.ShipmentInfo) financing.ShipmentInfo {
		sh.Status, sh.LatestEvent = "CUSTOMS_HOLD", "CUSTOMS_HOLD at Los Angeles"
		return sh
	}(ships.goodsInTransit[queued[0].Collateral[0].ID])

	type riskJSON struct {
		Loans, Repaid int
		OnTimeRateBps *int
		Exposure      struct{ Amount, CurrencyCode string }
		Collateral    []struct {
			TrackingNumber, LatestEvent *string
			Collateral                  struct {
				Type, Description, Status string
				Value                     struct{ Amount string }
			}
			Score *struct{ Shipments, Delivered, OnTime int }
		}
	}
	type itemJSON struct {
		ID, AccountID, Status string
		Risk                  *riskJSON
	}
	h := graph.NewHandler(&graph.Resolver{Logger: logger, Financing: svc}, graph.ServerConfig{Logger: logger, LoaderWait: roundTripWait,
		Cost: cost.Config{MaxQueryCost: 1_000_000, BucketSize: 10_000_000, RestoreRate: 1_000_000}})
	queue := func(items int) (storeTrips, transportCalls int64, byID map[string]itemJSON) {
		t.Helper()
		// The risk part of the partner workspace's query (web/src/financing/PartnerFinancing.tsx).
		body, _ := json.Marshal(map[string]any{
			"query": `query($p: ID!) { financingQueue(partnerId: $p) { id accountId status
				risk { loans repaid onTimeRateBps exposure { amount currencyCode }
					collateral { trackingNumber latestEvent collateral { type description status value { amount currencyCode } }
						score { shipments delivered onTime } } } } }`,
			"variables": map[string]any{"p": partner},
		})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body)).WithContext(as(lender))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		mu.Lock()
		commands = nil
		mu.Unlock()
		before, calls := trips.n.Load(), ships.calls.Load()
		h.ServeHTTP(rec, req)
		storeTrips, transportCalls = trips.n.Load()-before, ships.calls.Load()-calls
		mu.Lock()
		t.Logf("%d requests: %v", items, commands)
		mu.Unlock()
		var resp struct {
			Data   struct{ FinancingQueue []itemJSON }
			Errors []any
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || len(resp.Errors) > 0 {
			t.Fatalf("response: %v %s", err, rec.Body.String())
		}
		if len(resp.Data.FinancingQueue) != items {
			t.Fatalf("the queue lists %d requests, want %d", len(resp.Data.FinancingQueue), items)
		}
		byID = map[string]itemJSON{}
		for _, it := range resp.Data.FinancingQueue {
			if it.Risk == nil || len(it.Risk.Collateral) != 1 {
				t.Fatalf("a request without its risk: %+v", it)
			}
			byID[it.ID] = it
		}
		return storeTrips, transportCalls, byID
	}

	fewTrips, fewCalls, few := queue(10)
	// The figures the partner saw before the risks were batched (RequestRisk per request).
	adas := func(it itemJSON) {
		t.Helper()
		rk := it.Risk
		if rk.Loans != 2 || rk.Repaid != 1 || rk.OnTimeRateBps == nil || *rk.OnTimeRateBps != 10_000 || rk.Exposure.Amount != "250.00" || rk.Exposure.CurrencyCode != "USD" {
			t.Errorf("Ada's history in %s: %+v, want 2 loans, 1 repaid, 100 %% on time, 250.00 USD exposure", it.ID, *rk)
		}
	}
	bos := func(it itemJSON) {
		t.Helper()
		rk := it.Risk
		if rk.Loans != 0 || rk.Repaid != 0 || rk.OnTimeRateBps != nil || rk.Exposure.Amount != "0.00" {
			t.Errorf("Bo's history in %s: %+v, want none and 0.00 exposure", it.ID, *rk)
		}
	}
	collateral := func(it itemJSON, i int, status, event string) {
		t.Helper()
		c := it.Risk.Collateral[0]
		want := ships.scores[carriers[i%3]]
		if c.TrackingNumber == nil || *c.TrackingNumber != fmt.Sprintf("SX%06d", i) || c.LatestEvent == nil || *c.LatestEvent != event ||
			c.Collateral.Status != status || c.Collateral.Value.Amount != "5000.00" || c.Score == nil ||
			c.Score.Shipments != int(want.Shipments) || c.Score.Delivered != int(want.Delivered) || c.Score.OnTime != int(want.OnTime) {
			t.Errorf("collateral of request %d: %+v (score %+v), want SX%06d %s %q valued 5000.00 with %+v", i, c, c.Score, i, status, event, want)
		}
	}
	adas(few[queued[0].ID])
	collateral(few[queued[0].ID], 0, "CUSTOMS_HOLD", "CUSTOMS_HOLD at Los Angeles")
	for _, i := range []int{1, 2, 3, 4} {
		if i%2 == 0 {
			adas(few[queued[i].ID])
		} else {
			bos(few[queued[i].ID])
		}
		collateral(few[queued[i].ID], i, "IN_TRANSIT", fmt.Sprintf("IN_TRANSIT at hub %d", i))
	}
	// The single form agrees with the page.
	for _, r := range queued[:4] {
		rk, err := svc.RequestRisk(as(lender), r.ID)
		got := few[r.ID].Risk
		if err != nil || rk.Loans != got.Loans || rk.Repaid != got.Repaid || rk.Exposure.Amount != moneyMinor(got.Exposure.Amount) {
			t.Errorf("RequestRisk(%s) = %+v, %v; the queue showed %+v", r.ID, rk, err, *got)
		}
	}

	// The other 90 requests are copies of those ten documents under new ids, each pledging a
	// shipment of its own, seeded in bulk as the loans test does.
	requests := store.DB.Collection(financing.CollRequests)
	var open []bson.M
	if cur, err := requests.Find(ctx, bson.M{"_id": bson.M{"$in": requestIDs(queued)}}); err != nil || cur.All(ctx, &open) != nil || len(open) != 10 {
		t.Fatalf("read the queued requests: %v (%d)", err, len(open))
	}
	var copies []any
	for i := range 90 {
		d := maps.Clone(open[i%10])
		id := ids.New(ids.FinancingRequest)
		d["_id"], d["id"] = id, id // the request is stored inline: its ID field too
		delete(d, events.OutboxField)
		coll := slices.Clone(d["collateral"].(bson.A))
		c := maps.Clone(coll[0].(bson.M))
		ref := maps.Clone(c["collateralref"].(bson.M))
		ref["id"] = ship(d["accountid"].(string), 10+i)
		c["collateralref"], coll[0] = ref, c
		d["collateral"] = coll
		copies = append(copies, d)
	}
	if _, err := requests.InsertMany(ctx, copies); err != nil {
		t.Fatal(err)
	}
	manyTrips, manyCalls, many := queue(100)
	if fewTrips != manyTrips || fewCalls != manyCalls {
		t.Errorf("round trips %d and calls to transport %d for 10 requests, %d and %d for 100; want the same", fewTrips, fewCalls, manyTrips, manyCalls)
	}
	// One find of the queue, one $in of the requests, one find of their accounts' loans; one
	// call to transport for the shipments and one for their lane records.
	if manyTrips > 3 || manyCalls > 2 {
		t.Errorf("100 requests: %d round trips and %d calls to transport, want at most 3 and 2", manyTrips, manyCalls)
	}
	t.Logf("round trips: 10 requests %d, 100 requests %d; calls to transport: %d, %d", fewTrips, manyTrips, fewCalls, manyCalls)
	// A copy shows its own shipment and its own account's history.
	for i, d := range copies[:4] {
		it, ok := many[d.(bson.M)["_id"].(string)]
		if !ok || len(many) != 100 {
			t.Fatalf("copy %d is not in the queue of %d distinct requests", i, len(many))
		}
		if it.AccountID == adaAcct {
			adas(it)
		} else {
			bos(it)
		}
		collateral(it, 10+i, "IN_TRANSIT", fmt.Sprintf("IN_TRANSIT at hub %d", 10+i))
	}
}

func requestIDs(list []financing.Request) []string {
	out := make([]string, len(list))
	for i, r := range list {
		out[i] = r.ID
	}
	return out
}

// moneyMinor is a Decimal in minor units of a two-decimal currency ("250.00" → 25000).
func moneyMinor(s string) int64 {
	m, err := money.ParseMoney(s, "USD")
	if err != nil {
		return -1
	}
	return m.Amount
}

package transport

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/event"

	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/mongodb/mongotest"
	"github.com/tradehub/tradehub/services/events"
)

// stream makes the shipments' tracking events in memory, per events each: realistic sequences
// with hub scans, customs holds, exceptions, losses and returns, one replayed event and one
// invalid late scan per shipment. Events are in time order.
func stream(r *rand.Rand, numbers []string, base time.Time, per int) []TrackingUpdate {
	var out []TrackingUpdate
	for i, tn := range numbers {
		t := base.Add(time.Duration(r.IntN(72)) * time.Hour)
		var evs []TrackingUpdate
		add := func(st Status, d time.Duration) {
			t = t.Add(d)
			evs = append(evs, TrackingUpdate{EventID: fmt.Sprintf("s%d-e%d", i, len(evs)), TrackingNumber: tn, Status: st, OccurredAt: t})
		}
		add(StatusPickedUp, time.Hour)
		hop := time.Duration(1+100/per) * time.Hour
		scans := per - 12 + r.IntN(3)
		hold := r.IntN(10) == 0
		for k := range scans {
			add(StatusInTransit, hop+time.Duration(r.IntN(60))*time.Minute)
			if hold && k == scans/2 {
				add(StatusCustomsHold, time.Hour)
			}
		}
		final := r.IntN(100)
		switch {
		case final < 3:
			add(StatusLost, 48*time.Hour)
		case final < 5:
			add(StatusReturnedToSender, 24*time.Hour)
		default:
			add(StatusCustomsCleared, time.Duration(1+r.IntN(30))*time.Hour)
			if final < 15 {
				add(StatusException, time.Hour)
			}
			add(StatusOutForDelivery, time.Duration(r.IntN(48))*time.Hour)
			add(StatusDelivered, time.Duration(1+r.IntN(8))*time.Hour)
		}
		add(StatusInTransit, time.Hour)    // a scan after the final state: refused in any order
		evs = append(evs, evs[len(evs)/2]) // a replay
		for len(evs) < per {
			// Pad with more pickup scans a few seconds after the first (before the first
			// transit scan, so valid in any order).
			u := evs[0]
			u.EventID = fmt.Sprintf("s%d-pad%d", i, len(evs))
			u.OccurredAt = evs[0].OccurredAt.Add(time.Duration(len(evs)) * time.Second)
			evs = append(evs, u)
		}
		out = append(out, evs[:per]...)
	}
	slices.SortStableFunc(out, func(a, b TrackingUpdate) int { return a.OccurredAt.Compare(b.OccurredAt) })
	return out
}

// seedShipments inserts n booked SWIFTX CN→US shipments straight into the store (the same
// documents in every database given), half booked in October and half in November, and applies
// their booking ops. It is how the shuffle test gets 500 shipments without 500 bookings.
func seedShipments(t *testing.T, envs []*env, n int) []string {
	t.Helper()
	c := envs[0].carriers["SWIFTX"].Carrier
	var numbers []string
	docs := make([]*shipmentDoc, n)
	for i := range n {
		booked := time.Date(2026, 10+time.Month(i%2), 5, 8, 0, 0, 0, time.UTC)
		id := fmt.Sprintf("shp_01m80a7fhxngtj1j0z%06d", i)
		lane := laneDoc{c.ID, "EXPRESS_WW", "CN", "US", monthOf(booked)}
		d := &shipmentDoc{ID: id, AccountID: envs[0].acct, QuoteID: "qte_x", IdempotencyKey: "seed-" + strconv.Itoa(i),
			CarrierID: c.ID, CarrierCode: c.Code, CarrierName: c.Name, ServiceCode: "EXPRESS_WW", Mode: string(ModeExpress),
			TrackingNumber: TrackingNumber("SX", id, 0), Status: string(StatusBooked), StatusAt: booked,
			Origin: toAddressDoc(*cnOrigin()), Destination: toAddressDoc(usDest()), TransitMin: 3, TransitMax: 5,
			Track: trackDoc{Min: map[string]evKey{}, Max: map[string]evKey{}}, Complaints: []complaintDoc{}, Adjustments: []adjustmentDoc{}, Documents: []docRefDoc{},
			ScoreLane: lane, ScoreKey: ScorecardKey{lane.CarrierID, lane.ServiceCode, lane.Origin, lane.Destination, lane.Month}.id(),
			Scored: contribution{Shipments: 1}, OpSeq: 1, PendingCount: 1, BookedAt: booked, UpdatedAt: booked,
			Pending: map[string]opDoc{"1": {Kind: opInc, Coll: CollScorecards, Inc: []incDoc{{scShipments, 1}}, Lane: &lane}}}
		op := d.Pending["1"]
		op.DocID = d.ScoreKey
		d.Pending["1"] = op
		docs[i] = d
		numbers = append(numbers, d.TrackingNumber)
	}
	for _, e := range envs {
		insert := make([]any, n)
		for i, d := range docs {
			insert[i] = d
		}
		if _, err := e.db.Collection(CollShipments).InsertMany(context.Background(), insert); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.applyPending(context.Background(), docs); err != nil {
			t.Fatal(err)
		}
	}
	return numbers
}

func (e *env) feed(t *testing.T, ups []TrackingUpdate, batch int) map[Outcome]int {
	t.Helper()
	c := e.carriers["SWIFTX"].Carrier
	counts := map[Outcome]int{}
	for i := 0; i < len(ups); i += batch {
		res, err := e.svc.receive(context.Background(), c.ID, ups[i:min(i+batch, len(ups))], SourceCarrier)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			counts[r.Outcome]++
		}
	}
	return counts
}

func (e *env) scorecards(t *testing.T) map[string]Scorecard {
	t.Helper()
	list, err := e.svc.ListScorecards(e.seller, ScorecardFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Scorecard{}
	for _, sc := range list {
		out[sc.ScorecardKey.id()] = sc
	}
	return out
}

// TestScorecardShuffledStream replays 10,000 tracking events (50 shipments × 200) once in time
// order and once shuffled, into two databases holding the same shipments, and requires exactly
// the same scorecards, matching an in-memory oracle.
func TestScorecardShuffledStream(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 events")
	}
	// 50 shipments × 200 events in batches of 2,500 (as a carrier poller's page would bring
	// them; the webhook's 500-event cap is tested elsewhere): few shipments and big batches
	// keep the guarded writes few, which is what costs on the embedded store.
	const shipments, per, batch = 50, 200, 2500
	ordered := newEnv(t)
	shuffled := newEnvWithCarriersOf(t, ordered)
	numbers := seedShipments(t, []*env{ordered, shuffled}, shipments)
	r := rand.New(rand.NewPCG(7, 11))
	evs := stream(r, numbers, time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC), per)
	if len(evs) != 10_000 {
		t.Fatalf("%d events", len(evs))
	}
	mixed := slices.Clone(evs)
	r.Shuffle(len(mixed), func(i, j int) { mixed[i], mixed[j] = mixed[j], mixed[i] })
	for _, e := range []*env{ordered, shuffled} {
		e.clk.Set(time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC))
	}
	t0 := time.Now()
	a := ordered.feed(t, evs, batch)
	t.Logf("ordered stream: %v", time.Since(t0))
	t0 = time.Now()
	b := shuffled.feed(t, mixed, batch)
	t.Logf("shuffled stream: %v", time.Since(t0))
	// Each shipment has one replayed event and one scan after its final state: in time order
	// the scan is refused on arrival; shuffled, it may arrive first and be set aside later.
	if a[OutcomeReplayed] != shipments || b[OutcomeReplayed] != shipments || a[OutcomeInvalidTransition] != shipments ||
		b[OutcomeInvalidTransition] > shipments || a[OutcomeFailed]+b[OutcomeFailed] != 0 {
		t.Errorf("ordered outcomes %v, shuffled %v", a, b)
	}

	// The oracle: derive each shipment's facts from its whole event set.
	byNumber := map[string][]eventDoc{}
	for _, u := range evs {
		byNumber[u.TrackingNumber] = append(byNumber[u.TrackingNumber], eventDoc{ID: u.EventID, Status: string(u.Status), OccurredAt: u.OccurredAt})
	}
	var want contribution
	for _, n := range numbers {
		c := contributionOf(derive(byNumber[n]).facts, 5, nil)
		want.Shipments += c.Shipments
		want.Delivered += c.Delivered
		want.OnTime += c.OnTime
		want.Lost += c.Lost
		want.Exceptions += c.Exceptions
		want.CustomsHolds += c.CustomsHolds
		want.Returned += c.Returned
	}

	sa, sb := ordered.scorecards(t), shuffled.scorecards(t)
	if len(sa) != 2 || len(sb) != 2 {
		t.Fatalf("%d and %d scorecards, want 2 (October and November)", len(sa), len(sb))
	}
	var got contribution
	for k, x := range sa {
		y := sb[k]
		x.ScorecardKey, y.ScorecardKey = ScorecardKey{}, ScorecardKey{}
		if fmt.Sprintf("%+v", x) != fmt.Sprintf("%+v", fmtScorecard(y)) && fmt.Sprintf("%v", fmtScorecard(x)) != fmt.Sprintf("%v", fmtScorecard(y)) {
			t.Errorf("scorecard %s differs:\nordered  %v\nshuffled %v", k, fmtScorecard(x), fmtScorecard(y))
		}
		got.Shipments += x.Shipments
		got.Delivered += x.Delivered
		got.OnTime += x.OnTime
		got.Lost += x.Lost
		got.Exceptions += x.Exceptions
		got.CustomsHolds += x.CustomsHolds
		got.Returned += x.Returned
	}
	if got != want {
		t.Errorf("scorecards sum to %+v, the oracle says %+v", got, want)
	}
	if want.Delivered < 35 || want.Lost+want.Returned == 0 || want.Exceptions == 0 || want.CustomsHolds == 0 {
		t.Errorf("the stream lacks variety: %+v", want)
	}
	// Every shipment ends in the same status both ways.
	for _, e := range []*env{ordered, shuffled} {
		if n := e.count(CollShipments, bson.D{{Key: fPendingCount, Value: bson.D{{Key: "$gt", Value: 0}}}}); n != 0 {
			t.Errorf("%d shipments with pending ops", n)
		}
	}
	statuses := func(e *env) map[string]string {
		docs, err := e.svc.findShipments(context.Background(), bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, d := range docs {
			m[d.ID] = d.Status
		}
		return m
	}
	if fmt.Sprint(statuses(ordered)) != fmt.Sprint(statuses(shuffled)) {
		t.Error("shipment statuses differ between the orders")
	}
}

func fmtScorecard(s Scorecard) string {
	p := func(x *int) string {
		if x == nil {
			return "-"
		}
		return strconv.Itoa(*x)
	}
	return fmt.Sprintf("ship=%d del=%d on=%d late=%d exc=%d hold=%d lost=%d ret=%d hist=%v p50=%s p90=%s compl=%v",
		s.Shipments, s.Delivered, s.OnTime, s.Late, s.Exceptions, s.CustomsHolds, s.Lost, s.Returned,
		s.TransitHistogram, p(s.P50Days), p(s.P90Days), s.Complaints)
}

// newEnvWithCarriersOf makes a second environment whose carriers have the same ids as base's,
// so that the same shipment documents and event streams fit both.
func newEnvWithCarriersOf(t *testing.T, base *env) *env {
	t.Helper()
	db := mongotest.DB(t)
	ctx := context.Background()
	cur, err := base.db.Collection(CollCarriers).Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var docs []any
	var raw []bson.Raw
	if err := cur.All(ctx, &raw); err != nil {
		t.Fatal(err)
	}
	for _, r := range raw {
		docs = append(docs, r)
	}
	if _, err := db.Collection(CollCarriers).InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	e := newEnvOn(t, db)
	e.acct, e.seller = base.acct, base.seller
	e.svc.access = base.svc.access
	return e
}

// TestScorecardReadIsOneQuery counts the commands a scorecard read sends.
func TestScorecardReadIsOneQuery(t *testing.T) {
	var finds int
	var counting bool
	mon := &event.CommandMonitor{Started: func(_ context.Context, ev *event.CommandStartedEvent) {
		if counting {
			finds++
		}
	}}
	st := mongotest.Store(t, mon)
	e := newEnvOn(t, st.DB)
	sh := e.book(e.quoteOf(e.quote(e.quoteInput(DAP)), "SWIFTX", "EXPRESS_WW"), "k")
	for i, s := range []Status{StatusPickedUp, StatusInTransit, StatusInTransit, StatusDelivered} {
		if _, err := e.svc.receive(context.Background(), sh.CarrierID, []TrackingUpdate{{EventID: strconv.Itoa(i),
			TrackingNumber: sh.TrackingNumber, Status: s, OccurredAt: start.Add(time.Duration(i-4) * time.Hour)}}, SourceCarrier); err != nil {
			t.Fatal(err)
		}
	}
	counting = true
	sc, err := e.svc.Scorecard(e.seller, ScorecardKey{sh.CarrierID, sh.ServiceCode, "CN", "US", "2026-11"})
	counting = false
	if err != nil || sc.Delivered != 1 {
		t.Fatalf("%+v %v", sc, err)
	}
	if finds != 1 {
		t.Errorf("a scorecard read sent %d commands, want 1", finds)
	}
}

// TestDeriveIgnoresOrder folds random permutations of event sets and requires the same result.
func TestDeriveIgnoresOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	statuses := Statuses()[1:]
	for range 2000 {
		n := 1 + r.IntN(8)
		evs := make([]eventDoc, n)
		for i := range evs {
			evs[i] = eventDoc{ID: strconv.Itoa(i), Status: string(statuses[r.IntN(len(statuses))]),
				OccurredAt: start.Add(time.Duration(r.IntN(5)) * time.Hour)}
		}
		want := derive(evs)
		for range 5 {
			p := slices.Clone(evs)
			r.Shuffle(len(p), func(i, j int) { p[i], p[j] = p[j], p[i] })
			got := derive(p)
			if got.status != want.status || fmt.Sprint(got.facts) != fmt.Sprint(want.facts) || fmt.Sprint(got.valid) != fmt.Sprint(want.valid) {
				t.Fatalf("derive depends on order: %+v vs %+v", got, want)
			}
			// Refusing at arrival agrees with the fold: an event invalid among a subset stays
			// invalid in the whole set.
			sub := derive(p[:len(p)/2+1])
			for i, x := range sub.ordered {
				if sub.valid[i] {
					continue
				}
				for j, y := range want.ordered {
					if y.ID == x.ID && want.valid[j] {
						t.Fatalf("event %s invalid in a subset but valid in the set", x.ID)
					}
				}
			}
		}
	}
}

// TestTrackMatchesFold checks the aggregate state against the reference fold (derive) on random
// event sets arriving in random orders, refusing at arrival what the aggregates refuse.
func TestTrackMatchesFold(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	statuses := Statuses()[1:]
	for round := range 5000 {
		n := 1 + r.IntN(10)
		evs := make([]eventDoc, n)
		for i := range evs {
			evs[i] = eventDoc{ID: strconv.Itoa(i), Status: string(statuses[r.IntN(len(statuses))]),
				OccurredAt: start.Add(time.Duration(r.IntN(6)) * time.Hour)}
		}
		want := derive(evs)
		r.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
		var tr trackDoc
		for _, e := range evs {
			k := evKey{T: e.OccurredAt, ID: e.ID}
			if tr.allows(Status(e.Status), k) {
				tr.add(Status(e.Status), k)
			}
		}
		status, key, facts := tr.state()
		if status != want.status || !key.T.Equal(want.statusAt) && !(key.zero() && want.statusAt.IsZero()) ||
			fmt.Sprint(facts) != fmt.Sprint(want.facts) {
			t.Fatalf("round %d: aggregates say %s at %v %+v, the fold %s at %v %+v (events %+v)",
				round, status, key.T, facts, want.status, want.statusAt, want.facts, evs)
		}
		for i, e := range want.ordered {
			if got := tr.allows(Status(e.Status), evKey{T: e.OccurredAt, ID: e.ID}); got != want.valid[i] {
				t.Fatalf("round %d: event %+v valid %v by aggregates, %v by the fold", round, e, got, want.valid[i])
			}
		}
	}
}

// TestListRoundTripsDoNotGrow: a page of 100 shipments, with carrier names, latest event and
// declaration, costs the same store round trips as a page of 10.
func TestListRoundTripsDoNotGrow(t *testing.T) {
	var commands int
	var counting bool
	mon := &event.CommandMonitor{Started: func(_ context.Context, ev *event.CommandStartedEvent) {
		if counting {
			commands++
		}
	}}
	st := mongotest.Store(t, mon)
	e := newEnvOn(t, st.DB)
	seedShipments(t, []*env{e}, 100)
	count := func(n int) int {
		w, err := cursor.Page{First: &n}.Validate(cursor.MaxLimit)
		if err != nil {
			t.Fatal(err)
		}
		commands, counting = 0, true
		res, err := e.svc.ListShipments(e.seller, e.acct, ShipmentFilter{}, w)
		counting = false
		if err != nil || len(res.Items) != n {
			t.Fatalf("%d items, %v", len(res.Items), err)
		}
		return commands
	}
	if ten, hundred := count(10), count(100); ten != hundred || ten != 1 {
		t.Errorf("10 shipments: %d commands, 100 shipments: %d; want 1 and 1", ten, hundred)
	}
}

type fakeSubscriber struct{ ch chan events.Event }

func (f fakeSubscriber) Subscribe(string) (<-chan events.Event, func()) { return f.ch, func() {} }

func TestSubscribeShipments(t *testing.T) {
	e := newEnv(t)
	sub := fakeSubscriber{ch: make(chan events.Event, 4)}
	e.svc.cfg.Subscriber = sub
	sh := e.book(e.quote(e.quoteInput(DAP)).Quotes[0], "k")
	ctx, cancel := context.WithCancel(e.seller)
	defer cancel()
	ch, stop, err := e.svc.SubscribeShipments(ctx, e.acct, sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	sub.ch <- events.Event{Type: "inventory.adjusted", ObjectID: "sku_1"}
	sub.ch <- events.Event{Type: "shipment.status_changed", ObjectID: "shp_other"}
	sub.ch <- events.Event{Type: "shipment.status_changed", ObjectID: sh.ID}
	select {
	case c := <-ch:
		if c.ShipmentID != sh.ID || c.Event.Type != "shipment.status_changed" {
			t.Errorf("got %+v", c)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no change delivered")
	}
	if _, _, err := e.svc.SubscribeShipments(e.stranger, e.other, sh.ID); !errs.IsCode(err, errs.NotFound) {
		t.Errorf("a stranger subscribing: %v", err)
	}
	if _, _, err := e.svc.SubscribeShipments(e.seller, e.acct, "shp_01m80a7fhxngtj1j0z5kxjxd1r"); !errs.IsCode(err, errs.NotFound) {
		t.Errorf("unknown shipment: %v", err)
	}
}

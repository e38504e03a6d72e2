package main

// Transport's part of the harness: shipments cloned from the demo's one in-transit shipment
// (with their tracking events, customs declaration and documents), the shipments list and a
// quote as operations, and a carrier scorecard read as the tracking events behind it grow.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/services/transport"
)

// eventsPerShipment is how many tracking events each seeded shipment has: one pick-up scan and
// then in-transit scans.
const eventsPerShipment = 10

// shipmentTemplates are the demo documents shipments are cloned from: Brightlight's CN→US
// shipment in transit (cmd/tradehub seedFinancingDemo), one of its tracking events, its
// documents (label and commercial invoice) and the scorecard of its carrier service and lane.
type shipmentTemplates struct {
	shipment, event, scorecard bson.M
	documents                  []bson.M
	carrierID, service         string
	origin, destination        string
}

func shipmentTemplatesOf(ctx context.Context, db *mongo.Database) (*shipmentTemplates, error) {
	sh, err := one(ctx, db, transport.CollShipments, bson.M{"status": "IN_TRANSIT"})
	if err != nil {
		return nil, err
	}
	t := &shipmentTemplates{shipment: sh, carrierID: sh["carrierId"].(string), service: sh["serviceCode"].(string)}
	lane, _ := sh["scoreLane"].(bson.M)
	t.origin, _ = lane["origin"].(string)
	t.destination, _ = lane["destination"].(string)
	if t.origin == "" || t.destination == "" {
		return nil, fmt.Errorf("template shipment %s has no scorecard lane", sh["_id"])
	}
	if t.event, err = one(ctx, db, transport.CollTrackingEvents, bson.M{"shipmentId": sh["_id"]}); err != nil {
		return nil, err
	}
	if t.scorecard, err = one(ctx, db, transport.CollScorecards, bson.M{"_id": sh["scoreKey"]}); err != nil {
		return nil, err
	}
	cur, err := db.Collection(transport.CollDocuments).Find(ctx, bson.M{"shipmentId": sh["_id"]})
	if err != nil {
		return nil, err
	}
	if err := cur.All(ctx, &t.documents); err != nil {
		return nil, err
	}
	return t, nil
}

// shipment is a clone of the template shipment for account, with id and idempotency key,
// booked at bookedAt, whose tracking events are evs (in time order; none leaves it BOOKED): its
// own declaration id and tracking number (carrier × tracking number is unique), and its tracking
// state (track, latestEvent, eventCount, status, facts) as the service's fold gives for those
// events. docs are its documents (label and commercial invoice), cloned too.
func (d *dataset) shipment(account, id, key string, bookedAt time.Time, evs []bson.M) (sh bson.M, docs []any) {
	t := d.ship
	seq := d.seq.Add(1)
	sh = clone(t.shipment)
	sh["_id"], sh["accountId"], sh["idempotencyKey"], sh["reference"] = id, account, key, fmt.Sprintf("PO-BENCH-%d", seq)
	// The quote it was booked from is not cloned: quotes are swept once expired, so a shipment's
	// quoteId names a quote that is gone, as here.
	sh["quoteId"] = ids.New(ids.Quote)
	tn, _ := t.shipment["trackingNumber"].(string)
	number := fmt.Sprintf("%.2sBENCH%09d", tn, seq)
	sh["trackingNumber"] = number
	sh["bookedAt"], sh["updatedAt"], sh["statusAt"] = bookedAt, bookedAt, bookedAt
	// The documents' file names carry the tracking number (label) and the declaration id
	// (commercial invoice).
	names := strings.NewReplacer(tn, number)
	if decl, ok := sh["declaration"].(bson.M); ok {
		old, id := decl["id"].(string), ids.New(ids.Declaration)
		decl["id"], decl["createdAt"] = id, bookedAt
		names = strings.NewReplacer(tn, number, old, id)
	}
	for _, ref := range sh["documents"].(bson.A) {
		ref := ref.(bson.M)
		ref["fileName"] = names.Replace(ref["fileName"].(string))
	}
	month := bookedAt.Format("2006-01")
	lane := clone(t.shipment["scoreLane"].(bson.M))
	lane["month"] = month
	sh["scoreLane"] = lane
	sh["scoreKey"] = scorecardID(t, month)
	sh["pending"], sh["pendingCount"], sh["opSeq"], sh["version"] = bson.M{}, int64(0), int64(0), int64(1)
	sh["writeId"] = ids.New(ids.Event)

	// The events are one pick-up then in-transit scans, in time order: each status's earliest
	// and latest event are its first and last, and the status is the last event's.
	mins, maxes := bson.M{}, bson.M{}
	sh["status"], sh["facts"], sh["eventCount"] = "BOOKED", bson.M{}, int64(len(evs))
	delete(sh, "latestEvent")
	for _, ev := range evs {
		status, at := ev["status"].(string), ev["occurredAt"].(time.Time)
		if status == "PICKED_UP" {
			sh["facts"] = bson.M{"pickedUpAt": at}
		}
		key := bson.M{"t": at, "i": ev["eventId"]}
		if _, ok := mins[status]; !ok {
			mins[status] = key
		}
		maxes[status] = key
		sh["status"], sh["statusAt"], sh["updatedAt"] = status, at, at
		sh["latestEvent"] = bson.M{"id": ev["eventId"], "status": status, "occurredAt": at, "location": ev["location"],
			"source": ev["source"], "recordedAt": ev["recordedAt"]}
	}
	sh["track"] = bson.M{"min": mins, "max": maxes}
	for _, doc := range t.documents {
		x := clone(doc)
		x["_id"], x["accountId"], x["shipmentId"], x["createdAt"] = id+":"+x["kind"].(string), account, id, bookedAt
		x["fileName"] = names.Replace(x["fileName"].(string))
		docs = append(docs, x)
	}
	return sh, docs
}

// scans are a shipment's tracking events from the i-th to the (n-1)-th: the first (i = 0) a
// pick-up an hour after booking, the others in-transit scans every interval after it.
func (d *dataset) scans(account, shipmentID string, bookedAt time.Time, from, n int, interval time.Duration) []bson.M {
	var out []bson.M
	for i := from; i < n; i++ {
		status := "IN_TRANSIT"
		if i == 0 {
			status = "PICKED_UP"
		}
		out = append(out, d.event(account, shipmentID, status, bookedAt.Add(time.Hour+time.Duration(i)*interval), fmt.Sprintf("Scan %d", i+1)))
	}
	return out
}

// event is a tracking event cloned from the template's (a staff scan).
func (d *dataset) event(account, shipmentID, status string, at time.Time, location string) bson.M {
	e := clone(d.ship.event)
	eid := "staff_" + ids.New(ids.Event)
	e["_id"], e["accountId"], e["shipmentId"], e["eventId"] = shipmentID+"|"+eid, account, shipmentID, eid
	e["status"], e["occurredAt"], e["recordedAt"], e["location"] = status, at, at, location
	delete(e, "weightGrams")
	return e
}

func scorecardID(t *shipmentTemplates, month string) string {
	return t.carrierID + "|" + t.service + "|" + t.origin + "|" + t.destination + "|" + month
}

// countShipments adds n shipments booked in month to the scorecard of the template's carrier
// service and lane, creating it if need be, as the booking's op would: the seeded shipments'
// "scored" contribution (one shipment each) is then counted in the scorecard.
func countShipments(ctx context.Context, db *mongo.Database, t *shipmentTemplates, month string, n int) error {
	sc := clone(t.scorecard)
	for _, k := range []string{"_id", "shipments", "seen", "seenAt", "lastOpAt"} {
		delete(sc, k)
	}
	sc["month"] = month
	for k, v := range sc {
		if _, ok := v.(int64); ok {
			sc[k] = int64(0) // counters start at zero; the demo's own shipment is not in a new month
		}
	}
	sc["transit"], sc["complaints"] = bson.M{}, bson.M{}
	_, err := db.Collection(transport.CollScorecards).UpdateOne(ctx, bson.M{"_id": scorecardID(t, month)},
		bson.M{"$inc": bson.M{"shipments": int64(n)}, "$setOnInsert": sc}, options.Update().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("seed scorecard %s: %w", month, err)
	}
	return nil
}

// seedShipments gives every account shipmentsPer shipments in transit, booked a minute apart
// ending two days ago, each with eventsPerShipment tracking events, a customs declaration and
// its documents.
func seedShipments(ctx context.Context, db *mongo.Database, d *dataset, shipmentsPer int) error {
	var err error
	if d.ship, err = shipmentTemplatesOf(ctx, db); err != nil {
		return err
	}
	end := time.Now().UTC().Add(-48 * time.Hour)
	var shipments, events, docs []any
	perMonth := map[string]int{}
	for ai, a := range d.accounts {
		for i := range shipmentsPer {
			at := end.Add(-time.Duration(shipmentsPer-i) * time.Minute).Truncate(time.Millisecond)
			id := ids.New(ids.Shipment)
			evs := d.scans(a, id, at, 0, eventsPerShipment, 2*time.Hour)
			sh, ds := d.shipment(a, id, fmt.Sprintf("bench-%d-%d", ai, i), at, evs)
			shipments, docs = append(shipments, sh), append(docs, ds...)
			for _, e := range evs {
				events = append(events, e)
			}
			perMonth[at.Format("2006-01")]++
		}
	}
	for _, x := range []struct {
		coll string
		docs []any
	}{{transport.CollShipments, shipments}, {transport.CollTrackingEvents, events}, {transport.CollDocuments, docs}} {
		if err := insert(ctx, db, x.coll, x.docs); err != nil {
			return err
		}
	}
	for month, n := range perMonth {
		if err := countShipments(ctx, db, d.ship, month, n); err != nil {
			return err
		}
	}
	d.shipments, d.events = len(shipments), len(events)
	return nil
}

// transportOperations are the shipments list (what the portal's shipments page reads) and a
// quote (a write: it stores the ranked quotes).
func (h *harness) transportOperations() []operation {
	t := h.d.ship
	return []operation{
		{name: "shipments (20, carrier, latest events, declarations)",
			query: `query($a: ID!) { shipments(accountId: $a, first: 20) { nodes { id reference status statusAt trackingNumber serviceName
				carrier { code name } destination { city country } latestEvent { status occurredAt location }
				declaration { incoterm items { description hsCode quantity unitValue { amount currencyCode } } estimate { total { amount currencyCode } } flags { code } } }
				pageInfo { hasNextPage endCursor } } }`,
			vars: func(r *rand.Rand) map[string]any { return map[string]any{"a": h.d.account(r)} },
			floor: func(ctx context.Context, r *rand.Rand) error {
				// Newest first: bookedAt descending, _id to break ties; one more than the page
				// tells whether there is a next one. The declaration and the latest event are in
				// the shipment document.
				cur, err := h.db.Collection(transport.CollShipments).Find(ctx, bson.M{"accountId": h.d.account(r)},
					options.Find().SetSort(bson.D{{Key: "bookedAt", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(21).
						SetProjection(bson.M{"outbox": 0}))
				if err != nil {
					return err
				}
				var page []bson.M
				if err := cur.All(ctx, &page); err != nil {
					return err
				}
				var carriers []string
				for _, s := range page {
					carriers = append(carriers, s["carrierId"].(string))
				}
				if len(carriers) == 0 {
					return nil // no shipments (-shipments 0): the gateway loads no carriers either
				}
				_, err = h.find(ctx, transport.CollCarriers, bson.M{"_id": bson.M{"$in": carriers}}, nil, 0)
				return err
			}},
		{name: "quoteShipment (mutation: rank and store quotes)",
			query: `mutation($in: QuoteShipmentInput!) { quoteShipment(input: $in) {
				quotes { id rank carrier { code name } serviceName mode transitDaysMin transitDaysMax expiresAt
					breakdown { total { amount currencyCode } } pool { saving { amount currencyCode } }
					scorecard { onTimeRate reliability } dutyEstimate { total { amount currencyCode } } customsFlags { code } }
				unavailable { carrierCode serviceCode reason } userErrors { code field } } }`,
			vars: func(r *rand.Rand) map[string]any {
				return map[string]any{"in": map[string]any{"accountId": h.d.account(r),
					"origin":      map[string]any{"name": "Brightlight", "line1": "1 Keji Rd", "city": "Shenzhen", "country": t.origin},
					"destination": map[string]any{"name": "Maya", "line1": "500 Congress Ave", "city": "Austin", "postalCode": "78701", "country": t.destination},
					"parcels":     []any{map[string]any{"weightKg": "1.5", "lengthCm": "30", "widthCm": "20", "heightCm": "10"}},
					"contents": []any{map[string]any{"description": "LED desk lamp", "hsCode": "940521", "originCountry": "CN", "quantity": 1,
						"unitValue": map[string]any{"amount": "25.00", "currencyCode": "USD"}}}}}
			},
			floor: h.quoteFloor},
	}
}

// quoteFloor is a quote's data access as the fewest direct store calls: the lane's rate cards,
// their carriers, the destination's customs rule, the lane's pooled volumes, the carrier
// services' scorecards for the last three months, one insert of the priced quotes (one per
// rate card, cloned from a stored quote) and the audit entry every mutation writes (cloned from
// one the gateway wrote: the floor runs after it).
func (h *harness) quoteFloor(ctx context.Context, r *rand.Rand) error {
	t := h.d.ship
	h.auditOnce.Do(func() { h.auditTmpl, h.auditErr = one(ctx, h.db, "audit_entries", bson.M{"action": "quoteShipment"}) })
	if h.auditErr != nil {
		return h.auditErr
	}
	now := time.Now().UTC()
	cards, err := h.find(ctx, transport.CollRateCards, bson.M{"destination": t.destination, "origin": bson.M{"$in": []string{t.origin}},
		"effectiveFrom": bson.M{"$lte": now}, "$or": bson.A{bson.M{"effectiveTo": nil}, bson.M{"effectiveTo": bson.M{"$gt": now}}}}, nil, 0)
	if err != nil {
		return err
	}
	var carriers, pools, scores []string
	month := now.Format("2006-01")
	for _, c := range cards {
		carriers = append(carriers, c["carrierId"].(string))
		pools = append(pools, fmt.Sprintf("%s|%s|%s|%s|%s", c["carrierId"], c["serviceCode"], c["origin"], c["destination"], month))
		for m := range transport.ScorecardMonths {
			mm := time.Date(now.Year(), now.Month()-time.Month(m), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
			scores = append(scores, fmt.Sprintf("%s|%s|%s|%s|%s", c["carrierId"], c["serviceCode"], t.origin, t.destination, mm))
		}
	}
	if _, err := h.find(ctx, transport.CollCarriers, bson.M{"_id": bson.M{"$in": carriers}, "active": true}, nil, 0); err != nil {
		return err
	}
	if _, err := h.find(ctx, transport.CollCustomsRules, bson.M{"_id": t.destination}, nil, 1); err != nil {
		return err
	}
	if _, err := h.find(ctx, transport.CollPool, bson.M{"_id": bson.M{"$in": pools}}, nil, 0); err != nil {
		return err
	}
	if _, err := h.find(ctx, transport.CollScorecards, bson.M{"_id": bson.M{"$in": scores}}, nil, 0); err != nil {
		return err
	}
	if len(cards) == 0 {
		return fmt.Errorf("no rate cards for %s→%s", t.origin, t.destination)
	}
	quotes := make([]any, len(cards))
	for i := range quotes {
		q := clone(h.d.quoteTmpl)
		q["_id"], q["accountId"], q["requestId"], q["createdAt"] = ids.New(ids.Quote), h.d.account(r), ids.New(ids.Quote), now
		q["expiresAt"] = now.Add(transport.DefaultQuoteTTL)
		delete(q, "bookedShipmentId")
		quotes[i] = q
	}
	if _, err := h.db.Collection(transport.CollQuotes).InsertMany(ctx, quotes); err != nil {
		return err
	}
	e := clone(h.auditTmpl)
	e["_id"], e["accountId"], e["occurredAt"] = ids.New(ids.AuditEntry), quotes[0].(bson.M)["accountId"], now
	_, err = h.db.Collection("audit_entries").InsertOne(ctx, e)
	return err
}

// scorecardGrowth reads one carrier scorecard (one carrier service, lane and month) as the
// tracking events of the shipments it counts grow: shipmentsPer shipments of the first account,
// booked in a month of their own, with 0, then 1,000 and 10,000 events per -scale spread over
// them. Each size rewrites the shipments' tracking state to match their events, as the service
// would have.
func (h *harness) scorecardGrowth(measure func(check string, size int, op operation) error) error {
	ctx := context.Background()
	t, a := h.d.ship, h.d.accounts[0]
	month := time.Date(2025, time.June, 1, 0, 0, 0, 0, time.UTC) // before the demo's history: this scorecard is theirs alone
	n := 50 * h.c.scale
	if err := countShipments(ctx, h.db, t, month.Format("2006-01"), n); err != nil {
		return err
	}
	read := operation{name: "scorecard",
		query: `query($f: ScorecardFilter) { scorecards(filter: $f) { carrier { code name } serviceCode origin destination month
			shipments delivered onTime late exceptions customsHolds lost transitHistogram p50Days p90Days onTimeRate exceptionRate lostRate } }`,
		vars: func(*rand.Rand) map[string]any {
			return map[string]any{"f": map[string]any{"carrierId": t.carrierID, "serviceCode": t.service, "origin": t.origin,
				"destination": t.destination, "fromMonth": month.Format("2006-01"), "toMonth": month.Format("2006-01")}}
		}}
	shipIDs := make([]string, n)
	booked := make([]time.Time, n)
	timelines := make([][]bson.M, n)
	for i := range n {
		shipIDs[i], booked[i] = ids.New(ids.Shipment), month.Add(time.Duration(i)*time.Hour)
	}
	for _, target := range []int{0, 1000 * h.c.scale, 10000 * h.c.scale} {
		per := target / n
		if per >= transport.MaxTimelineEvents {
			return fmt.Errorf("scorecard growth: %d events per shipment is beyond a timeline's %d", per, transport.MaxTimelineEvents)
		}
		// The events beyond those stored go in, and the shipments are replaced by what they are
		// with all their events.
		var shipments, events, docs []any
		for i := range n {
			more := h.d.scans(a, shipIDs[i], booked[i], len(timelines[i]), per, 10*time.Minute)
			timelines[i] = append(timelines[i], more...)
			for _, e := range more {
				events = append(events, e)
			}
			sh, ds := h.d.shipment(a, shipIDs[i], fmt.Sprintf("growth-%d", i), booked[i], timelines[i])
			shipments = append(shipments, sh)
			if target == 0 {
				docs = append(docs, ds...)
			}
		}
		if len(docs) > 0 {
			if err := insert(ctx, h.db, transport.CollDocuments, docs); err != nil {
				return err
			}
		}
		if len(events) > 0 {
			if err := insert(ctx, h.db, transport.CollTrackingEvents, events); err != nil {
				return err
			}
		}
		if _, err := h.db.Collection(transport.CollShipments).DeleteMany(ctx, bson.M{"_id": bson.M{"$in": shipIDs}}); err != nil {
			return err
		}
		if err := insert(ctx, h.db, transport.CollShipments, shipments); err != nil {
			return err
		}
		if err := measure("scorecard: one carrier lane month vs its tracking events", target, read); err != nil {
			return err
		}
	}
	return nil
}

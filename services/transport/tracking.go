package transport

import (
	"context"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/audit"
	"github.com/tradehub/tradehub/services/events"
	"github.com/tradehub/tradehub/services/transport/ratecard"
	"github.com/tradehub/tradehub/services/usage"
)

// MaxTimelineEvents bounds a shipment's timeline.
const MaxTimelineEvents = 300

// maxCASAttempts bounds the retries of a guarded shipment write that lost a race.
const maxCASAttempts = 8

// Outcome is what became of one tracking update.
type Outcome string

const (
	OutcomeAccepted          Outcome = "ACCEPTED"                // in the timeline (and the status, if it moves it)
	OutcomeReplayed          Outcome = "REPLAYED"                // this event id is already in the timeline
	OutcomeInvalidTransition Outcome = "INVALID_TRANSITION"      // refused: a backward move or after a final state
	OutcomeUnknownShipment   Outcome = "UNKNOWN_TRACKING_NUMBER" // no shipment of this carrier has it
	OutcomeInvalid           Outcome = "INVALID"                 // malformed: see Message
	OutcomeFailed            Outcome = "FAILED"                  // a store failure: send it again
)

// UpdateResult is the outcome of one tracking update, in the order they were given.
type UpdateResult struct {
	EventID    string
	Outcome    Outcome
	ShipmentID string
	Status     Status // the shipment's status after the batch
	Message    string
}

func validUpdate(u TrackingUpdate, now time.Time) string {
	switch {
	case u.EventID == "" || len(u.EventID) > 100 || !printable(u.EventID):
		return "id must be 1 to 100 characters"
	case u.TrackingNumber == "" || len(u.TrackingNumber) > 40 || !printable(u.TrackingNumber):
		return "trackingNumber must be 1 to 40 characters"
	case !u.Status.Valid() || u.Status == StatusBooked:
		return "status is not a tracking status"
	case u.OccurredAt.IsZero() || u.OccurredAt.Year() < 2000:
		return "occurredAt must be an RFC 3339 time"
	case u.OccurredAt.After(now.Add(10 * time.Minute)):
		return "occurredAt is in the future"
	case utf8.RuneCountInString(u.Location) > maxText || !printable(u.Location):
		return "location is at most 200 characters"
	case utf8.RuneCountInString(u.Description) > maxText || !printable(u.Description):
		return "description is at most 200 characters"
	case u.WeightGrams < 0 || u.WeightGrams > ratecard.MaxParcelWeightGrams:
		return "weightGrams is out of range"
	}
	return ""
}

// write is a guarded update of one shipment, built in memory.
type write struct {
	old, new      *shipmentDoc
	update        bson.D
	statusChanged bool
	inserts       []trackingEventDoc // timeline entries, inserted before the update
}

type statusData struct {
	ShipmentID     string    `bson:"shipmentId"`
	TrackingNumber string    `bson:"trackingNumber"`
	Status         string    `bson:"status"`
	PreviousStatus string    `bson:"previousStatus,omitempty"`
	StatusAt       time.Time `bson:"statusAt"`
	Events         int       `bson:"events"`
}

type reweighData struct {
	ShipmentID    string   `bson:"shipmentId"`
	MeasuredGrams int64    `bson:"measuredGrams"`
	OldChargeable int64    `bson:"oldChargeableGrams"`
	NewChargeable int64    `bson:"newChargeableGrams"`
	Amount        moneyDoc `bson:"amount"`
}

type complaintData struct {
	ShipmentID string `bson:"shipmentId"`
	Kind       string `bson:"kind"`
}

// cloneDoc copies what mutations change.
func cloneDoc(d *shipmentDoc) *shipmentDoc {
	n := *d
	n.Track = d.Track.clone()
	n.Complaints = slices.Clone(d.Complaints)
	n.Adjustments = slices.Clone(d.Adjustments)
	n.Pending = maps.Clone(d.Pending)
	if n.Pending == nil {
		n.Pending = map[string]opDoc{}
	}
	return &n
}

// finish derives the new state of nd (changed from old in events, complaints or adjustments),
// numbers the ops (the scorecard difference first, then extra), and builds the guarded update.
func (s *Service) finish(ctx context.Context, old, nd *shipmentDoc, extra []opDoc, outbox []events.OutboxEntry, now time.Time) (*write, error) {
	status, key, facts := nd.Track.state()
	nd.Status = string(status)
	nd.StatusAt = key.T
	if key.zero() {
		nd.StatusAt = nd.BookedAt
	}
	nd.Facts = facts
	nd.Scored = contributionOf(facts, nd.TransitMax, nd.Complaints)
	var ops []opDoc
	if inc := diff(old.Scored, nd.Scored); len(inc) > 0 {
		lane := nd.ScoreLane
		ops = append(ops, opDoc{Kind: opInc, Coll: CollScorecards, DocID: nd.ScoreKey, Inc: inc, Lane: &lane})
	}
	ops = append(ops, extra...)
	w := &write{old: old, new: nd, statusChanged: nd.Status != old.Status}
	if w.statusChanged || nd.EventCount != old.EventCount {
		typ := "shipment.tracking_updated"
		if w.statusChanged {
			typ = "shipment.status_changed"
		}
		prev := ""
		if w.statusChanged {
			prev = old.Status
		}
		e, err := events.New(events.Draft{AccountID: nd.AccountID, Type: typ, ObjectID: nd.ID, Actor: actor(ctx),
			OccurredAt: now, Data: statusData{ShipmentID: nd.ID, TrackingNumber: nd.TrackingNumber, Status: nd.Status,
				PreviousStatus: prev, StatusAt: nd.StatusAt, Events: int(nd.EventCount)}})
		if err != nil {
			return nil, err
		}
		outbox = append([]events.OutboxEntry{e}, outbox...)
	}
	nd.Version = old.Version + 1
	nd.WriteID = ids.New(ids.Event) // any unique token: it tells which write won
	nd.UpdatedAt = now
	set := bson.D{
		{Key: "track", Value: nd.Track}, {Key: "latestEvent", Value: nd.Latest}, {Key: "eventCount", Value: nd.EventCount},
		{Key: fStatus, Value: nd.Status}, {Key: "statusAt", Value: nd.StatusAt},
		{Key: "facts", Value: nd.Facts}, {Key: "scored", Value: nd.Scored}, {Key: "complaints", Value: nd.Complaints},
		{Key: "adjustments", Value: nd.Adjustments}, {Key: "billedChargeableGrams", Value: nd.Billed},
		{Key: "billedShipping", Value: nd.BilledShipping}, {Key: "updatedAt", Value: now}, {Key: fWriteID, Value: nd.WriteID},
	}
	for i, op := range ops {
		k := strconv.FormatInt(old.OpSeq+int64(i)+1, 10)
		set = append(set, bson.E{Key: fPending + "." + k, Value: op})
		nd.Pending[k] = op
	}
	nd.OpSeq += int64(len(ops))
	nd.PendingCount += int64(len(ops))
	w.update = bson.D{{Key: "$set", Value: set},
		{Key: "$inc", Value: bson.D{{Key: fVersion, Value: int64(1)}, {Key: fOpSeq, Value: int64(len(ops))},
			{Key: fPendingCount, Value: int64(len(ops))}}}}
	if len(outbox) > 0 {
		w.update = append(w.update, events.Push(outbox...))
	}
	return w, nil
}

// commit writes guarded updates in one bulk write and returns the ids of the shipments whose
// version moved in between (to be read and rebuilt).
func (s *Service) commit(ctx context.Context, ws []*write) ([]string, error) {
	if len(ws) == 0 {
		return nil, nil
	}
	if _, err := s.insertTimeline(ctx, ws); err != nil {
		return nil, err
	}
	models := make([]mongo.WriteModel, len(ws))
	for i, w := range ws {
		models[i] = mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: fID, Value: w.old.ID}, {Key: fVersion, Value: w.old.Version}}).
			SetUpdate(w.update)
	}
	matched, err := bulkWrite(ctx, s.shipments, models)
	if err != nil {
		return nil, internal("update shipments", err)
	}
	if matched == int64(len(ws)) {
		return nil, nil
	}
	idList := make([]string, len(ws))
	for i, w := range ws {
		idList[i] = w.old.ID
	}
	cur, err := s.shipments.Find(ctx, bson.D{{Key: fID, Value: bson.D{{Key: "$in", Value: idList}}}},
		options.Find().SetProjection(bson.D{{Key: fWriteID, Value: 1}}))
	if err != nil {
		return nil, internal("check shipment updates", err)
	}
	var got []struct {
		ID      string `bson:"_id"`
		WriteID string `bson:"writeId"`
	}
	if err := cur.All(ctx, &got); err != nil {
		return nil, internal("check shipment updates", err)
	}
	won := map[string]bool{}
	for _, g := range got {
		won[g.ID+"|"+g.WriteID] = true
	}
	var lost []string
	for _, w := range ws {
		if !won[w.old.ID+"|"+w.new.WriteID] {
			lost = append(lost, w.old.ID)
		}
	}
	return lost, nil
}

// after applies the ops of committed writes and tells the relay and the orders.
func (s *Service) after(ctx context.Context, ws []*write) {
	if len(ws) == 0 {
		return
	}
	ctx = context.WithoutCancel(ctx)
	docs := make([]*shipmentDoc, len(ws))
	for i, w := range ws {
		docs[i] = w.new
	}
	if err := s.applyPending(ctx, docs); err != nil {
		s.log.Warn("transport: ops left pending", "err", err)
	}
	s.notify()
	if s.cfg.Orders == nil {
		return
	}
	for _, w := range ws {
		if w.statusChanged && len(w.new.OrderIDs) > 0 {
			if err := s.cfg.Orders.ShipmentMoved(ctx, w.new.AccountID, w.new.ID, w.new.OrderIDs, Status(w.new.Status), w.new.StatusAt); err != nil {
				s.log.Warn("transport: orders not told of a status change", "shipment", w.new.ID, "err", err)
			}
		}
	}
}

// addEvents adds updates to a copy of d in order and reports each outcome: ACCEPTED when the
// status machine allows it among the accepted events (see trackDoc), INVALID_TRANSITION
// otherwise. A replay of an accepted event is accepted again and changes nothing (the
// aggregates are minimums and maximums); the timeline insert tells replays apart later. It
// returns a nil write when nothing changed.
func (s *Service) addEvents(ctx context.Context, d *shipmentDoc, ups []TrackingUpdate, src Source, now time.Time) (*write, []Outcome, []string, error) {
	nd := cloneDoc(d)
	out := make([]Outcome, len(ups))
	msgs := make([]string, len(ups))
	var extra []opDoc
	var outbox []events.OutboxEntry
	var inserts []trackingEventDoc
	seen := map[string]bool{}
	for i, u := range ups {
		if seen[u.EventID] {
			out[i] = OutcomeReplayed // twice in one batch
			continue
		}
		seen[u.EventID] = true
		if nd.EventCount+int64(len(inserts)) >= MaxTimelineEvents {
			out[i], msgs[i] = OutcomeInvalid, ErrTimelineFull.Message
			continue
		}
		e := eventDoc{ID: u.EventID, Status: string(u.Status), OccurredAt: u.OccurredAt.UTC().Truncate(time.Millisecond),
			Location: u.Location, Description: u.Description, Source: string(src), RecordedAt: now, Weight: u.WeightGrams}
		k := evKey{T: e.OccurredAt, ID: e.ID}
		if !nd.Track.allows(u.Status, k) {
			out[i], msgs[i] = OutcomeInvalidTransition, ErrInvalidTransition.Message
			continue
		}
		out[i] = OutcomeAccepted
		inserts = append(inserts, toTrackingEventDoc(nd.AccountID, nd.ID, e))
		nd.Track.add(u.Status, k)
		if _, sk, _ := nd.Track.state(); sk == k && (nd.Latest == nil || nd.Latest.ID != e.ID) {
			latest := e
			nd.Latest = &latest
		}
		if u.WeightGrams > 0 {
			op, entry, err := s.reweigh(ctx, nd, e.ID, u.WeightGrams, now)
			if err != nil {
				return nil, nil, nil, err
			}
			if op != nil {
				extra = append(extra, *op)
			}
			if entry != nil {
				outbox = append(outbox, *entry)
			}
		}
	}
	if len(inserts) == 0 {
		return nil, out, msgs, nil
	}
	if reflect.DeepEqual(nd.Track, d.Track) && len(extra) == 0 && len(outbox) == 0 {
		// Only replays: nothing to write, but the timeline insert reports them.
		return &write{old: d, new: d, inserts: inserts}, out, msgs, nil
	}
	nd.EventCount += int64(len(inserts))
	w, err := s.finish(ctx, d, nd, extra, outbox, now)
	if w != nil {
		w.inserts = inserts
	}
	return w, out, msgs, err
}

// insertTimeline stores the writes' timeline entries and returns the ids (shipment|event) that
// were already there: replays.
func (s *Service) insertTimeline(ctx context.Context, ws []*write) (map[string]bool, error) {
	var docs []any
	var idsOf []string
	for _, w := range ws {
		for _, e := range w.inserts {
			docs = append(docs, e)
			idsOf = append(idsOf, e.ID)
		}
	}
	dups := map[string]bool{}
	for from := 0; from < len(docs); from += 500 {
		to := min(from+500, len(docs))
		_, err := s.timeline.InsertMany(ctx, docs[from:to], options.InsertMany().SetOrdered(false))
		var bwe mongo.BulkWriteException
		switch {
		case err == nil:
		case errorsAs(err, &bwe) && bwe.WriteConcernError == nil:
			for _, we := range bwe.WriteErrors {
				if !mongo.IsDuplicateKeyError(we) {
					return nil, internal("store tracking events", err)
				}
				dups[idsOf[from+we.Index]] = true
			}
		default:
			return nil, internal("store tracking events", err)
		}
	}
	for _, w := range ws {
		w.inserts = nil // stored: a retried write need not send them again
	}
	return dups, nil
}

// reweigh re-prices nd when a carrier measured another weight: the chargeable weight becomes
// max(measured total, the parcels' volumetric total) rounded up to 0.5 kg, priced with the
// booked card snapshot at the booked tier; the difference from what is billed so far is a usage
// record (freight.reweigh_adjustment, may be negative) keyed by the carrier's event id.
// Shipments of API carriers (no card snapshot) are not re-priced here.
func (s *Service) reweigh(ctx context.Context, nd *shipmentDoc, eventID string, measured int64, now time.Time) (*opDoc, *events.OutboxEntry, error) {
	if nd.Card == nil {
		return nil, nil, nil
	}
	chargeable := (max(measured, nd.Weights.Volumetric) + 499) / 500 * 500
	if chargeable == nd.Billed {
		return nil, nil, nil
	}
	card := nd.Card.toCard()
	p, err := card.PriceAt(ratecard.Weights{ActualGrams: measured, VolumetricGrams: nd.Weights.Volumetric, ChargeableGrams: chargeable},
		ratecard.Request{Parcels: fromParcelDocs(nd.Parcels), DestinationPostcode: nd.Destination.PostalCode}, nd.TierBps)
	if err != nil {
		s.log.Warn("transport: re-weigh not priced", "shipment", nd.ID, "err", err)
		return nil, nil, nil
	}
	delta := money.New(p.Total.Amount-nd.BilledShipping, card.Currency)
	adj := adjustmentDoc{EventID: eventID, Measured: measured, Old: nd.Billed, New: chargeable, Amount: toMoneyDoc(delta), At: now}
	nd.Adjustments = append(nd.Adjustments, adj)
	nd.Billed, nd.BilledShipping = chargeable, p.Total.Amount
	entry, err := events.New(events.Draft{AccountID: nd.AccountID, Type: "shipment.reweighed", ObjectID: nd.ID,
		Actor: actor(ctx), OccurredAt: now, Data: reweighData{nd.ID, measured, adj.Old, adj.New, adj.Amount}})
	if err != nil {
		return nil, nil, err
	}
	if delta.Amount == 0 {
		return nil, &entry, nil
	}
	op := usageOp(nd.AccountID, usage.Transport, UsageReweigh, "adjustment", usage.Units(1), &delta, now,
		"reweigh:"+nd.ID+":"+eventID, map[string]string{"shipmentId": nd.ID, "trackingNumber": nd.TrackingNumber,
			"measuredGrams": strconv.FormatInt(measured, 10), "chargeableGrams": strconv.FormatInt(chargeable, 10)})
	return &op, &entry, nil
}

// ReceiveTrackingUpdates applies a carrier's tracking updates, in one pass over the store
// whatever their number: one insert into the timeline, one read of the shipments, one
// bulk guarded write, and the scorecard ops in bulk. It is for trusted callers only (the webhook
// handler after the signature check, a poller of a carrier's API): it does no authorization.
//
// Each update gets an outcome: ACCEPTED, REPLAYED (same carrier event id), INVALID_TRANSITION,
// UNKNOWN_TRACKING_NUMBER, INVALID (with a message), or FAILED when the store failed (send
// again: every outcome is idempotent). A replay of an event that later events have since set
// aside is answered INVALID_TRANSITION, not REPLAYED (its first copy stays in the timeline,
// marked Ignored). It returns NOT_FOUND for an unknown carrier code.
func (s *Service) ReceiveTrackingUpdates(ctx context.Context, carrierCode string, ups []TrackingUpdate) ([]UpdateResult, error) {
	c, err := s.carrierByCode(ctx, carrierCode)
	if err != nil {
		return nil, err
	}
	return s.receive(ctx, c.ID, ups, SourceCarrier)
}

func (s *Service) receive(ctx context.Context, carrierID string, ups []TrackingUpdate, src Source) ([]UpdateResult, error) {
	now := s.clock.Now()
	res := make([]UpdateResult, len(ups))
	var todo []int
	for i, u := range ups {
		res[i] = UpdateResult{EventID: u.EventID}
		if msg := validUpdate(u, now); msg != "" {
			res[i].Outcome, res[i].Message = OutcomeInvalid, msg
			continue
		}
		todo = append(todo, i)
	}
	var done []*write
	for attempt := 0; len(todo) > 0; attempt++ {
		if attempt == maxCASAttempts {
			for _, i := range todo {
				res[i].Outcome, res[i].Message = OutcomeFailed, ErrBusy.Message
			}
			break
		}
		numbers := map[string]bool{}
		for _, i := range todo {
			numbers[ups[i].TrackingNumber] = true
		}
		docs, err := s.findShipments(ctx, bson.D{{Key: fCarrierID, Value: carrierID},
			{Key: fTrackingNumber, Value: bson.D{{Key: "$in", Value: slices.Collect(maps.Keys(numbers))}}}})
		if err != nil {
			for _, i := range todo {
				res[i].Outcome = OutcomeFailed
			}
			break
		}
		byNumber := map[string]*shipmentDoc{}
		for _, d := range docs {
			byNumber[d.TrackingNumber] = d
		}
		groups := map[string][]int{}
		var order []string
		for _, i := range todo {
			d := byNumber[ups[i].TrackingNumber]
			if d == nil {
				res[i].Outcome = OutcomeUnknownShipment
				continue
			}
			if _, ok := groups[d.ID]; !ok {
				order = append(order, d.ID)
			}
			groups[d.ID] = append(groups[d.ID], i)
		}
		var ws []*write
		for _, id := range order {
			idx := groups[id]
			d := byNumber[ups[idx[0]].TrackingNumber]
			batch := make([]TrackingUpdate, len(idx))
			for j, i := range idx {
				batch[j] = ups[i]
			}
			w, outs, msgs, err := s.addEvents(ctx, d, batch, src, now)
			if err != nil {
				return nil, err
			}
			status := Status(d.Status)
			if w != nil {
				ws = append(ws, w)
				status = Status(w.new.Status)
			}
			for j, i := range idx {
				if attempt == 0 || res[i].Outcome == "" {
					res[i].Outcome, res[i].Message = outs[j], msgs[j]
				}
				res[i].ShipmentID, res[i].Status = id, status
			}
		}
		// The timeline first: its unique ids tell replays, and an event stored before a crash
		// is applied again below (harmless: the aggregates are minimums and maximums).
		dups, err := s.insertTimeline(ctx, ws)
		if err != nil {
			for _, i := range todo {
				res[i].Outcome, res[i].Message = OutcomeFailed, ""
			}
			break
		}
		for _, i := range todo {
			// Only the first round tells replays: a retried round meets its own inserts.
			if attempt == 0 && res[i].Outcome == OutcomeAccepted && dups[res[i].ShipmentID+"|"+ups[i].EventID] {
				res[i].Outcome = OutcomeReplayed
			}
		}
		var writes []*write
		for _, w := range ws {
			if w.update != nil {
				writes = append(writes, w)
			}
		}
		lost, err := s.commit(ctx, writes)
		if err != nil {
			for _, w := range writes {
				for _, i := range groups[w.old.ID] {
					res[i].Outcome, res[i].Message = OutcomeFailed, ""
				}
			}
			break
		}
		lostSet := map[string]bool{}
		for _, id := range lost {
			lostSet[id] = true
		}
		todo = todo[:0]
		for _, w := range writes {
			if lostSet[w.old.ID] {
				todo = append(todo, groups[w.old.ID]...)
			} else {
				done = append(done, w)
			}
		}
	}
	s.after(ctx, done)
	return res, nil
}

func (s *Service) findShipments(ctx context.Context, filter bson.D) ([]*shipmentDoc, error) {
	cur, err := s.shipments.Find(ctx, filter, options.Find().SetProjection(bson.D{{Key: events.OutboxField, Value: 0}}))
	if err != nil {
		return nil, internal("find shipments", err)
	}
	var docs []*shipmentDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, internal("read shipments", err)
	}
	return docs, nil
}

// mutateOne runs a guarded read-change-write loop on one of the account's shipments. fn
// changes a copy and returns the write (nil: nothing to write).
func (s *Service) mutateOne(ctx context.Context, accountID, shipmentID string, fn func(d *shipmentDoc) (*write, error)) (*shipmentDoc, error) {
	for range maxCASAttempts {
		docs, err := s.findShipments(ctx, bson.D{{Key: fID, Value: shipmentID}, {Key: fAccountID, Value: accountID}})
		if err != nil {
			return nil, err
		}
		if len(docs) == 0 {
			return nil, ErrNotFound
		}
		w, err := fn(docs[0])
		if err != nil || w == nil {
			return docs[0], err
		}
		if w.update == nil { // replays only
			_, err := s.insertTimeline(ctx, []*write{w})
			return docs[0], err
		}
		lost, err := s.commit(ctx, []*write{w})
		if err != nil {
			return nil, err
		}
		if len(lost) == 0 {
			s.after(ctx, []*write{w})
			return w.new, nil
		}
	}
	return nil, ErrBusy
}

// StaffEventInput is a tracking event recorded by staff (a phone call with the carrier, a
// correction).
type StaffEventInput struct {
	AccountID   string
	ShipmentID  string
	Status      Status
	OccurredAt  time.Time
	Location    string
	Description string
	WeightGrams int64
}

// RecordTrackingEvent adds a staff tracking event to a shipment's timeline (write on the
// account's tracking_events: staff only). It goes through the same status machine as carrier
// events, placed by OccurredAt. Errors: INVALID with a field ("input.status", "input.occurredAt"
// ...); NOT_FOUND; INVALID_TRANSITION (FAILED_PRECONDITION) for a backward move or a move after
// DELIVERED, LOST or RETURNED_TO_SENDER; TIMELINE_FULL; access errors.
func (s *Service) RecordTrackingEvent(ctx context.Context, in StaffEventInput) (Shipment, error) {
	audit.Annotate(ctx, in.AccountID, in.ShipmentID)
	if !ids.HasPrefix(in.ShipmentID, ids.Shipment) {
		return Shipment{}, errs.InvalidField("input.shipmentId", "not a shipment id")
	}
	if err := s.access.Require(ctx, in.AccountID, ResTrackingEvents, access.Write); err != nil {
		return Shipment{}, err
	}
	now := s.clock.Now()
	u := TrackingUpdate{EventID: "staff_" + ids.New(ids.Event), TrackingNumber: "-", Status: in.Status,
		OccurredAt: in.OccurredAt, Location: strings.TrimSpace(in.Location), Description: strings.TrimSpace(in.Description),
		WeightGrams: in.WeightGrams}
	if msg := validUpdate(u, now); msg != "" {
		field := "input"
		switch {
		case strings.HasPrefix(msg, "status"):
			field = "input.status"
		case strings.HasPrefix(msg, "occurredAt"):
			field = "input.occurredAt"
		case strings.HasPrefix(msg, "location"):
			field = "input.location"
		case strings.HasPrefix(msg, "description"):
			field = "input.description"
		case strings.HasPrefix(msg, "weight"):
			field = "input.weight"
		}
		return Shipment{}, errs.InvalidField(field, "%s", msg)
	}
	d, err := s.mutateOne(ctx, in.AccountID, in.ShipmentID, func(d *shipmentDoc) (*write, error) {
		w, outs, msgs, err := s.addEvents(ctx, d, []TrackingUpdate{u}, SourceStaff, now)
		if err != nil {
			return nil, err
		}
		switch outs[0] {
		case OutcomeInvalidTransition:
			return nil, ErrInvalidTransition.With("input.status", nil).WithMessage(
				"a shipment that is %s cannot move to %s at that time", d.Status, in.Status)
		case OutcomeInvalid:
			return nil, ErrTimelineFull.WithMessage("%s", msgs[0])
		}
		return w, nil
	})
	if err != nil {
		return Shipment{}, err
	}
	return d.toShipment(), nil
}

// FileComplaint records a seller's complaint about a shipment (write on the account's
// shipments); it counts in the carrier's scorecard. Filing the same kind again changes nothing
// and returns the shipment. Errors: INVALID ("input.kind", "input.note"), NOT_FOUND, access
// errors.
func (s *Service) FileComplaint(ctx context.Context, accountID, shipmentID string, kind ComplaintKind, note string) (Shipment, error) {
	audit.Annotate(ctx, accountID, shipmentID)
	note = strings.TrimSpace(note)
	switch {
	case !ids.HasPrefix(shipmentID, ids.Shipment):
		return Shipment{}, errs.InvalidField("input.shipmentId", "not a shipment id")
	case kind != ComplaintLate && kind != ComplaintDamaged && kind != ComplaintLost && kind != ComplaintOther:
		return Shipment{}, errs.InvalidField("input.kind", "LATE, DAMAGED, LOST or OTHER")
	case utf8.RuneCountInString(note) > 1000 || !printable(strings.ReplaceAll(note, "\n", " ")):
		return Shipment{}, errs.InvalidField("input.note", "at most 1000 characters")
	}
	if err := s.access.Require(ctx, accountID, ResShipments, access.Write); err != nil {
		return Shipment{}, err
	}
	now := s.clock.Now()
	d, err := s.mutateOne(ctx, accountID, shipmentID, func(d *shipmentDoc) (*write, error) {
		for _, c := range d.Complaints {
			if c.Kind == string(kind) {
				return nil, nil
			}
		}
		nd := cloneDoc(d)
		nd.Complaints = append(nd.Complaints, complaintDoc{Kind: string(kind), Note: note, FiledAt: now, FiledBy: actor(ctx)})
		e, err := events.New(events.Draft{AccountID: accountID, Type: "shipment.complaint_filed", ObjectID: shipmentID,
			Actor: actor(ctx), OccurredAt: now, Data: complaintData{shipmentID, string(kind)}})
		if err != nil {
			return nil, err
		}
		return s.finish(ctx, d, nd, nil, []events.OutboxEntry{e}, now)
	})
	if err != nil {
		return Shipment{}, err
	}
	return d.toShipment(), nil
}

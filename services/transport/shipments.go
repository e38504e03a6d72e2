package transport

import (
	"context"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/events"
)

// Shipment returns one of the account's shipments, with its timeline, declaration and
// document list, in one query (read on shipments). NOT_FOUND for a missing or foreign one.
func (s *Service) Shipment(ctx context.Context, accountID, shipmentID string) (Shipment, error) {
	if err := s.access.Require(ctx, accountID, ResShipments, access.Read); err != nil {
		return Shipment{}, err
	}
	docs, err := s.findShipments(ctx, bson.D{{Key: fID, Value: shipmentID}, {Key: fAccountID, Value: accountID}})
	if err != nil {
		return Shipment{}, err
	}
	if len(docs) == 0 {
		return Shipment{}, ErrNotFound
	}
	sh := docs[0].toShipment()
	if sh.Events, err = s.timelineOf(ctx, docs[0]); err != nil {
		return Shipment{}, err
	}
	return sh, nil
}

// timelineOf reads a shipment's timeline (one query), in the fold's order, marking the events
// that later events placed outside the status (Ignored).
func (s *Service) timelineOf(ctx context.Context, d *shipmentDoc) ([]TrackingEvent, error) {
	cur, err := s.timeline.Find(ctx, bson.D{{Key: fAccountID, Value: d.AccountID}, {Key: fShipmentID, Value: d.ID}},
		options.Find().SetSort(bson.D{{Key: "occurredAt", Value: 1}}).SetLimit(MaxTimelineEvents))
	if err != nil {
		return nil, internal("read timeline", err)
	}
	var docs []trackingEventDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, internal("read timeline", err)
	}
	evs := make([]eventDoc, len(docs))
	for i, x := range docs {
		evs[i] = x.event()
	}
	slices.SortFunc(evs, lessEvent)
	out := make([]TrackingEvent, len(evs))
	for i, e := range evs {
		out[i] = e.toEvent()
		out[i].Ignored = !d.Track.allows(Status(e.Status), evKey{T: e.OccurredAt, ID: e.ID})
	}
	return out, nil
}

// ShipmentsByID returns the shipments with the given ids that the caller may read, in one
// query, for a dataloader keyed by id; the others are absent (as if missing).
func (s *Service) ShipmentsByID(ctx context.Context, shipmentIDs []string) (map[string]Shipment, error) {
	docs, err := s.findShipments(ctx, bson.D{{Key: fID, Value: bson.D{{Key: "$in", Value: shipmentIDs}}}})
	if err != nil {
		return nil, err
	}
	allowed := map[string]bool{}
	out := map[string]Shipment{}
	for _, d := range docs {
		ok, seen := allowed[d.AccountID]
		if !seen {
			ok = s.access.Require(ctx, d.AccountID, ResShipments, access.Read) == nil
			allowed[d.AccountID] = ok
		}
		if ok {
			out[d.ID] = d.toShipment()
		}
	}
	return out, nil
}

// ShipmentFilter narrows ListShipments; zero fields match everything.
type ShipmentFilter struct {
	Status    Status
	CarrierID string
}

// ListShipments returns a page of the account's shipments, newest first, with everything a
// list shows (carrier names, latest event, declaration) in the same documents: one query per
// page whatever its size (read on shipments). w comes from cursor.Page.Validate. Errors:
// INVALID for a bad filter ("filter.status") or cursor; access errors.
func (s *Service) ListShipments(ctx context.Context, accountID string, f ShipmentFilter, w cursor.Window) (cursor.Result[Shipment], error) {
	if err := s.access.Require(ctx, accountID, ResShipments, access.Read); err != nil {
		return cursor.Result[Shipment]{}, err
	}
	filter := bson.M{fAccountID: accountID}
	if f.Status != "" {
		if !f.Status.Valid() {
			return cursor.Result[Shipment]{}, errs.InvalidField("filter.status", "unknown status")
		}
		filter[fStatus] = string(f.Status)
	}
	if f.CarrierID != "" {
		filter[fCarrierID] = f.CarrierID
	}
	for _, c := range []*cursor.Cursor{w.After, w.Before} {
		if c == nil {
			continue
		}
		if _, err := time.Parse(time.RFC3339Nano, c.Key); err != nil || !ids.HasPrefix(c.ID, ids.Shipment) {
			return cursor.Result[Shipment]{}, cursor.ErrInvalidCursor
		}
	}
	// Newest first: page the ascending _id order backwards (ids sort by creation time).
	w.Forward = !w.Forward
	w.After, w.Before = w.Before, w.After
	res, err := mongodb.FindPage(ctx, s.shipments, filter, shipmentKeyset, w)
	if err != nil {
		return cursor.Result[Shipment]{}, internal("list shipments", err)
	}
	out := cursor.Result[Shipment]{HasNextPage: res.HasPreviousPage, HasPreviousPage: res.HasNextPage}
	for i := len(res.Items) - 1; i >= 0; i-- {
		out.Items = append(out.Items, res.Items[i].toShipment())
		out.Cursors = append(out.Cursors, res.Cursors[i])
	}
	return out, nil
}

var shipmentKeyset = mongodb.Keyset[*shipmentDoc]{
	Field: "bookedAt",
	Key: func(d *shipmentDoc) cursor.Cursor {
		return cursor.Cursor{Key: d.BookedAt.UTC().Format(time.RFC3339Nano), ID: d.ID}
	},
	Value: func(k string) (any, error) { return time.Parse(time.RFC3339Nano, k) },
}

// ShipmentChange is a shipment event, as subscriptions deliver it.
type ShipmentChange struct {
	Event      events.Event // Type is shipment.booked, shipment.status_changed, ...
	ShipmentID string
}

// SubscribeShipments follows the account's shipment events (read on shipments): all of them,
// or only those of shipmentID when it is not empty. It is built on events.Relay.Subscribe (the
// Subscriber in Config), so its delivery rules hold: events arrive within the relay's flush
// interval, and a closed channel means "subscribe again and catch up from the feed". Call the
// returned function to stop. Errors: access errors; INVALID for a malformed shipmentID; NOT_FOUND
// for a shipment the account does not have; INTERNAL when no Subscriber is configured.
//
// GraphQL: shipmentUpdated(id) calls it with the id, accountShipmentsUpdated without, and
// loads the shipment (Shipment) for each change.
func (s *Service) SubscribeShipments(ctx context.Context, accountID, shipmentID string) (<-chan ShipmentChange, func(), error) {
	if err := s.access.Require(ctx, accountID, ResShipments, access.Read); err != nil {
		return nil, nil, err
	}
	if s.cfg.Subscriber == nil {
		return nil, nil, errs.Internalf("transport: no event subscriber configured")
	}
	if shipmentID != "" {
		if !ids.HasPrefix(shipmentID, ids.Shipment) {
			return nil, nil, errs.InvalidField("id", "not a shipment id")
		}
		n, err := s.shipments.CountDocuments(ctx, bson.D{{Key: fID, Value: shipmentID}, {Key: fAccountID, Value: accountID}})
		if err != nil {
			return nil, nil, internal("find shipment", err)
		}
		if n == 0 {
			return nil, nil, ErrNotFound
		}
	}
	in, stop := s.cfg.Subscriber.Subscribe(accountID)
	out := make(chan ShipmentChange, 16)
	go func() {
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				stop()
				return
			case e, ok := <-in:
				if !ok {
					return
				}
				if !strings.HasPrefix(e.Type, "shipment.") || shipmentID != "" && e.ObjectID != shipmentID {
					continue
				}
				select {
				case out <- ShipmentChange{Event: e, ShipmentID: e.ObjectID}:
				case <-ctx.Done():
					stop()
					return
				}
			}
		}
	}()
	return out, stop, nil
}

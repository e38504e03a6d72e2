// Package events records Tradehub's domain events through a transactional outbox and serves them
// as a per-account feed.
//
// # Writing an event
//
// The store has no multi-document transactions, so a state change and the event that reports it
// are written in ONE document write: the domain builds the event with New and appends it to an
// "outbox" array on the very document it changes, in the same update:
//
//	entry, err := events.New(events.Draft{AccountID: acct, Type: "inventory.adjusted",
//		ObjectID: skuID, Actor: actor, OccurredAt: now, Data: adjusted{Delta: -3}})
//	if err != nil { return err }
//	res, err := skus.UpdateOne(ctx,
//		bson.M{"_id": skuID, "accountId": acct, "onHand": bson.M{"$gte": 3}},
//		bson.D{{Key: "$inc", Value: bson.M{"onHand": -3}}, events.Push(entry)})
//	relay.Notify()
//
// Either both the change and the event are stored, or neither is. A Relay later moves the entry
// to the events collection and removes it from the document.
//
// Rules for a collection that carries an outbox:
//
//   - Never replace such a document wholesale (ReplaceOne, $set of the whole "outbox" field): that
//     drops pending events. Use field updates, and add entries only with Push or Each.
//   - Never delete a document whose outbox is pending: filter the delete with Drained(), or mark
//     the document deleted (with its event) and remove it later once drained.
//   - Decode documents into structs without an outbox field (the driver ignores unknown fields);
//     OutboxEntry marshals and unmarshals, so an insert may carry entries in a struct field.
//   - Keep Data small (ids and the changed values, not whole objects): pending entries live in the
//     document until the relay moves them, and a document may not exceed 16 MB.
//   - Declare the collection to the Relay (NewRelay) and ensure Relay.OutboxIndexes.
//
// # Wiring
//
// cmd/tradehub makes one Relay with every collection that carries an outbox, ensures Indexes()
// and Relay.OutboxIndexes(), and runs Relay.Run until shutdown. Domain services get a
// Relay.NotifierFor their own collections as a small interface of their own
// (interface{ Notify() }) to call after a write with events, so that the relay then looks at
// those collections only; readers of the feed get a Feed.
//
// # Sequence numbers
//
// The relay numbers each account's events 1, 2, 3... from a counter document. The numbers only
// increase, but they may have gaps: a number is taken before the event is inserted, and is lost
// when the insert fails or turns out to be a replay after a crash (see Relay.Flush). Consumers
// remember the last Seq they processed and ask List for what follows; they must never expect the
// next number to be last+1.
//
// Events of one document are relayed in the order of its outbox, so events of one object carry
// increasing numbers in the order they were written. Events of different documents are numbered
// in the order the relay meets them, which is not necessarily the order they were written.
package events

import (
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
)

// OutboxField is the name of the array of pending events on a domain document.
const OutboxField = "outbox"

// Limits on what an event may hold. They protect the documents that carry pending entries.
const (
	MaxDataSize  = 16 << 10 // bytes of Data once encoded as BSON
	maxTypeLen   = 64
	maxActorLen  = 64
	maxObjectLen = 64
)

// typePattern is "domain.what_happened", lower case, at least two dot-separated words.
var typePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)

// Event is one domain event in an account's feed.
type Event struct {
	ID         string    // "evt_…", assigned by New; relaying the same entry twice is a no-op
	AccountID  string    // the account the event belongs to
	Type       string    // "inventory.adjusted", "shipment.status_changed"...
	Version    int       // schema version of Data for this Type, from 1
	ObjectID   string    // the object that changed, such as "sku_…"
	Actor      string    // the principal that caused it; empty for the system
	OccurredAt time.Time // when the change happened (UTC, milliseconds)
	// Data is the event's payload as a BSON document, kept as bytes so that every value keeps its
	// exact type (int64, dates, decimals) from the domain to the consumer. Decode it with
	// DecodeData into the struct of the Type and Version, or turn it into JSON with DataJSON.
	Data bson.Raw
	// Seq is the event's number in the account's feed, set by the relay; 0 until relayed.
	Seq int64
	// RelayedAt is when the relay moved the event to the feed; zero until relayed.
	RelayedAt time.Time
}

// DecodeData decodes Data into v, a pointer to a struct or map. It returns an INTERNAL error if
// Data does not fit v, which means the consumer reads a Type or Version it does not know.
func (e Event) DecodeData(v any) error {
	if err := bson.Unmarshal(e.Data, v); err != nil {
		return errs.Internalf("decode data of event %s (%s v%d): %w", e.ID, e.Type, e.Version, err)
	}
	return nil
}

// DataJSON returns Data as relaxed MongoDB Extended JSON (plain numbers and strings where that
// loses nothing), the form webhooks and GraphQL's JSON scalar carry. It returns an INTERNAL error
// if Data is not a valid BSON document.
func (e Event) DataJSON() ([]byte, error) {
	b, err := bson.MarshalExtJSON(e.Data, false, false)
	if err != nil {
		return nil, errs.Internalf("encode data of event %s as JSON: %w", e.ID, err)
	}
	return b, nil
}

// Draft is what a domain says about an event; New turns it into an OutboxEntry.
type Draft struct {
	AccountID  string // required: an account id
	Type       string // required: "domain.what_happened", lower case, such as "inventory.adjusted"
	Version    int    // schema version of Data; 0 means 1
	ObjectID   string // required: the id of the object that changed
	Actor      string // optional: the principal's id; empty for the system
	OccurredAt time.Time
	// Data is the payload: a struct (with bson tags of the domain's choosing), a map, a bson.D
	// or a bson.Raw document; nil means an empty document. It is encoded by New, so later
	// changes to the value do not change the event.
	Data any
}

// OutboxEntry is an event waiting in a document's outbox. It carries everything the relay needs
// to write the event, including its id, so relaying it twice writes it once.
type OutboxEntry struct {
	ev Event
}

// ID returns the event id that the entry will have in the feed.
func (o OutboxEntry) ID() string { return o.ev.ID }

// Event returns the event the entry will become, with Seq and RelayedAt still zero.
func (o OutboxEntry) Event() Event { return o.ev }

// New checks d, assigns the event id and encodes Data. It returns an INTERNAL error if d is not a
// valid event (an account id that is not one, an empty or malformed Type, a negative Version, an
// empty or over-long ObjectID or Actor, a zero OccurredAt, Data that is not a document or larger
// than MaxDataSize): drafts are built by service code, never by users, so a bad one is a bug to
// log, not something to show a user.
func New(d Draft) (OutboxEntry, error) {
	if err := check(d); err != nil {
		return OutboxEntry{}, errs.Internalf("new event %q: %w", d.Type, err)
	}
	data, err := encodeData(d.Data)
	if err != nil {
		return OutboxEntry{}, errs.Internalf("new event %q: %w", d.Type, err)
	}
	version := d.Version
	if version == 0 {
		version = 1
	}
	return OutboxEntry{ev: Event{
		ID:         ids.New(ids.Event),
		AccountID:  d.AccountID,
		Type:       d.Type,
		Version:    version,
		ObjectID:   d.ObjectID,
		Actor:      d.Actor,
		OccurredAt: d.OccurredAt.UTC().Truncate(time.Millisecond),
		Data:       data,
	}}, nil
}

func check(d Draft) error {
	switch {
	case !ids.HasPrefix(d.AccountID, ids.Account):
		return fmt.Errorf("account id %q is not an account id", d.AccountID)
	case len(d.Type) > maxTypeLen || !typePattern.MatchString(d.Type):
		return fmt.Errorf("type must be lower-case words separated by dots, at most %d bytes", maxTypeLen)
	case d.Version < 0:
		return fmt.Errorf("version %d is negative", d.Version)
	case d.ObjectID == "" || len(d.ObjectID) > maxObjectLen || !utf8.ValidString(d.ObjectID):
		return fmt.Errorf("object id must be 1 to %d bytes of UTF-8", maxObjectLen)
	case len(d.Actor) > maxActorLen || !utf8.ValidString(d.Actor):
		return fmt.Errorf("actor must be at most %d bytes of UTF-8", maxActorLen)
	case d.OccurredAt.IsZero():
		return fmt.Errorf("occurredAt is not set")
	}
	return nil
}

func encodeData(v any) (bson.Raw, error) {
	var raw bson.Raw
	switch v := v.(type) {
	case nil:
		raw = bson.Raw(emptyDocument)
	case bson.Raw:
		if err := v.Validate(); err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
		raw = append(bson.Raw(nil), v...)
	default:
		b, err := bson.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("data must encode as a BSON document: %w", err)
		}
		raw = b
	}
	if len(raw) > MaxDataSize {
		return nil, fmt.Errorf("data is %d bytes, more than %d", len(raw), MaxDataSize)
	}
	return raw, nil
}

// emptyDocument is the BSON encoding of {}.
var emptyDocument = []byte{5, 0, 0, 0, 0}

// Push returns the "$push" operator that appends entries to a document's outbox, to put in the
// same update as the state change: bson.D{{Key: "$set", Value: …}, events.Push(e1, e2)}. When the
// update pushes to other arrays too, build the "$push" yourself with Each instead.
func Push(entries ...OutboxEntry) bson.E {
	return bson.E{Key: "$push", Value: bson.D{{Key: OutboxField, Value: Each(entries...)}}}
}

// Each returns the value that appends entries to the outbox inside a "$push" the caller builds:
// bson.M{"$push": bson.M{events.OutboxField: events.Each(e), "movements": m}}.
func Each(entries ...OutboxEntry) bson.D {
	list := make(bson.A, len(entries))
	for i, e := range entries {
		list[i] = e
	}
	return bson.D{{Key: "$each", Value: list}}
}

// Drained returns a filter element that matches only documents without pending events. Add it to
// the filter of a delete, so that a document is never deleted before its events are relayed.
func Drained() bson.E {
	return bson.E{Key: OutboxField + ".0", Value: bson.D{{Key: "$exists", Value: false}}}
}

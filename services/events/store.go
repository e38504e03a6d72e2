package events

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/mongodb"
)

// The collections this package owns.
const (
	// Collection holds the relayed events, the feed.
	Collection = "events"
	// CountersCollection holds one document per account, {_id: accountId, accountId, seq}: the
	// last sequence number handed out. Its _id is the account id, so it needs no other index.
	CountersCollection = "eventCounters"
	// LeaseCollection holds the one document that says which relay may move events now.
	LeaseCollection = "eventRelayLease"
)

// Field names, in one place. The outbox entries use the same names as the events, except "id"
// for "_id".
const (
	fID         = "_id"
	fEntryID    = "id"
	fAccountID  = "accountId"
	fSeq        = "seq"
	fType       = "type"
	fVersion    = "version"
	fObjectID   = "objectId"
	fActor      = "actor"
	fOccurredAt = "occurredAt"
	fData       = "data"
	fRelayedAt  = "relayedAt"
	fOwner      = "owner"
	fExpiresAt  = "expiresAt"

	leaseID = "relay"
)

// eventDoc is an event in the events collection.
type eventDoc struct {
	ID         string    `bson:"_id"`
	AccountID  string    `bson:"accountId"`
	Seq        int64     `bson:"seq"`
	Type       string    `bson:"type"`
	Version    int       `bson:"version"`
	ObjectID   string    `bson:"objectId"`
	Actor      string    `bson:"actor"`
	OccurredAt time.Time `bson:"occurredAt"`
	Data       bson.Raw  `bson:"data"`
	RelayedAt  time.Time `bson:"relayedAt"`
}

// entryDoc is an event waiting in a domain document's outbox.
type entryDoc struct {
	ID         string    `bson:"id"`
	AccountID  string    `bson:"accountId"`
	Type       string    `bson:"type"`
	Version    int       `bson:"version"`
	ObjectID   string    `bson:"objectId"`
	Actor      string    `bson:"actor"`
	OccurredAt time.Time `bson:"occurredAt"`
	Data       bson.Raw  `bson:"data"`
}

func toEventDoc(e Event) eventDoc {
	return eventDoc{
		ID: e.ID, AccountID: e.AccountID, Seq: e.Seq, Type: e.Type, Version: e.Version,
		ObjectID: e.ObjectID, Actor: e.Actor, OccurredAt: e.OccurredAt, Data: e.Data,
		RelayedAt: e.RelayedAt,
	}
}

func fromEventDoc(d eventDoc) Event {
	return Event{
		ID: d.ID, AccountID: d.AccountID, Seq: d.Seq, Type: d.Type, Version: d.Version,
		ObjectID: d.ObjectID, Actor: d.Actor, OccurredAt: d.OccurredAt.UTC(),
		Data: append(bson.Raw(nil), d.Data...), RelayedAt: d.RelayedAt.UTC(),
	}
}

// MarshalBSON encodes the entry as it is stored in an outbox. It lets a domain put entries in
// an update (Push, Each) or in a struct it inserts.
func (o OutboxEntry) MarshalBSON() ([]byte, error) {
	if o.ev.ID == "" {
		return nil, errors.New("events: the zero OutboxEntry cannot be stored; build entries with New")
	}
	e := o.ev
	return bson.Marshal(entryDoc{
		ID: e.ID, AccountID: e.AccountID, Type: e.Type, Version: e.Version, ObjectID: e.ObjectID,
		Actor: e.Actor, OccurredAt: e.OccurredAt, Data: e.Data,
	})
}

// UnmarshalBSON decodes an entry read from an outbox.
func (o *OutboxEntry) UnmarshalBSON(b []byte) error {
	var d entryDoc
	if err := bson.Unmarshal(b, &d); err != nil {
		return fmt.Errorf("decode outbox entry: %w", err)
	}
	if d.ID == "" || d.AccountID == "" {
		return errors.New("decode outbox entry: no id or account id")
	}
	o.ev = Event{
		ID: d.ID, AccountID: d.AccountID, Type: d.Type, Version: d.Version, ObjectID: d.ObjectID,
		Actor: d.Actor, OccurredAt: d.OccurredAt.UTC(), Data: append(bson.Raw(nil), d.Data...),
	}
	return nil
}

// Indexes are the indexes of the events collection; ensure them at start-up. The counters and
// the lease are found by _id only. Relay.OutboxIndexes declares the index of each outbox.
func Indexes() []mongodb.Indexes {
	return []mongodb.Indexes{{
		Collection: Collection,
		Models: []mongo.IndexModel{
			{
				// The feed (List), and the guarantee that a number is used once per account.
				Keys:    bson.D{{Key: fAccountID, Value: 1}, {Key: fSeq, Value: 1}},
				Options: options.Index().SetName("account_seq").SetUnique(true),
			},
			{
				// The feed filtered by types (webhook endpoints subscribe to a few types).
				Keys:    bson.D{{Key: fAccountID, Value: 1}, {Key: fType, Value: 1}, {Key: fSeq, Value: 1}},
				Options: options.Index().SetName("account_type_seq"),
			},
			{
				// Where a new subscription starts.
				Keys:    bson.D{{Key: fAccountID, Value: 1}, {Key: fRelayedAt, Value: 1}},
				Options: options.Index().SetName("account_relayedAt"),
			},
			{
				// Sweep, across accounts.
				Keys:    bson.D{{Key: fRelayedAt, Value: 1}},
				Options: options.Index().SetName("relayedAt"),
			},
		},
	}}
}

// outboxIndex lets MongoDB find documents with pending entries without a collection scan: the
// relay's filter {"outbox.id": {$gt: ""}} is a range on this multikey index, and documents
// without pending entries have no key in that range. (A filter on "outbox.0" could not use any
// index, and partial or sparse indexes are not available on FerretDB.) FerretDB v1 keeps the
// index but evaluates the filter by reading the collection, so there the relay scans.
func outboxIndex() mongo.IndexModel {
	return mongo.IndexModel{
		Keys:    bson.D{{Key: OutboxField + "." + fEntryID, Value: 1}},
		Options: options.Index().SetName("outbox_pending"),
	}
}

// pendingDoc is a domain document with pending entries, as the relay reads it: its _id, and
// each entry both decoded and as the exact bytes stored (which $pullAll matches).
type pendingDoc struct {
	id      bson.RawValue
	entries []pendingEntry
}

type pendingEntry struct {
	raw bson.Raw
	ev  Event
	err error // the entry cannot be decoded: it was not written by New
}

// findPending returns up to limit documents of coll with pending entries, in no particular
// order.
func findPending(ctx context.Context, coll *mongo.Collection, limit int) ([]pendingDoc, error) {
	cur, err := coll.Find(ctx,
		bson.D{{Key: OutboxField + "." + fEntryID, Value: bson.D{{Key: "$gt", Value: ""}}}},
		options.Find().SetProjection(bson.D{{Key: OutboxField, Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("find pending outboxes: %w", err)
	}
	defer cur.Close(ctx)
	var docs []pendingDoc
	for cur.Next(ctx) {
		raw := append(bson.Raw(nil), cur.Current...)
		d := pendingDoc{id: raw.Lookup(fID)}
		arr, ok := raw.Lookup(OutboxField).ArrayOK()
		if !ok {
			continue
		}
		values, err := arr.Values()
		if err != nil {
			return nil, fmt.Errorf("read outbox of %s: %w", d.id, err)
		}
		for _, v := range values {
			e := pendingEntry{}
			if doc, ok := v.DocumentOK(); ok {
				e.raw = doc
				var o OutboxEntry
				if e.err = o.UnmarshalBSON(doc); e.err == nil {
					e.ev = o.ev
				}
			} else {
				e.err = fmt.Errorf("outbox entry is a %s, not a document", v.Type)
			}
			d.entries = append(d.entries, e)
		}
		docs = append(docs, d)
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("find pending outboxes: %w", err)
	}
	return docs, nil
}

// pullEntries removes entries from a document's outbox. It matches the exact stored bytes with
// $pullAll, because $pull with a condition ({id: x}) is only an equality test on FerretDB v1.
func pullEntries(ctx context.Context, coll *mongo.Collection, id bson.RawValue, entries []bson.Raw) error {
	if len(entries) == 0 {
		return nil
	}
	list := make(bson.A, len(entries))
	for i, e := range entries {
		list[i] = e
	}
	// Matching nothing is fine: a relay that lost its lease while stalled may have pulled them.
	_, err := coll.UpdateOne(ctx, bson.D{{Key: fID, Value: id}},
		bson.D{{Key: "$pullAll", Value: bson.D{{Key: OutboxField, Value: list}}}})
	if err != nil {
		return fmt.Errorf("pull %d relayed entries from %s: %w", len(entries), id, err)
	}
	return nil
}

// nextSeq takes the account's next sequence number.
func nextSeq(ctx context.Context, db *mongo.Database, accountID string) (int64, error) {
	counters := db.Collection(CountersCollection)
	var got struct {
		Seq int64 `bson:"seq"`
	}
	take := func() error {
		return counters.FindOneAndUpdate(ctx,
			bson.D{{Key: fID, Value: accountID}},
			bson.D{
				{Key: "$inc", Value: bson.D{{Key: fSeq, Value: int64(1)}}},
				{Key: "$setOnInsert", Value: bson.D{{Key: fAccountID, Value: accountID}}},
			},
			options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After),
		).Decode(&got)
	}
	err := take()
	// Two first upserts of one account can race on MongoDB; the loser's retry then finds the
	// counter the winner created.
	if mongo.IsDuplicateKeyError(err) {
		err = take()
	}
	if err != nil {
		return 0, fmt.Errorf("take next seq of %s: %w", accountID, err)
	}
	return got.Seq, nil
}

// insertEvent stores a numbered event. It returns false when the event is already in the feed,
// which happens when a relay stopped between storing an event and pulling its entry.
func insertEvent(ctx context.Context, db *mongo.Database, e Event) (bool, error) {
	coll := db.Collection(Collection)
	_, err := coll.InsertOne(ctx, toEventDoc(e))
	if err == nil {
		return true, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return false, fmt.Errorf("insert event %s: %w", e.ID, err)
	}
	// Which unique index refused it? Error messages differ between MongoDB and FerretDB, so
	// ask the collection.
	n, cerr := coll.CountDocuments(ctx, bson.D{{Key: fID, Value: e.ID}}, options.Count().SetLimit(1))
	if cerr != nil {
		return false, fmt.Errorf("insert event %s: %w (and checking for it: %v)", e.ID, err, cerr)
	}
	if n == 1 {
		return false, nil
	}
	return false, fmt.Errorf("insert event %s: seq %d of %s is taken, so the counter is behind the feed: %w",
		e.ID, e.Seq, e.AccountID, err)
}

func listEvents(ctx context.Context, db *mongo.Database, filter bson.D, limit int) ([]Event, error) {
	cur, err := db.Collection(Collection).Find(ctx, filter,
		options.Find().SetSort(bson.D{{Key: fSeq, Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("find events: %w", err)
	}
	var docs []eventDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	out := make([]Event, len(docs))
	for i, d := range docs {
		out[i] = fromEventDoc(d)
	}
	return out, nil
}

func feedFilter(accountID string, afterSeq int64, types []string) bson.D {
	f := bson.D{
		{Key: fAccountID, Value: accountID},
		{Key: fSeq, Value: bson.D{{Key: "$gt", Value: afterSeq}}},
	}
	if len(types) > 0 {
		f = append(f, bson.E{Key: fType, Value: bson.D{{Key: "$in", Value: types}}})
	}
	return f
}

// relayedSinceFilter selects the account's events relayed at or after since.
func relayedSinceFilter(accountID string, since time.Time) bson.D {
	return bson.D{
		{Key: fAccountID, Value: accountID},
		{Key: fRelayedAt, Value: bson.D{{Key: "$gte", Value: since}}},
	}
}

func sweepEvents(ctx context.Context, db *mongo.Database, olderThan time.Time) (int64, error) {
	res, err := db.Collection(Collection).DeleteMany(ctx,
		bson.D{{Key: fRelayedAt, Value: bson.D{{Key: "$lt", Value: olderThan}}}})
	if err != nil {
		return 0, fmt.Errorf("delete events relayed before %s: %w", olderThan.Format(time.RFC3339), err)
	}
	return res.DeletedCount, nil
}

// acquireLease takes or renews the relay lease for owner until now+ttl. It returns false, nil
// when another owner holds an unexpired lease: the filter then matches nothing and the upsert
// collides with the existing document's _id.
func acquireLease(ctx context.Context, db *mongo.Database, owner string, now time.Time, ttl time.Duration) (bool, error) {
	err := db.Collection(LeaseCollection).FindOneAndUpdate(ctx,
		bson.D{
			{Key: fID, Value: leaseID},
			{Key: "$or", Value: bson.A{
				bson.D{{Key: fOwner, Value: owner}},
				bson.D{{Key: fExpiresAt, Value: bson.D{{Key: "$lte", Value: now}}}},
			}},
		},
		bson.D{{Key: "$set", Value: bson.D{{Key: fOwner, Value: owner}, {Key: fExpiresAt, Value: now.Add(ttl)}}}},
		options.FindOneAndUpdate().SetUpsert(true), // no projection: FerretDB v1 refuses "fields"
	).Err()
	switch {
	case err == nil, errors.Is(err, mongo.ErrNoDocuments): // no document before: upserted
		return true, nil
	case mongo.IsDuplicateKeyError(err):
		return false, nil
	}
	return false, fmt.Errorf("acquire relay lease: %w", err)
}

// releaseLease lets another relay take over at once, if owner still holds the lease.
func releaseLease(ctx context.Context, db *mongo.Database, owner string, now time.Time) error {
	_, err := db.Collection(LeaseCollection).UpdateOne(ctx,
		bson.D{{Key: fID, Value: leaseID}, {Key: fOwner, Value: owner}},
		bson.D{{Key: "$set", Value: bson.D{{Key: fExpiresAt, Value: now}}}})
	if err != nil {
		return fmt.Errorf("release relay lease: %w", err)
	}
	return nil
}

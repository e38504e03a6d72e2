package webhooks

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/events"
)

// The collections of this package. SubscriptionsCollection carries an events outbox: give it
// to the events Relay.
const (
	SubscriptionsCollection = "webhook_subscriptions"
	DeliveriesCollection    = "webhook_deliveries"
)

// Field names, in one place.
const (
	fID        = "_id"
	fAccountID = "accountId"
	fCreatedAt = "createdAt"
	fUpdatedAt = "updatedAt"

	// subscriptions
	fURL                 = "url"
	fDescription         = "description"
	fEventTypes          = "eventTypes"
	fActive              = "active"
	fDeleted             = "deleted"
	fDeletedAt           = "deletedAt"
	fHealth              = "health"
	fConsecutiveFailures = "consecutiveFailures"
	fFailingSince        = "failingSince"
	fLastSuccessAt       = "lastSuccessAt"
	fLastFailureAt       = "lastFailureAt"
	fDisabledAt          = "disabledAt"
	fSecret              = "secret"
	fPreviousSecret      = "previousSecret"
	fPreviousExpiresAt   = "previousSecretExpiresAt"
	fCursorSeq           = "cursorSeq"
	fStartAt             = "startAt"

	// deliveries
	fSubscriptionID = "subscriptionId"
	fEventID        = "eventId"
	fEventType      = "eventType"
	fEventSeq       = "eventSeq"
	fPayload        = "payload"
	fStatus         = "status"
	fAttempts       = "attempts"
	fWindowAttempts = "windowAttempts"
	fRetryFrom      = "retryFrom"
	fNextAttemptAt  = "nextAttemptAt"
	fLeaseUntil     = "leaseUntil"
	fLeaseToken     = "leaseToken"
	fManual         = "manual"
	fLastAttemptAt  = "lastAttemptAt"
	fLastStatusCode = "lastStatusCode"
	fLastError      = "lastError"
	fCompletedAt    = "completedAt"
	fLog            = "log"
)

// Indexes are this package's indexes; ensure them at start-up (with the relay's
// OutboxIndexes, which cover the subscriptions' outbox). Tenant indexes lead with accountId.
// Three serve the background work across accounts and cannot: the dispatcher's list of active
// subscriptions, the workers' queue, and the sweep.
func Indexes() []mongodb.Indexes {
	return []mongodb.Indexes{
		{Collection: SubscriptionsCollection, Models: []mongo.IndexModel{
			{
				// An account's subscriptions, in creation order (Subscriptions, the limit).
				Keys:    bson.D{{Key: fAccountID, Value: 1}, {Key: fCreatedAt, Value: 1}, {Key: fID, Value: 1}},
				Options: options.Index().SetName("account_created"),
			},
			{
				// The dispatcher's scan of active subscriptions.
				Keys:    bson.D{{Key: fActive, Value: 1}, {Key: fAccountID, Value: 1}},
				Options: options.Index().SetName("active_account"),
			},
		}},
		{Collection: DeliveriesCollection, Models: []mongo.IndexModel{
			{
				// One delivery per event and subscription: what makes enqueueing idempotent.
				Keys: bson.D{{Key: fAccountID, Value: 1}, {Key: fSubscriptionID, Value: 1},
					{Key: fEventID, Value: 1}},
				Options: options.Index().SetName("account_subscription_event").SetUnique(true),
			},
			{
				// A subscription's delivery log, newest first.
				Keys: bson.D{{Key: fAccountID, Value: 1}, {Key: fSubscriptionID, Value: 1},
					{Key: fCreatedAt, Value: 1}, {Key: fID, Value: 1}},
				Options: options.Index().SetName("account_subscription_created"),
			},
			{
				// The queue: due pending deliveries, earliest first.
				Keys:    bson.D{{Key: fStatus, Value: 1}, {Key: fNextAttemptAt, Value: 1}},
				Options: options.Index().SetName("queue"),
			},
			{
				// The sweep of finished deliveries.
				Keys:    bson.D{{Key: fCompletedAt, Value: 1}},
				Options: options.Index().SetName("completed"),
			},
		}},
	}
}

// subscriptionDoc is a subscription as stored. The document may also carry an events outbox,
// which is never decoded here (see the events package's rules).
type subscriptionDoc struct {
	ID                      string     `bson:"_id"`
	AccountID               string     `bson:"accountId"`
	URL                     string     `bson:"url"`
	Description             string     `bson:"description"`
	EventTypes              []string   `bson:"eventTypes"`
	Active                  bool       `bson:"active"`
	Deleted                 bool       `bson:"deleted"`
	DeletedAt               *time.Time `bson:"deletedAt,omitempty"`
	Health                  string     `bson:"health"`
	ConsecutiveFailures     int        `bson:"consecutiveFailures"`
	FailingSince            *time.Time `bson:"failingSince,omitempty"`
	LastSuccessAt           *time.Time `bson:"lastSuccessAt,omitempty"`
	LastFailureAt           *time.Time `bson:"lastFailureAt,omitempty"`
	DisabledAt              *time.Time `bson:"disabledAt,omitempty"`
	Secret                  string     `bson:"secret"`
	PreviousSecret          string     `bson:"previousSecret,omitempty"`
	PreviousSecretExpiresAt *time.Time `bson:"previousSecretExpiresAt,omitempty"`
	// CursorSeq is the last Seq of the account's feed that the dispatcher has handled for
	// this subscription; StartAt is when it (re)started receiving: events relayed earlier are
	// skipped.
	CursorSeq int64     `bson:"cursorSeq"`
	StartAt   time.Time `bson:"startAt"`
	CreatedBy string    `bson:"createdBy"`
	CreatedAt time.Time `bson:"createdAt"`
	UpdatedAt time.Time `bson:"updatedAt"`
}

func (d subscriptionDoc) toSubscription() Subscription {
	s := Subscription{
		ID: d.ID, AccountID: d.AccountID, URL: d.URL, Description: d.Description,
		EventTypes: append([]string(nil), d.EventTypes...), Active: d.Active, Health: Health(d.Health),
		ConsecutiveFailures: d.ConsecutiveFailures, FailingSince: utcPtr(d.FailingSince),
		LastSuccessAt: utcPtr(d.LastSuccessAt), LastFailureAt: utcPtr(d.LastFailureAt),
		DisabledAt: utcPtr(d.DisabledAt), SecretHint: secretHint(d.Secret),
		CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
	}
	if d.PreviousSecret != "" && d.PreviousSecretExpiresAt != nil {
		s.PreviousSecretExpiresAt = utcPtr(d.PreviousSecretExpiresAt)
	}
	return s
}

// signingSecrets are the secrets that sign at now: the current one, and the previous one
// until it expires.
func (d subscriptionDoc) signingSecrets(now time.Time) []string {
	out := []string{d.Secret}
	if d.PreviousSecret != "" && d.PreviousSecretExpiresAt != nil && now.Before(*d.PreviousSecretExpiresAt) {
		out = append(out, d.PreviousSecret)
	}
	return out
}

var subscriptionKeyset = mongodb.Keyset[subscriptionDoc]{
	Field: fCreatedAt,
	Key: func(d subscriptionDoc) cursor.Cursor {
		return cursor.Cursor{Key: d.CreatedAt.UTC().Format(time.RFC3339Nano), ID: d.ID}
	},
	Value: func(k string) (any, error) { return time.Parse(time.RFC3339Nano, k) },
}

// deliveryDoc is a delivery as stored.
type deliveryDoc struct {
	ID             string `bson:"_id"`
	AccountID      string `bson:"accountId"`
	SubscriptionID string `bson:"subscriptionId"`
	EventID        string `bson:"eventId"`
	EventType      string `bson:"eventType"`
	EventSeq       int64  `bson:"eventSeq"`
	Payload        string `bson:"payload"` // the JSON body
	Status         string `bson:"status"`
	Attempts       int    `bson:"attempts"`
	// WindowAttempts counts the attempts since RetryFrom, the start of the current retry
	// window (the first attempt, or the last Redeliver).
	WindowAttempts int       `bson:"windowAttempts"`
	RetryFrom      time.Time `bson:"retryFrom"`
	NextAttemptAt  time.Time `bson:"nextAttemptAt"`
	// LeaseUntil and LeaseToken reserve the delivery for the worker attempting it.
	LeaseUntil     time.Time             `bson:"leaseUntil"`
	LeaseToken     string                `bson:"leaseToken,omitempty"`
	Manual         bool                  `bson:"manual"`
	LastAttemptAt  *time.Time            `bson:"lastAttemptAt,omitempty"`
	LastStatusCode int                   `bson:"lastStatusCode"`
	LastError      string                `bson:"lastError"`
	CreatedAt      time.Time             `bson:"createdAt"`
	UpdatedAt      time.Time             `bson:"updatedAt"`
	CompletedAt    *time.Time            `bson:"completedAt,omitempty"`
	Log            map[string]attemptDoc `bson:"log,omitempty"`
}

type attemptDoc struct {
	Number     int         `bson:"number"`
	At         time.Time   `bson:"at"`
	Manual     bool        `bson:"manual"`
	URL        string      `bson:"url"`
	Headers    []headerDoc `bson:"headers"`
	StatusCode int         `bson:"statusCode"`
	LatencyMS  int64       `bson:"latencyMs"`
	Error      string      `bson:"error"`
}

type headerDoc struct {
	Name  string `bson:"name"`
	Value string `bson:"value"`
}

// logSlot is the key of attempt n in a delivery's log: the log is a ring of MaxLogAttempts
// slots, so each attempt is one $set of one key in the same update as the outcome, and the
// log never grows past the ring.
func logSlot(n int) string { return fmt.Sprintf("s%02d", (n-1)%MaxLogAttempts) }

func (d deliveryDoc) toDelivery() Delivery {
	out := Delivery{
		ID: d.ID, AccountID: d.AccountID, SubscriptionID: d.SubscriptionID, EventID: d.EventID,
		EventType: d.EventType, EventSeq: d.EventSeq, Status: DeliveryStatus(d.Status),
		Attempts: d.Attempts, LastAttemptAt: utcPtr(d.LastAttemptAt), LastStatusCode: d.LastStatusCode,
		LastError: d.LastError, Payload: []byte(d.Payload), CreatedAt: d.CreatedAt.UTC(),
		CompletedAt: utcPtr(d.CompletedAt),
	}
	if out.Status == Pending {
		next := d.NextAttemptAt.UTC()
		out.NextAttemptAt = &next
	}
	for _, a := range d.Log {
		at := Attempt{Number: a.Number, At: a.At.UTC(), Manual: a.Manual, URL: a.URL,
			StatusCode: a.StatusCode, Latency: time.Duration(a.LatencyMS) * time.Millisecond, Error: a.Error}
		for _, h := range a.Headers {
			at.RequestHeaders = append(at.RequestHeaders, Header(h))
		}
		out.Log = append(out.Log, at)
	}
	sort.Slice(out.Log, func(i, j int) bool { return out.Log[i].Number < out.Log[j].Number })
	return out
}

var deliveryKeyset = mongodb.Keyset[deliveryDoc]{
	Field: fCreatedAt,
	Key: func(d deliveryDoc) cursor.Cursor {
		return cursor.Cursor{Key: d.CreatedAt.UTC().Format(time.RFC3339Nano), ID: d.ID}
	},
	Value: func(k string) (any, error) { return time.Parse(time.RFC3339Nano, k) },
}

func returnAfter() *options.FindOneAndUpdateOptions {
	return options.FindOneAndUpdate().SetReturnDocument(options.After)
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// store holds the collections and the queries on them.
type store struct {
	subs       *mongo.Collection
	deliveries *mongo.Collection
}

func newStore(db *mongo.Database) store {
	return store{subs: db.Collection(SubscriptionsCollection), deliveries: db.Collection(DeliveriesCollection)}
}

// findSubscription returns a subscription that is not deleted, or NOT_FOUND.
func (st store) findSubscription(ctx context.Context, id string) (subscriptionDoc, error) {
	var d subscriptionDoc
	err := st.subs.FindOne(ctx, bson.D{{Key: fID, Value: id}, {Key: fDeleted, Value: false}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return d, ErrNotFound
	}
	if err != nil {
		return d, mongodb.MapError(err, "find webhook subscription")
	}
	return d, nil
}

// updateSubscription applies update to a live subscription of the account matching extra
// conditions and returns it after the change; NOT_FOUND when nothing matched.
func (st store) updateSubscription(ctx context.Context, d subscriptionDoc, extra bson.D, update bson.D) (subscriptionDoc, error) {
	filter := append(bson.D{{Key: fID, Value: d.ID}, {Key: fAccountID, Value: d.AccountID},
		{Key: fDeleted, Value: false}}, extra...)
	var out subscriptionDoc
	err := st.subs.FindOneAndUpdate(ctx, filter, update,
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&out)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return out, ErrNotFound
	}
	if err != nil {
		return out, mongodb.MapError(err, "update webhook subscription")
	}
	return out, nil
}

func (st store) countSubscriptions(ctx context.Context, accountID string) (int64, error) {
	n, err := st.subs.CountDocuments(ctx, bson.D{{Key: fAccountID, Value: accountID}, {Key: fDeleted, Value: false}})
	if err != nil {
		return 0, mongodb.MapError(err, "count webhook subscriptions")
	}
	return n, nil
}

// activeSubscriptions returns every active subscription, for the dispatcher.
func (st store) activeSubscriptions(ctx context.Context) ([]subscriptionDoc, error) {
	cur, err := st.subs.Find(ctx, bson.D{{Key: fActive, Value: true}, {Key: fDeleted, Value: false}},
		options.Find().SetProjection(bson.D{
			{Key: fAccountID, Value: 1}, {Key: fEventTypes, Value: 1}, {Key: fActive, Value: 1},
			{Key: fCursorSeq, Value: 1}, {Key: fStartAt, Value: 1},
		}))
	if err != nil {
		return nil, fmt.Errorf("find active webhook subscriptions: %w", err)
	}
	var docs []subscriptionDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read active webhook subscriptions: %w", err)
	}
	return docs, nil
}

// advanceCursor moves a subscription's cursor forward to seq; it never moves it back.
func (st store) advanceCursor(ctx context.Context, id string, seq int64) error {
	_, err := st.subs.UpdateOne(ctx,
		bson.D{{Key: fID, Value: id}, {Key: fCursorSeq, Value: bson.D{{Key: "$lt", Value: seq}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: fCursorSeq, Value: seq}}}})
	if err != nil {
		return fmt.Errorf("advance cursor of %s to %d: %w", id, seq, err)
	}
	return nil
}

// insertDelivery stores a new delivery. It returns false when the subscription already has a
// delivery of that event (a replay after a crash, or two dispatchers at once).
func (st store) insertDelivery(ctx context.Context, d deliveryDoc) (bool, error) {
	_, err := st.deliveries.InsertOne(ctx, d)
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("insert delivery of %s to %s: %w", d.EventID, d.SubscriptionID, err)
	}
	return true, nil
}

// claim reserves the earliest due pending delivery whose lease has lapsed and counts the
// attempt. It returns false when none is due.
func (st store) claim(ctx context.Context, now time.Time, token string) (deliveryDoc, bool, error) {
	var d deliveryDoc
	err := st.deliveries.FindOneAndUpdate(ctx,
		bson.D{
			{Key: fStatus, Value: string(Pending)},
			{Key: fNextAttemptAt, Value: bson.D{{Key: "$lte", Value: now}}},
			{Key: fLeaseUntil, Value: bson.D{{Key: "$lte", Value: now}}},
		},
		bson.D{
			{Key: "$set", Value: bson.D{{Key: fLeaseUntil, Value: now.Add(LeaseTTL)},
				{Key: fLeaseToken, Value: token}, {Key: fUpdatedAt, Value: now}}},
			{Key: "$inc", Value: bson.D{{Key: fAttempts, Value: 1}, {Key: fWindowAttempts, Value: 1}}},
		},
		options.FindOneAndUpdate().SetSort(bson.D{{Key: fNextAttemptAt, Value: 1}}).
			SetReturnDocument(options.After),
	).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return d, false, nil
	}
	if err != nil {
		return d, false, fmt.Errorf("claim delivery: %w", err)
	}
	return d, true, nil
}

// finishAttempt records an attempt's outcome if the worker still holds the delivery's lease,
// and releases the lease. It returns false when the lease was lost.
func (st store) finishAttempt(ctx context.Context, d deliveryDoc, set bson.D, now time.Time) (bool, error) {
	set = append(set, bson.E{Key: fLeaseUntil, Value: now}, bson.E{Key: fUpdatedAt, Value: now})
	res, err := st.deliveries.UpdateOne(ctx,
		bson.D{{Key: fID, Value: d.ID}, {Key: fLeaseToken, Value: d.LeaseToken}},
		bson.D{{Key: "$set", Value: set}, {Key: "$unset", Value: bson.D{{Key: fLeaseToken, Value: ""}}}})
	if err != nil {
		return false, fmt.Errorf("record attempt %d of %s: %w", d.Attempts, d.ID, err)
	}
	return res.MatchedCount == 1, nil
}

// cancelPending cancels a subscription's pending deliveries and returns how many.
func (st store) cancelPending(ctx context.Context, accountID, subID string, now time.Time) (int64, error) {
	res, err := st.deliveries.UpdateMany(ctx,
		bson.D{{Key: fAccountID, Value: accountID}, {Key: fSubscriptionID, Value: subID},
			{Key: fStatus, Value: string(Pending)}},
		bson.D{{Key: "$set", Value: bson.D{{Key: fStatus, Value: string(Canceled)},
			{Key: fCompletedAt, Value: now}, {Key: fUpdatedAt, Value: now}}}})
	if err != nil {
		return 0, fmt.Errorf("cancel pending deliveries of %s: %w", subID, err)
	}
	return res.ModifiedCount, nil
}

// findDelivery returns a delivery or NOT_FOUND.
func (st store) findDelivery(ctx context.Context, id string) (deliveryDoc, error) {
	var d deliveryDoc
	err := st.deliveries.FindOne(ctx, bson.D{{Key: fID, Value: id}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return d, ErrNotFound
	}
	if err != nil {
		return d, mongodb.MapError(err, "find delivery")
	}
	return d, nil
}

// queueDepth counts pending deliveries, and those of them due at now.
func (st store) queueDepth(ctx context.Context, now time.Time) (QueueDepth, error) {
	pending, err := st.deliveries.CountDocuments(ctx, bson.D{{Key: fStatus, Value: string(Pending)}})
	if err != nil {
		return QueueDepth{}, fmt.Errorf("count pending deliveries: %w", err)
	}
	due, err := st.deliveries.CountDocuments(ctx, bson.D{{Key: fStatus, Value: string(Pending)},
		{Key: fNextAttemptAt, Value: bson.D{{Key: "$lte", Value: now}}}})
	if err != nil {
		return QueueDepth{}, fmt.Errorf("count due deliveries: %w", err)
	}
	return QueueDepth{Pending: pending, Due: due}, nil
}

// sweep deletes deliveries finished before olderThan, and subscriptions deleted before then
// whose outbox is drained.
func (st store) sweep(ctx context.Context, olderThan time.Time) (int64, error) {
	res, err := st.deliveries.DeleteMany(ctx, bson.D{
		{Key: fCompletedAt, Value: bson.D{{Key: "$lt", Value: olderThan}}},
		{Key: fStatus, Value: bson.D{{Key: "$ne", Value: string(Pending)}}},
	})
	if err != nil {
		return 0, fmt.Errorf("sweep deliveries: %w", err)
	}
	_, err = st.subs.DeleteMany(ctx, bson.D{
		{Key: fDeleted, Value: true},
		{Key: fDeletedAt, Value: bson.D{{Key: "$lt", Value: olderThan}}},
		events.Drained(),
	})
	if err != nil {
		return res.DeletedCount, fmt.Errorf("sweep deleted subscriptions: %w", err)
	}
	return res.DeletedCount, nil
}

package webhooks

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/audit"
	"github.com/tradehub/tradehub/services/events"
)

// Authorizer decides whether the caller of ctx may do act on res in domain (an account id).
// *access.Service is one. It returns UNAUTHENTICATED, NOT_FOUND (the caller may not even read
// the resource there, so a foreign id looks missing), FORBIDDEN or ACCOUNT_SUSPENDED.
type Authorizer interface {
	Require(ctx context.Context, domain string, res access.Resource, act access.Action) error
}

// EventSource reads an account's feed after a sequence number; *events.Feed is one.
type EventSource interface {
	List(ctx context.Context, accountID string, afterSeq int64, types []string, limit int) ([]events.Event, error)
}

// Notifier is told that a document now has a pending outbox entry; *events.Relay is one.
type Notifier interface {
	Notify()
}

// Wildcard, as the only event type of a subscription, means every type.
const Wildcard = "*"

// eventTypePattern is the events package's form of a type: lower-case dotted words.
var eventTypePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)

// Config is the service's setup.
type Config struct {
	DB     *mongo.Database
	Access Authorizer
	// Events is the feed the dispatcher reads (an *events.Feed over the same database).
	Events EventSource
	// Relay, when set, is notified after the service records an event (a disabled
	// subscription), so that it is relayed at once rather than at the relay's next tick.
	Relay Notifier
	// EventTypes is the catalogue of event types a subscription may ask for, such as
	// "shipment.status_changed". EventSubscriptionDisabled is added to it.
	EventTypes []string
	// Development allows http URLs and every target address (local receivers); production
	// requires https and refuses private, loopback and link-local targets (package doc).
	Development bool
	// TLSConfig, when set, is the TLS client configuration for receivers (for example root CAs
	// of a private CA, or of a test server). There is deliberately no way to pass an
	// http.Client: one with its own dialer or a proxy would bypass the address guard.
	TLSConfig *tls.Config
	// Resolver looks up receivers' host names; nil means net.DefaultResolver.
	Resolver Resolver
	Clock    clock.Clock
	Logger   *slog.Logger
	// Workers is how many attempts Run makes at once; 0 means 4.
	Workers int
	// PollInterval is how often Run looks for due deliveries and new events when it has not
	// been woken; 0 means one second.
	PollInterval time.Duration
	// OnAttempt, when set, is called after each attempt is recorded (for latency histograms),
	// from several goroutines at once; it must not block.
	OnAttempt func(AttemptResult)
}

// Service is the webhooks service. It is safe for concurrent use.
type Service struct {
	cfg        Config
	access     Authorizer
	events     EventSource
	clock      clock.Clock
	log        *slog.Logger
	st         store
	target     target
	client     *http.Client
	catalogue  map[string]bool
	workers    int
	poll       time.Duration
	wake       chan struct{}
	dispatchMu sync.Mutex // one dispatch pass at a time in this process
	stats      counters
	running    atomic.Bool
}

// NewService checks cfg and returns the service. It returns an error for a missing DB,
// Access or Events, or a catalogue entry that is not an event type.
func NewService(cfg Config) (*Service, error) {
	if cfg.DB == nil || cfg.Access == nil || cfg.Events == nil {
		return nil, errors.New("webhooks: DB, Access and Events are required")
	}
	catalogue := map[string]bool{EventSubscriptionDisabled: true}
	for _, t := range cfg.EventTypes {
		if len(t) > 64 || !eventTypePattern.MatchString(t) {
			return nil, fmt.Errorf("webhooks: catalogue entry %q is not an event type", t)
		}
		catalogue[t] = true
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.System()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Resolver == nil {
		cfg.Resolver = net.DefaultResolver
	}
	workers := cfg.Workers
	if workers <= 0 {
		workers = 4
	}
	poll := cfg.PollInterval
	if poll <= 0 {
		poll = time.Second
	}
	tg := target{development: cfg.Development, resolver: cfg.Resolver}
	return &Service{
		cfg: cfg, access: cfg.Access, events: cfg.Events, clock: cfg.Clock, log: cfg.Logger,
		st: newStore(cfg.DB), target: tg, client: tg.client(cfg.TLSConfig), catalogue: catalogue,
		workers: workers, poll: poll, wake: make(chan struct{}, 1),
	}, nil
}

// EventTypes returns the catalogue subscriptions may choose from, sorted.
func (s *Service) EventTypes() []string {
	out := make([]string, 0, len(s.catalogue))
	for t := range s.catalogue {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// CreateSubscriptionInput is a new subscription.
type CreateSubscriptionInput struct {
	AccountID   string
	URL         string
	EventTypes  []string // from the catalogue, or ["*"]
	Description string
}

// CreateSubscription registers an endpoint for an account and returns it with its signing
// secret, which is never available again (RotateSecret makes a new one). The subscription is
// active and receives the events relayed from now on.
//
// Errors (nothing is stored): the Authorizer's for Write on the account; INVALID with a
// field: INVALID_URL or URL_NOT_ALLOWED ("input.url"), UNKNOWN_EVENT_TYPE or INVALID
// ("input.eventTypes" or "input.eventTypes.<i>"), INVALID ("input.description");
// TOO_MANY_SUBSCRIPTIONS (FAILED_PRECONDITION) at MaxSubscriptions.
func (s *Service) CreateSubscription(ctx context.Context, in CreateSubscriptionInput) (Subscription, string, error) {
	audit.Annotate(ctx, in.AccountID, "")
	if err := s.access.Require(ctx, in.AccountID, Resource, access.Write); err != nil {
		return Subscription{}, "", err
	}
	types, err := s.checkEventTypes("input.eventTypes", in.EventTypes)
	if err != nil {
		return Subscription{}, "", err
	}
	desc, err := checkDescription("input.description", in.Description)
	if err != nil {
		return Subscription{}, "", err
	}
	u, err := s.target.check(ctx, "input.url", in.URL)
	if err != nil {
		return Subscription{}, "", err
	}
	// The limit is checked before the insert, so two creations racing at the limit may both
	// pass: the limit is a guard against mistakes, not a quota anyone relies on.
	n, err := s.st.countSubscriptions(ctx, in.AccountID)
	if err != nil {
		return Subscription{}, "", err
	}
	if n >= MaxSubscriptions {
		return Subscription{}, "", ErrTooManySubscriptions
	}
	// Where the feed ends, then the time: an event relayed after the time has a greater Seq.
	seq, err := s.latestSeq(ctx, in.AccountID)
	if err != nil {
		return Subscription{}, "", errs.Internalf("find the end of the feed of %s: %w", in.AccountID, err)
	}
	now := s.clock.Now()
	secret := newSecret()
	doc := subscriptionDoc{
		ID: ids.New(ids.Webhook), AccountID: in.AccountID, URL: u, Description: desc, EventTypes: types,
		Active: true, Health: string(Healthy), Secret: secret, CursorSeq: seq, StartAt: now,
		CreatedBy: actorOf(ctx), CreatedAt: now, UpdatedAt: now,
	}
	audit.Annotate(ctx, in.AccountID, doc.ID)
	if _, err := s.st.subs.InsertOne(ctx, doc); err != nil {
		return Subscription{}, "", mongodb.MapError(err, "insert webhook subscription")
	}
	return doc.toSubscription(), secret, nil
}

// UpdateSubscriptionInput changes a subscription; nil fields stay as they are.
type UpdateSubscriptionInput struct {
	SubscriptionID string
	URL            *string
	EventTypes     []string // nil: unchanged
	Description    *string
	// Active pauses (false) or resumes (true) the subscription. Pausing cancels its pending
	// deliveries; resuming makes it HEALTHY with no failures counted, and it receives the
	// events relayed from then on (not those of the pause).
	Active *bool
}

// UpdateSubscription changes a subscription and returns it. A new URL is used from the next
// attempt on, including the retries of pending deliveries.
//
// Errors (nothing is changed): NOT_FOUND for a subscription that does not exist, was deleted
// or belongs to an account the caller cannot see; the Authorizer's for Write; the INVALID
// errors of CreateSubscription, with the same fields.
func (s *Service) UpdateSubscription(ctx context.Context, in UpdateSubscriptionInput) (Subscription, error) {
	cur, err := s.st.findSubscription(ctx, in.SubscriptionID)
	if err != nil {
		return Subscription{}, err
	}
	audit.Annotate(ctx, cur.AccountID, cur.ID)
	if err := s.access.Require(ctx, cur.AccountID, Resource, access.Write); err != nil {
		return Subscription{}, err
	}
	resuming := in.Active != nil && *in.Active && !cur.Active
	pausing := in.Active != nil && !*in.Active && cur.Active
	var seq int64
	if resuming {
		// As at creation: the events of the pause are skipped, not read.
		if seq, err = s.latestSeq(ctx, cur.AccountID); err != nil {
			return Subscription{}, errs.Internalf("find the end of the feed of %s: %w", cur.AccountID, err)
		}
	}
	now := s.clock.Now()
	set := bson.D{{Key: fUpdatedAt, Value: now}}
	var unset bson.D
	if in.EventTypes != nil {
		types, err := s.checkEventTypes("input.eventTypes", in.EventTypes)
		if err != nil {
			return Subscription{}, err
		}
		set = append(set, bson.E{Key: fEventTypes, Value: types})
	}
	if in.Description != nil {
		desc, err := checkDescription("input.description", *in.Description)
		if err != nil {
			return Subscription{}, err
		}
		set = append(set, bson.E{Key: fDescription, Value: desc})
	}
	if in.URL != nil {
		u, err := s.target.check(ctx, "input.url", *in.URL)
		if err != nil {
			return Subscription{}, err
		}
		set = append(set, bson.E{Key: fURL, Value: u})
	}
	if resuming {
		set = append(set, bson.E{Key: fActive, Value: true}, bson.E{Key: fHealth, Value: string(Healthy)},
			bson.E{Key: fConsecutiveFailures, Value: 0}, bson.E{Key: fStartAt, Value: now})
		unset = bson.D{{Key: fFailingSince, Value: ""}, {Key: fDisabledAt, Value: ""}}
	}
	if pausing {
		set = append(set, bson.E{Key: fActive, Value: false})
	}
	update := bson.D{{Key: "$set", Value: set}}
	if len(unset) > 0 {
		update = append(update, bson.E{Key: "$unset", Value: unset})
	}
	if resuming {
		update = append(update, bson.E{Key: "$max", Value: bson.D{{Key: fCursorSeq, Value: seq}}})
	}
	doc, err := s.st.updateSubscription(ctx, cur, nil, update)
	if err != nil {
		return Subscription{}, err
	}
	if pausing {
		if _, err := s.st.cancelPending(ctx, doc.AccountID, doc.ID, now); err != nil {
			// The pause is stored; a worker that meets a pending delivery of a paused
			// subscription cancels it then.
			s.log.WarnContext(ctx, "cancel deliveries of a paused webhook subscription", "subscription", doc.ID, "err", err)
		}
	}
	return doc.toSubscription(), nil
}

// RotateSecretInput asks for a new signing secret.
type RotateSecretInput struct {
	SubscriptionID string
	// ExpirePreviousNow stops the current secret at once (for a leaked secret). Otherwise it
	// keeps signing, next to the new one, for PreviousSecretValidity (24 h), so receivers can
	// switch without losing deliveries.
	ExpirePreviousNow bool
}

// RotateSecret gives a subscription a new signing secret and returns it; it is never available
// again. Until the previous secret expires, every delivery carries two v1 signatures, the new
// secret's first. A secret rotated out earlier that was still valid stops at once: only the
// latest previous secret keeps signing.
//
// Errors: NOT_FOUND (as UpdateSubscription), the Authorizer's for Write, CONCURRENT_CHANGE
// (CONFLICT) when another rotation happened at the same time (nothing changed; try again).
func (s *Service) RotateSecret(ctx context.Context, in RotateSecretInput) (Subscription, string, error) {
	cur, err := s.st.findSubscription(ctx, in.SubscriptionID)
	if err != nil {
		return Subscription{}, "", err
	}
	audit.Annotate(ctx, cur.AccountID, cur.ID)
	if err := s.access.Require(ctx, cur.AccountID, Resource, access.Write); err != nil {
		return Subscription{}, "", err
	}
	now := s.clock.Now()
	secret := newSecret()
	var update bson.D
	if in.ExpirePreviousNow {
		update = bson.D{
			{Key: "$set", Value: bson.D{{Key: fSecret, Value: secret}, {Key: fUpdatedAt, Value: now}}},
			{Key: "$unset", Value: bson.D{{Key: fPreviousSecret, Value: ""}, {Key: fPreviousExpiresAt, Value: ""}}},
		}
	} else {
		update = bson.D{{Key: "$set", Value: bson.D{
			{Key: fSecret, Value: secret}, {Key: fPreviousSecret, Value: cur.Secret},
			{Key: fPreviousExpiresAt, Value: now.Add(PreviousSecretValidity)}, {Key: fUpdatedAt, Value: now},
		}}}
	}
	// Guarded on the secret read, so two rotations at once cannot both keep "their" previous.
	doc, err := s.st.updateSubscription(ctx, cur, bson.D{{Key: fSecret, Value: cur.Secret}}, update)
	if errors.Is(err, ErrNotFound) {
		if _, ferr := s.st.findSubscription(ctx, cur.ID); ferr == nil {
			return Subscription{}, "", ErrConcurrentChange
		}
	}
	if err != nil {
		return Subscription{}, "", err
	}
	return doc.toSubscription(), secret, nil
}

// DeleteSubscription deletes a subscription: it receives nothing more, its pending deliveries
// are canceled, and it and its delivery log disappear from every read. It returns the
// subscription as it was. Errors: NOT_FOUND (as UpdateSubscription), the Authorizer's for Write.
func (s *Service) DeleteSubscription(ctx context.Context, subscriptionID string) (Subscription, error) {
	cur, err := s.st.findSubscription(ctx, subscriptionID)
	if err != nil {
		return Subscription{}, err
	}
	audit.Annotate(ctx, cur.AccountID, cur.ID)
	if err := s.access.Require(ctx, cur.AccountID, Resource, access.Write); err != nil {
		return Subscription{}, err
	}
	now := s.clock.Now()
	// Marked, not removed: the document may hold a pending outbox entry, which must be relayed
	// first. The sweep removes it after DeliveryRetention.
	_, err = s.st.updateSubscription(ctx, cur, nil, bson.D{{Key: "$set", Value: bson.D{
		{Key: fDeleted, Value: true}, {Key: fDeletedAt, Value: now}, {Key: fActive, Value: false},
		{Key: fUpdatedAt, Value: now},
	}}})
	if err != nil {
		return Subscription{}, err
	}
	if _, err := s.st.cancelPending(ctx, cur.AccountID, cur.ID, now); err != nil {
		s.log.WarnContext(ctx, "cancel deliveries of a deleted webhook subscription", "subscription", cur.ID, "err", err)
	}
	return cur.toSubscription(), nil
}

// Subscription returns one subscription. Errors: NOT_FOUND (as UpdateSubscription), the
// Authorizer's for Read.
func (s *Service) Subscription(ctx context.Context, subscriptionID string) (Subscription, error) {
	doc, err := s.st.findSubscription(ctx, subscriptionID)
	if err != nil {
		return Subscription{}, err
	}
	if err := s.access.Require(ctx, doc.AccountID, Resource, access.Read); err != nil {
		return Subscription{}, err
	}
	return doc.toSubscription(), nil
}

// Subscriptions lists an account's subscriptions, oldest first, as a Relay connection page.
// Errors: the Authorizer's for Read on the account; INVALID_PAGINATION or INVALID_CURSOR.
func (s *Service) Subscriptions(ctx context.Context, accountID string, page cursor.Page) (cursor.Result[Subscription], error) {
	if err := s.access.Require(ctx, accountID, Resource, access.Read); err != nil {
		return cursor.Result[Subscription]{}, err
	}
	w, err := page.Validate(cursor.MaxLimit)
	if err != nil {
		return cursor.Result[Subscription]{}, err
	}
	res, err := mongodb.FindPage(ctx, s.st.subs,
		bson.M{fAccountID: accountID, fDeleted: false}, subscriptionKeyset, w)
	if err != nil {
		return cursor.Result[Subscription]{}, err
	}
	out := cursor.Result[Subscription]{Cursors: res.Cursors, HasNextPage: res.HasNextPage,
		HasPreviousPage: res.HasPreviousPage}
	for _, d := range res.Items {
		out.Items = append(out.Items, d.toSubscription())
	}
	return out, nil
}

// DeliveriesFilter narrows Deliveries.
type DeliveriesFilter struct {
	SubscriptionID string
	Status         DeliveryStatus // empty: every status
}

// Deliveries lists a subscription's deliveries, newest first, with their attempt logs and
// payloads, as a Relay connection page. Errors: NOT_FOUND (as UpdateSubscription), the
// Authorizer's for Read, INVALID ("status") for an unknown status, INVALID_PAGINATION or
// INVALID_CURSOR.
func (s *Service) Deliveries(ctx context.Context, f DeliveriesFilter, page cursor.Page) (cursor.Result[Delivery], error) {
	sub, err := s.st.findSubscription(ctx, f.SubscriptionID)
	if err != nil {
		return cursor.Result[Delivery]{}, err
	}
	if err := s.access.Require(ctx, sub.AccountID, Resource, access.Read); err != nil {
		return cursor.Result[Delivery]{}, err
	}
	filter := bson.M{fAccountID: sub.AccountID, fSubscriptionID: sub.ID}
	switch f.Status {
	case "":
	case Pending, Succeeded, Failed, Canceled:
		filter[fStatus] = string(f.Status)
	default:
		return cursor.Result[Delivery]{}, errs.InvalidField("status", "not a delivery status")
	}
	w, err := page.Validate(cursor.MaxLimit)
	if err != nil {
		return cursor.Result[Delivery]{}, err
	}
	// Newest first: page over the ascending order with the window turned around.
	w.Forward = !w.Forward
	w.After, w.Before = w.Before, w.After
	res, err := mongodb.FindPage(ctx, s.st.deliveries, filter, deliveryKeyset, w)
	if err != nil {
		return cursor.Result[Delivery]{}, err
	}
	out := cursor.Result[Delivery]{HasNextPage: res.HasPreviousPage, HasPreviousPage: res.HasNextPage}
	for i := len(res.Items) - 1; i >= 0; i-- {
		out.Items = append(out.Items, res.Items[i].toDelivery())
		out.Cursors = append(out.Cursors, res.Cursors[i])
	}
	return out, nil
}

// Delivery returns one delivery with its attempt log and payload. Errors: NOT_FOUND for a
// delivery that does not exist, whose subscription was deleted, or of an account the caller
// cannot see; the Authorizer's for Read.
func (s *Service) Delivery(ctx context.Context, deliveryID string) (Delivery, error) {
	d, _, err := s.visibleDelivery(ctx, deliveryID, access.Read)
	if err != nil {
		return Delivery{}, err
	}
	return d.toDelivery(), nil
}

// Redeliver sends a delivery again, whatever its status: it becomes PENDING and due now, with
// a fresh retry window (so it is retried for 24 h if it fails again), and its next attempt is
// logged as manual. It carries the same Tradehub-Webhook-Id: a receiver that recorded that id
// as processed will acknowledge without processing it again.
//
// Errors: NOT_FOUND (as Delivery), the Authorizer's for Write, SUBSCRIPTION_INACTIVE when the
// subscription is paused or disabled, ATTEMPT_IN_PROGRESS while a worker is sending it.
func (s *Service) Redeliver(ctx context.Context, deliveryID string) (Delivery, error) {
	d, sub, err := s.visibleDelivery(ctx, deliveryID, access.Write)
	if err != nil {
		return Delivery{}, err
	}
	if !sub.Active {
		return Delivery{}, ErrSubscriptionInactive
	}
	now := s.clock.Now()
	var out deliveryDoc
	err = s.st.deliveries.FindOneAndUpdate(ctx,
		bson.D{{Key: fID, Value: d.ID}, {Key: fLeaseUntil, Value: bson.D{{Key: "$lte", Value: now}}}},
		bson.D{
			{Key: "$set", Value: bson.D{
				{Key: fStatus, Value: string(Pending)}, {Key: fNextAttemptAt, Value: now},
				{Key: fRetryFrom, Value: now}, {Key: fWindowAttempts, Value: 0},
				{Key: fManual, Value: true}, {Key: fUpdatedAt, Value: now},
			}},
			{Key: "$unset", Value: bson.D{{Key: fCompletedAt, Value: ""}}},
		},
		returnAfter(),
	).Decode(&out)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return Delivery{}, ErrAttemptInProgress
	}
	if err != nil {
		return Delivery{}, mongodb.MapError(err, "redeliver")
	}
	s.poke()
	return out.toDelivery(), nil
}

// visibleDelivery loads a delivery of a live subscription, and the subscription, and
// authorizes act on them.
func (s *Service) visibleDelivery(ctx context.Context, deliveryID string, act access.Action) (deliveryDoc, subscriptionDoc, error) {
	d, err := s.st.findDelivery(ctx, deliveryID)
	if err != nil {
		return d, subscriptionDoc{}, err
	}
	if act == access.Write {
		audit.Annotate(ctx, d.AccountID, d.ID)
	}
	if err := s.access.Require(ctx, d.AccountID, Resource, act); err != nil {
		return d, subscriptionDoc{}, err
	}
	sub, err := s.st.findSubscription(ctx, d.SubscriptionID)
	if err != nil {
		return d, sub, err
	}
	return d, sub, nil
}

// checkEventTypes validates a subscription's types and returns them sorted, without repeats.
func (s *Service) checkEventTypes(field string, types []string) ([]string, error) {
	if len(types) == 0 {
		return nil, errs.InvalidField(field, "choose at least one event type, or %q for every type", Wildcard)
	}
	if len(types) > MaxEventTypes {
		return nil, errs.InvalidField(field, "at most %d event types; use %q for every type", MaxEventTypes, Wildcard)
	}
	seen := map[string]bool{}
	var out []string
	for i, t := range types {
		t = strings.TrimSpace(t)
		switch {
		case t == Wildcard && len(types) > 1:
			return nil, errs.InvalidField(fmt.Sprintf("%s.%d", field, i), "%q means every type: give it alone", Wildcard)
		case t != Wildcard && !s.catalogue[t]:
			return nil, ErrUnknownEventType.With(fmt.Sprintf("%s.%d", field, i), nil).
				WithMessage("%q is not an event type that webhooks can send", truncate(t, 64))
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out, nil
}

func checkDescription(field, desc string) (string, error) {
	desc = strings.TrimSpace(desc)
	if !utf8.ValidString(desc) || utf8.RuneCountInString(desc) > MaxDescriptionLen ||
		strings.IndexFunc(desc, unicode.IsControl) >= 0 {
		return "", errs.InvalidField(field, "at most %d characters, on one line", MaxDescriptionLen)
	}
	return desc, nil
}

// actorOf names the caller for CreatedBy: the API key, or the user.
func actorOf(ctx context.Context) string {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return ""
	}
	if p.Kind == auth.KindAPIKey {
		return p.APIKeyID
	}
	return p.UserID
}

// poke wakes Run's workers, if they sleep.
func (s *Service) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// truncate cuts s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

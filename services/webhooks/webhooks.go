// Package webhooks sends an account's domain events to HTTP endpoints that its seller platforms
// register: signed, retried with backoff for a day, logged attempt by attempt, and queued in the
// store so that a restart loses none.
//
// # Subscriptions
//
// An account's OWNER or ADMIN (whoever the Authorizer lets write Resource "webhooks") registers
// a Subscription: a URL, the event types it wants (from the catalogue given in Config.EventTypes,
// or "*" for every type), an optional description. The signing secret ("whsec_…") is returned
// by CreateSubscription and RotateSecret only, never again. An account has at most
// MaxSubscriptions subscriptions.
//
// A subscription receives the events relayed into its account's feed from the moment it is
// created (or re-activated) on; earlier events are not replayed. A platform that was away
// reconciles from the events feed (events.Feed.List by Seq), which keeps events for 30 days.
//
// # What a receiver gets
//
// One POST per event, with a JSON body and these headers:
//
//	POST /your/endpoint HTTP/1.1
//	Content-Type: application/json
//	User-Agent: Tradehub-Webhooks/1.0
//	Tradehub-Webhook-Id: dlv_01jq3v8k2m5x7c9d0e4f6g8h1j     the delivery: the same on every attempt
//	Tradehub-Event-Id: evt_01jq3v8k2m5x7c9d0e4f6g8h1k
//	Tradehub-Event-Type: shipment.status_changed
//	Tradehub-Webhook-Attempt: 1                             1, 2, 3… across retries and redeliveries
//	Tradehub-Signature: t=1795160400,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd
//
//	{"id":"evt_…","type":"shipment.status_changed","version":1,"accountId":"acct_…",
//	 "objectId":"shp_…","occurredAt":"2026-11-20T09:30:00.123Z","seq":42,"data":{…}}
//
// The body is Payload; data is the event's payload for its type and version, in relaxed
// MongoDB Extended JSON (plain JSON numbers and strings wherever that loses nothing). Any 2xx
// response acknowledges the delivery; anything else, a redirect, or no response within
// AttemptTimeout (10 s) is a failure that is retried. Redirects are not followed. Answer fast
// and do the work afterwards.
//
// # Verifying the signature
//
// Tradehub-Signature is "t=<unix seconds>,v1=<hex>", in the style of Stripe: v1 is the
// lower-case hex HMAC-SHA256 of the string t + "." + body, keyed with the whole secret as shown
// ("whsec_…", its bytes as they are, not decoded). To verify: read the raw body before any JSON
// parsing, split the header on ",", take t and every v1, reject t more than 5 minutes from your
// clock (replays), compute the HMAC and compare it in constant time with each v1; one match is
// enough. Ignore keys other than t and v1: later schemes will be added as new keys.
//
// During a rotation the header carries several v1 values, one per valid secret (see
// RotateSecret), so a receiver that still has the old secret and one that already has the new
// one both verify. In Go, Verify does all of this:
//
//	func handle(w http.ResponseWriter, r *http.Request) {
//		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
//		if err != nil {
//			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
//			return
//		}
//		err = webhooks.Verify(body, r.Header.Get(webhooks.HeaderSignature), secret, time.Now(), webhooks.DefaultTolerance)
//		if err != nil {
//			http.Error(w, "bad signature", http.StatusBadRequest)
//			return
//		}
//		if alreadyProcessed(r.Header.Get(webhooks.HeaderWebhookID)) {
//			w.WriteHeader(http.StatusOK) // a retry of something already done: acknowledge again
//			return
//		}
//		var p webhooks.Payload
//		_ = json.Unmarshal(body, &p)
//		enqueue(p) // and answer at once
//		w.WriteHeader(http.StatusNoContent)
//	}
//
// In TypeScript (Node 18+), over the raw body (for example express.raw({type: "application/json"})):
//
//	import { createHmac, timingSafeEqual } from "node:crypto";
//
//	export function verifyTradehubSignature(rawBody: Buffer | string, header: string,
//	    secret: string, toleranceSeconds = 300): boolean {
//	  let t = -1;
//	  const candidates: string[] = [];
//	  for (const part of header.split(",")) {
//	    const i = part.indexOf("=");
//	    if (i < 0) continue;
//	    const key = part.slice(0, i).trim();
//	    const value = part.slice(i + 1).trim();
//	    if (key === "t" && /^\d{1,12}$/.test(value)) t = Number(value);
//	    else if (key === "v1") candidates.push(value);
//	  }
//	  if (t < 0 || Math.abs(Date.now() / 1000 - t) > toleranceSeconds) return false;
//	  const expected = createHmac("sha256", secret).update(`${t}.`).update(rawBody).digest();
//	  return candidates.some((hex) => {
//	    const got = Buffer.from(hex, "hex");
//	    return got.length === expected.length && timingSafeEqual(got, expected);
//	  });
//	}
//
// # Delivery contract: at least once, de-duplicate on Tradehub-Webhook-Id
//
// Every (subscription, event) pair becomes exactly one Delivery, stored before it is attempted
// (a unique index makes that so even when the dispatcher runs twice or restarts). A worker
// claims a due delivery with a lease, POSTs it, and records the outcome; a 2xx is recorded as
// SUCCEEDED and never sent again by the retry machinery. Hence:
//
//   - A restart or a graceful stop loses nothing: pending deliveries and their retry times are
//     in the store, and another process (or this one, restarted) picks them up when due.
//   - A graceful stop (Run's context done) stops claiming at once and lets the attempts in
//     flight finish and be recorded, within AttemptTimeout plus a store write; nothing is sent
//     twice because of it.
//   - An attempt cut short by a crash, or one whose 2xx could not be recorded (the store was
//     down), is sent again once its lease expires (LeaseTTL). The receiver may then see the same
//     Tradehub-Webhook-Id twice, having acknowledged the first. That is the only way a duplicate
//     happens, apart from a manual redelivery, which is a deliberate resend with the same id.
//     Receivers must therefore treat Tradehub-Webhook-Id as an idempotency key (and may also key
//     on the event id: one event reaches one subscription in one delivery).
//   - Deliveries are not ordered: retries overtake one another. Use seq (per account, increasing,
//     with gaps) or occurredAt to order, and the events feed to fill gaps.
//
// # Retries
//
// After the n-th failed attempt of a delivery the next one is due after a random delay in
// [1 s, min(RetryCap, RetryBase·2^(n−1))] ("full jitter", so that receivers coming back after an
// outage are not hit by every delivery at once). The nominal ceilings are 30 s, 1 min, 2 min,
// 4 min, 8 min, 16 min, 32 min, 64 min, 2 h 8 min, 4 h 16 min, then 6 h. Retries go on for
// RetryWindow (24 h) from the first attempt: an attempt that would fall later is moved to the
// end of the window, so the last attempt is always made 24 h after the first. A delivery gets
// at most MaxAttempts (20) attempts, usually 16 to 20 as the jitter falls; when the 19th fails
// before the window ends, the 20th is moved to its end. When the attempt at the end of the
// window fails, the delivery is FAILED. (Shopify retries 8 times over 4 hours, ShipHero 5
// times; we keep a full day because a seller platform's weekend outage should not cost it a
// day of shipment updates.)
//
// # Health
//
// A subscription counts its consecutive failed attempts (across all its deliveries; any 2xx
// resets it) and when that run of failures began:
//
//   - HEALTHY: the last attempt succeeded, or fewer than WarningAfterFailures (3) failed in a row;
//   - WARNING: 3 or more failed in a row;
//   - UNHEALTHY: failing for UnhealthyAfter (1 h) or more;
//   - DISABLED: failing for DisableAfter (24 h), which is when the first failed delivery runs out
//     of retries. The subscription is then made inactive, its pending deliveries are CANCELED,
//     and a "webhook.subscription_disabled" event (EventSubscriptionDisabled) is recorded with
//     that change, through the events outbox of the subscription document, so the portal and
//     other subscriptions hear of it. Re-activating it (UpdateSubscription with Active) makes it
//     HEALTHY again; CANCELED deliveries can then be redelivered one by one.
//
// # Targets (SSRF)
//
// In production (Config.Development false) a URL must be https, and its host may not be, or
// resolve to, a loopback, private, link-local, unique-local, shared (100.64/10), unspecified,
// multicast or reserved address. That is checked when the subscription is created or changed,
// and again at every connection: the worker resolves the host itself, refuses if any address
// is forbidden, dials the IP it checked, and the dialer checks that IP once more, so a DNS
// answer that changes after registration (DNS rebinding) cannot reach an internal address. No
// proxy is used, and redirects are not followed. In development, http and every address are
// allowed, so tests and local receivers on 127.0.0.1 work.
//
// # Wiring
//
// cmd/tradehub builds one Service (NewService), ensures Indexes(), adds
// SubscriptionsCollection to the events Relay's collections (the disable event uses its
// outbox) and ensures the relay's OutboxIndexes, and runs Service.Run in the background until
// shutdown, after the relay is running. Every process may run Run: claims are guarded, and
// enqueueing twice is absorbed by the unique index. Stats (counters by outcome), QueueDepth and
// Config.OnAttempt (latencies) feed the metrics.
//
// The dispatcher polls the feed (Config.PollInterval, 1 s): one indexed read of the feed per
// account with an active subscription per poll, since FerretDB has no change streams.
//
// # Store
//
// Two collections: SubscriptionsCollection and DeliveriesCollection. A delivery keeps its
// payload (so a redelivery sends the same bytes, even after the event left the feed) and its
// last MaxLogAttempts attempts, in slots of a sub-document written in the same update as the
// outcome ($push with $slice would be the usual way, but FerretDB v1 ignores $slice). Finished
// deliveries are removed DeliveryRetention (30 days) after they finished, by Run's sweep.
//
// The signing secrets are stored as they are, unlike API keys, which are stored hashed: signing
// needs the secret itself. They are never returned after creation or rotation, never logged,
// and the attempt log keeps the signature header without its HMACs.
package webhooks

import (
	"encoding/json"
	"time"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/services/access"
)

// Resource is the access resource of webhook subscriptions and their deliveries, in an
// account's domain: Read for the subscriptions, their delivery log and payloads; Write to
// create, change, rotate, delete and redeliver. The matrix is expected to give both to OWNER and
// ADMIN (and Read to the staff who support the account).
const Resource access.Resource = "webhooks"

// EventSubscriptionDisabled is the event recorded when a subscription is disabled for failing.
// Its object is the subscription; its data is DisabledEventData. NewService adds it to the
// catalogue, so subscriptions may ask for it.
const EventSubscriptionDisabled = "webhook.subscription_disabled"

// DisabledEventData is the data of EventSubscriptionDisabled (version 1).
type DisabledEventData struct {
	SubscriptionID      string    `bson:"subscriptionId"`
	URL                 string    `bson:"url"`
	ConsecutiveFailures int       `bson:"consecutiveFailures"`
	FailingSince        time.Time `bson:"failingSince"`
}

// Limits and schedules. They are part of the contract with receivers and are documented in the
// package doc.
const (
	// MaxSubscriptions is how many subscriptions an account may have. Stripe allows 16
	// endpoints; a seller platform needs one or two.
	MaxSubscriptions = 20
	// MaxEventTypes is how many event types one subscription may list (or "*").
	MaxEventTypes = 50
	// MaxURLLen and MaxDescriptionLen bound the text of a subscription.
	MaxURLLen         = 2048
	MaxDescriptionLen = 200

	// AttemptTimeout bounds one attempt: connecting, sending and reading the response headers.
	AttemptTimeout = 10 * time.Second
	// LeaseTTL is how long a claimed delivery stays reserved for its worker. After a crash the
	// attempt is made again once it lapses.
	LeaseTTL = time.Minute

	// RetryBase, RetryCap, RetryWindow and MaxAttempts define the retry schedule (package doc).
	RetryBase   = 30 * time.Second
	RetryCap    = 6 * time.Hour
	RetryWindow = 24 * time.Hour
	MaxAttempts = 20
	// minRetryDelay keeps full jitter from retrying in the same instant.
	minRetryDelay = time.Second

	// WarningAfterFailures, UnhealthyAfter and DisableAfter define Health (package doc).
	WarningAfterFailures = 3
	UnhealthyAfter       = time.Hour
	DisableAfter         = 24 * time.Hour

	// MaxLogAttempts is how many attempts a delivery's log keeps (the latest ones).
	MaxLogAttempts = 20
	// DeliveryRetention is how long a finished delivery is kept.
	DeliveryRetention = 30 * 24 * time.Hour
	// PreviousSecretValidity is how long a secret keeps signing after a rotation.
	PreviousSecretValidity = 24 * time.Hour
)

// Health tells how a subscription's endpoint has been answering (package doc).
type Health string

const (
	Healthy   Health = "HEALTHY"
	Warning   Health = "WARNING"
	Unhealthy Health = "UNHEALTHY"
	Disabled  Health = "DISABLED"
)

// Subscription is an endpoint registered by an account. It never carries the signing secret.
type Subscription struct {
	ID          string // "whk_…"
	AccountID   string
	URL         string
	Description string
	// EventTypes are the types it receives, sorted; ["*"] means every type.
	EventTypes []string
	// Active is false when the account paused it or it was disabled for failing; an inactive
	// subscription receives nothing, and events of that time are not sent later.
	Active              bool
	Health              Health
	ConsecutiveFailures int        // failed attempts in a row, across its deliveries
	FailingSince        *time.Time // when the current run of failures began; nil when healthy
	LastSuccessAt       *time.Time
	LastFailureAt       *time.Time
	DisabledAt          *time.Time // when it was disabled for failing; nil unless Health is DISABLED
	// SecretHint is the beginning of the secret ("whsec_Ab3x…"), to tell secrets apart.
	SecretHint string
	// PreviousSecretExpiresAt is set while a secret replaced by RotateSecret still signs.
	PreviousSecretExpiresAt *time.Time
	CreatedBy               string // the user or API key that created it
	CreatedAt               time.Time
	UpdatedAt               time.Time
}

// DeliveryStatus is where a delivery stands.
type DeliveryStatus string

const (
	// Pending: waiting for its first attempt or a retry (or being attempted now).
	Pending DeliveryStatus = "PENDING"
	// Succeeded: the receiver answered 2xx.
	Succeeded DeliveryStatus = "SUCCEEDED"
	// Failed: every attempt of the retry window failed.
	Failed DeliveryStatus = "FAILED"
	// Canceled: dropped because the subscription was paused, disabled or deleted.
	Canceled DeliveryStatus = "CANCELED"
)

// Delivery is one event sent to one subscription, with its recent attempts.
type Delivery struct {
	ID             string // "dlv_…", sent as Tradehub-Webhook-Id
	AccountID      string
	SubscriptionID string
	EventID        string
	EventType      string
	EventSeq       int64
	Status         DeliveryStatus
	// Attempts counts every attempt made, across retries and redeliveries.
	Attempts int
	// NextAttemptAt is when the next attempt is due; set while Pending.
	NextAttemptAt *time.Time
	LastAttemptAt *time.Time
	// LastStatusCode is the HTTP status of the last attempt, 0 if it got no response.
	LastStatusCode int
	LastError      string
	// Payload is the exact JSON body sent (a Payload).
	Payload     []byte
	CreatedAt   time.Time
	CompletedAt *time.Time // when it left Pending
	// Log holds the last MaxLogAttempts attempts, oldest first.
	Log []Attempt
}

// Attempt is one POST of a delivery, as its log keeps it.
type Attempt struct {
	Number int // 1, 2, 3… as sent in Tradehub-Webhook-Attempt
	At     time.Time
	// Manual is true for the first attempt after a Redeliver.
	Manual bool
	// URL is where it was sent (the subscription's URL at that time).
	URL string
	// RequestHeaders are the headers sent, with the signature's HMACs left out.
	RequestHeaders []Header
	// StatusCode is the response's HTTP status, 0 if none came.
	StatusCode int
	Latency    time.Duration
	// Error says why it failed ("HTTP 503: …", "timeout after 10s", "address not allowed"),
	// at most maxErrorLen bytes; empty on success.
	Error string
}

// Header is one HTTP header of an attempt.
type Header struct {
	Name  string
	Value string
}

// Payload is the JSON body of every delivery. Receivers written in Go may decode into it.
type Payload struct {
	ID         string          `json:"id"`         // the event id, "evt_…"
	Type       string          `json:"type"`       // "shipment.status_changed"
	Version    int             `json:"version"`    // the version of data's schema for the type
	AccountID  string          `json:"accountId"`  // the account the event belongs to
	ObjectID   string          `json:"objectId"`   // the object that changed
	OccurredAt time.Time       `json:"occurredAt"` // RFC 3339, UTC, milliseconds
	Seq        int64           `json:"seq"`        // the event's number in the account's feed
	Data       json.RawMessage `json:"data"`
}

// Errors of this package, besides those of the Authorizer (UNAUTHENTICATED, NOT_FOUND for an
// account the caller cannot see, FORBIDDEN, ACCOUNT_SUSPENDED) and INTERNAL.
var (
	ErrNotFound             = errs.Sentinel(errs.NotFound, "NOT_FOUND", "not found")
	ErrInvalidURL           = errs.Sentinel(errs.Invalid, "INVALID_URL", "not a valid webhook URL")
	ErrURLNotAllowed        = errs.Sentinel(errs.Invalid, "URL_NOT_ALLOWED", "the URL's host is, or resolves to, a private, loopback or link-local address, which webhooks may not call")
	ErrUnknownEventType     = errs.Sentinel(errs.Invalid, "UNKNOWN_EVENT_TYPE", "not an event type that webhooks can send")
	ErrTooManySubscriptions = errs.Sentinel(errs.FailedPrecondition, "TOO_MANY_SUBSCRIPTIONS", "the account has the most webhook subscriptions allowed; delete one first")
	ErrSubscriptionInactive = errs.Sentinel(errs.FailedPrecondition, "SUBSCRIPTION_INACTIVE", "the subscription is not active; activate it first")
	ErrAttemptInProgress    = errs.Sentinel(errs.FailedPrecondition, "ATTEMPT_IN_PROGRESS", "the delivery is being attempted right now; try again in a moment")
	ErrConcurrentChange     = errs.Sentinel(errs.Conflict, "CONCURRENT_CHANGE", "the subscription was changed at the same time; try again")
)

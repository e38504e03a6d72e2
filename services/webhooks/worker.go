package webhooks

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tradehub/tradehub/services/events"
)

const (
	// storeTimeout bounds the store writes that record an attempt; they run on a context that
	// outlives Run's, so that a graceful stop still records what was sent.
	storeTimeout = 5 * time.Second
	// maxErrorLen bounds an attempt's error text; maxResponseSnippet is how much of a failed
	// response's body goes into it; maxResponseDrain is how much of a body is read at all.
	maxErrorLen        = 500
	maxResponseSnippet = 200
	maxResponseDrain   = 64 << 10
	// sweepEvery is how often Run removes finished deliveries past DeliveryRetention.
	sweepEvery = time.Hour
	// repeatLogEvery is how often Run logs a failure that keeps recurring.
	repeatLogEvery = time.Minute
)

// Outcome is what an attempt led to.
type Outcome string

const (
	OutcomeSucceeded Outcome = "SUCCEEDED" // the receiver answered 2xx
	OutcomeRetrying  Outcome = "RETRYING"  // it failed; another attempt is scheduled
	OutcomeFailed    Outcome = "FAILED"    // it failed, and the retry window is over
	OutcomeCanceled  Outcome = "CANCELED"  // not sent: the subscription is paused, disabled or deleted
)

// AttemptResult describes one finished attempt, for Config.OnAttempt.
type AttemptResult struct {
	Outcome    Outcome
	EventType  string
	StatusCode int // 0 when no response came
	Latency    time.Duration
	// Refused is true when the production address guard refused the target at dial time.
	Refused bool
}

// Stats are this process's counters since NewService; they only increase, except InFlight.
// Export them as Prometheus counters (and InFlight as a gauge).
type Stats struct {
	Enqueued  int64 // deliveries created by the dispatcher
	Succeeded int64 // attempts acknowledged with a 2xx
	Retrying  int64 // failed attempts with a retry scheduled
	Failed    int64 // failed attempts that ended their delivery (FAILED)
	Canceled  int64 // claimed deliveries dropped because the subscription is inactive or deleted
	Refused   int64 // failed attempts whose target address the guard refused (also in Retrying or Failed)
	Disabled  int64 // subscriptions disabled for failing
	InFlight  int64 // attempts being made now
}

type counters struct {
	enqueued, succeeded, retrying, failed, canceled, refused, disabled, inFlight atomic.Int64
}

// Stats returns this process's counters.
func (s *Service) Stats() Stats {
	c := &s.stats
	return Stats{
		Enqueued: c.enqueued.Load(), Succeeded: c.succeeded.Load(), Retrying: c.retrying.Load(),
		Failed: c.failed.Load(), Canceled: c.canceled.Load(), Refused: c.refused.Load(),
		Disabled: c.disabled.Load(), InFlight: c.inFlight.Load(),
	}
}

// QueueDepth is the size of the delivery queue, across accounts and processes.
type QueueDepth struct {
	Pending int64 // every pending delivery, due or waiting for a retry
	Due     int64 // pending deliveries due now (a backlog when it stays high)
}

// QueueDepth counts the queue in the store (two counts: scrape it every few seconds, not per
// request). It returns an INTERNAL error if the store fails.
func (s *Service) QueueDepth(ctx context.Context) (QueueDepth, error) {
	q, err := s.st.queueDepth(ctx, s.clock.Now())
	if err != nil {
		return QueueDepth{}, fmt.Errorf("webhooks: %w", err)
	}
	return q, nil
}

// Run dispatches events and makes attempts, with at most Config.Workers attempts at once, until
// ctx is done; it also removes finished deliveries past DeliveryRetention every hour. Store
// failures are logged (the same one at most once a minute) and retried at the next poll.
//
// When ctx is done, Run stops claiming deliveries at once, lets the attempts in flight finish
// (each is bounded by AttemptTimeout) and records them, then returns nil: a graceful stop takes
// at most about AttemptTimeout plus a store write. Run it once per Service.
func (s *Service) Run(ctx context.Context) error {
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("webhooks: Run is already running")
	}
	defer s.running.Store(false)

	var background sync.WaitGroup
	background.Add(1)
	go func() {
		defer background.Done()
		s.dispatchLoop(ctx)
	}()

	slots := make(chan struct{}, s.workers)
	var inFlight sync.WaitGroup
	ticker := time.NewTicker(s.poll)
	defer ticker.Stop()
	var claimLog repeatLog
	for ctx.Err() == nil {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			continue
		}
		if ctx.Err() != nil {
			<-slots
			break
		}
		d, ok, err := s.claimNext(ctx)
		if err != nil {
			claimLog.log(ctx, s, "claim a webhook delivery", err)
		}
		if !ok {
			<-slots
			select {
			case <-ctx.Done():
			case <-ticker.C:
			case <-s.wake:
			}
			continue
		}
		inFlight.Add(1)
		go func() {
			defer inFlight.Done()
			defer func() { <-slots }()
			s.attempt(ctx, d)
		}()
	}
	inFlight.Wait()
	background.Wait()
	return nil
}

func (s *Service) dispatchLoop(ctx context.Context) {
	ticker := time.NewTicker(s.poll)
	defer ticker.Stop()
	var (
		lastSweep   time.Time
		dispatchLog repeatLog
		sweepLog    repeatLog
	)
	for {
		_, backlog, err := s.dispatch(ctx)
		if err != nil {
			dispatchLog.log(ctx, s, "dispatch events to webhooks", err)
		}
		if time.Since(lastSweep) >= sweepEvery {
			if _, err := s.Sweep(ctx); err != nil {
				sweepLog.log(ctx, s, "sweep webhook deliveries", err)
			}
			lastSweep = time.Now()
		}
		if backlog && err == nil && ctx.Err() == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// repeatLog logs a failure, but the same failure at most once per repeatLogEvery.
type repeatLog struct {
	last string
	at   time.Time
}

func (r *repeatLog) log(ctx context.Context, s *Service, what string, err error) {
	if ctx.Err() != nil {
		return
	}
	if msg := err.Error(); msg != r.last || time.Since(r.at) >= repeatLogEvery {
		s.log.ErrorContext(ctx, what, "err", err)
		r.last, r.at = msg, time.Now()
	}
}

// Flush dispatches every event relayed so far, then makes, one after the other, every attempt
// due now, until none is due; retries scheduled meanwhile wait for their time (at least a
// second away). It is for tests, which move a fake clock instead of sleeping, and for tools;
// Run does the same continuously. It returns the dispatch's or the store's failures.
func (s *Service) Flush(ctx context.Context) error {
	for {
		_, backlog, err := s.dispatch(ctx)
		if err != nil {
			return err
		}
		if !backlog {
			break
		}
	}
	for {
		d, ok, err := s.claimNext(ctx)
		if err != nil || !ok {
			return err
		}
		s.attempt(ctx, d)
	}
}

// Sweep removes the deliveries that finished more than DeliveryRetention ago, and deleted
// subscriptions as old, and returns how many deliveries it removed. Run calls it every hour.
func (s *Service) Sweep(ctx context.Context) (int64, error) {
	n, err := s.st.sweep(ctx, s.clock.Now().Add(-DeliveryRetention))
	if err != nil {
		return n, fmt.Errorf("webhooks: %w", err)
	}
	return n, nil
}

// claimNext claims a due delivery. The claim runs to completion even when ctx is cancelled
// meanwhile, so that a stop cannot leave a delivery leased to nobody for LeaseTTL.
func (s *Service) claimNext(ctx context.Context) (deliveryDoc, bool, error) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	return s.st.claim(cctx, s.clock.Now(), newLeaseToken())
}

func newLeaseToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// attempt sends a claimed delivery and records the outcome, on the delivery and on its
// subscription's health. It runs to its end even when ctx is done (graceful stop).
func (s *Service) attempt(ctx context.Context, d deliveryDoc) {
	s.stats.inFlight.Add(1)
	defer s.stats.inFlight.Add(-1)
	ctx = context.WithoutCancel(ctx)

	lookup, cancel := context.WithTimeout(ctx, storeTimeout)
	sub, err := s.st.findSubscription(lookup, d.SubscriptionID)
	cancel()
	switch {
	case errors.Is(err, ErrNotFound) || (err == nil && !sub.Active):
		s.cancelClaimed(ctx, d)
		return
	case err != nil:
		// Nothing was sent: the lease lapses and the delivery is claimed again (its attempt
		// number skips one).
		s.log.ErrorContext(ctx, "load the subscription of a webhook delivery", "delivery", d.ID, "err", err)
		return
	}

	sentAt := s.clock.Now()
	headers := []headerDoc{
		{"Content-Type", "application/json"},
		{"User-Agent", userAgent},
		{HeaderWebhookID, d.ID},
		{HeaderEventID, d.EventID},
		{HeaderEventType, d.EventType},
		{HeaderAttempt, strconv.Itoa(d.Attempts)},
		{HeaderSignature, SignatureHeader(sentAt, []byte(d.Payload), sub.signingSecrets(sentAt)...)},
	}
	code, latency, failure := s.send(ctx, sub.URL, headers, d.Payload)
	now := s.clock.Now()

	logged := make([]headerDoc, len(headers))
	copy(logged, headers)
	logged[len(logged)-1].Value = redactSignature(logged[len(logged)-1].Value)
	errText := ""
	if failure != nil {
		errText = describe(failure)
	}
	set := bson.D{
		{Key: fLog + "." + logSlot(d.Attempts), Value: attemptDoc{
			Number: d.Attempts, At: sentAt, Manual: d.Manual, URL: sub.URL, Headers: logged,
			StatusCode: code, LatencyMS: latency.Milliseconds(), Error: errText,
		}},
		{Key: fLastAttemptAt, Value: sentAt}, {Key: fLastStatusCode, Value: code},
		{Key: fLastError, Value: errText}, {Key: fManual, Value: false},
	}
	result := AttemptResult{EventType: d.EventType, StatusCode: code, Latency: latency,
		Refused: isAddressNotAllowed(failure)}
	switch next, retry := nextAttempt(now, d); {
	case failure == nil:
		result.Outcome = OutcomeSucceeded
		set = append(set, bson.E{Key: fStatus, Value: string(Succeeded)}, bson.E{Key: fCompletedAt, Value: now})
	case retry:
		result.Outcome = OutcomeRetrying
		set = append(set, bson.E{Key: fNextAttemptAt, Value: next})
	default:
		result.Outcome = OutcomeFailed
		set = append(set, bson.E{Key: fStatus, Value: string(Failed)}, bson.E{Key: fCompletedAt, Value: now})
	}

	wctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	held, err := s.st.finishAttempt(wctx, d, set, now)
	switch {
	case err != nil:
		// The lease lapses and the delivery is attempted again: a duplicate if this one was
		// acknowledged, which the receiver's de-duplication on the delivery id absorbs.
		s.log.ErrorContext(ctx, "record a webhook attempt", "delivery", d.ID, "attempt", d.Attempts, "err", err)
	case !held:
		s.log.WarnContext(ctx, "a webhook attempt outlived its lease; another worker took the delivery over",
			"delivery", d.ID, "attempt", d.Attempts)
	}
	s.count(result)
	if err := s.recordHealth(wctx, sub, failure == nil, now); err != nil {
		s.log.ErrorContext(ctx, "record webhook subscription health", "subscription", sub.ID, "err", err)
	}
	if s.cfg.OnAttempt != nil {
		s.cfg.OnAttempt(result)
	}
}

func (s *Service) count(r AttemptResult) {
	switch r.Outcome {
	case OutcomeSucceeded:
		s.stats.succeeded.Add(1)
	case OutcomeRetrying:
		s.stats.retrying.Add(1)
	case OutcomeFailed:
		s.stats.failed.Add(1)
	case OutcomeCanceled:
		s.stats.canceled.Add(1)
	}
	if r.Refused {
		s.stats.refused.Add(1)
	}
}

// cancelClaimed drops a claimed delivery whose subscription is inactive or deleted, without
// counting the attempt that was not made.
func (s *Service) cancelClaimed(ctx context.Context, d deliveryDoc) {
	now := s.clock.Now()
	wctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	_, err := s.st.finishAttempt(wctx, d, bson.D{
		{Key: fStatus, Value: string(Canceled)}, {Key: fCompletedAt, Value: now},
		{Key: fAttempts, Value: d.Attempts - 1}, {Key: fWindowAttempts, Value: d.WindowAttempts - 1},
	}, now)
	if err != nil {
		s.log.ErrorContext(ctx, "cancel a webhook delivery", "delivery", d.ID, "err", err)
	}
	r := AttemptResult{Outcome: OutcomeCanceled, EventType: d.EventType}
	s.count(r)
	if s.cfg.OnAttempt != nil {
		s.cfg.OnAttempt(r)
	}
}

// send POSTs the payload and returns the response's status (0 if none), the latency, and nil
// for a 2xx or the reason of the failure.
func (s *Service) send(ctx context.Context, target string, headers []headerDoc, payload string) (int, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, AttemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(payload))
	if err != nil {
		return 0, 0, err
	}
	for _, h := range headers {
		req.Header.Set(h.Name, h.Value)
	}
	start := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, time.Since(start), err
	}
	defer resp.Body.Close()
	var snippet bytes.Buffer
	_, _ = io.CopyN(&snippet, resp.Body, maxResponseSnippet)
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseDrain)) // lets the connection be reused
	latency := time.Since(start)
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.StatusCode, latency, nil
	}
	msg := fmt.Sprintf("HTTP %d", resp.StatusCode)
	if text := clean(snippet.String()); text != "" {
		msg += ": " + text
	}
	return resp.StatusCode, latency, errors.New(msg)
}

// describe turns a failure into the attempt log's text, without the URL that Go's client
// repeats in every error.
func describe(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	msg := err.Error()
	switch {
	case isAddressNotAllowed(err):
		msg = "refused: " + msg
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded):
		msg = fmt.Sprintf("timeout: no response within %s", AttemptTimeout)
	}
	return truncate(clean(msg), maxErrorLen)
}

// clean keeps text printable and on one line.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "�")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// nextAttempt returns when a delivery that just failed (at now) is due again, or false when its
// retry window is over (package doc: full jitter up to min(RetryCap, RetryBase·2^(n−1)), the
// last attempt at the end of the window, at most MaxAttempts per window).
func nextAttempt(now time.Time, d deliveryDoc) (time.Time, bool) {
	n := d.WindowAttempts
	deadline := d.RetryFrom.Add(RetryWindow)
	if !now.Before(deadline) || n >= MaxAttempts {
		return time.Time{}, false
	}
	ceiling := RetryCap
	if n >= 1 && n <= 30 {
		ceiling = min(RetryCap, RetryBase<<(n-1))
	}
	delay := minRetryDelay + mrand.N(ceiling-minRetryDelay+1)
	next := now.Add(delay).Truncate(time.Millisecond)
	if next.After(deadline) || n+1 >= MaxAttempts {
		next = deadline
	}
	return next, true
}

// recordHealth updates a subscription's failure count and health after an attempt, and
// disables it (recording EventSubscriptionDisabled in its outbox, in the same write) when it
// has been failing for DisableAfter. Every write is guarded on the count it read, so a
// success landing in between is not overwritten by a stale verdict.
func (s *Service) recordHealth(ctx context.Context, sub subscriptionDoc, ok bool, now time.Time) error {
	notDisabled := bson.E{Key: fHealth, Value: bson.D{{Key: "$ne", Value: string(Disabled)}}}
	if ok {
		_, err := s.st.subs.UpdateOne(ctx, bson.D{{Key: fID, Value: sub.ID}, notDisabled},
			bson.D{
				{Key: "$set", Value: bson.D{{Key: fConsecutiveFailures, Value: 0},
					{Key: fHealth, Value: string(Healthy)}, {Key: fLastSuccessAt, Value: now}}},
				{Key: "$unset", Value: bson.D{{Key: fFailingSince, Value: ""}}},
			})
		return err
	}
	var doc subscriptionDoc
	err := s.st.subs.FindOneAndUpdate(ctx, bson.D{{Key: fID, Value: sub.ID}, notDisabled},
		bson.D{
			{Key: "$inc", Value: bson.D{{Key: fConsecutiveFailures, Value: 1}}},
			{Key: "$min", Value: bson.D{{Key: fFailingSince, Value: now}}},
			{Key: "$set", Value: bson.D{{Key: fLastFailureAt, Value: now}}},
		}, returnAfter()).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil // disabled meanwhile
	}
	if err != nil {
		return err
	}
	failingFor := time.Duration(0)
	if doc.FailingSince != nil {
		failingFor = now.Sub(*doc.FailingSince)
	}
	h := healthOf(doc.ConsecutiveFailures, failingFor)
	if h == Disabled && !doc.Active {
		h = Unhealthy // a paused subscription is not disabled on top
	}
	if h == Health(doc.Health) {
		return nil
	}
	guard := bson.D{{Key: fID, Value: doc.ID}, notDisabled,
		{Key: fConsecutiveFailures, Value: doc.ConsecutiveFailures}}
	if h != Disabled {
		_, err := s.st.subs.UpdateOne(ctx, guard, bson.D{{Key: "$set", Value: bson.D{{Key: fHealth, Value: string(h)}}}})
		return err
	}
	entry, err := events.New(events.Draft{
		AccountID: doc.AccountID, Type: EventSubscriptionDisabled, ObjectID: doc.ID, OccurredAt: now,
		Data: DisabledEventData{SubscriptionID: doc.ID, URL: doc.URL,
			ConsecutiveFailures: doc.ConsecutiveFailures, FailingSince: *doc.FailingSince},
	})
	if err != nil {
		return err
	}
	res, err := s.st.subs.UpdateOne(ctx, append(guard, bson.E{Key: fActive, Value: true}),
		bson.D{
			{Key: "$set", Value: bson.D{{Key: fHealth, Value: string(Disabled)}, {Key: fActive, Value: false},
				{Key: fDisabledAt, Value: now}, {Key: fUpdatedAt, Value: now}}},
			events.Push(entry),
		})
	if err != nil || res.MatchedCount == 0 {
		return err
	}
	s.stats.disabled.Add(1)
	s.log.WarnContext(ctx, "webhook subscription disabled after failing for a day",
		"subscription", doc.ID, "account", doc.AccountID, "failures", doc.ConsecutiveFailures)
	if s.cfg.Relay != nil {
		s.cfg.Relay.Notify()
	}
	if _, err := s.st.cancelPending(ctx, doc.AccountID, doc.ID, now); err != nil {
		return err // workers cancel the rest as they meet them
	}
	return nil
}

// healthOf is the health after failures attempts in a row, failing for failingFor.
func healthOf(failures int, failingFor time.Duration) Health {
	switch {
	case failures < WarningAfterFailures:
		return Healthy
	case failingFor >= DisableAfter:
		return Disabled
	case failingFor >= UnhealthyAfter:
		return Unhealthy
	default:
		return Warning
	}
}

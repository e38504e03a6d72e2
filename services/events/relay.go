package events

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/mongodb"
)

const (
	// FlushInterval is how often Run flushes and serves subscriptions when nothing calls Notify,
	// unless SetPollInterval says otherwise.
	FlushInterval = 250 * time.Millisecond
	// LeaseTTL is how long a relay's claim to be the one mover lasts without renewal. A relay
	// renews it every LeaseTTL/3 while it works, so another takes over within LeaseTTL of a
	// crash, and at once after a clean stop.
	LeaseTTL = 30 * time.Second
	// SubscriberBuffer is how many undelivered events a subscription may hold before it is cut
	// off (see Subscribe).
	SubscriberBuffer = 64
	// batchSize is how many documents with pending entries one query fetches.
	batchSize = 100
	// repeatLogEvery is how often Run logs a flush failure that keeps recurring.
	repeatLogEvery = time.Minute
)

// errNotHolder stops a flush when another relay holds the lease.
var errNotHolder = errors.New("another relay holds the lease")

// Relay moves pending outbox entries into the events feed and serves in-process subscriptions.
//
// # One mover at a time
//
// Every process of a deployment may run a Relay, but only the holder of a lease (one document in
// LeaseCollection) moves events; the others wait for it to lapse. Within one Relay, Flush calls
// are serialized. This matters for readers of the feed, not for exactly-once delivery (which the
// event id gives on its own): a relay takes a number and then inserts the event, so two relays
// working at once could make event 8 visible before event 7, and a reader that had already seen
// 8 would skip 7. With one mover, numbers become visible in order. A mover that stalls for longer
// than LeaseTTL between taking a number and inserting (a stopped VM) can still cause that; the
// lease makes it rare, not impossible.
type Relay struct {
	db          *mongo.Database
	clock       clock.Clock
	log         *slog.Logger
	collections []string
	owner       string
	notify      chan struct{}
	poll        time.Duration // see SetPollInterval

	dirtyMu sync.Mutex
	dirty   map[string]bool // collections notified since Run last flushed them (see NotifierFor)

	flushMu sync.Mutex // serializes Flush
	leaseAt time.Time  // when the lease was last taken or renewed (monotonic); zero if not held. Guarded by flushMu.

	mu      sync.Mutex // guards tails, nextSub and stopped
	tails   map[string]*tail
	nextSub uint64
	stopped bool
	cut     atomic.Int64
}

// tail follows one account's feed for its subscriptions.
type tail struct {
	since time.Time // until the first event is delivered: serve events relayed at or after since
	after int64     // the last seq delivered; 0 before the first
	subs  map[uint64]chan Event
}

// NewRelay returns a relay for the outboxes of the named collections of db, which use clk to
// stamp RelayedAt and the lease and log to report failures (nil discards). It panics if no
// collection is named, or a name is empty, repeated, or one of this package's collections: the
// list is fixed wiring in cmd/tradehub, so a bad one is a programming error.
func NewRelay(db *mongo.Database, clk clock.Clock, log *slog.Logger, collections ...string) *Relay {
	if db == nil || clk == nil {
		panic("events.NewRelay: nil database or clock")
	}
	if len(collections) == 0 {
		panic("events.NewRelay: no collections to watch")
	}
	for i, c := range collections {
		if c == "" || c == Collection || c == CountersCollection || c == LeaseCollection ||
			slices.Contains(collections[:i], c) {
			panic(fmt.Sprintf("events.NewRelay: cannot watch collection %q", c))
		}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Relay{
		db:          db,
		clock:       clk,
		log:         log,
		collections: slices.Clone(collections),
		owner:       newOwner(),
		notify:      make(chan struct{}, 1),
		poll:        FlushInterval,
		dirty:       make(map[string]bool),
		tails:       make(map[string]*tail),
	}
}

// SetPollInterval sets how often Run flushes and reads the feed for subscriptions when nothing
// calls Notify (FlushInterval by default); call it before Run. Writes of this process call
// Notify, so the poll is for what other processes write and for entries a failed flush left.
// Where one process owns the store and each poll is expensive — the embedded store reads every
// outbox collection in full for it — a long interval costs nothing in delivery time.
func (r *Relay) SetPollInterval(d time.Duration) {
	if d > 0 {
		r.poll = d
	}
}

// newOwner names this relay in the lease: the host, for people reading the lease document, and
// random bytes, because two relays on one host must differ.
func newOwner() string {
	host, _ := os.Hostname()
	var b [8]byte
	_, _ = rand.Read(b[:])
	return host + "/" + hex.EncodeToString(b[:])
}

// OutboxIndexes declares the index that finds pending entries in each watched collection;
// ensure them at start-up with Indexes.
func (r *Relay) OutboxIndexes() []mongodb.Indexes {
	out := make([]mongodb.Indexes, len(r.collections))
	for i, c := range r.collections {
		out[i] = mongodb.Indexes{Collection: c, Models: []mongo.IndexModel{outboxIndex()}}
	}
	return out
}

// Notify asks Run to flush every watched collection now rather than at the next tick. Call it
// after a write that pushed entries; it never blocks, and several calls before the flush cause
// one flush. A service that writes outboxes of known collections should get NotifierFor them
// instead, so that its writes make Run look at those collections only.
func (r *Relay) Notify() { r.markDirty(r.collections) }

// Notifier is what NotifierFor returns: the Notify of a subset of the watched collections.
type Notifier struct {
	r           *Relay
	collections []string
}

// NotifierFor returns a Notify that makes Run flush only the named collections (each must be
// watched; a programming error panics). Where each look at a collection reads all of it — the
// embedded store — a write then costs the relay one collection, not all of them.
func (r *Relay) NotifierFor(collections ...string) Notifier {
	for _, c := range collections {
		if !slices.Contains(r.collections, c) {
			panic(fmt.Sprintf("events.NotifierFor: %q is not watched", c))
		}
	}
	return Notifier{r: r, collections: slices.Clone(collections)}
}

// Notify asks Run to flush the notifier's collections now; it never blocks.
func (n Notifier) Notify() { n.r.markDirty(n.collections) }

func (r *Relay) markDirty(collections []string) {
	r.dirtyMu.Lock()
	for _, c := range collections {
		r.dirty[c] = true
	}
	r.dirtyMu.Unlock()
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// takeDirty returns the collections to flush now — all of them on a tick, the notified ones
// otherwise, in watch order — and forgets the notifications it returns.
func (r *Relay) takeDirty(all bool) []string {
	r.dirtyMu.Lock()
	defer r.dirtyMu.Unlock()
	if all {
		clear(r.dirty)
		return r.collections
	}
	var out []string
	for _, c := range r.collections {
		if r.dirty[c] {
			out = append(out, c)
			delete(r.dirty, c)
		}
	}
	return out
}

// Flush moves every pending entry of the watched collections into the feed: for each entry, in
// the order of its document's outbox, it takes the account's next number, inserts the event and,
// once a document's entries are in, pulls them from its outbox. Entries written while Flush runs
// may or may not be moved by this call.
//
// Crash safety: an event that is already in the feed (the relay stopped after inserting it but
// before pulling its entry) is recognised by its id and only pulled; the number taken for it is
// not used, which leaves a gap. A document whose entry fails stays pending from that entry on,
// so the order of its events holds; other documents go on.
//
// If another relay holds the lease, Flush does nothing and returns nil: that relay moves the
// entries. Otherwise it returns the failures it met, joined (store errors, and entries not
// written by New); the entries concerned stay pending for the next call. Concurrent calls on one
// Relay run one after the other.
func (r *Relay) Flush(ctx context.Context) error { return r.flush(ctx, r.collections) }

// flush is Flush for some of the watched collections.
func (r *Relay) flush(ctx context.Context, collections []string) error {
	if len(collections) == 0 {
		return nil
	}
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	if held, err := r.holdLease(ctx); err != nil || !held {
		return err
	}
	var failures []error
	for _, name := range collections {
		err := r.flushCollection(ctx, r.db.Collection(name))
		if errors.Is(err, errNotHolder) {
			return errors.Join(failures...)
		}
		if err != nil {
			failures = append(failures, fmt.Errorf("relay outbox of %s: %w", name, err))
			if ctx.Err() != nil {
				break
			}
		}
	}
	return errors.Join(failures...)
}

func (r *Relay) flushCollection(ctx context.Context, coll *mongo.Collection) error {
	var failures []error
	for {
		held, err := r.holdLease(ctx)
		if err != nil {
			return errors.Join(append(failures, err)...)
		}
		if !held {
			return errNotHolder
		}
		docs, err := findPending(ctx, coll, batchSize)
		if err != nil {
			return errors.Join(append(failures, err)...)
		}
		moved := 0
		for _, d := range docs {
			n, err := r.moveDocument(ctx, coll, d)
			moved += n
			if err != nil {
				failures = append(failures, err)
				if ctx.Err() != nil {
					return errors.Join(failures...)
				}
			}
		}
		// A short batch was the last one. A full batch where nothing moved is made of
		// documents that fail; asking again would return them again.
		if len(docs) < batchSize || moved == 0 {
			return errors.Join(failures...)
		}
	}
}

// moveDocument relays a document's entries in order, stops at the first that fails, and pulls
// those relayed. It returns how many it pulled.
func (r *Relay) moveDocument(ctx context.Context, coll *mongo.Collection, d pendingDoc) (int, error) {
	var done []bson.Raw
	var failure error
	for _, e := range d.entries {
		if e.err != nil {
			failure = fmt.Errorf("document %s: %w", d.id, e.err)
			break
		}
		if err := r.relayEvent(ctx, e.ev); err != nil {
			failure = fmt.Errorf("document %s: %w", d.id, err)
			break
		}
		done = append(done, e.raw)
	}
	if err := pullEntries(ctx, coll, d.id, done); err != nil {
		return 0, errors.Join(failure, err)
	}
	return len(done), failure
}

func (r *Relay) relayEvent(ctx context.Context, ev Event) error {
	seq, err := nextSeq(ctx, r.db, ev.AccountID)
	if err != nil {
		return err
	}
	ev.Seq = seq
	ev.RelayedAt = r.clock.Now()
	inserted, err := insertEvent(ctx, r.db, ev)
	if err != nil {
		return err
	}
	if !inserted {
		r.log.InfoContext(ctx, "event was already relayed; its entry is pulled now",
			"event", ev.ID, "account", ev.AccountID, "unused_seq", seq)
	}
	return nil
}

// holdLease takes or renews the lease when it is a third of LeaseTTL old. Call with flushMu.
func (r *Relay) holdLease(ctx context.Context) (bool, error) {
	if !r.leaseAt.IsZero() && time.Since(r.leaseAt) < LeaseTTL/3 {
		return true, nil
	}
	held, err := acquireLease(ctx, r.db, r.owner, r.clock.Now(), LeaseTTL)
	if err != nil || !held {
		r.leaseAt = time.Time{}
		return false, err
	}
	r.leaseAt = time.Now()
	return true, nil
}

// Run flushes every collection every poll interval (SetPollInterval), and the notified ones at
// once after a Notify, and serves subscriptions, until ctx
// is done. Flush failures are retried at the next tick and logged, the same failure at most
// every repeatLogEvery. On the way out it gives up the lease, so another process can take over
// at once, and closes every subscription. It returns nil once ctx is done; call it once per
// Relay.
func (r *Relay) Run(ctx context.Context) error {
	ticker := time.NewTicker(r.poll)
	defer ticker.Stop()
	defer r.stop()
	var (
		lastErr    string
		loggedAt   time.Time
		suppressed int
	)
	all := true // the first flush looks at everything: entries a crash left behind
	for {
		if err := r.flush(ctx, r.takeDirty(all)); err != nil && ctx.Err() == nil {
			// A store outage or a malformed entry fails every flush alike: say so once in a
			// while, not four times a second.
			if msg := err.Error(); msg != lastErr || time.Since(loggedAt) >= repeatLogEvery {
				r.log.ErrorContext(ctx, "relay events", "err", err, "repeats_not_logged", suppressed)
				lastErr, loggedAt, suppressed = msg, time.Now(), 0
			} else {
				suppressed++
			}
		} else if err == nil {
			lastErr = ""
		}
		r.deliver(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
			all = true
		case <-r.notify:
			all = false
		}
	}
}

func (r *Relay) stop() {
	r.flushMu.Lock()
	if !r.leaseAt.IsZero() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := releaseLease(ctx, r.db, r.owner, r.clock.Now()); err != nil {
			r.log.Warn("stop event relay", "err", err)
		}
		cancel()
		r.leaseAt = time.Time{}
	}
	r.flushMu.Unlock()

	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	for account, t := range r.tails {
		for id, ch := range t.subs {
			close(ch)
			delete(t.subs, id) // so that its cancel does not close it again
		}
		delete(r.tails, account)
	}
}

// Subscribe returns a channel of accountID's events, in feed order, starting with those relayed
// at or after the call (to the millisecond of the relay's clock), and a function that ends the
// subscription and closes the channel; call it when done, more than once is fine.
//
// Subscriptions are served by Run, by reading the feed every poll interval (and after each
// flush of this process), so they see events moved by any process's relay, with at most that
// delay. They never slow the relay down: each has a buffer of SubscriberBuffer events, and one
// that lets it fill is cut off, its channel closed (counted by CutSubscriptions). The channel is
// also closed when Run returns; Subscribe after that returns a closed channel. So a subscriber
// must treat a closed channel as "start again": subscribe anew and catch up with Feed.List from
// the last Seq it saw. Subscribe does no authorization: the caller checks that its principal
// may read accountID's events.
func (r *Relay) Subscribe(accountID string) (<-chan Event, func()) {
	ch := make(chan Event, SubscriberBuffer)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		close(ch)
		return ch, func() {}
	}
	t := r.tails[accountID]
	if t == nil {
		t = &tail{since: r.clock.Now(), subs: make(map[uint64]chan Event)}
		r.tails[accountID] = t
	}
	id := r.nextSub
	r.nextSub++
	t.subs[id] = ch
	cancel := func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if c, ok := t.subs[id]; ok {
			delete(t.subs, id)
			close(c)
			if len(t.subs) == 0 && r.tails[accountID] == t {
				delete(r.tails, accountID)
			}
		}
	}
	return ch, cancel
}

// CutSubscriptions returns how many subscriptions were ended because they fell behind.
func (r *Relay) CutSubscriptions() int64 { return r.cut.Load() }

// deliver reads, for each account with subscribers, the events after the last one delivered and
// hands them out. Only Run calls it, so tails are never read by two deliveries at once.
func (r *Relay) deliver(ctx context.Context) {
	type position struct {
		account string
		since   time.Time
		after   int64
	}
	r.mu.Lock()
	positions := make([]position, 0, len(r.tails))
	for account, t := range r.tails {
		positions = append(positions, position{account, t.since, t.after})
	}
	r.mu.Unlock()

	for _, p := range positions {
		filter := feedFilter(p.account, p.after, nil)
		if p.after == 0 {
			filter = relayedSinceFilter(p.account, p.since)
		}
		evs, err := listEvents(ctx, r.db, filter, SubscriberBuffer)
		if err != nil {
			if ctx.Err() == nil {
				r.log.ErrorContext(ctx, "read events for subscriptions", "account", p.account, "err", err)
			}
			continue
		}
		r.fanOut(p.account, evs)
	}
}

func (r *Relay) fanOut(account string, evs []Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := r.tails[account]
	if t == nil {
		return
	}
	for _, ev := range evs {
		if ev.Seq <= t.after {
			continue
		}
		for id, ch := range t.subs {
			select {
			case ch <- ev:
			default:
				delete(t.subs, id)
				close(ch)
				r.cut.Add(1)
			}
		}
		t.after = ev.Seq
	}
	if len(t.subs) == 0 {
		delete(r.tails, account)
	}
}

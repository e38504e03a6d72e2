package webhooks_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/internal/mongodb/mongotest"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/events"
	"github.com/tradehub/tradehub/services/webhooks"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Run(m)) }

var t0 = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

// catalogue is the event types the tests' services accept.
var catalogue = []string{"shipment.status_changed", "shipment.delivered", "inventory.adjusted"}

// fakeAccess stands in for the access service: the tests are about webhooks, and the matrix
// row for "webhooks" belongs to another change. It answers like access.Service does: NOT_FOUND
// where the caller has no role, FORBIDDEN for a write by a reader.
type fakeAccess struct {
	mu    sync.Mutex
	roles map[string]map[string]access.Action // user → account → the most it may do
}

func (f *fakeAccess) grant(user, account string, act access.Action) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.roles[user] == nil {
		f.roles[user] = map[string]access.Action{}
	}
	f.roles[user][account] = act
}

func (f *fakeAccess) Require(ctx context.Context, domain string, res access.Resource, act access.Action) error {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return access.ErrUnauthenticated
	}
	if res != webhooks.Resource {
		return errs.Internalf("unexpected resource %q", res)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch got := f.roles[p.UserID][domain]; {
	case got == "":
		return access.ErrNotFound
	case act == access.Write && got != access.Write:
		return access.ErrForbidden
	}
	return nil
}

type fixture struct {
	db     *mongo.Database
	clk    *clock.Fake
	relay  *events.Relay
	feed   *events.Feed
	access *fakeAccess
	acct   string
	admin  context.Context // may write the account's webhooks
	viewer context.Context // may read them
	other  context.Context // admin of another account only
	anon   context.Context
	svc    *webhooks.Service
}

func setup(t *testing.T, opts ...func(*webhooks.Config)) *fixture {
	t.Helper()
	db := mongotest.DB(t)
	clk := clock.NewFake(t0)
	relay := events.NewRelay(db, clk, nil, "shipments", webhooks.SubscriptionsCollection)
	sets := append(events.Indexes(), relay.OutboxIndexes()...)
	sets = append(sets, webhooks.Indexes()...)
	if err := mongodb.EnsureIndexes(context.Background(), db, sets...); err != nil {
		t.Fatal(err)
	}
	f := &fixture{
		db: db, clk: clk, relay: relay, feed: events.NewFeed(db, clk),
		access: &fakeAccess{roles: map[string]map[string]access.Action{}}, acct: ids.New(ids.Account),
	}
	admin, viewer, other := ids.New(ids.User), ids.New(ids.User), ids.New(ids.User)
	f.access.grant(admin, f.acct, access.Write)
	f.access.grant(viewer, f.acct, access.Read)
	f.access.grant(other, ids.New(ids.Account), access.Write)
	f.admin = userCtx(admin)
	f.viewer = userCtx(viewer)
	f.other = userCtx(other)
	f.anon = context.Background()
	f.svc = f.newService(t, opts...)
	return f
}

func userCtx(user string) context.Context {
	return auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.KindUser, UserID: user})
}

// newService builds a Service over the fixture's store, as a restarted process would.
func (f *fixture) newService(t *testing.T, opts ...func(*webhooks.Config)) *webhooks.Service {
	t.Helper()
	cfg := webhooks.Config{
		DB: f.db, Access: f.access, Events: f.feed, Relay: f.relay, EventTypes: catalogue,
		Development: true, Clock: f.clk, PollInterval: 10 * time.Millisecond,
	}
	for _, o := range opts {
		o(&cfg)
	}
	svc, err := webhooks.NewService(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func production(c *webhooks.Config) { c.Development = false }

// emit does what a domain service does: a change and its event in one write, then the relay
// moves the event to the feed. It returns the event id.
func (f *fixture) emit(t *testing.T, account, eventType string, data any) string {
	t.Helper()
	ctx := context.Background()
	obj := ids.New(ids.Shipment)
	entry, err := events.New(events.Draft{AccountID: account, Type: eventType, ObjectID: obj,
		OccurredAt: f.clk.Now(), Data: data})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Collection("shipments").InsertOne(ctx, bson.M{"_id": obj, "accountId": account,
		events.OutboxField: bson.A{entry}}); err != nil {
		t.Fatal(err)
	}
	if err := f.relay.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	return entry.ID()
}

func (f *fixture) subscribe(t *testing.T, url string, types ...string) (webhooks.Subscription, string) {
	t.Helper()
	if len(types) == 0 {
		types = []string{webhooks.Wildcard}
	}
	sub, secret, err := f.svc.CreateSubscription(f.admin, webhooks.CreateSubscriptionInput{
		AccountID: f.acct, URL: url, EventTypes: types, Description: "test receiver"})
	if err != nil {
		t.Fatalf("CreateSubscription: %v", err)
	}
	return sub, secret
}

func (f *fixture) flush(t *testing.T, svc *webhooks.Service) {
	t.Helper()
	if err := svc.Flush(context.Background()); err != nil {
		t.Fatalf("Flush: %v", err)
	}
}

// deliveries lists a subscription's deliveries, oldest first.
func (f *fixture) deliveries(t *testing.T, subID string, status webhooks.DeliveryStatus) []webhooks.Delivery {
	t.Helper()
	n := 100
	res, err := f.svc.Deliveries(f.admin, webhooks.DeliveriesFilter{SubscriptionID: subID, Status: status},
		cursor.Page{First: &n})
	if err != nil {
		t.Fatalf("Deliveries: %v", err)
	}
	slices.Reverse(res.Items)
	return res.Items
}

func (f *fixture) only(t *testing.T, subID string) webhooks.Delivery {
	t.Helper()
	ds := f.deliveries(t, subID, "")
	if len(ds) != 1 {
		t.Fatalf("deliveries = %d, want 1", len(ds))
	}
	return ds[0]
}

// retryUntilDone attempts a subscription's deliveries, moving the clock to the next due
// attempt each time, until none is pending or limit rounds have passed. after runs after each
// round.
func (f *fixture) retryUntilDone(t *testing.T, svc *webhooks.Service, subID string, after func()) {
	t.Helper()
	for range 100 {
		f.flush(t, svc)
		if after != nil {
			after()
		}
		pending := f.deliveries(t, subID, webhooks.Pending)
		if len(pending) == 0 {
			return
		}
		next := *pending[0].NextAttemptAt
		for _, d := range pending[1:] {
			if d.NextAttemptAt.Before(next) {
				next = *d.NextAttemptAt
			}
		}
		if next.After(f.clk.Now()) {
			f.clk.Set(next)
		}
	}
	t.Fatal("deliveries still pending after 100 rounds")
}

// receiver is a real HTTP endpoint on loopback that records what it gets.
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	got     []received
	respond func(r *http.Request, n int) int // status for the n-th request (from 1)
}

type received struct {
	header http.Header
	body   []byte
	status int
}

func newReceiver(t *testing.T, respond func(r *http.Request, n int) int) *receiver {
	t.Helper()
	rc := &receiver{respond: respond}
	rc.Server = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	n := len(rc.got) + 1
	rc.got = append(rc.got, received{header: r.Header.Clone(), body: body})
	rc.mu.Unlock()
	status := rc.respond(r, n)
	rc.mu.Lock()
	rc.got[n-1].status = status
	rc.mu.Unlock()
	w.WriteHeader(status)
	_, _ = io.WriteString(w, "receiver says "+strconv.Itoa(status)+"\n")
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.got)
}

func (rc *receiver) acked() []received {
	var out []received
	for _, r := range rc.requests() {
		if r.status >= 200 && r.status < 300 {
			out = append(out, r)
		}
	}
	return out
}

func always(status int) func(*http.Request, int) int {
	return func(*http.Request, int) int { return status }
}

func wantCode(t *testing.T, what string, err error, code errs.Code) {
	t.Helper()
	if got := errs.CodeOf(err); got != code {
		t.Fatalf("%s: code %q (%v), want %s", what, got, err, code)
	}
}

func count(t *testing.T, coll *mongo.Collection) int64 {
	t.Helper()
	n, err := coll.CountDocuments(context.Background(), bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The signature verifies with the documented algorithm, recomputed here from its description,
// and the body and headers are what the package doc promises.
func TestDeliverySignedAsDocumented(t *testing.T) {
	f := setup(t)
	rc := newReceiver(t, always(http.StatusNoContent))
	sub, secret := f.subscribe(t, rc.URL+"/hook")
	if !strings.HasPrefix(secret, webhooks.SecretPrefix) || len(secret) < 40 {
		t.Fatalf("secret %q: want whsec_ and at least 32 random bytes", secret)
	}
	f.clk.Advance(1234 * time.Millisecond)
	occurred := f.clk.Now()
	evID := f.emit(t, f.acct, "shipment.status_changed", bson.M{"status": "IN_TRANSIT", "legs": int64(3), "note": "<&>"})
	f.flush(t, f.svc)

	got := rc.requests()
	if len(got) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(got))
	}
	req := got[0]

	// The algorithm, from the package doc: v1 = hex(HMAC-SHA256(secret, t + "." + body)).
	header := req.header.Get(webhooks.HeaderSignature)
	var ts string
	var v1 []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			v1 = append(v1, v)
		}
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(req.body)))
	if want := hex.EncodeToString(mac.Sum(nil)); len(v1) != 1 || v1[0] != want {
		t.Fatalf("signature %q: want one v1=%s", header, want)
	}
	if want := strconv.FormatInt(f.clk.Now().Unix(), 10); ts != want {
		t.Errorf("t = %s, want %s (the send time)", ts, want)
	}
	// And the helper receivers use agrees, and refuses what it must.
	now := f.clk.Now()
	if err := webhooks.Verify(req.body, header, secret, now, 0); err != nil {
		t.Errorf("Verify: %v", err)
	}
	checks := []struct {
		name   string
		body   []byte
		secret string
		now    time.Time
		want   error
	}{
		{"WrongSecret", req.body, "whsec_wrong", now, webhooks.ErrSignatureMismatch},
		{"TamperedBody", append(slices.Clone(req.body), ' '), secret, now, webhooks.ErrSignatureMismatch},
		{"Replayed", req.body, secret, now.Add(webhooks.DefaultTolerance + time.Second), webhooks.ErrStaleSignature},
	}
	for _, c := range checks {
		if err := webhooks.Verify(c.body, header, c.secret, c.now, 0); !errors.Is(err, c.want) {
			t.Errorf("%s: Verify = %v, want %v", c.name, err, c.want)
		}
	}

	d := f.only(t, sub.ID)
	wantHeaders := map[string]string{
		"Content-Type":           "application/json",
		webhooks.HeaderWebhookID: d.ID,
		webhooks.HeaderEventID:   evID,
		webhooks.HeaderEventType: "shipment.status_changed",
		webhooks.HeaderAttempt:   "1",
		"User-Agent":             "Tradehub-Webhooks/1.0",
	}
	for k, want := range wantHeaders {
		if got := req.header.Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}

	var p map[string]any
	if err := json.Unmarshal(req.body, &p); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, req.body)
	}
	wantBody := map[string]any{
		"id": evID, "type": "shipment.status_changed", "version": float64(1), "accountId": f.acct,
		"occurredAt": occurred.Format(time.RFC3339Nano), "seq": float64(1),
		"data": map[string]any{"status": "IN_TRANSIT", "legs": float64(3), "note": "<&>"},
	}
	for k, want := range wantBody {
		if gotJSON, wantJSON := mustJSON(t, p[k]), mustJSON(t, want); gotJSON != wantJSON {
			t.Errorf("body %s = %s, want %s", k, gotJSON, wantJSON)
		}
	}
	if !strings.HasPrefix(p["objectId"].(string), "shp_") {
		t.Errorf("objectId = %v", p["objectId"])
	}
	if !strings.Contains(string(req.body), `"note":"<&>"`) {
		t.Errorf("data was HTML-escaped: %s", req.body)
	}
	var typed webhooks.Payload
	if err := json.Unmarshal(req.body, &typed); err != nil || typed.ID != evID || typed.Seq != 1 || !typed.OccurredAt.Equal(occurred) {
		t.Errorf("Payload decode = %+v, %v", typed, err)
	}

	// The log keeps the attempt without the HMAC.
	if d.Status != webhooks.Succeeded || d.Attempts != 1 || len(d.Log) != 1 || string(d.Payload) != string(req.body) {
		t.Fatalf("delivery = %+v", d)
	}
	a := d.Log[0]
	if a.StatusCode != http.StatusNoContent || a.Error != "" || a.URL != rc.URL+"/hook" || a.Number != 1 || a.Manual {
		t.Errorf("attempt = %+v", a)
	}
	for _, h := range a.RequestHeaders {
		if h.Name == webhooks.HeaderSignature && (strings.Contains(h.Value, v1[0]) || !strings.HasPrefix(h.Value, "t="+ts)) {
			t.Errorf("logged signature %q: want the timestamp without the HMAC", h.Value)
		}
		if strings.Contains(h.Value, secret) {
			t.Errorf("logged header %s carries the secret", h.Name)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A receiver that fails three times and then answers 200 gets four attempts, one
// acknowledged, all with the same de-duplication id; nothing is sent after the ack.
func TestRetriesUntilAcknowledgedOnce(t *testing.T) {
	f := setup(t)
	rc := newReceiver(t, func(_ *http.Request, n int) int {
		if n <= 3 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	sub, _ := f.subscribe(t, rc.URL)
	f.emit(t, f.acct, "shipment.delivered", nil)

	var delays []time.Duration
	f.retryUntilDone(t, f.svc, sub.ID, func() {
		if d := f.only(t, sub.ID); d.Status == webhooks.Pending {
			delays = append(delays, d.NextAttemptAt.Sub(*d.LastAttemptAt))
		}
	})
	f.clk.Advance(3 * webhooks.RetryWindow)
	f.flush(t, f.svc)

	got := rc.requests()
	if len(got) != 4 || len(rc.acked()) != 1 {
		t.Fatalf("receiver got %d requests, %d acknowledged; want 4 and 1", len(got), len(rc.acked()))
	}
	d := f.only(t, sub.ID)
	for i, r := range got {
		if id := r.header.Get(webhooks.HeaderWebhookID); id != d.ID {
			t.Errorf("request %d: webhook id %q, want %q", i+1, id, d.ID)
		}
		if n := r.header.Get(webhooks.HeaderAttempt); n != strconv.Itoa(i+1) {
			t.Errorf("request %d: attempt header %q", i+1, n)
		}
	}
	// Full jitter under the documented ceilings: 30 s, 1 min, 2 min.
	for i, d := range delays {
		if ceiling := webhooks.RetryBase << i; d < time.Second || d > ceiling {
			t.Errorf("delay after failure %d = %v, want within [1s, %v]", i+1, d, ceiling)
		}
	}
	if d.Status != webhooks.Succeeded || d.Attempts != 4 || d.CompletedAt == nil || d.NextAttemptAt != nil {
		t.Fatalf("delivery = %+v", d)
	}
	var codes []int
	for _, a := range d.Log {
		codes = append(codes, a.StatusCode)
	}
	if !slices.Equal(codes, []int{500, 500, 500, 200}) {
		t.Errorf("logged codes = %v", codes)
	}
	if e := d.Log[0].Error; !strings.HasPrefix(e, "HTTP 500: receiver says 500") {
		t.Errorf("logged error = %q", e)
	}
	st, err := f.svc.Subscription(f.viewer, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Health != webhooks.Healthy || st.ConsecutiveFailures != 0 || st.FailingSince != nil || st.LastSuccessAt == nil {
		t.Errorf("after the ack: %+v, want HEALTHY with no failures", st)
	}
	if s := f.svc.Stats(); s.Enqueued != 1 || s.Retrying != 3 || s.Succeeded != 1 || s.Failed != 0 {
		t.Errorf("stats = %+v", s)
	}
}

// runService runs svc.Run in the background and returns a function that stops it and waits.
func runService(t *testing.T, svc *webhooks.Service) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(2 * webhooks.AttemptTimeout):
				t.Fatal("Run did not return after its context was cancelled")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A process that stops in the middle of retries leaves its deliveries in the store; a new
// process over the same store finishes them: no event lost, none acknowledged twice.
func TestRestartInTheMiddleOfRetries(t *testing.T) {
	f := setup(t)
	var mu sync.Mutex
	seen := map[string]int{}
	rc := newReceiver(t, func(r *http.Request, _ int) int {
		mu.Lock()
		defer mu.Unlock()
		id := r.Header.Get(webhooks.HeaderEventID)
		seen[id]++
		if seen[id] == 1 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	sub, _ := f.subscribe(t, rc.URL)
	const n = 5
	var evs []string
	for range n {
		evs = append(evs, f.emit(t, f.acct, "inventory.adjusted", bson.M{"delta": int64(-1)}))
	}

	stop := runService(t, f.svc)
	waitFor(t, "the first attempts", func() bool { return len(rc.requests()) == n })
	stop()
	if p := f.deliveries(t, sub.ID, webhooks.Pending); len(p) != n {
		t.Fatalf("after the stop: %d pending deliveries, want %d", len(p), n)
	}

	f.clk.Advance(time.Minute) // past the first retry's 30 s ceiling
	restarted := f.newService(t)
	stop = runService(t, restarted)
	waitFor(t, "every event acknowledged", func() bool { return len(rc.acked()) == n })
	stop()

	f.clk.Advance(3 * webhooks.RetryWindow)
	f.flush(t, f.newService(t))

	acks := map[string]int{}
	ids := map[string]map[string]bool{}
	for _, r := range rc.requests() {
		ev := r.header.Get(webhooks.HeaderEventID)
		if r.status == http.StatusOK {
			acks[ev]++
		}
		if ids[ev] == nil {
			ids[ev] = map[string]bool{}
		}
		ids[ev][r.header.Get(webhooks.HeaderWebhookID)] = true
	}
	for _, ev := range evs {
		if acks[ev] != 1 || seen[ev] != 2 || len(ids[ev]) != 1 {
			t.Errorf("event %s: %d requests, %d acknowledged, %d webhook ids; want 2, 1, 1", ev, seen[ev], acks[ev], len(ids[ev]))
		}
	}
	if q, err := restarted.QueueDepth(context.Background()); err != nil || q.Pending != 0 {
		t.Errorf("queue = %+v, %v; want empty", q, err)
	}
}

// A graceful stop while an attempt is in flight lets it finish and records it: it is not sent
// again.
func TestGracefulStopFinishesTheAttemptInFlight(t *testing.T) {
	f := setup(t)
	release := make(chan struct{})
	arrived := make(chan struct{}, 1)
	rc := newReceiver(t, func(*http.Request, int) int {
		arrived <- struct{}{}
		<-release
		return http.StatusOK
	})
	sub, _ := f.subscribe(t, rc.URL)
	f.emit(t, f.acct, "shipment.delivered", nil)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.svc.Run(ctx) }()
	<-arrived
	cancel()
	select {
	case <-done:
		t.Fatal("Run returned while an attempt was in flight")
	default:
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if d := f.only(t, sub.ID); d.Status != webhooks.Succeeded || d.Attempts != 1 {
		t.Fatalf("after the stop: %+v, want SUCCEEDED after 1 attempt", d)
	}
	f.clk.Advance(3 * webhooks.RetryWindow)
	f.flush(t, f.newService(t))
	if n := len(rc.requests()); n != 1 {
		t.Fatalf("receiver got %d requests, want 1", n)
	}
}

// Several workers and two processes at once still send each event once.
func TestConcurrentWorkersAndProcessesSendEachEventOnce(t *testing.T) {
	f := setup(t, func(c *webhooks.Config) { c.Workers = 4 })
	rc := newReceiver(t, func(*http.Request, int) int {
		time.Sleep(2 * time.Millisecond)
		return http.StatusOK
	})
	sub, _ := f.subscribe(t, rc.URL)
	const n = 20
	for range n {
		f.emit(t, f.acct, "inventory.adjusted", nil)
	}
	second := f.newService(t, func(c *webhooks.Config) { c.Workers = 4 })
	runService(t, f.svc)
	runService(t, second)
	waitFor(t, "every event", func() bool { return len(rc.requests()) >= n })
	waitFor(t, "every delivery recorded", func() bool { return len(f.deliveries(t, sub.ID, webhooks.Succeeded)) == n })

	perEvent := map[string]int{}
	for _, r := range rc.requests() {
		perEvent[r.header.Get(webhooks.HeaderEventID)]++
	}
	if len(perEvent) != n {
		t.Fatalf("%d distinct events received, want %d", len(perEvent), n)
	}
	for ev, c := range perEvent {
		if c != 1 {
			t.Errorf("event %s received %d times", ev, c)
		}
	}
	if got := count(t, f.db.Collection(webhooks.DeliveriesCollection)); got != n {
		t.Errorf("%d deliveries stored, want %d", got, n)
	}
}

// The production rules refuse private and loopback targets at registration, by literal and
// by name, and store nothing.
func TestProductionRefusesPrivateTargets(t *testing.T) {
	f := setup(t, production)
	refused := []string{
		"https://127.0.0.1/hook",
		"https://127.1.2.3:8443/hook",
		"https://[::1]/hook",
		"https://10.0.0.1/hook",
		"https://172.16.0.1/hook",
		"https://172.31.255.254/hook",
		"https://192.168.1.1/hook",
		"https://169.254.169.254/latest/meta-data/",
		"https://100.64.0.1/",
		"https://0.0.0.0/",
		"https://[fc00::1]/",
		"https://[fd12:3456::1]/",
		"https://[fe80::1]/",
		"https://[::ffff:127.0.0.1]/",
		"https://[::ffff:10.0.0.1]/",
		"https://[64:ff9b::a00:1]/", // NAT64 of 10.0.0.1
		"https://localhost/hook",
		"https://localhost:9443/hook",
	}
	for _, u := range refused {
		_, _, err := f.svc.CreateSubscription(f.admin, webhooks.CreateSubscriptionInput{
			AccountID: f.acct, URL: u, EventTypes: []string{"*"}})
		if !errors.Is(err, webhooks.ErrURLNotAllowed) {
			t.Errorf("%s: %v, want URL_NOT_ALLOWED", u, err)
			continue
		}
		if e, _ := errs.As(err); strings.Join(e.Field, ".") != "input.url" {
			t.Errorf("%s: field %v", u, e.Field)
		}
	}
	_, _, err := f.svc.CreateSubscription(f.admin, webhooks.CreateSubscriptionInput{
		AccountID: f.acct, URL: "http://93.184.216.34/hook", EventTypes: []string{"*"}})
	if !errors.Is(err, webhooks.ErrInvalidURL) {
		t.Errorf("http in production: %v, want INVALID_URL", err)
	}
	if n := count(t, f.db.Collection(webhooks.SubscriptionsCollection)); n != 0 {
		t.Fatalf("%d subscriptions stored, want 0", n)
	}

	// A public address is fine, and changing it to a private one is refused.
	sub, _, err := f.svc.CreateSubscription(f.admin, webhooks.CreateSubscriptionInput{
		AccountID: f.acct, URL: "https://93.184.216.34/hook", EventTypes: []string{"*"}})
	if err != nil {
		t.Fatalf("public target: %v", err)
	}
	private := "https://10.1.2.3/hook"
	if _, err := f.svc.UpdateSubscription(f.admin, webhooks.UpdateSubscriptionInput{SubscriptionID: sub.ID, URL: &private}); !errors.Is(err, webhooks.ErrURLNotAllowed) {
		t.Errorf("update to a private target: %v, want URL_NOT_ALLOWED", err)
	}
	if got, _ := f.svc.Subscription(f.admin, sub.ID); got.URL != "https://93.184.216.34/hook" {
		t.Errorf("URL changed to %q", got.URL)
	}
}

// rebinding answers a public address the first time a name is looked up and loopback after:
// what an attacker's DNS does to get past a check made at registration.
type rebinding struct {
	mu      sync.Mutex
	lookups int
}

func (r *rebinding) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lookups++
	if r.lookups == 1 {
		return []net.IPAddr{{IP: net.ParseIP("93.184.216.34")}}, nil
	}
	return []net.IPAddr{{IP: net.ParseIP("127.0.0.1")}}, nil
}

// The dial-time guard refuses an address that the name resolves to after registration.
func TestProductionRefusesRebindingAtDialTime(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		t.Error("the receiver on loopback was reached")
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	dns := &rebinding{}
	f := setup(t, production, func(c *webhooks.Config) {
		c.Resolver = dns
		c.TLSConfig = srv.Client().Transport.(*http.Transport).TLSClientConfig
	})
	sub, _ := f.subscribe(t, "https://hooks.example.com:"+port+"/hook")
	f.emit(t, f.acct, "shipment.delivered", nil)
	f.flush(t, f.svc)

	d := f.only(t, sub.ID)
	if d.Status != webhooks.Pending || d.LastStatusCode != 0 || !strings.Contains(d.LastError, "not allowed") ||
		!strings.Contains(d.LastError, "127.0.0.1") {
		t.Fatalf("delivery = status %s, code %d, error %q; want a refused attempt, to be retried", d.Status, d.LastStatusCode, d.LastError)
	}
	if s := f.svc.Stats(); s.Refused != 1 || s.Retrying != 1 {
		t.Errorf("stats = %+v, want one refused attempt", s)
	}
	if dns.lookups < 2 {
		t.Errorf("the worker did not resolve the name itself (%d lookups)", dns.lookups)
	}
}

// Development mode lets tests and local receivers use loopback over http.
func TestDevelopmentAllowsLoopback(t *testing.T) {
	f := setup(t)
	for _, u := range []string{"http://127.0.0.1:8080/hook", "http://localhost:8080/hook", "http://[::1]:8080/"} {
		if _, _, err := f.svc.CreateSubscription(f.admin, webhooks.CreateSubscriptionInput{
			AccountID: f.acct, URL: u, EventTypes: []string{"*"}}); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}

// Bad input gives a clear error with its field, and writes nothing.
func TestBadInputWritesNothing(t *testing.T) {
	f := setup(t)
	good := webhooks.CreateSubscriptionInput{AccountID: f.acct, URL: "https://example.com/hook",
		EventTypes: []string{"shipment.delivered"}}
	with := func(change func(*webhooks.CreateSubscriptionInput)) webhooks.CreateSubscriptionInput {
		in := good
		change(&in)
		return in
	}
	cases := []struct {
		name   string
		ctx    context.Context
		in     webhooks.CreateSubscriptionInput
		code   errs.Code
		reason string
		field  string
	}{
		{"EmptyURL", f.admin, with(func(in *webhooks.CreateSubscriptionInput) { in.URL = "" }), errs.Invalid, "INVALID_URL", "input.url"},
		{"NotAURL", f.admin, with(func(in *webhooks.CreateSubscriptionInput) { in.URL = "not a url" }), errs.Invalid, "INVALID_URL", "input.url"},
		{"FTP", f.admin, with(func(in *webhooks.CreateSubscriptionInput) { in.URL = "ftp://example.com/x" }), errs.Invalid, "INVALID_URL", "input.url"},
		{"NoHost", f.admin, with(func(in *webhooks.CreateSubscriptionInput) { in.URL = "https:///hook" }), errs.Invalid, "INVALID_URL", "input.url"},
		{"Credentials", f.admin, with(func(in *webhooks.CreateSubscriptionInput) { in.URL = "https://user:pw@example.com/" }), errs.Invalid, "INVALID_URL", "input.url"},
		{"Fragment", f.admin, with(func(in *webhooks.CreateSubscriptionInput) { in.URL = "https://example.com/#x" }), errs.Invalid, "INVALID_URL", "input.url"},
		{"BadPort", f.admin, with(func(in *webhooks.CreateSubscriptionInput) { in.URL = "https://example.com:99999/" }), errs.Invalid, "INVALID_URL", "input.url"},
		{"TooLong", f.admin, with(func(in *webhooks.CreateSubscriptionInput) {
			in.URL = "https://example.com/" + strings.Repeat("a", webhooks.MaxURLLen)
		}), errs.Invalid, "INVALID_URL", "input.url"},
		{"NoEventTypes", f.admin, with(func(in *webhooks.CreateSubscriptionInput) { in.EventTypes = nil }), errs.Invalid, "", "input.eventTypes"},
		{"UnknownEventType", f.admin, with(func(in *webhooks.CreateSubscriptionInput) {
			in.EventTypes = []string{"shipment.delivered", "shipment.teleported"}
		}), errs.Invalid, "UNKNOWN_EVENT_TYPE", "input.eventTypes.1"},
		{"WildcardNotAlone", f.admin, with(func(in *webhooks.CreateSubscriptionInput) {
			in.EventTypes = []string{"shipment.delivered", "*"}
		}), errs.Invalid, "", "input.eventTypes.1"},
		{"DescriptionTooLong", f.admin, with(func(in *webhooks.CreateSubscriptionInput) {
			in.Description = strings.Repeat("d", webhooks.MaxDescriptionLen+1)
		}), errs.Invalid, "", "input.description"},
		{"DescriptionTwoLines", f.admin, with(func(in *webhooks.CreateSubscriptionInput) { in.Description = "a\nb" }), errs.Invalid, "", "input.description"},
		{"ForeignAccount", f.other, good, errs.NotFound, "NOT_FOUND", ""},
		{"Viewer", f.viewer, good, errs.Forbidden, "FORBIDDEN", ""},
		{"Anonymous", f.anon, good, errs.Unauthenticated, "UNAUTHENTICATED", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, secret, err := f.svc.CreateSubscription(c.ctx, c.in)
			wantCode(t, "CreateSubscription", err, c.code)
			e, _ := errs.As(err)
			if c.reason != "" && e.Reason != c.reason {
				t.Errorf("reason %q, want %q", e.Reason, c.reason)
			}
			if got := strings.Join(e.Field, "."); got != c.field {
				t.Errorf("field %q, want %q", got, c.field)
			}
			if secret != "" {
				t.Error("a secret came back with an error")
			}
		})
	}
	if n := count(t, f.db.Collection(webhooks.SubscriptionsCollection)); n != 0 {
		t.Fatalf("%d subscriptions stored, want 0", n)
	}

	// Changes: a bad field refuses the whole change.
	sub, _ := f.subscribe(t, "https://example.com/hook", "shipment.delivered")
	bad, desc := "https://", "new description"
	if _, err := f.svc.UpdateSubscription(f.admin, webhooks.UpdateSubscriptionInput{
		SubscriptionID: sub.ID, URL: &bad, Description: &desc}); !errors.Is(err, webhooks.ErrInvalidURL) {
		t.Errorf("update with a bad URL: %v", err)
	}
	if _, err := f.svc.UpdateSubscription(f.admin, webhooks.UpdateSubscriptionInput{
		SubscriptionID: sub.ID, EventTypes: []string{"nope.nothing"}, Description: &desc}); !errors.Is(err, webhooks.ErrUnknownEventType) {
		t.Errorf("update with an unknown type: %v", err)
	}
	if got, _ := f.svc.Subscription(f.admin, sub.ID); got.Description != "test receiver" || !slices.Equal(got.EventTypes, []string{"shipment.delivered"}) {
		t.Errorf("subscription changed by refused updates: %+v", got)
	}
}

// Another account's subscription or delivery looks like a missing one, for every method.
func TestForeignSubscriptionIsNotFound(t *testing.T) {
	f := setup(t)
	rc := newReceiver(t, always(http.StatusOK))
	sub, _ := f.subscribe(t, rc.URL)
	f.emit(t, f.acct, "shipment.delivered", nil)
	f.flush(t, f.svc)
	d := f.only(t, sub.ID)
	before, _ := f.svc.Subscription(f.admin, sub.ID)

	url, active := "https://example.com/other", false
	n := 10
	calls := map[string]func(ctx context.Context, subID, dlvID string) error{
		"Subscription": func(ctx context.Context, subID, _ string) error {
			_, err := f.svc.Subscription(ctx, subID)
			return err
		},
		"UpdateSubscription": func(ctx context.Context, subID, _ string) error {
			_, err := f.svc.UpdateSubscription(ctx, webhooks.UpdateSubscriptionInput{SubscriptionID: subID, URL: &url, Active: &active})
			return err
		},
		"RotateSecret": func(ctx context.Context, subID, _ string) error {
			_, _, err := f.svc.RotateSecret(ctx, webhooks.RotateSecretInput{SubscriptionID: subID})
			return err
		},
		"DeleteSubscription": func(ctx context.Context, subID, _ string) error {
			_, err := f.svc.DeleteSubscription(ctx, subID)
			return err
		},
		"Deliveries": func(ctx context.Context, subID, _ string) error {
			_, err := f.svc.Deliveries(ctx, webhooks.DeliveriesFilter{SubscriptionID: subID}, cursor.Page{First: &n})
			return err
		},
		"Delivery": func(ctx context.Context, _, dlvID string) error {
			_, err := f.svc.Delivery(ctx, dlvID)
			return err
		},
		"Redeliver": func(ctx context.Context, _, dlvID string) error {
			_, err := f.svc.Redeliver(ctx, dlvID)
			return err
		},
	}
	for name, call := range calls {
		if err := call(f.other, sub.ID, d.ID); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("%s of a foreign subscription: %v, want NOT_FOUND", name, err)
		}
		if err := call(f.admin, ids.New(ids.Webhook), ids.New(ids.Delivery)); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("%s of a missing id: %v, want NOT_FOUND", name, err)
		}
	}
	if _, err := f.svc.Subscriptions(f.other, f.acct, cursor.Page{}); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("Subscriptions of a foreign account: %v, want NOT_FOUND", err)
	}
	after, _ := f.svc.Subscription(f.admin, sub.ID)
	if after.URL != before.URL || !after.Active || after.SecretHint != before.SecretHint {
		t.Errorf("foreign calls changed the subscription: %+v", after)
	}
	if got := f.only(t, sub.ID); got.Status != webhooks.Succeeded || got.Attempts != 1 {
		t.Errorf("foreign calls changed the delivery: %+v", got)
	}
	if n := len(rc.requests()); n != 1 {
		t.Errorf("receiver got %d requests, want 1", n)
	}
}

// A delivery can be sent again by hand, with the same id and a manual attempt in the log.
func TestManualRedelivery(t *testing.T) {
	f := setup(t)
	rc := newReceiver(t, always(http.StatusOK))
	sub, _ := f.subscribe(t, rc.URL)
	f.emit(t, f.acct, "shipment.delivered", nil)
	f.flush(t, f.svc)
	d := f.only(t, sub.ID)

	if _, err := f.svc.Redeliver(f.viewer, d.ID); errs.CodeOf(err) != errs.Forbidden {
		t.Errorf("viewer Redeliver: %v, want FORBIDDEN", err)
	}
	again, err := f.svc.Redeliver(f.admin, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Status != webhooks.Pending || again.NextAttemptAt == nil || again.CompletedAt != nil {
		t.Errorf("after Redeliver: %+v, want PENDING and due", again)
	}
	f.flush(t, f.svc)

	got := rc.requests()
	if len(got) != 2 {
		t.Fatalf("receiver got %d requests, want 2", len(got))
	}
	if got[1].header.Get(webhooks.HeaderWebhookID) != d.ID || got[1].header.Get(webhooks.HeaderAttempt) != "2" {
		t.Errorf("redelivery headers: id %q attempt %q", got[1].header.Get(webhooks.HeaderWebhookID), got[1].header.Get(webhooks.HeaderAttempt))
	}
	d = f.only(t, sub.ID)
	if d.Status != webhooks.Succeeded || d.Attempts != 2 || len(d.Log) != 2 || d.Log[0].Manual || !d.Log[1].Manual {
		t.Errorf("after the redelivery: %+v", d)
	}

	inactive := false
	if _, err := f.svc.UpdateSubscription(f.admin, webhooks.UpdateSubscriptionInput{SubscriptionID: sub.ID, Active: &inactive}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Redeliver(f.admin, d.ID); !errors.Is(err, webhooks.ErrSubscriptionInactive) {
		t.Errorf("Redeliver to a paused subscription: %v, want SUBSCRIPTION_INACTIVE", err)
	}
}

// Health follows the failures: WARNING after 3 in a row, UNHEALTHY after an hour, DISABLED
// after a day, with an event; a success resets it, and re-activating resumes deliveries.
func TestHealthTransitions(t *testing.T) {
	f := setup(t)
	var mu sync.Mutex
	status := http.StatusBadGateway
	rc := newReceiver(t, func(*http.Request, int) int {
		mu.Lock()
		defer mu.Unlock()
		return status
	})
	setStatus := func(s int) {
		mu.Lock()
		status = s
		mu.Unlock()
	}
	sub, _ := f.subscribe(t, rc.URL)
	// Another subscription of the account hears of the disable.
	watcher := newReceiver(t, always(http.StatusOK))
	f.subscribe(t, watcher.URL, webhooks.EventSubscriptionDisabled)

	health := func() webhooks.Subscription {
		s, err := f.svc.Subscription(f.admin, sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	// A success after two failures resets the count before WARNING.
	f.emit(t, f.acct, "shipment.delivered", nil)
	f.flush(t, f.svc)
	f.clk.Advance(webhooks.RetryBase)
	f.flush(t, f.svc)
	if h := health(); h.Health != webhooks.Healthy || h.ConsecutiveFailures != 2 || h.FailingSince == nil {
		t.Fatalf("after 2 failures: %s with %d failures", h.Health, h.ConsecutiveFailures)
	}
	setStatus(http.StatusOK)
	f.clk.Advance(2 * webhooks.RetryBase)
	f.flush(t, f.svc)
	if h := health(); h.Health != webhooks.Healthy || h.ConsecutiveFailures != 0 || h.FailingSince != nil {
		t.Fatalf("after a success: %s with %d failures", h.Health, h.ConsecutiveFailures)
	}

	// Now it keeps failing.
	setStatus(http.StatusBadGateway)
	start := f.clk.Now()
	first := f.emit(t, f.acct, "shipment.delivered", nil)
	var seen []webhooks.Health
	late := ""
	f.retryUntilDone(t, f.svc, sub.ID, func() {
		h := health()
		if len(seen) == 0 || seen[len(seen)-1] != h.Health {
			seen = append(seen, h.Health)
			if h.Health == webhooks.Warning && h.ConsecutiveFailures != webhooks.WarningAfterFailures {
				t.Errorf("WARNING after %d failures, want %d", h.ConsecutiveFailures, webhooks.WarningAfterFailures)
			}
			if h.Health == webhooks.Unhealthy && f.clk.Now().Sub(start) < webhooks.UnhealthyAfter {
				t.Errorf("UNHEALTHY after %v", f.clk.Now().Sub(start))
			}
		}
		// A second event while it is failing: pending when the subscription is disabled.
		if late == "" && f.clk.Now().Sub(start) > 2*time.Hour {
			late = f.emit(t, f.acct, "shipment.status_changed", nil)
		}
	})
	if want := []webhooks.Health{webhooks.Healthy, webhooks.Warning, webhooks.Unhealthy, webhooks.Disabled}; !slices.Equal(seen, want) {
		t.Fatalf("health went %v, want %v", seen, want)
	}
	h := health()
	if h.Active || h.DisabledAt == nil || h.DisabledAt.Sub(start) < webhooks.DisableAfter {
		t.Fatalf("disabled subscription: %+v; want inactive, disabled a day after the first failure", h)
	}
	byEvent := map[string]webhooks.Delivery{}
	for _, d := range f.deliveries(t, sub.ID, "") {
		byEvent[d.EventID] = d
	}
	// The first delivery ran out of retries at the end of its window, a day after its first
	// attempt; the second was pending and is canceled.
	d := byEvent[first]
	if d.Status != webhooks.Failed || d.Attempts > webhooks.MaxAttempts || d.Attempts < 10 {
		t.Fatalf("first delivery: status %s after %d attempts", d.Status, d.Attempts)
	}
	if span := d.LastAttemptAt.Sub(start); span != webhooks.RetryWindow {
		t.Errorf("last attempt %v after the first, want exactly %v", span, webhooks.RetryWindow)
	}
	if got := len(d.Log); got != min(d.Attempts, webhooks.MaxLogAttempts) {
		t.Errorf("log keeps %d attempts of %d", got, d.Attempts)
	}
	if d := byEvent[late]; late == "" || d.Status != webhooks.Canceled {
		t.Errorf("delivery pending at the disable: %+v, want CANCELED", d)
	}
	if s := f.svc.Stats(); s.Disabled != 1 || s.Failed != 1 {
		t.Errorf("stats = %+v", s)
	}

	// The disable was recorded with its event, in the account's feed.
	if err := f.relay.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	evs, err := f.feed.List(context.Background(), f.acct, 0, []string{webhooks.EventSubscriptionDisabled}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].ObjectID != sub.ID {
		t.Fatalf("disable events = %+v, want one for %s", evs, sub.ID)
	}
	var data webhooks.DisabledEventData
	if err := evs[0].DecodeData(&data); err != nil || data.SubscriptionID != sub.ID || data.URL != rc.URL ||
		!data.FailingSince.Equal(start) || data.ConsecutiveFailures < webhooks.WarningAfterFailures {
		t.Errorf("disable event data = %+v, %v", data, err)
	}

	f.flush(t, f.svc)
	if got := watcher.requests(); len(got) != 1 || got[0].header.Get(webhooks.HeaderEventType) != webhooks.EventSubscriptionDisabled {
		t.Errorf("the watching subscription got %d requests, want the disable event", len(got))
	}

	// While disabled, nothing is sent, and events of that time are not sent later.
	sent := len(rc.requests())
	f.emit(t, f.acct, "shipment.delivered", nil)
	f.flush(t, f.svc)
	if len(rc.requests()) != sent {
		t.Fatal("a disabled subscription received an event")
	}

	// The receiver is fixed and the subscription re-activated: HEALTHY, and new events flow.
	setStatus(http.StatusOK)
	f.clk.Advance(time.Minute)
	active := true
	h, err = f.svc.UpdateSubscription(f.admin, webhooks.UpdateSubscriptionInput{SubscriptionID: sub.ID, Active: &active})
	if err != nil {
		t.Fatal(err)
	}
	if h.Health != webhooks.Healthy || !h.Active || h.ConsecutiveFailures != 0 || h.DisabledAt != nil || h.FailingSince != nil {
		t.Fatalf("re-activated: %+v", h)
	}
	f.clk.Advance(time.Millisecond)
	next := f.emit(t, f.acct, "shipment.delivered", nil)
	f.flush(t, f.svc)
	acked := rc.acked()
	if len(acked) == 0 || acked[len(acked)-1].header.Get(webhooks.HeaderEventID) != next {
		t.Fatal("the event after re-activation was not delivered")
	}
	// The canceled delivery can be sent by hand now.
	if _, err := f.svc.Redeliver(f.admin, byEvent[late].ID); err != nil {
		t.Fatal(err)
	}
	f.flush(t, f.svc)
	if d, _ := f.svc.Delivery(f.admin, byEvent[late].ID); d.Status != webhooks.Succeeded {
		t.Errorf("redelivered canceled delivery: %s", d.Status)
	}
}

// A redirect is a failure, and is not followed (it could lead anywhere, including inside).
func TestRedirectsAreNotFollowed(t *testing.T) {
	f := setup(t)
	inside := newReceiver(t, always(http.StatusOK))
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inside.URL, http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()
	sub, _ := f.subscribe(t, redirector.URL)
	f.emit(t, f.acct, "shipment.delivered", nil)
	f.flush(t, f.svc)
	if n := len(inside.requests()); n != 0 {
		t.Fatalf("the redirect was followed (%d requests)", n)
	}
	if d := f.only(t, sub.ID); d.Status != webhooks.Pending || d.LastStatusCode != http.StatusTemporaryRedirect {
		t.Fatalf("delivery = %s with %d, want PENDING after a 307", d.Status, d.LastStatusCode)
	}
}

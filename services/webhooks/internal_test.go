package webhooks

import (
	"context"
	"errors"
	"io"
	"math/bits"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/internal/mongodb/mongotest"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/events"
)

// TestMain is in webhooks_test.go: the internal and external tests share one test binary.

type allowAll struct{}

func (allowAll) Require(context.Context, string, access.Resource, access.Action) error { return nil }

type internalFixture struct {
	db    *mongo.Database
	clk   *clock.Fake
	relay *events.Relay
	feed  *events.Feed
	acct  string
	ctx   context.Context
}

func newInternalFixture(t *testing.T) *internalFixture {
	t.Helper()
	db := mongotest.DB(t)
	clk := clock.NewFake(time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC))
	relay := events.NewRelay(db, clk, nil, "shipments", SubscriptionsCollection)
	sets := append(events.Indexes(), relay.OutboxIndexes()...)
	if err := mongodb.EnsureIndexes(context.Background(), db, append(sets, Indexes()...)...); err != nil {
		t.Fatal(err)
	}
	return &internalFixture{db: db, clk: clk, relay: relay, feed: events.NewFeed(db, clk),
		acct: ids.New(ids.Account),
		ctx:  auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.KindUser, UserID: ids.New(ids.User)})}
}

func (f *internalFixture) service(t *testing.T) *Service {
	t.Helper()
	s, err := NewService(Config{DB: f.db, Access: allowAll{}, Events: f.feed, Development: true, Clock: f.clk,
		EventTypes: []string{"shipment.delivered"}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *internalFixture) emit(t *testing.T) {
	t.Helper()
	obj := ids.New(ids.Shipment)
	entry, err := events.New(events.Draft{AccountID: f.acct, Type: "shipment.delivered", ObjectID: obj, OccurredAt: f.clk.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Collection("shipments").InsertOne(context.Background(),
		bson.M{"_id": obj, "accountId": f.acct, events.OutboxField: bson.A{entry}}); err != nil {
		t.Fatal(err)
	}
	if err := f.relay.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

type countingReceiver struct {
	mu       sync.Mutex
	attempts []string
}

func (c *countingReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	c.mu.Lock()
	c.attempts = append(c.attempts, r.Header.Get(HeaderAttempt))
	c.mu.Unlock()
}

func (c *countingReceiver) got() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.attempts...)
}

// A worker that claimed a delivery and died holds it for LeaseTTL; then another process sends
// it (at least once: the dead worker may or may not have sent it).
func TestCrashedAttemptIsRetriedWhenItsLeaseLapses(t *testing.T) {
	f := newInternalFixture(t)
	rc := &countingReceiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	crashed := f.service(t)
	sub, _, err := crashed.CreateSubscription(f.ctx, CreateSubscriptionInput{AccountID: f.acct, URL: srv.URL, EventTypes: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	f.emit(t)
	if _, _, err := crashed.dispatch(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := crashed.claimNext(context.Background()); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	// ... and the process dies here.

	restarted := f.service(t)
	if err := restarted.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(rc.got()); n != 0 {
		t.Fatalf("a leased delivery was sent %d times before its lease lapsed", n)
	}
	f.clk.Advance(LeaseTTL)
	if err := restarted.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := rc.got(); len(got) != 1 || got[0] != "2" {
		t.Fatalf("after the lease: attempts %v, want one, numbered 2", got)
	}
	d, err := restarted.st.findDelivery(context.Background(), mustOnlyDelivery(t, f, sub.ID))
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != string(Succeeded) || d.Attempts != 2 || len(d.Log) != 1 {
		t.Errorf("delivery = %s after %d attempts with %d logged", d.Status, d.Attempts, len(d.Log))
	}
}

func mustOnlyDelivery(t *testing.T, f *internalFixture, subID string) string {
	t.Helper()
	var docs []deliveryDoc
	cur, err := f.db.Collection(DeliveriesCollection).Find(context.Background(), bson.M{fSubscriptionID: subID})
	if err != nil {
		t.Fatal(err)
	}
	if err := cur.All(context.Background(), &docs); err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 {
		t.Fatalf("%d deliveries, want 1", len(docs))
	}
	return docs[0].ID
}

// A dispatcher that stopped after inserting deliveries but before moving its cursor inserts
// them again on restart; the unique index absorbs that.
func TestReplayedDispatchIsAbsorbed(t *testing.T) {
	f := newInternalFixture(t)
	s := f.service(t)
	sub, _, err := s.CreateSubscription(f.ctx, CreateSubscriptionInput{AccountID: f.acct, URL: "http://127.0.0.1:1/", EventTypes: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		f.emit(t)
	}
	if n, _, err := s.dispatch(context.Background()); err != nil || n != 3 {
		t.Fatalf("dispatch: %d, %v; want 3", n, err)
	}
	// The cursor as it was before the pass.
	if _, err := f.db.Collection(SubscriptionsCollection).UpdateOne(context.Background(),
		bson.M{fID: sub.ID}, bson.M{"$set": bson.M{fCursorSeq: int64(0)}}); err != nil {
		t.Fatal(err)
	}
	if n, _, err := f.service(t).dispatch(context.Background()); err != nil || n != 0 {
		t.Fatalf("replayed dispatch: %d, %v; want 0", n, err)
	}
	if n, _ := f.db.Collection(DeliveriesCollection).CountDocuments(context.Background(), bson.M{}); n != 3 {
		t.Fatalf("%d deliveries, want 3", n)
	}
}

// fakeFeed serves List over a fixed set of sequence numbers and counts the reads.
type fakeFeed struct {
	seqs  []int64 // sorted
	reads int
}

func (f *fakeFeed) List(_ context.Context, _ string, after int64, _ []string, limit int) ([]events.Event, error) {
	f.reads++
	i := sort.Search(len(f.seqs), func(i int) bool { return f.seqs[i] > after })
	var out []events.Event
	for ; i < len(f.seqs) && len(out) < limit; i++ {
		out = append(out, events.Event{Seq: f.seqs[i]})
	}
	return out, nil
}

func TestLatestSeq(t *testing.T) {
	cases := map[string][]int64{
		"Empty":        nil,
		"One":          {1},
		"Two":          {1, 2},
		"Dense":        seqRange(1, 1000),
		"SweptAndGaps": append(append(seqRange(500, 510), 700, 701, 1023, 1024), 1025),
		"PowerOfTwo":   {64},
		"Large":        {7, 99, 123456},
	}
	for name, seqs := range cases {
		t.Run(name, func(t *testing.T) {
			feed := &fakeFeed{seqs: seqs}
			s := &Service{events: feed}
			got, err := s.latestSeq(context.Background(), "acct_x")
			if err != nil {
				t.Fatal(err)
			}
			want := int64(0)
			if len(seqs) > 0 {
				want = seqs[len(seqs)-1]
			}
			if got != want {
				t.Fatalf("latestSeq = %d, want %d", got, want)
			}
			if limit := 2*bits.Len64(uint64(want)) + 3; feed.reads > limit {
				t.Errorf("%d reads for %d, want at most %d", feed.reads, want, limit)
			}
		})
	}
}

func seqRange(from, to int64) []int64 {
	var out []int64
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

// The retry schedule keeps its documented bounds whatever the jitter draws.
func TestRetrySchedule(t *testing.T) {
	start := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	minAttempts, maxAttempts := MaxAttempts, 0
	for range 2000 {
		d := deliveryDoc{RetryFrom: start}
		now := start
		for {
			d.WindowAttempts++
			next, retry := nextAttempt(now, d)
			if !retry {
				break
			}
			delay := next.Sub(now)
			ceiling := min(RetryCap, RetryBase<<min(d.WindowAttempts-1, 20))
			deadline := start.Add(RetryWindow)
			switch {
			case next.After(deadline):
				t.Fatalf("attempt %d due %v after the window", d.WindowAttempts+1, next.Sub(deadline))
			case !next.Equal(deadline) && (delay < minRetryDelay-time.Millisecond || delay > ceiling):
				t.Fatalf("delay after failure %d = %v, want within [1s, %v]", d.WindowAttempts, delay, ceiling)
			}
			now = next
		}
		if !now.Equal(start.Add(RetryWindow)) {
			t.Fatalf("last attempt at %v after the first, want exactly %v", now.Sub(start), RetryWindow)
		}
		minAttempts, maxAttempts = min(minAttempts, d.WindowAttempts), max(maxAttempts, d.WindowAttempts)
	}
	if maxAttempts > MaxAttempts || minAttempts < 12 {
		t.Errorf("attempts per window ranged %d..%d, want at least 12 and at most %d", minAttempts, maxAttempts, MaxAttempts)
	}
	t.Logf("attempts per delivery over 2000 schedules: %d..%d", minAttempts, maxAttempts)
}

func TestHealthOf(t *testing.T) {
	tests := []struct {
		failures   int
		failingFor time.Duration
		want       Health
	}{
		{0, 0, Healthy},
		{2, 30 * time.Hour, Healthy},
		{3, 0, Warning},
		{50, 59 * time.Minute, Warning},
		{3, time.Hour, Unhealthy},
		{10, 23 * time.Hour, Unhealthy},
		{12, 24 * time.Hour, Disabled},
	}
	for _, tt := range tests {
		if got := healthOf(tt.failures, tt.failingFor); got != tt.want {
			t.Errorf("healthOf(%d, %v) = %s, want %s", tt.failures, tt.failingFor, got, tt.want)
		}
	}
}

// The dialer's own check refuses forbidden addresses in production, whatever led to them.
func TestDialerRefusesForbiddenAddresses(t *testing.T) {
	prod := target{resolver: net.DefaultResolver}
	for _, addr := range []string{"127.0.0.1:443", "[::1]:443", "10.0.0.1:80", "169.254.169.254:80", "[::ffff:192.168.1.1]:443"} {
		if err := prod.control("tcp", addr, nil); !errors.Is(err, errAddressNotAllowed) {
			t.Errorf("control(%s) = %v, want refused", addr, err)
		}
	}
	if err := prod.control("tcp", "93.184.216.34:443", nil); err != nil {
		t.Errorf("control(public) = %v", err)
	}
	if err := (target{development: true}).control("tcp", "127.0.0.1:443", nil); err != nil {
		t.Errorf("development control(loopback) = %v", err)
	}

	// End to end through the dial function, for a literal and a name.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	dial := prod.dialContext(&net.Dialer{Timeout: time.Second, Control: prod.control})
	for _, host := range []string{"127.0.0.1", "localhost"} {
		conn, err := dial(context.Background(), "tcp", net.JoinHostPort(host, port))
		if err == nil {
			conn.Close()
		}
		if !errors.Is(err, errAddressNotAllowed) {
			t.Errorf("dial %s: %v, want refused", host, err)
		}
	}
}

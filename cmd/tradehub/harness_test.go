package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.opentelemetry.io/otel/trace"

	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/demo"
)

// demoApp runs the real app, in development mode with demo data, on a free port.
func demoApp(t *testing.T) (*app, string) {
	t.Helper()
	return demoAppLogging(t, io.Discard)
}

// demoAppLogging is demoApp with its log written to logs.
func demoAppLogging(t *testing.T, logs io.Writer) (*app, string) {
	t.Helper()
	a, base, _ := startApp(t, appOptions{logs: logs})
	return a, base
}

// appOptions vary the app a test runs; the zero value is demoApp's.
type appOptions struct {
	dir   string            // the embedded store's folder (default: a fresh one)
	env   map[string]string // more settings, or other values for the defaults
	clock clock.Clock       // default: the system clock
	logs  io.Writer         // default: discarded
	// tracer records spans (default: tracing off, unless the environment configures it).
	tracer trace.TracerProvider
	// bulkPageSize pages bulk exports in this many items (default 100).
	bulkPageSize int
}

// startApp runs the real app, in development mode with demo data, on a free port, and returns
// it, its base URL and a function that shuts it down (also called at the test's end; calling
// it twice is fine).
func startApp(t *testing.T, o appOptions) (*app, string, func()) {
	t.Helper()
	if o.dir == "" {
		o.dir = t.TempDir()
	}
	if o.logs == nil {
		o.logs = io.Discard
	}
	env := map[string]string{
		"TRADEHUB_ADDR": "127.0.0.1:0", "TRADEHUB_DATA_DIR": o.dir,
		"TRADEHUB_DEMO": "1", "TRADEHUB_ENV": envDevelopment,
		// Each app's own free port, so that tests never meet a running server's 9090.
		"TRADEHUB_METRICS_ADDR": "127.0.0.1:0",
		// Tests fire hundreds of queries as one user within seconds: a bucket that never runs
		// dry keeps them about what they test (throttling has its own tests).
		"TRADEHUB_COST_BUCKET": "10000000", "TRADEHUB_COST_RESTORE": "10000",
	}
	for k, v := range o.env {
		env[k] = v
	}
	cfg, err := parseConfig("test", nil, mapEnv(env), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Clock = o.clock
	cfg.Tracer = o.tracer
	cfg.BulkPageSize = o.bulkPageSize
	a, err := start(context.Background(), cfg, slog.New(slog.NewTextHandler(o.logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.serve(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("shutdown: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return a, "http://" + a.http.Addr(), stop
}

// shiftedClock is the system clock moved forward by what a test added, so that webhook retries
// fall due without the test sleeping through the backoff.
type shiftedClock struct{ offset atomic.Int64 }

func (c *shiftedClock) Now() time.Time {
	return time.Now().Add(time.Duration(c.offset.Load())).UTC().Truncate(time.Millisecond)
}

func (c *shiftedClock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// client is one caller: a cookie session, an API key, or anonymous.
type client struct {
	t      *testing.T
	base   string
	http   *http.Client
	bearer string
}

func anonymous(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, http: &http.Client{Jar: jar}}
}

// signIn logs a demo user in through the login mutation, keeping the session cookie.
func signIn(t *testing.T, base, email string) *client {
	t.Helper()
	c := anonymous(t, base)
	r := c.do(`mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { userErrors { code } } }`,
		map[string]any{"e": email, "p": demo.Password})
	if ue := r.path("login", "userErrors"); ue != nil && len(ue.([]any)) > 0 {
		t.Fatalf("sign in %s: %v", email, ue)
	}
	return c
}

func withKey(t *testing.T, base, secret string) *client {
	c := anonymous(t, base)
	c.bearer = secret
	return c
}

type response struct {
	Status int
	Raw    []byte
	Data   map[string]any
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	}
}

func (c *client) do(query string, vars map[string]any) response {
	c.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, c.base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := response{Status: resp.StatusCode, Raw: raw}
	if err := json.Unmarshal(raw, &out); err != nil {
		c.t.Fatalf("response is not JSON: %s", raw)
	}
	return out
}

// path walks the data by keys; nil when any step is missing or null.
func (r response) path(keys ...string) any {
	var cur any = r.Data
	for _, k := range keys {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}

func (r response) str(keys ...string) string {
	s, _ := r.path(keys...).(string)
	return s
}

// codes lists the top-level extensions.code values and the userErrors codes of a mutation.
func (r response) codes(mutation string) []string {
	var out []string
	for _, e := range r.Errors {
		if c, ok := e.Extensions["code"].(string); ok {
			out = append(out, c)
		}
	}
	if ue, ok := r.path(mutation, "userErrors").([]any); ok {
		for _, u := range ue {
			out = append(out, u.(map[string]any)["code"].(string))
		}
	}
	return out
}

func (r response) ok(mutation string) bool { return len(r.codes(mutation)) == 0 }

// snapshot is what a refused request must not change: the number of documents in every
// collection but the audit log and sessions, and every account's details.
func snapshot(t *testing.T, a *app) string {
	t.Helper()
	ctx := context.Background()
	names, err := a.store.DB.ListCollectionNames(ctx, bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, n := range names {
		// The audit log and sessions change on every request; the events relay moves earlier
		// changes' events in the background, whenever it likes, and the webhook dispatcher
		// queues deliveries of them.
		switch n {
		case "audit_entries", "sessions", "access_meta", "events", "eventCounters", "eventRelayLease", "webhook_deliveries",
			// The bulk export worker frees an account's export slot when the export finishes.
			"bulk_export_locks":
			continue
		}
		count, err := a.store.DB.Collection(n).CountDocuments(ctx, bson.M{})
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(n + "=" + itoa(count) + " ")
	}
	rules, err := a.store.DB.Collection("casbin_rule").Find(ctx, bson.M{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		t.Fatal(err)
	}
	var rs []bson.M
	_ = rules.All(ctx, &rs)
	for _, r := range rs {
		b.WriteString(fmt.Sprint(r["ptype"], r["v0"], r["v1"], r["v2"], " "))
	}
	cur, err := a.store.DB.Collection("accounts").Find(ctx, bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	var accts []bson.M
	_ = cur.All(ctx, &accts)
	for _, d := range accts {
		b.WriteString(d["_id"].(string) + ":" + d["legalName"].(string) + ":" + d["billingEmail"].(string) + ":" + d["status"].(string) + " ")
	}
	return b.String()
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// mapEnv is an environment of the variables in env, for parseConfig and run.
func mapEnv(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
}

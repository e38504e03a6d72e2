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
	"testing"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

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
	env := map[string]string{
		"TRADEHUB_ADDR": "127.0.0.1:0", "TRADEHUB_DATA_DIR": t.TempDir(),
		"TRADEHUB_DEMO": "1", "TRADEHUB_ENV": envDevelopment,
	}
	cfg, err := parseConfig("test", nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a, err := start(context.Background(), cfg, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return a, "http://" + a.http.Addr()
}

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
		// changes' events in the background, whenever it likes.
		switch n {
		case "audit_entries", "sessions", "access_meta", "events", "eventCounters", "eventRelayLease":
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

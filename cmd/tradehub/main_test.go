package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/events"
)

// startTest runs the real app on a free port over a fresh embedded store, as `make run` does.
func startTest(t *testing.T) (*app, string) {
	t.Helper()
	env := map[string]string{"TRADEHUB_ADDR": "127.0.0.1:0", "TRADEHUB_DATA_DIR": t.TempDir(), "TRADEHUB_METRICS_ADDR": "127.0.0.1:0"}
	cfg, err := parseConfig("test", nil, mapEnv(env), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a, err := start(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
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

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServesGraphQLHealthAndPortal(t *testing.T) {
	_, base := startTest(t)
	resp, err := http.Post(base+"/graphql", "application/json", strings.NewReader(`{"query":"{ viewer { __typename } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// The response also reports the query's cost in extensions; only the data matters here.
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(b), `{"data":{"viewer":{"__typename":"Viewer"}}`) {
		t.Errorf("graphql: %d %s", resp.StatusCode, b)
	}
	if resp.Header.Get("X-Request-Id") == "" {
		t.Error("no X-Request-Id header")
	}
	if code, _ := get(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("healthz = %d", code)
	}
	if code, _ := get(t, base+"/readyz"); code != http.StatusOK {
		t.Errorf("readyz = %d", code)
	}
	// The portal answers whether or not it has been built (503 with instructions when not).
	if code, _ := get(t, base+"/"); code != http.StatusOK && code != http.StatusServiceUnavailable {
		t.Errorf("portal = %d", code)
	}
}

func TestReadyzFollowsTheStore(t *testing.T) {
	a, base := startTest(t)
	dir, addr := a.cfg.DataDir, strings.TrimSuffix(strings.TrimPrefix(a.embedded.URI(), "mongodb://"), "/")
	ctx := context.Background()
	if err := a.embedded.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if code, body := get(t, base+"/readyz"); code != http.StatusServiceUnavailable || strings.Contains(body, "127.0.0.1") {
		t.Errorf("store down: readyz = %d %s, want 503 without detail", code, body)
	}
	emb, err := mongodb.StartEmbedded(mongodb.EmbeddedOptions{Dir: dir, Addr: addr})
	if err != nil {
		t.Fatal(err)
	}
	a.embedded = emb // stopped by the app's shutdown
	deadline := time.Now().Add(15 * time.Second)
	for {
		code, _ := get(t, base+"/readyz")
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz did not recover: %d", code)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestConfigRejectsBadSettings(t *testing.T) {
	cases := map[string]map[string]string{
		"BadEnv":           {"TRADEHUB_ENV": "staging"},
		"BadIntrospection": {"TRADEHUB_INTROSPECTION": "sometimes"},
		"BadDemo":          {"TRADEHUB_DEMO": "maybe"},
		"EmptyDB":          {"TRADEHUB_DB": ""},
	}
	for name, env := range cases {
		t.Run(name, func(t *testing.T) {
			getenv := mapEnv(env)
			if name == "EmptyDB" {
				_, err := parseConfig("test", []string{"-db="}, getenv, io.Discard)
				if err == nil {
					t.Error("accepted")
				}
				return
			}
			if _, err := parseConfig("test", nil, getenv, io.Discard); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestHealthcheckCommand(t *testing.T) {
	a, _ := startTest(t)
	env := map[string]string{"TRADEHUB_ADDR": a.http.Addr()}
	if err := run(context.Background(), []string{"healthcheck"}, mapEnv(env), io.Discard, io.Discard); err != nil {
		t.Errorf("healthcheck against a live server: %v", err)
	}
	env["TRADEHUB_ADDR"] = "127.0.0.1:1"
	if err := run(context.Background(), []string{"healthcheck"}, mapEnv(env), io.Discard, io.Discard); err == nil {
		t.Error("healthcheck against nothing succeeded")
	}
}

func TestCreateAdminCommand(t *testing.T) {
	env := map[string]string{"TRADEHUB_DATA_DIR": t.TempDir(), "TRADEHUB_ADMIN_PASSWORD": "plum-orchard-ferry"}
	getenv := mapEnv(env)
	var out strings.Builder
	args := []string{"create-admin", "-email", "ops@example.test", "-name", "Ops Lead"}
	if err := run(context.Background(), args, getenv, &out, io.Discard); err != nil {
		t.Fatalf("create-admin: %v", err)
	}
	if !strings.Contains(out.String(), "platform admin ops@example.test") {
		t.Errorf("output: %q", out.String())
	}
	env["TRADEHUB_ADMIN_PASSWORD"] = "short"
	err := run(context.Background(), []string{"create-admin", "-email", "weak@example.test", "-name", "W"}, getenv, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "12 characters") {
		t.Errorf("weak password: %v", err)
	}
}

// Start on an empty data folder, write through the API, stop, start again on the same folder:
// the write is still there (and a second start ensures the same indexes without trouble).
func TestRestartKeepsData(t *testing.T) {
	dir := t.TempDir()
	boot := func() (*app, string, context.CancelFunc, chan error) {
		env := map[string]string{"TRADEHUB_ADDR": "127.0.0.1:0", "TRADEHUB_DATA_DIR": dir, "TRADEHUB_DEMO": "1", "TRADEHUB_ENV": envDevelopment,
			"TRADEHUB_METRICS_ADDR": "127.0.0.1:0"}
		cfg, err := parseConfig("test", nil, mapEnv(env), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		a, err := start(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- a.serve(ctx) }()
		return a, "http://" + a.http.Addr(), cancel, done
	}
	_, base, stop, done := boot()
	w := loadWorld(t, base)
	r := signIn(t, base, "owner@brightlight.test").do(`mutation($id: ID!) { createApiKey(input: {accountId: $id, name: "kept", role: VIEWER}) { secret } }`, map[string]any{"id": w.brightlight})
	secret := r.str("createApiKey", "secret")
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	_, base, stop, done = boot()
	defer func() { stop(); <-done }()
	r = withKey(t, base, secret).do(`{ viewer { apiKey { name } } }`, nil)
	if r.str("viewer", "apiKey", "name") != "kept" {
		t.Fatalf("after restart: %s", r.Raw)
	}
}

func TestCostSettings(t *testing.T) {
	for _, c := range []struct {
		bucket, restore string
		ok              bool
	}{{"1000", "50", true}, {"5000", "200", true}, {"99", "50", false}, {"1000", "0", false}, {"1000", "2000", false}, {"lots", "50", false}} {
		env := map[string]string{"TRADEHUB_COST_BUCKET": c.bucket, "TRADEHUB_COST_RESTORE": c.restore}
		_, err := parseConfig("test", nil, mapEnv(env), io.Discard)
		if (err == nil) != c.ok {
			t.Errorf("bucket %s restore %s: %v, want ok=%v", c.bucket, c.restore, err, c.ok)
		}
	}
}

// The relay polls the embedded store seldom (each poll reads every outbox collection there) and
// MongoDB often, unless TRADEHUB_EVENTS_POLL says otherwise.
func TestEventsPollSetting(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want time.Duration // 0: refused
	}{
		{map[string]string{}, 5 * time.Second},
		{map[string]string{"MONGODB_URI": "mongodb://db.internal"}, events.FlushInterval},
		{map[string]string{"TRADEHUB_EVENTS_POLL": "2s"}, 2 * time.Second},
		{map[string]string{"TRADEHUB_EVENTS_POLL": "10ms"}, 0},
		{map[string]string{"TRADEHUB_EVENTS_POLL": "2m"}, 0},
		{map[string]string{"TRADEHUB_EVENTS_POLL": "often"}, 0},
	} {
		cfg, err := parseConfig("test", nil, mapEnv(c.env), io.Discard)
		switch {
		case c.want == 0 && err == nil:
			t.Errorf("%v: accepted", c.env)
		case c.want != 0 && (err != nil || cfg.eventsPoll() != c.want):
			t.Errorf("%v: %v, %v; want %v", c.env, cfg.eventsPoll(), err, c.want)
		}
	}
}

package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// scrapeMetrics reads the operations listener's /metrics.
func scrapeMetrics(t *testing.T, a *app) string {
	t.Helper()
	code, body := get(t, "http://"+a.ops.Addr()+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("scrape: %d %s", code, body)
	}
	return body
}

// metricValue is the value of one series (name and labels exactly as exposed), or -1 when the
// scrape lacks it.
func metricValue(text, series string) float64 {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(text)
	if m == nil {
		return -1
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return -1
	}
	return v
}

// After a few GraphQL requests, a throttled burst and a webhook delivery, the private listener
// serves every series the issue asks for; the public port serves neither /metrics nor pprof.
func TestMetricsListener(t *testing.T) {
	// The default bucket, so that a burst is throttled.
	a, base, _ := startApp(t, appOptions{env: map[string]string{"TRADEHUB_COST_BUCKET": "1000", "TRADEHUB_COST_RESTORE": "50"}})
	if a.ops == nil || a.ops.Addr() == a.http.Addr() {
		t.Fatal("no separate metrics listener")
	}
	w := loadWorld(t, base)
	owner := signIn(t, base, "owner@brightlight.test")

	// Named operations, a mutation, and a query that fails with NOT_FOUND.
	for range 3 {
		owner.do(`query SkuList($a: ID!) { skus(accountId: $a) { nodes { id } } }`, inBrightlightAccount(w))
	}
	r := owner.do(`mutation AddSku($a: ID!) { createSku(input: {accountId: $a, code: "METRICS-1", name: "Counted", unitValue: {amount: "1.00", currencyCode: "CNY"}}) { sku { id } userErrors { code } } }`,
		inBrightlightAccount(w))
	if !r.ok("createSku") {
		t.Fatalf("createSku: %s", r.Raw)
	}
	owner.do(`query Foreign($a: ID!) { events(accountId: $a) { nodes { id } } }`, map[string]any{"a": w.kessler})

	// A webhook delivered to a local receiver.
	rc := newReceiver(t)
	r = owner.do(`mutation($a: ID!, $u: String!) { createWebhookSubscription(input: {accountId: $a, url: $u, eventTypes: ["inventory.adjusted"]}) { secret userErrors { code } } }`,
		map[string]any{"a": w.brightlight, "u": rc.srv.URL})
	if r.str("createWebhookSubscription", "secret") == "" {
		t.Fatalf("subscribe: %s", r.Raw)
	}
	owner.do(`mutation($s: ID!, $w: ID!) { adjustInventory(input: {skuId: $s, warehouseId: $w, delta: 1, reason: FOUND}) { userErrors { code } } }`, stockVars(w, 0))
	got := rc.next(t)
	waitDelivery(t, owner, got.webhookID, func(d map[string]any) bool { return d["status"] == "SUCCEEDED" })

	// A burst of expensive queries from one caller: the cost bucket refuses some of them.
	heavy := `query Heavy { a: warehouses(first: 100) { nodes { id address { city } } } b: warehouses(first: 100) { nodes { id address { city } } }
		c: warehouses(first: 100) { nodes { id address { city } } } d: warehouses(first: 100) { nodes { id address { city } } } }`
	throttled := false
	for burst := 0; burst < 5 && !throttled; burst++ {
		var wg sync.WaitGroup
		var mu sync.Mutex
		for range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := owner.do(heavy, nil)
				if strings.Contains(fmt.Sprint(r.codes("")), "RATE_LIMITED") {
					mu.Lock()
					throttled = true
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
	}
	if !throttled {
		t.Fatal("no request of the bursts was throttled")
	}

	text := scrapeMetrics(t, a)
	for _, c := range []struct {
		series string
		min    float64
	}{
		{`tradehub_http_requests_total{code="200",handler="graphql"}`, 5},
		{`tradehub_http_request_duration_seconds_count{handler="graphql"}`, 5},
		{`tradehub_graphql_operation_duration_seconds_count{operation="SkuList",type="query"}`, 3},
		{`tradehub_graphql_operation_duration_seconds_count{operation="AddSku",type="mutation"}`, 1},
		{`tradehub_graphql_operation_duration_seconds_count{operation="_anonymous",type="mutation"}`, 1},
		{`tradehub_graphql_errors_total{code="NOT_FOUND"}`, 1},
		{`tradehub_graphql_errors_total{code="RATE_LIMITED"}`, 1},
		{`tradehub_graphql_throttled_total`, 1},
		{`tradehub_store_command_duration_seconds_count{command="find",outcome="ok"}`, 10},
		{`tradehub_store_command_duration_seconds_count{command="insert",outcome="ok"}`, 1},
		{`tradehub_webhook_deliveries_enqueued_total`, 1},
		{`tradehub_webhook_attempts_total{outcome="succeeded"}`, 1},
		{`tradehub_webhook_attempt_duration_seconds_count{outcome="succeeded"}`, 1},
		{`tradehub_webhook_attempts_in_flight`, 0},
		{`tradehub_webhook_queue_pending`, 0},
		{`tradehub_webhook_queue_due`, 0},
		{`go_goroutines`, 1},
	} {
		if v := metricValue(text, c.series); v < c.min {
			t.Errorf("%s = %v, want at least %v", c.series, v, c.min)
		}
	}
	if testing.Verbose() {
		for _, l := range strings.Split(text, "\n") {
			if strings.HasPrefix(l, "tradehub_") && !strings.Contains(l, "_bucket{") {
				t.Log(l)
			}
		}
	}

	// The profiler is on the private listener only, and /metrics is not on the public port.
	if code, body := get(t, "http://"+a.ops.Addr()+"/debug/pprof/"); code != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Errorf("pprof on the metrics listener: %d", code)
	}
	for _, path := range []string{"/metrics", "/debug/pprof/"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(b), "tradehub_http_requests_total") || strings.Contains(string(b), "goroutine") {
			t.Errorf("the public port serves %s", path)
		}
	}
}

// An empty TRADEHUB_METRICS_ADDR turns the listener off; unset, it is 127.0.0.1:9090.
func TestMetricsAddrSetting(t *testing.T) {
	cfg, err := parseConfig("test", nil, mapEnv(map[string]string{"TRADEHUB_METRICS_ADDR": ""}), io.Discard)
	if err != nil || cfg.MetricsAddr != "" {
		t.Errorf("empty: %q, %v", cfg.MetricsAddr, err)
	}
	cfg, err = parseConfig("test", nil, mapEnv(map[string]string{}), io.Discard)
	if err != nil || cfg.MetricsAddr != "127.0.0.1:9090" {
		t.Errorf("unset: %q, %v", cfg.MetricsAddr, err)
	}
	cfg, err = parseConfig("test", []string{"-metrics-addr="}, mapEnv(map[string]string{}), io.Discard)
	if err != nil || cfg.MetricsAddr != "" {
		t.Errorf("flag: %q, %v", cfg.MetricsAddr, err)
	}
	for _, bad := range []string{"9090", "127.0.0.1:8080"} {
		if _, err := parseConfig("test", nil, mapEnv(map[string]string{"TRADEHUB_METRICS_ADDR": bad}), io.Discard); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	a, _, _ := startApp(t, appOptions{env: map[string]string{"TRADEHUB_METRICS_ADDR": ""}})
	if a.ops != nil || a.metrics != nil {
		t.Error("metrics on although disabled")
	}
}

// A taken metrics port is logged, not fatal: Tradehub serves users without its metrics.
func TestMetricsPortTakenDoesNotStopTheServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	env := map[string]string{"TRADEHUB_ADDR": "127.0.0.1:0", "TRADEHUB_DATA_DIR": t.TempDir(), "TRADEHUB_METRICS_ADDR": l.Addr().String()}
	cfg, err := parseConfig("test", nil, func(k string) (string, bool) { v, ok := env[k]; return v, ok }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a, err := start(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("start with the metrics port taken: %v", err)
	}
	defer a.stop(context.Background())
	if a.ops != nil {
		t.Error("metrics listener reported as running")
	}
}

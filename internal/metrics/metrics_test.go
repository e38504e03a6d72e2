package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.mongodb.org/mongo-driver/event"

	"github.com/tradehub/tradehub/internal/metrics"
)

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	if rec.Code != 200 {
		t.Fatalf("scrape: %d %s", rec.Code, b)
	}
	return string(b)
}

func wantLines(t *testing.T, text string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(text, l) {
			t.Errorf("scrape lacks %q", l)
		}
	}
}

func TestSeries(t *testing.T) {
	m := metrics.New()
	m.ObserveHTTP("graphql", 200, 30*time.Millisecond)
	m.ObserveOperation("SkuList", "query", 20*time.Millisecond)
	m.ObserveOperation("", "mutation", time.Millisecond)
	m.ObserveOperation("bad name!", "query", time.Millisecond)
	m.ObserveError("NOT_FOUND")
	m.ObserveError("RATE_LIMITED")
	m.ObserveError("SOMETHING_ELSE")
	mon := m.StoreMonitor()
	mon.Succeeded(context.Background(), &event.CommandSucceededEvent{CommandFinishedEvent: event.CommandFinishedEvent{CommandName: "find", Duration: 2 * time.Millisecond}})
	mon.Failed(context.Background(), &event.CommandFailedEvent{CommandFinishedEvent: event.CommandFinishedEvent{CommandName: "weirdCommand", Duration: time.Millisecond}})
	m.ObserveWebhookAttempt("RETRYING", 150*time.Millisecond)
	counts := 0
	m.RegisterWebhooks(metrics.WebhookSource{
		Stats: func() metrics.WebhookStats {
			return metrics.WebhookStats{Enqueued: 3, Succeeded: 2, Retrying: 1, InFlight: 1}
		},
		QueueDepth: func(context.Context) (int64, int64, error) {
			counts++
			return 4, 1, nil
		},
	})

	text := scrape(t, m)
	wantLines(t, text,
		`tradehub_http_requests_total{code="200",handler="graphql"} 1`,
		`tradehub_http_request_duration_seconds_count{handler="graphql"} 1`,
		`tradehub_graphql_operation_duration_seconds_count{operation="SkuList",type="query"} 1`,
		`tradehub_graphql_operation_duration_seconds_count{operation="_anonymous",type="mutation"} 1`,
		`tradehub_graphql_operation_duration_seconds_count{operation="_invalid",type="query"} 1`,
		`tradehub_graphql_errors_total{code="NOT_FOUND"} 1`,
		`tradehub_graphql_errors_total{code="OTHER"} 1`,
		`tradehub_graphql_errors_total{code="INTERNAL"} 0`,
		`tradehub_graphql_throttled_total 1`,
		`tradehub_store_command_duration_seconds_count{command="find",outcome="ok"} 1`,
		`tradehub_store_command_duration_seconds_count{command="other",outcome="error"} 1`,
		`tradehub_webhook_attempt_duration_seconds_count{outcome="retrying"} 1`,
		`tradehub_webhook_deliveries_enqueued_total 3`,
		`tradehub_webhook_attempts_total{outcome="succeeded"} 2`,
		`tradehub_webhook_attempts_in_flight 1`,
		`tradehub_webhook_queue_pending 4`,
		`tradehub_webhook_queue_due 1`,
		`go_goroutines `,
	)
	// A second scrape right away reuses the queue count instead of asking the store again.
	scrape(t, m)
	if counts != 1 {
		t.Errorf("the queue was counted %d times for two scrapes in a row, want 1", counts)
	}
}

// Client-chosen operation names cannot grow the series without bound.
func TestOperationNamesAreBounded(t *testing.T) {
	m := metrics.New()
	for i := range metrics.MaxOperationNames + 50 {
		m.ObserveOperation(fmt.Sprintf("Op%d", i), "query", time.Millisecond)
	}
	text := scrape(t, m)
	if n := strings.Count(text, "tradehub_graphql_operation_duration_seconds_count{"); n != metrics.MaxOperationNames+1 {
		t.Errorf("%d operation series, want %d and _other", n, metrics.MaxOperationNames)
	}
	wantLines(t, text, `tradehub_graphql_operation_duration_seconds_count{operation="_other",type="query"} 50`)
}

// A failing queue count leaves the gauges out and counts the failure; nothing reaches the
// global default registry.
func TestQueueCountFailureAndOwnRegistry(t *testing.T) {
	m := metrics.New()
	m.RegisterWebhooks(metrics.WebhookSource{
		Stats:      func() metrics.WebhookStats { return metrics.WebhookStats{} },
		QueueDepth: func(context.Context) (int64, int64, error) { return 0, 0, errors.New("store down") },
	})
	text := scrape(t, m)
	if strings.Contains(text, "tradehub_webhook_queue_pending") {
		t.Error("queue gauges reported although the count failed")
	}
	wantLines(t, text, "tradehub_webhook_queue_count_errors_total 1")

	families, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if strings.HasPrefix(f.GetName(), "tradehub_") {
			t.Errorf("%s is on the default registry", f.GetName())
		}
	}
	// Two Metrics in one process do not collide.
	_ = metrics.New()
}

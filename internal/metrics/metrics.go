// Package metrics is Tradehub's Prometheus instrumentation: what the gateway does (HTTP requests,
// GraphQL operations, errors by code, cost-bucket throttles), what it asks of the store (round
// trips and their latency, by command), and how webhooks fare (attempts by outcome, latency,
// the queue). cmd/tradehub serves it on a listener of its own, never on the public port.
//
// Everything is registered on the Metrics' own registry, never on Prometheus' global default
// one: two Metrics (two apps in one test binary) do not collide, and nothing a library registers
// globally leaks into the scrape.
//
// # Series
//
//	tradehub_http_requests_total{handler, code}              requests by route and HTTP status
//	tradehub_http_request_duration_seconds{handler}          their latency
//	tradehub_graphql_operation_duration_seconds{operation, type}
//	                                                         operations that ran, by name (its _count
//	                                                         is the number of requests of each)
//	tradehub_graphql_errors_total{code}                      top-level errors sent, by extensions.code
//	tradehub_graphql_throttled_total                         operations refused by the cost bucket
//	tradehub_store_command_duration_seconds{command, outcome}
//	                                                         store round trips (its _count) and latency
//	tradehub_webhook_attempt_duration_seconds{outcome}       webhook attempts and their latency
//	tradehub_webhook_deliveries_enqueued_total               deliveries queued by this process
//	tradehub_webhook_attempts_total{outcome}                 attempts by outcome (succeeded, retrying,
//	                                                         failed, canceled) in this process
//	tradehub_webhook_attempts_refused_total                  attempts the production address guard refused
//	tradehub_webhook_subscriptions_disabled_total            subscriptions disabled for failing
//	tradehub_webhook_attempts_in_flight                      attempts being made now
//	tradehub_webhook_queue_pending, tradehub_webhook_queue_due
//	                                                         the delivery queue, across processes
//	tradehub_bulk_exports_total{status, error}               bulk exports ended by this process
//	tradehub_bulk_export_objects_total                       lines written by completed exports
//
// plus the Go runtime's and the process's own (go_*, process_*).
//
// # Cardinality
//
// Every label has a bounded set of values. handler is one of a few routes; code is an HTTP status
// or one of the fixed extensions.code values; command is one of the driver's command names
// (others count as "other"). GraphQL operation names come from clients, so they are bounded
// here: names that are not plain identifiers of at most 64 characters count as "_invalid",
// operations without a name as "_anonymous", and once MaxOperationNames distinct names have been
// seen, new ones count as "_other".
package metrics

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.mongodb.org/mongo-driver/event"
)

// MaxOperationNames bounds the distinct GraphQL operation names that get their own series.
const MaxOperationNames = 200

// Metrics holds the collectors and their registry. Its methods are safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	httpRequests  *prometheus.CounterVec
	httpDuration  *prometheus.HistogramVec
	opDuration    *prometheus.HistogramVec
	gqlErrors     *prometheus.CounterVec
	throttled     prometheus.Counter
	storeDuration *prometheus.HistogramVec
	hookDuration  *prometheus.HistogramVec
	bulk          bulkCollectors

	// store caches the observers of each command seen, so that the command monitor, which
	// runs inside every store round trip, does a lock-free map read and an atomic add.
	store sync.Map // command name -> storeObservers

	opsMu sync.Mutex
	ops   map[string]bool
}

type storeObservers struct{ ok, failed prometheus.Observer }

// errorCodes are the extensions.code values errors are counted by (graph's fixed set); anything
// else counts as OTHER.
var errorCodes = map[string]bool{
	"UNAUTHENTICATED": true, "FORBIDDEN": true, "NOT_FOUND": true, "BAD_USER_INPUT": true,
	"RATE_LIMITED": true, "INTERNAL": true, "PERSISTED_QUERY_NOT_FOUND": true, "PERSISTED_QUERY_NOT_ALLOWED": true,
}

// storeCommands are the command names the driver sends for Tradehub's operations; others count
// as "other".
var storeCommands = map[string]bool{
	"find": true, "getMore": true, "killCursors": true, "insert": true, "update": true, "delete": true,
	"findAndModify": true, "aggregate": true, "count": true, "distinct": true, "createIndexes": true,
	"listIndexes": true, "dropIndexes": true, "listCollections": true, "create": true, "drop": true,
	"dropDatabase": true, "listDatabases": true, "ping": true, "hello": true, "isMaster": true,
	"buildInfo": true, "endSessions": true, "saslStart": true, "saslContinue": true,
}

// New returns a Metrics with the Go runtime and process collectors on its own registry.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tradehub_http_requests_total",
			Help: "HTTP requests on the public listener, by route (graphql, graphiql, healthz, readyz, carrier_webhooks, documents, portal) and status code.",
		}, []string{"handler", "code"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tradehub_http_request_duration_seconds",
			Help:    "Latency of HTTP requests on the public listener, by route.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"handler"}),
		opDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tradehub_graphql_operation_duration_seconds",
			Help:    "GraphQL operations that ran, by operation name and type (query, mutation), from the start of execution to the response; the _count is the number of requests of each.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"operation", "type"}),
		gqlErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tradehub_graphql_errors_total",
			Help: "Top-level GraphQL errors sent to clients, by extensions.code (userErrors in payloads are not errors).",
		}, []string{"code"}),
		throttled: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tradehub_graphql_throttled_total",
			Help: "GraphQL operations refused because the caller's cost bucket could not pay for them (RATE_LIMITED).",
		}),
		storeDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tradehub_store_command_duration_seconds",
			Help:    "Store round trips by command and outcome (ok, error), and their latency; the _count is the number of round trips.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5},
		}, []string{"command", "outcome"}),
		hookDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tradehub_webhook_attempt_duration_seconds",
			Help:    "Webhook attempts made by this process, by outcome (succeeded, retrying, failed, canceled), and how long the receiver took to answer.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"outcome"}),
		ops: map[string]bool{},
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.httpRequests, m.httpDuration, m.opDuration, m.gqlErrors, m.throttled, m.storeDuration, m.hookDuration,
	)
	m.bulk = newBulkCollectors(m.reg)
	for code := range errorCodes {
		m.gqlErrors.WithLabelValues(code) // every code shows, at 0, before the first error
	}
	m.gqlErrors.WithLabelValues("OTHER")
	return m
}

// Handler serves the registry in the Prometheus text format (or OpenMetrics when asked).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, EnableOpenMetrics: true})
}

// ObserveHTTP records a request of the public listener: its route (a fixed name, not the path),
// status and latency.
func (m *Metrics) ObserveHTTP(handler string, status int, elapsed time.Duration) {
	m.httpRequests.WithLabelValues(handler, strconv.Itoa(status)).Inc()
	m.httpDuration.WithLabelValues(handler).Observe(elapsed.Seconds())
}

// ObserveOperation records a GraphQL operation that ran: its name as the document gives it ("" when
// anonymous), its type and its duration.
func (m *Metrics) ObserveOperation(name, kind string, elapsed time.Duration) {
	switch kind {
	case "query", "mutation", "subscription":
	default:
		kind = "other"
	}
	m.opDuration.WithLabelValues(m.operationLabel(name), kind).Observe(elapsed.Seconds())
}

// ObserveError records a top-level GraphQL error sent to a client, by its extensions.code.
// RATE_LIMITED, which only the cost bucket gives, also counts as a throttle.
func (m *Metrics) ObserveError(code string) {
	if !errorCodes[code] {
		code = "OTHER"
	}
	m.gqlErrors.WithLabelValues(code).Inc()
	if code == "RATE_LIMITED" {
		m.throttled.Inc()
	}
}

var operationName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// operationLabel bounds the operation names that become label values (package doc).
func (m *Metrics) operationLabel(name string) string {
	switch {
	case name == "":
		return "_anonymous"
	case !operationName.MatchString(name):
		return "_invalid"
	}
	m.opsMu.Lock()
	defer m.opsMu.Unlock()
	if m.ops[name] {
		return name
	}
	if len(m.ops) >= MaxOperationNames {
		return "_other"
	}
	m.ops[name] = true
	return name
}

// StoreMonitor returns the driver command monitor that times every store round trip. It runs on
// the round trip's own goroutine (for the embedded store, while its one connection is held), so
// it does only a read of a fixed map and a histogram observation.
func (m *Metrics) StoreMonitor() *event.CommandMonitor {
	obs := func(name string) storeObservers {
		if o, ok := m.store.Load(name); ok {
			return o.(storeObservers)
		}
		label := name
		if !storeCommands[name] {
			label = "other"
		}
		o := storeObservers{ok: m.storeDuration.WithLabelValues(label, "ok"), failed: m.storeDuration.WithLabelValues(label, "error")}
		if storeCommands[name] {
			m.store.Store(name, o) // unknown names are not cached, so clients cannot grow the map
		}
		return o
	}
	return &event.CommandMonitor{
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) {
			obs(e.CommandName).ok.Observe(e.Duration.Seconds())
		},
		Failed: func(_ context.Context, e *event.CommandFailedEvent) {
			obs(e.CommandName).failed.Observe(e.Duration.Seconds())
		},
	}
}

// ObserveWebhookAttempt records a finished webhook attempt: its outcome (SUCCEEDED, RETRYING,
// FAILED, CANCELED, as webhooks.Outcome) and the receiver's latency. It never blocks.
func (m *Metrics) ObserveWebhookAttempt(outcome string, latency time.Duration) {
	m.hookDuration.WithLabelValues(outcomeLabel(outcome)).Observe(latency.Seconds())
}

func outcomeLabel(o string) string {
	switch o {
	case "SUCCEEDED":
		return "succeeded"
	case "RETRYING":
		return "retrying"
	case "FAILED":
		return "failed"
	case "CANCELED":
		return "canceled"
	}
	return "other"
}

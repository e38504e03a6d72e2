package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/tradehub/tradehub/graph"
	"github.com/tradehub/tradehub/graph/cost"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/services/events"
	"go.opentelemetry.io/otel/trace"
)

// Environments (TRADEHUB_ENV). Production is the default so that a deployment that forgets to
// say otherwise gets the strict behaviour; `make run` sets development.
const (
	envProduction  = "production"
	envDevelopment = "development"
)

// config is every setting, each read from an environment variable and overridable by the flag
// of the same name. The README's configuration table lists them; keep the two in step.
type config struct {
	Addr          string
	DataDir       string
	MongoURI      string
	Database      string
	Demo          bool
	Env           string
	LogLevel      string
	LogFormat     string
	Introspection string
	PublicURL     string
	// MetricsAddr is the private listener of /metrics and /debug/pprof; empty disables it.
	MetricsAddr string
	// CostBucket and CostRestore size every caller's query-cost bucket (points, points/s).
	CostBucket, CostRestore string
	// AllowList is "on" to accept only the portal's registered GraphQL operations.
	AllowList string
	// EventsPoll is how often the events relay polls when no write notifies it (see eventsPoll).
	EventsPoll string
	// OTLPEndpoint turns tracing on: where spans are sent (OTLP over HTTP).
	OTLPEndpoint string
	// Stripe: with an API key, finalized invoices are pushed to Stripe; the API base points the
	// client elsewhere (stripe-mock); the webhook secret verifies /webhooks/stripe.
	StripeAPIKey, StripeAPIBase, StripeWebhookSecret string

	// Clock is not a setting: tests set it to move time (webhook retries) without sleeping.
	// Nil is the system clock.
	Clock clock.Clock
	// Tracer is not a setting either: tests set it to record spans in memory. Nil builds the
	// provider from OTLPEndpoint and the OTEL_EXPORTER_OTLP_* variables.
	Tracer trace.TracerProvider
	// BulkPageSize is not a setting: tests set it to page exports in a few items (0: 100).
	BulkPageSize int
}

// setting describes one configuration entry for both the flag set and the usage text.
type setting struct {
	env, flag, def, help string
	target               *string
	// emptyDisables makes a variable that is set but empty mean "" (off) rather than the
	// default, as for TRADEHUB_METRICS_ADDR=.
	emptyDisables bool
}

func (c *config) settings() []setting {
	return []setting{
		{"TRADEHUB_ADDR", "addr", "127.0.0.1:8080", "listen address (host:port; port 0 picks a free one)", &c.Addr, false},
		{"TRADEHUB_DATA_DIR", "data-dir", "./data", "folder of the embedded store (used when MONGODB_URI is unset)", &c.DataDir, false},
		{"MONGODB_URI", "mongodb-uri", "", "MongoDB deployment to use instead of the embedded store", &c.MongoURI, false},
		{"TRADEHUB_DB", "db", "tradehub", "database name", &c.Database, false},
		{"TRADEHUB_ENV", "env", envProduction, "production or development (development relaxes cookie and webhook-target rules for local use)", &c.Env, false},
		{"TRADEHUB_LOG_LEVEL", "log-level", "info", "debug, info, warn or error", &c.LogLevel, false},
		{"TRADEHUB_LOG_FORMAT", "log-format", "json", "json or text", &c.LogFormat, false},
		{"TRADEHUB_INTROSPECTION", "introspection", graph.IntrospectionAuthenticated, "GraphQL introspection: authenticated, all or off", &c.Introspection, false},
		{"TRADEHUB_PUBLIC_URL", "public-url", "", "where people open Tradehub, for links in emails (default http://<addr>)", &c.PublicURL, false},
		{"TRADEHUB_COST_BUCKET", "cost-bucket", "1000", "query-cost points each caller (API key, user, client address) can spend at once", &c.CostBucket, false},
		{"TRADEHUB_COST_RESTORE", "cost-restore", "50", "query-cost points restored to each caller's bucket per second", &c.CostRestore, false},
		{"TRADEHUB_GRAPHQL_ALLOWLIST", "graphql-allowlist", "off", "on: /graphql accepts only the portal's own operations (the persisted-documents manifest built into the binary); off: any document", &c.AllowList, false},
		{"TRADEHUB_EVENTS_POLL", "events-poll", "", "how often the events relay looks for events no write told it of, as a Go duration (default 250ms on MongoDB, 5s on the embedded store)", &c.EventsPoll, false},
		{"TRADEHUB_OTLP_ENDPOINT", "otlp-endpoint", "", "send OpenTelemetry traces over OTLP/HTTP to this endpoint (e.g. http://127.0.0.1:4318); empty: OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT if set, else tracing is off", &c.OTLPEndpoint, false},
		{"STRIPE_API_KEY", "stripe-api-key", "", "Stripe secret key; when set, finalized invoices are pushed to Stripe", &c.StripeAPIKey, false},
		{"STRIPE_API_BASE", "stripe-api-base", "", "Stripe API base URL (default Stripe's; stripe-mock in tests)", &c.StripeAPIBase, false},
		{"STRIPE_WEBHOOK_SECRET", "stripe-webhook-secret", "", "signing secret of /webhooks/stripe (whsec_…); unset answers 404 there", &c.StripeWebhookSecret, false},
		{"TRADEHUB_METRICS_ADDR", "metrics-addr", "127.0.0.1:9090", "private listener for /metrics and /debug/pprof (never the public address); empty disables it", &c.MetricsAddr, true},
	}
}

// parseConfig reads the environment (lookupEnv is os.LookupEnv, or a test's map), then the
// flags. A variable that is unset or empty takes the default, except for the settings where
// empty means off. A boolean is read from TRADEHUB_DEMO and -demo separately because flag's
// bool handling differs from a string setting.
func parseConfig(name string, args []string, lookupEnv func(string) (string, bool), stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	getenv := func(k string) string {
		v, _ := lookupEnv(k)
		return v
	}
	for _, s := range c.settings() {
		v, set := lookupEnv(s.env)
		if v == "" && !(set && s.emptyDisables) {
			v = s.def
		}
		fs.StringVar(s.target, s.flag, v, fmt.Sprintf("%s (env %s)", s.help, s.env))
	}
	demo, err := parseBool(getenv("TRADEHUB_DEMO"))
	if err != nil {
		return c, fmt.Errorf("TRADEHUB_DEMO: %w", err)
	}
	fs.BoolVar(&c.Demo, "demo", demo, "seed demo data into an empty store (env TRADEHUB_DEMO=1)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return c, c.validate()
}

func parseBool(s string) (bool, error) {
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, fmt.Errorf("%q is not a boolean (use 1 or 0)", s)
	}
	return b, nil
}

func (c config) validate() error {
	var problems []string
	if _, err := c.costConfig(); err != nil {
		problems = append(problems, err.Error())
	}
	if c.Env != envProduction && c.Env != envDevelopment {
		problems = append(problems, fmt.Sprintf("TRADEHUB_ENV %q: want production or development", c.Env))
	}
	switch c.Introspection {
	case graph.IntrospectionAuthenticated, graph.IntrospectionAll, graph.IntrospectionOff:
	default:
		problems = append(problems, fmt.Sprintf("TRADEHUB_INTROSPECTION %q: want authenticated, all or off", c.Introspection))
	}
	if c.AllowList != "on" && c.AllowList != "off" {
		problems = append(problems, fmt.Sprintf("TRADEHUB_GRAPHQL_ALLOWLIST %q: want on or off", c.AllowList))
	}
	if c.Database == "" {
		problems = append(problems, "TRADEHUB_DB is empty")
	}
	if c.EventsPoll != "" {
		if d, err := time.ParseDuration(c.EventsPoll); err != nil || d < 50*time.Millisecond || d > time.Minute {
			problems = append(problems, fmt.Sprintf("TRADEHUB_EVENTS_POLL %q: want a duration from 50ms to 1m", c.EventsPoll))
		}
	}
	if c.MongoURI == "" && c.DataDir == "" {
		problems = append(problems, "TRADEHUB_DATA_DIR is empty and MONGODB_URI is unset")
	}
	if c.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			problems = append(problems, fmt.Sprintf("TRADEHUB_METRICS_ADDR %q: want host:port, or empty to disable", c.MetricsAddr))
		} else if c.MetricsAddr == c.Addr && port != "0" {
			problems = append(problems, "TRADEHUB_METRICS_ADDR must differ from TRADEHUB_ADDR: metrics are not served on the public port")
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// eventsPoll is the events relay's poll interval: TRADEHUB_EVENTS_POLL, else 5 s on the embedded
// store and events.FlushInterval on MongoDB. One process owns the embedded store and notifies
// the relay of its writes, and a poll there reads every outbox collection in full (2.3 s at
// 1,000 shipments, holding the one connection); on MongoDB the outbox index makes a poll cheap
// and other processes' writes are found by it.
func (c config) eventsPoll() time.Duration {
	if d, err := time.ParseDuration(c.EventsPoll); err == nil {
		return d
	}
	if c.embedded() {
		return 5 * time.Second
	}
	return events.FlushInterval
}

// development reports whether the relaxed development rules apply.
func (c config) development() bool { return c.Env == envDevelopment }

// publicURL is where links in emails point.
func (c config) publicURL() string {
	if c.PublicURL != "" {
		return c.PublicURL
	}
	return "http://" + c.Addr
}

// embedded reports whether this configuration runs the in-process store.
func (c config) embedded() bool { return c.MongoURI == "" }

// costConfig is the buckets' size and restore rate as the GraphQL server takes them.
func (c config) costConfig() (cost.Config, error) {
	bucket, err1 := strconv.Atoi(c.CostBucket)
	restore, err2 := strconv.Atoi(c.CostRestore)
	switch {
	case err1 != nil || bucket < 100 || bucket > 10_000_000:
		return cost.Config{}, fmt.Errorf("TRADEHUB_COST_BUCKET %q: want a whole number of points from 100 to 10000000", c.CostBucket)
	case err2 != nil || restore < 1 || restore > bucket:
		return cost.Config{}, fmt.Errorf("TRADEHUB_COST_RESTORE %q: want a whole number of points per second from 1 to the bucket size", c.CostRestore)
	}
	return cost.Config{BucketSize: float64(bucket), RestoreRate: float64(restore)}, nil
}

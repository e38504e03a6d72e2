// Package tracing is Tradehub's OpenTelemetry tracing: a span per HTTP request, per GraphQL
// operation and resolver (graph adds those), and per store round trip, exported over OTLP/HTTP
// when an endpoint is configured and not recorded at all otherwise.
//
// The provider is passed explicitly (never the global one), so two apps in one test binary do
// not share spans, and a library that traces through the global provider (FerretDB, in-process)
// does not mix its spans into ours.
package tracing

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/event"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// InstrumentationName names Tradehub's tracers.
const InstrumentationName = "github.com/tradehub/tradehub"

// Config chooses the exporter.
type Config struct {
	// Endpoint is an OTLP/HTTP base URL (http://collector:4318) or traces URL; empty falls back
	// to the standard OTEL_EXPORTER_OTLP_TRACES_ENDPOINT and OTEL_EXPORTER_OTLP_ENDPOINT.
	Endpoint       string
	ServiceVersion string
	// LookupEnv is os.LookupEnv, or a test's map.
	LookupEnv func(string) (string, bool)
}

// Enabled reports whether the configuration asks for tracing.
func (c Config) Enabled() bool { return c.endpointFromEnv() != "" || c.Endpoint != "" }

func (c Config) endpointFromEnv() string {
	lookup := c.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	for _, k := range []string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"} {
		if v, _ := lookup(k); v != "" {
			return v
		}
	}
	return ""
}

// New returns the tracer provider and its shutdown (which flushes the spans still queued). With
// no endpoint it is a no-op provider: spans cost a context lookup and record nothing.
func New(ctx context.Context, c Config) (trace.TracerProvider, func(context.Context) error, error) {
	if !c.Enabled() {
		return noop.NewTracerProvider(), func(context.Context) error { return nil }, nil
	}
	var opts []otlptracehttp.Option
	if c.Endpoint != "" {
		// An explicit setting is a base URL like OTEL_EXPORTER_OTLP_ENDPOINT: the traces path
		// is added.
		opts = append(opts, otlptracehttp.WithEndpointURL(trimSlash(c.Endpoint)+"/v1/traces"))
	}
	// Otherwise the exporter reads the OTEL_EXPORTER_OTLP_* variables itself (endpoint,
	// headers, timeout, compression).
	exp, err := otlptracehttp.New(ctx, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
	}
	res := resource.NewWithAttributes(semconv.SchemaURL, semconv.ServiceName("tradehub"), semconv.ServiceVersion(c.ServiceVersion))
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	return tp, tp.Shutdown, nil
}

func trimSlash(s string) string {
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

// IsNoop reports whether tp records nothing, so that callers can skip their instrumentation.
func IsNoop(tp trace.TracerProvider) bool {
	_, ok := tp.(noop.TracerProvider)
	return tp == nil || ok
}

// HTTP starts a server span per request, continuing a W3C traceparent the client sent. The
// name is the method and the route (never the raw path, which may carry ids).
func HTTP(tp trace.TracerProvider, route func(path string) string, next http.Handler) http.Handler {
	if IsNoop(tp) {
		return next
	}
	tracer := tp.Tracer(InstrumentationName)
	prop := propagation.TraceContext{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		rt := route(r.URL.Path)
		ctx, span := tracer.Start(ctx, r.Method+" "+rt, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(semconv.HTTPRequestMethodKey.String(r.Method), semconv.HTTPRoute(rt), semconv.URLPath(r.URL.Path)))
		defer span.End()
		rec := &status{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(rec, r.WithContext(ctx))
		span.SetAttributes(semconv.HTTPResponseStatusCode(rec.code))
		if rec.code >= 500 {
			span.SetStatus(codes.Error, strconv.Itoa(rec.code))
		}
	})
}

type status struct {
	http.ResponseWriter
	code int
}

func (s *status) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (flushing, deadlines).
func (s *status) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Hijack passes WebSocket upgrades through: gorilla/websocket asks the writer itself.
func (s *status) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	s.code = http.StatusSwitchingProtocols
	return http.NewResponseController(s.ResponseWriter).Hijack()
}

// StoreMonitor starts a client span per store round trip, a child of whatever span the
// command's context carries (the resolver's). It records the command name, the collection and
// the database, never the command itself (it holds customers' data).
func StoreMonitor(tp trace.TracerProvider, database string) *event.CommandMonitor {
	tracer := tp.Tracer(InstrumentationName)
	type key struct {
		conn string
		id   int64
	}
	var spans sync.Map // key -> trace.Span
	end := func(conn string, id int64, err string) {
		if s, ok := spans.LoadAndDelete(key{conn, id}); ok {
			span := s.(trace.Span)
			if err != "" {
				span.SetStatus(codes.Error, err)
			}
			span.End()
		}
	}
	return &event.CommandMonitor{
		Started: func(ctx context.Context, e *event.CommandStartedEvent) {
			if !trace.SpanFromContext(ctx).SpanContext().IsValid() {
				return // background work outside any request: not traced
			}
			attrs := []attribute.KeyValue{semconv.DBSystemMongoDB, semconv.DBOperationName(e.CommandName), semconv.DBNamespace(e.DatabaseName)}
			if c, ok := collectionOf(e.Command, e.CommandName); ok {
				attrs = append(attrs, semconv.DBCollectionName(c))
			}
			_, span := tracer.Start(ctx, e.CommandName, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
			spans.Store(key{e.ConnectionID, e.RequestID}, span)
		},
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) { end(e.ConnectionID, e.RequestID, "") },
		Failed: func(_ context.Context, e *event.CommandFailedEvent) {
			end(e.ConnectionID, e.RequestID, e.Failure)
		},
	}
}

// collectionOf is the collection a command names as its first element's value.
func collectionOf(cmd bson.Raw, name string) (string, bool) {
	v, err := cmd.LookupErr(name)
	if err != nil {
		return "", false
	}
	s, ok := v.StringValueOK()
	return s, ok
}

// Compose runs several command monitors as one (the driver takes one): metrics and tracing.
func Compose(monitors ...*event.CommandMonitor) *event.CommandMonitor {
	var ms []*event.CommandMonitor
	for _, m := range monitors {
		if m != nil {
			ms = append(ms, m)
		}
	}
	switch len(ms) {
	case 0:
		return nil
	case 1:
		return ms[0]
	}
	return &event.CommandMonitor{
		Started: func(ctx context.Context, e *event.CommandStartedEvent) {
			for _, m := range ms {
				if m.Started != nil {
					m.Started(ctx, e)
				}
			}
		},
		Succeeded: func(ctx context.Context, e *event.CommandSucceededEvent) {
			for _, m := range ms {
				if m.Succeeded != nil {
					m.Succeeded(ctx, e)
				}
			}
		},
		Failed: func(ctx context.Context, e *event.CommandFailedEvent) {
			for _, m := range ms {
				if m.Failed != nil {
					m.Failed(ctx, e)
				}
			}
		},
	}
}

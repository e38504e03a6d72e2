package tracing

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"go.mongodb.org/mongo-driver/event"
)

func noEnv(string) (string, bool) { return "", false }

// Off by default: nothing configured gives the no-op provider.
func TestOffByDefault(t *testing.T) {
	tp, stop, err := New(context.Background(), Config{LookupEnv: noEnv})
	if err != nil || !IsNoop(tp) {
		t.Fatalf("provider %T, %v", tp, err)
	}
	if err := stop(context.Background()); err != nil {
		t.Error(err)
	}
	h := http.NotFoundHandler()
	if got := HTTP(tp, func(string) string { return "x" }, h); got == nil {
		t.Error("nil handler")
	}
}

// With an endpoint, spans go to <endpoint>/v1/traces over OTLP/HTTP; shutdown flushes them.
func TestExportsOverOTLPWhenConfigured(t *testing.T) {
	var posts atomic.Int32
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/v1/traces" && r.Header.Get("Content-Type") == "application/x-protobuf" {
			posts.Add(1)
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer collector.Close()
	for name, c := range map[string]Config{
		"Setting": {Endpoint: collector.URL + "/", LookupEnv: noEnv},
		"Env": {LookupEnv: func(k string) (string, bool) {
			if k == "OTEL_EXPORTER_OTLP_ENDPOINT" {
				return collector.URL, true
			}
			return "", false
		}},
	} {
		t.Run(name, func(t *testing.T) {
			if !c.Enabled() {
				t.Fatal("not enabled")
			}
			if name == "Env" {
				t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL) // the exporter reads the real environment
			}
			before := posts.Load()
			tp, stop, err := New(context.Background(), c)
			if err != nil || IsNoop(tp) {
				t.Fatalf("provider %T, %v", tp, err)
			}
			_, span := tp.Tracer("test").Start(context.Background(), "work")
			span.End()
			if err := stop(context.Background()); err != nil {
				t.Fatal(err)
			}
			if posts.Load() == before {
				t.Error("nothing reached the collector")
			}
		})
	}
}

func TestComposeCallsEveryMonitor(t *testing.T) {
	var a, b int
	m := Compose(nil, &event.CommandMonitor{Succeeded: func(context.Context, *event.CommandSucceededEvent) { a++ }},
		&event.CommandMonitor{Succeeded: func(context.Context, *event.CommandSucceededEvent) { b++ }, Started: func(context.Context, *event.CommandStartedEvent) { b++ }})
	m.Succeeded(context.Background(), &event.CommandSucceededEvent{})
	m.Started(context.Background(), &event.CommandStartedEvent{})
	m.Failed(context.Background(), &event.CommandFailedEvent{})
	if a != 1 || b != 2 {
		t.Errorf("a=%d b=%d", a, b)
	}
	if Compose(nil) != nil {
		t.Error("Compose of nothing is not nil")
	}
}

package main

import (
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// One GraphQL request is one trace: the HTTP request's span, the operation's under it, a span
// per resolver under that, and the store round trips under the resolver that made them. Fields
// a struct answers by itself get no span.
func TestTraceOfOneRequest(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	_, base, _ := startApp(t, appOptions{tracer: tp})
	owner := signIn(t, base, "owner@brightlight.test")
	r := owner.do(`{ viewer { memberships { account { id } } } }`, nil)
	account := r.path("viewer", "memberships").([]any)[0].(map[string]any)["account"].(map[string]any)["id"].(string)

	exp.Reset()
	r = owner.do(`query SkuList($a: ID!) { skus(accountId: $a, first: 5) { nodes { id code } } }`, map[string]any{"a": account})
	if len(r.Errors) > 0 {
		t.Fatalf("query: %s", r.Raw)
	}
	// The HTTP span ends after the response is written; wait for it to be exported.
	var spans tracetest.SpanStubs
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		spans = exp.GetSpans()
		if find(spans, "POST graphql") != nil {
			break
		}
	}
	httpSpan := find(spans, "POST graphql")
	if httpSpan == nil {
		t.Fatalf("no request span among %v", names(spans))
	}
	op := find(spans, "query SkuList")
	skus := find(spans, "Query.skus")
	if op == nil || skus == nil {
		t.Fatalf("operation or resolver span missing: %v", names(spans))
	}
	if op.Parent.SpanID() != httpSpan.SpanContext.SpanID() || skus.Parent.SpanID() != op.SpanContext.SpanID() {
		t.Errorf("request → operation → resolver chain broken")
	}
	byID := map[trace.SpanID]tracetest.SpanStub{}
	for _, s := range spans {
		byID[s.SpanContext.SpanID()] = s
		if s.SpanContext.TraceID() != httpSpan.SpanContext.TraceID() {
			t.Errorf("span %s is in another trace", s.Name)
		}
		if s.Name == "Sku.code" || s.Name == "Sku.id" || strings.HasSuffix(s.Name, "Connection.nodes") {
			t.Errorf("a trivial field has a span: %s", s.Name)
		}
	}
	t.Logf("spans: %v", names(spans))
	storeUnderResolver := false
	for _, s := range spans {
		if s.SpanKind != trace.SpanKindClient {
			continue
		}
		for p := s.Parent.SpanID(); p.IsValid(); p = byID[p].Parent.SpanID() {
			if p == skus.SpanContext.SpanID() {
				storeUnderResolver = true
			}
		}
	}
	if !storeUnderResolver {
		t.Errorf("no store span under Query.skus: %v", names(spans))
	}

	// WebSocket upgrades pass through the request span (the upgrader needs the connection).
	sub := subscribe(t, owner, base, `subscription($a: ID!) { accountShipmentsUpdated(accountId: $a) { id } }`, map[string]any{"a": account})
	sub.Close()
}

func find(spans tracetest.SpanStubs, name string) *tracetest.SpanStub {
	for i := range spans {
		if spans[i].Name == name {
			return &spans[i]
		}
	}
	return nil
}

func names(spans tracetest.SpanStubs) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}

package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tradehub/tradehub/graph"
	"github.com/tradehub/tradehub/graph/cost"
	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/errs"
)

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func newHandler(t *testing.T, introspection string, logs io.Writer) http.Handler {
	t.Helper()
	if logs == nil {
		logs = io.Discard
	}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	return graph.NewHandler(&graph.Resolver{Logger: logger}, graph.ServerConfig{
		Introspection: introspection, Logger: logger, MaxBodyBytes: 64 << 10, TokenLimit: 2000,
	})
}

func do(t *testing.T, h http.Handler, r *http.Request) (int, gqlResponse, string) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	body := w.Body.String()
	var resp gqlResponse
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatalf("response is not JSON (%v): %s", err, body)
	}
	return w.Code, resp, body
}

func post(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

func TestViewerAnonymous(t *testing.T) {
	h := newHandler(t, graph.IntrospectionAuthenticated, nil)
	code, resp, body := do(t, h, post(`{"query":"{ viewer { __typename authenticated } }"}`))
	if code != http.StatusOK || len(resp.Errors) != 0 {
		t.Fatalf("status %d body %s", code, body)
	}
	if want := `{"viewer":{"__typename":"Viewer","authenticated":false}}`; string(resp.Data) != want {
		t.Errorf("data = %s, want %s", resp.Data, want)
	}
}

func TestViewerOverGET(t *testing.T) {
	h := newHandler(t, graph.IntrospectionAuthenticated, nil)
	r := httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape("{ viewer { authenticated } }"), nil)
	code, resp, body := do(t, h, r)
	if code != http.StatusOK || len(resp.Errors) != 0 {
		t.Fatalf("status %d body %s", code, body)
	}
}

// Each malformed request gets one error with a code, the status GraphQL-over-HTTP recommends,
// and nothing of the request or the server's internals echoed back.
func TestBadRequestsGetCodedErrors(t *testing.T) {
	big := `{"query":"{ viewer { authenticated } }","variables":{"pad":"` + strings.Repeat("x", 70<<10) + `"}}`
	tokens := `{"query":"{ viewer { ` + strings.Repeat("authenticated ", 3000) + `} }"}`
	cases := []struct {
		name        string
		req         *http.Request
		status      int
		mustNotSay  string
		wantMessage string
	}{
		{"MalformedJSON", post(`{"query": "{ viewer { authenticated } }", SECRET`), http.StatusBadRequest, "SECRET", "not a JSON object"},
		{"Batch", post(`[{"query":"{ viewer { authenticated } }"}]`), http.StatusBadRequest, "", "batched requests are not supported"},
		{"UnknownField", post(`{"query":"{ viewer { nope } }"}`), http.StatusBadRequest, "Did you mean", "Cannot query field"},
		{"SyntaxError", post(`{"query":"{ viewer { "}`), http.StatusBadRequest, "", "Expected Name"},
		{"WrongVariableType", post(`{"query":"query($ids: [ID!]!) { nodes(ids: $ids) { id } }","variables":{"ids":{"a":1}}}`), http.StatusBadRequest, "", "cannot use map as ID"},
		{"OversizedBody", post(big), http.StatusRequestEntityTooLarge, "xxxx", "larger than the limit"},
		{"TooManyTokens", post(tokens), http.StatusBadRequest, "", "token limit"},
		{"WrongContentType", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader("query=%7Bviewer%7D"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}(), http.StatusUnsupportedMediaType, "", "Content-Type: application/json"},
		{"WrongMethod", httptest.NewRequest(http.MethodPut, "/graphql", nil), http.StatusMethodNotAllowed, "", "use POST"},
		{"MutationOverGET", httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape("mutation { logout { sessionsEnded } }"), nil), http.StatusBadRequest, "", "only queries may be sent with GET"},
	}
	h := newHandler(t, graph.IntrospectionAuthenticated, nil)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, resp, body := do(t, h, c.req)
			if code != c.status {
				t.Errorf("status = %d, want %d (%s)", code, c.status, body)
			}
			if len(resp.Errors) != 1 {
				t.Fatalf("errors = %d, want 1: %s", len(resp.Errors), body)
			}
			if got := resp.Errors[0].Extensions["code"]; got != graph.CodeBadUserInput {
				t.Errorf("code = %v, want BAD_USER_INPUT", got)
			}
			if !strings.Contains(resp.Errors[0].Message, c.wantMessage) {
				t.Errorf("message %q does not contain %q", resp.Errors[0].Message, c.wantMessage)
			}
			if c.mustNotSay != "" && strings.Contains(body, c.mustNotSay) {
				t.Errorf("response echoes %q: %s", c.mustNotSay, body)
			}
			if strings.Contains(body, "goroutine") || strings.Contains(body, ".go:") {
				t.Errorf("response leaks a stack: %s", body)
			}
		})
	}
}

func TestIntrospectionPolicy(t *testing.T) {
	query := `{"query":"{ __schema { queryType { name } } }"}`
	signedIn := func(r *http.Request) *http.Request {
		return r.WithContext(auth.WithPrincipal(r.Context(), &auth.Principal{Kind: auth.KindUser, UserID: "usr_1"}))
	}
	cases := []struct {
		name, policy string
		signedIn     bool
		allowed      bool
	}{
		{"AuthenticatedPolicyAnonymous", graph.IntrospectionAuthenticated, false, false},
		{"AuthenticatedPolicySignedIn", graph.IntrospectionAuthenticated, true, true},
		{"AllPolicyAnonymous", graph.IntrospectionAll, false, true},
		{"OffPolicySignedIn", graph.IntrospectionOff, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := post(query)
			if c.signedIn {
				r = signedIn(r)
			}
			_, resp, body := do(t, newHandler(t, c.policy, nil), r)
			if got := len(resp.Errors) == 0; got != c.allowed {
				t.Errorf("introspection allowed = %v, want %v: %s", got, c.allowed, body)
			}
			if !c.allowed && len(resp.Errors) == 1 {
				want := graph.CodeUnauthenticated
				if c.signedIn {
					want = graph.CodeForbidden
				}
				if got := resp.Errors[0].Extensions["code"]; got != want {
					t.Errorf("refusal code = %v, want %s", got, want)
				}
			}
		})
	}
}

func TestErrorPresenterMasksUnexpectedErrors(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	present := graph.NewErrorPresenter(logger)
	ctx := context.Background()

	cases := []struct {
		name     string
		err      error
		code     string
		message  string
		reason   any
		logged   bool
		mustHide string
	}{
		{"Unexpected", errors.New("connection refused to 10.1.2.3:27017"), graph.CodeInternal, "internal error", nil, true, "10.1.2.3"},
		{"InternalErrs", errs.Internalf("decode: %w", errors.New("bson: field secret_token")), graph.CodeInternal, "internal error", nil, true, "secret_token"},
		{"NotFound", errs.E(errs.NotFound, "SKU not found"), graph.CodeNotFound, "SKU not found", nil, false, ""},
		{"Forbidden", errs.E(errs.Forbidden, "you may not do that"), graph.CodeForbidden, "you may not do that", nil, false, ""},
		{"Conflict", errs.Sentinel(errs.Conflict, "IDEMPOTENCY_KEY_REUSED", "key reused"), graph.CodeBadUserInput, "key reused", "IDEMPOTENCY_KEY_REUSED", false, ""},
		{"RateLimited", errs.E(errs.RateLimited, "slow down"), graph.CodeRateLimited, "slow down", nil, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			logs.Reset()
			got := present(ctx, c.err)
			if got.Message != c.message || got.Extensions["code"] != c.code || got.Extensions["reason"] != c.reason {
				t.Errorf("got %q %v, want %q code %s reason %v", got.Message, got.Extensions, c.message, c.code, c.reason)
			}
			if c.mustHide != "" && strings.Contains(got.Error(), c.mustHide) {
				t.Errorf("client sees %q", c.mustHide)
			}
			if logged := logs.Len() > 0; logged != c.logged {
				t.Errorf("logged = %v, want %v", logged, c.logged)
			}
		})
	}
}

func TestRecoverFuncReturnsInternal(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	err := graph.NewRecoverFunc(logger)(context.Background(), "boom")
	if errs.CodeOf(err) != errs.Internal {
		t.Fatalf("code = %s, want INTERNAL", errs.CodeOf(err))
	}
	got := graph.NewErrorPresenter(logger)(context.Background(), err)
	if got.Message != "internal error" || strings.Contains(got.Error(), "boom") {
		t.Errorf("client sees %q", got.Message)
	}
	if !strings.Contains(logs.String(), "boom") || !strings.Contains(logs.String(), "goroutine") {
		t.Errorf("panic and stack not logged: %s", logs.String())
	}
}

func TestNodesCapsAndUnknownIDs(t *testing.T) {
	h := newHandler(t, graph.IntrospectionAuthenticated, nil)
	_, resp, body := do(t, h, post(`{"query":"{ a: node(id: \"acct_nope\") { id } b: nodes(ids: [\"garbage\", \"sku_01jd0000000000000000000000\"]) { id } }"}`))
	if len(resp.Errors) != 0 || string(resp.Data) != `{"a":null,"b":[null,null]}` {
		t.Errorf("body = %s, want nulls", body)
	}
	ids := make([]string, 101)
	for i := range ids {
		ids[i] = `"x"`
	}
	_, resp, body = do(t, h, post(`{"query":"{ nodes(ids: [`+strings.ReplaceAll(strings.Join(ids, ","), `"`, `\"`)+`]) { id } }"}`))
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != graph.CodeBadUserInput {
		t.Errorf("101 ids: %s, want one BAD_USER_INPUT", body)
	}
}

func asUser(r *http.Request, id string) *http.Request {
	return r.WithContext(auth.WithPrincipal(r.Context(), &auth.Principal{Kind: auth.KindUser, UserID: id}))
}

func TestQueryCostAndThrottling(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := graph.NewHandler(&graph.Resolver{Logger: logger}, graph.ServerConfig{Logger: logger, Cost: cost.Config{BucketSize: 50, RestoreRate: 0.01}})
	ids := make([]string, 30)
	for i := range ids {
		ids[i] = `\"sku_x` + strings.Repeat("0", i) + `\"`
	}
	thirty := `{"query":"{ nodes(ids: [` + strings.Join(ids, ",") + `]) { id } }"}`

	// Over the single-query ceiling: refused before any resolver runs (this resolver has no
	// services at all, so running it would fail differently).
	huge := `{"query":"{ accounts(first: 100) { nodes { members(first: 100) { nodes { user { id } } } } } }"}`
	_, resp, body := do(t, h, asUser(post(huge), "usr_a"))
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != graph.CodeBadUserInput || !strings.Contains(body, "limit for one query") {
		t.Fatalf("over the ceiling: %s", body)
	}

	// The actual cost is refunded: thirty nulls cost nothing in the end.
	if _, resp, body := do(t, h, asUser(post(thirty), "usr_a")); len(resp.Errors) != 0 ||
		!strings.Contains(body, `"requestedQueryCost":30,"actualQueryCost":0`) || !strings.Contains(body, `"currentlyAvailable":50`) {
		t.Fatalf("first query: %s", body)
	}
	// A caller that drains its bucket is throttled; another caller is not. Each viewer query
	// really costs 1 point.
	viewer := `{"query":"{ viewer { authenticated } }"}`
	for i := range 21 {
		if _, resp, body := do(t, h, asUser(post(viewer), "usr_a")); len(resp.Errors) != 0 {
			t.Fatalf("viewer query %d: %s", i, body)
		}
	}
	_, resp, body = do(t, h, asUser(post(thirty), "usr_a"))
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != graph.CodeRateLimited || !strings.Contains(resp.Errors[0].Message, "retry in") {
		t.Fatalf("second query: %s, want RATE_LIMITED with a retry-after", body)
	}
	if _, resp, body := do(t, h, asUser(post(thirty), "usr_b")); len(resp.Errors) != 0 {
		t.Fatalf("another caller throttled: %s", body)
	}

	// A dry run prices without running or charging.
	dry := `{"query":"{ viewer { authenticated } }","extensions":{"cost":{"dryRun":true}}}`
	_, resp, body = do(t, h, asUser(post(dry), "usr_c"))
	if len(resp.Errors) != 0 || string(resp.Data) != "null" || !strings.Contains(body, `"requestedQueryCost":1`) || !strings.Contains(body, `"currentlyAvailable":50`) {
		t.Fatalf("dry run: %s", body)
	}
}

func TestDocumentBombsAreRefused(t *testing.T) {
	h := newHandler(t, graph.IntrospectionAuthenticated, nil)
	deep := `{"query":"{ viewer ` + strings.Repeat(`{ user `, 10) + strings.Repeat(`}`, 10) + ` }"}`
	aliases := make([]string, 16)
	for i := range aliases {
		aliases[i] = fmt.Sprintf("a%d: authenticated", i)
	}
	cases := map[string]string{
		"Depth":      deep,
		"Aliases":    `{"query":"{ viewer { ` + strings.Join(aliases, " ") + ` } }"}`,
		"LoginTwice": `{"query":"mutation { a: login(input: {email: \"x@y.test\", password: \"p\"}) { userErrors { code } } b: login(input: {email: \"x@y.test\", password: \"q\"}) { userErrors { code } } }"}`,
	}
	for name, q := range cases {
		t.Run(name, func(t *testing.T) {
			code, resp, body := do(t, h, post(q))
			if code != http.StatusBadRequest || len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != graph.CodeBadUserInput {
				t.Errorf("%d %s, want 400 BAD_USER_INPUT", code, body)
			}
		})
	}
}

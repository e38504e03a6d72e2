package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/trace"

	"github.com/tradehub/tradehub/graph/cost"
	"github.com/tradehub/tradehub/graph/limits"
	"github.com/tradehub/tradehub/graph/loaders"
	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/tracing"
	"github.com/tradehub/tradehub/services/audit"
)

// Introspection policies (TRADEHUB_INTROSPECTION).
const (
	IntrospectionAuthenticated = "authenticated" // signed-in callers only (the default)
	IntrospectionAll           = "all"           // everyone, including anonymous callers
	IntrospectionOff           = "off"           // nobody
)

// ServerConfig are the limits and policies of the GraphQL endpoint.
type ServerConfig struct {
	// MaxBodyBytes caps a request body; larger bodies get 413 before any parsing (default 2 MiB,
	// Apollo Router's limit).
	MaxBodyBytes int64
	// TokenLimit caps the tokens of a document before it is parsed further (default 15,000,
	// Apollo Router's limit). gqlgen's default is unlimited, and field-merge validation is
	// quadratic, so this is what keeps a huge document from pinning a core.
	TokenLimit int
	// Introspection is one of the Introspection* policies.
	Introspection string
	// Cost prices queries and throttles callers (see package cost); zero values are defaults.
	Cost cost.Config
	// Audit, when set, records every mutation (see auditMutations).
	Audit *audit.Service
	// Observer, when set, is told of every operation and every top-level error (metrics).
	Observer Observer
	// AuthenticateToken, when set, resolves an `Authorization` value from a WebSocket's
	// connection_init payload (API keys); see websocketInit.
	AuthenticateToken func(ctx context.Context, authorization string) (*auth.Principal, error)
	// LoaderWait is how long the dataloaders gather keys (loaders.DefaultWait when 0).
	LoaderWait time.Duration
	// APQCacheSize bounds the automatic persisted queries' cache of hash → document (default
	// 1,000; least recently used first out). The parsed-query cache has the same bound.
	APQCacheSize int
	// AllowList, when set, accepts only its registered operations (see AllowList); nil accepts
	// any document.
	AllowList *AllowList
	// Tracer, when set and not a no-op, gives operations and resolvers spans (see
	// traceOperations).
	Tracer trace.TracerProvider
	Logger *slog.Logger
}

// Observer is told what the endpoint does, for metrics. Its methods run on the request's
// goroutine and must be quick.
type Observer interface {
	// ObserveOperation reports an operation that was dispatched (documents that do not parse
	// or validate never are): its name as the document gives it ("" when anonymous), its type
	// (query, mutation, subscription) and the time until its response was ready. Operations the
	// cost bucket refused count too.
	ObserveOperation(name, kind string, elapsed time.Duration)
	// ObserveError reports one top-level error sent to a client, by its extensions.code.
	ObserveError(code string)
}

func (c *ServerConfig) defaults() {
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 2 << 20
	}
	if c.TokenLimit == 0 {
		c.TokenLimit = 15000
	}
	if c.APQCacheSize == 0 {
		c.APQCacheSize = 1000
	}
	if c.Introspection == "" {
		c.Introspection = IntrospectionAuthenticated
	}
}

// NewHandler builds the /graphql endpoint with handler.New and each transport, cache and
// extension chosen on purpose (gqlgen's NewDefaultServer turns on more than we want): POST JSON,
// GET for queries only, no multipart or form transports, no batching, no "did you mean"
// suggestions, a parsed-query cache, automatic persisted queries (and, when configured, an
// allow-list of registered operations), masked errors and recovered panics.
func NewHandler(r *Resolver, cfg ServerConfig) http.Handler {
	cfg.defaults()
	srv := handler.New(NewExecutableSchema(Config{Resolvers: r}))
	// Subscriptions: graphql-transport-ws (and the legacy graphql-ws) over WebSocket, upgraded
	// only from pages of this very host, authenticated once at connection_init.
	srv.AddTransport(&transport.Websocket{
		Upgrader:              websocket.Upgrader{CheckOrigin: sameHost, ReadBufferSize: 4096, WriteBufferSize: 4096},
		InitFunc:              websocketInit(cfg.AuthenticateToken),
		InitTimeout:           10 * time.Second,
		KeepAlivePingInterval: 15 * time.Second,
	})
	srv.AddTransport(transport.GET{UseGrapQLResponseJsonByDefault: true})
	srv.AddTransport(transport.POST{UseGrapQLResponseJsonByDefault: true})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	// The allow-list first: a registered hash sent alone gets its document, then APQ checks the
	// hash and remembers it; an unregistered document is refused before anything else.
	if cfg.AllowList != nil {
		srv.Use(cfg.AllowList)
	}
	srv.Use(apq{extension.AutomaticPersistedQuery{Cache: lru.New[string](cfg.APQCacheSize)}})
	srv.SetParserTokenLimit(cfg.TokenLimit)
	srv.SetDisableSuggestion(true)
	present := NewErrorPresenter(cfg.Logger)
	if cfg.Observer != nil {
		// Every error a client gets passes the presenter once, including gqlgen's parse and
		// validation errors and the cost bucket's refusals, so errors are counted here.
		present = observeErrors(present, cfg.Observer)
		// First, so that it is the outermost interceptor and times the others too.
		srv.Use(observeOperations{cfg.Observer})
	}
	if !tracing.IsNoop(cfg.Tracer) {
		srv.Use(newTraceOperations(cfg.Tracer))
	}
	srv.SetErrorPresenter(present)
	srv.SetRecoverFunc(NewRecoverFunc(cfg.Logger))
	srv.Use(queriesOnlyOverGET{})
	srv.Use(introspectionPolicy{policy: cfg.Introspection})
	srv.Use(limits.New(limits.Config{Sensitive: []string{"login", "acceptInvitation", "createApiKey", "createWebhookSubscription", "rotateWebhookSecret"}}))
	cfg.Cost.Caller = callerOf
	cfg.Cost.Present = present
	srv.Use(cost.New(cfg.Cost))
	srv.AroundRootFields(explainDisabledIntrospection)
	srv.AroundFields(auditMutations(cfg.Audit, cfg.Logger))
	// Each request gets its own dataloaders (graph/loaders), so nested relations batch.
	return requestGuard(cfg.MaxBodyBytes, loaders.Middleware(r.warehousingSource(), r.carrierSource(), cfg.LoaderWait, srv))
}

// observeErrors reports the code of each error the presenter turns out.
func observeErrors(present graphql.ErrorPresenterFunc, o Observer) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		out := present(ctx, err)
		code, _ := out.Extensions["code"].(string)
		o.ObserveError(code)
		return out
	}
}

// observeOperations times each dispatched operation until its (first) response is ready.
type observeOperations struct{ o Observer }

func (observeOperations) ExtensionName() string                   { return "ObserveOperations" }
func (observeOperations) Validate(graphql.ExecutableSchema) error { return nil }
func (x observeOperations) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	start := time.Now()
	var name, kind string
	if op := graphql.GetOperationContext(ctx); op != nil && op.Operation != nil {
		name, kind = op.Operation.Name, string(op.Operation.Operation)
	}
	responses := next(ctx)
	observed := false
	return func(ctx context.Context) *graphql.Response {
		resp := responses(ctx)
		if !observed {
			observed = true
			x.o.ObserveOperation(name, kind, time.Since(start))
		}
		return resp
	}
}

type methodKey struct{}

// methodWebSocket marks an upgraded request: queries and subscriptions, never mutations.
const methodWebSocket = "WEBSOCKET"

// sameHost is the WebSocket origin check: a browser's upgrade must come from a page of this
// host (the portal), which stops a foreign site riding the session cookie; clients that send
// no Origin (servers, the API) are not browsers and must authenticate themselves.
func sameHost(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && strings.EqualFold(u.Host, r.Host)
}

// websocketInit authenticates a subscription connection exactly like an HTTP request: the
// session cookie (or Authorization header) of the upgrade request, already resolved by the
// HTTP middleware, or an `Authorization: Bearer <API key>` in the connection_init payload, which
// wins. A bad key, or no credentials at all, closes the connection: every subscription needs a
// caller.
func websocketInit(authenticate func(context.Context, string) (*auth.Principal, error)) transport.WebsocketInitFunc {
	return func(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		if a := payload.Authorization(); a != "" {
			if authenticate == nil {
				return ctx, nil, errors.New("API keys are not accepted here")
			}
			p, err := authenticate(ctx, a)
			if err != nil {
				return ctx, nil, errors.New("the API key is invalid, expired or revoked")
			}
			ctx = auth.WithPrincipal(ctx, p)
		}
		if _, ok := auth.PrincipalFrom(ctx); !ok {
			return ctx, nil, errors.New("sign in or send an API key in the connection_init payload")
		}
		return ctx, nil, nil
	}
}

// requestGuard checks the HTTP envelope before gqlgen sees it, so every refusal has a code and
// none echoes the body back: the method, the content type, the size (413 before parsing), and
// that a POST body is one JSON object (an array would be a batch, which we do not accept).
func requestGuard(maxBody int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
		case http.MethodPost:
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || mt != "application/json" {
				writeRequestError(w, http.StatusUnsupportedMediaType, "send the request as POST with Content-Type: application/json")
				return
			}
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
			if err != nil {
				var tooLarge *http.MaxBytesError
				if errors.As(err, &tooLarge) {
					writeRequestError(w, http.StatusRequestEntityTooLarge, "the request body is larger than the limit of "+byteSize(maxBody))
					return
				}
				writeRequestError(w, http.StatusBadRequest, "the request body could not be read")
				return
			}
			var envelope map[string]json.RawMessage
			if err := json.Unmarshal(body, &envelope); err != nil {
				msg := "the request body is not a JSON object with a \"query\""
				if bytes.HasPrefix(bytes.TrimSpace(body), []byte("[")) {
					msg = "batched requests are not supported: send one operation per request"
				}
				writeRequestError(w, http.StatusBadRequest, msg)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		default:
			w.Header().Set("Allow", "GET, POST")
			writeRequestError(w, http.StatusMethodNotAllowed, "use POST (or GET for queries)")
			return
		}
		method := r.Method
		if method == http.MethodGet && strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			method = methodWebSocket
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), methodKey{}, method)))
	})
}

func writeRequestError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/graphql-response+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(graphql.Response{Errors: gqlerror.List{{
		Message:    message,
		Extensions: map[string]any{"code": CodeBadUserInput},
	}}})
}

func byteSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// queriesOnlyOverGET refuses mutations and subscriptions sent with GET, which a cross-site link
// or image could trigger, and mutations over WebSocket (they are POSTs: one audit and CSRF
// story).
type queriesOnlyOverGET struct{}

func (queriesOnlyOverGET) ExtensionName() string                   { return "QueriesOnlyOverGET" }
func (queriesOnlyOverGET) Validate(graphql.ExecutableSchema) error { return nil }
func (queriesOnlyOverGET) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	m, _ := ctx.Value(methodKey{}).(string)
	if m == methodWebSocket && op.Operation != nil && op.Operation.Operation == ast.Mutation {
		err := gqlerror.Errorf("send mutations with POST")
		errcode.Set(err, errcode.ValidationFailed)
		return err
	}
	if m == http.MethodGet && op.Operation != nil && op.Operation.Operation != ast.Query {
		err := gqlerror.Errorf("only queries may be sent with GET; send mutations with POST")
		errcode.Set(err, errcode.ValidationFailed) // a protocol error: 400, as GraphQL over HTTP says
		return err
	}
	return nil
}

// introspectionPolicy turns introspection on per request according to the configured policy.
type introspectionPolicy struct{ policy string }

func (introspectionPolicy) ExtensionName() string                   { return "IntrospectionPolicy" }
func (introspectionPolicy) Validate(graphql.ExecutableSchema) error { return nil }
func (p introspectionPolicy) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	switch p.policy {
	case IntrospectionAll:
		op.DisableIntrospection = false
	case IntrospectionAuthenticated:
		_, signedIn := auth.PrincipalFrom(ctx)
		op.DisableIntrospection = !signedIn
	default:
		op.DisableIntrospection = true
	}
	return nil
}

// explainDisabledIntrospection answers __schema and __type with a clear code when introspection
// is off for the caller (gqlgen's own refusal is an uncoded error that would be masked as
// INTERNAL): UNAUTHENTICATED for anonymous callers, FORBIDDEN when the policy is off for all.
func explainDisabledIntrospection(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	fc := graphql.GetRootFieldContext(ctx)
	if fc == nil || (fc.Field.Name != "__schema" && fc.Field.Name != "__type") || !graphql.GetOperationContext(ctx).DisableIntrospection {
		return next(ctx)
	}
	err := errs.E(errs.Forbidden, "introspection is turned off on this server")
	if _, signedIn := auth.PrincipalFrom(ctx); !signedIn {
		err = errs.E(errs.Unauthenticated, "sign in to introspect the schema")
	}
	graphql.AddError(ctx, err)
	return graphql.Null
}

// callerOf names the cost bucket of a request: the API key, the user, or the client address.
func callerOf(ctx context.Context) string {
	if p, ok := auth.PrincipalFrom(ctx); ok {
		if p.Kind == auth.KindAPIKey {
			return "key:" + p.APIKeyID
		}
		return "user:" + p.UserID
	}
	return "addr:" + auth.ClientAddressFrom(ctx)
}

// Package server is Tradehub's HTTP front: the routes (/graphql, /healthz, /readyz, the portal),
// the middleware every request passes (request id, panic recovery, access log, security headers,
// a deadline), and the listener's timeouts and graceful shutdown. NewOperations builds the
// second, private listener for /metrics and /debug/pprof.
package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/tradehub/tradehub/internal/requestid"
)

// Config wires the handlers the server routes to.
type Config struct {
	// Addr is the listen address, e.g. 127.0.0.1:8080 (port 0 picks a free port).
	Addr string
	// GraphQL serves /graphql.
	GraphQL http.Handler
	// Web serves everything else (the portal and the explorer).
	Web http.Handler
	// Ready reports whether the store answers; /readyz is 503 while it returns an error.
	Ready func(context.Context) error
	// Authenticate, when set, resolves the caller of a request before the GraphQL handler runs.
	Authenticate func(http.Handler) http.Handler
	// CarrierWebhooks, when set, serves POST /webhooks/carriers/{carrier}. Carriers sign their
	// requests (HMAC): no cookie or API key is looked at there.
	CarrierWebhooks http.Handler
	// Documents, when set, serves GET /documents/shipments/{account}/{shipment}/{kind}, behind
	// Authenticate like /graphql.
	Documents http.Handler
	// Debug, when set, serves /debug/ (the profiler and runtime metrics) behind Authenticate;
	// it decides itself who may see it (platform admins) and answers 404 to everyone else.
	Debug http.Handler
	// Exports, when set, serves GET /exports/{id}, the files of bulk exports, behind
	// Authenticate like /graphql.
	Exports http.Handler
	// Trace, when set, wraps the routes (inside the request id and the access log, outside
	// authentication), to give each request a span.
	Trace func(http.Handler) http.Handler
	// StripeWebhooks, when set, serves POST /webhooks/stripe (Stripe signs its events; no
	// cookie or API key is looked at there).
	StripeWebhooks http.Handler
	// InvoiceDocuments, when set, serves GET /documents/invoices/{account}/{invoice}/{kind},
	// behind Authenticate like /graphql.
	InvoiceDocuments http.Handler
	// RequestTimeout bounds each request, and through its context the store calls it makes.
	RequestTimeout time.Duration
	// ObserveRequest, when set, is told of every request once it is answered: its route (see
	// Route), status and latency (metrics).
	ObserveRequest func(route string, status int, elapsed time.Duration)
	Logger         *slog.Logger
}

// Server is a configured HTTP server.
type Server struct {
	http     *http.Server
	listener net.Listener
	logger   *slog.Logger
}

// New builds the server; Listen binds it.
func New(cfg Config) *Server {
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	mux := http.NewServeMux()
	gql := cfg.GraphQL
	if cfg.Authenticate != nil {
		gql = cfg.Authenticate(gql)
	}
	mux.Handle("/graphql", gql)
	if cfg.CarrierWebhooks != nil {
		mux.Handle("POST /webhooks/carriers/{carrier}", cfg.CarrierWebhooks)
	}
	if cfg.Documents != nil {
		docs := cfg.Documents
		if cfg.Authenticate != nil {
			docs = cfg.Authenticate(docs)
		}
		mux.Handle("GET /documents/shipments/{account}/{shipment}/{kind}", docs)
	}
	for pattern, h := range map[string]http.Handler{"/debug/": cfg.Debug, "GET /exports/{id}": cfg.Exports,
		"GET /documents/invoices/{account}/{invoice}/{kind}": cfg.InvoiceDocuments} {
		if h == nil {
			continue
		}
		if cfg.Authenticate != nil {
			h = cfg.Authenticate(h)
		}
		mux.Handle(pattern, h)
	}
	if cfg.StripeWebhooks != nil {
		mux.Handle("POST /webhooks/stripe", cfg.StripeWebhooks)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeStatus(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := cfg.Ready(ctx); err != nil {
			cfg.Logger.WarnContext(r.Context(), "not ready", "error", err)
			writeStatus(w, http.StatusServiceUnavailable, "unavailable")
			return
		}
		writeStatus(w, http.StatusOK, "ok")
	})
	mux.Handle("/", cfg.Web)

	var h http.Handler = mux
	if cfg.Trace != nil {
		h = cfg.Trace(h)
	}
	h = deadline(cfg.RequestTimeout, h)
	h = securityHeaders(h)
	h = accessLog(cfg.Logger, cfg.ObserveRequest, h)
	h = recoverPanics(cfg.Logger, h)
	h = requestid.Middleware(h)

	return &Server{
		logger: cfg.Logger,
		http: &http.Server{
			Addr:              cfg.Addr,
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      cfg.RequestTimeout + 10*time.Second,
			IdleTimeout:       120 * time.Second,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
		},
	}
}

// Listen binds the address so that the caller knows the real port before serving.
func (s *Server) Listen() error {
	l, err := net.Listen("tcp", s.http.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.http.Addr, err)
	}
	s.listener = l
	return nil
}

// Addr is the bound address (valid after Listen).
func (s *Server) Addr() string { return s.listener.Addr().String() }

// Serve answers requests until Shutdown; it returns nil after a clean shutdown.
func (s *Server) Serve() error {
	if err := s.http.Serve(s.listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// Shutdown stops accepting connections and waits for in-flight requests, up to ctx's deadline.
func (s *Server) Shutdown(ctx context.Context) error {
	if err := s.http.Shutdown(ctx); err != nil {
		return fmt.Errorf("shutdown http: %w", err)
	}
	return nil
}

func writeStatus(w http.ResponseWriter, code int, status string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"status": status})
}

// securityHeaders sets conservative defaults; the portal handler replaces the CSP with the one
// its pages need. HSTS belongs to the TLS-terminating proxy in front of Tradehub.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		next.ServeHTTP(w, r)
	})
}

// deadline gives each request a context deadline, which every store call made for it inherits.
// A WebSocket upgrade (GraphQL subscriptions) lives as long as its connection: each operation
// on it is bounded by the store's own timeouts instead.
func deadline(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" && strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// recoverPanics answers 500 with the request id and logs the stack when a handler outside
// gqlgen panics (gqlgen recovers resolver panics itself). http.ErrAbortHandler is re-panicked,
// as net/http expects.
func recoverPanics(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				panic(p)
			}
			logger.ErrorContext(r.Context(), "panic in handler", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
				"message": "internal error", "extensions": map[string]any{"code": "INTERNAL"},
			}}})
		}()
		next.ServeHTTP(w, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer (flush, hijack for WebSocket).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Hijack hands the connection to a WebSocket upgrader that asserts http.Hijacker directly
// (gorilla/websocket does). The read and write deadlines of the server are cleared: a
// subscription outlives ReadTimeout and WriteTimeout, and keeps itself alive with pings.
func (s *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	s.status = http.StatusSwitchingProtocols
	c, rw, err := http.NewResponseController(s.ResponseWriter).Hijack()
	if err == nil {
		_ = c.SetDeadline(time.Time{})
	}
	return c, rw, err
}

// Route names the route of a path for metrics, from a fixed set, so that a path chosen by a
// client never becomes a label: graphql, graphiql, healthz, readyz, carrier_webhooks,
// documents, debug, exports or portal (everything else).
func Route(path string) string {
	switch path {
	case "/graphql":
		return "graphql"
	case "/healthz":
		return "healthz"
	case "/readyz":
		return "readyz"
	}
	switch {
	case path == "/graphiql" || strings.HasPrefix(path, "/graphiql/"):
		return "graphiql"
	case strings.HasPrefix(path, "/webhooks/carriers/"):
		return "carrier_webhooks"
	case strings.HasPrefix(path, "/documents/"):
		return "documents"
	case strings.HasPrefix(path, "/debug/"):
		return "debug"
	case strings.HasPrefix(path, "/exports/"):
		return "exports"
	}
	return "portal"
}

func accessLog(logger *slog.Logger, observe func(string, int, time.Duration), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if observe != nil {
			status := rec.status
			if status == 0 {
				status = http.StatusOK // nothing written: net/http answers 200
			}
			observe(Route(r.URL.Path), status, time.Since(start))
		}
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
			return
		}
		logger.InfoContext(r.Context(), "http request",
			"method", r.Method, "path", r.URL.Path, "status", rec.status,
			"bytes", rec.bytes, "duration_ms", time.Since(start).Milliseconds())
	})
}

// Close releases a server that was bound by Listen but may never have served (a start-up that
// failed half-way); after Serve, use Shutdown.
func (s *Server) Close() error {
	err := s.http.Close()
	if s.listener != nil {
		if cerr := s.listener.Close(); cerr != nil && !errors.Is(cerr, net.ErrClosed) {
			err = errors.Join(err, cerr)
		}
	}
	return err
}

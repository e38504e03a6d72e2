package server

import (
	"log/slog"
	"net/http"
	"net/http/pprof"
	"time"
)

// OperationsConfig wires the private operations listener.
type OperationsConfig struct {
	// Addr is where to listen, such as 127.0.0.1:9090; it must not be the public address.
	Addr string
	// Metrics serves /metrics (the Prometheus scrape).
	Metrics http.Handler
	Logger  *slog.Logger
}

// NewOperations builds the operations listener: /metrics and the Go profiler under
// /debug/pprof/, for operators and their scrapers only. It has no authentication of its own,
// which is why it is a separate listener, bound to loopback or a private network, and never a
// route of the public one. (Importing net/http/pprof also registers its handlers on
// http.DefaultServeMux; neither listener serves that mux.)
func NewOperations(cfg OperationsConfig) *Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", cfg.Metrics)
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("POST /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("Tradehub operations: /metrics, /debug/pprof/\n"))
	})
	return &Server{
		logger: cfg.Logger,
		http: &http.Server{
			Addr:              cfg.Addr,
			Handler:           recoverPanics(cfg.Logger, mux),
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			// A CPU profile or trace runs for ?seconds= (30 by default); pprof refuses one
			// longer than the write timeout.
			WriteTimeout:   2 * time.Minute,
			IdleTimeout:    120 * time.Second,
			MaxHeaderBytes: 64 << 10,
			ErrorLog:       slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
		},
	}
}

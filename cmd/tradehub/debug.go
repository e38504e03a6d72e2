package main

import (
	"net/http"
	"net/http/pprof"

	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/accounts"
)

// debugHandler serves the Go profiler (/debug/pprof/) and the runtime and gateway metrics
// (/debug/metrics, the same registry as the private listener's /metrics; absent when metrics
// are off) on the public listener, for platform admins signed in with a session. Everyone else,
// anonymous or not, gets 404: the routes do not exist for them. The private operations listener
// stays for scrapers and for operators on the host; this route is for an admin who has only the
// public address.
func debugHandler(isPlatformAdmin func(r *http.Request) bool, metrics http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("POST /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	if metrics != nil {
		mux.Handle("GET /debug/metrics", metrics)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isPlatformAdmin(r) {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		mux.ServeHTTP(w, r)
	})
}

// platformAdmin reports whether the request's caller is a platform admin (a session: API keys
// belong to accounts and are never staff).
func platformAdmin(acc *accounts.Service) func(r *http.Request) bool {
	return func(r *http.Request) bool { return acc.ViewerStaffRole(r.Context()) == access.PlatformAdmin }
}

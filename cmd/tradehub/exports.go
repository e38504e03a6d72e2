package main

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"github.com/tradehub/tradehub/graph"
	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/metrics"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/bulk"
)

// newBulk is the bulk exports service, writing its files to <data dir>/exports.
func newBulk(store *mongodb.Store, svc *services, cfg config, logger *slog.Logger, m *metrics.Metrics) (*bulk.Service, error) {
	bc := bulk.Config{DB: store.DB, Access: svc.access, Dir: filepath.Join(cfg.DataDir, "exports"), PageSize: cfg.BulkPageSize,
		Clock: svc.clock, Logger: logger.With("component", "bulk")}
	if m != nil {
		bc.OnFinish = func(st bulk.Status, code string, objects int64) { m.ObserveBulkExport(string(st), code, objects) }
	}
	return bulk.New(bc)
}

// runBulk starts the export worker and the daily expiry sweep (first run now). The worker
// finishes the page in flight at shutdown and gives its export up, to be run again at the next
// start.
func (a *app) runBulk(b *bulk.Service, logger *slog.Logger) {
	a.background(func(ctx context.Context) { _ = b.Work(ctx) })
	a.background(func(ctx context.Context) {
		sweep := func() {
			n, err := b.Sweep(ctx)
			switch {
			case err != nil && ctx.Err() == nil:
				logger.WarnContext(ctx, "sweep bulk exports", "error", err)
			case n > 0:
				logger.InfoContext(ctx, "expired bulk exports", "expired", n)
			}
		}
		sweep()
		every(ctx, time.Hour, sweep)
	})
}

// wireBulk gives the resolver the exports and the service its GraphQL query runner. Download
// links use TRADEHUB_PUBLIC_URL, or the address the server is bound to (port 0 picks one).
func (a *app) wireBulk(resolver *graph.Resolver, b *bulk.Service, cfg config, logger *slog.Logger) {
	resolver.Bulk = b
	resolver.ExportURL = func(id string) string {
		base := cfg.publicURL()
		if cfg.PublicURL == "" && a.http != nil {
			base = "http://" + a.http.Addr()
		}
		return base + "/exports/" + id
	}
	b.SetQuery(graph.NewBulkQueries(resolver, logger))
}

// exportHandler serves GET /exports/{id}: a completed export's JSON Lines file, to a caller
// authenticated like /graphql (session or API key) who may read the account's exports. Every
// other case (foreign, missing, unfinished, expired) is 404 alike.
func exportHandler(b *bulk.Service, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := auth.PrincipalFrom(r.Context()); !ok {
			http.Error(w, "sign in or send an API key", http.StatusUnauthorized)
			return
		}
		f, e, err := b.Open(r.Context(), r.PathValue("id"))
		switch errs.CodeOf(err) {
		case "":
		case errs.NotFound, errs.Invalid, errs.Forbidden, errs.Unauthenticated:
			http.NotFound(w, r)
			return
		default:
			logger.ErrorContext(r.Context(), "bulk export download", "error", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		defer f.Close()
		// A large file outlasts the server's write timeout, which is sized for API calls.
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(30 * time.Minute))
		w.Header().Set("Content-Type", "application/jsonl; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+e.ID+`.jsonl"`)
		w.Header().Set("Cache-Control", "private, no-store")
		modified := e.CreatedAt
		if e.CompletedAt != nil {
			modified = *e.CompletedAt
		}
		http.ServeContent(w, r, e.ID+".jsonl", modified, f)
	})
}

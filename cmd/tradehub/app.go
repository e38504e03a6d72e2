package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/tradehub/tradehub/graph"
	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/demo"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/internal/server"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/accounts"
	"github.com/tradehub/tradehub/services/audit"
	"github.com/tradehub/tradehub/services/events"
	"github.com/tradehub/tradehub/services/usage"
	"github.com/tradehub/tradehub/services/warehousing"
	"github.com/tradehub/tradehub/web"
)

// app is one running Tradehub: the store, the services and the HTTP server. It is the only place
// that knows every part; everything else receives what it needs.
type app struct {
	cfg      config
	logger   *slog.Logger
	embedded *mongodb.Embedded
	store    *mongodb.Store
	http     *server.Server
	signIns  []demo.SignIn

	// Background work (sweeps, relays) runs under bgCtx and is waited for before the store
	// closes.
	bgCtx    context.Context
	bgCancel context.CancelFunc
	wg       sync.WaitGroup
}

// start brings Tradehub up in dependency order and binds the listener; serve then answers.
// On error, whatever was started is stopped again.
func start(ctx context.Context, cfg config, logger *slog.Logger) (_ *app, err error) {
	a := &app{cfg: cfg, logger: logger}
	a.bgCtx, a.bgCancel = context.WithCancel(context.Background())
	defer func() {
		if err != nil {
			a.stop(context.Background()) // a, not the named result, which is nil on error
		}
	}()

	if err := a.openStore(ctx); err != nil {
		return nil, err
	}
	if err := mongodb.EnsureIndexes(ctx, a.store.DB, indexes()...); err != nil {
		return nil, err
	}

	svc, err := newServices(ctx, a.store, cfg, logger)
	if err != nil {
		return nil, err
	}
	if err := mongodb.EnsureIndexes(ctx, a.store.DB, svc.relay.OutboxIndexes()...); err != nil {
		return nil, err
	}
	// The relay moves the events every service pushed into its documents' outboxes to the feed.
	a.background(func(ctx context.Context) { _ = svc.relay.Run(ctx) })
	if cfg.Demo {
		seeded, err := demo.Seed(ctx, demo.Deps{Accounts: svc.accounts, Access: svc.access, Warehousing: svc.warehousing})
		if err != nil {
			return nil, fmt.Errorf("seed demo data: %w", err)
		}
		logger.Info("demo data", "seeded_now", seeded)
		if cfg.development() {
			a.signIns = demo.SignIns()
		}
	}
	a.background(func(ctx context.Context) {
		every(ctx, time.Hour, func() {
			if _, err := svc.accounts.SweepSessions(ctx); err != nil {
				logger.WarnContext(ctx, "sweep sessions", "error", err)
			}
		})
	})

	// Today's storage snapshot is taken before the server answers, so that it never races the
	// first requests; then hourly in the background.
	runWarehousingJobs(ctx, svc.warehousing, logger)
	a.background(func(ctx context.Context) {
		every(ctx, time.Hour, func() { runWarehousingJobs(ctx, svc.warehousing, logger) })
	})

	resolver := &graph.Resolver{Logger: logger, AccountsService: svc.accounts, Audit: svc.audit, Warehousing: svc.warehousing}
	a.http = server.New(server.Config{
		Addr: cfg.Addr,
		GraphQL: graph.NewHandler(resolver, graph.ServerConfig{
			Introspection: cfg.Introspection,
			Audit:         svc.audit,
			Logger:        logger,
		}),
		Web:          web.Handler(),
		Ready:        a.store.Ping,
		Authenticate: svc.accounts.Authenticate,
		Logger:       logger,
	})
	if err := a.http.Listen(); err != nil {
		return nil, err
	}
	return a, nil
}

// services are the business services of one running Tradehub.
type services struct {
	access      *access.Service
	audit       *audit.Service
	accounts    *accounts.Service
	relay       *events.Relay
	usage       *usage.Service
	warehousing *warehousing.Service
}

// newServices builds every service over the store, in dependency order. Domains never import
// each other: where one needs another, it declares an interface and receives it here.
func newServices(ctx context.Context, store *mongodb.Store, cfg config, logger *slog.Logger) (*services, error) {
	clk := clock.System()
	accessSvc, err := access.New(ctx, store.Client, store.DB, logger)
	if err != nil {
		return nil, err
	}
	var accountsSvc *accounts.Service
	auditSvc := audit.New(store.DB, clk, func(p *auth.Principal, accountID string) string {
		return accountsSvc.StaffRoleOn(p, accountID)
	})
	accountsSvc, err = accounts.New(ctx, accounts.Config{
		DB: store.DB, Access: accessSvc, Audit: auditSvc, Clock: clk, Logger: logger,
		Development: cfg.development(), PublicURL: cfg.publicURL(),
	})
	if err != nil {
		return nil, err
	}
	relay := newRelay(store, clk, logger)
	usageSvc := usage.NewService(store.DB, clk)
	whs := warehousing.NewService(warehousing.Config{DB: store.DB, Access: accessSvc, Usage: usageSvc, Clock: clk,
		Events: relay, Logger: logger})
	return &services{access: accessSvc, audit: auditSvc, accounts: accountsSvc, relay: relay, usage: usageSvc,
		warehousing: whs}, nil
}

// newRelay is the one events relay, over every collection that carries an outbox.
func newRelay(store *mongodb.Store, clk clock.Clock, logger *slog.Logger) *events.Relay {
	return events.NewRelay(store.DB, clk, logger, warehousing.OutboxCollections()...)
}

// indexes lists every service's indexes, ensured at start-up.
func indexes() []mongodb.Indexes {
	var all []mongodb.Indexes
	all = append(all, accounts.Indexes()...)
	all = append(all, audit.Indexes()...)
	all = append(all, events.Indexes()...)
	all = append(all, usage.Indexes()...)
	all = append(all, warehousing.Indexes()...)
	return all
}

// runWarehousingJobs is warehousing's periodic work, run at start and then hourly: the storage
// snapshot of the current UTC day (the first run of a day records it; later runs of the same
// day record nothing new, so a restart or a missed hour never bills twice), and the sweep that
// copies stock movements a crash left pending. Failures are logged and retried next hour.
func runWarehousingJobs(ctx context.Context, w *warehousing.Service, logger *slog.Logger) {
	if _, err := w.SnapshotStorage(ctx, time.Now()); err != nil && ctx.Err() == nil {
		logger.ErrorContext(ctx, "storage snapshot", "error", err)
	}
	if _, err := w.Settle(ctx, nil); err != nil && ctx.Err() == nil {
		logger.WarnContext(ctx, "settle stock movements", "error", err)
	}
}

// background runs f until the app stops; stop waits for it.
func (a *app) background(f func(ctx context.Context)) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		f(a.bgCtx)
	}()
}

// every calls f at each tick until ctx is done.
func every(ctx context.Context, d time.Duration, f func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f()
		}
	}
}

func (a *app) openStore(ctx context.Context) error {
	uri := a.cfg.MongoURI
	if a.cfg.embedded() {
		emb, err := mongodb.StartEmbedded(mongodb.EmbeddedOptions{Dir: a.cfg.DataDir, Logger: ferretLogger(a.logger)})
		if err != nil {
			return err
		}
		a.embedded = emb
		uri = emb.URI()
	}
	s, err := mongodb.Connect(ctx, mongodb.Options{URI: uri, Database: a.cfg.Database, SingleConnection: a.cfg.embedded()})
	if err != nil {
		return err
	}
	a.store = s
	return nil
}

// ferretLogger keeps FerretDB quiet: its records reach our log only at error level, or at every
// level when our level is debug. (At warn it reports every command it lacks, such as the
// driver's endSessions at disconnect, which is expected and harmless.)
func ferretLogger(l *slog.Logger) *slog.Logger {
	if l.Enabled(context.Background(), slog.LevelDebug) {
		return l.With("component", "ferretdb")
	}
	return slog.New(minLevel{l.Handler(), slog.LevelError}).With("component", "ferretdb")
}

type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(a []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(a), h.min}
}
func (h minLevel) WithGroup(n string) slog.Handler { return minLevel{h.Handler.WithGroup(n), h.min} }

// serve answers requests until ctx is cancelled (SIGINT/SIGTERM), then shuts down gracefully:
// stop accepting, let in-flight requests finish (bounded), close the store connection, and stop
// the embedded store last so that every acknowledged write is on disk.
func (a *app) serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- a.http.Serve() }()
	select {
	case err := <-errc:
		a.stop(context.Background())
		return err
	case <-ctx.Done():
	}
	a.logger.Info("shutting down: draining in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := a.http.Shutdown(shutdownCtx)
	if serveErr := <-errc; serveErr != nil {
		err = errors.Join(err, serveErr)
	}
	a.http = nil
	return errors.Join(err, a.stop(shutdownCtx))
}

// stop ends background work and releases the store; safe to call on a partly started app.
func (a *app) stop(ctx context.Context) error {
	a.bgCancel()
	a.wg.Wait()
	var err error
	if a.store != nil {
		err = errors.Join(err, a.store.Close(ctx))
		a.store = nil
	}
	if a.embedded != nil {
		err = errors.Join(err, a.embedded.Stop(ctx))
		a.embedded = nil
	}
	if err != nil {
		a.logger.Error("stop", "error", err)
	}
	return err
}

// printURLs tells a person where to go; it is the first thing `make run` shows.
func (a *app) printURLs(w io.Writer) {
	base := "http://" + a.http.Addr()
	store := "MongoDB at MONGODB_URI"
	if a.cfg.embedded() {
		store = "embedded store in " + a.cfg.DataDir
	}
	fmt.Fprintf(w, "\nTradehub is running (%s, %s mode)\n", store, a.cfg.Env)
	fmt.Fprintf(w, "  Portal:    %s/\n", base)
	fmt.Fprintf(w, "  GraphQL:   %s/graphql\n", base)
	fmt.Fprintf(w, "  Explorer:  %s/graphiql\n", base)
	fmt.Fprintf(w, "Press Ctrl+C to stop.\n\n")
	if a.signIns != nil {
		demo.Print(w, a.signIns)
	}
}

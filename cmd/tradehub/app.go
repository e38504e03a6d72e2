package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/event"
	"go.opentelemetry.io/otel/trace"

	"github.com/tradehub/tradehub/graph"
	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/demo"
	"github.com/tradehub/tradehub/internal/metrics"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/internal/server"
	"github.com/tradehub/tradehub/internal/tracing"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/accounts"
	"github.com/tradehub/tradehub/services/audit"
	"github.com/tradehub/tradehub/services/billing"
	"github.com/tradehub/tradehub/services/bulk"
	"github.com/tradehub/tradehub/services/events"
	"github.com/tradehub/tradehub/services/financing"
	"github.com/tradehub/tradehub/services/procurement"
	"github.com/tradehub/tradehub/services/transport"
	"github.com/tradehub/tradehub/services/usage"
	"github.com/tradehub/tradehub/services/warehousing"
	"github.com/tradehub/tradehub/services/webhooks"
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
	// metrics and ops (the private /metrics and /debug/pprof listener) are nil when
	// TRADEHUB_METRICS_ADDR is empty.
	metrics *metrics.Metrics
	ops     *server.Server
	// tracer is a no-op provider unless tracing is configured; stopTracing flushes it.
	tracer      trace.TracerProvider
	stopTracing func(context.Context) error

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
			if a.ops != nil {
				_ = a.ops.Close()
			}
			if a.http != nil {
				_ = a.http.Close()
			}
			a.stop(context.Background()) // a, not the named result, which is nil on error
		}
	}()
	if cfg.MetricsAddr != "" {
		a.metrics = metrics.New()
	}
	if err := a.startTracing(ctx); err != nil {
		return nil, err
	}

	if err := a.openStore(ctx); err != nil {
		return nil, err
	}
	if err := mongodb.EnsureIndexes(ctx, a.store.DB, indexes()...); err != nil {
		return nil, err
	}

	svc, err := newServices(ctx, a.store, cfg, logger, a.metrics)
	if err != nil {
		return nil, err
	}
	if err := mongodb.EnsureIndexes(ctx, a.store.DB, svc.relay.OutboxIndexes()...); err != nil {
		return nil, err
	}
	if a.embedded != nil {
		// Before any background writer starts: FerretDB's SQLite backend writes each document by
		// an expression no index of its own serves (see IndexIDPaths).
		if _, err := a.embedded.IndexIDPaths(ctx); err != nil {
			return nil, err
		}
	}
	// The relay moves the events every service pushed into its documents' outboxes to the feed.
	a.background(func(ctx context.Context) { _ = svc.relay.Run(ctx) })
	// Webhooks read the feed the relay fills: started after it. At shutdown Run stops claiming
	// and finishes the attempts in flight (at most webhooks.AttemptTimeout and two store writes)
	// before stop closes the store; see stop.
	a.background(func(ctx context.Context) { _ = svc.webhooks.Run(ctx) })
	if cfg.Demo {
		seeded, err := demo.Seed(ctx, demo.Deps{Accounts: svc.accounts, Access: svc.access, Warehousing: svc.warehousing,
			Procurement: svc.procurement})
		if err != nil {
			return nil, fmt.Errorf("seed demo data: %w", err)
		}
		logger.Info("demo data", "seeded_now", seeded)
		// Idempotent: carriers are matched by code, existing rate cards and scorecards are kept.
		if _, err := svc.transport.SeedDemo(ctx, true); err != nil {
			return nil, fmt.Errorf("seed demo transport: %w", err)
		}
		if err := seedFinancingDemo(ctx, a.store.DB, svc.financing, svc.transport, svc.clock); err != nil {
			return nil, fmt.Errorf("seed demo financing: %w", err)
		}
		if err := seedDemoBilling(ctx, svc.billing, svc.accounts); err != nil {
			return nil, fmt.Errorf("seed demo billing: %w", err)
		}
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
	// Events are kept for events.MinRetention (30 days), then swept once a day; the first sweep
	// runs now, so a server restarted daily still sweeps.
	a.background(func(ctx context.Context) {
		sweep := func() {
			n, err := svc.feed.Sweep(ctx, svc.clock.Now().Add(-events.MinRetention))
			switch {
			case err != nil && ctx.Err() == nil:
				logger.WarnContext(ctx, "sweep events", "error", err)
			case n > 0:
				logger.InfoContext(ctx, "swept events", "removed", n)
			}
		}
		sweep()
		every(ctx, 24*time.Hour, sweep)
	})

	// Today's storage snapshot is taken before the server answers, so that it never races the
	// first requests; then hourly in the background.
	runWarehousingJobs(ctx, svc.warehousing, logger)
	a.background(func(ctx context.Context) {
		every(ctx, time.Hour, func() { runWarehousingJobs(ctx, svc.warehousing, logger) })
	})
	// Orders a failed request left PENDING (a fault between a reservation and the status
	// change) are reconciled from their movements once their lease has passed.
	a.background(func(ctx context.Context) {
		every(ctx, warehousing.PendingLease, func() {
			if _, err := svc.warehousing.ReconcilePendingOrders(ctx, 100); err != nil && ctx.Err() == nil {
				logger.WarnContext(ctx, "reconcile pending orders", "error", err)
			}
		})
	})

	// Transport: scorecard and pool ops a crash left queued (every minute), their markers
	// (hourly), and quotes that expired a day ago and were never booked (hourly).
	a.background(func(ctx context.Context) {
		every(ctx, time.Minute, func() { runTransportJobs(ctx, svc.transport, svc.clock, logger, false) })
	})
	a.background(func(ctx context.Context) {
		every(ctx, time.Hour, func() { runTransportJobs(ctx, svc.transport, svc.clock, logger, true) })
	})

	// Financing: daily interest (a missed day is caught up) and overdue loans, then pledged
	// shipments reconciled with their live state, at start and hourly; between runs the watcher
	// follows pledged shipments' status changes through the events relay.
	runFinancingJobs(ctx, svc.financing, logger)
	a.background(func(ctx context.Context) {
		every(ctx, time.Hour, func() { runFinancingJobs(ctx, svc.financing, logger) })
	})
	a.background(func(ctx context.Context) { watchPledgedShipments(ctx, svc.financing, svc.relay, time.Minute, logger) })

	// Billing: the Stripe retry queue (invoices PENDING_SYNC whose backoff has passed), and
	// last month's drafts prepared in the first days of a month.
	a.background(func(ctx context.Context) {
		every(ctx, billingSyncEvery, func() { runBillingJobs(ctx, svc.billing, logger) })
	})
	a.background(func(ctx context.Context) {
		every(ctx, time.Hour, func() { runScheduledInvoices(ctx, svc.billing, logger) })
	})

	// Procurement: catch up on received receipts whose hook did not complete (hourly).
	a.background(func(ctx context.Context) {
		every(ctx, time.Hour, func() {
			if _, err := svc.procurement.SyncReceipts(ctx, procurementReceipts{svc.warehousing}, 500); err != nil && ctx.Err() == nil {
				logger.WarnContext(ctx, "procurement: sync receipts", "error", err)
			}
		})
	})

	costCfg, _ := cfg.costConfig() // validated with the rest of the configuration
	limits := newCostLimits(a.store, svc, costCfg)
	a.runCostLimits(ctx, limits, logger)
	costCfg.Limits = callerLimits(svc.accounts, limits)
	resolver := &graph.Resolver{Logger: logger, Limits: limits, AccountsService: svc.accounts, Audit: svc.audit, Warehousing: svc.warehousing,
		Webhooks: svc.webhooks, EventsFeed: events.NewReader(svc.feed, svc.access), Transport: svc.transport,
		Procurement: svc.procurement, Financing: svc.financing, Billing: svc.billing}
	exports, err := newBulk(a.store, svc, cfg, logger, a.metrics)
	if err != nil {
		return nil, err
	}
	a.wireBulk(resolver, exports, cfg, logger)
	a.runBulk(exports, logger)
	gqlConfig := graph.ServerConfig{Introspection: cfg.Introspection, Audit: svc.audit, Cost: costCfg,
		AuthenticateToken: svc.accounts.AuthenticateToken, Logger: logger}
	if cfg.AllowList == "on" {
		list, err := graph.NewAllowList(web.PersistedDocuments)
		if err != nil {
			return nil, err
		}
		gqlConfig.AllowList = list
		logger.Info("GraphQL allow-list on", "operations", list.Len())
	}
	httpConfig := server.Config{Addr: cfg.Addr, Web: web.Handler(), Ready: a.store.Ping,
		Authenticate: svc.accounts.Authenticate, Logger: logger,
		// Carriers authenticate by HMAC, not by cookie or key: outside /graphql and its middleware.
		CarrierWebhooks: svc.transport.WebhookHandler(),
		Documents:       documentHandler(svc.transport, logger),
		Exports:         exportHandler(exports, logger),
		// Stripe signs its events: outside Authenticate, like the carriers' webhooks.
		StripeWebhooks:   svc.billing.WebhookHandler(),
		InvoiceDocuments: invoiceDocumentHandler(svc.billing, logger)}
	var debugMetrics http.Handler
	if m := a.metrics; m != nil {
		debugMetrics = m.Handler()
		gqlConfig.Observer = m
		httpConfig.ObserveRequest = m.ObserveHTTP
		m.RegisterWebhooks(webhookMetrics(svc.webhooks))
		a.ops = server.NewOperations(server.OperationsConfig{Addr: cfg.MetricsAddr, Metrics: m.Handler(), Logger: logger})
		if err := a.ops.Listen(); err != nil {
			// Metrics serve operators, not users: a taken port (Prometheus itself defaults to
			// 9090) must not keep Tradehub from starting. The log says so, loudly.
			logger.Warn("metrics listener not started; set TRADEHUB_METRICS_ADDR to a free address", "addr", cfg.MetricsAddr, "error", err)
			a.ops = nil
		}
	}
	gqlConfig.Tracer = a.tracer
	httpConfig.Trace = func(h http.Handler) http.Handler { return tracing.HTTP(a.tracer, server.Route, h) }
	httpConfig.Debug = debugHandler(platformAdmin(svc.accounts), debugMetrics)
	httpConfig.GraphQL = graph.NewHandler(resolver, gqlConfig)
	a.http = server.New(httpConfig)
	if err := a.http.Listen(); err != nil {
		return nil, err
	}
	return a, nil
}

// webhookMetrics adapts the webhooks service to the metrics' collector.
func webhookMetrics(hooks *webhooks.Service) metrics.WebhookSource {
	return metrics.WebhookSource{
		Stats: func() metrics.WebhookStats {
			s := hooks.Stats()
			return metrics.WebhookStats{Enqueued: s.Enqueued, Succeeded: s.Succeeded, Retrying: s.Retrying,
				Failed: s.Failed, Canceled: s.Canceled, Refused: s.Refused, Disabled: s.Disabled, InFlight: s.InFlight}
		},
		QueueDepth: func(ctx context.Context) (int64, int64, error) {
			q, err := hooks.QueueDepth(ctx)
			return q.Pending, q.Due, err
		},
	}
}

// services are the business services of one running Tradehub.
type services struct {
	clock       clock.Clock
	access      *access.Service
	audit       *audit.Service
	accounts    *accounts.Service
	relay       *events.Relay
	feed        *events.Feed
	usage       *usage.Service
	warehousing *warehousing.Service
	webhooks    *webhooks.Service
	transport   *transport.Service
	procurement *procurement.Service
	financing   *financing.Service
	billing     *billing.Service
}

// newServices builds every service over the store, in dependency order. Domains never import
// each other: where one needs another, it declares an interface and receives it here.
// m, when set, receives the webhook attempts' outcomes and latencies.
func newServices(ctx context.Context, store *mongodb.Store, cfg config, logger *slog.Logger, m *metrics.Metrics) (*services, error) {
	clk := cfg.Clock
	if clk == nil {
		clk = clock.System()
	}
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
	relay.SetPollInterval(cfg.eventsPoll())
	// Each service notifies the relay of the collections it writes outboxes to, so that a write
	// makes the relay look at that collection only (all of them are polled anyway).
	usageSvc := usage.NewService(store.DB, clk)
	whs := warehousing.NewService(warehousing.Config{DB: store.DB, Access: accessSvc, Usage: usageSvc, Clock: clk,
		Events: relay.NotifierFor(warehousing.OutboxCollections()...), Logger: logger})
	feed := events.NewFeed(store.DB, clk)
	hooksCfg := webhooks.Config{
		DB: store.DB, Access: accessSvc, Events: feed, Relay: relay.NotifierFor(webhooks.SubscriptionsCollection), EventTypes: eventTypes(),
		Development: cfg.development(), Clock: clk, Logger: logger.With("component", "webhooks"),
	}
	if m != nil {
		hooksCfg.OnAttempt = func(r webhooks.AttemptResult) { m.ObserveWebhookAttempt(string(r.Outcome), r.Latency) }
	}
	hooks, err := webhooks.NewService(hooksCfg)
	if err != nil {
		return nil, err
	}
	tsp := transport.NewService(transport.Config{DB: store.DB, Access: accessSvc, Usage: usageSvc, Relay: relay.NotifierFor(transport.CollShipments),
		Subscriber: relay, Warehouses: warehouseDirectory{whs}, Orders: orderLinker{whs}, Clock: clk, Logger: logger})
	proc := procurement.NewService(procurement.Config{DB: store.DB, Access: accessSvc, Usage: usageSvc,
		Freight: freightEstimator{tsp, whs}, Inbound: procurementInbound{whs}, Catalog: procurementCatalog{whs},
		Warehouses: procurementWarehouses{whs}, SupplierOf: accountsSvc.ViewerSupplier, Relay: relay.NotifierFor(procurement.CollPurchaseOrders), Clock: clk, Logger: logger})
	linkReceiving(whs, proc, logger)
	fin := financing.NewService(financing.Config{DB: store.DB, Access: accessSvc, Partners: accessSvc,
		Shipments: shipmentSource{tsp}, Inventory: inventorySource{whs}, PurchaseOrders: purchaseOrderSource{proc}, Usage: usageSvc,
		Relay: relay.NotifierFor(financing.CollLoans, financing.CollRequests), Subscriber: relay, Clock: clk,
		Logger: logger.With("component", "financing")})
	bill := billing.NewService(billing.Config{DB: store.DB, Access: accessSvc, Usage: usageSvc, Accounts: billingAccounts{accountsSvc}, FX: proc,
		Clock: clk, Logger: logger.With("component", "billing"), Issuer: billing.DemoIssuer,
		StripeKey: cfg.StripeAPIKey, StripeAPIBase: cfg.StripeAPIBase, StripeWebhookSecret: cfg.StripeWebhookSecret})
	// A loan's repayment invoice, once paid, is applied to the loan by financing.
	bill.SetLoanPayments(fin)
	return &services{clock: clk, access: accessSvc, audit: auditSvc, accounts: accountsSvc, relay: relay, feed: feed,
		usage: usageSvc, warehousing: whs, webhooks: hooks, transport: tsp, procurement: proc, financing: fin, billing: bill}, nil
}

// newRelay is the one events relay, over every collection that carries an outbox: warehousing's
// documents, webhook subscriptions (which record webhook.subscription_disabled) and transport's
// shipments.
func newRelay(store *mongodb.Store, clk clock.Clock, logger *slog.Logger) *events.Relay {
	collections := append(warehousing.OutboxCollections(), webhooks.SubscriptionsCollection, transport.CollShipments,
		procurement.CollPurchaseOrders, financing.CollLoans, financing.CollRequests)
	return events.NewRelay(store.DB, clk, logger, collections...)
}

// indexes lists every service's indexes, ensured at start-up.
func indexes() []mongodb.Indexes {
	var all []mongodb.Indexes
	all = append(all, accounts.Indexes()...)
	all = append(all, audit.Indexes()...)
	all = append(all, events.Indexes()...)
	all = append(all, usage.Indexes()...)
	all = append(all, warehousing.Indexes()...)
	all = append(all, webhooks.Indexes()...)
	all = append(all, transport.Indexes()...)
	all = append(all, bulk.Indexes()...)
	all = append(all, procurement.Indexes()...)
	all = append(all, financing.Indexes()...)
	all = append(all, billing.Indexes()...)
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

// runTransportJobs is transport's periodic work; hourly adds the marker and quote sweeps.
// Failures are logged and retried at the next tick.
func runTransportJobs(ctx context.Context, t *transport.Service, clk clock.Clock, logger *slog.Logger, hourly bool) {
	if _, err := t.ApplyPending(ctx, 500); err != nil && ctx.Err() == nil {
		logger.WarnContext(ctx, "transport: apply pending ops", "error", err)
	}
	if !hourly {
		return
	}
	if _, err := t.GCMarkers(ctx); err != nil && ctx.Err() == nil {
		logger.WarnContext(ctx, "transport: drop op markers", "error", err)
	}
	if _, err := t.SweepQuotes(ctx, clk.Now().Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
		logger.WarnContext(ctx, "transport: sweep quotes", "error", err)
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
	opts := mongodb.Options{URI: uri, Database: a.cfg.Database, SingleConnection: a.cfg.embedded()}
	var monitors []*event.CommandMonitor
	if a.metrics != nil {
		monitors = append(monitors, a.metrics.StoreMonitor())
	}
	if !tracing.IsNoop(a.tracer) {
		monitors = append(monitors, tracing.StoreMonitor(a.tracer, a.cfg.Database))
	}
	opts.Monitor = tracing.Compose(monitors...)
	s, err := mongodb.Connect(ctx, opts)
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

// Shutdown budgets. HTTP requests get shutdownHTTP to finish; then background work gets
// shutdownBackground: the webhook workers stop claiming and finish the attempts in flight (at
// most webhooks.AttemptTimeout plus two store writes of up to 5 s), the relay and the sweeps
// stop; then the store is closed within shutdownStore.
const (
	shutdownHTTP       = 20 * time.Second
	shutdownBackground = 30 * time.Second
	shutdownStore      = 15 * time.Second
)

// serve answers requests until ctx is cancelled (SIGINT/SIGTERM), then shuts down gracefully:
// stop accepting, let in-flight requests finish (bounded), stop background work (the webhook
// attempts in flight are finished and recorded), close the store connection, and stop the
// embedded store last so that every acknowledged write is on disk.
func (a *app) serve(ctx context.Context) error {
	errc := make(chan error, 2)
	go func() { errc <- a.http.Serve() }()
	listeners := 1
	if a.ops != nil {
		listeners++
		go func() { errc <- a.ops.Serve() }()
	}
	select {
	case err := <-errc:
		listeners--
		ctx, cancel := context.WithTimeout(context.Background(), shutdownHTTP)
		defer cancel()
		err = errors.Join(err, a.shutdownListeners(ctx))
		for ; listeners > 0; listeners-- {
			err = errors.Join(err, <-errc)
		}
		return errors.Join(err, a.stop(context.Background()))
	case <-ctx.Done():
	}
	a.logger.Info("shutting down: draining in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownHTTP)
	defer cancel()
	err := a.shutdownListeners(shutdownCtx)
	for ; listeners > 0; listeners-- {
		err = errors.Join(err, <-errc)
	}
	return errors.Join(err, a.stop(context.Background()))
}

// shutdownListeners stops the public listener (draining its requests), then the operations
// listener, which stays up meanwhile so that the drain can be watched.
func (a *app) shutdownListeners(ctx context.Context) error {
	var err error
	if a.http != nil {
		err = a.http.Shutdown(ctx)
	}
	if a.ops != nil {
		err = errors.Join(err, a.ops.Shutdown(ctx))
	}
	return err
}

// stop ends background work and releases the store; safe to call on a partly started app.
// Background work is waited for up to shutdownBackground, then the store is closed anyway
// (a webhook attempt still unrecorded then is sent again after its lease lapses, which its
// receiver's de-duplication absorbs); ctx bounds the store's close further.
func (a *app) stop(ctx context.Context) error {
	a.bgCancel()
	done := make(chan struct{})
	go func() {
		a.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(shutdownBackground):
		a.logger.Warn("stop: background work did not finish in time; closing the store anyway",
			"waited", shutdownBackground.String())
	}
	ctx, cancel := context.WithTimeout(ctx, shutdownStore)
	defer cancel()
	var err error
	if a.store != nil {
		err = errors.Join(err, a.store.Close(ctx))
		a.store = nil
	}
	if a.embedded != nil {
		err = errors.Join(err, a.embedded.Stop(ctx))
		a.embedded = nil
	}
	if a.stopTracing != nil {
		// Flush the spans still queued for the collector (bounded by ctx).
		err = errors.Join(err, a.stopTracing(ctx))
		a.stopTracing = nil
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
	if a.ops != nil {
		fmt.Fprintf(w, "  Metrics:   http://%s/metrics (private listener; also /debug/pprof/)\n", a.ops.Addr())
	}
	fmt.Fprintf(w, "Press Ctrl+C to stop.\n\n")
	if a.signIns != nil {
		demo.Print(w, a.signIns)
	}
}

package transport

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/events"
	"github.com/tradehub/tradehub/services/transport/customs"
	"github.com/tradehub/tradehub/services/usage"
)

// Authorizer answers the one authorization question (access.Service satisfies it).
type Authorizer interface {
	Require(ctx context.Context, domain string, res access.Resource, act access.Action) error
}

// UsageRecorder records billable usage idempotently by source key (usage.Service satisfies it).
type UsageRecorder interface {
	Record(ctx context.Context, r usage.Record) (usage.Record, bool, error)
}

// Notifier is told after a write that queued events (events.Relay satisfies it).
type Notifier interface{ Notify() }

// Subscriber follows an account's events feed (events.Relay satisfies it).
type Subscriber interface {
	Subscribe(accountID string) (<-chan events.Event, func())
}

// Warehouse is what transport needs to know of a warehouse used as an origin.
type Warehouse struct {
	ID      string
	Name    string
	Address Address
}

// WarehouseDirectory gives the address of an account's warehouse (the warehousing service
// satisfies it through a small adapter in cmd/tradehub). It returns NOT_FOUND for a warehouse
// that does not exist or that the account may not ship from.
type WarehouseDirectory interface {
	Warehouse(ctx context.Context, accountID, warehouseID string) (Warehouse, error)
}

// OrderLinker lets fulfilment orders follow their shipment (warehousing satisfies it).
type OrderLinker interface {
	// CheckOrders returns NOT_FOUND if an order is not the account's, or FAILED_PRECONDITION if
	// one cannot be shipped (already shipped, cancelled). Called before booking.
	CheckOrders(ctx context.Context, accountID string, orderIDs []string) error
	// ShipmentMoved tells that the shipment carrying the orders reached status at the given
	// time (BOOKED at booking). Called after the shipment's write; a failure is logged, and the
	// shipment.status_changed event carries the same facts for a consumer that reconciles.
	ShipmentMoved(ctx context.Context, accountID, shipmentID string, orderIDs []string, status Status, at time.Time) error
}

// Config is the service's setup. DB, Access and Usage are required.
type Config struct {
	DB         *mongo.Database
	Access     Authorizer
	Usage      UsageRecorder
	Relay      Notifier           // optional: told after writes with events
	Subscriber Subscriber         // optional: needed by SubscribeShipments
	Warehouses WarehouseDirectory // optional: without it, warehouse origins are NOT_FOUND
	Orders     OrderLinker        // optional: without it, orderIds are refused
	FX         customs.Converter  // default customs.DefaultRates
	Clock      clock.Clock        // default the system clock
	Logger     *slog.Logger       // default discards
	// Adapters are carrier adapters by name, in addition to the built-in "ratecard".
	Adapters map[string]Adapter
	// QuoteTTL is how long a quote can be booked; default 30 minutes.
	QuoteTTL time.Duration
	// WebhookTolerance is how far a webhook's signed timestamp may be from now; default 5 min.
	WebhookTolerance time.Duration
}

// Defaults.
const (
	DefaultQuoteTTL         = 30 * time.Minute
	DefaultWebhookTolerance = 5 * time.Minute
	// ScorecardMonths is how many booking months (this one and the previous ones) a quote's
	// scorecard summary covers.
	ScorecardMonths = 3
)

// Service is the transport service. It is safe for concurrent use.
type Service struct {
	cfg       Config
	db        *mongo.Database
	access    Authorizer
	usage     UsageRecorder
	fx        customs.Converter
	clock     clock.Clock
	log       *slog.Logger
	adapters  map[string]Adapter
	carriers  *mongo.Collection
	cards     *mongo.Collection
	rules     *mongo.Collection
	quotes    *mongo.Collection
	shipments *mongo.Collection
	timeline  *mongo.Collection
	docs      *mongo.Collection
	scores    *mongo.Collection
	pool      *mongo.Collection
}

// NewService returns the transport service. It panics if DB, Access or Usage is missing: the
// wiring in cmd/tradehub is fixed, so that is a programming error.
func NewService(cfg Config) *Service {
	if cfg.DB == nil || cfg.Access == nil || cfg.Usage == nil {
		panic("transport.NewService: DB, Access and Usage are required")
	}
	if cfg.FX == nil {
		cfg.FX = customs.DefaultRates
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.System()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.QuoteTTL <= 0 {
		cfg.QuoteTTL = DefaultQuoteTTL
	}
	if cfg.WebhookTolerance <= 0 {
		cfg.WebhookTolerance = DefaultWebhookTolerance
	}
	ad := map[string]Adapter{RateCardAdapterName: RateCardAdapter{}}
	for k, v := range cfg.Adapters {
		ad[k] = v
	}
	db := cfg.DB
	return &Service{cfg: cfg, db: db, access: cfg.Access, usage: cfg.Usage, fx: cfg.FX, clock: cfg.Clock,
		log: cfg.Logger, adapters: ad,
		carriers: db.Collection(CollCarriers), cards: db.Collection(CollRateCards),
		rules: db.Collection(CollCustomsRules), quotes: db.Collection(CollQuotes),
		shipments: db.Collection(CollShipments), timeline: db.Collection(CollTrackingEvents),
		docs: db.Collection(CollDocuments), scores: db.Collection(CollScorecards), pool: db.Collection(CollPool)}
}

func (s *Service) notify() {
	if s.cfg.Relay != nil {
		s.cfg.Relay.Notify()
	}
}

// actor is the principal's id for events and records, "" for the system.
func actor(ctx context.Context) string {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return ""
	}
	if p.APIKeyID != "" {
		return p.APIKeyID
	}
	return p.UserID
}

// requirePrincipal is the check for reference data any signed-in caller may read.
func requirePrincipal(ctx context.Context) error {
	if _, ok := auth.PrincipalFrom(ctx); !ok {
		return access.ErrUnauthenticated
	}
	return nil
}

func internal(what string, err error) error {
	if _, ok := errs.As(err); ok {
		return err
	}
	return errs.Internalf("transport: %s: %w", what, err)
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }

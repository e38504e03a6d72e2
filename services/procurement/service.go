package procurement

import (
	"context"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/access"
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

// FreightRequest asks for the cheapest freight, with duties and taxes, for goods from a
// country to a warehouse.
type FreightRequest struct {
	AccountID     string
	OriginCountry string
	WarehouseID   string
	Items         []FreightItem
}

// FreightItem is one line of goods.
type FreightItem struct {
	Description string
	HSCode      string
	Quantity    int64
	UnitValue   money.Money
	WeightGrams int64 // of the whole line
}

// FreightEstimate is the cheapest way found; amounts may be in any currency.
type FreightEstimate struct {
	Freight, Duties, Taxes money.Money
	Carrier, Service       string
	TransitDays            int
}

// FreightEstimator prices the carriage and the import duties and taxes (transport's quoting
// and customs rules, adapted in cmd/tradehub).
type FreightEstimator interface {
	EstimateFreight(ctx context.Context, r FreightRequest) (FreightEstimate, error)
}

// InboundRequest announces a purchase order's goods at the destination warehouse.
type InboundRequest struct {
	AccountID, WarehouseID, PurchaseOrderID, Reference string
	ExpectedAt                                         *time.Time
	Lines                                              []InboundLine
}

// InboundLine is one SKU expected.
type InboundLine struct {
	SKUID    string
	Quantity int64
}

// Inbound creates inbound receipts (ASNs) in warehousing. The caller has already been
// authorized on the purchase order, which may be a supplier user with no role in the account.
type Inbound interface {
	CreateInbound(ctx context.Context, r InboundRequest) (receiptID string, err error)
}

// SKUInfo is what an RFQ line takes from a SKU of the account.
type SKUInfo struct {
	ID, Code, Name, HSCode string
	WeightGrams            int64
	UnitValue              money.Money
	// Reorder is the suggested reorder quantity per warehouse where the SKU is low.
	Reorder map[string]int64
}

// Catalog reads the caller's visible SKUs (warehousing); missing or foreign ids are absent.
type Catalog interface {
	SKUs(ctx context.Context, accountID string, ids []string) (map[string]SKUInfo, error)
}

// WarehouseInfo is a destination warehouse.
type WarehouseInfo struct {
	ID, Code, Country string
	Active            bool
}

// WarehouseDirectory finds warehouses (any active one of the 3PL may be a destination).
type WarehouseDirectory interface {
	Warehouse(ctx context.Context, id string) (WarehouseInfo, bool, error)
}

// Config is the service's setup. DB and Access are required.
type Config struct {
	DB         *mongo.Database
	Access     Authorizer
	Usage      UsageRecorder
	Freight    FreightEstimator
	Inbound    Inbound
	Catalog    Catalog
	Warehouses WarehouseDirectory
	// SupplierOf returns the supplier the caller is a SUPPLIER user of, if any.
	SupplierOf func(ctx context.Context) (string, bool)
	// FeeBps is Tradehub's procurement fee in the landed-cost comparison, in basis points of
	// the goods value; default DefaultFeeBps. (The invoiced commission comes from the price
	// book; this is the buyer's estimate of it.)
	FeeBps int64
	// Relay, when set, is told after writes that queued purchase order events.
	Relay  Notifier
	Clock  clock.Clock
	Logger *slog.Logger
}

// Notifier is told after a write that queued events (events.Relay satisfies it).
type Notifier interface{ Notify() }

// DefaultFeeBps is a 3 % procurement fee.
const DefaultFeeBps = 300

// Service is the procurement service. It is safe for concurrent use.
type Service struct {
	cfg       Config
	access    Authorizer
	clock     clock.Clock
	log       *slog.Logger
	suppliers *mongo.Collection
	rfqs      *mongo.Collection
	quotes    *mongo.Collection
	pos       *mongo.Collection
	counters  *mongo.Collection
	fx        *mongo.Collection
}

// NewService returns the service; it panics without DB or Access (a wiring error).
func NewService(cfg Config) *Service {
	if cfg.DB == nil || cfg.Access == nil {
		panic("procurement.NewService: DB and Access are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.System()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.FeeBps <= 0 {
		cfg.FeeBps = DefaultFeeBps
	}
	if cfg.SupplierOf == nil {
		cfg.SupplierOf = func(context.Context) (string, bool) { return "", false }
	}
	db := cfg.DB
	return &Service{cfg: cfg, access: cfg.Access, clock: cfg.Clock, log: cfg.Logger,
		suppliers: db.Collection(CollSuppliers), rfqs: db.Collection(CollRFQs), quotes: db.Collection(CollQuotes),
		pos: db.Collection(CollPurchaseOrders), counters: db.Collection(CollCounters), fx: db.Collection(CollFXRates)}
}

func (s *Service) notify() {
	if s.cfg.Relay != nil {
		s.cfg.Relay.Notify()
	}
}

// actor is the caller's subject for records, "" for the system.
func actor(ctx context.Context) string {
	if p, ok := auth.PrincipalFrom(ctx); ok {
		return access.Subject(p)
	}
	return ""
}

// notFound turns an access refusal that must not reveal existence into NOT_FOUND at field.
func notFound(err error, field string) error {
	if errs.CodeOf(err) == errs.NotFound {
		return ErrNotFound.With(field, nil)
	}
	return err
}

func internal(what string, err error) error {
	if _, ok := errs.As(err); ok {
		return err
	}
	return errs.Internalf("procurement: %s: %w", what, err)
}

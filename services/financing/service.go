package financing

import (
	"context"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/usage"
)

// Authorizer answers the authorization question (access.Service satisfies it).
type Authorizer interface {
	Require(ctx context.Context, domain string, res access.Resource, act access.Action) error
}

// Partners tells which partner a caller belongs to and which accounts consented to a partner
// (access.Service satisfies it).
type Partners interface {
	// PartnerOf returns the finance partner the caller of ctx belongs to, or "".
	PartnerOf(ctx context.Context) string
	ConsentingAccounts(partnerID string) []string
}

// ShipmentInfo is what financing needs to know of a shipment.
type ShipmentInfo struct {
	ID, AccountID  string
	Status         string
	StatusAt       time.Time
	TrackingNumber string
	CarrierID      string
	CarrierCode    string
	ServiceCode    string
	Lane           Lane
	// DeclaredValue is the customs-declared value (zero without a declaration).
	DeclaredValue money.Money
	DeliveredAt   *time.Time
	// LatestEvent describes the last tracking event ("IN_TRANSIT at Hong Kong").
	LatestEvent string
}

// LaneScore is a carrier service's record on a lane, for the partner's risk picture.
type LaneScore struct {
	Shipments, Delivered, OnTime, Exceptions, Lost int64
}

// ShipmentRef names one of an account's shipments.
type ShipmentRef struct {
	AccountID, ShipmentID string
}

// CarrierLane is a carrier service on a lane: what a LaneScore is kept for.
type CarrierLane struct {
	CarrierID, ServiceCode string
	Lane                   Lane
}

// ShipmentSource reads an account's shipments for valuation, without a person's authorization
// (financing authorizes its own callers). The transport service satisfies it through an adapter
// in cmd/tradehub.
type ShipmentSource interface {
	// CollateralShipment returns NOT_FOUND for a missing shipment or one of another account.
	CollateralShipment(ctx context.Context, accountID, shipmentID string) (ShipmentInfo, error)
	// CollateralShipments is CollateralShipment for many shipments in one read, so that a page
	// of requests costs one read whatever its collateral: a missing shipment, or one of another
	// account than its ref says, is absent from the map.
	CollateralShipments(ctx context.Context, refs []ShipmentRef) (map[ShipmentRef]ShipmentInfo, error)
	// OpenShipments lists the account's shipments that are not final, newest first.
	OpenShipments(ctx context.Context, accountID string) ([]ShipmentInfo, error)
	// LaneScores returns the record of each carrier service on its lane, all months together,
	// in one read; every key is in the map (zero counts when nothing was booked). An empty
	// field of a key matches any.
	LaneScores(ctx context.Context, keys []CarrierLane) (map[CarrierLane]LaneScore, error)
}

// StockLine is the available (unreserved, unpledged) stock of a SKU in a warehouse.
type StockLine struct {
	SKUID, SKUCode, WarehouseID string
	Available                   int64
	UnitValue                   money.Money
}

// InventorySource values and pledges stock (the warehousing service satisfies it through an
// adapter in cmd/tradehub).
type InventorySource interface {
	StockForCollateral(ctx context.Context, accountID string) ([]StockLine, error)
	// PledgeStock moves qty from available to pledged, or fails with FAILED_PRECONDITION when
	// fewer are available; idempotent by loanID.
	PledgeStock(ctx context.Context, accountID, skuID, warehouseID string, qty int64, loanID string) error
	// ReleaseStock moves qty back from pledged to available; idempotent by loanID.
	ReleaseStock(ctx context.Context, accountID, skuID, warehouseID string, qty int64, loanID string) error
}

// POCollateral mirrors what procurement exposes of a purchase order for financing.
type POCollateral struct {
	ID, Number, Status, SupplierID, SupplierCountry, DestinationWarehouseID string
	Confirmed, Received                                                     money.Money
}

// PurchaseOrderSource values purchase orders (procurement satisfies it). Nil until procurement is
// wired: PURCHASE_ORDER collateral is then COLLATERAL_UNAVAILABLE.
type PurchaseOrderSource interface {
	PurchaseOrdersForCollateral(ctx context.Context, accountID string) ([]POCollateral, error)
	PurchaseOrderForCollateral(ctx context.Context, accountID, poID string) (POCollateral, error)
}

// UsageRecorder records billable usage idempotently by source key (usage.Service satisfies it).
type UsageRecorder interface {
	Record(ctx context.Context, r usage.Record) (usage.Record, bool, error)
}

// Notifier is told after a write that queued events (events.Relay satisfies it).
type Notifier interface{ Notify() }

// Config is the service's setup. DB, Access, Partners, Shipments, Inventory and Usage are
// required; PurchaseOrders, Relay, Subscriber, Clock and Logger are optional.
type Config struct {
	DB             *mongo.Database
	Access         Authorizer
	Partners       Partners
	Shipments      ShipmentSource
	Inventory      InventorySource
	PurchaseOrders PurchaseOrderSource
	Usage          UsageRecorder
	Relay          Notifier
	Subscriber     Subscriber // optional: needed by SubscribeFinancing
	Clock          clock.Clock
	Logger         *slog.Logger
}

// Service is the financing service. It is safe for concurrent use.
type Service struct {
	cfg        Config
	access     Authorizer
	clock      clock.Clock
	log        *slog.Logger
	products   *mongo.Collection
	facilities *mongo.Collection
	requests   *mongo.Collection
	loans      *mongo.Collection
	claims     *mongo.Collection
	funded     chan struct{}
}

// Funded signals (coalesced) that a loan was funded, so that a watcher of pledged shipments can
// follow a new account at once.
func (s *Service) Funded() <-chan struct{} { return s.funded }

// NewService returns the financing service. It panics when a required dependency is missing:
// the wiring is fixed, so that is a programming error.
func NewService(cfg Config) *Service {
	if cfg.DB == nil || cfg.Access == nil || cfg.Partners == nil || cfg.Shipments == nil || cfg.Inventory == nil || cfg.Usage == nil {
		panic("financing.NewService: DB, Access, Partners, Shipments, Inventory and Usage are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.System()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	o := options.Collection().SetRegistry(registry)
	db := cfg.DB
	return &Service{cfg: cfg, access: cfg.Access, clock: cfg.Clock, log: cfg.Logger,
		products: db.Collection(CollProducts, o), facilities: db.Collection(CollFacilities, o),
		requests: db.Collection(CollRequests, o), loans: db.Collection(CollLoans, o),
		claims: db.Collection(CollClaims, o), funded: make(chan struct{}, 1)}
}

func (s *Service) notify() {
	if s.cfg.Relay != nil {
		s.cfg.Relay.Notify()
	}
}

// actor is the principal's id for records, "" for the system.
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

// scope is what the caller may see of an account's financing: everything (the seller, staff),
// or only what concerns its own partner.
type scope struct {
	partnerID string // "" = all partners
}

func (sc scope) sees(partnerID string) bool { return sc.partnerID == "" || sc.partnerID == partnerID }

// readScope authorizes reading the account's financing and returns the caller's scope. A partner
// sees only its own business with the account; the access service has already refused a partner
// without consent (NOT_FOUND).
func (s *Service) readScope(ctx context.Context, accountID string) (scope, error) {
	if err := s.access.Require(ctx, accountID, ResFinancing, access.Read); err != nil {
		return scope{}, err
	}
	return scope{partnerID: s.cfg.Partners.PartnerOf(ctx)}, nil
}

// requirePartnerAct authorizes a partner decision on the account for the partner owning the
// object: another partner's object is NOT_FOUND, a reader without the right is FORBIDDEN.
func (s *Service) requirePartnerAct(ctx context.Context, accountID, partnerID string, res access.Resource) error {
	sc, err := s.readScope(ctx, accountID)
	if err != nil {
		return err
	}
	if !sc.sees(partnerID) {
		return ErrNotFound
	}
	return s.requireWrite(ctx, accountID, res)
}

// requireWrite authorizes a financing change. The change resources have no read of their own,
// so the access service would answer NOT_FOUND to anyone refused; a caller who reads the
// account's financing gets FORBIDDEN instead, as for every other resource.
func (s *Service) requireWrite(ctx context.Context, accountID string, res access.Resource) error {
	err := s.access.Require(ctx, accountID, res, access.Write)
	if errs.IsCode(err, errs.NotFound) && s.access.Require(ctx, accountID, ResFinancing, access.Read) == nil {
		return access.ErrForbidden
	}
	return err
}

func internal(what string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errs.As(err); ok {
		return err
	}
	return errs.Internalf("financing: %s: %w", what, err)
}

// notFoundAt puts every NOT_FOUND on the input field of the id, so that a foreign id (refused
// by access) and a missing one (absent from the store) answer alike.
func notFoundAt(err error, field string) error {
	if errs.IsCode(err, errs.NotFound) {
		return ErrNotFound.With(field, nil)
	}
	return err
}

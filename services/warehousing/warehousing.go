// Package warehousing is the 3PL's warehouse business: the platform's warehouses, each account's
// SKUs, inbound receipts (ASNs), inventory balances and their movements, fulfilment orders,
// transfers between warehouses, returns, adjustments and cycle counts, the storage and handling
// usage that invoicing bills, and the valuation that financing reads.
//
// # Inventory balances
//
// The stock of one SKU in one warehouse is ONE document, changed only by guarded single-document
// updates: a reservation is
//
//	findOneAndUpdate({_id, available: {$gte: q}},
//	                 {$inc: {available: -q, reserved: +q}, $push: {movements: m, outbox: e}})
//
// so two writers can never both take the last unit, and no bucket ever goes negative (every
// decrement is guarded by the bucket it takes from). Its buckets:
//
//	awaitingPutaway  received (or returned) on the dock, not yet in a storage location
//	onHand           in storage locations, sellable or not yet: includes reserved and pledged
//	reserved         promised to fulfilment orders (part of onHand)
//	pledged          promised to a lender as collateral (part of onHand); nothing writes it yet:
//	                 financing will pledge and release through its own guarded updates, and
//	                 reservations already respect it, because they only take from available
//	available        onHand − reserved − pledged, stored (not computed) so that it can guard
//	picked           picked and packed for an order, out of its location, not yet shipped
//	damaged          quarantined: received damaged, written off, or damaged in the warehouse
//	inTransferOut    left this warehouse for another, not yet received there
//	inTransferIn     on its way here from another warehouse
//
// # Movements, and why they cannot be lost
//
// Every change of a balance is an immutable movement (reason, actor, the change of each bucket,
// and what caused it: an order, a receipt...). The store has no transactions, so the movement
// travels IN THE SAME WRITE as the change: it is pushed onto the balance document's
// "movements" array by the very update that applies it. Either both are stored or neither is.
// Right after the write the service copies the movement into the movements collection, keyed by
// the movement's id (a duplicate key means it is already there), and pulls it from the array.
// Whatever a crash leaves in the array is copied by Settle, which the movement queries run for
// the balances they read and a background sweep runs for all; both are idempotent. So at every
// instant the movements of a balance (collection plus pending array) add up, bucket by bucket,
// to the balance: the tests check it after concurrent traffic.
//
// # Orders, and what a crash can leave
//
// An order's state changes with guarded updates on the order ({_id, status: from}), so two
// callers cannot both pick or cancel it; the stock movements it causes follow the transition.
// Reservation is all-or-nothing: lines are reserved one by one, and on the first line that is
// short the lines already reserved are released again and the order is BACKORDERED. Backorders
// are retried oldest first whenever stock arrives in their warehouse (putaway, a positive
// adjustment or count, a transfer in, a restocked return, a cancelled order); an order that is
// short of the arriving SKU stops the queue for that SKU, so a younger order cannot overtake it.
//
// What a crash between two writes leaves is written down rather than hidden: a process that dies
// between an order's transition and its stock movements (or in the middle of a reservation)
// leaves that order's stock unapplied or partly reserved; the movements name the order, so a
// reconciliation can find it, but no job does that yet.
//
// # Events and usage
//
// Every change pushes its event into the outbox of the document it changes (events.Push), in the
// same write, and the relay publishes it: inventory.* on balances, receipt.*, order.*,
// transfer.*, return.*, sku.*, warehouse.*. Billable usage is recorded after the change with
// deterministic source keys, so retries never bill twice.
package warehousing

import (
	"time"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
)

// WarehouseKind is what a warehouse is for.
type WarehouseKind string

const (
	Domestic WarehouseKind = "DOMESTIC" // in the seller's home market
	Overseas WarehouseKind = "OVERSEAS" // in a destination market, for fast local delivery
	Bonded   WarehouseKind = "BONDED"   // under customs control: duty is paid when goods leave
)

// Address is a postal address.
type Address struct {
	Line1, Line2, City, Region, PostalCode string
	Country                                string // ISO 3166-1 alpha-2
}

// Warehouse is one of the 3PL's warehouses.
type Warehouse struct {
	ID           string
	Code         string // short and unique, such as SZX1
	Name         string
	Address      Address
	Timezone     string // IANA name, such as Asia/Shanghai
	Kind         WarehouseKind
	Capabilities []string // such as COLD_CHAIN, HAZMAT, KITTING
	Active       bool
	CreatedAt    time.Time
}

// WeightUnit and LengthUnit are the units a SKU's measurements are given in.
type (
	WeightUnit string
	LengthUnit string
)

const (
	Gram     WeightUnit = "G"
	Kilogram WeightUnit = "KG"
	Pound    WeightUnit = "LB"
	Ounce    WeightUnit = "OZ"

	Millimetre LengthUnit = "MM"
	Centimetre LengthUnit = "CM"
	Metre      LengthUnit = "M"
	Inch       LengthUnit = "IN"
)

// Weight is a weight as given (Value is a plain decimal string) and in milligrams.
type Weight struct {
	Value      string
	Unit       WeightUnit
	Milligrams int64
}

// Dimensions are a unit's outer dimensions as given and in micrometres.
type Dimensions struct {
	Length, Width, Height string
	Unit                  LengthUnit
	LengthUM, WidthUM     int64
	HeightUM              int64
}

// ReorderPoint says when a SKU's stock in a warehouse is low, and how much to reorder.
type ReorderPoint struct {
	WarehouseID string
	Point       int64 // low when available < Point
	Quantity    int64 // the usual reorder quantity; 0 means "up to the point"
}

// SKU is a product an account stores.
type SKU struct {
	ID              string
	AccountID       string
	Code            string // unique per account
	Name            string
	Description     string
	Barcode         string
	HSCode          string // 6, 8 or 10 digits
	CountryOfOrigin string
	UnitValue       money.Money
	Weight          *Weight
	Dimensions      *Dimensions
	TracksLots      bool
	ReorderPoints   []ReorderPoint
	CreatedAt       time.Time
}

// Balance is the stock of one SKU in one warehouse. See the package doc for the buckets.
type Balance struct {
	ID              string
	AccountID       string
	SKUID           string
	WarehouseID     string
	AwaitingPutaway int64
	OnHand          int64
	Reserved        int64
	Pledged         int64
	Available       int64
	Picked          int64
	Damaged         int64
	InTransferOut   int64
	InTransferIn    int64
	LowStock        bool // available is below the SKU's reorder point here
	UpdatedAt       time.Time
}

// Reason is why stock moved.
type Reason string

const (
	ReasonReceipt     Reason = "RECEIPT"
	ReasonPutaway     Reason = "PUTAWAY"
	ReasonReserve     Reason = "RESERVE"
	ReasonRelease     Reason = "RELEASE"
	ReasonPick        Reason = "PICK"
	ReasonShip        Reason = "SHIP"
	ReasonAdjustment  Reason = "ADJUSTMENT"
	ReasonCycleCount  Reason = "CYCLE_COUNT"
	ReasonTransferOut Reason = "TRANSFER_OUT"
	ReasonTransferIn  Reason = "TRANSFER_IN"
	ReasonReturn      Reason = "RETURN"
	ReasonDamage      Reason = "DAMAGE"
)

// Delta is a change of each bucket of a balance.
type Delta struct {
	AwaitingPutaway, OnHand, Reserved, Pledged, Available int64
	Picked, Damaged, InTransferOut, InTransferIn          int64
}

// Movement is one immutable change of a balance.
type Movement struct {
	ID          string
	AccountID   string
	SKUID       string
	WarehouseID string
	Reason      Reason
	Delta       Delta
	Actor       string // the principal, or "" for the system
	// Source names what caused it: an order, receipt, transfer or return id, or "".
	Source     string
	Lot        string
	ReasonCode AdjustmentReason // adjustments and counts
	Note       string
	OccurredAt time.Time
}

// AdjustmentReason is why an adjustment was made.
type AdjustmentReason string

const (
	AdjustFound      AdjustmentReason = "FOUND"
	AdjustLost       AdjustmentReason = "LOST"
	AdjustDamaged    AdjustmentReason = "DAMAGED"
	AdjustExpired    AdjustmentReason = "EXPIRED"
	AdjustCorrection AdjustmentReason = "CORRECTION"
	AdjustCycleCount AdjustmentReason = "CYCLE_COUNT"
)

// ReceiptStatus is where an inbound receipt stands.
type ReceiptStatus string

const (
	ReceiptExpected ReceiptStatus = "EXPECTED"
	ReceiptReceived ReceiptStatus = "RECEIVED"
	ReceiptPutAway  ReceiptStatus = "PUT_AWAY"
	ReceiptCanceled ReceiptStatus = "CANCELLED"
)

// ReceiptLine is one SKU expected on a receipt and what arrived.
type ReceiptLine struct {
	SKUID    string
	Expected int64
	Received int64 // in good condition
	Damaged  int64
	Lot      string
	Expiry   *time.Time
}

// Over and Short are the line's discrepancy: more or fewer units arrived than expected.
func (l ReceiptLine) Over() int64  { return max(0, l.Received+l.Damaged-l.Expected) }
func (l ReceiptLine) Short() int64 { return max(0, l.Expected-l.Received-l.Damaged) }

// Receipt is an advance shipping notice and its receiving.
type Receipt struct {
	ID              string
	AccountID       string
	WarehouseID     string
	Reference       string
	PurchaseOrderID string
	ShipmentID      string
	ExpectedAt      *time.Time
	Status          ReceiptStatus
	Lines           []ReceiptLine
	ReceivedAt      *time.Time
	PutAwayAt       *time.Time
	CreatedAt       time.Time
}

// HasDiscrepancy reports whether any line arrived over, short or damaged. Before anything has
// arrived (EXPECTED, or cancelled unreceived) there is nothing to compare yet.
func (r Receipt) HasDiscrepancy() bool {
	if r.ReceivedAt == nil {
		return false
	}
	for _, l := range r.Lines {
		if l.Over() > 0 || l.Short() > 0 || l.Damaged > 0 {
			return true
		}
	}
	return false
}

// OrderStatus is where a fulfilment order stands.
type OrderStatus string

const (
	OrderPending     OrderStatus = "PENDING" // being allocated right now
	OrderBackordered OrderStatus = "BACKORDERED"
	OrderReserved    OrderStatus = "RESERVED"
	OrderPicked      OrderStatus = "PICKED"
	OrderPacked      OrderStatus = "PACKED"
	OrderShipped     OrderStatus = "SHIPPED"
	OrderDelivered   OrderStatus = "DELIVERED"
	OrderCancelled   OrderStatus = "CANCELLED"
)

// ServiceLevel is the delivery speed a seller asks for.
type ServiceLevel string

const (
	Economy  ServiceLevel = "ECONOMY"
	Standard ServiceLevel = "STANDARD"
	Express  ServiceLevel = "EXPRESS"
)

// OrderLine is one SKU of an order.
type OrderLine struct {
	SKUID    string
	Quantity int64
	Reserved int64 // units reserved for this line now
}

// Package is one parcel of a packed order.
type Package struct {
	WeightGrams                 int64
	LengthMM, WidthMM, HeightMM int64
}

// Order is a fulfilment (outbound) order.
type Order struct {
	ID             string
	AccountID      string
	WarehouseID    string
	IdempotencyKey string
	Reference      string
	Status         OrderStatus
	ServiceLevel   ServiceLevel
	ShipTo         ShipTo
	Lines          []OrderLine
	Packages       []Package
	Carrier        string
	TrackingNumber string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	ShippedAt      *time.Time
	DeliveredAt    *time.Time
	CancelledAt    *time.Time
}

// ShipTo is where an order goes.
type ShipTo struct {
	Name    string
	Phone   string
	Email   string
	Address Address
}

// TransferStatus is where a transfer stands.
type TransferStatus string

const (
	TransferInTransit TransferStatus = "IN_TRANSIT"
	TransferReceived  TransferStatus = "RECEIVED"
)

// TransferLine is one SKU of a transfer.
type TransferLine struct {
	SKUID    string
	Quantity int64
}

// Transfer moves stock from one warehouse to another.
type Transfer struct {
	ID              string
	AccountID       string
	FromWarehouseID string
	ToWarehouseID   string
	Status          TransferStatus
	Lines           []TransferLine
	CreatedAt       time.Time
	ReceivedAt      *time.Time
}

// ReturnStatus is where a return stands.
type ReturnStatus string

const (
	ReturnExpected   ReturnStatus = "EXPECTED"
	ReturnReceived   ReturnStatus = "RECEIVED"
	ReturnRestocked  ReturnStatus = "RESTOCKED"
	ReturnWrittenOff ReturnStatus = "WRITTEN_OFF"
)

// ReturnLine is one SKU expected back.
type ReturnLine struct {
	SKUID    string
	Quantity int64
	Received int64
}

// Return is a return authorization (RMA).
type Return struct {
	ID          string
	AccountID   string
	WarehouseID string
	OrderID     string
	Reason      string
	Status      ReturnStatus
	Lines       []ReturnLine
	CreatedAt   time.Time
	ReceivedAt  *time.Time
	ResolvedAt  *time.Time
}

// ValuationLine is the value of the available stock of one SKU in one warehouse.
type ValuationLine struct {
	SKUID       string
	WarehouseID string
	Available   int64
	UnitValue   money.Money
	Value       money.Money
}

// Valuation is an account's inventory at unit value: the collateral financing reads.
type Valuation struct {
	AccountID string
	Lines     []ValuationLine
	Totals    []money.Money // one per currency, in currency code order
	AsOf      time.Time
}

// Errors of this domain. Generic ones (NOT_FOUND, FORBIDDEN...) come from errs and access.
var (
	ErrNotFound            = errs.Sentinel(errs.NotFound, "NOT_FOUND", "not found")
	ErrInsufficientStock   = errs.Sentinel(errs.FailedPrecondition, "INSUFFICIENT_STOCK", "not enough stock available")
	ErrIdempotencyKeyReuse = errs.Sentinel(errs.Conflict, "IDEMPOTENCY_KEY_REUSED", "this idempotency key was used for a different request")
	ErrInvalidTransition   = errs.Sentinel(errs.FailedPrecondition, "INVALID_TRANSITION", "the object's status does not allow this")
	ErrLotRequired         = errs.Sentinel(errs.Invalid, "LOT_REQUIRED", "this SKU tracks lots: give the lot")
	ErrTooManyLines        = errs.Sentinel(errs.Invalid, "TOO_MANY_LINES", "more lines than the receipt expects")
	ErrBelowCommitted      = errs.Sentinel(errs.FailedPrecondition, "COUNT_BELOW_COMMITTED", "the count is below the units reserved or pledged")
	ErrAlreadyExists       = errs.Sentinel(errs.Conflict, "ALREADY_EXISTS", "already exists")
	ErrWarehouseInactive   = errs.Sentinel(errs.FailedPrecondition, "WAREHOUSE_INACTIVE", "the warehouse is not active")
)

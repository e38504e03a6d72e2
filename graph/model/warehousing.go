package model

import "time"

// Warehousing models bound in gqlgen.yml: they hold the ids of the SKUs and warehouses they
// relate to, and gqlgen generates a field resolver for each relation, which loads it through the
// request's dataloaders, so a list of 100 orders costs the same store round trips as one.

// Sku is a SKU; balances, movements and suggested reorders are resolved on demand.
type Sku struct {
	ID              string
	AccountID       string
	Code            string
	Name            string
	Description     *string
	Barcode         *string
	HsCode          *string
	CountryOfOrigin *string
	UnitValue       *Money
	Weight          *Weight
	Dimensions      *Dimensions
	TracksLots      bool
	ReorderPoints   []ReorderPoint
	CreatedAt       time.Time
}

func (Sku) IsNode() {}

// ReorderPoint is a SKU's reorder point in a warehouse.
type ReorderPoint struct {
	WarehouseID string
	Point       int
	Quantity    int
}

// SuggestedReorder is where a SKU is low.
type SuggestedReorder struct {
	WarehouseID  string
	Available    int
	ReorderPoint int
	Quantity     int
}

// InventoryBalance is one SKU in one warehouse.
type InventoryBalance struct {
	SkuID           string
	WarehouseID     string
	AwaitingPutaway int
	OnHand          int
	Reserved        int
	Pledged         int
	Available       int
	Picked          int
	Damaged         int
	InTransferOut   int
	InTransferIn    int
	LowStock        bool
	UpdatedAt       *time.Time
}

// StockMovement is one change of a balance.
type StockMovement struct {
	ID               string
	WarehouseID      string
	Reason           StockMovementReason
	Delta            *StockDelta
	ActorID          *string
	SourceID         *string
	Lot              *string
	AdjustmentReason *AdjustmentReason
	Note             *string
	OccurredAt       time.Time
}

// Receipt is an inbound receipt.
type Receipt struct {
	ID              string
	AccountID       string
	WarehouseID     string
	Reference       *string
	PurchaseOrderID *string
	ShipmentID      *string
	ExpectedAt      *time.Time
	Status          ReceiptStatus
	Lines           []ReceiptLine
	HasDiscrepancy  bool
	ReceivedAt      *time.Time
	PutAwayAt       *time.Time
	CreatedAt       time.Time
}

func (Receipt) IsNode() {}

// ReceiptLine is one SKU of a receipt.
type ReceiptLine struct {
	SkuID     string
	Expected  int
	Received  int
	Damaged   int
	Over      int
	Short     int
	Lot       *string
	ExpiresAt *time.Time
}

// FulfilmentOrder is an outbound order.
type FulfilmentOrder struct {
	ID             string
	AccountID      string
	WarehouseID    string
	IdempotencyKey string
	Reference      *string
	Status         FulfilmentOrderStatus
	ServiceLevel   ServiceLevel
	ShipTo         *ShipTo
	Lines          []FulfilmentOrderLine
	Packages       []Package
	Carrier        *string
	TrackingNumber *string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	ShippedAt      *time.Time
	DeliveredAt    *time.Time
	CancelledAt    *time.Time
}

func (FulfilmentOrder) IsNode() {}

// FulfilmentOrderLine is one SKU of an order.
type FulfilmentOrderLine struct {
	SkuID    string
	Quantity int
	Reserved int
}

// Transfer moves stock between warehouses.
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

func (Transfer) IsNode() {}

// TransferLine is one SKU of a transfer.
type TransferLine struct {
	SkuID    string
	Quantity int
}

// Return is a return authorization.
type Return struct {
	ID          string
	AccountID   string
	WarehouseID string
	OrderID     *string
	Reason      *string
	Status      ReturnStatus
	Lines       []ReturnLine
	CreatedAt   time.Time
	ReceivedAt  *time.Time
	ResolvedAt  *time.Time
}

func (Return) IsNode() {}

// ReturnLine is one SKU of a return.
type ReturnLine struct {
	SkuID    string
	Quantity int
	Received int
}

// InventoryValuationLine values one SKU in one warehouse.
type InventoryValuationLine struct {
	SkuID       string
	WarehouseID string
	Available   int
	UnitValue   *Money
	Value       *Money
}

// StorageSnapshot is one account's storage in one warehouse on a day.
type StorageSnapshot struct {
	AccountID       string
	WarehouseID     string
	Day             string
	Units           int
	CubicMetres     string
	Pallets         int
	AlreadyRecorded bool
}

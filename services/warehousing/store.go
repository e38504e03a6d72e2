package warehousing

import (
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/internal/mongodb"
)

// Collections of this package.
const (
	collWarehouses = "warehouses"
	collSKUs       = "skus"
	collBalances   = "inventory_balances"
	collMovements  = "stock_movements"
	collReceipts   = "receipts"
	collOrders     = "fulfilment_orders"
	collTransfers  = "transfers"
	collReturns    = "returns"
)

// OutboxCollections are the collections whose documents carry an events outbox; cmd/tradehub
// hands them to the events relay.
func OutboxCollections() []string {
	return []string{collWarehouses, collSKUs, collBalances, collReceipts, collOrders, collTransfers, collReturns}
}

// Field names, in one place.
const (
	fID          = "_id"
	fAccountID   = "accountId"
	fSKUID       = "skuId"
	fWarehouseID = "warehouseId"
	fStatus      = "status"
	fCreatedAt   = "createdAt"
	fUpdatedAt   = "updatedAt"
	fCode        = "code"
	fOccurredAt  = "occurredAt"
	fLowStock    = "lowStock"
	fPending     = "pendingMovements" // movements written with their change, not yet copied
	fIdemKey     = "idempotencyKey"
	fLinesSKU    = "lines.skuId"
	fActive      = "active"
	fName        = "name"
	fSource      = "source"
	fClaim       = "claim"

	// Balance buckets.
	fAwaiting      = "awaitingPutaway"
	fOnHand        = "onHand"
	fReserved      = "reserved"
	fPledged       = "pledged"
	fAvailable     = "available"
	fPicked        = "picked"
	fDamaged       = "damaged"
	fInTransferOut = "inTransferOut"
	fInTransferIn  = "inTransferIn"
)

// Indexes are this package's indexes, ensured at start-up. accountId leads every index of a
// tenant's collection: it is the shard key on a sharded cluster.
func Indexes() []mongodb.Indexes {
	idx := func(name string, unique bool, keys ...string) mongo.IndexModel {
		d := bson.D{}
		for _, k := range keys {
			d = append(d, bson.E{Key: k, Value: 1})
		}
		o := options.Index().SetName(name)
		if unique {
			o.SetUnique(true)
		}
		return mongo.IndexModel{Keys: d, Options: o}
	}
	return []mongodb.Indexes{
		{Collection: collWarehouses, Models: []mongo.IndexModel{
			idx("code", true, fCode),
			idx("active_code", false, fActive, fCode),
		}},
		{Collection: collSKUs, Models: []mongo.IndexModel{
			idx("account_code", true, fAccountID, fCode),
		}},
		{Collection: collBalances, Models: []mongo.IndexModel{
			idx("account_sku_warehouse", true, fAccountID, fSKUID, fWarehouseID),
			idx("account_warehouse", false, fAccountID, fWarehouseID),
		}},
		{Collection: collMovements, Models: []mongo.IndexModel{
			idx("account_sku_occurredAt_id", false, fAccountID, fSKUID, fOccurredAt, fID),
			// What an order holds, for reconciling a PENDING order (reconcile.go).
			idx("account_source", false, fAccountID, fSource),
		}},
		{Collection: collReceipts, Models: []mongo.IndexModel{
			idx("account_createdAt_id", false, fAccountID, fCreatedAt, fID),
		}},
		{Collection: collOrders, Models: []mongo.IndexModel{
			idx("account_idempotencyKey", true, fAccountID, fIdemKey),
			idx("account_createdAt_id", false, fAccountID, fCreatedAt, fID),
			idx("account_warehouse_status_sku_createdAt", false, fAccountID, fWarehouseID, fStatus, fLinesSKU, fCreatedAt),
			// The reconcile sweep looks across accounts for stale PENDING orders (there are
			// almost none), so status leads here.
			idx("status_updatedAt", false, fStatus, fUpdatedAt),
		}},
		{Collection: collTransfers, Models: []mongo.IndexModel{
			idx("account_createdAt_id", false, fAccountID, fCreatedAt, fID),
		}},
		{Collection: collReturns, Models: []mongo.IndexModel{
			idx("account_createdAt_id", false, fAccountID, fCreatedAt, fID),
		}},
	}
}

type addressDoc struct {
	Line1      string `bson:"line1"`
	Line2      string `bson:"line2,omitempty"`
	City       string `bson:"city"`
	Region     string `bson:"region,omitempty"`
	PostalCode string `bson:"postalCode,omitempty"`
	Country    string `bson:"country"`
}

func toAddressDoc(a Address) addressDoc { return addressDoc(a) }
func (d addressDoc) toAddress() Address { return Address(d) }

type warehouseDoc struct {
	ID           string     `bson:"_id"`
	Code         string     `bson:"code"`
	Name         string     `bson:"name"`
	Address      addressDoc `bson:"address"`
	Timezone     string     `bson:"timezone"`
	Kind         string     `bson:"kind"`
	Capabilities []string   `bson:"capabilities"`
	Active       bool       `bson:"active"`
	CreatedAt    time.Time  `bson:"createdAt"`
	UpdatedAt    time.Time  `bson:"updatedAt"`
}

func (d warehouseDoc) toWarehouse() Warehouse {
	return Warehouse{ID: d.ID, Code: d.Code, Name: d.Name, Address: d.Address.toAddress(), Timezone: d.Timezone,
		Kind: WarehouseKind(d.Kind), Capabilities: append([]string{}, d.Capabilities...), Active: d.Active, CreatedAt: d.CreatedAt}
}

var warehouseKeyset = mongodb.Keyset[warehouseDoc]{
	Field: fCode,
	Key:   func(d warehouseDoc) cursor.Cursor { return cursor.Cursor{Key: d.Code, ID: d.ID} },
	Value: mongodb.StringKey,
}

type weightDoc struct {
	Value      string `bson:"value"`
	Unit       string `bson:"unit"`
	Milligrams int64  `bson:"mg"`
}

type dimensionsDoc struct {
	Length   string `bson:"length"`
	Width    string `bson:"width"`
	Height   string `bson:"height"`
	Unit     string `bson:"unit"`
	LengthUM int64  `bson:"lengthUm"`
	WidthUM  int64  `bson:"widthUm"`
	HeightUM int64  `bson:"heightUm"`
}

type reorderDoc struct {
	WarehouseID string `bson:"warehouseId"`
	Point       int64  `bson:"point"`
	Quantity    int64  `bson:"quantity"`
}

type moneyDoc struct {
	Minor    int64  `bson:"minor"`
	Currency string `bson:"currency"`
}

func toMoneyDoc(m money.Money) moneyDoc {
	return moneyDoc{Minor: m.Amount, Currency: m.Currency.Code()}
}

func (d moneyDoc) toMoney() money.Money {
	c, _ := money.ParseCurrency(d.Currency) // validated on write
	return money.New(d.Minor, c)
}

type skuDoc struct {
	ID              string         `bson:"_id"`
	AccountID       string         `bson:"accountId"`
	Code            string         `bson:"code"`
	Name            string         `bson:"name"`
	NameKey         string         `bson:"nameKey"` // lower-cased name and code, for search
	Description     string         `bson:"description,omitempty"`
	Barcode         string         `bson:"barcode,omitempty"`
	HSCode          string         `bson:"hsCode,omitempty"`
	CountryOfOrigin string         `bson:"countryOfOrigin,omitempty"`
	UnitValue       moneyDoc       `bson:"unitValue"`
	Weight          *weightDoc     `bson:"weight,omitempty"`
	Dimensions      *dimensionsDoc `bson:"dimensions,omitempty"`
	TracksLots      bool           `bson:"tracksLots"`
	ReorderPoints   []reorderDoc   `bson:"reorderPoints"`
	CreatedAt       time.Time      `bson:"createdAt"`
	UpdatedAt       time.Time      `bson:"updatedAt"`
}

func (d skuDoc) toSKU() SKU {
	s := SKU{ID: d.ID, AccountID: d.AccountID, Code: d.Code, Name: d.Name, Description: d.Description,
		Barcode: d.Barcode, HSCode: d.HSCode, CountryOfOrigin: d.CountryOfOrigin, UnitValue: d.UnitValue.toMoney(),
		TracksLots: d.TracksLots, CreatedAt: d.CreatedAt}
	if d.Weight != nil {
		s.Weight = &Weight{Value: d.Weight.Value, Unit: WeightUnit(d.Weight.Unit), Milligrams: d.Weight.Milligrams}
	}
	if d.Dimensions != nil {
		x := d.Dimensions
		s.Dimensions = &Dimensions{Length: x.Length, Width: x.Width, Height: x.Height, Unit: LengthUnit(x.Unit),
			LengthUM: x.LengthUM, WidthUM: x.WidthUM, HeightUM: x.HeightUM}
	}
	for _, r := range d.ReorderPoints {
		s.ReorderPoints = append(s.ReorderPoints, ReorderPoint(r))
	}
	return s
}

var skuKeyset = mongodb.Keyset[skuDoc]{
	Field: fCode,
	Key:   func(d skuDoc) cursor.Cursor { return cursor.Cursor{Key: d.Code, ID: d.ID} },
	Value: mongodb.StringKey,
}

// balanceDoc is one SKU in one warehouse. Its _id is "<skuId>:<warehouseId>", so the first
// write of a pair can upsert it without a race creating two.
type balanceDoc struct {
	ID              string    `bson:"_id"`
	AccountID       string    `bson:"accountId"`
	SKUID           string    `bson:"skuId"`
	WarehouseID     string    `bson:"warehouseId"`
	AwaitingPutaway int64     `bson:"awaitingPutaway"`
	OnHand          int64     `bson:"onHand"`
	Reserved        int64     `bson:"reserved"`
	Pledged         int64     `bson:"pledged"`
	Available       int64     `bson:"available"`
	Picked          int64     `bson:"picked"`
	Damaged         int64     `bson:"damaged"`
	InTransferOut   int64     `bson:"inTransferOut"`
	InTransferIn    int64     `bson:"inTransferIn"`
	LowStock        bool      `bson:"lowStock"`
	UpdatedAt       time.Time `bson:"updatedAt"`
}

func balanceID(skuID, warehouseID string) string { return skuID + ":" + warehouseID }

func (d balanceDoc) toBalance() Balance {
	return Balance{ID: d.ID, AccountID: d.AccountID, SKUID: d.SKUID, WarehouseID: d.WarehouseID,
		AwaitingPutaway: d.AwaitingPutaway, OnHand: d.OnHand, Reserved: d.Reserved, Pledged: d.Pledged,
		Available: d.Available, Picked: d.Picked, Damaged: d.Damaged, InTransferOut: d.InTransferOut,
		InTransferIn: d.InTransferIn, LowStock: d.LowStock, UpdatedAt: d.UpdatedAt}
}

var balanceKeyset = mongodb.Keyset[balanceDoc]{
	Field: fSKUID,
	Key:   func(d balanceDoc) cursor.Cursor { return cursor.Cursor{Key: d.SKUID, ID: d.ID} },
	Value: mongodb.StringKey,
}

type deltaDoc struct {
	AwaitingPutaway int64 `bson:"awaitingPutaway,omitempty"`
	OnHand          int64 `bson:"onHand,omitempty"`
	Reserved        int64 `bson:"reserved,omitempty"`
	Pledged         int64 `bson:"pledged,omitempty"`
	Available       int64 `bson:"available,omitempty"`
	Picked          int64 `bson:"picked,omitempty"`
	Damaged         int64 `bson:"damaged,omitempty"`
	InTransferOut   int64 `bson:"inTransferOut,omitempty"`
	InTransferIn    int64 `bson:"inTransferIn,omitempty"`
}

// inc is the $inc document of a delta: only the buckets that change.
func (d Delta) inc() bson.D {
	out := bson.D{}
	for _, b := range []struct {
		f string
		v int64
	}{{fAwaiting, d.AwaitingPutaway}, {fOnHand, d.OnHand}, {fReserved, d.Reserved}, {fPledged, d.Pledged},
		{fAvailable, d.Available}, {fPicked, d.Picked}, {fDamaged, d.Damaged},
		{fInTransferOut, d.InTransferOut}, {fInTransferIn, d.InTransferIn}} {
		if b.v != 0 {
			out = append(out, bson.E{Key: b.f, Value: b.v})
		}
	}
	return out
}

// guard is the filter that keeps every bucket the delta takes from at zero or above.
func (d Delta) guard() bson.D {
	out := bson.D{}
	for _, b := range []struct {
		f string
		v int64
	}{{fAwaiting, d.AwaitingPutaway}, {fOnHand, d.OnHand}, {fReserved, d.Reserved}, {fPledged, d.Pledged},
		{fAvailable, d.Available}, {fPicked, d.Picked}, {fDamaged, d.Damaged},
		{fInTransferOut, d.InTransferOut}, {fInTransferIn, d.InTransferIn}} {
		if b.v < 0 {
			out = append(out, bson.E{Key: b.f, Value: bson.D{{Key: "$gte", Value: -b.v}}})
		}
	}
	return out
}

type movementDoc struct {
	ID          string    `bson:"_id"`
	AccountID   string    `bson:"accountId"`
	SKUID       string    `bson:"skuId"`
	WarehouseID string    `bson:"warehouseId"`
	Reason      string    `bson:"reason"`
	Delta       deltaDoc  `bson:"delta"`
	Actor       string    `bson:"actor,omitempty"`
	Source      string    `bson:"source,omitempty"`
	Lot         string    `bson:"lot,omitempty"`
	ReasonCode  string    `bson:"reasonCode,omitempty"`
	Note        string    `bson:"note,omitempty"`
	OccurredAt  time.Time `bson:"occurredAt"`
}

func toMovementDoc(m Movement) movementDoc {
	return movementDoc{ID: m.ID, AccountID: m.AccountID, SKUID: m.SKUID, WarehouseID: m.WarehouseID,
		Reason: string(m.Reason), Delta: deltaDoc(m.Delta), Actor: m.Actor, Source: m.Source, Lot: m.Lot,
		ReasonCode: string(m.ReasonCode), Note: m.Note, OccurredAt: m.OccurredAt}
}

func (d movementDoc) toMovement() Movement {
	return Movement{ID: d.ID, AccountID: d.AccountID, SKUID: d.SKUID, WarehouseID: d.WarehouseID,
		Reason: Reason(d.Reason), Delta: Delta(d.Delta), Actor: d.Actor, Source: d.Source, Lot: d.Lot,
		ReasonCode: AdjustmentReason(d.ReasonCode), Note: d.Note, OccurredAt: d.OccurredAt}
}

var movementKeyset = mongodb.Keyset[movementDoc]{
	Field: fOccurredAt,
	Key: func(d movementDoc) cursor.Cursor {
		return cursor.Cursor{Key: d.OccurredAt.UTC().Format(time.RFC3339Nano), ID: d.ID}
	},
	Value: timeKey,
}

func timeKey(k string) (any, error) { return time.Parse(time.RFC3339Nano, k) }

func createdKey[D any](id func(D) string, at func(D) time.Time) mongodb.Keyset[D] {
	return mongodb.Keyset[D]{
		Field: fCreatedAt,
		Key: func(d D) cursor.Cursor {
			return cursor.Cursor{Key: at(d).UTC().Format(time.RFC3339Nano), ID: id(d)}
		},
		Value: timeKey,
	}
}

type receiptLineDoc struct {
	SKUID    string     `bson:"skuId"`
	Expected int64      `bson:"expected"`
	Received int64      `bson:"received"`
	Damaged  int64      `bson:"damaged"`
	Lot      string     `bson:"lot,omitempty"`
	Expiry   *time.Time `bson:"expiry,omitempty"`
}

type receiptDoc struct {
	ID              string           `bson:"_id"`
	AccountID       string           `bson:"accountId"`
	WarehouseID     string           `bson:"warehouseId"`
	Reference       string           `bson:"reference,omitempty"`
	PurchaseOrderID string           `bson:"purchaseOrderId,omitempty"`
	ShipmentID      string           `bson:"shipmentId,omitempty"`
	ExpectedAt      *time.Time       `bson:"expectedAt,omitempty"`
	Status          string           `bson:"status"`
	Lines           []receiptLineDoc `bson:"lines"`
	ReceivedAt      *time.Time       `bson:"receivedAt,omitempty"`
	PutAwayAt       *time.Time       `bson:"putAwayAt,omitempty"`
	CreatedAt       time.Time        `bson:"createdAt"`
	UpdatedAt       time.Time        `bson:"updatedAt"`
}

func (d receiptDoc) toReceipt() Receipt {
	r := Receipt{ID: d.ID, AccountID: d.AccountID, WarehouseID: d.WarehouseID, Reference: d.Reference,
		PurchaseOrderID: d.PurchaseOrderID, ShipmentID: d.ShipmentID, ExpectedAt: d.ExpectedAt,
		Status: ReceiptStatus(d.Status), ReceivedAt: d.ReceivedAt, PutAwayAt: d.PutAwayAt, CreatedAt: d.CreatedAt}
	for _, l := range d.Lines {
		r.Lines = append(r.Lines, ReceiptLine(l))
	}
	return r
}

var receiptKeyset = createdKey(func(d receiptDoc) string { return d.ID }, func(d receiptDoc) time.Time { return d.CreatedAt })

type orderLineDoc struct {
	SKUID    string `bson:"skuId"`
	Quantity int64  `bson:"quantity"`
	Reserved int64  `bson:"reserved"`
}

type packageDoc struct {
	WeightGrams int64 `bson:"weightGrams"`
	LengthMM    int64 `bson:"lengthMm"`
	WidthMM     int64 `bson:"widthMm"`
	HeightMM    int64 `bson:"heightMm"`
}

type shipToDoc struct {
	Name    string     `bson:"name"`
	Phone   string     `bson:"phone,omitempty"`
	Email   string     `bson:"email,omitempty"`
	Address addressDoc `bson:"address"`
}

type orderDoc struct {
	ID             string         `bson:"_id"`
	AccountID      string         `bson:"accountId"`
	WarehouseID    string         `bson:"warehouseId"`
	IdempotencyKey string         `bson:"idempotencyKey"`
	PayloadHash    string         `bson:"payloadHash"`
	Reference      string         `bson:"reference,omitempty"`
	Status         string         `bson:"status"`
	ServiceLevel   string         `bson:"serviceLevel"`
	ShipTo         shipToDoc      `bson:"shipTo"`
	Lines          []orderLineDoc `bson:"lines"`
	Packages       []packageDoc   `bson:"packages,omitempty"`
	Carrier        string         `bson:"carrier,omitempty"`
	TrackingNumber string         `bson:"trackingNumber,omitempty"`
	CreatedAt      time.Time      `bson:"createdAt"`
	UpdatedAt      time.Time      `bson:"updatedAt"`
	ShippedAt      *time.Time     `bson:"shippedAt,omitempty"`
	DeliveredAt    *time.Time     `bson:"deliveredAt,omitempty"`
	CancelledAt    *time.Time     `bson:"cancelledAt,omitempty"`
	// Claim is the token of the reconciler that last claimed the order while PENDING; its
	// final transition is guarded on it, so two reconcilers cannot both finish it.
	Claim string `bson:"claim,omitempty"`
}

func (d orderDoc) toOrder() Order {
	o := Order{ID: d.ID, AccountID: d.AccountID, WarehouseID: d.WarehouseID, IdempotencyKey: d.IdempotencyKey,
		Reference: d.Reference, Status: OrderStatus(d.Status), ServiceLevel: ServiceLevel(d.ServiceLevel),
		ShipTo:  ShipTo{Name: d.ShipTo.Name, Phone: d.ShipTo.Phone, Email: d.ShipTo.Email, Address: d.ShipTo.Address.toAddress()},
		Carrier: d.Carrier, TrackingNumber: d.TrackingNumber, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
		ShippedAt: d.ShippedAt, DeliveredAt: d.DeliveredAt, CancelledAt: d.CancelledAt}
	for _, l := range d.Lines {
		o.Lines = append(o.Lines, OrderLine(l))
	}
	for _, p := range d.Packages {
		o.Packages = append(o.Packages, Package(p))
	}
	return o
}

var orderKeyset = createdKey(func(d orderDoc) string { return d.ID }, func(d orderDoc) time.Time { return d.CreatedAt })

type transferLineDoc struct {
	SKUID    string `bson:"skuId"`
	Quantity int64  `bson:"quantity"`
}

type transferDoc struct {
	ID              string            `bson:"_id"`
	AccountID       string            `bson:"accountId"`
	FromWarehouseID string            `bson:"fromWarehouseId"`
	ToWarehouseID   string            `bson:"toWarehouseId"`
	Status          string            `bson:"status"`
	Lines           []transferLineDoc `bson:"lines"`
	CreatedAt       time.Time         `bson:"createdAt"`
	UpdatedAt       time.Time         `bson:"updatedAt"`
	ReceivedAt      *time.Time        `bson:"receivedAt,omitempty"`
}

func (d transferDoc) toTransfer() Transfer {
	t := Transfer{ID: d.ID, AccountID: d.AccountID, FromWarehouseID: d.FromWarehouseID, ToWarehouseID: d.ToWarehouseID,
		Status: TransferStatus(d.Status), CreatedAt: d.CreatedAt, ReceivedAt: d.ReceivedAt}
	for _, l := range d.Lines {
		t.Lines = append(t.Lines, TransferLine(l))
	}
	return t
}

var transferKeyset = createdKey(func(d transferDoc) string { return d.ID }, func(d transferDoc) time.Time { return d.CreatedAt })

type returnLineDoc struct {
	SKUID    string `bson:"skuId"`
	Quantity int64  `bson:"quantity"`
	Received int64  `bson:"received"`
}

type returnDoc struct {
	ID          string          `bson:"_id"`
	AccountID   string          `bson:"accountId"`
	WarehouseID string          `bson:"warehouseId"`
	OrderID     string          `bson:"orderId,omitempty"`
	Reason      string          `bson:"reason,omitempty"`
	Status      string          `bson:"status"`
	Lines       []returnLineDoc `bson:"lines"`
	CreatedAt   time.Time       `bson:"createdAt"`
	UpdatedAt   time.Time       `bson:"updatedAt"`
	ReceivedAt  *time.Time      `bson:"receivedAt,omitempty"`
	ResolvedAt  *time.Time      `bson:"resolvedAt,omitempty"`
}

func (d returnDoc) toReturn() Return {
	r := Return{ID: d.ID, AccountID: d.AccountID, WarehouseID: d.WarehouseID, OrderID: d.OrderID, Reason: d.Reason,
		Status: ReturnStatus(d.Status), CreatedAt: d.CreatedAt, ReceivedAt: d.ReceivedAt, ResolvedAt: d.ResolvedAt}
	for _, l := range d.Lines {
		r.Lines = append(r.Lines, ReturnLine(l))
	}
	return r
}

var returnKeyset = createdKey(func(d returnDoc) string { return d.ID }, func(d returnDoc) time.Time { return d.CreatedAt })

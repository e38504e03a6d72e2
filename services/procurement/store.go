package procurement

import (
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/events"
)

// Collections of this package.
const (
	CollSuppliers      = "procurement_suppliers"
	CollRFQs           = "procurement_rfqs"
	CollQuotes         = "procurement_quotes"
	CollPurchaseOrders = "procurement_purchase_orders"
	CollCounters       = "procurement_counters"
	CollFXRates        = "procurement_fx_rates"
)

// Field names used in queries and updates.
const (
	fID          = "_id"
	fAccountID   = "accountId"
	fKey         = "key"
	fStatus      = "status"
	fVersion     = "version"
	fRFQID       = "rfqId"
	fSupplierID  = "supplierId"
	fSupplierIDs = "supplierIds"
	fBase        = "base"
	fQuote       = "quote"
	fEffectiveAt = "effectiveAt"
	fReceipts    = "appliedReceipts"
)

// Indexes are this package's indexes; every tenant-owned collection leads with accountId.
func Indexes() []mongodb.Indexes {
	return []mongodb.Indexes{
		{Collection: CollSuppliers, Models: []mongo.IndexModel{
			{Keys: bson.D{{Key: fAccountID, Value: 1}, {Key: fKey, Value: 1}}, Options: options.Index()},
		}},
		{Collection: CollRFQs, Models: []mongo.IndexModel{
			{Keys: bson.D{{Key: fAccountID, Value: 1}, {Key: fKey, Value: 1}}, Options: options.Index()},
			{Keys: bson.D{{Key: fSupplierIDs, Value: 1}, {Key: fKey, Value: 1}}, Options: options.Index()},
		}},
		// One quote per supplier and RFQ: a revision updates it; two racing first submissions
		// meet the unique index and the loser retries as a revision.
		{Collection: CollQuotes, Models: []mongo.IndexModel{
			{Keys: bson.D{{Key: fRFQID, Value: 1}, {Key: fSupplierID, Value: 1}}, Options: options.Index().SetUnique(true)},
		}},
		{Collection: CollPurchaseOrders, Models: []mongo.IndexModel{
			{Keys: bson.D{{Key: fAccountID, Value: 1}, {Key: fKey, Value: 1}}, Options: options.Index()},
			{Keys: bson.D{{Key: fAccountID, Value: 1}, {Key: "number", Value: 1}}, Options: options.Index().SetUnique(true)},
			{Keys: bson.D{{Key: fSupplierID, Value: 1}, {Key: fKey, Value: 1}}, Options: options.Index()},
		}},
		{Collection: CollFXRates, Models: []mongo.IndexModel{
			{Keys: bson.D{{Key: fBase, Value: 1}, {Key: fQuote, Value: 1}, {Key: fEffectiveAt, Value: -1}}, Options: options.Index()},
		}},
	}
}

type contactDoc struct {
	Name  string `bson:"name"`
	Email string `bson:"email,omitempty"`
	Phone string `bson:"phone,omitempty"`
}

type scoreDoc struct {
	Orders   int64 `bson:"orders"`
	OnTime   int64 `bson:"onTime"`
	Ordered  int64 `bson:"ordered"`
	Accurate int64 `bson:"accurate"`
	Received int64 `bson:"received"`
	Rejected int64 `bson:"rejected"`
}

type supplierDoc struct {
	ID         string       `bson:"_id"`
	Key        string       `bson:"key"`
	AccountID  string       `bson:"accountId"` // "" = platform-curated
	Name       string       `bson:"name"`
	Country    string       `bson:"country"`
	Categories []string     `bson:"categories"`
	Contacts   []contactDoc `bson:"contacts"`
	Status     string       `bson:"status"`
	Score      scoreDoc     `bson:"score"`
	CreatedAt  time.Time    `bson:"createdAt"`
	UpdatedAt  time.Time    `bson:"updatedAt"`
}

func (d supplierDoc) toSupplier() Supplier {
	s := Supplier{ID: d.ID, AccountID: d.AccountID, Name: d.Name, Country: d.Country, Categories: d.Categories,
		Status: SupplierStatus(d.Status), CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
		Score: Score{Orders: d.Score.Orders, OnTime: d.Score.OnTime, UnitsOrdered: d.Score.Ordered,
			UnitsAccurate: d.Score.Accurate, UnitsReceived: d.Score.Received, UnitsRejected: d.Score.Rejected}}
	for _, c := range d.Contacts {
		s.Contacts = append(s.Contacts, Contact(c))
	}
	if s.Categories == nil {
		s.Categories = []string{}
	}
	return s
}

type rfqLineDoc struct {
	ID          string     `bson:"id"`
	SKUID       string     `bson:"skuId,omitempty"`
	Description string     `bson:"description"`
	Quantity    int64      `bson:"quantity"`
	Unit        string     `bson:"unit"`
	Target      *int64     `bson:"target,omitempty"` // minor units of the RFQ currency
	RequiredBy  *time.Time `bson:"requiredBy,omitempty"`
	Specs       string     `bson:"specs,omitempty"`
	HSCode      string     `bson:"hsCode,omitempty"`
	WeightGrams int64      `bson:"weightGrams"`
}

type rfqDoc struct {
	ID          string       `bson:"_id"`
	Key         string       `bson:"key"`
	AccountID   string       `bson:"accountId"`
	Title       string       `bson:"title"`
	WarehouseID string       `bson:"warehouseId"`
	Incoterm    string       `bson:"incoterm"`
	Currency    string       `bson:"currency"`
	Deadline    time.Time    `bson:"deadline"`
	ShowTargets bool         `bson:"showTargets"`
	Lines       []rfqLineDoc `bson:"lines"`
	SupplierIDs []string     `bson:"supplierIds"`
	Status      string       `bson:"status"`
	Version     int64        `bson:"version"`
	CreatedAt   time.Time    `bson:"createdAt"`
	SentAt      *time.Time   `bson:"sentAt,omitempty"`
	ClosedAt    *time.Time   `bson:"closedAt,omitempty"`
	AwardedAt   *time.Time   `bson:"awardedAt,omitempty"`
	CancelledAt *time.Time   `bson:"cancelledAt,omitempty"`
}

func (d rfqDoc) toRFQ() RFQ {
	cur := money.MustCurrency(d.Currency)
	r := RFQ{ID: d.ID, AccountID: d.AccountID, Title: d.Title, DestinationWarehouseID: d.WarehouseID,
		Incoterm: Incoterm(d.Incoterm), Currency: cur, ResponseDeadline: d.Deadline, ShowTargetPrices: d.ShowTargets,
		SupplierIDs: append([]string{}, d.SupplierIDs...), Status: RFQStatus(d.Status), CreatedAt: d.CreatedAt,
		SentAt: d.SentAt, ClosedAt: d.ClosedAt, AwardedAt: d.AwardedAt, CancelledAt: d.CancelledAt}
	for _, l := range d.Lines {
		line := RFQLine{ID: l.ID, SKUID: l.SKUID, Description: l.Description, Quantity: l.Quantity, Unit: l.Unit,
			RequiredBy: l.RequiredBy, Specifications: l.Specs, HSCode: l.HSCode, UnitWeightGrams: l.WeightGrams}
		if l.Target != nil {
			m := money.New(*l.Target, cur)
			line.TargetUnitPrice = &m
		}
		r.Lines = append(r.Lines, line)
	}
	return r
}

func (d rfqDoc) line(id string) (rfqLineDoc, bool) {
	for _, l := range d.Lines {
		if l.ID == id {
			return l, true
		}
	}
	return rfqLineDoc{}, false
}

type quoteLineDoc struct {
	LineID    string `bson:"lineId"`
	UnitPrice int64  `bson:"unitPrice"`
	MOQ       int64  `bson:"moq"`
	LeadDays  int    `bson:"leadDays"`
}

type landedLineDoc struct {
	LineID   string `bson:"lineId"`
	Quantity int64  `bson:"quantity"`
	Goods    int64  `bson:"goods"`
	Freight  int64  `bson:"freight"`
	Duties   int64  `bson:"duties"`
	Taxes    int64  `bson:"taxes"`
	Fee      int64  `bson:"fee"`
	Total    int64  `bson:"total"`
	PerUnit  int64  `bson:"perUnit"`
}

type landedDoc struct {
	Currency    string          `bson:"currency"`
	Goods       int64           `bson:"goods"`
	Freight     int64           `bson:"freight"`
	Duties      int64           `bson:"duties"`
	Taxes       int64           `bson:"taxes"`
	Fee         int64           `bson:"fee"`
	Total       int64           `bson:"total"`
	Lines       []landedLineDoc `bson:"lines"`
	Carrier     string          `bson:"carrier,omitempty"`
	Service     string          `bson:"service,omitempty"`
	TransitDays int             `bson:"transitDays"`
	FX          []string        `bson:"fx"`
	ComputedAt  time.Time       `bson:"computedAt"`
}

type quoteDoc struct {
	ID          string         `bson:"_id"`
	AccountID   string         `bson:"accountId"`
	RFQID       string         `bson:"rfqId"`
	SupplierID  string         `bson:"supplierId"`
	Incoterm    string         `bson:"incoterm"`
	Currency    string         `bson:"currency"`
	ValidUntil  time.Time      `bson:"validUntil"`
	Lines       []quoteLineDoc `bson:"lines"`
	Notes       string         `bson:"notes,omitempty"`
	Status      string         `bson:"status"`
	Revision    int            `bson:"revision"`
	SubmittedBy string         `bson:"submittedBy"`
	OnBehalf    bool           `bson:"onBehalf"`
	SubmittedAt time.Time      `bson:"submittedAt"`
	Landed      *landedDoc     `bson:"landed,omitempty"`
}

func (d quoteDoc) toQuote() Quote {
	cur := money.MustCurrency(d.Currency)
	q := Quote{ID: d.ID, AccountID: d.AccountID, RFQID: d.RFQID, SupplierID: d.SupplierID, Incoterm: Incoterm(d.Incoterm),
		Currency: cur, ValidUntil: d.ValidUntil, Notes: d.Notes, Status: QuoteStatus(d.Status), Revision: d.Revision,
		SubmittedBy: d.SubmittedBy, OnBehalf: d.OnBehalf, SubmittedAt: d.SubmittedAt}
	for _, l := range d.Lines {
		q.Lines = append(q.Lines, QuoteLine{RFQLineID: l.LineID, UnitPrice: money.New(l.UnitPrice, cur), MOQ: l.MOQ, LeadTimeDays: l.LeadDays})
	}
	if d.Landed != nil {
		lc := money.MustCurrency(d.Landed.Currency)
		m := func(v int64) money.Money { return money.New(v, lc) }
		l := &Landed{Currency: lc, Goods: m(d.Landed.Goods), Freight: m(d.Landed.Freight), Duties: m(d.Landed.Duties),
			Taxes: m(d.Landed.Taxes), Fee: m(d.Landed.Fee), Total: m(d.Landed.Total), FreightCarrier: d.Landed.Carrier,
			FreightService: d.Landed.Service, TransitDays: d.Landed.TransitDays, FX: d.Landed.FX, ComputedAt: d.Landed.ComputedAt}
		for _, x := range d.Landed.Lines {
			l.Lines = append(l.Lines, LandedLine{RFQLineID: x.LineID, Quantity: x.Quantity, Goods: m(x.Goods), Freight: m(x.Freight),
				Duties: m(x.Duties), Taxes: m(x.Taxes), Fee: m(x.Fee), Total: m(x.Total), PerUnit: m(x.PerUnit)})
		}
		q.Landed = l
	}
	return q
}

func (d quoteDoc) line(id string) (quoteLineDoc, bool) {
	for _, l := range d.Lines {
		if l.LineID == id {
			return l, true
		}
	}
	return quoteLineDoc{}, false
}

type poLineDoc struct {
	LineID      string `bson:"lineId"`
	SKUID       string `bson:"skuId,omitempty"`
	Description string `bson:"description"`
	Quantity    int64  `bson:"quantity"`
	Unit        string `bson:"unit"`
	UnitPrice   int64  `bson:"unitPrice"`
	LeadDays    int    `bson:"leadDays"`
	Received    int64  `bson:"received"`
	Rejected    int64  `bson:"rejected"`
}

type poDoc struct {
	ID              string      `bson:"_id"`
	Key             string      `bson:"key"`
	AccountID       string      `bson:"accountId"`
	Number          string      `bson:"number"`
	RFQID           string      `bson:"rfqId"`
	QuoteID         string      `bson:"quoteId"`
	SupplierID      string      `bson:"supplierId"`
	SupplierCountry string      `bson:"supplierCountry"`
	WarehouseID     string      `bson:"warehouseId"`
	Incoterm        string      `bson:"incoterm"`
	Currency        string      `bson:"currency"`
	Lines           []poLineDoc `bson:"lines"`
	Total           int64       `bson:"total"`
	DepositPercent  int         `bson:"depositPercent"`
	Balance         string      `bson:"balance"`
	Notes           string      `bson:"notes,omitempty"`
	Status          string      `bson:"status"`
	ReceiptID       string      `bson:"receiptId,omitempty"`
	AppliedReceipts []string    `bson:"appliedReceipts"`
	PromisedShipBy  time.Time   `bson:"promisedShipBy"`
	IssuedAt        time.Time   `bson:"issuedAt"`
	ConfirmedAt     *time.Time  `bson:"confirmedAt,omitempty"`
	ShippedAt       *time.Time  `bson:"shippedAt,omitempty"`
	ReceivedAt      *time.Time  `bson:"receivedAt,omitempty"`
	ClosedAt        *time.Time  `bson:"closedAt,omitempty"`
	CancelledAt     *time.Time  `bson:"cancelledAt,omitempty"`
	// Outbox holds the PO's events until the relay moves them to the feed (CollPurchaseOrders
	// is declared to the relay in cmd/tradehub).
	Outbox []events.OutboxEntry `bson:"outbox,omitempty"`
}

func (d poDoc) toPO() PurchaseOrder {
	cur := money.MustCurrency(d.Currency)
	p := PurchaseOrder{ID: d.ID, AccountID: d.AccountID, Number: d.Number, RFQID: d.RFQID, QuoteID: d.QuoteID,
		SupplierID: d.SupplierID, SupplierCountry: d.SupplierCountry, DestinationWarehouseID: d.WarehouseID,
		Incoterm: Incoterm(d.Incoterm), Currency: cur, Total: money.New(d.Total, cur),
		PaymentTerms: PaymentTerms{DepositPercent: d.DepositPercent, Balance: BalanceDue(d.Balance)}, Notes: d.Notes,
		Status: POStatus(d.Status), ReceiptID: d.ReceiptID, PromisedShipBy: d.PromisedShipBy, IssuedAt: d.IssuedAt,
		ConfirmedAt: d.ConfirmedAt, ShippedAt: d.ShippedAt, ReceivedAt: d.ReceivedAt, ClosedAt: d.ClosedAt, CancelledAt: d.CancelledAt}
	for _, l := range d.Lines {
		p.Lines = append(p.Lines, POLine{RFQLineID: l.LineID, SKUID: l.SKUID, Description: l.Description, Quantity: l.Quantity,
			Unit: l.Unit, UnitPrice: money.New(l.UnitPrice, cur), LeadTimeDays: l.LeadDays, Received: l.Received, Rejected: l.Rejected})
	}
	return p
}

type fxDoc struct {
	ID          string    `bson:"_id"`
	Base        string    `bson:"base"`
	Quote       string    `bson:"quote"`
	Rate        string    `bson:"rate"`
	EffectiveAt time.Time `bson:"effectiveAt"`
	CreatedAt   time.Time `bson:"createdAt"`
	CreatedBy   string    `bson:"createdBy"`
}

func (d fxDoc) toRate() FXRate {
	return FXRate{ID: d.ID, Base: money.MustCurrency(d.Base), Quote: money.MustCurrency(d.Quote), Rate: d.Rate,
		EffectiveAt: d.EffectiveAt, CreatedAt: d.CreatedAt, CreatedBy: d.CreatedBy}
}

// idKeyset pages by the key field, a copy of the time-ordered _id.
func idKeyset[D any](id func(D) string) mongodb.Keyset[D] {
	return mongodb.Keyset[D]{Field: fKey, Key: func(d D) cursor.Cursor { return cursor.Cursor{Key: id(d), ID: id(d)} },
		Value: mongodb.StringKey}
}

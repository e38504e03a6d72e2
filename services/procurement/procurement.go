// Package procurement runs sourcing for sellers: suppliers, requests for quotation (RFQs) sent to
// up to MaxInvitedSuppliers suppliers, the suppliers' quotes, a comparison of those quotes on
// landed cost (goods + freight + duties and taxes + Tradehub's fee, in the RFQ's currency), the
// award that turns quotes into purchase orders, and the receiving of those orders in the
// destination warehouse, which feeds each supplier's score.
//
// Who sees what:
//   - the buying account's people and staff see the account's suppliers, RFQs, every quote and
//     the purchase orders (access resources suppliers, rfqs, supplier_quotes, purchase_orders);
//   - a supplier user (role SUPPLIER in the supplier's own domain, sup_…) sees only the RFQs
//     its supplier is invited to, only its own quote, only its own purchase orders, and the
//     buyer's target prices only when the buyer chose to show them (ShowTargetPrices);
//   - anyone else gets NOT_FOUND, so that existence does not leak.
//
// Other domains are reached through small interfaces declared here (FreightEstimator, Inbound,
// Catalog, WarehouseDirectory) and wired in cmd/tradehub.
package procurement

import (
	"time"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
)

// Limits.
const (
	MaxInvitedSuppliers = 10
	MaxRFQLines         = 100
	MaxQuantity         = 10_000_000
	MaxLeadTimeDays     = 365
	// MaxUnitPrice bounds a unit price in minor units, so that a line (× MaxQuantity) and a PO
	// of MaxRFQLines lines stay within int64.
	MaxUnitPrice = 1_000_000_000
	maxText      = 200
	maxSpecs     = 2000
)

// SupplierStatus is where a supplier stands with Tradehub.
type SupplierStatus string

const (
	SupplierPending   SupplierStatus = "PENDING"
	SupplierVerified  SupplierStatus = "VERIFIED"
	SupplierSuspended SupplierStatus = "SUSPENDED"
)

// Valid reports whether s is a known status.
func (s SupplierStatus) Valid() bool {
	return s == SupplierPending || s == SupplierVerified || s == SupplierSuspended
}

// Contact is a person at a supplier.
type Contact struct {
	Name, Email, Phone string
}

// Score is a supplier's record from what warehouses actually received of its purchase orders,
// kept as counters updated once per received order (see ApplyReceipt).
type Score struct {
	Orders        int64 // purchase orders received
	OnTime        int64 // of which shipped no later than promised (issue + the quoted lead time)
	UnitsOrdered  int64
	UnitsAccurate int64 // Σ per line of max(0, ordered − |delivered − ordered|)
	UnitsReceived int64 // accepted
	UnitsRejected int64 // damaged on arrival
}

// Percent is the score from 0 to 100, or nil before any order was received:
// 40 × on-time rate + 30 × quantity accuracy + 30 × acceptance rate, in integer arithmetic
// (each term truncated to basis points, the sum rounded half up to a whole percent).
func (sc Score) Percent() *int {
	if sc.Orders == 0 {
		return nil
	}
	bps := 4000 * sc.OnTime / sc.Orders
	if sc.UnitsOrdered > 0 {
		bps += 3000 * sc.UnitsAccurate / sc.UnitsOrdered
	}
	if d := sc.UnitsReceived + sc.UnitsRejected; d > 0 {
		bps += 3000 * sc.UnitsReceived / d
	}
	p := int((bps + 50) / 100)
	return &p
}

// Supplier is a factory or trading company a seller buys from. AccountID is empty for a
// platform-curated supplier, which every account sees and only platform admins change.
type Supplier struct {
	ID         string
	AccountID  string
	Name       string
	Country    string
	Categories []string
	Contacts   []Contact
	Status     SupplierStatus
	Score      Score
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Curated reports whether the supplier is platform-curated.
func (s Supplier) Curated() bool { return s.AccountID == "" }

// RFQStatus is where an RFQ stands: DRAFT → OPEN → CLOSED → AWARDED, or CANCELLED.
type RFQStatus string

const (
	RFQDraft     RFQStatus = "DRAFT"
	RFQOpen      RFQStatus = "OPEN"
	RFQClosed    RFQStatus = "CLOSED"
	RFQAwarded   RFQStatus = "AWARDED"
	RFQCancelled RFQStatus = "CANCELLED"
)

// Incoterm is the delivery term of a quote or an RFQ (Incoterms 2020).
type Incoterm string

const (
	EXW Incoterm = "EXW"
	FCA Incoterm = "FCA"
	FOB Incoterm = "FOB"
	CFR Incoterm = "CFR"
	CIF Incoterm = "CIF"
	CPT Incoterm = "CPT"
	CIP Incoterm = "CIP"
	DAP Incoterm = "DAP"
	DPU Incoterm = "DPU"
	DDP Incoterm = "DDP"
)

// Valid reports whether i is a known incoterm.
func (i Incoterm) Valid() bool {
	switch i {
	case EXW, FCA, FOB, CFR, CIF, CPT, CIP, DAP, DPU, DDP:
		return true
	}
	return false
}

// IncludesFreight reports whether the seller's price already pays the main carriage to the
// destination (C and D terms), so the buyer adds no freight.
func (i Incoterm) IncludesFreight() bool {
	switch i {
	case CFR, CIF, CPT, CIP, DAP, DPU, DDP:
		return true
	}
	return false
}

// IncludesDuties reports whether the seller's price already pays import duties and taxes.
func (i Incoterm) IncludesDuties() bool { return i == DDP }

// RFQLine is one thing asked for: a SKU of the account or a free description.
type RFQLine struct {
	ID              string // "1", "2"… stable within the RFQ
	SKUID           string
	Description     string
	Quantity        int64
	Unit            string // "pcs", "set", "kg"…
	TargetUnitPrice *money.Money
	RequiredBy      *time.Time
	Specifications  string
	HSCode          string
	UnitWeightGrams int64 // for the freight estimate
}

// RFQ is a request for quotation.
type RFQ struct {
	ID                     string
	AccountID              string
	Title                  string
	DestinationWarehouseID string
	Incoterm               Incoterm
	Currency               money.Currency
	ResponseDeadline       time.Time
	ShowTargetPrices       bool
	Lines                  []RFQLine
	SupplierIDs            []string
	Status                 RFQStatus
	CreatedAt              time.Time
	SentAt                 *time.Time
	ClosedAt               *time.Time
	AwardedAt              *time.Time
	CancelledAt            *time.Time
	// SupplierView is true when the caller sees it as an invited supplier: SupplierIDs then
	// holds only the caller's supplier, and target prices are nil unless the buyer shows them.
	SupplierView bool
}

// QuoteStatus is where a supplier's quote stands.
type QuoteStatus string

const (
	QuoteSubmitted  QuoteStatus = "SUBMITTED"
	QuoteAwarded    QuoteStatus = "AWARDED" // some or all lines won
	QuoteNotAwarded QuoteStatus = "NOT_AWARDED"
)

// QuoteLine is a supplier's price for one RFQ line.
type QuoteLine struct {
	RFQLineID    string
	UnitPrice    money.Money
	MOQ          int64
	LeadTimeDays int
}

// LandedLine is a quote line's landed cost in the RFQ currency.
type LandedLine struct {
	RFQLineID string
	Quantity  int64
	Goods     money.Money
	Freight   money.Money
	Duties    money.Money
	Taxes     money.Money
	Fee       money.Money
	Total     money.Money
	PerUnit   money.Money // Total ÷ quantity, half-even
}

// Landed is a quote's landed cost, computed by CompareQuotes and stored with the quote.
type Landed struct {
	Currency money.Currency
	Goods    money.Money
	Freight  money.Money
	Duties   money.Money
	Taxes    money.Money
	Fee      money.Money
	Total    money.Money
	Lines    []LandedLine
	// FreightCarrier and FreightService name the cheapest transport quote used; empty when the
	// incoterm includes freight.
	FreightCarrier string
	FreightService string
	TransitDays    int
	// FX lists the rates used ("CNY/USD=0.1385"), for the breakdown shown to the buyer.
	FX         []string
	ComputedAt time.Time
}

// Quote is a supplier's answer to an RFQ. There is at most one per supplier and RFQ; a
// revision replaces its lines and increments Revision.
type Quote struct {
	ID         string
	AccountID  string // the buyer's
	RFQID      string
	SupplierID string
	Incoterm   Incoterm
	Currency   money.Currency
	ValidUntil time.Time
	Lines      []QuoteLine
	Notes      string
	Status     QuoteStatus
	Revision   int
	// SubmittedBy is the user who entered it: the supplier's own user, or an account manager
	// on the supplier's behalf (OnBehalf).
	SubmittedBy string
	OnBehalf    bool
	SubmittedAt time.Time
	Landed      *Landed
}

// MaxLeadTime is the longest lead time of the quote's lines.
func (q Quote) MaxLeadTime() int {
	m := 0
	for _, l := range q.Lines {
		m = max(m, l.LeadTimeDays)
	}
	return m
}

// POStatus is where a purchase order stands: ISSUED → CONFIRMED → SHIPPED →
// PARTIALLY_RECEIVED or RECEIVED → CLOSED, or CANCELLED before shipping.
type POStatus string

const (
	POIssued            POStatus = "ISSUED"
	POConfirmed         POStatus = "CONFIRMED"
	POShipped           POStatus = "SHIPPED"
	POPartiallyReceived POStatus = "PARTIALLY_RECEIVED"
	POReceived          POStatus = "RECEIVED"
	POClosed            POStatus = "CLOSED"
	POCancelled         POStatus = "CANCELLED"
)

// BalanceDue is when the rest after the deposit is paid.
type BalanceDue string

const (
	BalanceBeforeShipment BalanceDue = "BEFORE_SHIPMENT"
	BalanceOnReceipt      BalanceDue = "ON_RECEIPT"
	BalanceNet30          BalanceDue = "NET_30"
)

// PaymentTerms are the PO's terms, e.g. 30 % deposit and 70 % before shipment.
type PaymentTerms struct {
	DepositPercent int
	Balance        BalanceDue
}

// POLine is one line of a purchase order and what has been received of it.
type POLine struct {
	RFQLineID    string
	SKUID        string
	Description  string
	Quantity     int64
	Unit         string
	UnitPrice    money.Money
	LeadTimeDays int
	Received     int64 // accepted into stock
	Rejected     int64 // damaged on arrival
}

// PurchaseOrder is an award turned into an order to a supplier.
type PurchaseOrder struct {
	ID                     string
	AccountID              string
	Number                 string // "PO-2026-000001", per account and year, gapless
	RFQID                  string
	QuoteID                string
	SupplierID             string
	SupplierCountry        string
	DestinationWarehouseID string
	Incoterm               Incoterm
	Currency               money.Currency
	Lines                  []POLine
	Total                  money.Money
	PaymentTerms           PaymentTerms
	Notes                  string
	Status                 POStatus
	ReceiptID              string // the inbound receipt (ASN) created when shipped
	PromisedShipBy         time.Time
	IssuedAt               time.Time
	ConfirmedAt            *time.Time
	ShippedAt              *time.Time
	ReceivedAt             *time.Time
	ClosedAt               *time.Time
	CancelledAt            *time.Time
}

// ReceivedValue is the value of the accepted units (received × unit price).
func (p PurchaseOrder) ReceivedValue() money.Money {
	v := money.New(0, p.Currency)
	for _, l := range p.Lines {
		v.Amount += l.Received * l.UnitPrice.Amount
	}
	return v
}

// POCollateral is what financing needs of a purchase order used as collateral. Confirmed is
// the PO total; Received the value of the accepted units; both in the PO currency.
type POCollateral struct {
	ID, Number, Status, SupplierID, SupplierCountry, DestinationWarehouseID string
	Confirmed, Received                                                     money.Money
}

// FXRate is one exchange rate: 1 Base = Rate Quote, from EffectiveAt.
type FXRate struct {
	ID          string
	Base        money.Currency
	Quote       money.Currency
	Rate        string // exact decimal, up to 10 places
	EffectiveAt time.Time
	CreatedAt   time.Time
	CreatedBy   string
}

// Errors. Each method's doc comment says which it returns.
var (
	ErrNotFound          = errs.Sentinel(errs.NotFound, "NOT_FOUND", "not found")
	ErrInvalidTransition = errs.Sentinel(errs.FailedPrecondition, "INVALID_TRANSITION", "not allowed in the current status")
	ErrDeadlinePassed    = errs.Sentinel(errs.FailedPrecondition, "DEADLINE_PASSED", "the RFQ's response deadline has passed: quotes are no longer accepted")
	ErrBelowMOQ          = errs.Sentinel(errs.Invalid, "BELOW_MOQ", "the quantity asked for is below the quoted minimum order quantity")
	ErrUnknownFXRate     = errs.Sentinel(errs.FailedPrecondition, "UNKNOWN_FX_RATE", "no exchange rate is set for this currency pair")
	ErrNotAwardable      = errs.Sentinel(errs.FailedPrecondition, "RFQ_NOT_AWARDABLE", "only an OPEN or CLOSED RFQ can be awarded; this one is already awarded or cancelled")
	ErrSupplierSuspended = errs.Sentinel(errs.FailedPrecondition, "SUPPLIER_SUSPENDED", "the supplier is suspended")
	ErrSKURequired       = errs.Sentinel(errs.FailedPrecondition, "SKU_REQUIRED", "every line needs a SKU before the goods can be received into a warehouse")
	ErrNoFreight         = errs.Sentinel(errs.FailedPrecondition, "NO_FREIGHT_ESTIMATE", "no freight estimate is available for this lane")
)

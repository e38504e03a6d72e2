// Package financing is shipment-backed financing: finance partners' products, credit
// facilities per account × product, collateral valued from live state (shipments in transit,
// stock in Tradehub's warehouses, purchase orders), financing requests with their full cost up
// front, the partner's review and funding, daily interest, repayment, and an exact double-entry
// ledger per loan. docs/FINANCING.md states the arithmetic (actual/365 simple daily interest,
// half-even rounding, allocation order, ledger accounts).
//
// # Authorization
//
// Products live in the partner's domain (ResProducts). Everything about an account's financing
// (facilities, requests, loans, statements) lives in the account's domain (ResFinancing to read,
// ResFinancingRequests for the seller to ask, ResFinancingDecisions for the partner to decide,
// ResLoanPayments to record payments), so the access service's consent clause decides whether a
// partner sees it at all: without consent, or after it is revoked, every id of the account is
// NOT_FOUND. A partner sees only its own facilities, requests and loans of an account, never
// another partner's terms; sellers and staff see all of their account's.
//
// # Concurrency without transactions
//
// Each state change is one guarded single-document update: the facility's drawdown is
// {_id, status: ACTIVE, limit: L, outstanding: {$lte: L − amount}} with $inc outstanding, so no
// interleaving overdraws it; a piece of collateral is claimed by inserting a claim document whose
// _id is the collateral's key, so two requests pledging it cannot both win; a loan carries its
// ledger and changes only under a version guard, so an interest day, a payment reference or a
// late fee is posted at most once.
package financing

import (
	"time"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/access"
)

// Resources this package authorizes; the integrator adds them to access.Matrix.
const (
	// In a partner's domain: its products, queue and portfolio.
	ResProducts access.Resource = "financing_products"
	// In an account's domain.
	ResFinancing          access.Resource = "financing"           // read: facilities, collateral, requests, loans, statements
	ResFinancingRequests  access.Resource = "financing_requests"  // write: the seller asks for financing
	ResFinancingDecisions access.Resource = "financing_decisions" // write: the partner decides, funds, opens facilities
	ResLoanPayments       access.Resource = "loan_payments"       // write: record a repayment
)

// CollateralType is what a piece of collateral is.
type CollateralType string

const (
	CollateralShipment      CollateralType = "IN_TRANSIT_SHIPMENT"
	CollateralInventory     CollateralType = "WAREHOUSE_INVENTORY"
	CollateralPurchaseOrder CollateralType = "PURCHASE_ORDER"
)

// Valid reports whether t is known.
func (t CollateralType) Valid() bool {
	return t == CollateralShipment || t == CollateralInventory || t == CollateralPurchaseOrder
}

// Lane is an origin → destination country pair.
type Lane struct {
	Origin      string
	Destination string
}

func (l Lane) String() string { return l.Origin + "-" + l.Destination }

// CollateralTerms are a product's terms for one collateral type.
type CollateralTerms struct {
	Type           CollateralType
	AdvanceRateBps int64
	// SubLimit caps the advance on this type in one request; zero for none.
	SubLimit money.Money
	// Conditions the collateral must meet, as attested by Tradehub (INSURED, BOOKED_THROUGH_TRADEHUB,
	// CUSTOMS_BROKER_TRADEHUB): shown to the seller and the partner.
	Conditions []string
}

// Product is a finance partner's lending product.
type Product struct {
	ID           string
	PartnerID    string
	Name         string
	Currency     money.Currency
	Collateral   []CollateralTerms
	APRBps       int64
	FeeBps       int64       // origination fee
	MinFee       money.Money // the fee is at least this
	LateFee      money.Money // charged once when a loan becomes overdue
	MaxTenorDays int
	GraceDays    int // after delivery of a pledged shipment
	// EligibleLanes, DestinationCountries and ShipmentStatuses narrow shipments; empty lanes or
	// countries accept all, empty statuses default to DefaultShipmentStatuses.
	EligibleLanes        []Lane
	DestinationCountries []string
	ShipmentStatuses     []string
	// BorrowerLimit caps one account's outstanding principal under the product; zero for none.
	BorrowerLimit money.Money
	CreatedAt     time.Time
}

// Terms returns the product's terms for t.
func (p Product) Terms(t CollateralType) (CollateralTerms, bool) {
	for _, c := range p.Collateral {
		if c.Type == t {
			return c, true
		}
	}
	return CollateralTerms{}, false
}

// DefaultShipmentStatuses are the shipment statuses a product accepts unless it says otherwise:
// the goods are moving normally. EXCEPTION, CUSTOMS_HOLD, LOST and final statuses never are.
var DefaultShipmentStatuses = []string{"BOOKED", "PICKED_UP", "IN_TRANSIT", "CUSTOMS_CLEARED", "OUT_FOR_DELIVERY"}

// FacilityStatus is a facility's state.
type FacilityStatus string

const (
	FacilityActive FacilityStatus = "ACTIVE"
	FacilityFrozen FacilityStatus = "FROZEN"
	FacilityClosed FacilityStatus = "CLOSED"
)

// Facility is a credit line of an account under a partner's product.
type Facility struct {
	ID          string
	AccountID   string
	PartnerID   string
	ProductID   string
	Limit       money.Money
	Outstanding money.Money // principal drawn and not repaid
	Available   money.Money // limit − outstanding
	Status      FacilityStatus
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// CollateralRef names a piece of collateral in a request: a shipment id, a purchase order id,
// or a SKU id with the warehouse and quantity for stock.
type CollateralRef struct {
	Type        CollateralType
	ID          string
	WarehouseID string // inventory only
	Quantity    int64  // inventory only
}

// key is the collateral's claim key: one loan at a time per key.
func (r CollateralRef) key() string {
	if r.Type == CollateralInventory {
		return string(r.Type) + ":" + r.ID + "@" + r.WarehouseID
	}
	return string(r.Type) + ":" + r.ID
}

// Collateral is a piece of collateral valued from live state.
type Collateral struct {
	CollateralRef
	Description string // tracking number, SKU at warehouse, PO number
	Status      string // the shipment's or PO's status; "AVAILABLE" for stock
	Lane        *Lane  // shipments
	CarrierID   string // shipments
	ServiceCode string // shipments
	Value       money.Money
	Advance     money.Money // value × the type's advance rate (rounded down)
	Eligible    bool
	// Reason says why it is not eligible (SHIPMENT_STATUS, LANE, DESTINATION, CURRENCY,
	// NO_DECLARED_VALUE, NOT_ACCEPTED, ALREADY_PLEDGED, INSUFFICIENT_STOCK).
	Reason      string
	PledgedTo   string // the loan or request holding it, for the seller's own view
	DeliveredAt *time.Time
}

// Cost is a financing's full cost, shown before asking.
type Cost struct {
	Principal       money.Money
	Fee             money.Money
	Interest        money.Money // for the whole tenor at the APR
	TotalRepayable  money.Money
	APRBps          int64
	EffectiveAPRBps int64 // (fee + interest) / principal × 365 / tenor
	TenorDays       int
}

// Quote is what a request would get: collateral values, the maximum advance and the cost.
type Quote struct {
	FacilityID string
	Collateral []Collateral
	MaxAdvance money.Money
	Cost       Cost
}

// RequestStatus is a financing request's state.
type RequestStatus string

const (
	RequestSubmitted     RequestStatus = "SUBMITTED"
	RequestInfoRequested RequestStatus = "INFO_REQUESTED"
	RequestApproved      RequestStatus = "APPROVED"
	RequestRejected      RequestStatus = "REJECTED"
	RequestFunding       RequestStatus = "FUNDING"
	RequestFunded        RequestStatus = "FUNDED"
)

// Request is a seller's financing request.
type Request struct {
	ID              string
	AccountID       string
	PartnerID       string
	FacilityID      string
	ProductID       string
	Collateral      []Collateral // as valued when asked
	RequestedAmount money.Money
	TenorDays       int
	MaxAdvance      money.Money
	Cost            Cost // at the requested terms, then at the approved ones
	Status          RequestStatus
	ApprovedAmount  *money.Money
	ApprovedAPRBps  *int64
	Reason          string // rejection reason
	InfoRequest     string // the partner's question
	InfoResponse    string // the seller's answer
	LoanID          string
	RequestedBy     string
	DecidedBy       string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// LoanStatus is a loan's state.
type LoanStatus string

const (
	LoanActive     LoanStatus = "ACTIVE"
	LoanAtRisk     LoanStatus = "AT_RISK"
	LoanOverdue    LoanStatus = "OVERDUE"
	LoanRepaid     LoanStatus = "REPAID"
	LoanDefaulted  LoanStatus = "DEFAULTED"
	LoanWrittenOff LoanStatus = "WRITTEN_OFF"
)

// Open reports whether the loan still accrues and can be paid.
func (s LoanStatus) Open() bool {
	return s == LoanActive || s == LoanAtRisk || s == LoanOverdue || s == LoanDefaulted
}

// Ledger accounts (see docs/FINANCING.md).
const (
	AccPrincipal       = "PRINCIPAL_RECEIVABLE"
	AccFees            = "FEES_RECEIVABLE"
	AccInterest        = "INTEREST_RECEIVABLE"
	AccCash            = "CASH"
	AccFeeIncome       = "FEE_INCOME"
	AccInterestIncome  = "INTEREST_INCOME"
	AccWriteOffExpense = "WRITE_OFF_EXPENSE"
)

// EntryKind is what a ledger entry records.
type EntryKind string

const (
	EntryDisbursement EntryKind = "DISBURSEMENT"
	EntryFee          EntryKind = "FEE"
	EntryInterest     EntryKind = "INTEREST_ACCRUAL"
	EntryPayment      EntryKind = "PAYMENT"
	EntryLateFee      EntryKind = "LATE_FEE"
	EntryWriteOff     EntryKind = "WRITE_OFF"
)

// Line is one side of a ledger entry: an amount debited or credited to an account.
type Line struct {
	Account string
	Debit   int64 // minor units of the loan's currency
	Credit  int64
}

// Entry is one balanced ledger entry.
type Entry struct {
	ID        string // deterministic: "disbursement", "fee", "interest:2026-11-20", "payment:<ref>", "late_fee", "write_off"
	Kind      EntryKind
	Day       string // the UTC date it belongs to
	Reference string // a payment's reference
	Lines     []Line
	At        time.Time
}

// Balances are a loan's outstanding amounts by component.
type Balances struct {
	Principal int64
	Fees      int64
	Interest  int64
}

// Total is what is owed.
func (b Balances) Total() int64 { return b.Principal + b.Fees + b.Interest }

// Loan is a funded request.
type Loan struct {
	ID           string
	RequestID    string
	AccountID    string
	PartnerID    string
	FacilityID   string
	ProductID    string
	Currency     money.Currency
	Principal    money.Money // funded
	APRBps       int64
	TenorDays    int
	GraceDays    int
	Status       LoanStatus
	Collateral   []Collateral // pledged; values as at the last revaluation
	Released     bool         // the collateral is released
	LTVBps       int64        // outstanding ÷ live collateral value
	FundedAt     time.Time
	MaturityDate time.Time // funded day + tenor
	DueDate      time.Time // min(maturity, delivery + grace)
	// AccruedThrough is the last day interest is posted for ("" before the first).
	AccruedThrough string
	Outstanding    Balances
	Totals         LoanTotals
	Ledger         []Entry
	RepaidAt       *time.Time
	UpdatedAt      time.Time
}

// LoanTotals are the cumulative amounts posted to a loan, in minor units.
type LoanTotals struct {
	Principal, Fees, Interest, LateFees, Payments, WrittenOff int64
}

// Statement is a loan's ledger with its trial balance.
type Statement struct {
	Loan          Loan
	Balances      map[string]int64 // account → debit − credit
	TotalDebits   int64
	TotalCredits  int64
	Outstanding   int64
	FormulaAmount int64 // principal + fees + interest − payments − written off
	Balanced      bool
}

// Errors of this domain; reasons are the userError codes.
var (
	ErrNotFound              = errs.Sentinel(errs.NotFound, "NOT_FOUND", "not found")
	ErrNoConsent             = errs.Sentinel(errs.FailedPrecondition, "NO_CONSENT", "the account has not consented to this partner")
	ErrAboveMaxAdvance       = errs.Sentinel(errs.Invalid, "ABOVE_MAX_ADVANCE", "the amount is above the maximum advance on this collateral")
	ErrTenorTooLong          = errs.Sentinel(errs.Invalid, "TENOR_TOO_LONG", "the tenor is longer than the product allows")
	ErrIneligible            = errs.Sentinel(errs.Invalid, "INELIGIBLE_COLLATERAL", "this collateral is not eligible")
	ErrCollateralUnavailable = errs.Sentinel(errs.FailedPrecondition, "COLLATERAL_UNAVAILABLE", "this kind of collateral cannot be valued yet")
	ErrAlreadyPledged        = errs.Sentinel(errs.Conflict, "COLLATERAL_ALREADY_PLEDGED", "this collateral is already pledged to another request or loan")
	ErrCollateralChanged     = errs.Sentinel(errs.FailedPrecondition, "COLLATERAL_CHANGED", "the collateral changed since the request: its value no longer covers the amount")
	ErrFacilityUnavailable   = errs.Sentinel(errs.FailedPrecondition, "FACILITY_NOT_ACTIVE", "the facility is frozen or closed")
	ErrInsufficientFacility  = errs.Sentinel(errs.FailedPrecondition, "FACILITY_LIMIT_EXCEEDED", "the facility does not have that much available")
	ErrInvalidTransition     = errs.Sentinel(errs.FailedPrecondition, "INVALID_TRANSITION", "the request or loan is not in a state that allows this")
	ErrAlreadyFunded         = errs.Sentinel(errs.FailedPrecondition, "ALREADY_FUNDED", "the request is already funded")
	ErrLoanClosed            = errs.Sentinel(errs.FailedPrecondition, "LOAN_CLOSED", "the loan is repaid or written off")
	ErrOverpayment           = errs.Sentinel(errs.Invalid, "AMOUNT_ABOVE_OUTSTANDING", "the amount is above what is outstanding")
	ErrCurrency              = errs.Sentinel(errs.Invalid, "CURRENCY_MISMATCH", "the amount is not in the facility's currency")
	ErrDuplicateFacility     = errs.Sentinel(errs.Conflict, "ALREADY_EXISTS", "the account already has a facility under this product")
	ErrBusy                  = errs.Sentinel(errs.Conflict, "CONCURRENT_UPDATE", "the loan changed at the same time: try again")
)

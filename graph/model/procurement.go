package model

import (
	"time"

	"github.com/tradehub/tradehub/internal/money"
)

// Procurement models bound in gqlgen.yml: they hold the ids of the suppliers, warehouses and
// receipts they relate to, and the related objects load through the request's dataloaders.

// Rfq is a request for quotation as the caller may see it.
type Rfq struct {
	ID                     string
	AccountID              string
	Title                  string
	DestinationWarehouseID string
	Incoterm               ProcurementIncoterm
	Currency               money.Currency
	ResponseDeadline       time.Time
	ShowTargetPrices       bool
	Lines                  []RfqLine
	SupplierIDs            []string
	Status                 RfqStatus
	CreatedAt              time.Time
	SentAt                 *time.Time
	AwardedAt              *time.Time
	// SupplierView is true when a supplier user sees it (no comparison then).
	SupplierView bool
}

func (Rfq) IsNode() {}

// SupplierQuote is a supplier's quote.
type SupplierQuote struct {
	ID          string
	RfqID       string
	SupplierID  string
	Incoterm    ProcurementIncoterm
	Currency    money.Currency
	ValidUntil  time.Time
	Lines       []SupplierQuoteLine
	Notes       *string
	Status      SupplierQuoteStatus
	Revision    int
	OnBehalf    bool
	SubmittedAt time.Time
	LandedCost  *LandedCost
}

func (SupplierQuote) IsNode() {}

// PurchaseOrder is an order to a supplier.
type PurchaseOrder struct {
	ID                     string
	AccountID              string
	Number                 string
	RfqID                  string
	QuoteID                string
	SupplierID             string
	DestinationWarehouseID string
	Incoterm               ProcurementIncoterm
	Lines                  []PurchaseOrderLine
	Total                  *Money
	ReceivedValue          *Money
	PaymentTerms           *PaymentTerms
	Notes                  *string
	Status                 PurchaseOrderStatus
	ReceiptID              string
	PromisedShipBy         time.Time
	IssuedAt               time.Time
	ConfirmedAt            *time.Time
	ShippedAt              *time.Time
	ReceivedAt             *time.Time
}

func (PurchaseOrder) IsNode() {}

package model

import (
	"time"

	"github.com/tradehub/tradehub/internal/money"
)

// Invoice is bound by hand: payUrl is resolved per caller (only those who may pay see it), from
// HostedURL, which is not a schema field.
type Invoice struct {
	ID              string            `json:"id"`
	AccountID       string            `json:"accountId"`
	Kind            InvoiceKind       `json:"kind"`
	Number          *string           `json:"number,omitempty"`
	Status          InvoiceStatus     `json:"status"`
	PeriodStart     time.Time         `json:"periodStart"`
	PeriodEnd       time.Time         `json:"periodEnd"`
	CurrencyCode    money.Currency    `json:"currencyCode"`
	Sections        []InvoiceSection  `json:"sections"`
	Subtotal        *Money            `json:"subtotal"`
	Tax             *InvoiceTax       `json:"tax"`
	Total           *Money            `json:"total"`
	Credited        *Money            `json:"credited"`
	Paid            *Money            `json:"paid"`
	Refunded        *Money            `json:"refunded"`
	Balance         *Money            `json:"balance"`
	TermsDays       int               `json:"termsDays"`
	DueDate         *time.Time        `json:"dueDate,omitempty"`
	FinalizedAt     *time.Time        `json:"finalizedAt,omitempty"`
	Memo            string            `json:"memo"`
	UnpricedCodes   []string          `json:"unpricedCodes"`
	Payments        []InvoicePayment  `json:"payments"`
	CreditNotes     []CreditNote      `json:"creditNotes"`
	SyncStatus      InvoiceSyncStatus `json:"syncStatus"`
	SyncError       *string           `json:"syncError,omitempty"`
	StripeInvoiceID *string           `json:"stripeInvoiceId,omitempty"`
	PdfURL          string            `json:"pdfUrl"`
	CsvURL          string            `json:"csvUrl"`
	LoanID          *string           `json:"loanId,omitempty"`
	PaymentError    *string           `json:"paymentError,omitempty"`
	Uncollectible   bool              `json:"uncollectible"`
	CreatedAt       time.Time         `json:"createdAt"`
	HostedURL       string            `json:"-"`
}

// IsNode marks Invoice as a Node.
func (Invoice) IsNode() {}

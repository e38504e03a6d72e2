// Package billing turns the usage every domain records into one consolidated invoice per
// account, currency and month, and settles it: by recorded bank transfers, or through Stripe.
//
// # Price books
//
// A price book holds versions of rates, each in effect from its EffectiveFrom until the next
// version's. Each account is priced by its contract book, or by the default book when it has
// none; a usage record is priced by the version in effect at its OccurredAt, so a rate change
// in the middle of a month splits a line in two. Rounding: a line of a per-unit code is
// Σquantity × rate rounded once, half up, to the minor unit; percentage and basis-point codes
// (freight markup, procurement commission, financing facilitation) are rounded half up per
// record, because the procurement minimum applies per purchase order.
//
// Codes without a rate (neither a known code nor one of the version's custom rates) are never
// billed at zero silently: a run leaves such records unclaimed and reports them (RunReport.
// Unpriced, and Invoice.UnpricedCodes on the draft), so that staff add a custom rate and run
// again; the records then go on the next draft.
//
// # Exactly-once invoice runs
//
// A run for a period [start, end) and an account does, for each currency the account's
// uninvoiced usage (occurred before end) is priced in:
//
//  1. find or create the draft with the deterministic key (account, period, currency); the
//     unique index on (accountId, key) makes racing runs meet on one document;
//  2. claim the records for that draft with updates guarded on an empty invoiceId, so a record
//     is claimed by at most one invoice, and claiming it again for the same draft is a no-op;
//     after claiming, the run re-reads the draft, and if it is no longer a DRAFT it releases
//     the claim (usage.Release refuses once the record is billed, see below). The records of
//     codes that all price in the draft's currency are claimed by scope (usage.ClaimScope:
//     codes, a window of OccurredAt, stored no later than the newest record the run priced),
//     the rest by id; by scope, a run's cost is linear in its records on the embedded store
//     too (the claim cost note in services/usage/claim.go);
//  3. recalculate the draft from the set of records it has claimed, never incrementally: read
//     the draft's version, read the claimed set, write the lines guarded on that version, and
//     start over on a conflict. Whatever order ten concurrent runs interleave in, the last write
//     reflects every claim made before it.
//
// A run killed anywhere leaves claims that are either in the draft's lines already or picked up
// by the next recalculation; running again completes it, and nothing is billed twice. Usage
// that arrives after the period's invoice is finalized stays unclaimed and goes on the next
// period's invoice.
//
// # Finalizing and numbering
//
// Finalize moves DRAFT → FINALIZING (guarded on the version), freezes the claims (usage.Freeze
// marks them billed: from then on they cannot be released), recomputes the lines from the billed
// records, then takes a number. Numbers run per year without gaps: the counter document
// {_id: "invoice-<year>", seq, holder} is advanced with a guarded update on seq that names the
// invoice taking the number; the number is written to the invoice afterwards. Whoever finds a
// holder whose invoice does not carry its number yet (its finalize crashed in between) writes
// that number to it first, so every number given out lands on exactly one invoice, and a
// retried finalize finds itself as the holder and reuses its number.
//
// # Stripe
//
// With a Stripe key configured, a finalized invoice is PENDING_SYNC until it is pushed: customer,
// invoice (collection_method send_invoice), one invoice item per line and for the tax, finalize.
// Every call carries an idempotency key made of our ids, and each step's result is stored before
// the next, so a push retried after a 5xx, a timeout or a crash creates one Stripe invoice. The
// retry queue is the invoices themselves: PENDING_SYNC with a nextAttemptAt and exponential
// backoff, worked by SyncPending (cmd/tradehub runs it every few seconds).
//
// Webhooks (/webhooks/stripe) are verified with stripe-go's webhook package, deduplicated by
// event id, and applied as guarded state changes that only move forward: a late
// invoice.payment_failed never reverts PAID.
package billing

import (
	"context"
	"time"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
)

// Status is an invoice's lifecycle state.
type Status string

// The states. OVERDUE is never stored: an open invoice (FINALIZED or PARTIALLY_PAID) whose due
// date has passed reads as OVERDUE (see Invoice.Effective), so no sweep is needed to keep it true.
const (
	StatusDraft         Status = "DRAFT"
	StatusFinalizing    Status = "FINALIZING" // frozen, taking its number; reads as DRAFT to clients until numbered
	StatusFinalized     Status = "FINALIZED"
	StatusPartiallyPaid Status = "PARTIALLY_PAID"
	StatusPaid          Status = "PAID"
	StatusOverdue       Status = "OVERDUE"
	StatusVoid          Status = "VOID"
)

// SyncStatus says where the invoice is with Stripe.
type SyncStatus string

const (
	SyncNone    SyncStatus = "NOT_SYNCED" // Stripe is not configured, or the invoice is a draft
	SyncPending SyncStatus = "PENDING_SYNC"
	SyncSynced  SyncStatus = "SYNCED"
)

// Kind says what an invoice bills.
type Kind string

const (
	KindUsage         Kind = "USAGE"          // a period's consolidated usage
	KindLoanRepayment Kind = "LOAN_REPAYMENT" // a loan repayment collected through an invoice
)

// Line is one priced line of an invoice.
type Line struct {
	Code        string
	Description string
	Quantity    string       // decimal quantity of Unit
	Unit        string       // what Quantity counts
	UnitPrice   *money.Money // per-unit codes
	Basis       *money.Money // amount-based codes: the sum of the records' amounts
	RateBps     int64        // percentage codes: the rate in basis points
	Amount      money.Money
	Records     int // how many usage records the line prices
}

// Section is the lines of one service (usage category) and their subtotal.
type Section struct {
	Category string
	Lines    []Line
	Subtotal money.Money
}

// Tax is the tax of an invoice in its buyer's jurisdiction.
type Tax struct {
	Country       string
	Name          string
	RateBps       int64
	ReverseCharge bool
	Taxable       money.Money
	Amount        money.Money
}

// Payment is a settlement recorded against an invoice.
type Payment struct {
	ID         string
	Amount     money.Money
	Method     string // BANK_TRANSFER or STRIPE
	Reference  string
	ReceivedAt time.Time
}

// CreditNote corrects a finalized invoice.
type CreditNote struct {
	ID        string
	Amount    money.Money
	Reason    string
	CreatedAt time.Time
}

// Invoice is a consolidated invoice.
type Invoice struct {
	ID            string
	AccountID     string
	Kind          Kind
	Key           string // deterministic: "<period>:<currency>" or "loan:<loanId>:<idempotencyKey>"
	PeriodStart   time.Time
	PeriodEnd     time.Time
	Currency      money.Currency
	Status        Status
	Number        string // "TH-2026-000001", empty until finalized
	Sections      []Section
	Subtotal      money.Money
	Tax           Tax
	Total         money.Money
	Credited      money.Money
	Paid          money.Money
	Refunded      money.Money
	Payments      []Payment
	CreditNotes   []CreditNote
	UnpricedCodes []string
	Memo          string
	TermsDays     int
	DueDate       time.Time
	FinalizedAt   time.Time
	LoanID        string
	Sync          SyncStatus
	SyncError     string
	StripeID      string
	HostedURL     string
	PaymentError  string
	Uncollectible bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Version       int64
}

// Balance is what is still owed: total less credit notes and payments.
func (inv Invoice) Balance() money.Money {
	return money.New(inv.Total.Amount-inv.Credited.Amount-inv.Paid.Amount, inv.Currency)
}

// Effective is the status as clients see it at now: open invoices past their due date are
// OVERDUE, and one taking its number is still a DRAFT.
func (inv Invoice) Effective(now time.Time) Status {
	switch inv.Status {
	case StatusFinalizing:
		return StatusDraft
	case StatusFinalized, StatusPartiallyPaid:
		if !inv.DueDate.IsZero() && now.After(inv.DueDate) {
			return StatusOverdue
		}
	}
	return inv.Status
}

// Customer is what billing needs to know of an account.
type Customer struct {
	AccountID string
	LegalName string
	Country   string
	Currency  money.Currency
	Email     string
}

// Accounts gives billing the accounts it bills; cmd/tradehub adapts the accounts service.
type Accounts interface {
	// Customer returns the account (trusted read, no authorization).
	Customer(ctx context.Context, accountID string) (Customer, error)
	// AccountIDs returns every account id (trusted read), for a run of every account.
	AccountIDs(ctx context.Context) ([]string, error)
}

// LoanPayments applies a payment collected through a repayment invoice to a loan. The financing
// service implements it; ApplyLoanPayment must be idempotent by reference (our invoice id).
// FX converts money between currencies at a time (procurement's FX table satisfies it).
type FX interface {
	Convert(ctx context.Context, m money.Money, to money.Currency, at time.Time) (money.Money, string, error)
}

type LoanPayments interface {
	// LoanOwed is what an open loan of the account owes now (principal, fees and interest); a
	// foreign or missing loan is NOT_FOUND, a closed one is refused. It keeps a repayment
	// invoice from being raised for a loan that is not the account's or for more than is owed.
	LoanOwed(ctx context.Context, accountID, loanID string) (money.Money, error)
	ApplyLoanPayment(ctx context.Context, accountID, loanID string, amount money.Money, reference string) error
}

// Issuer is who invoices: Tradehub's billing entity, printed on every invoice.
type Issuer struct {
	Name, Address, Country, TaxID, BankDetails string
}

// Errors.
var (
	ErrNotFound          = errs.Sentinel(errs.NotFound, "NOT_FOUND", "not found")
	ErrInvalidTransition = errs.Sentinel(errs.FailedPrecondition, "INVALID_TRANSITION", "the invoice's state does not allow this")
	ErrEmptyInvoice      = errs.Sentinel(errs.FailedPrecondition, "EMPTY_INVOICE", "an invoice without lines cannot be finalized")
	ErrAboveBalance      = errs.Sentinel(errs.FailedPrecondition, "PAYMENT_ABOVE_BALANCE", "the payment is more than the balance due")
	ErrAboveTotal        = errs.Sentinel(errs.FailedPrecondition, "CREDIT_ABOVE_TOTAL", "credit notes cannot add up to more than the invoice total")
	ErrNoLoanPayments    = errs.Sentinel(errs.FailedPrecondition, "FINANCING_UNAVAILABLE", "loan repayments cannot be invoiced: financing is not connected")
	ErrNoPriceBook       = errs.Sentinel(errs.FailedPrecondition, "NO_PRICE_BOOK", "no price book is in effect for this account")
)

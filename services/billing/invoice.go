package billing

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/usage"
)

// authorizeWrite loads invoice id and requires the caller may bill its account: NOT_FOUND for
// a missing or foreign invoice, FORBIDDEN for a reader who may not bill.
func (s *Service) authorizeWrite(ctx context.Context, id string, res access.Resource) (invoiceDoc, error) {
	if !ids.HasPrefix(id, ids.Invoice) {
		return invoiceDoc{}, ErrNotFound.With("input.invoiceId", nil)
	}
	d, err := s.loadInvoice(ctx, id)
	if err != nil {
		if errs.CodeOf(err) == errs.NotFound {
			return d, ErrNotFound.With("input.invoiceId", nil)
		}
		return d, err
	}
	if !s.access.Can(ctx, d.AccountID, access.Invoices, access.Read) {
		return d, ErrNotFound.With("input.invoiceId", nil)
	}
	if err := s.access.Require(ctx, d.AccountID, res, access.Write); err != nil {
		return d, err
	}
	return d, nil
}

// Recalculate re-runs a draft's period for its account: new usage is claimed and the lines are
// priced again. INVALID_TRANSITION for an invoice that is not a draft.
func (s *Service) Recalculate(ctx context.Context, id string) (Invoice, error) {
	d, err := s.authorizeWrite(ctx, id, access.Invoices)
	if err != nil {
		return Invoice{}, err
	}
	if d.Status != string(StatusDraft) {
		return Invoice{}, ErrInvalidTransition.WithMessage("only a draft can be recalculated; correct a finalized invoice with a credit note")
	}
	if d.Kind == string(KindUsage) {
		if _, _, _, err := s.runAccount(ctx, d.AccountID, d.PeriodStart, d.PeriodEnd); err != nil {
			return Invoice{}, err
		}
	}
	return s.reload(ctx, id)
}

// UpdateDraft changes a draft's memo. INVALID_TRANSITION once finalized.
func (s *Service) UpdateDraft(ctx context.Context, id, memo string) (Invoice, error) {
	if _, err := s.authorizeWrite(ctx, id, access.Invoices); err != nil {
		return Invoice{}, err
	}
	if len(memo) > 500 {
		return Invoice{}, errs.InvalidField("input.memo", "at most 500 characters")
	}
	d, err := s.mutate(ctx, id, func(d *invoiceDoc) error {
		if d.Status != string(StatusDraft) {
			return ErrInvalidTransition.WithMessage("a finalized invoice cannot be edited; issue a credit note")
		}
		d.Memo = memo
		return nil
	})
	if err != nil {
		return Invoice{}, err
	}
	return d.toInvoice(), nil
}

// AdHocInput is an ad-hoc charge (positive) or credit (negative amount) for an account.
type AdHocInput struct {
	AccountID      string
	Amount         money.Money
	Reason         string
	OccurredAt     time.Time // zero: now
	IdempotencyKey string
}

// AddAdHocCharge records an ad-hoc charge or credit as a usage record (category OTHER, code
// adhoc.charge or adhoc.credit), billed by the next run of its period. Returns INVALID for a zero
// amount, a missing reason or key; NOT_FOUND/FORBIDDEN like RunPeriod.
func (s *Service) AddAdHocCharge(ctx context.Context, in AdHocInput) (usage.Record, error) {
	if !ids.HasPrefix(in.AccountID, ids.Account) {
		return usage.Record{}, ErrNotFound.With("input.accountId", nil)
	}
	if err := s.requireVisible(ctx, in.AccountID, access.Invoices); err != nil {
		return usage.Record{}, err
	}
	switch {
	case in.Amount.Currency.IsZero() || in.Amount.IsZero():
		return usage.Record{}, errs.InvalidField("input.amount", "must be a non-zero amount with a currency")
	case strings.TrimSpace(in.Reason) == "" || len(in.Reason) > 200:
		return usage.Record{}, errs.InvalidField("input.reason", "say why, in at most 200 characters")
	case strings.TrimSpace(in.IdempotencyKey) == "" || len(in.IdempotencyKey) > 100:
		return usage.Record{}, errs.InvalidField("input.idempotencyKey", "must be 1 to 100 characters")
	}
	at := in.OccurredAt
	if at.IsZero() {
		at = s.clock.Now()
	}
	code, amt := CodeAdHocCharge, in.Amount
	if in.Amount.IsNegative() {
		code = CodeAdHocCredit
	}
	r, _, err := s.usage.Record(ctx, usage.Record{AccountID: in.AccountID, Category: usage.Other, Code: code,
		Quantity: usage.Units(1), Unit: "charge", Amount: &amt, OccurredAt: at,
		SourceKey: "adhoc:" + in.IdempotencyKey, Attributes: map[string]string{"reason": strings.TrimSpace(in.Reason)}})
	return r, err
}

// Finalize freezes a draft, numbers it and, with Stripe configured, queues it for the push
// (and tries the push once at once). Returns EMPTY_INVOICE for a draft without lines,
// INVALID_TRANSITION for an invoice already finalized (a retry of a crashed finalize, found
// FINALIZING, completes instead), NOT_FOUND/FORBIDDEN as usual.
func (s *Service) Finalize(ctx context.Context, id string) (Invoice, error) {
	d, err := s.authorizeWrite(ctx, id, access.Invoices)
	if err != nil {
		return Invoice{}, err
	}
	if d.Status == string(StatusDraft) {
		if _, err := s.mutate(ctx, id, func(d *invoiceDoc) error {
			if d.Status != string(StatusDraft) {
				return errSkip
			}
			if len(d.Sections) == 0 {
				return ErrEmptyInvoice
			}
			d.Status = string(StatusFinalizing)
			return nil
		}); err != nil {
			return Invoice{}, err
		}
	} else if d.Status != string(StatusFinalizing) {
		return Invoice{}, ErrInvalidTransition.WithMessage("the invoice is already %s", d.toInvoice().Effective(s.clock.Now()))
	}
	if err := s.completeFinalize(ctx, id); err != nil {
		return Invoice{}, err
	}
	if s.stripe != nil {
		s.pushInline(ctx, id)
	}
	return s.reload(ctx, id)
}

// completeFinalize takes a FINALIZING invoice to FINALIZED: freeze claims, recompute from the
// billed records, number it. Each step is idempotent, so a crashed finalize is completed by
// calling it again (the Stripe worker does so for invoices left FINALIZING).
func (s *Service) completeFinalize(ctx context.Context, id string) error {
	d, err := s.loadInvoice(ctx, id)
	if err != nil {
		return err
	}
	if d.Status != string(StatusFinalizing) {
		return nil
	}
	if d.Seq == 0 {
		if d.Kind == string(KindUsage) {
			if _, err := s.usage.Freeze(ctx, d.AccountID, id); err != nil {
				return err
			}
			cust, err := s.cfg.Accounts.Customer(ctx, d.AccountID)
			if err != nil {
				return err
			}
			book, err := s.effectiveBook(ctx, d.AccountID)
			if err != nil {
				return err
			}
			if _, err := s.recalc(ctx, id, cust, book, nil); err != nil {
				return err
			}
		}
	}
	return s.assignNumber(ctx, id)
}

type counterDoc struct {
	ID     string `bson:"_id"`
	Seq    int64  `bson:"seq"`
	Holder string `bson:"holder"`
}

// assignNumber gives a FINALIZING invoice the next number of its year without gaps (see the
// package doc: the holder of the latest number is completed before anyone takes the next).
func (s *Service) assignNumber(ctx context.Context, id string) error {
	year := s.clock.Now().Year()
	if d, err := s.loadInvoice(ctx, id); err == nil && d.Year != 0 {
		year = d.Year
	}
	cid := fmt.Sprintf("invoice-%d", year)
	for range 50 {
		var c counterDoc
		err := s.counters.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: cid}},
			bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "seq", Value: int64(0)}, {Key: "holder", Value: ""}}}},
			options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&c)
		if err != nil {
			if mongo.IsDuplicateKeyError(err) {
				continue
			}
			return errs.Internalf("invoice counter: %w", err)
		}
		if c.Holder != "" {
			// Complete the holder (ourselves, on a retry) before anyone takes the next number.
			if err := s.numberInvoice(ctx, c.Holder, year, c.Seq); err != nil {
				return err
			}
			if c.Holder == id {
				return nil
			}
		}
		d, err := s.loadInvoice(ctx, id)
		if err != nil {
			return err
		}
		if d.Seq != 0 {
			return nil
		}
		res, err := s.counters.UpdateOne(ctx, bson.D{{Key: "_id", Value: cid}, {Key: "seq", Value: c.Seq}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "seq", Value: int64(1)}}}, {Key: "$set", Value: bson.D{{Key: "holder", Value: id}}}})
		if err != nil {
			return errs.Internalf("invoice counter: %w", err)
		}
		if res.ModifiedCount == 1 {
			if h := s.afterNumberTakenHook; h != nil {
				if err := h(); err != nil {
					return err
				}
			}
			return s.numberInvoice(ctx, id, year, c.Seq+1)
		}
	}
	return errRetry
}

// numberInvoice writes number seq of year to a FINALIZING invoice that has none yet, finalizing
// it; a no-op when it has one.
func (s *Service) numberInvoice(ctx context.Context, id string, year int, seq int64) error {
	_, err := s.mutate(ctx, id, func(d *invoiceDoc) error {
		if d.Seq != 0 || d.Status != string(StatusFinalizing) {
			return errSkip
		}
		now := s.clock.Now()
		d.Year, d.Seq, d.Number = year, seq, invoiceNumber(year, seq)
		d.Status = string(StatusFinalized)
		d.FinalizedAt = now
		d.DueDate = now.AddDate(0, 0, d.TermsDays)
		if s.stripe != nil {
			d.Sync = string(SyncPending)
			d.NextSyncAt = now
		}
		return nil
	})
	return err
}

func (s *Service) reload(ctx context.Context, id string) (Invoice, error) {
	d, err := s.loadInvoice(ctx, id)
	if err != nil {
		return Invoice{}, err
	}
	return d.toInvoice(), nil
}

// PaymentInput records a bank transfer.
type PaymentInput struct {
	InvoiceID  string
	Amount     money.Money
	Reference  string
	ReceivedAt time.Time // zero: now
}

// RecordPayment records a (possibly partial) bank transfer against a finalized invoice. The
// reference makes it idempotent: recording the same reference again returns the invoice
// unchanged. Returns PAYMENT_ABOVE_BALANCE for more than the balance, INVALID for a zero or
// negative amount, another currency or a missing reference, INVALID_TRANSITION for a draft,
// paid or void invoice.
func (s *Service) RecordPayment(ctx context.Context, in PaymentInput) (Invoice, error) {
	if _, err := s.authorizeWrite(ctx, in.InvoiceID, access.Invoices); err != nil {
		return Invoice{}, err
	}
	switch {
	case in.Amount.Amount <= 0:
		return Invoice{}, errs.InvalidField("input.amount", "must be more than zero")
	case strings.TrimSpace(in.Reference) == "" || len(in.Reference) > 100:
		return Invoice{}, errs.InvalidField("input.reference", "the bank reference, 1 to 100 characters")
	}
	at := in.ReceivedAt
	if at.IsZero() {
		at = s.clock.Now()
	}
	d, err := s.mutate(ctx, in.InvoiceID, func(d *invoiceDoc) error {
		for _, p := range d.Payments {
			if p.Reference == in.Reference {
				return errSkip
			}
		}
		if in.Amount.Currency.Code() != d.Currency {
			return errs.InvalidField("input.amount.currencyCode", "the invoice is in %s", d.Currency)
		}
		if !open(d.Status) {
			return ErrInvalidTransition.WithMessage("payments are recorded against finalized, unpaid invoices")
		}
		bal := d.Total - d.Credited - d.Paid
		if in.Amount.Amount > bal {
			return ErrAboveBalance.With("input.amount", nil).WithMessage("the balance due is %s", money.New(bal, in.Amount.Currency))
		}
		d.Paid += in.Amount.Amount
		d.Payments = append(d.Payments, paymentDoc{ID: ids.New(ids.Payment), Amount: in.Amount.Amount, Method: "BANK_TRANSFER",
			Reference: strings.TrimSpace(in.Reference), ReceivedAt: at})
		settle(d)
		return nil
	})
	if err != nil {
		return Invoice{}, err
	}
	if d.Kind == string(KindLoanRepayment) && d.Status == string(StatusPaid) {
		if err := s.applyLoan(ctx, d.ID); err != nil {
			// The payment is recorded; the loan is applied by the next payment event or retry.
			s.log.ErrorContext(ctx, "apply loan payment", "invoice", d.ID, "error", err)
		}
	}
	return d.toInvoice(), nil
}

func open(st string) bool { return st == string(StatusFinalized) || st == string(StatusPartiallyPaid) }

// settle sets an open invoice's status from its balance.
func settle(d *invoiceDoc) {
	switch {
	case d.Total-d.Credited-d.Paid <= 0:
		d.Status = string(StatusPaid)
	case d.Paid > 0:
		d.Status = string(StatusPartiallyPaid)
	default:
		d.Status = string(StatusFinalized)
	}
}

// CreditNoteInput corrects a finalized invoice.
type CreditNoteInput struct {
	InvoiceID      string
	Amount         money.Money
	Reason         string
	IdempotencyKey string
}

// IssueCreditNote credits a finalized invoice. Returns CREDIT_ABOVE_TOTAL when the credit notes
// would add up to more than the total, INVALID_TRANSITION for a draft or void invoice, INVALID
// for bad input. The idempotency key makes a replay return the invoice unchanged.
func (s *Service) IssueCreditNote(ctx context.Context, in CreditNoteInput) (Invoice, error) {
	if _, err := s.authorizeWrite(ctx, in.InvoiceID, access.Invoices); err != nil {
		return Invoice{}, err
	}
	switch {
	case in.Amount.Amount <= 0:
		return Invoice{}, errs.InvalidField("input.amount", "must be more than zero")
	case strings.TrimSpace(in.Reason) == "" || len(in.Reason) > 200:
		return Invoice{}, errs.InvalidField("input.reason", "say why, in at most 200 characters")
	case strings.TrimSpace(in.IdempotencyKey) == "" || len(in.IdempotencyKey) > 100:
		return Invoice{}, errs.InvalidField("input.idempotencyKey", "must be 1 to 100 characters")
	}
	d, err := s.mutate(ctx, in.InvoiceID, func(d *invoiceDoc) error {
		for _, n := range d.CreditNotes {
			if n.Key == in.IdempotencyKey {
				return errSkip
			}
		}
		if in.Amount.Currency.Code() != d.Currency {
			return errs.InvalidField("input.amount.currencyCode", "the invoice is in %s", d.Currency)
		}
		if !open(d.Status) && d.Status != string(StatusPaid) {
			return ErrInvalidTransition.WithMessage("credit notes are issued against finalized invoices")
		}
		if d.Credited+in.Amount.Amount > d.Total {
			return ErrAboveTotal.With("input.amount", nil)
		}
		d.Credited += in.Amount.Amount
		d.CreditNotes = append(d.CreditNotes, creditNoteDoc{ID: ids.New(ids.CreditNote), Amount: in.Amount.Amount,
			Reason: strings.TrimSpace(in.Reason), Key: in.IdempotencyKey, CreatedAt: s.clock.Now()})
		if d.Status != string(StatusPaid) {
			settle(d)
		}
		return nil
	})
	if err != nil {
		return Invoice{}, err
	}
	return d.toInvoice(), nil
}

// Void voids a finalized invoice without payments (its number stays used: no gap). Returns
// INVALID_TRANSITION otherwise.
func (s *Service) Void(ctx context.Context, id string) (Invoice, error) {
	if _, err := s.authorizeWrite(ctx, id, access.Invoices); err != nil {
		return Invoice{}, err
	}
	d, err := s.mutate(ctx, id, func(d *invoiceDoc) error {
		if d.Status != string(StatusFinalized) || d.Paid != 0 {
			return ErrInvalidTransition.WithMessage("only a finalized invoice without payments can be voided")
		}
		d.Status = string(StatusVoid)
		return nil
	})
	if err != nil {
		return Invoice{}, err
	}
	return d.toInvoice(), nil
}

// LoanRepaymentInput invoices a loan repayment.
type LoanRepaymentInput struct {
	AccountID      string
	LoanID         string
	Amount         money.Money
	IdempotencyKey string
}

// CreateLoanRepaymentInvoice creates and finalizes an invoice of one line for a loan repayment;
// when it is paid (Stripe invoice.paid, or a recorded payment settling it) the payment is
// applied to the loan once through LoanPayments. Returns FINANCING_UNAVAILABLE while financing
// is not wired, INVALID for bad input, NOT_FOUND/FORBIDDEN for callers who may not pay.
func (s *Service) CreateLoanRepaymentInvoice(ctx context.Context, in LoanRepaymentInput) (Invoice, error) {
	if !ids.HasPrefix(in.AccountID, ids.Account) {
		return Invoice{}, ErrNotFound.With("input.accountId", nil)
	}
	if !s.access.Can(ctx, in.AccountID, access.Invoices, access.Read) {
		return Invoice{}, ErrNotFound.With("input.accountId", nil)
	}
	if err := s.access.Require(ctx, in.AccountID, access.InvoicePay, access.Write); err != nil {
		return Invoice{}, err
	}
	switch {
	case s.cfg.Loans == nil:
		return Invoice{}, ErrNoLoanPayments
	case !ids.HasPrefix(in.LoanID, ids.Loan):
		return Invoice{}, errs.InvalidField("input.loanId", "not a loan id")
	case in.Amount.Amount <= 0 || in.Amount.Currency.IsZero():
		return Invoice{}, errs.InvalidField("input.amount", "must be more than zero")
	case strings.TrimSpace(in.IdempotencyKey) == "" || len(in.IdempotencyKey) > 100:
		return Invoice{}, errs.InvalidField("input.idempotencyKey", "must be 1 to 100 characters")
	}
	owed, err := s.cfg.Loans.LoanOwed(ctx, in.AccountID, in.LoanID)
	if err != nil {
		if errs.IsCode(err, errs.NotFound) {
			return Invoice{}, ErrNotFound.With("input.loanId", nil)
		}
		return Invoice{}, err
	}
	if in.Amount.Currency != owed.Currency || in.Amount.Amount > owed.Amount {
		return Invoice{}, errs.InvalidField("input.amount", "must be in the loan's currency and at most what it owes (%s)", owed)
	}
	now := s.clock.Now()
	amt := in.Amount.Amount
	d := invoiceDoc{ID: ids.New(ids.Invoice), AccountID: in.AccountID, Kind: string(KindLoanRepayment),
		Key: "loan:" + in.LoanID + ":" + in.IdempotencyKey, PeriodStart: now, PeriodEnd: now, Currency: in.Amount.Currency.Code(),
		Status: string(StatusFinalizing), LoanID: in.LoanID, Sync: string(SyncNone), TermsDays: 14, CreatedAt: now, UpdatedAt: now,
		Sections: []sectionDoc{{Category: string(usage.Financing), Subtotal: amt, Lines: []lineDoc{{Code: "financing.repayment",
			Description: "Loan repayment " + in.LoanID, Quantity: "1", Unit: "repayment", Basis: &amt, Amount: amt, Records: 0}}}},
		Subtotal: amt, Total: amt, Tax: taxDoc{Name: "Not taxable", Country: ""}, Payments: []paymentDoc{}, CreditNotes: []creditNoteDoc{}}
	if _, err := s.invoices.InsertOne(ctx, d); err != nil {
		if !mongo.IsDuplicateKeyError(err) {
			return Invoice{}, errs.Internalf("loan repayment invoice: %w", err)
		}
		if err := s.invoices.FindOne(ctx, bson.D{{Key: "accountId", Value: in.AccountID}, {Key: "key", Value: d.Key}}).Decode(&d); err != nil {
			return Invoice{}, errs.Internalf("loan repayment invoice: %w", err)
		}
	}
	if err := s.completeFinalize(ctx, d.ID); err != nil {
		return Invoice{}, err
	}
	if s.stripe != nil {
		s.pushInline(ctx, d.ID)
	}
	return s.reload(ctx, d.ID)
}

// applyLoan applies a paid repayment invoice to its loan, once (the flag is set after the
// financing service accepted it; ApplyLoanPayment is idempotent by our invoice id).
func (s *Service) applyLoan(ctx context.Context, id string) error {
	d, err := s.loadInvoice(ctx, id)
	if err != nil {
		return err
	}
	if d.Kind != string(KindLoanRepayment) || d.Status != string(StatusPaid) || d.LoanApplied {
		return nil
	}
	if s.cfg.Loans == nil {
		return ErrNoLoanPayments
	}
	c, _ := money.ParseCurrency(d.Currency)
	if err := s.cfg.Loans.ApplyLoanPayment(ctx, d.AccountID, d.LoanID, money.New(d.Paid, c), d.ID); err != nil {
		return err
	}
	_, err = s.mutate(ctx, id, func(d *invoiceDoc) error {
		if d.LoanApplied {
			return errSkip
		}
		d.LoanApplied = true
		return nil
	})
	return err
}

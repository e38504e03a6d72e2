package financing

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/events"
	"github.com/tradehub/tradehub/services/usage"
)

var errNoChange = errors.New("no change")

// loanEvent is the data of financing.loan_* events: ids and the changed values only.
type loanEvent struct {
	LoanID    string `bson:"loanId"`
	PartnerID string `bson:"partnerId"`
	Status    string `bson:"status"`
	DueDate   string `bson:"dueDate,omitempty"`
	LTVBps    int64  `bson:"ltvBps,omitempty"`
	Reason    string `bson:"reason,omitempty"`
}

func (s *Service) loanEvent(ctx context.Context, l *Loan, typ, reason string) (events.OutboxEntry, error) {
	return events.New(events.Draft{AccountID: l.AccountID, Type: typ, ObjectID: l.ID, Actor: actor(ctx), OccurredAt: s.clock.Now(),
		Data: loanEvent{LoanID: l.ID, PartnerID: l.PartnerID, Status: string(l.Status), DueDate: day(l.DueDate), LTVBps: l.LTVBps, Reason: reason}})
}

// FundRequest funds an APPROVED request (the partner: write on financing_decisions): the
// facility's drawdown (guarded: never below zero), the pledge of the stock, the loan with its
// disbursement and fee entries, and the facilitation usage record. The collateral is valued
// again first. Errors: NOT_FOUND; ALREADY_FUNDED for a second call; INVALID_TRANSITION when not
// approved; COLLATERAL_CHANGED when the collateral no longer covers the amount;
// FACILITY_LIMIT_EXCEEDED or FACILITY_NOT_ACTIVE. A refusal leaves the request APPROVED.
func (s *Service) FundRequest(ctx context.Context, requestID string) (Loan, error) {
	r, err := s.mutateRequest(ctx, requestID, ResFinancingDecisions, true, func(r *Request) error {
		if r.Status == RequestFunded || r.Status == RequestFunding {
			return ErrAlreadyFunded.With("input.requestId", nil)
		}
		if r.Status != RequestApproved {
			return ErrInvalidTransition.With("input.requestId", nil)
		}
		r.Status = RequestFunding
		return nil
	})
	if err != nil {
		return Loan{}, err
	}
	back := func(cause error) (Loan, error) {
		if _, err := s.setRequestStatus(ctx, r.ID, RequestFunding, RequestApproved, ""); err != nil {
			s.log.Error("financing: request left FUNDING", "request", r.ID, "err", err)
		}
		return Loan{}, cause
	}
	p, err := s.product(ctx, r.ProductID)
	if err != nil {
		return back(err)
	}
	// Value the collateral again: the goods may have moved since the request.
	var live []Collateral
	for i, c := range r.Collateral {
		v, err := s.valueOne(ctx, r.AccountID, p, c.CollateralRef, "input.collateral."+itoa(i))
		if err != nil {
			return back(err)
		}
		if !v.Eligible {
			return back(ErrCollateralChanged.With("input.requestId", nil))
		}
		live = append(live, v)
	}
	f, err := findOne[facilityDoc](ctx, s.facilities, bson.D{{Key: fID, Value: r.FacilityID}})
	if err != nil {
		return back(err)
	}
	amount := *r.ApprovedAmount
	f.Outstanding = money.New(0, p.Currency) // availability is the drawdown's to check
	if maxAdvance(p, f.Facility, live).Amount < amount.Amount {
		return back(ErrCollateralChanged.With("input.requestId", nil))
	}
	if err := s.drawdown(ctx, r.FacilityID, amount.Amount); err != nil {
		if e, ok := errs.As(err); ok && e.Code != errs.Internal {
			return back(e.With("input.requestId", nil))
		}
		return back(err)
	}
	loanID := ids.New(ids.Loan)
	var pledged []Collateral
	undo := func(cause error) (Loan, error) {
		for _, c := range pledged {
			if err := s.cfg.Inventory.ReleaseStock(ctx, r.AccountID, c.ID, c.WarehouseID, c.Quantity, loanID); err != nil {
				s.log.Error("financing: stock left pledged", "loan", loanID, "err", err)
			}
		}
		if err := s.restore(ctx, r.FacilityID, amount.Amount); err != nil {
			s.log.Error("financing: facility left drawn", "facility", r.FacilityID, "err", err)
		}
		return back(cause)
	}
	for _, c := range live {
		if c.Type != CollateralInventory {
			continue
		}
		if err := s.cfg.Inventory.PledgeStock(ctx, r.AccountID, c.ID, c.WarehouseID, c.Quantity, loanID); err != nil {
			return undo(ErrCollateralChanged.With("input.requestId", err))
		}
		pledged = append(pledged, c)
	}
	now := s.clock.Now()
	funded := parseDay(day(now))
	apr := p.APRBps
	if r.ApprovedAPRBps != nil {
		apr = *r.ApprovedAPRBps
	}
	l := Loan{ID: loanID, RequestID: r.ID, AccountID: r.AccountID, PartnerID: r.PartnerID, FacilityID: r.FacilityID,
		ProductID: r.ProductID, Currency: p.Currency, Principal: amount, APRBps: apr, TenorDays: r.TenorDays,
		GraceDays: p.GraceDays, Status: LoanActive, Collateral: live, FundedAt: now,
		MaturityDate: funded.AddDate(0, 0, r.TenorDays), AccruedThrough: day(funded.AddDate(0, 0, -1)), UpdatedAt: now}
	l.DueDate = l.MaturityDate
	fee, err := CostOf(amount, r.TenorDays, apr, p.FeeBps, p.MinFee.Amount)
	if err != nil {
		return undo(internal("price", err))
	}
	posting{&l}.disburse(amount.Amount, fee.Fee.Amount, now)
	s.revalue(&l)
	ev, err := s.loanEvent(ctx, &l, "financing.loan_funded", "")
	if err != nil {
		return undo(err)
	}
	raw, err := bson.MarshalWithRegistry(registry, loanDoc{ID: l.ID, Version: 1, Loan: l})
	if err != nil {
		return undo(internal("encode loan", err))
	}
	var doc bson.D
	if err := bson.Unmarshal(raw, &doc); err != nil {
		return undo(internal("encode loan", err))
	}
	doc = append(doc, bson.E{Key: events.OutboxField, Value: bson.A{ev}})
	if _, err := s.loans.InsertOne(ctx, doc); err != nil {
		return undo(internal("insert loan", err))
	}
	s.notify()
	if _, err := s.setRequestStatus(ctx, r.ID, RequestFunding, RequestFunded, l.ID); err != nil {
		s.log.Error("financing: request not marked FUNDED", "request", r.ID, "loan", l.ID, "err", err)
	}
	if _, err := s.claims.UpdateMany(ctx, bson.D{{Key: fOwner, Value: r.ID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "loanId", Value: l.ID}}}}); err != nil {
		s.log.Warn("financing: claims not linked to the loan", "loan", l.ID, "err", err)
	}
	s.recordUsage(ctx, l)
	select {
	case s.funded <- struct{}{}:
	default:
	}
	return l, nil
}

// recordUsage bills Tradehub's facilitation of a funded loan, once (source key by loan).
func (s *Service) recordUsage(ctx context.Context, l Loan) {
	amt := l.Principal
	_, _, err := s.cfg.Usage.Record(context.WithoutCancel(ctx), usage.Record{AccountID: l.AccountID, Category: usage.Financing,
		Code: "financing.facilitation", Quantity: usage.Units(1), Unit: "loan", Amount: &amt, OccurredAt: l.FundedAt,
		SourceKey: "financing:" + l.ID, Attributes: map[string]string{"loanId": l.ID, "partnerId": l.PartnerID}})
	if err != nil {
		s.log.Error("financing: facilitation usage not recorded", "loan", l.ID, "err", err)
	}
}

func (s *Service) setRequestStatus(ctx context.Context, id string, from, to RequestStatus, loanID string) (bool, error) {
	ctx = context.WithoutCancel(ctx)
	d, err := findOne[requestDoc](ctx, s.requests, bson.D{{Key: fID, Value: id}})
	if err != nil {
		return false, err
	}
	set := bson.D{{Key: fStatus, Value: string(to)}, {Key: "updatedat", Value: s.clock.Now()}}
	if loanID != "" {
		set = append(set, bson.E{Key: "loanid", Value: loanID})
	}
	r := d.Request
	r.Status = to
	ev, err := s.requestEvent(ctx, r)
	if err != nil {
		return false, err
	}
	res, err := s.requests.UpdateOne(ctx, bson.D{{Key: fID, Value: id}, {Key: fStatus, Value: string(from)}},
		bson.D{{Key: "$set", Value: set}, {Key: "$inc", Value: bson.D{{Key: fVersion, Value: int64(1)}}}, events.Push(ev)})
	if err != nil {
		return false, internal("set request status", err)
	}
	s.notify()
	return res.ModifiedCount == 1, nil
}

// revalue recomputes the collateral value and the loan-to-value from the collateral's last
// known state: at-risk shipments count for nothing.
func (s *Service) revalue(l *Loan) {
	var v int64
	for _, c := range l.Collateral {
		if c.Type == CollateralShipment && slices.Contains(atRiskStatuses, c.Status) {
			continue
		}
		if c.Value.Currency == l.Currency {
			v += c.Value.Amount
		}
	}
	l.LTVBps = 0
	if v > 0 {
		m, err := money.New(l.Outstanding.Total(), l.Currency).MulRat(10_000, v, money.HalfEven)
		if err == nil {
			l.LTVBps = m.Amount
		}
	} else if l.Outstanding.Total() > 0 {
		l.LTVBps = -1 // no collateral value left
	}
}

// mutateLoan applies fn to the loan under a version guard and pushes the events it returns.
func (s *Service) mutateLoan(ctx context.Context, id string, fn func(l *Loan, now time.Time) ([]string, error)) (Loan, error) {
	for range 20 {
		d, err := findOne[loanDoc](ctx, s.loans, bson.D{{Key: fID, Value: id}})
		if err != nil {
			return Loan{}, err
		}
		l := d.Loan
		now := s.clock.Now()
		evTypes, err := fn(&l, now)
		if errors.Is(err, errNoChange) {
			return l, nil
		}
		if err != nil {
			return Loan{}, err
		}
		s.revalue(&l)
		l.UpdatedAt = now
		set, err := setOf(l)
		if err != nil {
			return Loan{}, internal("encode loan", err)
		}
		update := bson.D{{Key: "$set", Value: set}, {Key: "$inc", Value: bson.D{{Key: fVersion, Value: int64(1)}}}}
		var entries []events.OutboxEntry
		for _, t := range evTypes {
			typ, reason, _ := strings.Cut(t, "|")
			e, err := s.loanEvent(ctx, &l, typ, reason)
			if err != nil {
				return Loan{}, err
			}
			entries = append(entries, e)
		}
		if len(entries) > 0 {
			update = append(update, events.Push(entries...))
		}
		res, err := s.loans.UpdateOne(ctx, bson.D{{Key: fID, Value: id}, {Key: fVersion, Value: d.Version}}, update)
		if err != nil {
			return Loan{}, internal("update loan", err)
		}
		if res.ModifiedCount == 1 {
			if len(entries) > 0 {
				s.notify()
			}
			return l, nil
		}
	}
	return Loan{}, ErrBusy
}

// Loan returns one loan; NOT_FOUND when the caller may not see it.
func (s *Service) Loan(ctx context.Context, id string) (Loan, error) {
	d, err := visibleOne[loanDoc](ctx, s, s.loans, id, func(d loanDoc) (string, string) { return d.AccountID, d.PartnerID })
	return d.Loan, err
}

// AtRiskCounts is, for each of accountIDs, how many of the account's loans the caller may see
// are AT_RISK, OVERDUE or DEFAULTED (for the account managers' console), in one store query.
// An account whose financing the caller may not read is absent from the map; a readable one
// with none is 0.
func (s *Service) AtRiskCounts(ctx context.Context, accountIDs []string) (map[string]int, error) {
	var readable []string
	partnerID := ""
	for _, a := range accountIDs {
		sc, err := s.readScope(ctx, a)
		if errs.IsCode(err, errs.NotFound) || errs.IsCode(err, errs.Forbidden) {
			continue
		}
		if err != nil {
			return nil, err
		}
		readable = append(readable, a)
		partnerID = sc.partnerID // the caller's, the same for every account
	}
	match := bson.D{{Key: fStatus, Value: bson.D{{Key: "$in", Value: bson.A{string(LoanAtRisk), string(LoanOverdue), string(LoanDefaulted)}}}}}
	if partnerID != "" {
		match = append(match, bson.E{Key: fPartnerID, Value: partnerID})
	}
	return mongodb.CountByAccount(ctx, s.loans, fAccountID, readable, match, "count loans at risk")
}

// Loans lists the account's loans the caller may see, newest first.
func (s *Service) Loans(ctx context.Context, accountID string) ([]Loan, error) {
	docs, err := visibleList[loanDoc](ctx, s, s.loans, accountID)
	out := make([]Loan, len(docs))
	for i, d := range docs {
		out[i] = d.Loan
	}
	return out, err
}

// LoanStatement returns the loan's ledger with its trial balance, to the seller, staff and the
// lending partner alike.
func (s *Service) LoanStatement(ctx context.Context, id string) (Statement, error) {
	l, err := s.Loan(ctx, id)
	if err != nil {
		return Statement{}, err
	}
	return StatementOf(l), nil
}

// accrueTo posts each complete day's interest not yet posted, up to the day before today.
// OwedAtDue is what the loan will owe if paid on its due date: what it owes now plus the daily
// interest of the days still to be posted before that day. Interest is posted for complete days
// (see accrueTo), so the due day itself carries none: a loan funded on day F for a tenor of T
// days owes T days of interest on day F+T, as its request promised.
func (l Loan) OwedAtDue() int64 {
	days := int64(0)
	if l.AccruedThrough != "" {
		days = int64(l.DueDate.Sub(parseDay(l.AccruedThrough)).Hours()/24) - 1
	}
	return l.Outstanding.Total() + max(0, days)*DailyInterest(l.Outstanding.Principal, l.APRBps)
}

func (s *Service) accrueTo(l *Loan, now time.Time) bool {
	if !l.Status.Open() {
		return false
	}
	today := parseDay(day(now))
	changed := false
	for d := parseDay(l.AccruedThrough).AddDate(0, 0, 1); d.Before(today); d = d.AddDate(0, 0, 1) {
		posting{l}.accrue(day(d), d.AddDate(0, 0, 1))
		changed = true
	}
	return changed
}

// AccrueInterest posts the daily interest of every open loan for each complete day not yet
// posted (a missed day is caught up; a day is never posted twice: the loan's version guard
// and its AccruedThrough day make the job idempotent), then marks loans past their due date
// OVERDUE with the late fee. It returns how many loans changed.
func (s *Service) AccrueInterest(ctx context.Context) (int, error) {
	docs, err := findAll[loanDoc](ctx, s.loans, bson.D{{Key: fStatus, Value: bson.D{{Key: "$in", Value: openStatuses()}}}},
		options.Find().SetProjection(bson.D{{Key: fID, Value: 1}}))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range docs {
		changed := false
		_, err := s.mutateLoan(ctx, d.ID, func(l *Loan, now time.Time) ([]string, error) {
			var evs []string
			a := s.accrueTo(l, now)
			if s.markOverdue(l, now) {
				evs = append(evs, "financing.loan_overdue")
			}
			if !a && len(evs) == 0 {
				return nil, errNoChange
			}
			changed = true
			return evs, nil
		})
		if err != nil {
			if ctx.Err() != nil {
				return n, ctx.Err()
			}
			s.log.Warn("financing: accrue interest", "loan", d.ID, "err", err)
			continue
		}
		if changed {
			n++
		}
	}
	return n, nil
}

func openStatuses() bson.A {
	return bson.A{string(LoanActive), string(LoanAtRisk), string(LoanOverdue), string(LoanDefaulted)}
}

// markOverdue: a loan still owing after its due date is OVERDUE, with the late fee, once.
func (s *Service) markOverdue(l *Loan, now time.Time) bool {
	if (l.Status != LoanActive && l.Status != LoanAtRisk) || l.Outstanding.Total() == 0 {
		return false
	}
	if day(now) <= day(l.DueDate) {
		return false
	}
	l.Status = LoanOverdue
	if p, err := s.product(context.Background(), l.ProductID); err == nil {
		posting{l}.lateFee(p.LateFee.Amount, now)
	}
	return true
}

// RecordPayment records a repayment (staff or the lending partner: write on loan_payments).
// Errors: NOT_FOUND; LOAN_CLOSED for a repaid or written-off loan; AMOUNT_ABOVE_OUTSTANDING;
// CURRENCY_MISMATCH; INVALID input.reference; CONFLICT for a reference reused with another amount.
func (s *Service) RecordPayment(ctx context.Context, loanID string, amount money.Money, reference string) (Loan, error) {
	d, err := findOne[loanDoc](ctx, s.loans, bson.D{{Key: fID, Value: loanID}})
	if err != nil {
		return Loan{}, ErrNotFound.With("input.loanId", nil)
	}
	if err := s.requirePartnerAct(ctx, d.AccountID, d.PartnerID, ResLoanPayments); err != nil {
		return Loan{}, notFoundAt(err, "input.loanId")
	}
	return s.applyPayment(ctx, d.AccountID, loanID, amount, reference)
}

// ApplyLoanPayment applies a payment collected outside a person's request (the Stripe repayment
// invoice of billing), idempotent by reference. It does no authorization: the caller is trusted
// wiring. Errors are RecordPayment's.
// LoanOwed is what an open loan of the account owes now, for billing's repayment invoices
// (trusted: billing has checked who may pay). A foreign or missing loan is NOT_FOUND; a closed
// one LOAN_CLOSED.
func (s *Service) LoanOwed(ctx context.Context, accountID, loanID string) (money.Money, error) {
	d, err := findOne[loanDoc](ctx, s.loans, bson.D{{Key: fID, Value: loanID}})
	if err != nil {
		return money.Money{}, err
	}
	if d.Loan.AccountID != accountID {
		return money.Money{}, ErrNotFound.With("input.loanId", nil)
	}
	if !d.Loan.Status.Open() {
		return money.Money{}, ErrLoanClosed.With("input.loanId", nil)
	}
	return money.Money{Amount: d.Loan.Outstanding.Total(), Currency: d.Loan.Currency}, nil
}

func (s *Service) ApplyLoanPayment(ctx context.Context, accountID, loanID string, amount money.Money, reference string) error {
	_, err := s.applyPayment(ctx, accountID, loanID, amount, reference)
	return err
}

func (s *Service) applyPayment(ctx context.Context, accountID, loanID string, amount money.Money, reference string) (Loan, error) {
	reference = strings.TrimSpace(reference)
	if reference == "" || len(reference) > 120 {
		return Loan{}, errs.InvalidField("input.reference", "a reference of 1 to 120 characters")
	}
	var principal int64
	repaid := false
	l, err := s.mutateLoan(ctx, loanID, func(l *Loan, now time.Time) ([]string, error) {
		principal, repaid = 0, false
		if l.AccountID != accountID {
			return nil, ErrNotFound.With("input.loanId", nil)
		}
		for _, e := range l.Ledger {
			if e.ID == "payment:"+reference {
				if e.Lines[0].Debit != amount.Amount {
					return nil, errs.E(errs.Conflict, "this reference was used for another amount").With("input.reference", nil)
				}
				return nil, errNoChange
			}
		}
		if !l.Status.Open() {
			return nil, ErrLoanClosed.With("input.loanId", nil)
		}
		if amount.Currency != l.Currency {
			return nil, ErrCurrency.With("input.amount", nil)
		}
		if amount.Amount <= 0 {
			return nil, errs.InvalidField("input.amount", "an amount above zero")
		}
		s.accrueTo(l, now)
		if amount.Amount > l.Outstanding.Total() {
			return nil, ErrOverpayment.With("input.amount", nil).WithMessage("the amount is above the %s outstanding", money.New(l.Outstanding.Total(), l.Currency))
		}
		principal = posting{l}.pay(amount.Amount, reference, now)
		evs := []string{"financing.loan_payment_received"}
		if l.Outstanding.Total() == 0 {
			l.Status, l.RepaidAt, repaid = LoanRepaid, &now, true
			evs = append(evs, "financing.loan_repaid")
		}
		return evs, nil
	})
	if err != nil {
		return Loan{}, err
	}
	if err := s.restore(ctx, l.FacilityID, principal); err != nil {
		s.log.Error("financing: facility not restored", "loan", l.ID, "err", err)
	}
	if repaid {
		s.release(ctx, l)
		l.Released = true
	}
	return l, nil
}

// release gives the collateral back: the claims go, pledged stock is available again.
func (s *Service) release(ctx context.Context, l Loan) {
	if l.Released {
		return
	}
	ctx = context.WithoutCancel(ctx)
	for _, c := range l.Collateral {
		if c.Type == CollateralInventory {
			if err := s.cfg.Inventory.ReleaseStock(ctx, l.AccountID, c.ID, c.WarehouseID, c.Quantity, l.ID); err != nil {
				s.log.Error("financing: stock not released", "loan", l.ID, "err", err)
				return
			}
		}
	}
	s.releaseClaims(ctx, l.RequestID)
	if _, err := s.mutateLoan(ctx, l.ID, func(l *Loan, _ time.Time) ([]string, error) {
		if l.Released {
			return nil, errNoChange
		}
		l.Released = true
		return []string{"financing.collateral_released"}, nil
	}); err != nil {
		s.log.Error("financing: loan not marked released", "loan", l.ID, "err", err)
	}
}

// partnerLoan authorizes a partner decision on a loan.
func (s *Service) partnerLoan(ctx context.Context, id string) (loanDoc, error) {
	d, err := findOne[loanDoc](ctx, s.loans, bson.D{{Key: fID, Value: id}})
	if err != nil {
		return loanDoc{}, ErrNotFound.With("input.loanId", nil)
	}
	return d, notFoundAt(s.requirePartnerAct(ctx, d.AccountID, d.PartnerID, ResFinancingDecisions), "input.loanId")
}

// MarkDefaulted marks an open loan DEFAULTED (the partner). It keeps accruing and can still be
// paid or written off.
func (s *Service) MarkDefaulted(ctx context.Context, id string) (Loan, error) {
	if _, err := s.partnerLoan(ctx, id); err != nil {
		return Loan{}, err
	}
	return s.mutateLoan(ctx, id, func(l *Loan, now time.Time) ([]string, error) {
		if !l.Status.Open() || l.Status == LoanDefaulted {
			return nil, ErrInvalidTransition.With("input.loanId", nil)
		}
		s.accrueTo(l, now)
		l.Status = LoanDefaulted
		return []string{"financing.loan_defaulted"}, nil
	})
}

// WriteOff writes off what an OVERDUE or DEFAULTED loan still owes (the partner): the ledger
// moves it to WRITE_OFF_EXPENSE, the facility gets the principal back, the collateral is released.
func (s *Service) WriteOff(ctx context.Context, id string) (Loan, error) {
	if _, err := s.partnerLoan(ctx, id); err != nil {
		return Loan{}, err
	}
	var principal int64
	l, err := s.mutateLoan(ctx, id, func(l *Loan, now time.Time) ([]string, error) {
		if l.Status != LoanOverdue && l.Status != LoanDefaulted {
			return nil, ErrInvalidTransition.With("input.loanId", nil)
		}
		s.accrueTo(l, now)
		principal = posting{l}.writeOff(now)
		l.Status = LoanWrittenOff
		return []string{"financing.loan_written_off"}, nil
	})
	if err != nil {
		return Loan{}, err
	}
	if err := s.restore(ctx, l.FacilityID, principal); err != nil {
		s.log.Error("financing: facility not restored", "loan", l.ID, "err", err)
	}
	s.release(ctx, l)
	l.Released = true
	return l, nil
}

// ReleaseCollateral releases a loan's collateral before repayment (the partner's decision); the
// loan runs on unsecured.
func (s *Service) ReleaseCollateral(ctx context.Context, id string) (Loan, error) {
	d, err := s.partnerLoan(ctx, id)
	if err != nil {
		return Loan{}, err
	}
	if d.Released {
		return Loan{}, ErrInvalidTransition.With("input.loanId", nil)
	}
	s.release(ctx, d.Loan)
	return s.Loan(ctx, id)
}

// IsShipmentPledged reports whether a shipment is pledged to a loan not yet repaid or released
// (transport asks before cancelling one).
func (s *Service) IsShipmentPledged(ctx context.Context, shipmentID string) (bool, error) {
	n, err := s.claims.CountDocuments(ctx, bson.D{{Key: fID, Value: CollateralRef{Type: CollateralShipment, ID: shipmentID}.key()}})
	if err != nil {
		return false, internal("read claims", err)
	}
	return n > 0, nil
}

// SyncShipment brings the loans holding a shipment in line with its live state: EXCEPTION,
// CUSTOMS_HOLD or LOST marks the loan AT_RISK (the partner is told by a financing.loan_at_risk
// event) and drops the shipment's value from the loan-to-value; delivery moves the due date to
// delivery + grace days when that is earlier than the maturity. Idempotent; the watcher calls
// it for each shipment.status_changed event and the reconcile job for every pledged shipment.
func (s *Service) SyncShipment(ctx context.Context, accountID, shipmentID string) error {
	docs, err := findAll[loanDoc](ctx, s.loans, bson.D{{Key: fCollateral, Value: shipmentID}, {Key: fAccountID, Value: accountID},
		{Key: fStatus, Value: bson.D{{Key: "$in", Value: openStatuses()}}}}, options.Find().SetProjection(bson.D{{Key: fID, Value: 1}}))
	if err != nil || len(docs) == 0 {
		return err
	}
	sh, err := s.cfg.Shipments.CollateralShipment(ctx, accountID, shipmentID)
	if err != nil {
		return internal("read shipment", err)
	}
	for _, d := range docs {
		_, err := s.mutateLoan(ctx, d.ID, func(l *Loan, now time.Time) ([]string, error) {
			changed := false
			var evs []string
			for i := range l.Collateral {
				c := &l.Collateral[i]
				if c.Type != CollateralShipment || c.ID != shipmentID {
					continue
				}
				if c.Status != sh.Status {
					c.Status, changed = sh.Status, true
				}
				if sh.DeliveredAt != nil && c.DeliveredAt == nil {
					c.DeliveredAt, changed = sh.DeliveredAt, true
				}
			}
			atRisk := false
			var due time.Time = l.MaturityDate
			for _, c := range l.Collateral {
				if c.Type == CollateralShipment && slices.Contains(atRiskStatuses, c.Status) {
					atRisk = true
				}
				if c.DeliveredAt != nil {
					d := parseDay(day(*c.DeliveredAt)).AddDate(0, 0, l.GraceDays)
					if d.Before(due) {
						due = d
					}
				}
			}
			if !due.Equal(l.DueDate) && l.Status.Open() {
				l.DueDate, changed = due, true
				evs = append(evs, "financing.loan_due_date_changed")
			}
			switch {
			case atRisk && l.Status == LoanActive:
				l.Status, changed = LoanAtRisk, true
				evs = append(evs, "financing.loan_at_risk|SHIPMENT_"+sh.Status)
			case !atRisk && l.Status == LoanAtRisk:
				l.Status, changed = LoanActive, true
				evs = append(evs, "financing.loan_back_on_track")
			}
			if !changed {
				return nil, errNoChange
			}
			return evs, nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// ReconcileShipments syncs every shipment pledged to an open loan (catch-up for events the
// watcher missed). It returns how many shipments it looked at.
func (s *Service) ReconcileShipments(ctx context.Context) (int, error) {
	docs, err := findAll[loanDoc](ctx, s.loans, bson.D{{Key: fStatus, Value: bson.D{{Key: "$in", Value: openStatuses()}}}})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range docs {
		for _, c := range d.Collateral {
			if c.Type == CollateralShipment {
				n++
				if err := s.SyncShipment(ctx, d.AccountID, c.ID); err != nil {
					if ctx.Err() != nil {
						return n, ctx.Err()
					}
					s.log.Warn("financing: sync shipment", "shipment", c.ID, "err", err)
				}
			}
		}
	}
	return n, nil
}

// AccountsWithPledgedShipments lists the accounts whose open loans hold shipments, for the watcher.
func (s *Service) AccountsWithPledgedShipments(ctx context.Context) ([]string, error) {
	docs, err := findAll[loanDoc](ctx, s.loans, bson.D{{Key: fStatus, Value: bson.D{{Key: "$in", Value: openStatuses()}}},
		{Key: "collateral.collateralref.type", Value: string(CollateralShipment)}}, options.Find().SetProjection(bson.D{{Key: fAccountID, Value: 1}}))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range docs {
		if !slices.Contains(out, d.AccountID) {
			out = append(out, d.AccountID)
		}
	}
	return out, nil
}

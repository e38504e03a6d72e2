package financing

import (
	"context"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/events"
)

// RequestInput asks for financing. A zero Amount in a quote means "the maximum advance".
type RequestInput struct {
	FacilityID string
	Collateral []CollateralRef
	Amount     money.Money
	TenorDays  int
}

// quote values the collateral and prices the request. It checks everything but the amount.
func (s *Service) quote(ctx context.Context, in RequestInput) (Quote, Facility, Product, error) {
	f, err := s.Facility(ctx, in.FacilityID)
	if err != nil {
		return Quote{}, Facility{}, Product{}, ErrNotFound.With("input.facilityId", nil)
	}
	p, err := s.product(ctx, f.ProductID)
	if err != nil {
		return Quote{}, Facility{}, Product{}, err
	}
	if in.TenorDays < 1 {
		return Quote{}, Facility{}, Product{}, errs.InvalidField("input.tenorDays", "at least one day")
	}
	if in.TenorDays > p.MaxTenorDays {
		return Quote{}, Facility{}, Product{}, ErrTenorTooLong.With("input.tenorDays", nil).WithMessage("the tenor is longer than the product's %d days", p.MaxTenorDays)
	}
	if len(in.Collateral) == 0 || len(in.Collateral) > 50 {
		return Quote{}, Facility{}, Product{}, errs.InvalidField("input.collateral", "1 to 50 pieces of collateral")
	}
	claims, err := s.claimsOf(ctx, f.AccountID)
	if err != nil {
		return Quote{}, Facility{}, Product{}, err
	}
	seen := map[string]bool{}
	q := Quote{FacilityID: f.ID}
	for i, ref := range in.Collateral {
		field := "input.collateral." + itoa(i)
		if seen[ref.key()] {
			return Quote{}, Facility{}, Product{}, errs.InvalidField(field, "each piece of collateral once")
		}
		seen[ref.key()] = true
		c, err := s.valueOne(ctx, f.AccountID, p, ref, field)
		if err != nil {
			return Quote{}, Facility{}, Product{}, err
		}
		if _, held := claims[ref.key()]; held {
			return Quote{}, Facility{}, Product{}, ErrAlreadyPledged.With(field, nil)
		}
		if !c.Eligible {
			return Quote{}, Facility{}, Product{}, ErrIneligible.With(field, nil).WithMessage("this collateral is not eligible: %s", c.Reason)
		}
		q.Collateral = append(q.Collateral, c)
	}
	q.MaxAdvance = maxAdvance(p, f, q.Collateral)
	amount := in.Amount
	if amount.Amount == 0 {
		amount = q.MaxAdvance
	}
	if amount.Currency != p.Currency {
		return Quote{}, Facility{}, Product{}, ErrCurrency.With("input.amount", nil)
	}
	q.Cost, err = CostOf(amount, in.TenorDays, p.APRBps, p.FeeBps, p.MinFee.Amount)
	if err != nil {
		return Quote{}, Facility{}, Product{}, internal("price", err)
	}
	return q, f, p, nil
}

// QuoteFinancing values the collateral and shows the maximum advance and the full cost of the
// amount (the maximum advance when zero) for the tenor (read on financing). Errors are those of
// RequestFinancing, except that an amount above the maximum is priced, not refused.
func (s *Service) QuoteFinancing(ctx context.Context, in RequestInput) (Quote, error) {
	q, _, _, err := s.quote(ctx, in)
	return q, err
}

// RequestFinancing asks the facility's partner for financing (write on financing_requests:
// OWNER or FINANCE). The collateral is claimed by the request at once, so two requests pledging
// the same collateral cannot both be made. Errors: NOT_FOUND for a facility, shipment, SKU or PO
// the caller cannot see; INELIGIBLE_COLLATERAL, COLLATERAL_UNAVAILABLE,
// COLLATERAL_ALREADY_PLEDGED on input.collateral.<i>; TENOR_TOO_LONG; ABOVE_MAX_ADVANCE and
// CURRENCY_MISMATCH on input.amount; FACILITY_NOT_ACTIVE; NO_CONSENT when the account withdrew
// its consent to the partner.
func (s *Service) RequestFinancing(ctx context.Context, in RequestInput) (Request, error) {
	f, err := s.Facility(ctx, in.FacilityID)
	if err != nil {
		return Request{}, ErrNotFound.With("input.facilityId", nil)
	}
	if err := s.requireWrite(ctx, f.AccountID, ResFinancingRequests); err != nil {
		return Request{}, err
	}
	if f.Status != FacilityActive {
		return Request{}, ErrFacilityUnavailable.With("input.facilityId", nil)
	}
	if !slices.Contains(s.cfg.Partners.ConsentingAccounts(f.PartnerID), f.AccountID) {
		return Request{}, ErrNoConsent.With("input.facilityId", nil)
	}
	if in.Amount.Amount <= 0 {
		return Request{}, errs.InvalidField("input.amount", "an amount above zero")
	}
	q, f, p, err := s.quote(ctx, in)
	if err != nil {
		return Request{}, err
	}
	if in.Amount.Amount > q.MaxAdvance.Amount {
		return Request{}, ErrAboveMaxAdvance.With("input.amount", nil).WithMessage("the amount is above the maximum advance of %s", q.MaxAdvance)
	}
	now := s.clock.Now()
	r := Request{ID: ids.New(ids.FinancingRequest), AccountID: f.AccountID, PartnerID: f.PartnerID, FacilityID: f.ID,
		ProductID: p.ID, Collateral: q.Collateral, RequestedAmount: in.Amount, TenorDays: in.TenorDays, MaxAdvance: q.MaxAdvance,
		Cost: q.Cost, Status: RequestSubmitted, RequestedBy: actor(ctx), CreatedAt: now, UpdatedAt: now}
	for i, c := range q.Collateral {
		_, err := s.claims.InsertOne(ctx, claimDoc{ID: c.key(), AccountID: r.AccountID, Owner: r.ID, At: now})
		if err != nil {
			s.releaseClaims(ctx, r.ID)
			if mongo.IsDuplicateKeyError(err) {
				return Request{}, ErrAlreadyPledged.With("input.collateral."+itoa(i), nil)
			}
			return Request{}, internal("claim collateral", err)
		}
	}
	if _, err := s.requests.InsertOne(ctx, requestDoc{ID: r.ID, Version: 1, Request: r}); err != nil {
		s.releaseClaims(ctx, r.ID)
		return Request{}, internal("insert request", err)
	}
	return r, nil
}

func (s *Service) releaseClaims(ctx context.Context, owner string) {
	if _, err := s.claims.DeleteMany(context.WithoutCancel(ctx), bson.D{{Key: fOwner, Value: owner}}); err != nil {
		s.log.Warn("financing: release claims", "owner", owner, "err", err)
	}
}

// FinancingRequest returns one request; NOT_FOUND when the caller may not see it.
func (s *Service) FinancingRequest(ctx context.Context, id string) (Request, error) {
	d, err := visibleOne[requestDoc](ctx, s, s.requests, id, func(d requestDoc) (string, string) { return d.AccountID, d.PartnerID })
	return d.Request, err
}

// FinancingRequests lists the account's requests the caller may see, newest first.
func (s *Service) FinancingRequests(ctx context.Context, accountID string) ([]Request, error) {
	docs, err := visibleList[requestDoc](ctx, s, s.requests, accountID)
	out := make([]Request, len(docs))
	for i, d := range docs {
		out[i] = d.Request
	}
	return out, err
}

// Queue lists the open requests (SUBMITTED, INFO_REQUESTED, APPROVED) made to a partner by the
// accounts that consent to it, oldest first (read on financing_products in the partner's domain).
func (s *Service) Queue(ctx context.Context, partnerID string) ([]Request, error) {
	if err := s.access.Require(ctx, partnerID, ResProducts, access.Read); err != nil {
		return nil, err
	}
	accts := s.cfg.Partners.ConsentingAccounts(partnerID)
	docs, err := findAll[requestDoc](ctx, s.requests, bson.D{{Key: fPartnerID, Value: partnerID},
		{Key: fStatus, Value: bson.D{{Key: "$in", Value: bson.A{string(RequestSubmitted), string(RequestInfoRequested), string(RequestApproved)}}}}},
		options.Find().SetSort(bson.D{{Key: fID, Value: 1}}).SetLimit(250))
	if err != nil {
		return nil, err
	}
	var out []Request
	for _, d := range docs {
		if slices.Contains(accts, d.AccountID) && s.access.Require(ctx, d.AccountID, ResFinancing, access.Read) == nil {
			out = append(out, d.Request)
		}
	}
	return out, nil
}

// mutateRequest applies fn to the request under a version guard, after the partner check.
func (s *Service) mutateRequest(ctx context.Context, id string, res access.Resource, partner bool, fn func(r *Request) error) (Request, error) {
	for range 10 {
		d, err := findOne[requestDoc](ctx, s.requests, bson.D{{Key: fID, Value: id}})
		if err != nil {
			return Request{}, ErrNotFound.With("input.requestId", nil)
		}
		if partner {
			err = s.requirePartnerAct(ctx, d.AccountID, d.PartnerID, res)
		} else {
			sc, serr := s.readScope(ctx, d.AccountID)
			switch {
			case serr != nil:
				err = serr
			case !sc.sees(d.PartnerID):
				err = ErrNotFound
			default:
				err = s.requireWrite(ctx, d.AccountID, res)
			}
		}
		if err != nil {
			return Request{}, notFoundAt(err, "input.requestId")
		}
		r := d.Request
		if err := fn(&r); err != nil {
			return Request{}, err
		}
		r.UpdatedAt = s.clock.Now()
		set, err := setOf(r)
		if err != nil {
			return Request{}, internal("encode request", err)
		}
		update := bson.D{{Key: "$set", Value: set}, {Key: "$inc", Value: bson.D{{Key: fVersion, Value: int64(1)}}}}
		if r.Status != d.Status {
			// The decision reaches the seller's portal live (SubscribeFinancing) and the feed.
			ev, err := s.requestEvent(ctx, r)
			if err != nil {
				return Request{}, err
			}
			update = append(update, events.Push(ev))
		}
		u, err := s.requests.UpdateOne(ctx, bson.D{{Key: fID, Value: id}, {Key: fVersion, Value: d.Version}}, update)
		if err != nil {
			return Request{}, internal("update request", err)
		}
		if u.ModifiedCount == 1 {
			if r.Status != d.Status {
				s.notify()
			}
			return r, nil
		}
	}
	return Request{}, ErrBusy
}

// requestEvent is financing.request_<status>, e.g. financing.request_approved.
func (s *Service) requestEvent(ctx context.Context, r Request) (events.OutboxEntry, error) {
	return events.New(events.Draft{AccountID: r.AccountID, Type: "financing.request_" + strings.ToLower(string(r.Status)),
		ObjectID: r.ID, Actor: actor(ctx), OccurredAt: s.clock.Now(),
		Data: loanEvent{PartnerID: r.PartnerID, Status: string(r.Status), Reason: r.Reason}})
}

func open(r *Request, allowed ...RequestStatus) error {
	if r.Status == RequestFunded || r.Status == RequestFunding {
		return ErrAlreadyFunded.With("input.requestId", nil)
	}
	if !slices.Contains(allowed, r.Status) {
		return ErrInvalidTransition.With("input.requestId", nil)
	}
	return nil
}

// ApproveInput approves a request, possibly for less or at another rate.
type ApproveInput struct {
	RequestID string
	Amount    *money.Money
	APRBps    *int64
}

// ApproveRequest approves a SUBMITTED or INFO_REQUESTED request (the partner: write on
// financing_decisions). The amount may be lowered, never raised; the cost is priced again at
// the approved terms. Errors: NOT_FOUND; INVALID_TRANSITION; ALREADY_FUNDED; INVALID
// input.amount or input.aprBps.
func (s *Service) ApproveRequest(ctx context.Context, in ApproveInput) (Request, error) {
	return s.mutateRequest(ctx, in.RequestID, ResFinancingDecisions, true, func(r *Request) error {
		if err := open(r, RequestSubmitted, RequestInfoRequested); err != nil {
			return err
		}
		p, err := s.product(ctx, r.ProductID)
		if err != nil {
			return err
		}
		amount, apr := r.RequestedAmount, p.APRBps
		if in.Amount != nil {
			if in.Amount.Currency != amount.Currency {
				return ErrCurrency.With("input.amount", nil)
			}
			if in.Amount.Amount <= 0 || in.Amount.Amount > amount.Amount {
				return errs.InvalidField("input.amount", "above zero and at most the requested %s", amount)
			}
			amount = *in.Amount
		}
		if in.APRBps != nil {
			if *in.APRBps < 0 || *in.APRBps > MaxAPRBps {
				return errs.InvalidField("input.aprBps", "0 to %d basis points", MaxAPRBps)
			}
			apr = *in.APRBps
		}
		cost, err := CostOf(amount, r.TenorDays, apr, p.FeeBps, p.MinFee.Amount)
		if err != nil {
			return internal("price", err)
		}
		r.Status, r.ApprovedAmount, r.ApprovedAPRBps, r.Cost, r.DecidedBy = RequestApproved, &amount, &apr, cost, actor(ctx)
		return nil
	})
}

// RejectRequest rejects an open request with a reason and releases its collateral.
func (s *Service) RejectRequest(ctx context.Context, id, reason string) (Request, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 1000 {
		return Request{}, errs.InvalidField("input.reason", "a reason of 1 to 1000 characters")
	}
	r, err := s.mutateRequest(ctx, id, ResFinancingDecisions, true, func(r *Request) error {
		if err := open(r, RequestSubmitted, RequestInfoRequested, RequestApproved); err != nil {
			return err
		}
		r.Status, r.Reason, r.DecidedBy = RequestRejected, reason, actor(ctx)
		return nil
	})
	if err == nil {
		s.releaseClaims(ctx, r.ID)
	}
	return r, err
}

// AskForInformation puts a SUBMITTED request on hold with the partner's question.
func (s *Service) AskForInformation(ctx context.Context, id, question string) (Request, error) {
	question = strings.TrimSpace(question)
	if question == "" || len(question) > 1000 {
		return Request{}, errs.InvalidField("input.question", "a question of 1 to 1000 characters")
	}
	return s.mutateRequest(ctx, id, ResFinancingDecisions, true, func(r *Request) error {
		if err := open(r, RequestSubmitted); err != nil {
			return err
		}
		r.Status, r.InfoRequest = RequestInfoRequested, question
		return nil
	})
}

// AnswerInformationRequest is the seller's answer (write on financing_requests); the request is
// SUBMITTED again.
func (s *Service) AnswerInformationRequest(ctx context.Context, id, answer string) (Request, error) {
	answer = strings.TrimSpace(answer)
	if answer == "" || len(answer) > 2000 {
		return Request{}, errs.InvalidField("input.answer", "an answer of 1 to 2000 characters")
	}
	return s.mutateRequest(ctx, id, ResFinancingRequests, false, func(r *Request) error {
		if err := open(r, RequestInfoRequested); err != nil {
			return err
		}
		r.Status, r.InfoResponse = RequestSubmitted, answer
		return nil
	})
}

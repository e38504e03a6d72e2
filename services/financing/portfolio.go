package financing

import (
	"context"
	"slices"
	"sort"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/access"
)

// Exposure is outstanding principal grouped under a key (an account, a lane, a collateral type).
type Exposure struct {
	Key    string
	Amount money.Money
	Loans  int
}

// Portfolio is a partner's book: open loans' outstanding principal by account, lane and
// collateral type, and the loans at risk or overdue.
type Portfolio struct {
	PartnerID      string
	Outstanding    []money.Money // per currency
	ByAccount      []Exposure
	ByLane         []Exposure
	ByCollateral   []Exposure
	AtRisk         []Loan
	Overdue        []Loan
	OpenLoans      int
	RepaidLoans    int
	WrittenOffLoan int
}

// Portfolio returns the partner's book (read on financing_products in its domain). Only loans
// of accounts that still consent are counted; after revocation they vanish from it.
func (s *Service) Portfolio(ctx context.Context, partnerID string) (Portfolio, error) {
	if err := s.access.Require(ctx, partnerID, ResProducts, access.Read); err != nil {
		return Portfolio{}, err
	}
	accts := s.cfg.Partners.ConsentingAccounts(partnerID)
	docs, err := findAll[loanDoc](ctx, s.loans, bson.D{{Key: fPartnerID, Value: partnerID}})
	if err != nil {
		return Portfolio{}, err
	}
	pf := Portfolio{PartnerID: partnerID}
	type key struct{ k, cur string }
	sums := map[string]map[key]*Exposure{"account": {}, "lane": {}, "type": {}}
	total := map[string]money.Money{}
	add := func(group, k string, m money.Money) {
		kk := key{k, m.Currency.Code()}
		e, ok := sums[group][kk]
		if !ok {
			e = &Exposure{Key: k, Amount: money.New(0, m.Currency)}
			sums[group][kk] = e
		}
		e.Amount.Amount += m.Amount
		e.Loans++
	}
	for _, d := range docs {
		l := d.Loan
		if !slices.Contains(accts, l.AccountID) {
			continue
		}
		switch l.Status {
		case LoanRepaid:
			pf.RepaidLoans++
			continue
		case LoanWrittenOff:
			pf.WrittenOffLoan++
			continue
		}
		pf.OpenLoans++
		out := money.New(l.Outstanding.Principal, l.Currency)
		t := total[l.Currency.Code()]
		t.Currency = l.Currency
		t.Amount += out.Amount
		total[l.Currency.Code()] = t
		add("account", l.AccountID, out)
		// Principal is spread over the collateral by value, so that the groups add up.
		var weights []int64
		for _, c := range l.Collateral {
			weights = append(weights, max(0, c.Value.Amount))
		}
		parts, err := out.Allocate(weights)
		if err != nil {
			parts = nil
		}
		for i, c := range l.Collateral {
			if parts == nil {
				break
			}
			add("type", string(c.Type), parts[i])
			if c.Lane != nil {
				add("lane", c.Lane.String(), parts[i])
			}
		}
		if l.Status == LoanAtRisk {
			pf.AtRisk = append(pf.AtRisk, l)
		}
		if l.Status == LoanOverdue || l.Status == LoanDefaulted {
			pf.Overdue = append(pf.Overdue, l)
		}
	}
	for _, t := range total {
		pf.Outstanding = append(pf.Outstanding, t)
	}
	sort.Slice(pf.Outstanding, func(i, j int) bool { return pf.Outstanding[i].Currency.Code() < pf.Outstanding[j].Currency.Code() })
	list := func(g string) []Exposure {
		var out []Exposure
		for _, e := range sums[g] {
			out = append(out, *e)
		}
		sort.Slice(out, func(i, j int) bool {
			if out[i].Amount.Amount != out[j].Amount.Amount {
				return out[i].Amount.Amount > out[j].Amount.Amount
			}
			return out[i].Key < out[j].Key
		})
		return out
	}
	pf.ByAccount, pf.ByLane, pf.ByCollateral = list("account"), list("lane"), list("type")
	return pf, nil
}

// CollateralRisk is a piece of a request's collateral as it stands now, with its carrier's
// record on its lane for shipments.
type CollateralRisk struct {
	Collateral     Collateral
	TrackingNumber string
	LatestEvent    string
	Score          *LaneScore
}

// Risk is the partner's picture of a request.
type Risk struct {
	Collateral []CollateralRisk
	// Repayment history of the account with this partner.
	Loans, Repaid, RepaidOnTime, Defaulted int
	// OnTimeRateBps is repaid on time ÷ repaid, in basis points; -1 without history.
	OnTimeRateBps int64
	// Exposure is the account's outstanding principal with the partner.
	Exposure money.Money
}

// RequestRisk returns the risk picture of a request (anyone who may see the request).
func (s *Service) RequestRisk(ctx context.Context, requestID string) (Risk, error) {
	r, err := s.FinancingRequest(ctx, requestID)
	if err != nil {
		return Risk{}, err
	}
	var rk Risk
	for _, c := range r.Collateral {
		cr := CollateralRisk{Collateral: c}
		if c.Type == CollateralShipment {
			if sh, err := s.cfg.Shipments.CollateralShipment(ctx, r.AccountID, c.ID); err == nil {
				cr.Collateral.Status, cr.TrackingNumber, cr.LatestEvent = sh.Status, sh.TrackingNumber, sh.LatestEvent
				if sc, err := s.cfg.Shipments.LaneScore(ctx, sh.CarrierID, sh.ServiceCode, sh.Lane); err == nil {
					cr.Score = &sc
				}
			}
		}
		rk.Collateral = append(rk.Collateral, cr)
	}
	docs, err := findAll[loanDoc](ctx, s.loans, bson.D{{Key: fAccountID, Value: r.AccountID}, {Key: fPartnerID, Value: r.PartnerID}})
	if err != nil {
		return Risk{}, err
	}
	rk.Exposure = money.New(0, r.RequestedAmount.Currency)
	for _, d := range docs {
		rk.Loans++
		switch d.Status {
		case LoanRepaid:
			rk.Repaid++
			if d.RepaidAt != nil && day(*d.RepaidAt) <= day(d.DueDate) {
				rk.RepaidOnTime++
			}
		case LoanDefaulted, LoanWrittenOff:
			rk.Defaulted++
		}
		if d.Status.Open() && d.Currency == rk.Exposure.Currency {
			rk.Exposure.Amount += d.Outstanding.Principal
		}
	}
	rk.OnTimeRateBps = -1
	if rk.Repaid > 0 {
		rk.OnTimeRateBps = int64(rk.RepaidOnTime) * 10_000 / int64(rk.Repaid)
	}
	return rk, nil
}

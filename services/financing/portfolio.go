package financing

import (
	"context"
	"slices"
	"sort"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/events"
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
// NOT_FOUND when the request does not exist or the caller may not see it.
func (s *Service) RequestRisk(ctx context.Context, requestID string) (Risk, error) {
	risks, err := s.RequestRisks(ctx, []string{requestID})
	if err != nil {
		return Risk{}, err
	}
	rk, ok := risks[requestID]
	if !ok {
		return Risk{}, ErrNotFound
	}
	return rk, nil
}

// RequestRisks returns the risk pictures of requests by id, in a constant number of reads
// whatever their number (a partner's queue with its risk): the requests, their pledged shipments
// and their carriers' lane records (one call each to the shipment source), and the loans of
// their accounts. A request that does not exist or that the caller may not see (as
// FinancingRequest decides) is absent from the map. The shipment source's failures leave the
// collateral as valued when asked and without a score, as a missing shipment does: the risk
// picture is still worth showing.
func (s *Service) RequestRisks(ctx context.Context, requestIDs []string) (map[string]Risk, error) {
	out := make(map[string]Risk, len(requestIDs))
	if len(requestIDs) == 0 {
		return out, nil
	}
	docs, err := findAll[requestDoc](ctx, s.requests, bson.D{{Key: fID, Value: bson.D{{Key: "$in", Value: requestIDs}}}},
		options.Find().SetProjection(bson.D{{Key: events.OutboxField, Value: 0}}))
	if err != nil {
		return nil, err
	}
	reqs := make([]Request, 0, len(docs))
	scopes := map[string]*scope{} // by account; nil: the caller may not read its financing
	var accounts, partners []string
	var refs []ShipmentRef
	for _, d := range docs {
		sc, seen := scopes[d.AccountID]
		if !seen {
			if v, err := s.readScope(ctx, d.AccountID); err == nil {
				sc = &v
			}
			scopes[d.AccountID] = sc
		}
		if sc == nil || !sc.sees(d.PartnerID) {
			continue
		}
		reqs = append(reqs, d.Request)
		if !slices.Contains(accounts, d.AccountID) {
			accounts = append(accounts, d.AccountID)
		}
		if !slices.Contains(partners, d.PartnerID) {
			partners = append(partners, d.PartnerID)
		}
		for _, c := range d.Collateral {
			if c.Type == CollateralShipment {
				refs = append(refs, ShipmentRef{AccountID: d.AccountID, ShipmentID: c.ID})
			}
		}
	}
	if len(reqs) == 0 {
		return out, nil
	}
	shipments, scores := s.collateralNow(ctx, refs)
	// The loans of every (account, partner) pair of the page in one read, then split by pair; a
	// loan's ledger is not needed for the history.
	loans, err := findAll[loanDoc](ctx, s.loans, bson.D{{Key: fAccountID, Value: bson.D{{Key: "$in", Value: accounts}}},
		{Key: fPartnerID, Value: bson.D{{Key: "$in", Value: partners}}}}, options.Find().SetProjection(riskLoanFields))
	if err != nil {
		return nil, err
	}
	type pair struct{ account, partner string }
	history := map[pair][]Loan{}
	for _, d := range loans {
		k := pair{d.AccountID, d.PartnerID}
		history[k] = append(history[k], d.Loan)
	}
	for _, r := range reqs {
		out[r.ID] = riskOf(r, shipments, scores, history[pair{r.AccountID, r.PartnerID}])
	}
	return out, nil
}

// riskLoanFields are the fields of a loan that a risk picture reads.
var riskLoanFields = bson.D{{Key: fAccountID, Value: 1}, {Key: fPartnerID, Value: 1}, {Key: fStatus, Value: 1},
	{Key: fRepaidAt, Value: 1}, {Key: fDueDate, Value: 1}, {Key: fCurrency, Value: 1}, {Key: fOutstandingPrincipal, Value: 1}}

// collateralNow reads the pledged shipments as they stand now and their carriers' records on
// their lanes, one call each; see RequestRisks for failures.
func (s *Service) collateralNow(ctx context.Context, refs []ShipmentRef) (map[ShipmentRef]ShipmentInfo, map[CarrierLane]LaneScore) {
	if len(refs) == 0 {
		return nil, nil
	}
	shipments, err := s.cfg.Shipments.CollateralShipments(ctx, refs)
	if err != nil {
		s.log.WarnContext(ctx, "financing: risk: read pledged shipments", "error", err)
		return nil, nil
	}
	var keys []CarrierLane
	for _, sh := range shipments {
		if k := (CarrierLane{CarrierID: sh.CarrierID, ServiceCode: sh.ServiceCode, Lane: sh.Lane}); !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return shipments, nil
	}
	scores, err := s.cfg.Shipments.LaneScores(ctx, keys)
	if err != nil {
		s.log.WarnContext(ctx, "financing: risk: read lane scores", "error", err)
		return shipments, nil
	}
	return shipments, scores
}

// riskOf is r's risk picture from its shipments now, their lane scores and the loans of its
// account with its partner.
func riskOf(r Request, shipments map[ShipmentRef]ShipmentInfo, scores map[CarrierLane]LaneScore, loans []Loan) Risk {
	var rk Risk
	for _, c := range r.Collateral {
		cr := CollateralRisk{Collateral: c}
		if c.Type == CollateralShipment {
			if sh, ok := shipments[ShipmentRef{AccountID: r.AccountID, ShipmentID: c.ID}]; ok {
				cr.Collateral.Status, cr.TrackingNumber, cr.LatestEvent = sh.Status, sh.TrackingNumber, sh.LatestEvent
				if sc, ok := scores[CarrierLane{CarrierID: sh.CarrierID, ServiceCode: sh.ServiceCode, Lane: sh.Lane}]; ok {
					cr.Score = &sc
				}
			}
		}
		rk.Collateral = append(rk.Collateral, cr)
	}
	rk.Exposure = money.New(0, r.RequestedAmount.Currency)
	for _, l := range loans {
		rk.Loans++
		switch l.Status {
		case LoanRepaid:
			rk.Repaid++
			if l.RepaidAt != nil && day(*l.RepaidAt) <= day(l.DueDate) {
				rk.RepaidOnTime++
			}
		case LoanDefaulted, LoanWrittenOff:
			rk.Defaulted++
		}
		if l.Status.Open() && l.Currency == rk.Exposure.Currency {
			rk.Exposure.Amount += l.Outstanding.Principal
		}
	}
	rk.OnTimeRateBps = -1
	if rk.Repaid > 0 {
		rk.OnTimeRateBps = int64(rk.RepaidOnTime) * 10_000 / int64(rk.Repaid)
	}
	return rk
}

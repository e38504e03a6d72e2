package graph

import (
	"errors"

	"github.com/vikstrous/dataloadgen"

	"github.com/tradehub/tradehub/graph/model"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/financing"
)

func minor(v int64, c money.Currency) *model.Money { return toGQLMoney(money.New(v, c)) }

func optMoney(m money.Money) *model.Money {
	if m.Amount == 0 {
		return nil
	}
	return toGQLMoney(m)
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toGQLFinanceProduct(p financing.Product) *model.FinanceProduct {
	out := &model.FinanceProduct{ID: p.ID, PartnerID: p.PartnerID, Name: p.Name, CurrencyCode: p.Currency,
		AprBps: int(p.APRBps), FeeBps: int(p.FeeBps), MinFee: toGQLMoney(p.MinFee), LateFee: toGQLMoney(p.LateFee),
		MaxTenorDays: p.MaxTenorDays, GraceDays: p.GraceDays, DestinationCountries: append([]string{}, p.DestinationCountries...),
		BorrowerLimit: optMoney(p.BorrowerLimit), CreatedAt: p.CreatedAt, EligibleLanes: []model.Lane{},
		Collateral: []model.CollateralTerms{}, ShipmentStatuses: []model.ShipmentStatus{}}
	for _, c := range p.Collateral {
		out.Collateral = append(out.Collateral, model.CollateralTerms{Type: model.CollateralType(c.Type), AdvanceRateBps: int(c.AdvanceRateBps),
			SubLimit: optMoney(c.SubLimit), Conditions: append([]string{}, c.Conditions...)})
	}
	for _, l := range p.EligibleLanes {
		out.EligibleLanes = append(out.EligibleLanes, model.Lane{Origin: l.Origin, Destination: l.Destination})
	}
	sts := p.ShipmentStatuses
	if len(sts) == 0 {
		sts = financing.DefaultShipmentStatuses
	}
	for _, s := range sts {
		out.ShipmentStatuses = append(out.ShipmentStatuses, model.ShipmentStatus(s))
	}
	return out
}

func fromCreateFinanceProductInput(in model.CreateFinanceProductInput) (financing.Product, error) {
	p := financing.Product{PartnerID: in.PartnerID, Name: in.Name, Currency: in.CurrencyCode, APRBps: int64(in.AprBps),
		FeeBps: int64(in.FeeBps), MaxTenorDays: in.MaxTenorDays, GraceDays: in.GraceDays, DestinationCountries: in.DestinationCountries}
	for _, m := range []struct {
		f  string
		in *model.MoneyInput
		to *money.Money
	}{{"input.minFee", in.MinFee, &p.MinFee}, {"input.lateFee", in.LateFee, &p.LateFee}, {"input.borrowerLimit", in.BorrowerLimit, &p.BorrowerLimit}} {
		if m.in == nil {
			continue
		}
		v, err := fromMoneyInput(m.f, m.in)
		if err != nil {
			return p, err
		}
		*m.to = v
	}
	for i, c := range in.Collateral {
		t := financing.CollateralTerms{Type: financing.CollateralType(c.Type), AdvanceRateBps: int64(c.AdvanceRateBps), Conditions: c.Conditions}
		if c.SubLimit != nil {
			v, err := fromMoneyInput("input.collateral."+itoaGQL(i)+".subLimit", c.SubLimit)
			if err != nil {
				return p, err
			}
			t.SubLimit = v
		}
		p.Collateral = append(p.Collateral, t)
	}
	for _, l := range in.EligibleLanes {
		p.EligibleLanes = append(p.EligibleLanes, financing.Lane{Origin: l.Origin, Destination: l.Destination})
	}
	for _, s := range in.ShipmentStatuses {
		p.ShipmentStatuses = append(p.ShipmentStatuses, string(s))
	}
	return p, nil
}

func itoaGQL(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoaGQL(i/10) + string(rune('0'+i%10))
}

func toGQLFacility(f financing.Facility) *model.CreditFacility {
	return &model.CreditFacility{ID: f.ID, AccountID: f.AccountID, PartnerID: f.PartnerID, ProductID: f.ProductID,
		Limit: toGQLMoney(f.Limit), Outstanding: toGQLMoney(f.Outstanding), Available: toGQLMoney(f.Available),
		Status: model.CreditFacilityStatus(f.Status), CreatedAt: f.CreatedAt}
}

func toGQLCollateral(c financing.Collateral) model.FinancingCollateral {
	out := model.FinancingCollateral{Type: model.CollateralType(c.Type), ID: c.ID, Description: c.Description, Status: c.Status,
		Value: toGQLMoney(c.Value), Advance: toGQLMoney(c.Advance), Eligible: c.Eligible, Reason: optString(c.Reason),
		DeliveredAt: c.DeliveredAt, WarehouseID: optString(c.WarehouseID)}
	if c.Type == financing.CollateralInventory {
		q := int(c.Quantity)
		out.Quantity = &q
	}
	if c.Lane != nil {
		out.Lane = &model.Lane{Origin: c.Lane.Origin, Destination: c.Lane.Destination}
	}
	return out
}

func toGQLCollaterals(list []financing.Collateral) []model.FinancingCollateral {
	out := make([]model.FinancingCollateral, len(list))
	for i, c := range list {
		out[i] = toGQLCollateral(c)
	}
	return out
}

func fromCollateralInputs(list []model.CollateralInput) []financing.CollateralRef {
	out := make([]financing.CollateralRef, len(list))
	for i, c := range list {
		out[i] = financing.CollateralRef{Type: financing.CollateralType(c.Type), ID: c.ID, WarehouseID: deref(c.WarehouseID)}
		if c.Quantity != nil {
			out[i].Quantity = int64(*c.Quantity)
		}
	}
	return out
}

func toGQLCost(c financing.Cost) *model.FinancingCost {
	return &model.FinancingCost{Principal: toGQLMoney(c.Principal), Fee: toGQLMoney(c.Fee), Interest: toGQLMoney(c.Interest),
		TotalRepayable: toGQLMoney(c.TotalRepayable), AprBps: int(c.APRBps), EffectiveAprBps: int(c.EffectiveAPRBps), TenorDays: c.TenorDays}
}

func toGQLRequest(r financing.Request) *model.FinancingRequest {
	out := &model.FinancingRequest{ID: r.ID, AccountID: r.AccountID, PartnerID: r.PartnerID, FacilityID: r.FacilityID, LoanID: r.LoanID,
		Collateral: toGQLCollaterals(r.Collateral), RequestedAmount: toGQLMoney(r.RequestedAmount), TenorDays: r.TenorDays,
		MaxAdvance: toGQLMoney(r.MaxAdvance), Cost: toGQLCost(r.Cost), Status: model.FinancingRequestStatus(r.Status),
		RejectionReason: optString(r.Reason), InformationRequest: optString(r.InfoRequest), InformationResponse: optString(r.InfoResponse),
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.ApprovedAmount != nil {
		out.ApprovedAmount = toGQLMoney(*r.ApprovedAmount)
	}
	if r.ApprovedAPRBps != nil {
		v := int(*r.ApprovedAPRBps)
		out.ApprovedAprBps = &v
	}
	return out
}

func toGQLLoan(l financing.Loan) *model.Loan {
	c := l.Currency
	out := &model.Loan{ID: l.ID, AccountID: l.AccountID, PartnerID: l.PartnerID, RequestID: l.RequestID, FacilityID: l.FacilityID,
		Status: model.LoanStatus(l.Status), Principal: toGQLMoney(l.Principal), AprBps: int(l.APRBps), TenorDays: l.TenorDays,
		FundedAt: l.FundedAt, MaturityDate: l.MaturityDate.Format("2006-01-02"), DueDate: l.DueDate.Format("2006-01-02"),
		AccruedThrough: l.AccruedThrough, OutstandingPrincipal: minor(l.Outstanding.Principal, c), OutstandingFees: minor(l.Outstanding.Fees, c),
		OutstandingInterest: minor(l.Outstanding.Interest, c), Outstanding: minor(l.Outstanding.Total(), c), Paid: minor(l.Totals.Payments, c),
		Collateral: toGQLCollaterals(l.Collateral), CollateralReleased: l.Released, RepaidAt: l.RepaidAt, Domain: l}
	if l.LTVBps >= 0 {
		v := int(l.LTVBps)
		out.LtvBps = &v
	}
	return out
}

func toGQLLoanStatement(st financing.Statement) *model.LoanStatement {
	c := st.Loan.Currency
	out := &model.LoanStatement{TotalDebits: minor(st.TotalDebits, c), TotalCredits: minor(st.TotalCredits, c),
		Outstanding: minor(st.Outstanding, c), Balanced: st.Balanced, Entries: []model.LedgerEntry{}, Balances: []model.LedgerBalance{}}
	for _, e := range st.Loan.Ledger {
		me := model.LedgerEntry{ID: e.ID, Kind: string(e.Kind), Day: e.Day, Reference: optString(e.Reference), At: e.At}
		for _, ln := range e.Lines {
			me.Lines = append(me.Lines, model.LedgerLine{Account: ln.Account, Debit: minor(ln.Debit, c), Credit: minor(ln.Credit, c)})
		}
		out.Entries = append(out.Entries, me)
	}
	for _, acc := range []string{financing.AccPrincipal, financing.AccFees, financing.AccInterest, financing.AccCash,
		financing.AccFeeIncome, financing.AccInterestIncome, financing.AccWriteOffExpense} {
		out.Balances = append(out.Balances, model.LedgerBalance{Account: acc, Balance: minor(st.Balances[acc], c)})
	}
	return out
}

// toGQLSchedule is what falls due: one line at the due date with everything owed then,
// interest to that day included (the loan is repaid in one bullet payment).
func toGQLSchedule(l financing.Loan) []model.LoanScheduleLine {
	if !l.Status.Open() {
		return []model.LoanScheduleLine{}
	}
	return []model.LoanScheduleLine{{DueDate: l.DueDate.Format("2006-01-02"), Amount: minor(l.OwedAtDue(), l.Currency)}}
}

func toGQLRisk(rk financing.Risk) *model.FinancingRisk {
	out := &model.FinancingRisk{Loans: rk.Loans, Repaid: rk.Repaid, RepaidOnTime: rk.RepaidOnTime, Defaulted: rk.Defaulted,
		Exposure: toGQLMoney(rk.Exposure), Collateral: []model.CollateralRisk{}}
	if rk.OnTimeRateBps >= 0 {
		v := int(rk.OnTimeRateBps)
		out.OnTimeRateBps = &v
	}
	for _, c := range rk.Collateral {
		cr := model.CollateralRisk{Collateral: ptr(toGQLCollateral(c.Collateral)), TrackingNumber: optString(c.TrackingNumber),
			LatestEvent: optString(c.LatestEvent)}
		if s := c.Score; s != nil {
			cr.Score = &model.LaneScore{Shipments: int(s.Shipments), Delivered: int(s.Delivered), OnTime: int(s.OnTime),
				Exceptions: int(s.Exceptions), Lost: int(s.Lost)}
		}
		out.Collateral = append(out.Collateral, cr)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func toGQLExposures(list []financing.Exposure) []model.FinancingExposure {
	out := make([]model.FinancingExposure, len(list))
	for i, e := range list {
		out[i] = model.FinancingExposure{Key: e.Key, Amount: toGQLMoney(e.Amount), Loans: e.Loans}
	}
	return out
}

func toGQLLoans(list []financing.Loan) []model.Loan {
	out := make([]model.Loan, len(list))
	for i, l := range list {
		out[i] = *toGQLLoan(l)
	}
	return out
}

func toGQLPortfolio(p financing.Portfolio) *model.FinancingPortfolio {
	out := &model.FinancingPortfolio{ByAccount: toGQLExposures(p.ByAccount), ByLane: toGQLExposures(p.ByLane),
		ByCollateralType: toGQLExposures(p.ByCollateral), AtRisk: toGQLLoans(p.AtRisk), Overdue: toGQLLoans(p.Overdue),
		OpenLoans: p.OpenLoans, RepaidLoans: p.RepaidLoans, Outstanding: []model.Money{}}
	for _, m := range p.Outstanding {
		out.Outstanding = append(out.Outstanding, *toGQLMoney(m))
	}
	return out
}

// notFoundAsNil answers a single-object query for a missing or foreign id with null.
// notFoundAsNil answers a relation the caller may not see, or that a loader did not find, as
// null rather than as an error.
func notFoundAsNil(err error) error {
	if errs.IsCode(err, errs.NotFound) || errors.Is(err, dataloadgen.ErrNotFound) {
		return nil
	}
	return err
}

func requestPayload(r financing.Request, err error) (*model.FinancingRequestPayload, error) {
	ue, err := userErrorsOf(err)
	if err != nil || ue != nil {
		return &model.FinancingRequestPayload{UserErrors: ue}, err
	}
	return &model.FinancingRequestPayload{Request: toGQLRequest(r), UserErrors: noUserErrors()}, nil
}

func loanPayload(l financing.Loan, err error) (*model.LoanPayload, error) {
	ue, err := userErrorsOf(err)
	if err != nil || ue != nil {
		return &model.LoanPayload{UserErrors: ue}, err
	}
	return &model.LoanPayload{Loan: toGQLLoan(l), UserErrors: noUserErrors()}, nil
}

func facilityPayload(f financing.Facility, err error) (*model.CreditFacilityPayload, error) {
	ue, err := userErrorsOf(err)
	if err != nil || ue != nil {
		return &model.CreditFacilityPayload{UserErrors: ue}, err
	}
	return &model.CreditFacilityPayload{Facility: toGQLFacility(f), UserErrors: noUserErrors()}, nil
}

func toGQLRequests(list []financing.Request) []model.FinancingRequest {
	out := make([]model.FinancingRequest, len(list))
	for i, r := range list {
		out[i] = *toGQLRequest(r)
	}
	return out
}

package model

import (
	"time"

	"github.com/tradehub/tradehub/services/financing"
)

// Financing models bound in gqlgen.yml: they carry the domain value, from which the field
// resolvers compute the statement, schedule, risk and relations on demand.

// CreditFacility is a facility; its product is resolved on demand.
type CreditFacility struct {
	ID          string
	AccountID   string
	PartnerID   string
	ProductID   string
	Limit       *Money
	Outstanding *Money
	Available   *Money
	Status      CreditFacilityStatus
	CreatedAt   time.Time
}

func (CreditFacility) IsNode() {}

// FinancingRequest is a request; its facility, loan and risk are resolved on demand.
type FinancingRequest struct {
	ID                  string
	AccountID           string
	PartnerID           string
	FacilityID          string
	LoanID              string
	Collateral          []FinancingCollateral
	RequestedAmount     *Money
	TenorDays           int
	MaxAdvance          *Money
	Cost                *FinancingCost
	Status              FinancingRequestStatus
	ApprovedAmount      *Money
	ApprovedAprBps      *int
	RejectionReason     *string
	InformationRequest  *string
	InformationResponse *string
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

func (FinancingRequest) IsNode() {}

// Loan is a loan; its schedule and statement are resolved from Domain on demand.
type Loan struct {
	ID                   string
	AccountID            string
	PartnerID            string
	RequestID            string
	FacilityID           string
	Status               LoanStatus
	Principal            *Money
	AprBps               int
	TenorDays            int
	FundedAt             time.Time
	MaturityDate         string
	DueDate              string
	AccruedThrough       string
	OutstandingPrincipal *Money
	OutstandingFees      *Money
	OutstandingInterest  *Money
	Outstanding          *Money
	Paid                 *Money
	Collateral           []FinancingCollateral
	CollateralReleased   bool
	LtvBps               *int
	RepaidAt             *time.Time
	Domain               financing.Loan
}

func (Loan) IsNode() {}

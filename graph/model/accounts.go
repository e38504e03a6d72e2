package model

import (
	"time"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/money"
)

// These models are bound in gqlgen.yml instead of generated: they carry the ids of related
// objects, and gqlgen generates a field resolver for each relation they do not hold, so each
// relation is loaded only when a query asks for it.

// Account is a seller account.
type Account struct {
	ID              string
	LegalName       string
	Country         string
	DefaultCurrency money.Currency
	BillingEmail    string
	Status          AccountStatus
	CreatedAt       time.Time
	TimeZone        string
}

func (Account) IsNode() {}

// User is a person.
type User struct {
	ID        string
	Email     string
	Name      string
	Status    UserStatus
	CreatedAt time.Time
}

func (User) IsNode() {}

// Membership is a user's role in an account.
type Membership struct {
	UserID    string
	AccountID string
	Role      AccountRole
}

// Partner is a finance partner.
type Partner struct {
	ID      string
	Name    string
	Country string
}

func (Partner) IsNode() {}

// PartnerMembership is a user's role in a partner.
type PartnerMembership struct {
	UserID string
	Role   PartnerRole
}

// ViewerPartnerMembership is the caller's own partner and role.
type ViewerPartnerMembership struct {
	PartnerID string
	Role      PartnerRole
}

// PartnerConsent is an account's consent to a partner.
type PartnerConsent struct {
	PartnerID string
	AccountID string
}

// APIKey is an API key (never its secret).
type APIKey struct {
	ID           string
	Name         string
	AccountID    string
	Role         AccountRole
	SecretPrefix string
	CreatedByID  string
	CreatedAt    time.Time
	LastUsedAt   *time.Time
	ExpiresAt    *time.Time
	RevokedAt    *time.Time
}

func (APIKey) IsNode() {}

// Viewer is the caller; everything about it but this flag is resolved on demand.
type Viewer struct {
	Authenticated bool
	// SignedIn is the principal a mutation just signed in (login, acceptInvitation), whose
	// request itself was anonymous; nil means the request's own principal.
	SignedIn *auth.Principal
}

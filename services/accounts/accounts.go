// Package accounts is who is who in Tradehub: seller accounts, users and their passwords,
// memberships, the 3PL's staff, finance partners and the consents sellers give them, invitations,
// portal sessions and API keys, and the request authenticator that turns a cookie or a bearer
// key into an auth.Principal.
//
// Roles themselves are stored and enforced by the access service (casbin); this package decides
// who gets which role and keeps the people and organisations behind them.
package accounts

import (
	"time"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/access"
)

// Status of an account.
type Status string

const (
	StatusActive    Status = "ACTIVE"
	StatusSuspended Status = "SUSPENDED"
	StatusClosed    Status = "CLOSED"
)

// Account is a seller company.
type Account struct {
	ID              string
	LegalName       string
	Country         string
	DefaultCurrency money.Currency
	BillingEmail    string
	Status          Status
	CreatedAt       time.Time
	// TimeZone is the IANA zone the portal shows the account's dates in.
	TimeZone string
}

// UserStatus says whether a user may sign in.
type UserStatus string

const (
	UserActive   UserStatus = "ACTIVE"
	UserDisabled UserStatus = "DISABLED"
)

// User is a person who signs in.
type User struct {
	ID        string
	Email     string
	Name      string
	Status    UserStatus
	CreatedAt time.Time
	Locale    string // "" until chosen: the portal then uses the browser's language
	TimeZone  string // "" until chosen: the portal then uses the account's
}

// Membership is a user's role in an account.
type Membership struct {
	UserID    string
	AccountID string
	Role      access.Role
}

// Partner is a finance partner organisation.
type Partner struct {
	ID        string
	Name      string
	Country   string
	CreatedAt time.Time
}

// PartnerMembership is a user's role in a partner.
type PartnerMembership struct {
	UserID    string
	PartnerID string
	Role      access.Role
}

// InvitationStatus is where an invitation stands.
type InvitationStatus string

const (
	InvitationPending  InvitationStatus = "PENDING"
	InvitationAccepted InvitationStatus = "ACCEPTED"
	InvitationRevoked  InvitationStatus = "REVOKED"
	InvitationExpired  InvitationStatus = "EXPIRED"
)

// Invitation offers a role in an account or a partner (Domain) to an email address.
type Invitation struct {
	ID        string
	Email     string
	Domain    string // acct_… or ptn_…
	Role      access.Role
	Status    InvitationStatus
	ExpiresAt time.Time
	CreatedAt time.Time
	CreatedBy string
}

// APIKey is a seller platform's credential. The secret itself is never stored.
type APIKey struct {
	ID           string
	AccountID    string
	Name         string
	Role         access.Role
	SecretPrefix string
	CreatedBy    string
	CreatedAt    time.Time
	LastUsedAt   *time.Time
	ExpiresAt    *time.Time
	RevokedAt    *time.Time
}

// Errors specific to this domain; generic ones come from errs and access.
var (
	ErrInvalidCredentials = errs.Sentinel(errs.Invalid, "INVALID_CREDENTIALS", "the email or password is wrong")
	ErrThrottled          = errs.Sentinel(errs.FailedPrecondition, "THROTTLED", "too many failed attempts; wait a few minutes and try again")
	ErrWeakPassword       = errs.Sentinel(errs.Invalid, "WEAK_PASSWORD", "the password does not meet the rules")
	ErrInvitationExpired  = errs.Sentinel(errs.FailedPrecondition, "INVITATION_EXPIRED", "the invitation has expired; ask for a new one")
	ErrInvitationUsed     = errs.Sentinel(errs.FailedPrecondition, "INVITATION_USED", "the invitation was already accepted or revoked")
	ErrLastOwner          = errs.Sentinel(errs.FailedPrecondition, "LAST_OWNER", "an account must keep at least one OWNER")
	ErrAlreadyExists      = errs.Sentinel(errs.Conflict, "ALREADY_EXISTS", "already exists")
	ErrNotFound           = errs.Sentinel(errs.NotFound, "NOT_FOUND", "not found")
	ErrBadAPIKey          = errs.Sentinel(errs.Unauthenticated, "UNAUTHENTICATED", "the API key is invalid, expired or revoked")
)

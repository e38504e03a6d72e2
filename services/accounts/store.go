package accounts

import (
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/access"
)

// Collections of this package.
const (
	collAccounts    = "accounts"
	collUsers       = "users"
	collPartners    = "partners"
	collInvitations = "invitations"
	collSessions    = "sessions"
	collAPIKeys     = "api_keys"
)

// Indexes are this package's indexes, ensured at start-up.
func Indexes() []mongodb.Indexes {
	return []mongodb.Indexes{
		{Collection: collAccounts, Models: []mongo.IndexModel{{Keys: bson.D{{Key: "legalName", Value: 1}, {Key: "_id", Value: 1}}}}},
		{Collection: collUsers, Models: []mongo.IndexModel{{Keys: bson.D{{Key: "emailKey", Value: 1}}, Options: unique()}}},
		{Collection: collInvitations, Models: []mongo.IndexModel{
			{Keys: bson.D{{Key: "tokenHash", Value: 1}}, Options: unique()},
			{Keys: bson.D{{Key: "domain", Value: 1}, {Key: "status", Value: 1}, {Key: "createdAt", Value: 1}}},
		}},
		{Collection: collSessions, Models: []mongo.IndexModel{
			{Keys: bson.D{{Key: "tokenHash", Value: 1}}, Options: unique()},
			{Keys: bson.D{{Key: "userId", Value: 1}}},
			{Keys: bson.D{{Key: "expiresAt", Value: 1}}},
		}},
		{Collection: collAPIKeys, Models: []mongo.IndexModel{
			{Keys: bson.D{{Key: "secretHash", Value: 1}}, Options: unique()},
			{Keys: bson.D{{Key: "accountId", Value: 1}, {Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}},
		}},
	}
}

type accountDoc struct {
	ID              string    `bson:"_id"`
	LegalName       string    `bson:"legalName"`
	Country         string    `bson:"country"`
	DefaultCurrency string    `bson:"defaultCurrency"`
	BillingEmail    string    `bson:"billingEmail"`
	Status          string    `bson:"status"`
	CreatedAt       time.Time `bson:"createdAt"`
	UpdatedAt       time.Time `bson:"updatedAt"`
	// Set only when someone chose one; otherwise the country's (DefaultTimeZone).
	TimeZone string `bson:"timeZone,omitempty"`
}

func (d accountDoc) toAccount() Account {
	c, _ := money.ParseCurrency(d.DefaultCurrency) // validated on write
	tz := d.TimeZone
	if tz == "" {
		tz = DefaultTimeZone(d.Country)
	}
	return Account{ID: d.ID, LegalName: d.LegalName, Country: d.Country, DefaultCurrency: c,
		BillingEmail: d.BillingEmail, Status: Status(d.Status), CreatedAt: d.CreatedAt, TimeZone: tz}
}

var accountKeyset = mongodb.Keyset[accountDoc]{
	Field: "legalName",
	Key:   func(d accountDoc) cursor.Cursor { return cursor.Cursor{Key: d.LegalName, ID: d.ID} },
	Value: mongodb.StringKey,
}

type userDoc struct {
	ID           string    `bson:"_id"`
	Email        string    `bson:"email"`
	EmailKey     string    `bson:"emailKey"` // lower-cased email: the unique key
	Name         string    `bson:"name"`
	PasswordHash string    `bson:"passwordHash"`
	Status       string    `bson:"status"`
	CreatedAt    time.Time `bson:"createdAt"`
	// Portal preferences (preferences.go); absent until the user chooses.
	Locale   string `bson:"locale,omitempty"`
	TimeZone string `bson:"timeZone,omitempty"`
}

func (d userDoc) toUser() User {
	return User{ID: d.ID, Email: d.Email, Name: d.Name, Status: UserStatus(d.Status), CreatedAt: d.CreatedAt,
		Locale: d.Locale, TimeZone: d.TimeZone}
}

type partnerDoc struct {
	ID        string    `bson:"_id"`
	Name      string    `bson:"name"`
	Country   string    `bson:"country"`
	CreatedAt time.Time `bson:"createdAt"`
}

func (d partnerDoc) toPartner() Partner {
	return Partner{ID: d.ID, Name: d.Name, Country: d.Country, CreatedAt: d.CreatedAt}
}

type invitationDoc struct {
	ID         string     `bson:"_id"`
	TokenHash  string     `bson:"tokenHash"`
	Email      string     `bson:"email"`
	EmailKey   string     `bson:"emailKey"`
	Domain     string     `bson:"domain"`
	Role       string     `bson:"role"`
	Status     string     `bson:"status"`
	ExpiresAt  time.Time  `bson:"expiresAt"`
	CreatedAt  time.Time  `bson:"createdAt"`
	CreatedBy  string     `bson:"createdBy"`
	AcceptedBy string     `bson:"acceptedBy,omitempty"`
	AcceptedAt *time.Time `bson:"acceptedAt,omitempty"`
}

func (d invitationDoc) toInvitation(now time.Time) Invitation {
	st := InvitationStatus(d.Status)
	if st == InvitationPending && !now.Before(d.ExpiresAt) {
		st = InvitationExpired
	}
	return Invitation{ID: d.ID, Email: d.Email, Domain: d.Domain, Role: access.Role(d.Role), Status: st,
		ExpiresAt: d.ExpiresAt, CreatedAt: d.CreatedAt, CreatedBy: d.CreatedBy}
}

type sessionDoc struct {
	ID            string    `bson:"_id"`
	TokenHash     string    `bson:"tokenHash"`
	UserID        string    `bson:"userId"`
	CreatedAt     time.Time `bson:"createdAt"`
	ExpiresAt     time.Time `bson:"expiresAt"`
	ClientAddress string    `bson:"clientAddress"`
}

type apiKeyDoc struct {
	ID           string     `bson:"_id"`
	AccountID    string     `bson:"accountId"`
	Name         string     `bson:"name"`
	Role         string     `bson:"role"`
	SecretHash   string     `bson:"secretHash"`
	SecretPrefix string     `bson:"secretPrefix"`
	CreatedBy    string     `bson:"createdBy"`
	CreatedAt    time.Time  `bson:"createdAt"`
	LastUsedAt   *time.Time `bson:"lastUsedAt,omitempty"`
	ExpiresAt    *time.Time `bson:"expiresAt,omitempty"`
	RevokedAt    *time.Time `bson:"revokedAt,omitempty"`
}

func (d apiKeyDoc) toAPIKey() APIKey {
	return APIKey{ID: d.ID, AccountID: d.AccountID, Name: d.Name, Role: access.Role(d.Role),
		SecretPrefix: d.SecretPrefix, CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt,
		LastUsedAt: d.LastUsedAt, ExpiresAt: d.ExpiresAt, RevokedAt: d.RevokedAt}
}

var apiKeyKeyset = mongodb.Keyset[apiKeyDoc]{
	Field: "createdAt",
	Key: func(d apiKeyDoc) cursor.Cursor {
		return cursor.Cursor{Key: d.CreatedAt.UTC().Format(time.RFC3339Nano), ID: d.ID}
	},
	Value: func(k string) (any, error) { return time.Parse(time.RFC3339Nano, k) },
}

// unique returns fresh options per index (the driver writes the index name into them).
func unique() *options.IndexOptions { return options.Index().SetUnique(true) }

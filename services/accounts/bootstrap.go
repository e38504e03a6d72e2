package accounts

import (
	"context"
	"errors"
	"strings"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tradehub/tradehub/internal/country"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/access"
)

// The methods in this file do no authorization: they exist for the operator's bootstrap command
// (the first platform admin of an installation) and for demo data, both run from cmd/tradehub
// before any request is served. Nothing reachable from the API calls them.

// EnsureUser returns the user with this email, creating it with the password if missing. The
// password must meet the rules (CheckPassword).
func (s *Service) EnsureUser(ctx context.Context, email, name, password string) (User, error) {
	addr, err := normalizeEmail("email", email)
	if err != nil {
		return User{}, err
	}
	if u, err := s.userByEmail(ctx, addr); err == nil {
		return u, nil
	} else if errs.CodeOf(err) != errs.NotFound {
		return User{}, err
	}
	if err := CheckPassword("password", password, addr); err != nil {
		return User{}, err
	}
	if err := checkName("name", strings.TrimSpace(name), 100); err != nil {
		return User{}, err
	}
	u, err := s.createUser(ctx, addr, strings.TrimSpace(name), password)
	if errs.CodeOf(err) == errs.Conflict {
		return s.userByEmail(ctx, addr)
	}
	return u, err
}

// BootstrapPlatformAdmin creates (or finds) a user and makes it a platform admin.
func (s *Service) BootstrapPlatformAdmin(ctx context.Context, email, name, password string) (User, error) {
	u, err := s.EnsureUser(ctx, email, name, password)
	if err != nil {
		return User{}, err
	}
	return u, s.access.Assign(ctx, access.Assignment{Subject: u.ID, Role: access.PlatformAdmin, Domain: access.DomainPlatform})
}

// SeedAccount inserts an account as given (demo data).
func (s *Service) SeedAccount(ctx context.Context, a Account) (Account, error) {
	if a.ID == "" {
		a.ID = ids.New(ids.Account)
	}
	if a.Status == "" {
		a.Status = StatusActive
	}
	if err := country.Validate(a.Country); err != nil {
		return Account{}, err
	}
	now := s.clock.Now()
	doc := accountDoc{ID: a.ID, LegalName: a.LegalName, Country: a.Country, DefaultCurrency: a.DefaultCurrency.Code(),
		BillingEmail: a.BillingEmail, Status: string(a.Status), CreatedAt: now, UpdatedAt: now}
	if _, err := s.accounts.InsertOne(ctx, doc); err != nil {
		return Account{}, mongodb.MapError(err, "seed account")
	}
	return doc.toAccount(), nil
}

// SeedPartner inserts a partner (demo data).
func (s *Service) SeedPartner(ctx context.Context, name, countryCode string) (Partner, error) {
	doc := partnerDoc{ID: ids.New(ids.Partner), Name: name, Country: countryCode, CreatedAt: s.clock.Now()}
	if _, err := s.partners.InsertOne(ctx, doc); err != nil {
		return Partner{}, mongodb.MapError(err, "seed partner")
	}
	return doc.toPartner(), nil
}

// HasAccounts reports whether any account exists (demo data goes only into an empty store).
func (s *Service) HasAccounts(ctx context.Context) (bool, error) {
	err := s.accounts.FindOne(ctx, bson.M{}).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, mongodb.MapError(err, "count accounts")
	}
	return true, nil
}

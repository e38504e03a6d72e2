package accounts

import (
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/country"
	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/audit"
)

// Mailer sends the emails this package writes (invitations). The default logs them.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Config is the service's setup.
type Config struct {
	DB     *mongo.Database
	Access *access.Service
	Audit  *audit.Service
	Clock  clock.Clock
	Mailer Mailer
	Logger *slog.Logger
	// Development relaxes the session cookie's Secure flag (plain http on localhost) and makes
	// API key secrets th_test_… instead of th_live_….
	Development bool
	// PublicURL is where people open the portal, for links in emails.
	PublicURL string
}

// Service is the accounts service.
type Service struct {
	cfg         Config
	db          *mongo.Database
	access      *access.Service
	clock       clock.Clock
	logger      *slog.Logger
	throttle    *throttle
	dummyHash   string
	accounts    *mongo.Collection
	users       *mongo.Collection
	partners    *mongo.Collection
	invitations *mongo.Collection
	sessions    *mongo.Collection
	apiKeys     *mongo.Collection
}

// New builds the service and brings the access service's account flags in line with the stored
// account statuses (the two are written one after the other, so a crash between them is healed
// here).
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Clock == nil {
		cfg.Clock = clock.System()
	}
	if cfg.Mailer == nil {
		cfg.Mailer = LogMailer{Logger: cfg.Logger, ShowBody: cfg.Development}
	}
	s := &Service{
		cfg: cfg, db: cfg.DB, access: cfg.Access, clock: cfg.Clock, logger: cfg.Logger,
		throttle:    newThrottle(),
		accounts:    cfg.DB.Collection(collAccounts),
		users:       cfg.DB.Collection(collUsers),
		partners:    cfg.DB.Collection(collPartners),
		invitations: cfg.DB.Collection(collInvitations),
		sessions:    cfg.DB.Collection(collSessions),
		apiKeys:     cfg.DB.Collection(collAPIKeys),
	}
	h, err := hashPassword("not a real password: evens out login timing for unknown emails")
	if err != nil {
		return nil, err
	}
	s.dummyHash = h
	if err := s.syncFlags(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Service) syncFlags(ctx context.Context) error {
	cur, err := s.accounts.Find(ctx, bson.M{}, options.Find().SetProjection(bson.M{"status": 1}))
	if err != nil {
		return fmt.Errorf("accounts: sync flags: %w", err)
	}
	var docs []accountDoc
	if err := cur.All(ctx, &docs); err != nil {
		return fmt.Errorf("accounts: sync flags: %w", err)
	}
	for _, d := range docs {
		want := Status(d.Status) != StatusActive
		if s.access.HasFlag(d.ID, access.FlagSuspended) != want {
			if err := s.access.SetFlag(ctx, d.ID, access.FlagSuspended, want); err != nil {
				return err
			}
		}
	}
	return nil
}

// CreateAccountInput is what a new account is.
type CreateAccountInput struct {
	LegalName       string
	Country         string
	DefaultCurrency money.Currency
	BillingEmail    string
	OwnerEmail      string
}

// CreateAccount creates a seller account and invites its first owner. Platform admins only.
// Returns INVALID with a field for bad input, FORBIDDEN/NOT_FOUND/UNAUTHENTICATED from access.
func (s *Service) CreateAccount(ctx context.Context, in CreateAccountInput) (Account, Invitation, error) {
	if err := s.access.Require(ctx, access.DomainPlatform, access.Accounts, access.Write); err != nil {
		return Account{}, Invitation{}, err
	}
	legalName := strings.TrimSpace(in.LegalName)
	if err := checkName("input.legalName", legalName, 200); err != nil {
		return Account{}, Invitation{}, err
	}
	if err := country.Validate(in.Country); err != nil {
		return Account{}, Invitation{}, errs.InvalidField("input.country", "not an ISO 3166-1 alpha-2 country code")
	}
	if in.DefaultCurrency.IsZero() {
		return Account{}, Invitation{}, errs.InvalidField("input.defaultCurrency", "a currency is required")
	}
	billing, err := normalizeEmail("input.billingEmail", in.BillingEmail)
	if err != nil {
		return Account{}, Invitation{}, err
	}
	owner, err := normalizeEmail("input.ownerEmail", in.OwnerEmail)
	if err != nil {
		return Account{}, Invitation{}, err
	}
	now := s.clock.Now()
	doc := accountDoc{ID: ids.New(ids.Account), LegalName: legalName, Country: in.Country,
		DefaultCurrency: in.DefaultCurrency.Code(), BillingEmail: billing, Status: string(StatusActive),
		CreatedAt: now, UpdatedAt: now}
	if _, err := s.accounts.InsertOne(ctx, doc); err != nil {
		return Account{}, Invitation{}, mongodb.MapError(err, "insert account")
	}
	audit.Annotate(ctx, doc.ID, doc.ID)
	inv, err := s.createInvitation(ctx, doc.ID, owner, access.Owner, doc.LegalName)
	if err != nil {
		return Account{}, Invitation{}, err
	}
	return doc.toAccount(), inv, nil
}

// UpdateAccountInput changes an account's details; nil fields stay.
type UpdateAccountInput struct {
	AccountID       string
	LegalName       *string
	BillingEmail    *string
	DefaultCurrency *money.Currency
	TimeZone        *string // an IANA zone; "" goes back to the country's default
}

// UpdateAccount changes details. Returns NOT_FOUND for accounts the caller cannot see,
// FORBIDDEN for roles that may not change them, ACCOUNT_SUSPENDED, INVALID with a field.
func (s *Service) UpdateAccount(ctx context.Context, in UpdateAccountInput) (Account, error) {
	audit.Annotate(ctx, in.AccountID, in.AccountID)
	if err := s.access.Require(ctx, in.AccountID, access.AccountProfile, access.Write); err != nil {
		return Account{}, err
	}
	set := bson.M{"updatedAt": s.clock.Now()}
	if in.LegalName != nil {
		name := strings.TrimSpace(*in.LegalName)
		if err := checkName("input.legalName", name, 200); err != nil {
			return Account{}, err
		}
		set["legalName"] = name
	}
	if in.BillingEmail != nil {
		e, err := normalizeEmail("input.billingEmail", *in.BillingEmail)
		if err != nil {
			return Account{}, err
		}
		set["billingEmail"] = e
	}
	if in.DefaultCurrency != nil {
		set["defaultCurrency"] = in.DefaultCurrency.Code()
	}
	if in.TimeZone != nil {
		tz := strings.TrimSpace(*in.TimeZone)
		if tz != "" {
			if err := checkTimeZone("input.timeZone", tz); err != nil {
				return Account{}, err
			}
		}
		set["timeZone"] = tz
	}
	var doc accountDoc
	err := s.accounts.FindOneAndUpdate(ctx, bson.M{"_id": in.AccountID}, bson.M{"$set": set},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&doc)
	if err != nil {
		return Account{}, mongodb.MapError(err, "update account")
	}
	return doc.toAccount(), nil
}

// SetAccountStatus suspends, reactivates or closes an account (platform admins). A reason is
// required to suspend or close. Closing is final: a closed account cannot be reopened.
func (s *Service) SetAccountStatus(ctx context.Context, accountID string, status Status, reason string) (Account, error) {
	audit.Annotate(ctx, accountID, accountID)
	if err := s.access.Require(ctx, access.DomainPlatform, access.Accounts, access.Write); err != nil {
		return Account{}, err
	}
	if status != StatusActive && strings.TrimSpace(reason) == "" {
		return Account{}, errs.InvalidField("input.reason", "give a reason for the audit log")
	}
	var doc accountDoc
	err := s.accounts.FindOneAndUpdate(ctx,
		bson.M{"_id": accountID, "status": bson.M{"$ne": string(StatusClosed)}},
		bson.M{"$set": bson.M{"status": string(status), "updatedAt": s.clock.Now()}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&doc)
	if err == mongo.ErrNoDocuments {
		if _, ferr := s.findAccount(ctx, accountID); ferr != nil {
			return Account{}, ferr
		}
		return Account{}, errs.Sentinel(errs.FailedPrecondition, "FAILED_PRECONDITION", "a closed account cannot be changed")
	}
	if err != nil {
		return Account{}, mongodb.MapError(err, "set account status")
	}
	if err := s.access.SetFlag(ctx, accountID, access.FlagSuspended, status != StatusActive); err != nil {
		return Account{}, errs.Internalf("set account flag: %w", err)
	}
	s.logger.InfoContext(ctx, "account status changed", "account", accountID, "status", status, "reason", reason)
	return doc.toAccount(), nil
}

// Account returns an account the caller may see. Returns NOT_FOUND otherwise (missing and
// foreign alike).
func (s *Service) Account(ctx context.Context, id string) (Account, error) {
	if err := s.access.Require(ctx, id, access.AccountProfile, access.Read); err != nil {
		return Account{}, err
	}
	return s.findAccount(ctx, id)
}

// AccountsByID loads accounts without authorization, for resolvers of objects the caller was
// already authorized to see (a membership's account). Missing ids are absent from the map.
func (s *Service) AccountsByID(ctx context.Context, list []string) (map[string]Account, error) {
	cur, err := s.accounts.Find(ctx, bson.M{"_id": bson.M{"$in": list}})
	if err != nil {
		return nil, mongodb.MapError(err, "find accounts")
	}
	var docs []accountDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mongodb.MapError(err, "find accounts")
	}
	out := make(map[string]Account, len(docs))
	for _, d := range docs {
		out[d.ID] = d.toAccount()
	}
	return out, nil
}

func (s *Service) findAccount(ctx context.Context, id string) (Account, error) {
	var doc accountDoc
	if err := s.accounts.FindOne(ctx, bson.M{"_id": id}).Decode(&doc); err != nil {
		return Account{}, mongodb.MapError(err, "find account")
	}
	return doc.toAccount(), nil
}

// Accounts lists the accounts the caller may see, by legal name: every account for platform
// admins, the assigned ones for account managers, their own for sellers, none for others.
func (s *Service) Accounts(ctx context.Context, page cursor.Page) (cursor.Result[Account], error) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return cursor.Result[Account]{}, access.ErrUnauthenticated
	}
	w, err := page.Validate(cursor.MaxLimit)
	if err != nil {
		return cursor.Result[Account]{}, err
	}
	filter := bson.M{}
	if !s.access.Can(ctx, access.DomainPlatform, access.Accounts, access.Write) {
		visible := []string{} // never nil: {$in: null} is an error, not an empty set
		for _, a := range s.access.AssignmentsOf(access.Subject(p)) {
			if ids.HasPrefix(a.Domain, ids.Account) && s.access.Can(ctx, a.Domain, access.AccountProfile, access.Read) {
				visible = append(visible, a.Domain)
			}
		}
		filter = bson.M{"_id": bson.M{"$in": visible}}
	}
	res, err := mongodb.FindPage(ctx, s.accounts, filter, accountKeyset, w)
	if err != nil {
		return cursor.Result[Account]{}, err
	}
	out := cursor.Result[Account]{Cursors: res.Cursors, HasNextPage: res.HasNextPage, HasPreviousPage: res.HasPreviousPage}
	for _, d := range res.Items {
		out.Items = append(out.Items, d.toAccount())
	}
	return out, nil
}

// AccountManagers lists the staff assigned to an account (the caller must see the account).
func (s *Service) AccountManagers(ctx context.Context, accountID string) ([]User, error) {
	if err := s.access.Require(ctx, accountID, access.AccountProfile, access.Read); err != nil {
		return nil, err
	}
	return s.usersInOrder(ctx, s.access.Holders(access.AccountManager, accountID))
}

// AssignAccountManager makes a staff member (who holds the platform-wide account-manager role)
// a manager of the account. Platform admins only.
func (s *Service) AssignAccountManager(ctx context.Context, accountID, userID string, assign bool) (Account, error) {
	audit.Annotate(ctx, accountID, userID)
	if err := s.access.Require(ctx, access.DomainPlatform, access.AccountManagers, access.Write); err != nil {
		return Account{}, err
	}
	acct, err := s.findAccount(ctx, accountID)
	if err != nil {
		return Account{}, err
	}
	if !assign {
		return acct, s.access.Unassign(ctx, access.Assignment{Subject: userID, Role: access.AccountManager, Domain: accountID})
	}
	if !hasRole(s.access.RolesIn(userID, access.DomainPlatform), access.StaffAccountManager) {
		return Account{}, errs.InvalidField("input.userId", "this user is not an account manager")
	}
	return acct, s.access.Assign(ctx, access.Assignment{Subject: userID, Role: access.AccountManager, Domain: accountID})
}

func hasRole(list []access.Role, r access.Role) bool {
	for _, x := range list {
		if x == r {
			return true
		}
	}
	return false
}

// normalizeEmail trims and checks an address; field names the input for the error.
func normalizeEmail(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) > 254 {
		return "", errs.InvalidField(field, "the email address is too long")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "", errs.InvalidField(field, "not a valid email address")
	}
	return s, nil
}

func emailKey(email string) string { return strings.ToLower(email) }

func checkName(field, s string, max int) error {
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return errs.InvalidField(field, "required")
	}
	if n > max {
		return errs.InvalidField(field, "at most %d characters", max)
	}
	return nil
}

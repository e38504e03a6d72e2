package accounts

import (
	"context"
	"strings"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/country"
	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/audit"
)

// Members lists the people with an account role in an account, by user id.
func (s *Service) Members(ctx context.Context, accountID string, page cursor.Page) (cursor.Result[Membership], error) {
	if err := s.access.Require(ctx, accountID, access.Team, access.Read); err != nil {
		return cursor.Result[Membership]{}, err
	}
	w, err := page.Validate(cursor.MaxLimit)
	if err != nil {
		return cursor.Result[Membership]{}, err
	}
	return cursor.PageSlice(s.memberships(accountID), w, func(m Membership) cursor.Cursor {
		return cursor.Cursor{Key: m.UserID, ID: m.UserID}
	}), nil
}

// memberships are the users' account roles in an account (API keys and staff excluded).
func (s *Service) memberships(accountID string) []Membership {
	var out []Membership
	for _, a := range s.access.AssignmentsIn(accountID) {
		if ids.HasPrefix(a.Subject, ids.User) && isAccountRole(a.Role) {
			out = append(out, Membership{UserID: a.Subject, AccountID: accountID, Role: a.Role})
		}
	}
	return out
}

// ChangeMemberRole changes a member's role. Granting or taking OWNER needs an OWNER (or a
// platform admin), and the last OWNER cannot be demoted. Returns NOT_FOUND for a non-member.
func (s *Service) ChangeMemberRole(ctx context.Context, accountID, userID string, role access.Role) (Membership, error) {
	audit.Annotate(ctx, accountID, userID)
	if err := s.access.Require(ctx, accountID, access.Team, access.Write); err != nil {
		return Membership{}, err
	}
	if !isAccountRole(role) {
		return Membership{}, errs.InvalidField("input.role", "unknown account role")
	}
	current, ok := s.memberRole(accountID, userID)
	if !ok {
		return Membership{}, ErrNotFound.With("input.userId", nil).WithMessage("not a member of this account")
	}
	if role == current {
		return Membership{UserID: userID, AccountID: accountID, Role: role}, nil
	}
	if role == access.Owner || current == access.Owner {
		if err := s.access.Require(ctx, accountID, access.TeamOwners, access.Write); err != nil {
			return Membership{}, err
		}
	}
	if current == access.Owner && s.ownerCount(accountID) <= 1 {
		return Membership{}, ErrLastOwner.With("input.role", nil)
	}
	if err := s.access.Replace(ctx, userID, accountID, role); err != nil {
		return Membership{}, errs.Internalf("change role: %w", err)
	}
	return Membership{UserID: userID, AccountID: accountID, Role: role}, nil
}

// RemoveMember removes a member. Removing an OWNER needs an OWNER; the last OWNER stays.
func (s *Service) RemoveMember(ctx context.Context, accountID, userID string) error {
	audit.Annotate(ctx, accountID, userID)
	if err := s.access.Require(ctx, accountID, access.Team, access.Write); err != nil {
		return err
	}
	current, ok := s.memberRole(accountID, userID)
	if !ok {
		return ErrNotFound.With("input.userId", nil).WithMessage("not a member of this account")
	}
	if current == access.Owner {
		if err := s.access.Require(ctx, accountID, access.TeamOwners, access.Write); err != nil {
			return err
		}
		if s.ownerCount(accountID) <= 1 {
			return ErrLastOwner.With("input.userId", nil)
		}
	}
	if err := s.access.Replace(ctx, userID, accountID, ""); err != nil {
		return errs.Internalf("remove member: %w", err)
	}
	return nil
}

// The owner count is read from the in-memory policy and the change applied under casbin's lock
// per rule, not as one atomic step: two owners demoting each other at the same instant could in
// theory both pass. Ownership changes are rare, human-paced and audited, so this is accepted.
func (s *Service) ownerCount(accountID string) int {
	return len(s.access.Holders(access.Owner, accountID))
}

func (s *Service) memberRole(accountID, userID string) (access.Role, bool) {
	for _, r := range s.access.RolesIn(userID, accountID) {
		if isAccountRole(r) {
			return r, true
		}
	}
	return "", false
}

// ViewerRole is the caller's own account role there, if any.
func (s *Service) ViewerRole(ctx context.Context, accountID string) (access.Role, bool) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return "", false
	}
	for _, r := range s.access.RolesIn(access.Subject(p), accountID) {
		if isAccountRole(r) {
			return r, true
		}
	}
	return "", false
}

// ViewerMemberships lists the caller's account roles (an API key has exactly one).
func (s *Service) ViewerMemberships(ctx context.Context) []Membership {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return nil
	}
	var out []Membership
	for _, a := range s.access.AssignmentsOf(access.Subject(p)) {
		if ids.HasPrefix(a.Domain, ids.Account) && isAccountRole(a.Role) {
			out = append(out, Membership{UserID: p.UserID, AccountID: a.Domain, Role: a.Role})
		}
	}
	return out
}

// ViewerStaffRole is PLATFORM_ADMIN or ACCOUNT_MANAGER for staff users, "" otherwise.
func (s *Service) ViewerStaffRole(ctx context.Context) access.Role {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok || p.Kind != auth.KindUser {
		return ""
	}
	return s.staffRole(p.UserID)
}

func (s *Service) staffRole(userID string) access.Role {
	roles := s.access.RolesIn(userID, access.DomainPlatform)
	switch {
	case hasRole(roles, access.PlatformAdmin):
		return access.PlatformAdmin
	case hasRole(roles, access.StaffAccountManager):
		return access.AccountManager
	}
	return ""
}

// StaffRoleOn tells the audit log in which staff capacity p acted on an account, if any.
func (s *Service) StaffRoleOn(p *auth.Principal, accountID string) string {
	if p.Kind != auth.KindUser {
		return ""
	}
	if hasRole(s.access.RolesIn(p.UserID, access.DomainPlatform), access.PlatformAdmin) {
		return string(access.PlatformAdmin)
	}
	if hasRole(s.access.RolesIn(p.UserID, accountID), access.AccountManager) {
		return string(access.AccountManager)
	}
	return ""
}

// ViewerPartner is the caller's partner membership, if the caller is a partner user.
func (s *Service) ViewerPartner(ctx context.Context) (PartnerMembership, bool) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok || p.Kind != auth.KindUser {
		return PartnerMembership{}, false
	}
	for _, a := range s.access.AssignmentsOf(p.UserID) {
		if ids.HasPrefix(a.Domain, ids.Partner) {
			return PartnerMembership{UserID: p.UserID, PartnerID: a.Domain, Role: a.Role}, true
		}
	}
	return PartnerMembership{}, false
}

// ViewerSupplier is the supplier the caller answers RFQs for, if any.
func (s *Service) ViewerSupplier(ctx context.Context) (string, bool) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok || p.Kind != auth.KindUser {
		return "", false
	}
	for _, a := range s.access.AssignmentsOf(p.UserID) {
		if a.Role == access.SupplierUser {
			return a.Domain, true
		}
	}
	return "", false
}

// Partner returns a partner the caller may see: its own people, people of accounts that
// consented to it, and staff.
func (s *Service) Partner(ctx context.Context, id string) (Partner, error) {
	if !s.canSeePartner(ctx, id) {
		return Partner{}, ErrNotFound
	}
	return s.findPartner(ctx, id)
}

func (s *Service) canSeePartner(ctx context.Context, id string) bool {
	if s.access.Can(ctx, id, access.PartnerTeam, access.Read) || s.access.Can(ctx, access.DomainPlatform, access.Partners, access.Read) {
		return true
	}
	for _, acct := range s.access.ConsentingAccounts(id) {
		if s.access.Can(ctx, acct, access.PartnerConsents, access.Read) {
			return true
		}
	}
	return false
}

func (s *Service) findPartner(ctx context.Context, id string) (Partner, error) {
	var doc partnerDoc
	if err := s.partners.FindOne(ctx, bson.M{"_id": id}).Decode(&doc); err != nil {
		return Partner{}, mongodb.MapError(err, "find partner")
	}
	return doc.toPartner(), nil
}

// PartnerMembers lists a partner's people (its own people and platform admins).
func (s *Service) PartnerMembers(ctx context.Context, partnerID string) ([]PartnerMembership, error) {
	if err := s.access.Require(ctx, partnerID, access.PartnerTeam, access.Read); err != nil {
		return nil, err
	}
	var out []PartnerMembership
	for _, a := range s.access.AssignmentsIn(partnerID) {
		if a.Role == access.PartnerAdmin || a.Role == access.PartnerAnalyst {
			out = append(out, PartnerMembership{UserID: a.Subject, PartnerID: partnerID, Role: a.Role})
		}
	}
	return out, nil
}

// CreatePartner onboards a finance partner (platform admins).
func (s *Service) CreatePartner(ctx context.Context, name, countryCode string) (Partner, error) {
	if err := s.access.Require(ctx, access.DomainPlatform, access.Partners, access.Write); err != nil {
		return Partner{}, err
	}
	name = strings.TrimSpace(name)
	if err := checkName("input.name", name, 200); err != nil {
		return Partner{}, err
	}
	if err := country.Validate(countryCode); err != nil {
		return Partner{}, errs.InvalidField("input.country", "not an ISO 3166-1 alpha-2 country code")
	}
	doc := partnerDoc{ID: ids.New(ids.Partner), Name: name, Country: countryCode, CreatedAt: s.clock.Now()}
	audit.Annotate(ctx, "", doc.ID)
	if _, err := s.partners.InsertOne(ctx, doc); err != nil {
		return Partner{}, mongodb.MapError(err, "insert partner")
	}
	return doc.toPartner(), nil
}

// SetPartnerConsent grants or revokes an account's consent to a partner (OWNER, FINANCE). A
// revocation takes effect on the partner's next request.
func (s *Service) SetPartnerConsent(ctx context.Context, accountID, partnerID string, grant bool) error {
	audit.Annotate(ctx, accountID, partnerID)
	if err := s.access.Require(ctx, accountID, access.PartnerConsents, access.Write); err != nil {
		return err
	}
	if _, err := s.findPartner(ctx, partnerID); err != nil {
		return ErrNotFound.With("input.partnerId", nil).WithMessage("no such partner")
	}
	if grant {
		return s.access.GrantConsent(ctx, accountID, partnerID)
	}
	return s.access.RevokeConsent(ctx, accountID, partnerID)
}

// PartnerConsents lists the partners an account consented to.
func (s *Service) PartnerConsents(ctx context.Context, accountID string) ([]Partner, error) {
	if err := s.access.Require(ctx, accountID, access.PartnerConsents, access.Read); err != nil {
		return nil, err
	}
	out := []Partner{}
	for _, id := range s.access.ConsentedPartners(accountID) {
		p, err := s.findPartner(ctx, id)
		if err != nil {
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

// AuditLog lists an account's audit entries, newest first, for those who may read them.
func (s *Service) AuditLog(ctx context.Context, accountID string, f audit.Filter, page cursor.Page) (cursor.Result[audit.Entry], error) {
	if err := s.access.Require(ctx, accountID, access.AuditLog, access.Read); err != nil {
		return cursor.Result[audit.Entry]{}, err
	}
	w, err := page.Validate(cursor.MaxLimit)
	if err != nil {
		return cursor.Result[audit.Entry]{}, err
	}
	return s.cfg.Audit.List(ctx, accountID, f, w)
}

// VisibleUsers loads the users among list that the caller may see: itself, people who share an
// account or partner the caller may manage the team of, and everyone for platform admins.
// Others are absent, exactly like missing ids.
func (s *Service) VisibleUsers(ctx context.Context, list []string) (map[string]User, error) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return map[string]User{}, nil
	}
	admin := s.access.Can(ctx, access.DomainPlatform, access.Partners, access.Write)
	var visible []string
	for _, id := range list {
		if admin || id == p.UserID || s.sharesTeam(ctx, id) {
			visible = append(visible, id)
		}
	}
	if len(visible) == 0 {
		return map[string]User{}, nil
	}
	return s.UsersByID(ctx, visible)
}

func (s *Service) sharesTeam(ctx context.Context, userID string) bool {
	for _, a := range s.access.AssignmentsOf(userID) {
		switch {
		case ids.HasPrefix(a.Domain, ids.Account) && s.access.Can(ctx, a.Domain, access.Team, access.Read):
			return true
		case ids.HasPrefix(a.Domain, ids.Partner) && s.access.Can(ctx, a.Domain, access.PartnerTeam, access.Read):
			return true
		}
	}
	return false
}

// Invitation returns an invitation the caller may manage.
func (s *Service) Invitation(ctx context.Context, id string) (Invitation, error) {
	var doc invitationDoc
	if err := s.invitations.FindOne(ctx, bson.M{"_id": id}).Decode(&doc); err != nil {
		return Invitation{}, mongodb.MapError(err, "find invitation")
	}
	res := access.Team
	if ids.HasPrefix(doc.Domain, ids.Partner) {
		res = access.PartnerTeam
	}
	if err := s.access.Require(ctx, doc.Domain, res, access.Read); err != nil {
		return Invitation{}, err
	}
	return doc.toInvitation(s.clock.Now()), nil
}

// Borrower is a consenting account as its finance partner sees it.
type Borrower struct {
	AccountID string
	LegalName string
	Country   string
}

// PartnerBorrowers lists the accounts that consented to a partner, for the partner's own people
// and platform admins. A partner learns who its borrowers are, never their operations.
func (s *Service) PartnerBorrowers(ctx context.Context, partnerID string) ([]Borrower, error) {
	if err := s.access.Require(ctx, partnerID, access.PartnerTeam, access.Read); err != nil {
		return nil, err
	}
	list := s.access.ConsentingAccounts(partnerID)
	if len(list) == 0 {
		return []Borrower{}, nil
	}
	accts, err := s.AccountsByID(ctx, list)
	if err != nil {
		return nil, err
	}
	out := make([]Borrower, 0, len(list))
	for _, id := range list {
		if a, ok := accts[id]; ok {
			out = append(out, Borrower{AccountID: a.ID, LegalName: a.LegalName, Country: a.Country})
		}
	}
	return out, nil
}

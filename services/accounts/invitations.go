package accounts

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/audit"
)

// InvitationTTL is how long an invitation can be accepted.
const InvitationTTL = 7 * 24 * time.Hour

// InviteAccountMember invites email to an account with an account role. OWNER and ADMIN (and
// staff) may invite; only an OWNER (or a platform admin) may invite an OWNER. Returns
// ALREADY_EXISTS when the email is already a member, INVALID with a field, access errors.
func (s *Service) InviteAccountMember(ctx context.Context, accountID, email string, role access.Role) (Invitation, error) {
	audit.Annotate(ctx, accountID, "")
	if err := s.access.Require(ctx, accountID, access.Team, access.Write); err != nil {
		return Invitation{}, err
	}
	if !isAccountRole(role) {
		return Invitation{}, errs.InvalidField("input.role", "unknown account role")
	}
	if role == access.Owner {
		if err := s.access.Require(ctx, accountID, access.TeamOwners, access.Write); err != nil {
			return Invitation{}, err
		}
	}
	addr, err := normalizeEmail("input.email", email)
	if err != nil {
		return Invitation{}, err
	}
	if u, err := s.userByEmail(ctx, addr); err == nil && len(s.access.RolesIn(u.ID, accountID)) > 0 {
		return Invitation{}, ErrAlreadyExists.With("input.email", nil).WithMessage("%s is already a member of this account", addr)
	}
	acct, err := s.findAccount(ctx, accountID)
	if err != nil {
		return Invitation{}, err
	}
	return s.createInvitation(ctx, accountID, addr, role, acct.LegalName)
}

// InvitePartnerMember invites email to a finance partner with a partner role.
func (s *Service) InvitePartnerMember(ctx context.Context, partnerID, email string, role access.Role) (Invitation, error) {
	audit.Annotate(ctx, "", partnerID)
	if err := s.access.Require(ctx, partnerID, access.PartnerTeam, access.Write); err != nil {
		return Invitation{}, err
	}
	if role != access.PartnerAdmin && role != access.PartnerAnalyst {
		return Invitation{}, errs.InvalidField("input.role", "unknown partner role")
	}
	addr, err := normalizeEmail("input.email", email)
	if err != nil {
		return Invitation{}, err
	}
	p, err := s.findPartner(ctx, partnerID)
	if err != nil {
		return Invitation{}, err
	}
	return s.createInvitation(ctx, partnerID, addr, role, p.Name)
}

func (s *Service) createInvitation(ctx context.Context, domain, email string, role access.Role, orgName string) (Invitation, error) {
	token, hash := newSecret("thi_")
	now := s.clock.Now()
	by := ""
	if p, ok := auth.PrincipalFrom(ctx); ok {
		by = p.UserID
	}
	doc := invitationDoc{ID: ids.New(ids.Invitation), TokenHash: hash, Email: email, EmailKey: emailKey(email),
		Domain: domain, Role: string(role), Status: string(InvitationPending), ExpiresAt: now.Add(InvitationTTL),
		CreatedAt: now, CreatedBy: by}
	if _, err := s.invitations.InsertOne(ctx, doc); err != nil {
		return Invitation{}, mongodb.MapError(err, "insert invitation")
	}
	link := strings.TrimRight(s.cfg.PublicURL, "/") + "/accept-invitation?token=" + url.QueryEscape(token)
	body := fmt.Sprintf("You are invited to join %s on Tradehub as %s.\n\nAccept within 7 days: %s\n", orgName, role, link)
	if err := s.cfg.Mailer.Send(ctx, email, "Your Tradehub invitation", body); err != nil {
		// The invitation stands; an admin can revoke it and invite again.
		s.logger.WarnContext(ctx, "invitation email not sent", "invitation", doc.ID, "error", err)
	}
	return doc.toInvitation(now), nil
}

// RevokeInvitation withdraws a pending invitation.
func (s *Service) RevokeInvitation(ctx context.Context, id string) (Invitation, error) {
	var doc invitationDoc
	if err := s.invitations.FindOne(ctx, bson.M{"_id": id}).Decode(&doc); err != nil {
		return Invitation{}, mongodb.MapError(err, "find invitation")
	}
	if err := s.requireInvitationAdmin(ctx, doc.Domain); err != nil {
		return Invitation{}, err
	}
	err := s.invitations.FindOneAndUpdate(ctx, bson.M{"_id": id, "status": string(InvitationPending)},
		bson.M{"$set": bson.M{"status": string(InvitationRevoked)}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return Invitation{}, ErrInvitationUsed
	}
	if err != nil {
		return Invitation{}, mongodb.MapError(err, "revoke invitation")
	}
	return doc.toInvitation(s.clock.Now()), nil
}

func (s *Service) requireInvitationAdmin(ctx context.Context, domain string) error {
	if ids.HasPrefix(domain, ids.Partner) {
		audit.Annotate(ctx, "", domain)
		return s.access.Require(ctx, domain, access.PartnerTeam, access.Write)
	}
	audit.Annotate(ctx, domain, "")
	return s.access.Require(ctx, domain, access.Team, access.Write)
}

// Invitations lists an account's pending invitations, oldest first.
func (s *Service) Invitations(ctx context.Context, accountID string) ([]Invitation, error) {
	if err := s.access.Require(ctx, accountID, access.Team, access.Read); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	cur, err := s.invitations.Find(ctx, bson.M{"domain": accountID, "status": string(InvitationPending), "expiresAt": bson.M{"$gt": now}},
		options.Find().SetSort(bson.D{{Key: "createdAt", Value: 1}}).SetLimit(500))
	if err != nil {
		return nil, mongodb.MapError(err, "list invitations")
	}
	var docs []invitationDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mongodb.MapError(err, "list invitations")
	}
	out := make([]Invitation, 0, len(docs))
	for _, d := range docs {
		out = append(out, d.toInvitation(now))
	}
	return out, nil
}

// AcceptInvitation accepts with the token from the link: a new user is created with name and
// password, or an existing user (same email) proves it with its current password (the name is
// then ignored); the role is
// granted and a session starts (its token is returned for the cookie). The invitation is claimed
// with a guarded update, so it is accepted once however many times it is submitted, and the
// unique email index makes two invitations accepted at once for one email create one user.
// Returns INVITATION_USED, INVITATION_EXPIRED, NOT_FOUND (unknown token), WEAK_PASSWORD,
// INVALID_CREDENTIALS (an existing user's wrong password).
func (s *Service) AcceptInvitation(ctx context.Context, token, name, password string) (User, string, error) {
	now := s.clock.Now()
	var inv invitationDoc
	if err := s.invitations.FindOne(ctx, bson.M{"tokenHash": hashSecret(token)}).Decode(&inv); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return User{}, "", ErrNotFound.With("input.token", nil).WithMessage("this invitation link is not valid")
		}
		return User{}, "", mongodb.MapError(err, "find invitation")
	}
	audit.Annotate(ctx, accountOf(inv.Domain), inv.ID)
	switch {
	case inv.Status != string(InvitationPending):
		return User{}, "", ErrInvitationUsed.With("input.token", nil)
	case !now.Before(inv.ExpiresAt):
		return User{}, "", ErrInvitationExpired.With("input.token", nil)
	}
	user, err := s.userByEmail(ctx, inv.Email)
	existing := err == nil
	if err != nil && errs.CodeOf(err) != errs.NotFound {
		return User{}, "", err
	}
	if existing {
		if !s.checkPassword(ctx, user.ID, password) {
			return User{}, "", ErrInvalidCredentials.With("input.password", nil).WithMessage("this email already has an account: enter its current password")
		}
	} else {
		// Only a new user needs a name; an existing one keeps theirs.
		name = strings.TrimSpace(name)
		if err := checkName("input.name", name, 100); err != nil {
			return User{}, "", err
		}
		if err := CheckPassword("input.password", password, inv.Email); err != nil {
			return User{}, "", err
		}
	}

	// Claim the invitation: only one acceptance can move it out of PENDING.
	res, err := s.invitations.UpdateOne(ctx, bson.M{"_id": inv.ID, "status": string(InvitationPending), "expiresAt": bson.M{"$gt": now}},
		bson.M{"$set": bson.M{"status": string(InvitationAccepted), "acceptedAt": now}})
	if err != nil {
		return User{}, "", mongodb.MapError(err, "claim invitation")
	}
	if res.ModifiedCount == 0 {
		return User{}, "", ErrInvitationUsed.With("input.token", nil)
	}
	release := func() {
		_, _ = s.invitations.UpdateOne(context.WithoutCancel(ctx), bson.M{"_id": inv.ID},
			bson.M{"$set": bson.M{"status": string(InvitationPending)}, "$unset": bson.M{"acceptedAt": ""}})
	}
	if !existing {
		user, err = s.createUser(ctx, inv.Email, name, password)
		if errs.CodeOf(err) == errs.Conflict {
			// Another invitation for this email created the user a moment ago: it is the
			// same person only if the password matches.
			user, err = s.userByEmail(ctx, inv.Email)
			if err == nil && !s.checkPassword(ctx, user.ID, password) {
				err = ErrInvalidCredentials.With("input.password", nil).WithMessage("this email already has an account: enter its current password")
			}
		}
		if err != nil {
			release()
			return User{}, "", err
		}
	}
	if err := s.access.Replace(ctx, user.ID, inv.Domain, access.Role(inv.Role)); err != nil {
		release()
		return User{}, "", errs.Internalf("grant invited role: %w", err)
	}
	_, _ = s.invitations.UpdateOne(ctx, bson.M{"_id": inv.ID}, bson.M{"$set": bson.M{"acceptedBy": user.ID}})
	sessionToken, err := s.startSession(ctx, user.ID)
	if err != nil {
		return User{}, "", err
	}
	return user, sessionToken, nil
}

func accountOf(domain string) string {
	if ids.HasPrefix(domain, ids.Account) {
		return domain
	}
	return ""
}

// InvitationPreview is what the holder of an invitation link may learn before accepting: whom
// it invites, to what, as what, and whether that email already has a user (who then signs in
// with the current password instead of choosing one).
type InvitationPreview struct {
	Email            string
	OrganisationName string
	Role             access.Role
	Status           InvitationStatus
	ExpiresAt        time.Time
	ExistingUser     bool
}

// PreviewInvitation describes an invitation by its token, for the accept page. The token is the
// credential, so no sign-in is needed; an unknown token is NOT_FOUND.
func (s *Service) PreviewInvitation(ctx context.Context, token string) (InvitationPreview, error) {
	var inv invitationDoc
	if err := s.invitations.FindOne(ctx, bson.M{"tokenHash": hashSecret(token)}).Decode(&inv); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return InvitationPreview{}, ErrNotFound.With("token", nil).WithMessage("this invitation link is not valid")
		}
		return InvitationPreview{}, mongodb.MapError(err, "find invitation")
	}
	name := ""
	if ids.HasPrefix(inv.Domain, ids.Partner) {
		if p, err := s.findPartner(ctx, inv.Domain); err == nil {
			name = p.Name
		}
	} else if a, err := s.findAccount(ctx, inv.Domain); err == nil {
		name = a.LegalName
	}
	_, err := s.userByEmail(ctx, inv.Email)
	if err != nil && errs.CodeOf(err) != errs.NotFound {
		return InvitationPreview{}, err
	}
	i := inv.toInvitation(s.clock.Now())
	return InvitationPreview{Email: inv.Email, OrganisationName: name, Role: i.Role, Status: i.Status,
		ExpiresAt: inv.ExpiresAt, ExistingUser: err == nil}, nil
}

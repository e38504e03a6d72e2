package graph

import (
	"context"

	"github.com/tradehub/tradehub/graph/model"
	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/services/accounts"
)

// nullIfNotFound turns NOT_FOUND into a null field: a query for a missing or foreign object
// answers null, as node(id:) does, so the two cannot be told apart.
func nullIfNotFound(err error) error {
	if errs.CodeOf(err) == errs.NotFound {
		return nil
	}
	return err
}

// userByID and accountByID load related objects of something the caller was already allowed to
// see (a membership, a consent, a key).
func (r *Resolver) userByID(ctx context.Context, id string) (*model.User, error) {
	m, err := r.AccountsService.UsersByID(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	u, ok := m[id]
	if !ok {
		return nil, errs.Internalf("user %s of a visible object is missing", id)
	}
	return toGQLUser(u), nil
}

func (r *Resolver) accountByID(ctx context.Context, id string) (*model.Account, error) {
	m, err := r.AccountsService.AccountsByID(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	a, ok := m[id]
	if !ok {
		return nil, errs.Internalf("account %s of a visible object is missing", id)
	}
	return toGQLAccount(a), nil
}

func (r *mutationResolver) setAccountManager(ctx context.Context, in model.AssignAccountManagerInput, assign bool) (*model.AssignAccountManagerPayload, error) {
	acct, err := r.AccountsService.AssignAccountManager(ctx, in.AccountID, in.UserID, assign)
	ue, err := userErrorsOf(err)
	if err != nil || ue != nil {
		return &model.AssignAccountManagerPayload{UserErrors: ue}, err
	}
	return &model.AssignAccountManagerPayload{Account: toGQLAccount(acct), UserErrors: noUserErrors()}, nil
}

func (r *mutationResolver) setPartnerConsent(ctx context.Context, in model.PartnerConsentInput, grant bool) (*model.PartnerConsentPayload, error) {
	ue, err := userErrorsOf(r.AccountsService.SetPartnerConsent(ctx, in.AccountID, in.PartnerID, grant))
	if err != nil || ue != nil {
		return &model.PartnerConsentPayload{UserErrors: ue}, err
	}
	acct, err := r.accountByID(ctx, in.AccountID)
	if err != nil {
		return nil, err
	}
	return &model.PartnerConsentPayload{Account: acct, UserErrors: noUserErrors()}, nil
}

func toInvitePayload(inv accounts.Invitation, err error) (*model.InvitePayload, error) {
	ue, err := userErrorsOf(err)
	if err != nil || ue != nil {
		return &model.InvitePayload{UserErrors: ue}, err
	}
	return &model.InvitePayload{Invitation: toGQLInvitation(inv), UserErrors: noUserErrors()}, nil
}

// signedInViewer is the viewer of a payload that just signed a user in.
func signedInViewer(userID string) *model.Viewer {
	return &model.Viewer{Authenticated: true, SignedIn: &auth.Principal{Kind: auth.KindUser, UserID: userID}}
}

// viewerContext makes the viewer's fields describe the user a mutation just signed in.
func viewerContext(ctx context.Context, v *model.Viewer) context.Context {
	if v.SignedIn != nil {
		return auth.WithPrincipal(ctx, v.SignedIn)
	}
	return ctx
}

package graph

import (
	"github.com/tradehub/tradehub/graph/model"
	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/accounts"
	"github.com/tradehub/tradehub/services/audit"
)

func pageArgs(first *int, after *string, last *int, before *string) cursor.Page {
	return cursor.Page{First: first, After: after, Last: last, Before: before}
}

func toGQLPageInfo[T any](r cursor.Result[T]) *model.PageInfo {
	pi := &model.PageInfo{HasNextPage: r.HasNextPage, HasPreviousPage: r.HasPreviousPage}
	if n := len(r.Cursors); n > 0 {
		pi.StartCursor, pi.EndCursor = &r.Cursors[0], &r.Cursors[n-1]
	}
	return pi
}

func toGQLAccount(a accounts.Account) *model.Account {
	return &model.Account{ID: a.ID, LegalName: a.LegalName, Country: a.Country, DefaultCurrency: a.DefaultCurrency,
		BillingEmail: a.BillingEmail, Status: model.AccountStatus(a.Status), CreatedAt: a.CreatedAt, TimeZone: a.TimeZone}
}

func toGQLAccountConnection(r cursor.Result[accounts.Account]) *model.AccountConnection {
	c := &model.AccountConnection{Edges: []model.AccountEdge{}, Nodes: []model.Account{}, PageInfo: toGQLPageInfo(r)}
	for i, a := range r.Items {
		n := toGQLAccount(a)
		c.Edges = append(c.Edges, model.AccountEdge{Cursor: r.Cursors[i], Node: n})
		c.Nodes = append(c.Nodes, *n)
	}
	return c
}

func toGQLUser(u accounts.User) *model.User {
	return &model.User{ID: u.ID, Email: u.Email, Name: u.Name, Status: model.UserStatus(u.Status), CreatedAt: u.CreatedAt}
}

func toGQLUsers(list []accounts.User) []model.User {
	out := make([]model.User, 0, len(list))
	for _, u := range list {
		out = append(out, *toGQLUser(u))
	}
	return out
}

func toGQLMembership(m accounts.Membership) *model.Membership {
	return &model.Membership{UserID: m.UserID, AccountID: m.AccountID, Role: model.AccountRole(m.Role)}
}

func toGQLMembershipConnection(r cursor.Result[accounts.Membership]) *model.MembershipConnection {
	c := &model.MembershipConnection{Edges: []model.MembershipEdge{}, Nodes: []model.Membership{}, PageInfo: toGQLPageInfo(r)}
	for i, m := range r.Items {
		n := toGQLMembership(m)
		c.Edges = append(c.Edges, model.MembershipEdge{Cursor: r.Cursors[i], Node: n})
		c.Nodes = append(c.Nodes, *n)
	}
	return c
}

func toGQLPartner(p accounts.Partner) *model.Partner {
	return &model.Partner{ID: p.ID, Name: p.Name, Country: p.Country}
}

func toGQLInvitation(inv accounts.Invitation) *model.Invitation {
	out := &model.Invitation{ID: inv.ID, Email: inv.Email, Status: model.InvitationStatus(inv.Status),
		ExpiresAt: inv.ExpiresAt, CreatedAt: inv.CreatedAt}
	if ids.HasPrefix(inv.Domain, ids.Partner) {
		r := model.PartnerRole(inv.Role)
		out.PartnerRole = &r
	} else {
		r := model.AccountRole(inv.Role)
		out.AccountRole = &r
	}
	return out
}

func toGQLInvitationPreview(p accounts.InvitationPreview) *model.InvitationPreview {
	out := &model.InvitationPreview{Email: p.Email, OrganisationName: p.OrganisationName,
		Status: model.InvitationStatus(p.Status), ExpiresAt: p.ExpiresAt, ExistingUser: p.ExistingUser}
	switch p.Role {
	case access.PartnerAdmin, access.PartnerAnalyst:
		r := model.PartnerRole(p.Role)
		out.PartnerRole = &r
	default:
		r := model.AccountRole(p.Role)
		out.AccountRole = &r
	}
	return out
}

func toGQLAPIKey(k accounts.APIKey) *model.APIKey {
	return &model.APIKey{ID: k.ID, Name: k.Name, AccountID: k.AccountID, Role: model.AccountRole(k.Role),
		SecretPrefix: k.SecretPrefix, CreatedByID: k.CreatedBy, CreatedAt: k.CreatedAt,
		LastUsedAt: k.LastUsedAt, ExpiresAt: k.ExpiresAt, RevokedAt: k.RevokedAt}
}

func toGQLAPIKeyConnection(r cursor.Result[accounts.APIKey]) *model.APIKeyConnection {
	c := &model.APIKeyConnection{Edges: []model.APIKeyEdge{}, Nodes: []model.APIKey{}, PageInfo: toGQLPageInfo(r)}
	for i, k := range r.Items {
		n := toGQLAPIKey(k)
		c.Edges = append(c.Edges, model.APIKeyEdge{Cursor: r.Cursors[i], Node: n})
		c.Nodes = append(c.Nodes, *n)
	}
	return c
}

func toGQLAuditEntry(e audit.Entry) *model.AuditEntry {
	out := &model.AuditEntry{ID: e.ID, Action: e.Action, Outcome: model.AuditOutcome(e.Outcome),
		RequestID: e.RequestID, ClientAddress: e.ClientAddress, OccurredAt: e.OccurredAt,
		Actor:     &model.AuditActor{Kind: e.Actor.Kind, UserID: optional(e.Actor.UserID), APIKeyID: optional(e.Actor.APIKeyID)},
		AccountID: optional(e.AccountID), ObjectID: optional(e.ObjectID), ErrorCode: optional(e.ErrorCode)}
	if e.Actor.StaffRole != "" {
		r := model.StaffRole(e.Actor.StaffRole)
		out.Actor.StaffRole = &r
	}
	return out
}

func toGQLAuditConnection(r cursor.Result[audit.Entry]) *model.AuditEntryConnection {
	c := &model.AuditEntryConnection{Edges: []model.AuditEntryEdge{}, Nodes: []model.AuditEntry{}, PageInfo: toGQLPageInfo(r)}
	for i, e := range r.Items {
		n := toGQLAuditEntry(e)
		c.Edges = append(c.Edges, model.AuditEntryEdge{Cursor: r.Cursors[i], Node: n})
		c.Nodes = append(c.Nodes, *n)
	}
	return c
}

func fromAuditFilter(f *model.AuditLogFilter) audit.Filter {
	if f == nil {
		return audit.Filter{}
	}
	out := audit.Filter{From: f.From, To: f.To}
	if f.Action != nil {
		out.Action = *f.Action
	}
	if f.Outcome != nil {
		out.Outcome = audit.Outcome(*f.Outcome)
	}
	return out
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toStaffRole(r access.Role) *model.StaffRole {
	if r == "" {
		return nil
	}
	s := model.StaffRole(r)
	return &s
}

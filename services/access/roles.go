package access

import (
	"context"
	"fmt"
	"sort"
)

// Assignment is one role held by a subject in a domain.
type Assignment struct {
	Subject string
	Role    Role
	Domain  string
}

// Assign gives subject the role in domain. Assigning a role already held is a no-op. A subject
// holds at most one account role per account: callers change roles with Replace.
func (s *Service) Assign(ctx context.Context, a Assignment) error {
	if _, err := s.enforcer.AddGroupingPolicy(a.Subject, string(a.Role), a.Domain); err != nil {
		return fmt.Errorf("access: assign %s %s in %s: %w", a.Subject, a.Role, a.Domain, err)
	}
	return s.bumpVersion(ctx)
}

// Unassign removes the role; removing one not held is a no-op.
func (s *Service) Unassign(ctx context.Context, a Assignment) error {
	if _, err := s.enforcer.RemoveGroupingPolicy(a.Subject, string(a.Role), a.Domain); err != nil {
		return fmt.Errorf("access: unassign %s %s in %s: %w", a.Subject, a.Role, a.Domain, err)
	}
	return s.bumpVersion(ctx)
}

// Replace sets subject's roles in domain to exactly role (removing any other role it held
// there); an empty role removes them all.
func (s *Service) Replace(ctx context.Context, subject, domain string, role Role) error {
	for _, r := range s.RolesIn(subject, domain) {
		if r != role {
			if _, err := s.enforcer.RemoveGroupingPolicy(subject, string(r), domain); err != nil {
				return fmt.Errorf("access: replace role of %s in %s: %w", subject, domain, err)
			}
		}
	}
	if role != "" {
		if _, err := s.enforcer.AddGroupingPolicy(subject, string(role), domain); err != nil {
			return fmt.Errorf("access: replace role of %s in %s: %w", subject, domain, err)
		}
	}
	return s.bumpVersion(ctx)
}

// RolesIn lists the roles subject holds in domain.
func (s *Service) RolesIn(subject, domain string) []Role {
	var out []Role
	for _, r := range s.rulesOf(subject) {
		if r.Domain == domain {
			out = append(out, r.Role)
		}
	}
	return out
}

// AssignmentsOf lists every role the subject holds, ordered by domain.
func (s *Service) AssignmentsOf(subject string) []Assignment { return s.rulesOf(subject) }

// AssignmentsIn lists every role held in domain, ordered by subject.
func (s *Service) AssignmentsIn(domain string) []Assignment {
	rules, _ := s.enforcer.GetFilteredGroupingPolicy(2, domain)
	return toAssignments(rules)
}

// Holders lists the subjects holding role in domain, ordered.
func (s *Service) Holders(role Role, domain string) []string {
	rules, _ := s.enforcer.GetFilteredGroupingPolicy(1, string(role), domain)
	var out []string
	for _, r := range toAssignments(rules) {
		out = append(out, r.Subject)
	}
	return out
}

func (s *Service) rulesOf(subject string) []Assignment {
	rules, _ := s.enforcer.GetFilteredGroupingPolicy(0, subject)
	return toAssignments(rules)
}

func toAssignments(rules [][]string) []Assignment {
	out := make([]Assignment, 0, len(rules))
	for _, r := range rules {
		if len(r) == 3 {
			out = append(out, Assignment{Subject: r[0], Role: Role(r[1]), Domain: r[2]})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Domain != out[j].Domain {
			return out[i].Domain < out[j].Domain
		}
		return out[i].Subject < out[j].Subject
	})
	return out
}

// GrantConsent records that account lets partner see its financing data.
func (s *Service) GrantConsent(ctx context.Context, accountID, partnerID string) error {
	if _, err := s.enforcer.AddNamedGroupingPolicy("g2", accountID, partnerID); err != nil {
		return fmt.Errorf("access: grant consent %s -> %s: %w", accountID, partnerID, err)
	}
	return s.bumpVersion(ctx)
}

// RevokeConsent withdraws it; the partner sees nothing of the account from the next request.
func (s *Service) RevokeConsent(ctx context.Context, accountID, partnerID string) error {
	if _, err := s.enforcer.RemoveNamedGroupingPolicy("g2", accountID, partnerID); err != nil {
		return fmt.Errorf("access: revoke consent %s -> %s: %w", accountID, partnerID, err)
	}
	return s.bumpVersion(ctx)
}

// ConsentedPartners lists the partners account has granted consent to.
func (s *Service) ConsentedPartners(accountID string) []string {
	rules, _ := s.enforcer.GetFilteredNamedGroupingPolicy("g2", 0, accountID)
	return column(rules, 1)
}

// ConsentingAccounts lists the accounts that granted consent to partner.
func (s *Service) ConsentingAccounts(partnerID string) []string {
	rules, _ := s.enforcer.GetFilteredNamedGroupingPolicy("g2", 1, partnerID)
	return column(rules, 0)
}

// SetFlag sets or clears a flag of a domain (FlagSuspended).
func (s *Service) SetFlag(ctx context.Context, domain, flag string, on bool) error {
	var err error
	if on {
		_, err = s.enforcer.AddNamedGroupingPolicy("g3", domain, flag)
	} else {
		_, err = s.enforcer.RemoveNamedGroupingPolicy("g3", domain, flag)
	}
	if err != nil {
		return fmt.Errorf("access: set %s on %s: %w", flag, domain, err)
	}
	return s.bumpVersion(ctx)
}

// HasFlag reports whether domain carries flag.
func (s *Service) HasFlag(domain, flag string) bool {
	ok, _ := s.enforcer.HasNamedGroupingPolicy("g3", domain, flag)
	return ok
}

func column(rules [][]string, i int) []string {
	out := make([]string, 0, len(rules))
	for _, r := range rules {
		if len(r) > i {
			out = append(out, r[i])
		}
	}
	sort.Strings(out)
	return out
}

package access

import (
	"context"

	"github.com/tradehub/tradehub/internal/auth"
)

// PartnerOf returns the finance partner the caller of ctx belongs to, or "" for sellers, staff
// and anonymous callers. Financing uses it to show a partner only its own business with an
// account that consented (the matcher decides whether it sees the account at all).
func (s *Service) PartnerOf(ctx context.Context) string {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return ""
	}
	return s.partnerOf(Subject(p))
}

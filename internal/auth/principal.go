// Package auth carries the authenticated caller of a request (the Principal) through the
// context. Who the caller is gets decided once, by the HTTP middleware; what it may do is decided
// by the access service, never here.
package auth

import "context"

// Kind tells how the caller authenticated.
type Kind string

const (
	KindUser   Kind = "USER"    // a person, signed in with a session cookie
	KindAPIKey Kind = "API_KEY" // a seller platform, with an API key
)

// Principal is the authenticated caller.
type Principal struct {
	Kind Kind
	// UserID is the signed-in user (KindUser), or the user who created the key (KindAPIKey).
	UserID string
	// APIKeyID is set for KindAPIKey.
	APIKeyID string
	// SessionID is set for KindUser.
	SessionID string
}

type ctxKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// PrincipalFrom returns the caller of ctx; ok is false for anonymous requests.
func PrincipalFrom(ctx context.Context) (p *Principal, ok bool) {
	p, ok = ctx.Value(ctxKey{}).(*Principal)
	return p, ok && p != nil
}

type clientKey struct{}

// WithClientAddress records the caller's network address (for throttling and the audit log).
func WithClientAddress(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientKey{}, addr)
}

// ClientAddressFrom returns the caller's address, or "" outside a request.
func ClientAddressFrom(ctx context.Context) string {
	a, _ := ctx.Value(clientKey{}).(string)
	return a
}

package accounts

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/tradehub/tradehub/internal/auth"
)

// SessionCookie is the portal's session cookie.
const SessionCookie = "tradehub_session"

type writerKey struct{}

// Authenticate is the HTTP middleware that resolves the caller once per request:
//   - `Authorization: Bearer th_live_…` (or th_test_…): an API key. A bad key is refused with
//     401 UNAUTHENTICATED rather than served anonymously.
//   - the session cookie: a portal session. CSRF: the cookie is ignored on requests the browser
//     marks as cross-site (Sec-Fetch-Site: cross-site), and the GraphQL endpoint accepts POST
//     only as application/json (which a cross-site form cannot send without a CORS preflight
//     that we never answer) and GET only for queries, which change nothing.
//
// It also records the client address and refreshes the access policy if another instance
// changed it.
func (s *Service) Authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := auth.WithClientAddress(r.Context(), clientAddress(r))
		ctx = context.WithValue(ctx, writerKey{}, w)
		if err := s.access.Refresh(ctx); err != nil {
			s.logger.ErrorContext(ctx, "refresh access policy", "error", err)
			writeAuthError(w, http.StatusServiceUnavailable, "INTERNAL", "internal error")
			return
		}
		if h := r.Header.Get("Authorization"); h != "" {
			secret, ok := strings.CutPrefix(h, "Bearer ")
			if !ok || secret == "" {
				writeAuthError(w, http.StatusUnauthorized, "UNAUTHENTICATED", "use Authorization: Bearer <API key>")
				return
			}
			p, err := s.authenticateKey(ctx, strings.TrimSpace(secret))
			if err != nil {
				writeAuthError(w, http.StatusUnauthorized, "UNAUTHENTICATED", "the API key is invalid, expired or revoked")
				return
			}
			next.ServeHTTP(w, r.WithContext(auth.WithPrincipal(ctx, p)))
			return
		}
		if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" && r.Header.Get("Sec-Fetch-Site") != "cross-site" {
			p, ok, err := s.authenticateSession(ctx, c.Value)
			if err != nil {
				s.logger.ErrorContext(ctx, "authenticate session", "error", err)
				writeAuthError(w, http.StatusServiceUnavailable, "INTERNAL", "internal error")
				return
			}
			if ok {
				ctx = auth.WithPrincipal(ctx, p)
			} else {
				s.clearCookie(w)
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// SetSessionCookie sets the cookie of a session started during this request (login, accepting
// an invitation). The token never appears anywhere else.
func (s *Service) SetSessionCookie(ctx context.Context, token string) {
	w, ok := ctx.Value(writerKey{}).(http.ResponseWriter)
	if !ok {
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: !s.cfg.Development, Expires: s.clock.Now().Add(SessionTTL), MaxAge: int(SessionTTL / time.Second),
	})
}

// ClearSessionCookie removes the cookie (logout).
func (s *Service) ClearSessionCookie(ctx context.Context) {
	if w, ok := ctx.Value(writerKey{}).(http.ResponseWriter); ok {
		s.clearCookie(w)
	}
}

func (s *Service) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: !s.cfg.Development, MaxAge: -1})
}

// clientAddress is the TCP peer. X-Forwarded-For is not trusted: behind a proxy, configure the
// proxy to pass the address through PROXY protocol or terminate with one that rewrites RemoteAddr.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func writeAuthError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/graphql-response+json")
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="tradehub"`)
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
		"message": message, "extensions": map[string]any{"code": code},
	}}})
}

// AuthenticateToken resolves an `Authorization` value sent outside an HTTP header, such as the
// connection_init payload of a GraphQL WebSocket: "Bearer <API key>", checked exactly as the
// header is by Authenticate. It returns ErrBadAPIKey for a malformed value or an unknown,
// revoked or expired key.
func (s *Service) AuthenticateToken(ctx context.Context, authorization string) (*auth.Principal, error) {
	secret, ok := strings.CutPrefix(authorization, "Bearer ")
	if !ok || strings.TrimSpace(secret) == "" {
		return nil, ErrBadAPIKey
	}
	return s.authenticateKey(ctx, strings.TrimSpace(secret))
}

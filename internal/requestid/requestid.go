// Package requestid gives every HTTP request an id that is returned in the X-Request-Id header,
// attached to every log line of the request and to masked errors, so a user's report can be
// matched to the server's logs.
package requestid

import (
	"context"
	"net/http"
	"regexp"

	"github.com/oklog/ulid/v2"
)

// Header is the response (and optional request) header carrying the id.
const Header = "X-Request-Id"

type ctxKey struct{}

// incoming accepts a caller's id (from a proxy or the client) only if it is short and plain, so
// nothing odd reaches our logs; otherwise a new one is made.
var incoming = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// Middleware assigns the id, stores it in the request context and sets the response header.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(Header)
		if !incoming.MatchString(id) {
			id = "req_" + ulid.Make().String()
		}
		w.Header().Set(Header, id)
		next.ServeHTTP(w, r.WithContext(With(r.Context(), id)))
	})
}

// With returns a context carrying id.
func With(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// From returns the request id of ctx, or "" outside a request.
func From(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

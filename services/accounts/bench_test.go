package accounts_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/accounts"
)

// Authentication runs on every request: an API key (hashed lookup) or a session cookie, then the
// access policy's freshness check. The store round trips dominate; on the embedded store they are
// loopback wire-protocol calls.
func BenchmarkAuthenticate(b *testing.B) {
	f := newFixture(b)
	_, secret, err := f.svc.CreateAPIKey(f.owner, accounts.CreateAPIKeyInput{AccountID: f.account.ID, Name: "Bench", Role: access.Operator})
	if err != nil {
		b.Fatal(err)
	}
	_, token, err := f.svc.Login(context.Background(), "owner@acme.test", pw)
	if err != nil {
		b.Fatal(err)
	}
	h := f.svc.Authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := auth.PrincipalFrom(r.Context()); !ok {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	cases := map[string]func(*http.Request){
		"APIKey":  func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+secret) },
		"Session": func(r *http.Request) { r.AddCookie(&http.Cookie{Name: accounts.SessionCookie, Value: token}) },
	}
	for name, set := range cases {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
				set(r)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("%s: HTTP %d %s", name, w.Code, w.Body)
				}
			}
		})
	}
}

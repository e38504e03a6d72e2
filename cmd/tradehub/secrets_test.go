package main

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tradehub/tradehub/internal/demo"
)

// lockedBuffer collects the app's log from its goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Every kind of secret passes through the app — passwords (right and wrong), a session token, an
// API key (used, then used after revocation), webhook signing secrets (created and rotated) and a
// carrier's webhook secret (a badly signed call) — and none appears in anything it logged, in any
// audit entry, or in an error a client got.
func TestSecretsNeverLoggedOrAudited(t *testing.T) {
	var logs lockedBuffer
	a, base, stop := startApp(t, appOptions{logs: &logs})
	w := loadWorld(t, base)
	secrets := map[string]string{"demo password": demo.Password, "wrong password": "not-the-password-7781"}

	owner := signIn(t, base, "owner@brightlight.test")
	u, _ := url.Parse(base)
	for _, c := range owner.http.Jar.Cookies(u) {
		if c.Name == "tradehub_session" {
			secrets["session token"] = c.Value
		}
	}
	bad := anonymous(t, base).do(`mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { userErrors { code } } }`,
		map[string]any{"e": "owner@brightlight.test", "p": secrets["wrong password"]})
	var errorsSeen []string
	errorsSeen = append(errorsSeen, string(bad.Raw))

	r := owner.do(`mutation($id: ID!) { createApiKey(input: {accountId: $id, name: "Shop", role: OPERATOR}) { apiKey { id } secret userErrors { code } } }`,
		map[string]any{"id": w.brightlight})
	secrets["API key"] = r.str("createApiKey", "secret")
	keyID := r.str("createApiKey", "apiKey", "id")
	key := withKey(t, base, secrets["API key"])
	key.do(`{ viewer { authenticated } }`, nil)
	owner.do(`mutation($id: ID!) { revokeApiKey(input: {apiKeyId: $id}) { userErrors { code } } }`, map[string]any{"id": keyID})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(`{"query":"{ viewer { authenticated } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+secrets["API key"])
	if resp, err := http.DefaultClient.Do(req); err == nil {
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		resp.Body.Close()
		errorsSeen = append(errorsSeen, b.String())
	}

	r = owner.do(`mutation($id: ID!) { createWebhookSubscription(input: {accountId: $id, url: "http://127.0.0.1:9/hook", eventTypes: ["*"]}) {
		webhookSubscription { id } secret userErrors { code } } }`, map[string]any{"id": w.brightlight})
	secrets["webhook secret"] = r.str("createWebhookSubscription", "secret")
	sub := r.str("createWebhookSubscription", "webhookSubscription", "id")
	r = owner.do(`mutation($id: ID!) { rotateWebhookSecret(input: {subscriptionId: $id}) { secret userErrors { code } } }`, map[string]any{"id": sub})
	secrets["rotated webhook secret"] = r.str("rotateWebhookSecret", "secret")
	secrets["carrier webhook secret"] = "demo-pandapost-webhook-secret"
	req, _ = http.NewRequest(http.MethodPost, base+"/webhooks/carriers/PANDAPOST", strings.NewReader(`{"events":[]}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Signature", "sha256=00")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		resp.Body.Close()
		errorsSeen = append(errorsSeen, b.String())
	}
	for name, s := range secrets {
		if len(s) < 8 {
			t.Fatalf("fixture: no %s (%q)", name, s)
		}
	}

	cur, err := a.store.DB.Collection("audit_entries").Find(context.Background(), bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	var entries []bson.M
	if err := cur.All(context.Background(), &entries); err != nil {
		t.Fatal(err)
	}
	var audit strings.Builder
	for _, e := range entries {
		raw, _ := bson.MarshalExtJSON(e, false, false)
		audit.Write(raw)
	}
	stop() // the shutdown's log lines are scanned too
	places := map[string]string{"log": logs.String(), "audit entries": audit.String(), "error responses": strings.Join(errorsSeen, "\n")}
	if len(entries) == 0 || len(places["log"]) == 0 {
		t.Fatalf("nothing to scan: %d audit entries, %d bytes of log", len(entries), len(places["log"]))
	}
	found := 0
	for where, text := range places {
		for name, s := range secrets {
			if strings.Contains(text, s) {
				found++
				t.Errorf("the %s appears in the %s", name, where)
			}
		}
	}
	t.Logf("FIGURE secrets: %d secrets × %d places (%d bytes of log, %d audit entries) checked, %d found", len(secrets), len(places), len(places["log"]), len(entries), found)
}

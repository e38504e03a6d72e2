package main

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradehub/tradehub/internal/demo"
)

// syncBuffer collects the app's log lines from its goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestAPIKeyLifecycleOverHTTP(t *testing.T) {
	logs := &syncBuffer{}
	_, base := demoAppLogging(t, logs)
	w := loadWorld(t, base)
	owner := signIn(t, base, "owner@brightlight.test")

	create := func(expires string) (string, string) {
		vars := map[string]any{"id": w.brightlight}
		q := `mutation($id: ID!) { createApiKey(input: {accountId: $id, name: "Shopify store", role: OPERATOR}) { apiKey { id secretPrefix } secret userErrors { code } } }`
		if expires != "" {
			vars["exp"] = expires
			q = `mutation($id: ID!, $exp: DateTime) { createApiKey(input: {accountId: $id, name: "Temp", role: VIEWER, expiresAt: $exp}) { apiKey { id secretPrefix } secret userErrors { code } } }`
		}
		r := owner.do(q, vars)
		if !r.ok("createApiKey") {
			t.Fatalf("create key: %s", r.Raw)
		}
		return r.str("createApiKey", "apiKey", "id"), r.str("createApiKey", "secret")
	}
	keyID, secret := create("")
	if !strings.HasPrefix(secret, "th_test_") {
		t.Fatalf("secret %q: want th_test_ in development", secret[:8])
	}

	k := withKey(t, base, secret)
	r := k.do(`{ viewer { authenticated apiKey { id role } memberships { role account { id } } } }`, nil)
	if r.str("viewer", "apiKey", "id") != keyID || r.str("viewer", "apiKey", "role") != "OPERATOR" {
		t.Fatalf("viewer with key: %s", r.Raw)
	}
	// The key has its own role, not its creator's: an OPERATOR key cannot manage the team.
	r = k.do(`mutation($id: ID!) { inviteAccountMember(input: {accountId: $id, email: "x@brightlight.test", role: VIEWER}) { userErrors { code } } }`, map[string]any{"id": w.brightlight})
	if codes := r.codes("inviteAccountMember"); len(codes) != 1 || codes[0] != "NOT_FOUND" {
		t.Errorf("operator key inviting: %v", codes)
	}
	// Keys never see other accounts.
	r = k.do(`query($id: ID!) { account(id: $id) { id } }`, map[string]any{"id": w.kessler})
	if r.path("account") != nil {
		t.Errorf("key sees another account: %s", r.Raw)
	}

	r = owner.do(`mutation($id: ID!) { revokeApiKey(input: {apiKeyId: $id}) { apiKey { revokedAt } userErrors { code } } }`, map[string]any{"id": keyID})
	if r.str("revokeApiKey", "apiKey", "revokedAt") == "" {
		t.Fatalf("revoke: %s", r.Raw)
	}
	r = k.do(`{ viewer { authenticated } }`, nil)
	if r.Status != http.StatusUnauthorized || len(r.codes("")) != 1 || r.codes("")[0] != "UNAUTHENTICATED" {
		t.Errorf("revoked key: %d %s, want 401 UNAUTHENTICATED", r.Status, r.Raw)
	}

	_, expSecret := create(time.Now().Add(1500 * time.Millisecond).UTC().Format(time.RFC3339Nano))
	if r := withKey(t, base, expSecret).do(`{ viewer { authenticated } }`, nil); r.Status != http.StatusOK {
		t.Fatalf("fresh expiring key: %d", r.Status)
	}
	time.Sleep(1600 * time.Millisecond)
	if r := withKey(t, base, expSecret).do(`{ viewer { authenticated } }`, nil); r.Status != http.StatusUnauthorized {
		t.Errorf("expired key: %d %s, want 401", r.Status, r.Raw)
	}
	if r := withKey(t, base, "th_live_forged").do(`{ viewer { authenticated } }`, nil); r.Status != http.StatusUnauthorized {
		t.Errorf("forged key: %d", r.Status)
	}

	// Secrets never reach the log.
	for _, s := range []string{secret, expSecret, demo.Password} {
		if strings.Contains(logs.String(), s) {
			t.Errorf("the log contains a secret (%.10s…)", s)
		}
	}
}

func TestSessionsLogoutAndCSRF(t *testing.T) {
	_, base := demoApp(t)
	c := signIn(t, base, "finance@brightlight.test")
	req, _ := http.NewRequest(http.MethodGet, base+"/graphql", nil)
	var cookie *http.Cookie
	for _, ck := range c.http.Jar.Cookies(req.URL) {
		if ck.Name == "tradehub_session" {
			cookie = ck
		}
	}
	if cookie == nil {
		t.Fatal("no session cookie after login")
	}

	send := func(extra func(*http.Request)) string {
		body := strings.NewReader(`{"query":"{ viewer { authenticated } }"}`)
		req, _ := http.NewRequest(http.MethodPost, base+"/graphql", body)
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(cookie)
		if extra != nil {
			extra(req)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return b.String()
	}
	if got := send(nil); !strings.Contains(got, `"authenticated":true`) {
		t.Fatalf("cookie session: %s", got)
	}
	// A request the browser marks as cross-site does not get the session.
	if got := send(func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") }); !strings.Contains(got, `"authenticated":false`) {
		t.Errorf("cross-site request used the session: %s", got)
	}

	r := c.do(`mutation { logout { sessionsEnded userErrors { code } } }`, nil)
	if n, _ := r.path("logout", "sessionsEnded").(float64); n != 1 {
		t.Fatalf("logout: %s", r.Raw)
	}
	if got := send(nil); !strings.Contains(got, `"authenticated":false`) {
		t.Errorf("the old cookie still works after logout: %s", got)
	}
}

func TestSuspendedAccountOverGraphQL(t *testing.T) {
	_, base := demoApp(t)
	w := loadWorld(t, base)
	r := w.admin.do(`mutation($id: ID!) { setAccountStatus(input: {accountId: $id, status: SUSPENDED, reason: "overdue invoices"}) { account { status } userErrors { code } } }`, map[string]any{"id": w.maple})
	if r.str("setAccountStatus", "account", "status") != "SUSPENDED" {
		t.Fatalf("suspend: %s", r.Raw)
	}
	owner := signIn(t, base, "owner@mapleandpine.test")
	r = owner.do(`mutation($id: ID!) { updateAccount(input: {accountId: $id, legalName: "Renamed"}) { account { id } userErrors { code } } }`, map[string]any{"id": w.maple})
	if codes := r.codes("updateAccount"); len(codes) != 1 || codes[0] != "ACCOUNT_SUSPENDED" {
		t.Errorf("write to a suspended account: %s", r.Raw)
	}
	r = owner.do(`query($id: ID!) { account(id: $id) { status } }`, map[string]any{"id": w.maple})
	if r.str("account", "status") != "SUSPENDED" {
		t.Errorf("read of a suspended account: %s", r.Raw)
	}
	am := signIn(t, base, "am.weber@tradehub.test")
	if r := am.do(`query($id: ID!) { account(id: $id) { status } }`, map[string]any{"id": w.maple}); r.str("account", "status") != "SUSPENDED" {
		t.Errorf("staff read of a suspended account: %s", r.Raw)
	}
}

func TestAuditLogRecordsEveryMutation(t *testing.T) {
	_, base := demoApp(t)
	w := loadWorld(t, base)
	owner := signIn(t, base, "owner@brightlight.test")
	viewer := signIn(t, base, "viewer@brightlight.test")
	owner.do(`mutation($id: ID!) { inviteAccountMember(input: {accountId: $id, email: "audited@brightlight.test", role: VIEWER}) { userErrors { code } } }`, map[string]any{"id": w.brightlight})
	owner.do(`mutation($id: ID!) { inviteAccountMember(input: {accountId: $id, email: "not an email", role: VIEWER}) { userErrors { code } } }`, map[string]any{"id": w.brightlight})
	viewer.do(`mutation($id: ID!) { updateAccount(input: {accountId: $id, legalName: "Hijack"}) { userErrors { code } } }`, map[string]any{"id": w.brightlight})

	r := owner.do(`query($id: ID!) { auditLog(accountId: $id, first: 10) { nodes { action outcome errorCode requestId clientAddress actor { kind userId } } } }`, map[string]any{"id": w.brightlight})
	nodes, _ := r.path("auditLog", "nodes").([]any)
	var got []string
	for _, n := range nodes {
		m := n.(map[string]any)
		ec, _ := m["errorCode"].(string)
		got = append(got, m["action"].(string)+":"+m["outcome"].(string)+":"+ec)
		if m["requestId"] == "" || m["clientAddress"] != "127.0.0.1" || m["actor"].(map[string]any)["kind"] != "USER" {
			t.Errorf("entry lacks who/where: %v", m)
		}
	}
	want := []string{"updateAccount:REFUSED:FORBIDDEN", "inviteAccountMember:REFUSED:INVALID", "inviteAccountMember:SUCCESS:"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("audit log = %v, want newest first %v", got, want)
	}
	if r := viewer.do(`query($id: ID!) { auditLog(accountId: $id) { nodes { action } } }`, map[string]any{"id": w.brightlight}); len(r.codes("")) == 0 {
		t.Errorf("a VIEWER read the audit log: %s", r.Raw)
	}
}

func TestPartnerSeesItsBorrowersAndInvitationsPreview(t *testing.T) {
	logs := &syncBuffer{}
	_, base := demoAppLogging(t, logs)
	w := loadWorld(t, base)

	partner := signIn(t, base, "partner.admin@harborfinance.test")
	r := partner.do(`query($id: ID!) { partner(id: $id) { borrowers { legalName country } } }`, map[string]any{"id": w.harbor})
	borrowers, _ := r.path("partner", "borrowers").([]any)
	if len(borrowers) != 2 {
		t.Fatalf("partner borrowers: %s", r.Raw)
	}
	// A seller sees the partner it consented to, but not the partner's other borrowers.
	owner := signIn(t, base, "owner@brightlight.test")
	if r := owner.do(`query($id: ID!) { partner(id: $id) { name borrowers { legalName } } }`, map[string]any{"id": w.harbor}); len(r.codes("")) == 0 {
		t.Errorf("a seller listed the partner's borrowers: %s", r.Raw)
	}

	owner.do(`mutation($id: ID!) { inviteAccountMember(input: {accountId: $id, email: "newbie@brightlight.test", role: FINANCE}) { userErrors { code } } }`, map[string]any{"id": w.brightlight})
	_, rest, ok := strings.Cut(logs.String(), "accept-invitation?token=")
	if !ok {
		t.Fatal("the development log has no invitation link")
	}
	token := strings.Fields(strings.NewReplacer(`\n`, " ", `"`, " ").Replace(rest))[0]
	r = anonymous(t, base).do(`query($t: String!) { invitationPreview(token: $t) { email organisationName accountRole existingUser status } }`, map[string]any{"t": token})
	if r.str("invitationPreview", "organisationName") != "Shenzhen Brightlight Electronics Co., Ltd." || r.str("invitationPreview", "accountRole") != "FINANCE" {
		t.Errorf("preview: %s", r.Raw)
	}
	if r := anonymous(t, base).do(`{ invitationPreview(token: "thi_forged") { email } }`, nil); r.path("invitationPreview") != nil || len(r.Errors) != 0 {
		t.Errorf("forged token: %s", r.Raw)
	}
}

package accounts_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/internal/mongodb/mongotest"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/accounts"
	"github.com/tradehub/tradehub/services/audit"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Run(m)) }

const pw = "correct-horse-battery"

type fixture struct {
	svc     *accounts.Service
	access  *access.Service
	clock   *clock.Fake
	mails   *mailbox
	store   *mongodb.Store
	admin   context.Context
	account accounts.Account
	owner   context.Context
}

// mailbox keeps the invitation links that would have been emailed.
type mailbox struct {
	mu   sync.Mutex
	sent []string
}

func (m *mailbox) Send(_ context.Context, to, _, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, to+" "+body)
	return nil
}

func (m *mailbox) tokenFor(t testing.TB, email string) string {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.sent) - 1; i >= 0; i-- {
		if strings.HasPrefix(m.sent[i], email+" ") {
			_, tok, _ := strings.Cut(m.sent[i], "token=")
			return strings.TrimSpace(tok)
		}
	}
	t.Fatalf("no invitation mailed to %s", email)
	return ""
}

func userCtx(id string) context.Context {
	return auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.KindUser, UserID: id})
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	store := mongotest.Store(t, nil)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := mongodb.EnsureIndexes(ctx, store.DB, accounts.Indexes()...); err != nil {
		t.Fatal(err)
	}
	acc, err := access.New(ctx, store.Client, store.DB, logger)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{access: acc, clock: clock.NewFake(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)), mails: &mailbox{}, store: store}
	f.svc, err = accounts.New(ctx, accounts.Config{DB: store.DB, Access: acc, Audit: audit.New(store.DB, f.clock, nil),
		Clock: f.clock, Mailer: f.mails, Logger: logger, Development: true, PublicURL: "http://portal.test"})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := f.svc.BootstrapPlatformAdmin(ctx, "root@tradehub.test", "Root", pw)
	if err != nil {
		t.Fatal(err)
	}
	f.admin = userCtx(admin.ID)
	f.account, _, err = f.svc.CreateAccount(f.admin, accounts.CreateAccountInput{LegalName: "Acme Trading Ltd", Country: "GB",
		DefaultCurrency: money.MustCurrency("GBP"), BillingEmail: "billing@acme.test", OwnerEmail: "owner@acme.test"})
	if err != nil {
		t.Fatal(err)
	}
	owner, _, err := f.svc.AcceptInvitation(context.Background(), f.mails.tokenFor(t, "owner@acme.test"), "Olivia Owner", pw)
	if err != nil {
		t.Fatal(err)
	}
	f.owner = userCtx(owner.ID)
	return f
}

func (f *fixture) count(t *testing.T, coll string) int64 {
	t.Helper()
	n, err := f.store.DB.Collection(coll).CountDocuments(context.Background(), bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func reason(err error) string {
	if e, ok := errs.As(err); ok {
		return e.UserCode()
	}
	if err != nil {
		return "UNCLASSIFIED"
	}
	return ""
}

func TestCheckPassword(t *testing.T) {
	cases := []struct {
		name, pw string
		ok       bool
	}{
		{"OK", "violet-harbor-lantern", true},
		{"TooShort", "short-pw", false},
		{"TooLong", strings.Repeat("ab1-", 40), false},
		{"FewDistinct", "aaaaabbbbbbbcccc", false},
		{"Breached", "MyPassword2026!!", false},
		{"Sequence", "xx123456yyzz-qq", false},
		{"ContainsEmail", "olivia.owner-2026", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := accounts.CheckPassword("input.password", c.pw, "olivia.owner@acme.test")
			if (err == nil) != c.ok {
				t.Fatalf("CheckPassword(%q) = %v, want ok=%v", c.pw, err, c.ok)
			}
			if err != nil && reason(err) != "WEAK_PASSWORD" {
				t.Errorf("code = %s, want WEAK_PASSWORD", reason(err))
			}
		})
	}
}

func TestLoginAnswersTheSameForUnknownEmailAndWrongPassword(t *testing.T) {
	f := newFixture(t)
	_, _, errUnknown := f.svc.Login(context.Background(), "nobody@acme.test", pw)
	_, _, errWrong := f.svc.Login(context.Background(), "owner@acme.test", "wrong-password-here")
	if reason(errUnknown) != "INVALID_CREDENTIALS" || reason(errWrong) != "INVALID_CREDENTIALS" {
		t.Fatalf("unknown: %v, wrong: %v", errUnknown, errWrong)
	}
	if errUnknown.Error() != errWrong.Error() {
		t.Errorf("answers differ: %q vs %q", errUnknown, errWrong)
	}
	if _, token, err := f.svc.Login(context.Background(), "OWNER@acme.test", pw); err != nil || !strings.HasPrefix(token, "ths_") {
		t.Errorf("login with other case: token %q err %v", token, err)
	}
}

func TestLoginIsThrottledPerEmail(t *testing.T) {
	f := newFixture(t)
	ctx := auth.WithClientAddress(context.Background(), "203.0.113.7")
	for i := range 5 {
		if _, _, err := f.svc.Login(ctx, "owner@acme.test", "wrong-password-here"); reason(err) != "INVALID_CREDENTIALS" {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	// Now even the right password is refused until the budget refills.
	if _, _, err := f.svc.Login(ctx, "owner@acme.test", pw); reason(err) != "THROTTLED" {
		t.Fatalf("6th attempt: %v, want THROTTLED", err)
	}
	f.clock.Advance(3 * time.Minute)
	if _, _, err := f.svc.Login(ctx, "owner@acme.test", pw); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
}

func TestInvitationBadInputs(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name  string
		ctx   context.Context
		email string
		role  access.Role
		want  string
	}{
		{"BadEmail", f.owner, "not-an-email", access.Admin, "INVALID"},
		{"UnknownRole", f.owner, "new@acme.test", access.Role("CEO"), "INVALID"},
		{"AlreadyMember", f.owner, "owner@acme.test", access.Admin, "ALREADY_EXISTS"},
		{"Anonymous", context.Background(), "new@acme.test", access.Admin, "UNAUTHENTICATED"},
		{"Stranger", userCtx("usr_stranger"), "new@acme.test", access.Admin, "NOT_FOUND"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.count(t, "invitations")
			_, err := f.svc.InviteAccountMember(c.ctx, f.account.ID, c.email, c.role)
			if reason(err) != c.want {
				t.Errorf("got %v, want %s", err, c.want)
			}
			if after := f.count(t, "invitations"); after != before {
				t.Errorf("invitations %d -> %d: a refusal wrote something", before, after)
			}
		})
	}
}

func TestAcceptInvitationExpiredReusedAndWeak(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.InviteAccountMember(f.owner, f.account.ID, "ops@acme.test", access.Operator); err != nil {
		t.Fatal(err)
	}
	token := f.mails.tokenFor(t, "ops@acme.test")
	if _, _, err := f.svc.AcceptInvitation(context.Background(), token, "Otto", "password123456"); reason(err) != "WEAK_PASSWORD" {
		t.Fatalf("weak: %v", err)
	}
	if _, _, err := f.svc.AcceptInvitation(context.Background(), "thi_forged", "Otto", pw); reason(err) != "NOT_FOUND" {
		t.Fatalf("forged: %v", err)
	}
	if _, _, err := f.svc.AcceptInvitation(context.Background(), token, "Otto", pw); err != nil {
		t.Fatalf("accept: %v", err)
	}
	if _, _, err := f.svc.AcceptInvitation(context.Background(), token, "Otto", pw); reason(err) != "INVITATION_USED" {
		t.Fatalf("reuse: %v", err)
	}

	if _, err := f.svc.InviteAccountMember(f.owner, f.account.ID, "late@acme.test", access.Viewer); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(accounts.InvitationTTL + time.Second)
	if _, _, err := f.svc.AcceptInvitation(context.Background(), f.mails.tokenFor(t, "late@acme.test"), "Lee", pw); reason(err) != "INVITATION_EXPIRED" {
		t.Fatalf("expired: %v", err)
	}
}

// Two invitations (from two accounts) accepted at the same instant for one email make one user
// who holds both roles.
func TestConcurrentAcceptsForOneEmailCreateOneUser(t *testing.T) {
	f := newFixture(t)
	second, _, err := f.svc.CreateAccount(f.admin, accounts.CreateAccountInput{LegalName: "Beta GmbH", Country: "DE",
		DefaultCurrency: money.MustCurrency("EUR"), BillingEmail: "b@beta.test", OwnerEmail: "shared@people.test"})
	if err != nil {
		t.Fatal(err)
	}
	tokenB := f.mails.tokenFor(t, "shared@people.test")
	if _, err := f.svc.InviteAccountMember(f.owner, f.account.ID, "Shared@People.test", access.Finance); err != nil {
		t.Fatal(err)
	}
	tokenA := f.mails.tokenFor(t, "Shared@People.test")

	var wg sync.WaitGroup
	errsOut := make([]error, 2)
	for i, tok := range []string{tokenA, tokenB} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errsOut[i] = f.svc.AcceptInvitation(context.Background(), tok, "Sam Shared", pw)
		}()
	}
	wg.Wait()
	for i, err := range errsOut {
		if err != nil {
			t.Errorf("accept %d: %v", i, err)
		}
	}
	n, err := f.store.DB.Collection("users").CountDocuments(context.Background(), bson.M{"emailKey": "shared@people.test"})
	if err != nil || n != 1 {
		t.Fatalf("users with the email = %d (%v), want 1", n, err)
	}
	user, _, err := f.svc.Login(context.Background(), "shared@people.test", pw)
	if err != nil {
		t.Fatal(err)
	}
	ctx := userCtx(user.ID)
	if got := len(f.svc.ViewerMemberships(ctx)); got != 2 {
		t.Errorf("memberships = %d, want 2 (%s and %s)", got, f.account.ID, second.ID)
	}
}

func TestAPIKeys(t *testing.T) {
	f := newFixture(t)
	key, secret, err := f.svc.CreateAPIKey(f.owner, accounts.CreateAPIKeyInput{AccountID: f.account.ID, Name: "Shop", Role: access.Operator})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "th_test_") || !strings.HasPrefix(secret, key.SecretPrefix) {
		t.Errorf("secret %q prefix %q", secret[:12], key.SecretPrefix)
	}
	var stored bson.M
	_ = f.store.DB.Collection("api_keys").FindOne(context.Background(), bson.M{"_id": key.ID}).Decode(&stored)
	for k, v := range stored {
		if s, ok := v.(string); ok && s == secret {
			t.Errorf("the secret is stored in clear in %q", k)
		}
	}

	bad := []struct {
		name string
		in   accounts.CreateAPIKeyInput
		want string
	}{
		{"OwnerRole", accounts.CreateAPIKeyInput{AccountID: f.account.ID, Name: "x", Role: access.Owner}, "INVALID"},
		{"EmptyName", accounts.CreateAPIKeyInput{AccountID: f.account.ID, Name: " ", Role: access.Viewer}, "INVALID"},
		{"PastExpiry", accounts.CreateAPIKeyInput{AccountID: f.account.ID, Name: "x", Role: access.Viewer, ExpiresAt: ptr(f.clock.Now().Add(-time.Hour))}, "INVALID"},
		{"ForeignAccount", accounts.CreateAPIKeyInput{AccountID: "acct_01jd0000000000000000000000", Name: "x", Role: access.Viewer}, "NOT_FOUND"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			before := f.count(t, "api_keys")
			if _, _, err := f.svc.CreateAPIKey(f.owner, c.in); reason(err) != c.want {
				t.Errorf("got %v, want %s", err, c.want)
			}
			if f.count(t, "api_keys") != before {
				t.Error("a refusal wrote a key")
			}
		})
	}

	// A revoked key loses its role at once (the HTTP tests cover its secret being refused).
	if _, err := f.svc.RevokeAPIKey(f.owner, key.ID); err != nil {
		t.Fatal(err)
	}
	if f.access.Can(auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.KindAPIKey, APIKeyID: key.ID}), f.account.ID, access.AccountProfile, access.Read) {
		t.Error("a revoked key still has its role")
	}
}

func ptr[T any](v T) *T { return &v }

func TestSuspendedAccountRefusesChanges(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.SetAccountStatus(f.admin, f.account.ID, accounts.StatusSuspended, ""); reason(err) != "INVALID" {
		t.Fatalf("suspend without reason: %v", err)
	}
	if _, err := f.svc.SetAccountStatus(f.admin, f.account.ID, accounts.StatusSuspended, "unpaid invoices"); err != nil {
		t.Fatal(err)
	}
	name := "Renamed"
	if _, err := f.svc.UpdateAccount(f.owner, accounts.UpdateAccountInput{AccountID: f.account.ID, LegalName: &name}); reason(err) != "ACCOUNT_SUSPENDED" {
		t.Fatalf("write while suspended: %v", err)
	}
	if _, err := f.svc.Account(f.owner, f.account.ID); err != nil {
		t.Fatalf("read while suspended: %v", err)
	}
	if _, err := f.svc.SetAccountStatus(f.owner, f.account.ID, accounts.StatusActive, ""); reason(err) != "NOT_FOUND" {
		t.Fatalf("owner reactivating: %v, want NOT_FOUND (a platform operation)", err)
	}
	if _, err := f.svc.SetAccountStatus(f.admin, f.account.ID, accounts.StatusActive, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.UpdateAccount(f.owner, accounts.UpdateAccountInput{AccountID: f.account.ID, LegalName: &name}); err != nil {
		t.Fatalf("write after reactivation: %v", err)
	}
}

func TestLastOwnerStays(t *testing.T) {
	f := newFixture(t)
	p, _ := auth.PrincipalFrom(f.owner)
	if _, err := f.svc.ChangeMemberRole(f.owner, f.account.ID, p.UserID, access.Admin); reason(err) != "LAST_OWNER" {
		t.Errorf("demote last owner: %v", err)
	}
	if err := f.svc.RemoveMember(f.owner, f.account.ID, p.UserID); reason(err) != "LAST_OWNER" {
		t.Errorf("remove last owner: %v", err)
	}
}

func TestSessionEndsAtLogout(t *testing.T) {
	f := newFixture(t)
	user, token, err := f.svc.Login(context.Background(), "owner@acme.test", pw)
	if err != nil {
		t.Fatal(err)
	}
	var sess bson.M
	if err := f.store.DB.Collection("sessions").FindOne(context.Background(), bson.M{"userId": user.ID}).Decode(&sess); err != nil {
		t.Fatal(err)
	}
	if sess["tokenHash"] == token {
		t.Fatal("session token stored in clear")
	}
	ctx := auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.KindUser, UserID: user.ID, SessionID: sess["_id"].(string)})
	if n, err := f.svc.Logout(ctx); err != nil || n != 1 {
		t.Fatalf("logout: %d %v", n, err)
	}
	if n, _ := f.store.DB.Collection("sessions").CountDocuments(context.Background(), bson.M{"_id": sess["_id"]}); n != 0 {
		t.Error("session still stored after logout")
	}
}

func TestPreviewInvitation(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.InviteAccountMember(f.owner, f.account.ID, "new@acme.test", access.Finance); err != nil {
		t.Fatal(err)
	}
	p, err := f.svc.PreviewInvitation(context.Background(), f.mails.tokenFor(t, "new@acme.test"))
	if err != nil {
		t.Fatal(err)
	}
	if p.OrganisationName != "Acme Trading Ltd" || p.Role != access.Finance || p.ExistingUser || p.Status != accounts.InvitationPending {
		t.Errorf("preview = %+v", p)
	}
	if _, err := f.svc.PreviewInvitation(context.Background(), "thi_nope"); reason(err) != "NOT_FOUND" {
		t.Errorf("unknown token: %v", err)
	}
}

package access_test

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/mongodb/mongotest"
	"github.com/tradehub/tradehub/services/access"
)

var update = flag.Bool("update", false, "rewrite docs/PERMISSIONS.md from the matrix")

func TestMain(m *testing.M) { os.Exit(mongotest.Run(m)) }

func newService(t *testing.T) (*access.Service, func() *access.Service) {
	t.Helper()
	s := mongotest.Store(t, nil)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := access.New(context.Background(), s.Client, s.DB, logger)
	if err != nil {
		t.Fatal(err)
	}
	// another opens a second instance on the same database, as a second server would.
	another := func() *access.Service {
		o, err := access.New(context.Background(), s.Client, s.DB, logger)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	return svc, another
}

func as(id string) context.Context {
	return auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.KindUser, UserID: id})
}

func TestPermissionsDocIsCurrent(t *testing.T) {
	const path = "../../docs/PERMISSIONS.md"
	want := access.MatrixMarkdown()
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != want {
		t.Fatalf("docs/PERMISSIONS.md is stale: run go test ./services/access -run TestPermissionsDocIsCurrent -update")
	}
}

func TestRequire(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	for _, a := range []access.Assignment{
		{Subject: "usr_viewer", Role: access.Viewer, Domain: "acct_a"},
		{Subject: "usr_owner", Role: access.Owner, Domain: "acct_a"},
		{Subject: "usr_owner_b", Role: access.Owner, Domain: "acct_b"},
		{Subject: "usr_pa", Role: access.PlatformAdmin, Domain: access.DomainPlatform},
		{Subject: "usr_am", Role: access.StaffAccountManager, Domain: access.DomainPlatform},
		{Subject: "usr_am", Role: access.AccountManager, Domain: "acct_a"},
		{Subject: "usr_partner", Role: access.PartnerAdmin, Domain: "ptn_p"},
	} {
		if err := svc.Assign(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.GrantConsent(ctx, "acct_a", "ptn_p"); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name   string
		ctx    context.Context
		domain string
		res    access.Resource
		act    access.Action
		want   errs.Code
	}{
		{"Anonymous", context.Background(), "acct_a", access.AccountProfile, access.Read, errs.Unauthenticated},
		{"ViewerReads", as("usr_viewer"), "acct_a", access.AccountProfile, access.Read, ""},
		{"ViewerCannotWriteButSees", as("usr_viewer"), "acct_a", access.AccountProfile, access.Write, errs.Forbidden},
		{"ViewerCannotSeeTeam", as("usr_viewer"), "acct_a", access.Team, access.Write, errs.NotFound},
		{"OwnerWritesOwn", as("usr_owner"), "acct_a", access.Team, access.Write, ""},
		{"OwnerOfOtherAccountSeesNothing", as("usr_owner_b"), "acct_a", access.AccountProfile, access.Read, errs.NotFound},
		{"OwnerCannotPrefixMatch", as("usr_owner"), "acct_aa", access.AccountProfile, access.Read, errs.NotFound},
		{"PlatformAdminEverywhere", as("usr_pa"), "acct_b", access.Team, access.Write, ""},
		{"AccountManagerAssigned", as("usr_am"), "acct_a", access.Team, access.Write, ""},
		{"AccountManagerNotAssigned", as("usr_am"), "acct_b", access.AccountProfile, access.Read, errs.NotFound},
		{"AccountManagerNoKeys", as("usr_am"), "acct_a", access.APIKeys, access.Write, errs.Forbidden},
		{"PartnerSeesNoTeam", as("usr_partner"), "acct_a", access.Team, access.Read, errs.NotFound},
		{"PartnerOwnTeam", as("usr_partner"), "ptn_p", access.PartnerTeam, access.Write, ""},
		{"SellerNotInPartner", as("usr_owner"), "ptn_p", access.PartnerTeam, access.Read, errs.NotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := errs.CodeOf(svc.Require(c.ctx, c.domain, c.res, c.act)); got != c.want {
				t.Errorf("Require = %q, want %q", got, c.want)
			}
		})
	}
}

// A revoked role or consent must not survive in any cache: the very next check refuses, on this
// instance and, after its per-request Refresh, on another instance of the same store.
func TestRevocationTakesEffectOnTheNextRequest(t *testing.T) {
	svc, another := newService(t)
	other := another()
	ctx := context.Background()
	grant := access.Assignment{Subject: "usr_x", Role: access.Admin, Domain: "acct_a"}
	if err := svc.Assign(ctx, grant); err != nil {
		t.Fatal(err)
	}
	if err := other.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*access.Service{"same": svc, "other": other} {
		if err := s.Require(as("usr_x"), "acct_a", access.Team, access.Write); err != nil {
			t.Fatalf("%s instance before revoke: %v", name, err)
		}
	}
	if err := svc.Unassign(ctx, grant); err != nil {
		t.Fatal(err)
	}
	if err := other.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*access.Service{"same": svc, "other": other} {
		if got := errs.CodeOf(s.Require(as("usr_x"), "acct_a", access.Team, access.Write)); got != errs.NotFound {
			t.Errorf("%s instance after revoke: %q, want NOT_FOUND", name, got)
		}
	}
}

func TestConsentRevocationHidesTheAccountFromThePartner(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	if err := svc.Assign(ctx, access.Assignment{Subject: "usr_p", Role: access.PartnerAnalyst, Domain: "ptn_p"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.GrantConsent(ctx, "acct_a", "ptn_p"); err != nil {
		t.Fatal(err)
	}
	if got := svc.ConsentingAccounts("ptn_p"); len(got) != 1 || got[0] != "acct_a" {
		t.Fatalf("consenting = %v", got)
	}
	if err := svc.RevokeConsent(ctx, "acct_a", "ptn_p"); err != nil {
		t.Fatal(err)
	}
	if got := svc.ConsentingAccounts("ptn_p"); len(got) != 0 {
		t.Errorf("after revoke consenting = %v", got)
	}
}

func TestSuspendedAccountRefusesWrites(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	_ = svc.Assign(ctx, access.Assignment{Subject: "usr_o", Role: access.Owner, Domain: "acct_a"})
	_ = svc.Assign(ctx, access.Assignment{Subject: "usr_pa", Role: access.PlatformAdmin, Domain: access.DomainPlatform})
	if err := svc.SetFlag(ctx, "acct_a", access.FlagSuspended, true); err != nil {
		t.Fatal(err)
	}
	if err := svc.Require(as("usr_o"), "acct_a", access.AccountProfile, access.Read); err != nil {
		t.Errorf("read while suspended: %v", err)
	}
	if err := svc.Require(as("usr_pa"), "acct_a", access.AccountProfile, access.Read); err != nil {
		t.Errorf("staff read while suspended: %v", err)
	}
	for _, who := range []string{"usr_o", "usr_pa"} {
		if err := svc.Require(as(who), "acct_a", access.Team, access.Write); !errsIs(err, access.ErrAccountSuspended) {
			t.Errorf("%s write while suspended: %v, want ACCOUNT_SUSPENDED", who, err)
		}
	}
	// Reactivating is a platform operation and stays possible.
	if err := svc.Require(as("usr_pa"), access.DomainPlatform, access.Accounts, access.Write); err != nil {
		t.Errorf("platform admin cannot change status: %v", err)
	}
}

func errsIs(err error, target *errs.Error) bool {
	e, ok := errs.As(err)
	return ok && e.Is(target)
}

func TestMatrixSyncIsIdempotent(t *testing.T) {
	_, another := newService(t)
	// A second start-up over the same store must find the matrix already in place.
	another()
	another()
}

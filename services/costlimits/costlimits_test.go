package costlimits_test

import (
	"context"
	"os"
	"testing"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/mongodb/mongotest"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/costlimits"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Run(m)) }

// admins may write the platform's limits; everyone may read account "acct_a".
type fakeAccess struct{}

func (fakeAccess) Require(ctx context.Context, domain string, _ access.Resource, act access.Action) error {
	p, _ := auth.PrincipalFrom(ctx)
	if act == access.Write && (p == nil || p.UserID != "usr_admin") {
		return errs.E(errs.NotFound, "not found")
	}
	return nil
}

func exists(_ context.Context, id string) error {
	if id != "acct_a" {
		return errs.E(errs.NotFound, "no such account")
	}
	return nil
}

func ptr(n int) *int { return &n }

// A change applies at once on the instance that made it and after Refresh on another one.
func TestSetLookupAndRefresh(t *testing.T) {
	db := mongotest.DB(t)
	cfg := costlimits.Config{DB: db, Access: fakeAccess{}, AccountExists: exists, Defaults: costlimits.Limits{BucketSize: 1000, RestoreRate: 50}}
	here, there := costlimits.New(cfg), costlimits.New(cfg)
	admin := auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.KindUser, UserID: "usr_admin"})
	seller := auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.KindUser, UserID: "usr_seller"})

	if _, err := here.Set(seller, costlimits.SetInput{AccountID: "acct_a", BucketSize: ptr(5000), RestoreRate: ptr(100)}); !errs.IsCode(err, errs.NotFound) {
		t.Errorf("a seller set limits: %v", err)
	}
	if _, err := here.Set(admin, costlimits.SetInput{AccountID: "acct_missing", BucketSize: ptr(5000), RestoreRate: ptr(100)}); !errs.IsCode(err, errs.NotFound) {
		t.Errorf("missing account: %v", err)
	}
	l, err := here.Set(admin, costlimits.SetInput{AccountID: "acct_a", BucketSize: ptr(5000), RestoreRate: ptr(100)})
	if err != nil || !l.Custom || l.BucketSize != 5000 {
		t.Fatalf("set: %+v %v", l, err)
	}
	if got, ok := here.Lookup("acct_a"); !ok || got.RestoreRate != 100 {
		t.Errorf("here: %+v %v", got, ok)
	}
	if _, ok := there.Lookup("acct_a"); ok {
		t.Error("the other instance knew before refreshing")
	}
	if err := there.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, ok := there.Lookup("acct_a"); !ok || got.BucketSize != 5000 {
		t.Errorf("there after refresh: %+v %v", got, ok)
	}
	if l, err := here.Set(admin, costlimits.SetInput{AccountID: "acct_a"}); err != nil || l.Custom || l.BucketSize != 1000 {
		t.Errorf("reset: %+v %v", l, err)
	}
	if _, ok := here.Lookup("acct_a"); ok {
		t.Error("reset kept the limits")
	}
	if l, err := there.Of(seller, "acct_a"); err != nil || l.Custom {
		t.Errorf("Of after reset: %+v %v", l, err)
	}
}

// Package demo seeds an empty store with the demo data `make run` shows: staff, three seller
// accounts in different countries and currencies with a user of each role, a finance partner
// that two of them consented to, two supplier users with their curated suppliers and FX rates,
// four warehouses, and for each seller a few SKUs
// with stock received and put away, an expected ASN, a reserved order and a shipped one. It is run only with TRADEHUB_DEMO=1 and
// only into a store without accounts; its sign-ins are printed in development mode only.
package demo

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/accounts"
	"github.com/tradehub/tradehub/services/procurement"
	"github.com/tradehub/tradehub/services/warehousing"
)

// Password is every demo user's password.
const Password = "tradehub-demo-2026"

// SignIn is one demo user to print.
type SignIn struct {
	Email, Role, Where string
}

// Deps are the services the seed writes through.
type Deps struct {
	Accounts *accounts.Service
	Access   *access.Service
	// Warehousing, when set, gets warehouses, each seller's SKUs, received stock and orders.
	Warehousing *warehousing.Service
	// Procurement, when set, gets the curated suppliers (two with supplier users) and FX rates.
	Procurement *procurement.Service
}

type seller struct {
	name, country, currency, domain, billing string
}

var sellers = []seller{
	{"Shenzhen Brightlight Electronics Co., Ltd.", "CN", "CNY", "brightlight.test", "billing@brightlight.test"},
	{"Kessler Outdoor GmbH", "DE", "EUR", "kessler-outdoor.test", "buchhaltung@kessler-outdoor.test"},
	{"Maple & Pine Home LLC", "US", "USD", "mapleandpine.test", "ap@mapleandpine.test"},
}

// SignIns lists the demo users, whether they were seeded by this run or an earlier one.
func SignIns() []SignIn {
	out := []SignIn{
		{"admin@tradehub.test", string(access.PlatformAdmin), "Tradehub"},
		{"am.lin@tradehub.test", string(access.AccountManager), sellers[0].name + "; " + sellers[1].name},
		{"am.weber@tradehub.test", string(access.AccountManager), sellers[2].name},
	}
	for _, s := range sellers {
		for _, role := range access.AccountRoles {
			out = append(out, SignIn{strings.ToLower(string(role)) + "@" + s.domain, string(role), s.name})
		}
	}
	return append(out,
		SignIn{"partner.admin@harborfinance.test", string(access.PartnerAdmin), "Harbor Trade Finance"},
		SignIn{"analyst@harborfinance.test", string(access.PartnerAnalyst), "Harbor Trade Finance"},
		SignIn{"sales@dongguan-precision.test", string(access.SupplierUser), "Dongguan Precision Molding"},
		SignIn{"sales@ningbo-homeware.test", string(access.SupplierUser), "Ningbo Homeware Co."},
	)
}

// Seed writes the demo data if the store has no accounts yet; seeded reports whether it did.
func Seed(ctx context.Context, d Deps) (seeded bool, err error) {
	if has, err := d.Accounts.HasAccounts(ctx); err != nil || has {
		return false, err
	}
	user := func(email, name string) (accounts.User, error) {
		return d.Accounts.EnsureUser(ctx, email, name, Password)
	}
	assign := func(u accounts.User, role access.Role, domain string) error {
		return d.Access.Assign(ctx, access.Assignment{Subject: u.ID, Role: role, Domain: domain})
	}

	admin, err := d.Accounts.BootstrapPlatformAdmin(ctx, "admin@tradehub.test", "Ada Okafor", Password)
	if err != nil {
		return false, fmt.Errorf("demo: platform admin: %w", err)
	}
	lin, err := user("am.lin@tradehub.test", "Lin Wei")
	if err != nil {
		return false, fmt.Errorf("demo: account manager: %w", err)
	}
	weber, err := user("am.weber@tradehub.test", "Jonas Weber")
	if err != nil {
		return false, fmt.Errorf("demo: account manager: %w", err)
	}
	for _, am := range []accounts.User{lin, weber} {
		if err := d.Access.Assign(ctx, access.Assignment{Subject: am.ID, Role: access.StaffAccountManager, Domain: access.DomainPlatform}); err != nil {
			return false, err
		}
	}

	var accts []accounts.Account
	for _, s := range sellers {
		a, err := d.Accounts.SeedAccount(ctx, accounts.Account{LegalName: s.name, Country: s.country,
			DefaultCurrency: money.MustCurrency(s.currency), BillingEmail: s.billing})
		if err != nil {
			return false, fmt.Errorf("demo: account %s: %w", s.name, err)
		}
		accts = append(accts, a)
		for _, role := range access.AccountRoles {
			local := strings.ToLower(string(role))
			title := string(role[0]) + local[1:]
			u, err := user(local+"@"+s.domain, title+" at "+strings.Fields(s.name)[0])
			if err != nil {
				return false, fmt.Errorf("demo: user: %w", err)
			}
			if err := assign(u, role, a.ID); err != nil {
				return false, err
			}
		}
	}
	for _, am := range []struct {
		u     accounts.User
		accts []int
	}{{lin, []int{0, 1}}, {weber, []int{2}}} {
		for _, idx := range am.accts {
			if err := assign(am.u, access.AccountManager, accts[idx].ID); err != nil {
				return false, err
			}
		}
	}

	partner, err := d.Accounts.SeedPartner(ctx, "Harbor Trade Finance", "GB")
	if err != nil {
		return false, fmt.Errorf("demo: partner: %w", err)
	}
	for _, p := range []struct {
		email, name string
		role        access.Role
	}{{"partner.admin@harborfinance.test", "Grace Holt", access.PartnerAdmin}, {"analyst@harborfinance.test", "Tom Reyes", access.PartnerAnalyst}} {
		u, err := user(p.email, p.name)
		if err != nil {
			return false, err
		}
		if err := assign(u, p.role, partner.ID); err != nil {
			return false, err
		}
	}
	for _, a := range accts[:2] {
		if err := d.Access.GrantConsent(ctx, a.ID, partner.ID); err != nil {
			return false, err
		}
	}

	var supplierIDs []string
	for _, s := range []struct{ email, name string }{{"sales@dongguan-precision.test", "Chen Jie"}, {"sales@ningbo-homeware.test", "Wang Fang"}} {
		supplierID := ids.New(ids.Supplier)
		sup, err := user(s.email, s.name)
		if err != nil {
			return false, err
		}
		if err := assign(sup, access.SupplierUser, supplierID); err != nil {
			return false, err
		}
		supplierIDs = append(supplierIDs, supplierID)
	}
	if d.Procurement != nil {
		if err := seedProcurement(ctx, d.Procurement, admin, supplierIDs); err != nil {
			return false, err
		}
	}
	if d.Warehousing != nil {
		if err := seedWarehousing(ctx, d.Warehousing, admin, accts); err != nil {
			return false, err
		}
	}
	return true, nil
}

// Print writes the sign-ins as a table.
func Print(w io.Writer, list []SignIn) {
	fmt.Fprintf(w, "Demo sign-ins (password for all: %s):\n", Password)
	for _, s := range list {
		fmt.Fprintf(w, "  %-36s %-16s %s\n", s.Email, s.Role, s.Where)
	}
	fmt.Fprintln(w)
}

package loaders_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tradehub/tradehub/graph"
	"github.com/tradehub/tradehub/graph/cost"
	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/internal/mongodb/mongotest"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/accounts"
	"github.com/tradehub/tradehub/services/audit"
	"github.com/tradehub/tradehub/services/billing"
	"github.com/tradehub/tradehub/services/financing"
	"github.com/tradehub/tradehub/services/transport"
	"github.com/tradehub/tradehub/services/transport/ratecard"
	"github.com/tradehub/tradehub/services/usage"
	wh "github.com/tradehub/tradehub/services/warehousing"
)

// customers are the accounts billing bills, as cmd/tradehub adapts the accounts service.
type customers map[string]billing.Customer

func (c customers) Customer(_ context.Context, id string) (billing.Customer, error) {
	cu, ok := c[id]
	if !ok {
		return billing.Customer{}, billing.ErrNotFound
	}
	return cu, nil
}

func (c customers) AccountIDs(context.Context) ([]string, error) {
	out := make([]string, 0, len(c))
	for id := range c {
		out = append(out, id)
	}
	return out, nil
}

// withheld is the access service with one resource of one account withdrawn from one user
// (NOT_FOUND, as access answers a read it refuses). No role of today's matrix lists an account
// without reading its shipments, invoices and inventory; this stands for a policy that does, so
// that the test can see one account's figure hidden in the same batch as the others' shown.
type withheld struct {
	*access.Service
	userID, accountID string
	res               access.Resource
}

func (w withheld) Require(ctx context.Context, domain string, res access.Resource, act access.Action) error {
	if p, ok := auth.PrincipalFrom(ctx); ok && p.UserID == w.userID && domain == w.accountID && res == w.res {
		return access.ErrNotFound
	}
	return w.Service.Require(ctx, domain, res, act)
}

func (w withheld) Can(ctx context.Context, domain string, res access.Resource, act access.Action) bool {
	return w.Require(ctx, domain, res, act) == nil
}

// The account managers' console lists 50 accounts with their health in the same store round
// trips as 10: each figure of a page of accounts is one query (one batch per service through the
// request's dataloaders), not one per account. A figure the caller may not read is null, for
// that account only.
func TestAccountHealthRoundTripsDoNotGrowWithItems(t *testing.T) {
	var trips roundTrips
	store := mongotest.Store(t, trips.monitor())
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	acc, err := access.New(ctx, store.Client, store.DB, logger)
	if err != nil {
		t.Fatal(err)
	}
	var indexes []mongodb.Indexes
	for _, ix := range [][]mongodb.Indexes{accounts.Indexes(), audit.Indexes(), transport.Indexes(), wh.Indexes(),
		billing.Indexes(), financing.Indexes(), usage.Indexes()} {
		indexes = append(indexes, ix...)
	}
	if err := mongodb.EnsureIndexes(ctx, store.DB, indexes...); err != nil {
		t.Fatal(err)
	}
	usd := money.MustCurrency("USD")
	// Billing's clock: its invoices fall due 60 days on, which the test reaches by moving it.
	billed := clock.NewFake(time.Now().UTC())
	usg := usage.NewService(store.DB, clock.System())

	accts, err := accounts.New(ctx, accounts.Config{DB: store.DB, Access: acc, Audit: audit.New(store.DB, clock.System(), nil),
		Logger: logger, PublicURL: "http://portal.test"})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := accts.BootstrapPlatformAdmin(ctx, "root@tradehub.test", "Root", "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	asAdmin := auth.WithPrincipal(ctx, &auth.Principal{Kind: auth.KindUser, UserID: admin.ID})
	manager := ids.New(ids.User)
	asManager := auth.WithPrincipal(ctx, &auth.Principal{Kind: auth.KindUser, UserID: manager})
	// The legal names sort as created, so the first page holds the first accounts.
	book := make([]string, 50)
	billedAccounts := customers{}
	for i := range book {
		a, _, err := accts.CreateAccount(asAdmin, accounts.CreateAccountInput{LegalName: fmt.Sprintf("Seller %02d Ltd", i),
			Country: "US", DefaultCurrency: usd, BillingEmail: fmt.Sprintf("ap%d@seller.test", i),
			OwnerEmail: fmt.Sprintf("owner%d@seller.test", i)})
		if err != nil {
			t.Fatalf("account %d: %v", i, err)
		}
		if err := acc.Assign(ctx, access.Assignment{Subject: manager, Role: access.AccountManager, Domain: a.ID}); err != nil {
			t.Fatal(err)
		}
		book[i] = a.ID
		billedAccounts[a.ID] = billing.Customer{AccountID: a.ID, LegalName: a.LegalName, Country: "US", Currency: usd,
			Email: fmt.Sprintf("ap%d@seller.test", i)}
	}
	// The manager may not read the second account's shipments.
	ship := transport.NewService(transport.Config{DB: store.DB, Access: withheld{acc, manager, book[1], access.Shipments},
		Usage: usg, Logger: logger})
	if _, err := ship.SeedDemo(ctx, false); err != nil {
		t.Fatal(err)
	}
	whs := wh.NewService(wh.Config{DB: store.DB, Access: acc, Usage: usg, Logger: logger})
	bill := billing.NewService(billing.Config{DB: store.DB, Access: acc, Usage: usg, Accounts: billedAccounts,
		Clock: billed, Logger: logger, Issuer: billing.DemoIssuer, Loans: anyLoan{}})
	fin := financing.NewService(financing.Config{DB: store.DB, Access: acc, Partners: acc, Shipments: goodsInTransit{},
		Inventory: &shelfStock{}, Usage: usg, Logger: logger})

	// The first two accounts: shipments in trouble, balances below their reorder point, invoices
	// past due, in different numbers per account so that a mixed-up batch shows.
	warehouse, err := whs.CreateWarehouse(asAdmin, wh.WarehouseInput{Code: "SZX1", Name: "Shenzhen", Timezone: "UTC",
		Kind: wh.Overseas, Active: true, Address: wh.Address{Line1: "1 Road", City: "Shenzhen", Country: "CN"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct{ trouble, low, overdue int }{book[0]: {2, 3, 1}, book[1]: {1, 1, 2}}
	for acct, w := range want {
		for i := range w.trouble {
			res, err := ship.QuoteShipment(asAdmin, transport.QuoteInput{AccountID: acct,
				Origin:      &transport.Address{Name: "Brightlight", Line1: "1 Keji Rd", City: "Shenzhen", Country: "CN"},
				Destination: transport.Address{Name: "Maya", Line1: "500 Congress Ave", City: "Austin", PostalCode: "78701", Country: "US"},
				Parcels:     []ratecard.Parcel{{WeightGrams: 1500, LengthMM: 300, WidthMM: 200, HeightMM: 100}},
				Contents: []transport.ContentItem{{Description: "Lamp", HSCode: "940521", OriginCountry: "CN", Quantity: 1,
					UnitValue: money.New(2500, usd)}}})
			if err != nil || len(res.Quotes) == 0 {
				t.Fatalf("quote: %v", err)
			}
			sh, err := ship.BookShipment(asAdmin, transport.BookInput{AccountID: acct, QuoteID: res.Quotes[0].ID,
				IdempotencyKey: fmt.Sprintf("k%d", i)})
			if err != nil {
				t.Fatalf("book: %v", err)
			}
			if _, err := ship.RecordTrackingEvent(asAdmin, transport.StaffEventInput{AccountID: acct, ShipmentID: sh.ID,
				Status: transport.StatusException, OccurredAt: time.Now().UTC(), Location: "Austin", Description: "Address not found"}); err != nil {
				t.Fatalf("exception: %v", err)
			}
		}
		for i := range w.low {
			sku, err := whs.CreateSKU(asAdmin, wh.SKUInput{AccountID: acct, Code: fmt.Sprintf("LOW-%d", i), Name: "Item",
				UnitValue: money.New(100, usd), ReorderPoints: []wh.ReorderPoint{{WarehouseID: warehouse.ID, Point: 10}}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := whs.AdjustInventory(asAdmin, wh.AdjustInput{SKUID: sku.ID, WarehouseID: warehouse.ID, Delta: 3,
				Reason: wh.AdjustFound}); err != nil {
				t.Fatal(err)
			}
		}
		for i := range w.overdue {
			if _, err := bill.CreateLoanRepaymentInvoice(asAdmin, billing.LoanRepaymentInput{AccountID: acct, LoanID: ids.New(ids.Loan),
				Amount: money.New(1000, usd), IdempotencyKey: fmt.Sprintf("k%d", i)}); err != nil {
				t.Fatalf("invoice: %v", err)
			}
		}
	}
	billed.Advance(60 * 24 * time.Hour)

	h := graph.NewHandler(&graph.Resolver{Logger: logger, AccountsService: accts, Transport: ship, Warehousing: whs, Billing: bill,
		Financing: fin}, graph.ServerConfig{Logger: logger, LoaderWait: roundTripWait,
		Cost: cost.Config{MaxQueryCost: 1_000_000, BucketSize: 10_000_000, RestoreRate: 1_000_000}})
	type health struct{ ShipmentExceptions, LowStockBalances, OverdueInvoices, AtRiskLoans *int }
	list := func(figures string, first int) (int64, map[string]health) {
		t.Helper()
		body, _ := json.Marshal(map[string]any{
			"query":     `query($n: Int!) { accounts(first: $n) { nodes { id legalName health { ` + figures + ` } } } }`,
			"variables": map[string]any{"n": first},
		})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body)).WithContext(asManager)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		before := trips.n.Load()
		h.ServeHTTP(rec, req)
		n := trips.n.Load() - before
		var resp struct {
			Data struct {
				Accounts struct {
					Nodes []struct {
						ID     string
						Health health
					}
				}
			}
			Errors []any
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || len(resp.Errors) > 0 {
			t.Fatalf("response: %v %s", err, rec.Body.String())
		}
		out := map[string]health{}
		for _, a := range resp.Data.Accounts.Nodes {
			out[a.ID] = a.Health
		}
		if len(out) != first {
			t.Fatalf("listed %d accounts, want %d", len(out), first)
		}
		return n, out
	}
	val := func(p *int) string {
		if p == nil {
			return "null"
		}
		return fmt.Sprint(*p)
	}

	// The console's own query.
	const figures = "shipmentExceptions lowStockBalances overdueInvoices atRiskLoans"
	few, _ := list(figures, 10)
	many, got := list(figures, 50)
	if few != many {
		t.Errorf("round trips: %d for 10 accounts, %d for 50; want the same", few, many)
	}
	t.Logf("round trips: 10 accounts %d, 50 accounts %d", few, many)

	for _, c := range []struct {
		name                  string
		acct                  string
		trouble, low, overdue string
	}{
		{"figures of the first account", book[0], "2", "3", "1"},
		{"shipments withheld: null, the rest shown", book[1], "null", "1", "2"},
		{"an account with nothing to look at: zeros", book[49], "0", "0", "0"},
	} {
		h := got[c.acct]
		if g := [3]string{val(h.ShipmentExceptions), val(h.LowStockBalances), val(h.OverdueInvoices)}; g != [3]string{c.trouble, c.low, c.overdue} {
			t.Errorf("%s: shipmentExceptions, lowStockBalances, overdueInvoices = %v, want %v", c.name, g,
				[3]string{c.trouble, c.low, c.overdue})
		}
	}

	if g := val(got[book[0]].AtRiskLoans); g != "0" {
		t.Errorf("atRiskLoans of an account without loans = %s, want 0", g)
	}
}

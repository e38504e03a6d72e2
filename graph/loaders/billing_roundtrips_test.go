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

	"github.com/tradehub/tradehub/graph"
	"github.com/tradehub/tradehub/graph/cost"
	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/internal/mongodb/mongotest"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/billing"
	"github.com/tradehub/tradehub/services/usage"
)

type oneCustomer billing.Customer

func (c oneCustomer) Customer(_ context.Context, id string) (billing.Customer, error) {
	if id != c.AccountID {
		return billing.Customer{}, billing.ErrNotFound
	}
	return billing.Customer(c), nil
}

func (c oneCustomer) AccountIDs(context.Context) ([]string, error) { return []string{c.AccountID}, nil }

// anyLoan owes plenty on every loan: the test needs invoices, not loans.
type anyLoan struct{}

func (anyLoan) LoanOwed(context.Context, string, string) (money.Money, error) {
	return money.New(1_000_000_00, money.MustCurrency("USD")), nil
}

func (anyLoan) ApplyLoanPayment(context.Context, string, string, money.Money, string) error {
	return nil
}

// Listing 100 invoices with their sections and lines costs the same number of store round trips
// as listing 10: an invoice holds its lines, so no relation is loaded per invoice.
func TestInvoiceListRoundTripsDoNotGrowWithItems(t *testing.T) {
	var trips roundTrips
	store := mongotest.Store(t, trips.monitor())
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	acc, err := access.New(ctx, store.Client, store.DB, logger)
	if err != nil {
		t.Fatal(err)
	}
	if err := mongodb.EnsureIndexes(ctx, store.DB, append(billing.Indexes(), usage.Indexes()...)...); err != nil {
		t.Fatal(err)
	}
	manager, acct := ids.New(ids.User), ids.New(ids.Account)
	if err := acc.Assign(ctx, access.Assignment{Subject: manager, Role: access.AccountManager, Domain: acct}); err != nil {
		t.Fatal(err)
	}
	usd := money.MustCurrency("USD")
	svc := billing.NewService(billing.Config{DB: store.DB, Access: acc, Usage: usage.NewService(store.DB, clock.System()),
		Accounts: oneCustomer{AccountID: acct, LegalName: "Maple & Pine Home LLC", Country: "US", Currency: usd, Email: "ap@maple.test"},
		Clock:    clock.System(), Logger: logger, Issuer: billing.DemoIssuer, Loans: anyLoan{}})
	as := auth.WithPrincipal(ctx, &auth.Principal{Kind: auth.KindUser, UserID: manager})
	for i := range 100 {
		if _, err := svc.CreateLoanRepaymentInvoice(as, billing.LoanRepaymentInput{AccountID: acct, LoanID: ids.New(ids.Loan),
			Amount: money.New(int64(1000+i), usd), IdempotencyKey: fmt.Sprintf("k%d", i)}); err != nil {
			t.Fatalf("invoice %d: %v", i, err)
		}
	}
	h := graph.NewHandler(&graph.Resolver{Logger: logger, Billing: svc}, graph.ServerConfig{Logger: logger, LoaderWait: roundTripWait,
		Cost: cost.Config{MaxQueryCost: 1_000_000, BucketSize: 10_000_000, RestoreRate: 1_000_000}})
	count := func(first int) (int64, int) {
		body, _ := json.Marshal(map[string]any{
			"query": `query($a: ID!, $n: Int!) { invoices(accountId: $a, first: $n) { nodes { id number total { amount }
				sections { category subtotal { amount } lines { code quantity amount { amount } } } } } }`,
			"variables": map[string]any{"a": acct, "n": first},
		})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body)).WithContext(as)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		before := trips.n.Load()
		h.ServeHTTP(rec, req)
		n := trips.n.Load() - before
		var resp struct {
			Data struct {
				Invoices struct {
					Nodes []struct {
						Sections []struct{ Lines []struct{ Code string } }
					}
				}
			}
			Errors []any
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || len(resp.Errors) > 0 {
			t.Fatalf("response: %v %s", err, rec.Body.String())
		}
		for _, inv := range resp.Data.Invoices.Nodes {
			if len(inv.Sections) != 1 || len(inv.Sections[0].Lines) != 1 {
				t.Fatalf("invoice without its line: %s", rec.Body.String())
			}
		}
		return n, len(resp.Data.Invoices.Nodes)
	}
	few, n10 := count(10)
	many, n100 := count(100)
	if n10 != 10 || n100 != 100 {
		t.Fatalf("listed %d and %d invoices, want 10 and 100", n10, n100)
	}
	if few != many {
		t.Errorf("round trips: %d for 10 invoices, %d for 100; want the same", few, many)
	}
	t.Logf("round trips: 10 invoices %d, 100 invoices %d", few, many)
}

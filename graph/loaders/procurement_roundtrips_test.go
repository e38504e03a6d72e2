package loaders_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/event"

	"github.com/tradehub/tradehub/graph"
	"github.com/tradehub/tradehub/graph/cost"
	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/internal/mongodb/mongotest"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/procurement"
	"github.com/tradehub/tradehub/services/usage"
	wh "github.com/tradehub/tradehub/services/warehousing"
)

type oneWarehouse procurement.WarehouseInfo

func (w oneWarehouse) Warehouse(_ context.Context, id string) (procurement.WarehouseInfo, bool, error) {
	return procurement.WarehouseInfo(w), id == w.ID, nil
}

type oneSKU procurement.SKUInfo

func (k oneSKU) SKUs(_ context.Context, _ string, list []string) (map[string]procurement.SKUInfo, error) {
	out := map[string]procurement.SKUInfo{}
	for _, id := range list {
		if id == k.ID {
			out[id] = procurement.SKUInfo(k)
		}
	}
	return out, nil
}

// Listing 100 RFQs with their invited suppliers and their quotes (each with its supplier) costs
// the same number of store round trips as listing 10: quotes load through the request's RFQ
// quotes loader, suppliers through its supplier loader.
func TestRFQListRoundTripsDoNotGrowWithItems(t *testing.T) {
	var trips roundTrips
	var mu sync.Mutex
	var names []string
	store := mongotest.Store(t, &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		trips.n.Add(1)
		mu.Lock()
		names = append(names, e.CommandName+":"+e.Command.Lookup(e.CommandName).String())
		mu.Unlock()
	}})
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	acc, err := access.New(ctx, store.Client, store.DB, logger)
	if err != nil {
		t.Fatal(err)
	}
	if err := mongodb.EnsureIndexes(ctx, store.DB, append(append(procurement.Indexes(), wh.Indexes()...), usage.Indexes()...)...); err != nil {
		t.Fatal(err)
	}
	admin, seller, supUser, acct, sup := ids.New(ids.User), ids.New(ids.User), ids.New(ids.User), ids.New(ids.Account), ids.New(ids.Supplier)
	for _, a := range []access.Assignment{{Subject: admin, Role: access.PlatformAdmin, Domain: access.DomainPlatform},
		{Subject: seller, Role: access.Owner, Domain: acct}, {Subject: supUser, Role: access.SupplierUser, Domain: sup}} {
		if err := acc.Assign(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	as := func(u string) context.Context {
		return auth.WithPrincipal(ctx, &auth.Principal{Kind: auth.KindUser, UserID: u})
	}
	whsID, skuID := ids.New(ids.Warehouse), ids.New(ids.SKU)
	us := usage.NewService(store.DB, clock.System())
	svc := procurement.NewService(procurement.Config{DB: store.DB, Access: acc, Usage: us, Logger: logger,
		Warehouses: oneWarehouse{ID: whsID, Code: "LAX1", Country: "US", Active: true},
		Catalog:    oneSKU{ID: skuID, Code: "LAMP", Name: "Desk lamp", HSCode: "940520", WeightGrams: 800},
		SupplierOf: func(ctx context.Context) (string, bool) {
			p, ok := auth.PrincipalFrom(ctx)
			return sup, ok && p.UserID == supUser
		}})
	if _, err := svc.CreateSupplier(as(admin), procurement.SupplierInput{ID: sup, Name: "Dongguan Precision", Country: "CN",
		Status: procurement.SupplierVerified}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(72 * time.Hour)
	for i := range 100 {
		r, err := svc.CreateRFQ(as(seller), procurement.RFQInput{AccountID: acct, Title: "Lamps", DestinationWarehouseID: whsID,
			Currency: "USD", ResponseDeadline: deadline, SupplierIDs: []string{sup},
			Lines: []procurement.RFQLineInput{{SKUID: skuID, Quantity: 1000}}})
		if err == nil {
			_, err = svc.SendRFQ(as(seller), r.ID)
		}
		if err == nil {
			_, err = svc.SubmitQuote(as(supUser), procurement.QuoteInput{RFQID: r.ID, SupplierID: sup, Incoterm: procurement.FOB,
				Currency: "USD", ValidUntil: deadline.Add(30 * 24 * time.Hour),
				Lines: []procurement.QuoteLineInput{{RFQLineID: "1", UnitPrice: "1.75", MOQ: 500, LeadTimeDays: 20}}})
		}
		if err != nil {
			t.Fatalf("RFQ %d: %v", i, err)
		}
	}
	whs := wh.NewService(wh.Config{DB: store.DB, Access: acc, Usage: us, Logger: logger})
	h := graph.NewHandler(&graph.Resolver{Logger: logger, Warehousing: whs, Procurement: svc}, graph.ServerConfig{Logger: logger, LoaderWait: roundTripWait,
		Cost: cost.Config{MaxQueryCost: 1_000_000, BucketSize: 10_000_000, RestoreRate: 1_000_000}})
	signedIn := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), &auth.Principal{Kind: auth.KindUser, UserID: seller})))
	})
	count := func(first int) (int64, int) {
		body, _ := json.Marshal(map[string]any{
			"query": `query($a: ID!, $n: Int!) { rfqs(accountId: $a, first: $n) { nodes { id suppliers { id name }
				quotes { id supplier { id name } } } } }`,
			"variables": map[string]any{"a": acct, "n": first},
		})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		mu.Lock()
		names = nil
		mu.Unlock()
		before := trips.n.Load()
		signedIn.ServeHTTP(rec, req)
		n := trips.n.Load() - before
		mu.Lock()
		t.Logf("%d RFQs: %v", first, names)
		mu.Unlock()
		var resp struct {
			Data struct {
				Rfqs struct {
					Nodes []struct {
						Suppliers []struct{ Name string }
						Quotes    []struct{ Supplier *struct{ Name string } }
					}
				}
			}
			Errors []any
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || len(resp.Errors) > 0 {
			t.Fatalf("response: %v %s", err, rec.Body.String())
		}
		for _, r := range resp.Data.Rfqs.Nodes {
			if len(r.Suppliers) != 1 || len(r.Quotes) != 1 || r.Quotes[0].Supplier == nil {
				t.Fatalf("incomplete RFQ in the response: %s", rec.Body.String())
			}
		}
		return n, len(resp.Data.Rfqs.Nodes)
	}
	few, n10 := count(10)
	many, n100 := count(100)
	if n10 != 10 || n100 != 100 {
		t.Fatalf("listed %d and %d RFQs, want 10 and 100", n10, n100)
	}
	if few != many {
		t.Errorf("round trips: %d for 10 RFQs, %d for 100; want the same", few, many)
	}
	t.Logf("round trips: 10 RFQs %d, 100 RFQs %d", few, many)
}

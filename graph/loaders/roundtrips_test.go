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
	"os"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/event"

	"github.com/tradehub/tradehub/graph"
	"github.com/tradehub/tradehub/graph/cost"
	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/internal/mongodb/mongotest"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/usage"
	wh "github.com/tradehub/tradehub/services/warehousing"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Run(m)) }

// roundTripWait is the loaders' wait in the round-trip tests: long enough that every resolver of
// a level has asked before the fetch even when the machine is starved (CI runs these beside
// browser tests), so the counts are exact; production's 2 ms only adds a fetch or two then.
const roundTripWait = 250 * time.Millisecond

// roundTrips counts the commands the driver sends, through its command monitor.
type roundTrips struct{ n atomic.Int64 }

func (r *roundTrips) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(context.Context, *event.CommandStartedEvent) { r.n.Add(1) }}
}

// Listing 100 orders with their lines' SKUs and their warehouses costs the same number of store
// round trips as listing 10: every relation goes through the request's dataloaders.
func TestOrderListRoundTripsDoNotGrowWithItems(t *testing.T) {
	var trips roundTrips
	store := mongotest.Store(t, trips.monitor())
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	acc, err := access.New(ctx, store.Client, store.DB, logger)
	if err != nil {
		t.Fatal(err)
	}
	if err := mongodb.EnsureIndexes(ctx, store.DB, append(wh.Indexes(), usage.Indexes()...)...); err != nil {
		t.Fatal(err)
	}
	svc := wh.NewService(wh.Config{DB: store.DB, Access: acc, Usage: usage.NewService(store.DB, clock.System()), Logger: logger})
	admin, acct := ids.New(ids.User), ids.New(ids.Account)
	if err := acc.Assign(ctx, access.Assignment{Subject: admin, Role: access.PlatformAdmin, Domain: access.DomainPlatform}); err != nil {
		t.Fatal(err)
	}
	as := auth.WithPrincipal(ctx, &auth.Principal{Kind: auth.KindUser, UserID: admin})

	var warehouses []string
	for _, code := range []string{"SZX1", "LAX1", "RTM1"} {
		w, err := svc.CreateWarehouse(as, wh.WarehouseInput{Code: code, Name: code, Timezone: "UTC", Kind: wh.Overseas, Active: true,
			Address: wh.Address{Line1: "1 Road", City: "City", Country: "CN"}})
		if err != nil {
			t.Fatal(err)
		}
		warehouses = append(warehouses, w.ID)
	}
	var skus []string
	for i := range 12 {
		k, err := svc.CreateSKU(as, wh.SKUInput{AccountID: acct, Code: fmt.Sprintf("SKU-%02d", i), Name: "Item",
			UnitValue: money.New(100, money.MustCurrency("USD"))})
		if err != nil {
			t.Fatal(err)
		}
		skus = append(skus, k.ID)
	}
	for i := range 100 {
		_, err := svc.CreateFulfilmentOrder(as, wh.OrderInput{AccountID: acct, WarehouseID: warehouses[i%3],
			IdempotencyKey: fmt.Sprint("rt-", i), ServiceLevel: wh.Standard,
			ShipTo: wh.ShipTo{Name: "A", Address: wh.Address{Line1: "1", City: "X", Country: "US"}},
			Lines:  []wh.OrderLine{{SKUID: skus[i%12], Quantity: 1}, {SKUID: skus[(i+5)%12], Quantity: 2}}})
		if err != nil {
			t.Fatal(err)
		}
	}

	h := graph.NewHandler(&graph.Resolver{Logger: logger, Warehousing: svc}, graph.ServerConfig{Logger: logger, LoaderWait: roundTripWait,
		Cost: cost.Config{MaxQueryCost: 1_000_000, BucketSize: 10_000_000, RestoreRate: 1_000_000}})
	signedIn := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), &auth.Principal{Kind: auth.KindUser, UserID: admin})))
	})
	count := func(first int) (int64, int) {
		body, _ := json.Marshal(map[string]any{
			"query": `query($a: ID!, $n: Int!) { fulfilmentOrders(accountId: $a, first: $n) { nodes { id status
				warehouse { code } lines { quantity sku { code name } } } } }`,
			"variables": map[string]any{"a": acct, "n": first},
		})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		before := trips.n.Load()
		signedIn.ServeHTTP(rec, req)
		n := trips.n.Load() - before
		var resp struct {
			Data struct {
				FulfilmentOrders struct {
					Nodes []struct {
						Warehouse struct{ Code string }
						Lines     []struct{ Sku struct{ Code string } }
					}
				}
			}
			Errors []any
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || len(resp.Errors) > 0 {
			t.Fatalf("response: %v %s", err, rec.Body.String())
		}
		nodes := resp.Data.FulfilmentOrders.Nodes
		for _, o := range nodes {
			if o.Warehouse.Code == "" || len(o.Lines) != 2 || o.Lines[0].Sku.Code == "" {
				t.Fatalf("incomplete order in the response: %+v", o)
			}
		}
		return n, len(nodes)
	}
	ten, n10 := count(10)
	hundred, n100 := count(100)
	if n10 != 10 || n100 != 100 {
		t.Fatalf("listed %d and %d orders, want 10 and 100", n10, n100)
	}
	if ten != hundred {
		t.Errorf("round trips: %d for 10 orders, %d for 100; want the same", ten, hundred)
	}
	// One query for the orders, one $in for their warehouses, one for their SKUs.
	if hundred > 3 {
		t.Errorf("round trips for 100 orders: %d, want at most 3", hundred)
	}
	t.Logf("round trips: 10 orders %d, 100 orders %d", ten, hundred)
}

package loaders_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
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
	"github.com/tradehub/tradehub/services/transport"
	"github.com/tradehub/tradehub/services/transport/ratecard"
	"github.com/tradehub/tradehub/services/usage"
)

// Listing 25 shipments with their carrier, latest event and customs declaration costs the same
// number of store round trips as listing 5 (and so does 100: the count does not depend on the
// page size): the timeline and declaration live in the shipment document, and carriers load
// through the request's dataloader. 25 rather than 100 bookings keep the test to seconds on the
// embedded store (each booking writes a label and an invoice PDF).
func TestShipmentListRoundTripsDoNotGrowWithItems(t *testing.T) {
	var trips roundTrips
	store := mongotest.Store(t, trips.monitor())
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	acc, err := access.New(ctx, store.Client, store.DB, logger)
	if err != nil {
		t.Fatal(err)
	}
	if err := mongodb.EnsureIndexes(ctx, store.DB, append(transport.Indexes(), usage.Indexes()...)...); err != nil {
		t.Fatal(err)
	}
	svc := transport.NewService(transport.Config{DB: store.DB, Access: acc, Usage: usage.NewService(store.DB, clock.System()), Logger: logger})
	if _, err := svc.SeedDemo(ctx, false); err != nil {
		t.Fatal(err)
	}
	admin, acct := ids.New(ids.User), ids.New(ids.Account)
	if err := acc.Assign(ctx, access.Assignment{Subject: admin, Role: access.PlatformAdmin, Domain: access.DomainPlatform}); err != nil {
		t.Fatal(err)
	}
	as := auth.WithPrincipal(ctx, &auth.Principal{Kind: auth.KindUser, UserID: admin})
	usd := money.MustCurrency("USD")
	for i := range 25 {
		res, err := svc.QuoteShipment(as, transport.QuoteInput{AccountID: acct,
			Origin:      &transport.Address{Name: "Brightlight", Line1: "1 Keji Rd", City: "Shenzhen", Country: "CN"},
			Destination: transport.Address{Name: "Maya", Line1: "500 Congress Ave", City: "Austin", PostalCode: "78701", Country: "US"},
			Parcels:     []ratecard.Parcel{{WeightGrams: 1500, LengthMM: 300, WidthMM: 200, HeightMM: 100}},
			Contents: []transport.ContentItem{{Description: "Lamp", HSCode: "940521", OriginCountry: "CN", Quantity: 1,
				UnitValue: money.New(2500, usd)}}})
		if err != nil || len(res.Quotes) == 0 {
			t.Fatalf("quote %d: %v", i, err)
		}
		if _, err := svc.BookShipment(as, transport.BookInput{AccountID: acct, QuoteID: res.Quotes[i%len(res.Quotes)].ID,
			IdempotencyKey: "k" + strconv.Itoa(i)}); err != nil {
			t.Fatalf("book %d: %v", i, err)
		}
	}

	h := graph.NewHandler(&graph.Resolver{Logger: logger, Transport: svc}, graph.ServerConfig{Logger: logger, LoaderWait: roundTripWait,
		Cost: cost.Config{MaxQueryCost: 1_000_000, BucketSize: 10_000_000, RestoreRate: 1_000_000}})
	signedIn := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), &auth.Principal{Kind: auth.KindUser, UserID: admin})))
	})
	count := func(first int) (int64, int) {
		body, _ := json.Marshal(map[string]any{
			"query": `query($a: ID!, $n: Int!) { shipments(accountId: $a, first: $n) { nodes { id status
				carrier { code name } latestEvent { status } declaration { items { hsCode } estimate { total { amount } } } } } }`,
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
				Shipments struct {
					Nodes []struct {
						Carrier     struct{ Code string }
						Declaration *struct{ Items []struct{ HsCode string } }
					}
				}
			}
			Errors []any
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || len(resp.Errors) > 0 {
			t.Fatalf("response: %v %s", err, rec.Body.String())
		}
		nodes := resp.Data.Shipments.Nodes
		for _, s := range nodes {
			if s.Carrier.Code == "" || s.Declaration == nil || len(s.Declaration.Items) != 1 {
				t.Fatalf("incomplete shipment in the response: %+v", s)
			}
		}
		return n, len(nodes)
	}
	few, n5 := count(5)
	many, n25 := count(25)
	if n5 != 5 || n25 != 25 {
		t.Fatalf("listed %d and %d shipments, want 5 and 25", n5, n25)
	}
	if few != many {
		t.Errorf("round trips: %d for 5 shipments, %d for 25; want the same", few, many)
	}
	// One query for the page (timeline and declaration inside), one $in for the carriers.
	if many > 2 {
		t.Errorf("round trips for 25 shipments: %d, want at most 2", many)
	}
	t.Logf("round trips: 5 shipments %d, 25 shipments %d", few, many)
}

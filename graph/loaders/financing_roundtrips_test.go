package loaders_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/event"

	"github.com/tradehub/tradehub/graph"
	"github.com/tradehub/tradehub/graph/cost"
	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/internal/mongodb/mongotest"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/events"
	"github.com/tradehub/tradehub/services/financing"
	"github.com/tradehub/tradehub/services/usage"
)

// goodsInTransit is the seller's shipments as transport would describe them to financing.
type goodsInTransit map[string]financing.ShipmentInfo

func (g goodsInTransit) CollateralShipment(_ context.Context, accountID, id string) (financing.ShipmentInfo, error) {
	sh, ok := g[id]
	if !ok || sh.AccountID != accountID {
		return financing.ShipmentInfo{}, financing.ErrNotFound
	}
	return sh, nil
}

func (g goodsInTransit) OpenShipments(_ context.Context, accountID string) ([]financing.ShipmentInfo, error) {
	var out []financing.ShipmentInfo
	for _, sh := range g {
		if sh.AccountID == accountID {
			out = append(out, sh)
		}
	}
	return out, nil
}

func (goodsInTransit) LaneScore(context.Context, string, string, financing.Lane) (financing.LaneScore, error) {
	return financing.LaneScore{}, nil
}

// shelfStock is the seller's available stock as warehousing would describe it to financing;
// a pledge moves units out of what is available, as warehousing's guarded update does.
type shelfStock struct {
	mu    sync.Mutex
	lines map[string]*financing.StockLine // by SKU@warehouse
}

func (s *shelfStock) StockForCollateral(context.Context, string) ([]financing.StockLine, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []financing.StockLine
	for _, l := range s.lines {
		out = append(out, *l)
	}
	return out, nil
}

func (s *shelfStock) PledgeStock(_ context.Context, _, sku, whs string, qty int64, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.lines[sku+"@"+whs]
	if l == nil || l.Available < qty {
		return errs.E(errs.FailedPrecondition, "insufficient stock")
	}
	l.Available -= qty
	return nil
}

func (s *shelfStock) ReleaseStock(_ context.Context, _, sku, whs string, qty int64, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l := s.lines[sku+"@"+whs]; l != nil {
		l.Available += qty
	}
	return nil
}

// Listing an account's loans with their pledged collateral (a shipment in transit and stock in
// a warehouse each), their schedule and their statement (ledger entries with their lines, trial
// balance), next to the account's facilities with their product, costs the same store round
// trips with 100 loans as with 10, for the lending partner, the seller and a platform admin: a
// loan document holds its collateral as pledged (kept current at write time) and its ledger, the
// schedule and statement are computed from it, and the facilities' products load through the
// request's dataloader. Loan exposes its facility as facilityId only, so a loans screen reads
// the facilities next to the loans.
func TestLoanListRoundTripsDoNotGrowWithItems(t *testing.T) {
	var trips roundTrips
	var mu sync.Mutex
	var commands []string
	store := mongotest.Store(t, &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		trips.n.Add(1)
		mu.Lock()
		commands = append(commands, e.CommandName+":"+e.Command.Lookup(e.CommandName).String())
		mu.Unlock()
	}})
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	acc, err := access.New(ctx, store.Client, store.DB, logger)
	if err != nil {
		t.Fatal(err)
	}
	if err := mongodb.EnsureIndexes(ctx, store.DB, append(financing.Indexes(), usage.Indexes()...)...); err != nil {
		t.Fatal(err)
	}
	admin, seller, lender := ids.New(ids.User), ids.New(ids.User), ids.New(ids.User)
	acct, partner := ids.New(ids.Account), ids.New(ids.Partner)
	for _, a := range []access.Assignment{{Subject: admin, Role: access.PlatformAdmin, Domain: access.DomainPlatform},
		{Subject: seller, Role: access.Owner, Domain: acct}, {Subject: lender, Role: access.PartnerAdmin, Domain: partner}} {
		if err := acc.Assign(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := acc.GrantConsent(ctx, acct, partner); err != nil {
		t.Fatal(err)
	}
	as := func(u string) context.Context {
		return auth.WithPrincipal(ctx, &auth.Principal{Kind: auth.KindUser, UserID: u})
	}

	usd := money.MustCurrency("USD")
	ships := goodsInTransit{}
	stock := &shelfStock{lines: map[string]*financing.StockLine{}}
	warehouses := []string{ids.New(ids.Warehouse), ids.New(ids.Warehouse), ids.New(ids.Warehouse)}
	// Loan i pledges shipments[i] and 20 units of shelves[i]: a piece of collateral backs one
	// loan at a time.
	var shipments []string
	var shelves []*financing.StockLine
	for i := range 10 {
		sh := financing.ShipmentInfo{ID: ids.New(ids.Shipment), AccountID: acct, Status: "IN_TRANSIT", TrackingNumber: fmt.Sprintf("SX%06d", i),
			CarrierID: ids.New(ids.Carrier), ServiceCode: "EXPRESS", Lane: financing.Lane{Origin: "CN", Destination: "US"},
			DeclaredValue: money.New(500_000, usd)}
		ships[sh.ID] = sh
		shipments = append(shipments, sh.ID)
		l := &financing.StockLine{SKUID: ids.New(ids.SKU), SKUCode: fmt.Sprintf("LAMP-%03d", i), WarehouseID: warehouses[i%3],
			Available: 40, UnitValue: money.New(2_500, usd)}
		stock.lines[l.SKUID+"@"+l.WarehouseID] = l
		shelves = append(shelves, l)
	}

	svc := financing.NewService(financing.Config{DB: store.DB, Access: acc, Partners: acc, Shipments: ships, Inventory: stock,
		Usage: usage.NewService(store.DB, clock.System()), Logger: logger})
	product, err := svc.CreateProduct(as(lender), financing.Product{PartnerID: partner, Name: "Goods in transit and on shelves", Currency: usd,
		Collateral: []financing.CollateralTerms{{Type: financing.CollateralShipment, AdvanceRateBps: 8000},
			{Type: financing.CollateralInventory, AdvanceRateBps: 5000}},
		APRBps: 1200, FeeBps: 100, MinFee: money.New(5_000, usd), LateFee: money.New(2_500, usd), MaxTenorDays: 90, GraceDays: 5})
	if err != nil {
		t.Fatal(err)
	}
	facility, err := svc.CreateFacility(as(lender), financing.FacilityInput{AccountID: acct, ProductID: product.ID, Limit: money.New(100_000_000, usd)})
	if err != nil {
		t.Fatal(err)
	}
	// Ten loans made through the service: requested by the seller, approved and funded by the
	// lender, half of them partly repaid, so that their documents are the ones the read path meets.
	for i := range 10 {
		r, err := svc.RequestFinancing(as(seller), financing.RequestInput{FacilityID: facility.ID, Amount: money.New(300_000, usd), TenorDays: 60,
			Collateral: []financing.CollateralRef{{Type: financing.CollateralShipment, ID: shipments[i]},
				{Type: financing.CollateralInventory, ID: shelves[i].SKUID, WarehouseID: shelves[i].WarehouseID, Quantity: 20}}})
		if err == nil {
			_, err = svc.ApproveRequest(as(lender), financing.ApproveInput{RequestID: r.ID})
		}
		var l financing.Loan
		if err == nil {
			l, err = svc.FundRequest(as(lender), r.ID)
		}
		if err == nil && i%2 == 0 {
			_, err = svc.RecordPayment(as(lender), l.ID, money.New(50_000, usd), fmt.Sprint("wire-", i))
		}
		if err != nil {
			t.Fatalf("loan %d: %v", i, err)
		}
	}

	h := graph.NewHandler(&graph.Resolver{Logger: logger, Financing: svc}, graph.ServerConfig{Logger: logger, LoaderWait: roundTripWait,
		Cost: cost.Config{MaxQueryCost: 1_000_000, BucketSize: 10_000_000, RestoreRate: 1_000_000}})
	count := func(caller, user string, loans int) int64 {
		t.Helper()
		body, _ := json.Marshal(map[string]any{
			"query": `query($a: ID!) {
				creditFacilities(accountId: $a) { id available { amount } product { name aprBps } }
				loans(accountId: $a) { id status facilityId principal { amount currencyCode } outstanding { amount } paid { amount }
					dueDate ltvBps collateralReleased
					collateral { type id warehouseId quantity description status lane { origin destination } value { amount } advance { amount } eligible deliveredAt }
					schedule { dueDate amount { amount } }
					statement { balanced outstanding { amount } totalDebits { amount }
						entries { id kind day reference lines { account debit { amount } credit { amount } } }
						balances { account balance { amount } } } } }`,
			"variables": map[string]any{"a": acct},
		})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body)).WithContext(as(user))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		mu.Lock()
		commands = nil
		mu.Unlock()
		before := trips.n.Load()
		h.ServeHTTP(rec, req)
		n := trips.n.Load() - before
		mu.Lock()
		t.Logf("%s, %d loans: %v", caller, loans, commands)
		mu.Unlock()
		var resp struct {
			Data struct {
				CreditFacilities []struct{ Product struct{ Name string } }
				Loans            []struct {
					FacilityID string
					Collateral []struct{ Type, ID string }
					Schedule   []struct{ DueDate string }
					Statement  struct {
						Balanced bool
						Entries  []struct{ Kind string }
					}
				}
			}
			Errors []any
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || len(resp.Errors) > 0 {
			t.Fatalf("response: %v %s", err, rec.Body.String())
		}
		if len(resp.Data.CreditFacilities) != 1 || resp.Data.CreditFacilities[0].Product.Name == "" {
			t.Fatalf("facility without its product: %s", rec.Body.String())
		}
		if len(resp.Data.Loans) != loans {
			t.Fatalf("%s listed %d loans, want %d", caller, len(resp.Data.Loans), loans)
		}
		for _, l := range resp.Data.Loans {
			if l.FacilityID != facility.ID || len(l.Collateral) != 2 || len(l.Schedule) != 1 || !l.Statement.Balanced || len(l.Statement.Entries) < 2 {
				t.Fatalf("incomplete loan in the response: %+v", l)
			}
		}
		return n
	}

	callers := []struct {
		name, user string
	}{{"lending partner", lender}, {"seller", seller}, {"platform admin", admin}}
	few := make([]int64, len(callers))
	for i, c := range callers {
		few[i] = count(c.name, c.user, 10)
	}
	// The other 90 loans are copies of those ten documents under new ids, seeded in bulk as
	// cmd/bench seeds: funding 100 loans one by one through the service took 30 s here on the
	// embedded store, and the read path cannot tell a copy from its original.
	loans := store.DB.Collection(financing.CollLoans)
	var funded []bson.M
	if cur, err := loans.Find(ctx, bson.M{}); err != nil || cur.All(ctx, &funded) != nil || len(funded) != 10 {
		t.Fatalf("read the funded loans: %v (%d)", err, len(funded))
	}
	var copies []any
	for i := range 90 {
		d := maps.Clone(funded[i%10])
		d["_id"], d["requestid"] = ids.New(ids.Loan), ids.New(ids.FinancingRequest) // requestid is unique
		delete(d, events.OutboxField)
		copies = append(copies, d)
	}
	if _, err := loans.InsertMany(ctx, copies); err != nil {
		t.Fatal(err)
	}
	for i, c := range callers {
		many := count(c.name, c.user, 100)
		if few[i] != many {
			t.Errorf("%s: round trips %d for 10 loans, %d for 100; want the same", c.name, few[i], many)
		}
		// One find of the facilities, one $in of their products, one find of the loans.
		if many > 3 {
			t.Errorf("%s: round trips for 100 loans: %d, want at most 3", c.name, many)
		}
		t.Logf("%s: round trips: 10 loans %d, 100 loans %d", c.name, few[i], many)
	}
}

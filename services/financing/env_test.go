package financing

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/internal/mongodb/mongotest"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/usage"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Run(m)) }

// fakeAccess grants per user: domain → resources ("*" for any). Consent is the test's business:
// a partner user is granted the account's financing resources only while the account consents,
// as the access service's consent clause does. These tests are about financing, not casbin.
type fakeAccess struct {
	mu     sync.Mutex
	grants map[string]map[string][]access.Resource
}

func (f *fakeAccess) grant(user, domain string, res ...access.Resource) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.grants[user] == nil {
		f.grants[user] = map[string][]access.Resource{}
	}
	f.grants[user][domain] = append(f.grants[user][domain], res...)
}

func (f *fakeAccess) revoke(user, domain string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.grants[user], domain)
}

func (f *fakeAccess) Require(ctx context.Context, domain string, res access.Resource, act access.Action) error {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return access.ErrUnauthenticated
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	g := f.grants[p.UserID]
	for _, d := range []string{domain, "*"} {
		for _, r := range g[d] {
			if r == res || r == "*" {
				return nil
			}
		}
	}
	for _, d := range []string{domain, "*"} {
		if slices.Contains(g[d], ResFinancing) || slices.Contains(g[d], "*") {
			return access.ErrForbidden
		}
	}
	return access.ErrNotFound
}

type fakePartners struct {
	mu       sync.Mutex
	of       map[string]string
	consents map[string][]string
}

func (f *fakePartners) PartnerOf(ctx context.Context) string {
	p, _ := auth.PrincipalFrom(ctx)
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.of[p.UserID]
}

func (f *fakePartners) ConsentingAccounts(partnerID string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.consents[partnerID])
}

type fakeShipments struct {
	mu sync.Mutex
	m  map[string]ShipmentInfo
}

func (f *fakeShipments) CollateralShipment(_ context.Context, accountID, id string) (ShipmentInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	sh, ok := f.m[id]
	if !ok || sh.AccountID != accountID {
		return ShipmentInfo{}, ErrNotFound
	}
	return sh, nil
}

func (f *fakeShipments) OpenShipments(_ context.Context, accountID string) ([]ShipmentInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []ShipmentInfo
	for _, sh := range f.m {
		if sh.AccountID == accountID {
			out = append(out, sh)
		}
	}
	slices.SortFunc(out, func(a, b ShipmentInfo) int { return compare(a.ID, b.ID) })
	return out, nil
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (f *fakeShipments) LaneScore(context.Context, string, string, Lane) (LaneScore, error) {
	return LaneScore{Shipments: 10, Delivered: 9, OnTime: 8, Exceptions: 1}, nil
}

func (f *fakeShipments) set(id string, fn func(*ShipmentInfo)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	sh := f.m[id]
	fn(&sh)
	f.m[id] = sh
}

type fakeInventory struct {
	mu      sync.Mutex
	lines   map[string]*StockLine
	pledged map[string]int64
}

func (f *fakeInventory) StockForCollateral(_ context.Context, accountID string) ([]StockLine, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []StockLine
	for _, l := range f.lines {
		out = append(out, *l)
	}
	return out, nil
}

func (f *fakeInventory) PledgeStock(_ context.Context, _, sku, whs string, qty int64, _ string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := f.lines[sku+"@"+whs]
	if l == nil || l.Available < qty {
		return errs.E(errs.FailedPrecondition, "insufficient stock")
	}
	l.Available -= qty
	f.pledged[sku+"@"+whs] += qty
	return nil
}

func (f *fakeInventory) ReleaseStock(_ context.Context, _, sku, whs string, qty int64, _ string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pledged[sku+"@"+whs] < qty {
		return nil // released already
	}
	f.lines[sku+"@"+whs].Available += qty
	f.pledged[sku+"@"+whs] -= qty
	return nil
}

type fakePOs struct{ m map[string]POCollateral }

func (f fakePOs) PurchaseOrdersForCollateral(context.Context, string) ([]POCollateral, error) {
	var out []POCollateral
	for _, p := range f.m {
		out = append(out, p)
	}
	return out, nil
}

func (f fakePOs) PurchaseOrderForCollateral(_ context.Context, _, id string) (POCollateral, error) {
	p, ok := f.m[id]
	if !ok {
		return POCollateral{}, ErrNotFound
	}
	return p, nil
}

var usd = money.MustCurrency("USD")

func usdm(minor int64) money.Money { return money.New(minor, usd) }

type env struct {
	t        *testing.T
	svc      *Service
	clk      *clock.Fake
	acc      *fakeAccess
	partners *fakePartners
	ships    *fakeShipments
	inv      *fakeInventory
	usage    *usage.Service
	acct     string
	partner  string
	seller   context.Context // OWNER of acct
	viewer   context.Context // VIEWER of acct
	lender   context.Context // PARTNER_ADMIN of partner
	analyst  context.Context // PARTNER_ANALYST
	other    context.Context // admin of another partner with no consent
	staff    context.Context
	product  Product
	facility Facility
}

var start = time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC)

func as(user string) context.Context {
	return auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.KindUser, UserID: user})
}

func newEnv(t *testing.T, withPOs bool) *env {
	t.Helper()
	db := mongotest.DB(t)
	ctx := context.Background()
	if err := mongodb.EnsureIndexes(ctx, db, append(Indexes(), usage.Indexes()...)...); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, clk: clock.NewFake(start), acct: ids.New(ids.Account), partner: ids.New(ids.Partner)}
	e.acc = &fakeAccess{grants: map[string]map[string][]access.Resource{}}
	e.acc.grant("owner", e.acct, ResFinancing, ResFinancingRequests)
	e.acc.grant("viewer", e.acct, ResFinancing)
	e.acc.grant("padmin", e.partner, ResProducts)
	e.acc.grant("padmin", e.acct, ResFinancing, ResFinancingDecisions, ResLoanPayments)
	e.acc.grant("analyst", e.partner, ResProducts)
	e.acc.grant("analyst", e.acct, ResFinancing)
	e.acc.grant("staff", "*", "*")
	e.partners = &fakePartners{of: map[string]string{"padmin": e.partner, "analyst": e.partner, "other": ids.New(ids.Partner)},
		consents: map[string][]string{e.partner: {e.acct}}}
	e.ships = &fakeShipments{m: map[string]ShipmentInfo{}}
	e.inv = &fakeInventory{lines: map[string]*StockLine{}, pledged: map[string]int64{}}
	e.usage = usage.NewService(db, e.clk)
	cfg := Config{DB: db, Access: e.acc, Partners: e.partners, Shipments: e.ships, Inventory: e.inv, Usage: e.usage, Clock: e.clk}
	if withPOs {
		cfg.PurchaseOrders = fakePOs{m: map[string]POCollateral{
			"po_1": {ID: "po_1", Number: "PO-1", Status: "CONFIRMED", Confirmed: usdm(1_000_000), Received: usdm(400_000)},
		}}
	}
	e.svc = NewService(cfg)
	e.seller, e.viewer, e.lender, e.analyst, e.other, e.staff = as("owner"), as("viewer"), as("padmin"), as("analyst"), as("other"), as("staff")
	var err error
	e.product, err = e.svc.CreateProduct(e.lender, Product{PartnerID: e.partner, Name: "Goods in transit", Currency: usd,
		Collateral: []CollateralTerms{
			{Type: CollateralShipment, AdvanceRateBps: 8000, Conditions: []string{"INSURED", "BOOKED_THROUGH_TRADEHUB"}},
			{Type: CollateralInventory, AdvanceRateBps: 5000, SubLimit: usdm(300_000)},
			{Type: CollateralPurchaseOrder, AdvanceRateBps: 6000},
		},
		APRBps: 1200, FeeBps: 100, MinFee: usdm(5_000), LateFee: usdm(2_500), MaxTenorDays: 90, GraceDays: 5,
		EligibleLanes: []Lane{{"CN", "US"}, {"CN", "DE"}}})
	if err != nil {
		t.Fatal(err)
	}
	e.facility, err = e.svc.CreateFacility(e.lender, FacilityInput{AccountID: e.acct, ProductID: e.product.ID, Limit: usdm(5_000_000)})
	if err != nil {
		t.Fatal(err)
	}
	e.ships.m["shp_a"] = ShipmentInfo{ID: "shp_a", AccountID: e.acct, Status: "IN_TRANSIT", TrackingNumber: "SX123", CarrierID: "crr_1",
		ServiceCode: "EXPRESS", Lane: Lane{"CN", "US"}, DeclaredValue: usdm(1_000_000)}
	e.ships.m["shp_held"] = ShipmentInfo{ID: "shp_held", AccountID: e.acct, Status: "CUSTOMS_HOLD", Lane: Lane{"CN", "US"}, DeclaredValue: usdm(500_000)}
	e.ships.m["shp_lane"] = ShipmentInfo{ID: "shp_lane", AccountID: e.acct, Status: "IN_TRANSIT", Lane: Lane{"CN", "AU"}, DeclaredValue: usdm(500_000)}
	e.ships.m["shp_foreign"] = ShipmentInfo{ID: "shp_foreign", AccountID: ids.New(ids.Account), Status: "IN_TRANSIT", Lane: Lane{"CN", "US"}, DeclaredValue: usdm(500_000)}
	e.inv.lines["sku_1@whs_1"] = &StockLine{SKUID: "sku_1", SKUCode: "LAMP", WarehouseID: "whs_1", Available: 100, UnitValue: usdm(2_500)}
	return e
}

func (e *env) request(refs []CollateralRef, amount int64, tenor int) (Request, error) {
	return e.svc.RequestFinancing(e.seller, RequestInput{FacilityID: e.facility.ID, Collateral: refs, Amount: usdm(amount), TenorDays: tenor})
}

func shipmentRef(id string) CollateralRef { return CollateralRef{Type: CollateralShipment, ID: id} }

func stockRef(qty int64) CollateralRef {
	return CollateralRef{Type: CollateralInventory, ID: "sku_1", WarehouseID: "whs_1", Quantity: qty}
}

func reasonOf(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errs.As(err); ok {
		if e.Reason != "" {
			return e.Reason
		}
		return string(e.Code)
	}
	return fmt.Sprint(err)
}

func (e *env) loanDoc(id string) Loan {
	e.t.Helper()
	d, err := findOne[loanDoc](context.Background(), e.svc.loans, bson.D{{Key: fID, Value: id}})
	if err != nil {
		e.t.Fatal(err)
	}
	return d.Loan
}

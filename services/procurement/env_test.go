package procurement

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

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

// fakeAccess grants per user: domain → resources, "res" for read and write, "res:read" for
// read only, "*" for everything ("*" as a domain: every domain). It stands in for the access
// service, which is another domain's concern: these tests are about procurement's rules.
type fakeAccess struct {
	grants map[string]map[string][]string
}

func (f fakeAccess) Require(ctx context.Context, domain string, res access.Resource, act access.Action) error {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return access.ErrUnauthenticated
	}
	canRead := false
	for _, d := range []string{domain, "*"} {
		for _, g := range f.grants[p.UserID][d] {
			if g == "*" || g == string(res) {
				return nil
			}
			if g == string(res)+":read" {
				canRead = true
			}
		}
	}
	if canRead && act == access.Read {
		return nil
	}
	if canRead {
		return access.ErrForbidden
	}
	return access.ErrNotFound
}

// fakeFreight prices every lane the same: USD 320.00 freight and USD 86.56 duties, no taxes;
// it records what it was asked.
type fakeFreight struct {
	mu    sync.Mutex
	asked []FreightRequest
}

func (f *fakeFreight) EstimateFreight(_ context.Context, r FreightRequest) (FreightEstimate, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, r)
	if r.OriginCountry == "KP" {
		return FreightEstimate{}, errs.E(errs.FailedPrecondition, "no route")
	}
	return FreightEstimate{Freight: usd(32000), Duties: usd(8656), Taxes: usd(0), Carrier: "OCEANIC", Service: "FCL", TransitDays: 24}, nil
}

type fakeInbound struct {
	mu       sync.Mutex
	requests []InboundRequest
}

func (f *fakeInbound) CreateInbound(_ context.Context, r InboundRequest) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r)
	return ids.New(ids.Receipt), nil
}

type fakeWarehouses map[string]WarehouseInfo

func (f fakeWarehouses) Warehouse(_ context.Context, id string) (WarehouseInfo, bool, error) {
	w, ok := f[id]
	return w, ok, nil
}

type fakeCatalog map[string]SKUInfo // by SKU id; account in the info's Code prefix

func (f fakeCatalog) SKUs(_ context.Context, accountID string, list []string) (map[string]SKUInfo, error) {
	out := map[string]SKUInfo{}
	for _, id := range list {
		if k, ok := f[id]; ok && strings.HasPrefix(k.Code, accountID) {
			out[id] = k
		}
	}
	return out, nil
}

type env struct {
	t                  *testing.T
	db                 *mongo.Database
	svc                *Service
	clk                *clock.Fake
	usage              *usage.Service
	freight            *fakeFreight
	inbound            *fakeInbound
	acct, other        string
	warehouse          string
	supA, supB, supC   string // CN, DE and US suppliers, curated
	skuA, skuB         string // SKUs of acct
	buyer, viewer      context.Context
	stranger, am       context.Context
	admin              context.Context
	supUserA, supUserB context.Context
}

var start = time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC)

func usd(minor int64) money.Money { return money.New(minor, money.MustCurrency("USD")) }

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db := mongotest.DB(t)
	if err := mongodb.EnsureIndexes(ctx, db, append(Indexes(), usage.Indexes()...)...); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, clk: clock.NewFake(start), freight: &fakeFreight{}, inbound: &fakeInbound{},
		acct: ids.New(ids.Account), other: ids.New(ids.Account), warehouse: ids.New(ids.Warehouse),
		supA: ids.New(ids.Supplier), supB: ids.New(ids.Supplier), supC: ids.New(ids.Supplier),
		skuA: ids.New(ids.SKU), skuB: ids.New(ids.SKU)}
	e.usage = usage.NewService(db, e.clk)
	all := []string{string(access.Suppliers), string(access.RFQs), string(access.PurchaseOrders), string(access.SupplierQuotes) + ":read"}
	supplierGrants := []string{string(access.Suppliers) + ":read", string(access.RFQs) + ":read", string(access.SupplierQuotes), string(access.PurchaseOrders)}
	fa := fakeAccess{grants: map[string]map[string][]string{
		"usr_buyer":    {e.acct: all},
		"usr_viewer":   {e.acct: {"suppliers:read", "rfqs:read", "supplier_quotes:read", "purchase_orders:read"}},
		"usr_stranger": {e.other: all},
		"usr_am":       {e.acct: {"*"}},
		"usr_admin":    {"*": {"*"}},
		"usr_supa":     {e.supA: supplierGrants},
		"usr_supb":     {e.supB: supplierGrants},
	}}
	supplierOf := map[string]string{"usr_supa": e.supA, "usr_supb": e.supB}
	e.svc = NewService(Config{DB: db, Access: fa, Usage: e.usage, Freight: e.freight, Inbound: e.inbound, Clock: e.clk,
		Warehouses: fakeWarehouses{e.warehouse: {ID: e.warehouse, Code: "LAX1", Country: "US", Active: true}},
		Catalog: fakeCatalog{
			e.skuA: {ID: e.skuA, Code: e.acct + "-LAMP", Name: "Desk lamp", HSCode: "940520", WeightGrams: 800, Reorder: map[string]int64{e.warehouse: 600}},
			e.skuB: {ID: e.skuB, Code: e.acct + "-BULB", Name: "Bulb", WeightGrams: 50},
		},
		SupplierOf: func(ctx context.Context) (string, bool) {
			p, ok := auth.PrincipalFrom(ctx)
			if !ok {
				return "", false
			}
			s, ok := supplierOf[p.UserID]
			return s, ok
		}})
	as := func(user string) context.Context {
		return auth.WithPrincipal(ctx, &auth.Principal{Kind: auth.KindUser, UserID: user})
	}
	e.buyer, e.viewer, e.stranger, e.am, e.admin = as("usr_buyer"), as("usr_viewer"), as("usr_stranger"), as("usr_am"), as("usr_admin")
	e.supUserA, e.supUserB = as("usr_supa"), as("usr_supb")
	for _, s := range []struct{ id, name, country string }{{e.supA, "Dongguan Precision", "CN"}, {e.supB, "Schwarzwald Werk", "DE"}, {e.supC, "Ohio Parts", "US"}} {
		if _, err := e.svc.CreateSupplier(e.admin, SupplierInput{ID: s.id, Name: s.name, Country: s.country, Status: SupplierVerified}); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []FXRateInput{{Base: "CNY", Quote: "USD", Rate: "0.1385"}, {Base: "EUR", Quote: "USD", Rate: "1.0825"},
		{Base: "USD", Quote: "JPY", Rate: "150.5"}} {
		at := start.Add(-time.Hour)
		r.EffectiveAt = &at
		if _, err := e.svc.SetFXRate(e.admin, r); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// rfq creates and sends a one-line RFQ for 1000 lamps in cur, inviting suppliers.
func (e *env) rfq(cur string, suppliers ...string) RFQ {
	e.t.Helper()
	target := "1.80"
	if cur == "JPY" {
		target = "270"
	}
	r, err := e.svc.CreateRFQ(e.buyer, RFQInput{AccountID: e.acct, Title: "Lamps", DestinationWarehouseID: e.warehouse,
		Currency: cur, ResponseDeadline: start.Add(72 * time.Hour), SupplierIDs: suppliers,
		Lines: []RFQLineInput{{SKUID: e.skuA, Quantity: 1000, TargetUnitPrice: &target, Specifications: "E27, 220 V"}}})
	if err != nil {
		e.t.Fatalf("CreateRFQ: %v", err)
	}
	r, err = e.svc.SendRFQ(e.buyer, r.ID)
	if err != nil {
		e.t.Fatalf("SendRFQ: %v", err)
	}
	return r
}

func (e *env) quote(ctx context.Context, rfqID, supplier string, inc Incoterm, cur, price string, lead int) Quote {
	e.t.Helper()
	q, err := e.svc.SubmitQuote(ctx, QuoteInput{RFQID: rfqID, SupplierID: supplier, Incoterm: inc, Currency: cur,
		ValidUntil: start.Add(30 * 24 * time.Hour), Lines: []QuoteLineInput{{RFQLineID: "1", UnitPrice: price, MOQ: 500, LeadTimeDays: lead}}})
	if err != nil {
		e.t.Fatalf("SubmitQuote: %v", err)
	}
	return q
}

func (e *env) count(coll string, filter bson.M) int64 {
	e.t.Helper()
	n, err := e.db.Collection(coll).CountDocuments(context.Background(), filter)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func wantCode(t *testing.T, err error, code errs.Code, reason, field string) {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Code != code || reason != "" && e.Reason != reason || field != "" && strings.Join(e.Field, ".") != field {
		var f []string
		if ok {
			f = e.Field
		}
		t.Fatalf("err = %v (field %v), want %s %s at %q", err, f, code, reason, field)
	}
}

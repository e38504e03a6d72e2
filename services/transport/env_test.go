package transport

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync/atomic"
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
	"github.com/tradehub/tradehub/services/transport/ratecard"
	"github.com/tradehub/tradehub/services/usage"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Run(m)) }

// fakeAccess grants per user: domain → resources ("*" for any domain or resource). It stands in
// for the access service, which is another domain's concern: these tests are about transport.
type fakeAccess struct {
	grants map[string]map[string][]string
}

func (f fakeAccess) Require(ctx context.Context, domain string, res access.Resource, act access.Action) error {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return access.ErrUnauthenticated
	}
	for _, d := range []string{domain, "*"} {
		for _, r := range f.grants[p.UserID][d] {
			if r == "*" || r == string(res) {
				return nil
			}
		}
	}
	return access.ErrNotFound
}

type countingNotifier struct{ n atomic.Int64 }

func (c *countingNotifier) Notify() { c.n.Add(1) }

type env struct {
	t        *testing.T
	db       *mongo.Database
	svc      *Service
	clk      *clock.Fake
	usage    *usage.Service
	relay    *countingNotifier
	acct     string
	other    string
	seller   context.Context // a seller of acct
	stranger context.Context // a seller of other
	staff    context.Context // platform admin
	carriers map[string]DemoCarrier
}

var start = time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC)

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvOn(t, mongotest.DB(t))
}

func newEnvOn(t *testing.T, db *mongo.Database) *env {
	t.Helper()
	ctx := context.Background()
	if err := mongodb.EnsureIndexes(ctx, db, append(Indexes(), usage.Indexes()...)...); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, clk: clock.NewFake(start), relay: &countingNotifier{},
		acct: ids.New(ids.Account), other: ids.New(ids.Account)}
	e.usage = usage.NewService(db, e.clk)
	fa := fakeAccess{grants: map[string]map[string][]string{
		"usr_seller":   {e.acct: {string(ResShipments), string(ResQuotes)}},
		"usr_stranger": {e.other: {string(ResShipments), string(ResQuotes)}},
		"usr_staff":    {"*": {"*"}},
	}}
	e.svc = NewService(Config{DB: db, Access: fa, Usage: e.usage, Relay: e.relay, Clock: e.clk})
	as := func(user string) context.Context {
		return auth.WithPrincipal(ctx, &auth.Principal{Kind: auth.KindUser, UserID: user})
	}
	e.seller, e.stranger, e.staff = as("usr_seller"), as("usr_stranger"), as("usr_staff")
	seeded, err := e.svc.SeedDemo(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	e.carriers = map[string]DemoCarrier{}
	for _, c := range seeded {
		e.carriers[c.Carrier.Code] = c
	}
	return e
}

func usd(minor int64) money.Money { return money.New(minor, money.MustCurrency("USD")) }

func cnOrigin() *Address {
	return &Address{Name: "Shenzhen Gadget Co", Line1: "88 Keyuan Rd", City: "Shenzhen", Region: "GD", PostalCode: "518057", Country: "CN"}
}

func usDest() Address {
	return Address{Name: "Ada Buyer", Line1: "1 Main St", City: "Portland", Region: "OR", PostalCode: "97201", Country: "US"}
}

func shirt() ContentItem {
	return ContentItem{Description: "Cotton T-shirt", HSCode: "6109.10", OriginCountry: "CN", Quantity: 2, UnitValue: usd(1500)}
}

// quoteInput is a 1.2 kg parcel of 30 × 20 × 15 cm with two shirts, CN → US.
func (e *env) quoteInput(inc Incoterm) QuoteInput {
	return QuoteInput{AccountID: e.acct, Origin: cnOrigin(), Destination: usDest(),
		Parcels:  []ratecard.Parcel{{WeightGrams: 1200, LengthMM: 300, WidthMM: 200, HeightMM: 150}},
		Contents: []ContentItem{shirt()}, Incoterm: inc}
}

func (e *env) quote(in QuoteInput) QuoteResult {
	e.t.Helper()
	res, err := e.svc.QuoteShipment(e.seller, in)
	if err != nil {
		e.t.Fatalf("QuoteShipment: %v", err)
	}
	return res
}

func (e *env) quoteOf(res QuoteResult, carrier, service string) Quote {
	e.t.Helper()
	for _, q := range res.Quotes {
		if q.CarrierCode == carrier && q.ServiceCode == service {
			return q
		}
	}
	e.t.Fatalf("no %s %s quote in %d quotes", carrier, service, len(res.Quotes))
	return Quote{}
}

func (e *env) book(q Quote, key string) Shipment {
	e.t.Helper()
	sh, err := e.svc.BookShipment(e.seller, BookInput{AccountID: e.acct, QuoteID: q.ID, IdempotencyKey: key})
	if err != nil {
		e.t.Fatalf("BookShipment: %v", err)
	}
	return sh
}

func (e *env) count(coll string, filter bson.D) int64 {
	e.t.Helper()
	n, err := e.db.Collection(coll).CountDocuments(context.Background(), filter)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// wantCode fails unless err carries the code and, when given, the reason.
func wantCode(t *testing.T, err error, code errs.Code, reason string) {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Code != code || reason != "" && e.Reason != reason {
		t.Fatalf("err = %v, want %s %s", err, code, reason)
	}
}

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || strings.Join(e.Field, ".") != field {
		t.Fatalf("err = %v (field %v), want field %s", err, e.Field, field)
	}
}

var _ = errors.Is

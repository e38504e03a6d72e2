package usage_test

import (
	"context"
	"maps"
	"math"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/internal/mongodb/mongotest"
	"github.com/tradehub/tradehub/services/usage"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Run(m)) }

var (
	t0  = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	usd = money.MustCurrency("USD")
	eur = money.MustCurrency("EUR")
	jpy = money.MustCurrency("JPY")
)

type fixture struct {
	svc  *usage.Service
	clk  *clock.Fake
	coll *mongo.Collection
}

func setup(t *testing.T) fixture {
	t.Helper()
	db := mongotest.DB(t)
	if err := mongodb.EnsureIndexes(context.Background(), db, usage.Indexes()...); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(t0.Add(30 * 24 * time.Hour))
	return fixture{svc: usage.NewService(db, clk), clk: clk, coll: db.Collection(usage.Collection)}
}

func (f fixture) count(t *testing.T) int64 {
	t.Helper()
	n, err := f.coll.CountDocuments(context.Background(), bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (f fixture) record(t *testing.T, r usage.Record) usage.Record {
	t.Helper()
	got, created, err := f.svc.Record(context.Background(), r)
	if err != nil || !created {
		t.Fatalf("Record(%s) = created %v, %v", r.SourceKey, created, err)
	}
	return got
}

func ptr(m money.Money) *money.Money { return &m }

func storage(acct, day string, q usage.Quantity) usage.Record {
	at, err := time.Parse(time.DateOnly, day)
	if err != nil {
		panic(err)
	}
	return usage.Record{
		AccountID: acct, Category: usage.Warehousing, Code: "storage.cubic_metre_day", Unit: "cubic_metre_day",
		Quantity: q, OccurredAt: at.Add(23 * time.Hour), SourceKey: "storage:" + acct + ":whs_1:" + day,
		Attributes: map[string]string{"warehouseId": "whs_1"},
	}
}

func TestRecord(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	acct := ids.New(ids.Account)
	in := usage.Record{
		AccountID: acct, Category: usage.Transport, Code: "freight.charge", Unit: "shipment",
		Quantity: usage.Units(1), Amount: ptr(money.New(125_050, usd)),
		OccurredAt: time.Date(2026, 11, 20, 10, 0, 0, 987654321, time.FixedZone("CET", 3600)),
		SourceKey:  "freight:shp_1", Attributes: map[string]string{"shipmentId": "shp_1", "lane": "SZX→LAX"},
	}
	got, created, err := f.svc.Record(ctx, in)
	if err != nil || !created {
		t.Fatalf("Record = %v, %v", created, err)
	}
	want := in
	want.Amount = ptr(*in.Amount)
	want.Attributes = maps.Clone(in.Attributes)
	want.ID = got.ID
	want.OccurredAt = time.Date(2026, 11, 20, 9, 0, 0, 987000000, time.UTC)
	want.CreatedAt = f.clk.Now()
	if !ids.HasPrefix(got.ID, ids.Usage) {
		t.Errorf("id = %q, want a use_ id", got.ID)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Record returned\n%+v\nwant\n%+v", got, want)
	}
	// Changing the caller's map or amount afterwards changes nothing stored.
	in.Attributes["lane"] = "changed"
	in.Amount.Amount = 1

	page, err := f.svc.List(ctx, acct, usage.Filter{}, cursor.Window{Limit: 10, Forward: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Records) != 1 || !reflect.DeepEqual(page.Records[0], want) {
		t.Fatalf("List = %+v, want [%+v]", page.Records, want)
	}

	// A replay returns the first record, even with other values.
	replay := in
	replay.Quantity = usage.Units(7)
	again, created, err := f.svc.Record(ctx, replay)
	if err != nil || created || !reflect.DeepEqual(again, want) {
		t.Fatalf("replay = %+v, created %v, %v; want the first record", again, created, err)
	}
	// The same key in another account is another fact.
	other := in
	other.AccountID = ids.New(ids.Account)
	if _, created, err := f.svc.Record(ctx, other); err != nil || !created {
		t.Fatalf("same key, other account: created %v, %v", created, err)
	}
	if n := f.count(t); n != 2 {
		t.Errorf("%d records stored, want 2", n)
	}
}

func TestRecordReplayedConcurrently(t *testing.T) {
	f := setup(t)
	acct := ids.New(ids.Account)
	const n = 50
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		created int
		idsSeen = map[string]int{}
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := storage(acct, "2026-11-20", usage.Quantity(1_000_000+i)) // replays may differ
			got, ok, err := f.svc.Record(context.Background(), r)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if ok {
				created++
			}
			idsSeen[got.ID]++
		}()
	}
	wg.Wait()
	if created != 1 || len(idsSeen) != 1 {
		t.Errorf("created %d, distinct ids %v; want 1 and one id", created, idsSeen)
	}
	if c := f.count(t); c != 1 {
		t.Errorf("%d records stored, want 1", c)
	}
}

func TestRecordRejects(t *testing.T) {
	f := setup(t)
	acct := ids.New(ids.Account)
	valid := usage.Record{
		AccountID: acct, Category: usage.Warehousing, Code: "receiving.unit", Unit: "unit",
		Quantity: usage.Units(12), OccurredAt: t0, SourceKey: "receiving:rcpt_1",
	}
	with := func(change func(*usage.Record)) usage.Record {
		r := valid
		change(&r)
		return r
	}
	tests := []struct {
		name  string
		in    usage.Record
		field string
	}{
		{"ErrIDSet", with(func(r *usage.Record) { r.ID = ids.New(ids.Usage) }), "id"},
		{"ErrInvoiceIDSet", with(func(r *usage.Record) { r.InvoiceID = ids.New(ids.Invoice) }), "invoiceId"},
		{"ErrCreatedAtSet", with(func(r *usage.Record) { r.CreatedAt = t0 }), "createdAt"},
		{"ErrNoAccount", with(func(r *usage.Record) { r.AccountID = "" }), "accountId"},
		{"ErrAccountNotAnAccount", with(func(r *usage.Record) { r.AccountID = ids.New(ids.Warehouse) }), "accountId"},
		{"ErrNoCategory", with(func(r *usage.Record) { r.Category = "" }), "category"},
		{"ErrUnknownCategory", with(func(r *usage.Record) { r.Category = "warehousing" }), "category"},
		{"ErrNoCode", with(func(r *usage.Record) { r.Code = "" }), "code"},
		{"ErrCodeOneWord", with(func(r *usage.Record) { r.Code = "receiving" }), "code"},
		{"ErrCodeUpperCase", with(func(r *usage.Record) { r.Code = "Receiving.Unit" }), "code"},
		{"ErrCodeTooLong", with(func(r *usage.Record) { r.Code = "a." + strings.Repeat("b", 63) }), "code"},
		{"ErrNoUnit", with(func(r *usage.Record) { r.Unit = "" }), "unit"},
		{"ErrUnitWithSpace", with(func(r *usage.Record) { r.Unit = "cubic metre" }), "unit"},
		{"ErrZeroQuantity", with(func(r *usage.Record) { r.Quantity = 0 }), "quantity"},
		{"ErrMinQuantity", with(func(r *usage.Record) { r.Quantity = math.MinInt64 }), "quantity"},
		{"ErrAmountWithoutCurrency", with(func(r *usage.Record) { r.Amount = &money.Money{Amount: 5} }), "amount.currencyCode"},
		{"ErrNoOccurredAt", with(func(r *usage.Record) { r.OccurredAt = time.Time{} }), "occurredAt"},
		{"ErrNoSourceKey", with(func(r *usage.Record) { r.SourceKey = "" }), "sourceKey"},
		{"ErrSourceKeyTooLong", with(func(r *usage.Record) { r.SourceKey = strings.Repeat("k", 201) }), "sourceKey"},
		{"ErrSourceKeyControl", with(func(r *usage.Record) { r.SourceKey = "receiving:\nrcpt_1" }), "sourceKey"},
		{"ErrSourceKeyNotUTF8", with(func(r *usage.Record) { r.SourceKey = "receiving:\xff" }), "sourceKey"},
		{"ErrTooManyAttributes", with(func(r *usage.Record) {
			r.Attributes = map[string]string{}
			for i := range 21 {
				r.Attributes["k"+strings.Repeat("x", i)] = "v"
			}
		}), "attributes"},
		{"ErrAttributeNameDotted", with(func(r *usage.Record) { r.Attributes = map[string]string{"sku.id": "x"} }), "attributes"},
		{"ErrAttributeNameDollar", with(func(r *usage.Record) { r.Attributes = map[string]string{"$where": "x"} }), "attributes"},
		{"ErrAttributeValueTooLong", with(func(r *usage.Record) {
			r.Attributes = map[string]string{"skuId": strings.Repeat("v", 201)}
		}), "attributes.skuId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, created, err := f.svc.Record(context.Background(), tt.in)
			e, ok := errs.As(err)
			if !ok || e.Code != errs.Invalid || strings.Join(e.Field, ".") != tt.field || created {
				t.Fatalf("Record = created %v, %v; want INVALID at %s", created, err, tt.field)
			}
			if e.Message == "" {
				t.Error("no message for the user")
			}
		})
	}
	if n := f.count(t); n != 0 {
		t.Fatalf("%d records stored by refused calls", n)
	}
	// The boundaries themselves are fine.
	ok := with(func(r *usage.Record) {
		r.SourceKey = strings.Repeat("k", 200)
		r.Quantity = -usage.Units(1) // a correction
		r.Attributes = map[string]string{"skuId": strings.Repeat("v", 200)}
	})
	if _, created, err := f.svc.Record(context.Background(), ok); err != nil || !created {
		t.Fatalf("boundary record: created %v, %v", created, err)
	}
}

func TestTotals(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	acct, other := ids.New(ids.Account), ids.New(ids.Account)
	from, to := t0, t0.AddDate(0, 1, 0)
	big := usage.Quantity(1<<53 + 1) // not exact as a float64
	day := 0
	rec := func(r usage.Record) {
		day++
		if r.AccountID == "" {
			r.AccountID = acct
		}
		if r.OccurredAt.IsZero() {
			r.OccurredAt = from.Add(time.Duration(day) * time.Hour)
		}
		if r.SourceKey == "" {
			r.SourceKey = r.Code + ":" + strings.Repeat("x", day)
		}
		f.record(t, r)
	}
	pick := usage.Record{Category: usage.Warehousing, Code: "pickpack.order", Unit: "order", Quantity: usage.Units(1)}
	freight := func(minor int64, c money.Currency) usage.Record {
		return usage.Record{Category: usage.Transport, Code: "freight.charge", Unit: "shipment",
			Quantity: usage.Units(1), Amount: ptr(money.New(minor, c))}
	}
	rec(storage(acct, "2026-11-01", 2_500_000)) // 2.5 m³·day
	rec(storage(acct, "2026-11-02", 125))       // 0.000125
	rec(storage(acct, "2026-11-03", big))
	for range 3 {
		rec(pick)
	}
	rec(freight(125_050, usd))
	rec(freight(99_999, usd))
	rec(freight(1_000, eur))
	rec(freight(70_000, jpy))
	rec(usage.Record{Category: usage.Procurement, Code: "procurement.commission", Unit: "purchase_order",
		Quantity: usage.Units(1), Amount: ptr(money.New(5_000_000, usd))})
	// Correction: a negative record.
	rec(usage.Record{Category: usage.Warehousing, Code: "pickpack.order", Unit: "order", Quantity: -usage.Units(1)})
	// Outside the period, or another account: not counted.
	rec(usage.Record{Category: usage.Warehousing, Code: "pickpack.order", Unit: "order", Quantity: usage.Units(100), OccurredAt: to})
	rec(usage.Record{Category: usage.Warehousing, Code: "pickpack.order", Unit: "order", Quantity: usage.Units(100), OccurredAt: from.Add(-time.Millisecond)})
	rec(usage.Record{AccountID: other, Category: usage.Warehousing, Code: "pickpack.order", Unit: "order", Quantity: usage.Units(100)})

	got, err := f.svc.Totals(ctx, acct, from, to)
	if err != nil {
		t.Fatal(err)
	}
	want := []usage.Total{
		{Category: usage.Warehousing, Code: "pickpack.order", Unit: "order", Quantity: usage.Units(2)},
		{Category: usage.Warehousing, Code: "storage.cubic_metre_day", Unit: "cubic_metre_day", Quantity: 2_500_125 + big},
		{Category: usage.Transport, Code: "freight.charge", Unit: "shipment", Quantity: usage.Units(4),
			Amounts: []money.Money{money.New(1_000, eur), money.New(70_000, jpy), money.New(225_049, usd)}},
		{Category: usage.Procurement, Code: "procurement.commission", Unit: "purchase_order", Quantity: usage.Units(1),
			Amounts: []money.Money{money.New(5_000_000, usd)}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Totals =\n%+v\nwant\n%+v", got, want)
	}
	if q := got[1].Quantity.String(); q != "9007199257.241118" {
		t.Errorf("storage total = %s, want 9007199257.241118", q)
	}

	if got, err := f.svc.Totals(ctx, ids.New(ids.Account), from, to); err != nil || len(got) != 0 {
		t.Errorf("Totals of an account without usage = %v, %v", got, err)
	}

	for _, tt := range []struct {
		name     string
		account  string
		from, to time.Time
		field    string
	}{
		{"ErrAccount", "acct", from, to, "accountId"},
		{"ErrNoFrom", acct, time.Time{}, to, "from"},
		{"ErrNoTo", acct, from, time.Time{}, "to"},
		{"ErrToBeforeFrom", acct, to, from, "to"},
		{"ErrEmptyPeriod", acct, from, from, "to"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.Totals(ctx, tt.account, tt.from, tt.to)
			if e, ok := errs.As(err); !ok || e.Code != errs.Invalid || strings.Join(e.Field, ".") != tt.field {
				t.Fatalf("Totals = %v, want INVALID at %s", err, tt.field)
			}
		})
	}
}

// A sum that leaves int64 becomes a float on the store; Totals refuses it rather than round.
func TestTotalsOverflow(t *testing.T) {
	f := setup(t)
	acct := ids.New(ids.Account)
	f.record(t, storage(acct, "2026-11-01", math.MaxInt64/2+1))
	f.record(t, storage(acct, "2026-11-02", math.MaxInt64/2+1))
	_, err := f.svc.Totals(context.Background(), acct, t0, t0.AddDate(0, 1, 0))
	if errs.CodeOf(err) != errs.Internal {
		t.Fatalf("Totals = %v, want INTERNAL", err)
	}
}

func TestList(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	acct := ids.New(ids.Account)
	var all []usage.Record // in (occurredAt, id) order
	for i, day := range []string{"2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"} {
		all = append(all, f.record(t, storage(acct, day, usage.Units(int64(i+1)))))
		// Two records at the same instant: the id breaks the tie.
		r := f.record(t, usage.Record{AccountID: acct, Category: usage.Customs, Code: "customs.declaration",
			Unit: "declaration", Quantity: usage.Units(1), OccurredAt: all[len(all)-1].OccurredAt,
			SourceKey: "customs:dcl_" + day})
		all = append(all, r)
	}
	f.record(t, storage(ids.New(ids.Account), "2026-11-01", usage.Units(1))) // never listed
	// Invoicing claims the first three records.
	inv := ids.New(ids.Invoice)
	if _, err := f.coll.UpdateMany(ctx, bson.M{"_id": bson.M{"$in": []string{all[0].ID, all[1].ID, all[2].ID}}},
		bson.M{"$set": bson.M{"invoiceId": inv}}); err != nil {
		t.Fatal(err)
	}
	idsOf := func(rs []usage.Record) []string {
		out := []string{}
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	page := func(first, last *int, after, before *string) cursor.Window {
		w, err := cursor.Page{First: first, Last: last, After: after, Before: before}.Validate(cursor.MaxLimit)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	n := func(i int) *int { return &i }
	at := func(i int) *string { s := cursor.Encode(usage.Cursor(all[i])); return &s }

	tests := []struct {
		name     string
		filter   usage.Filter
		window   cursor.Window
		want     []usage.Record
		wantMore bool
	}{
		{"All", usage.Filter{}, page(nil, nil, nil, nil), all, false},
		{"First3", usage.Filter{}, page(n(3), nil, nil, nil), all[:3], true},
		{"AfterTieBreak", usage.Filter{}, page(n(3), nil, at(2), nil), all[3:6], true},
		{"AfterToEnd", usage.Filter{}, page(n(10), nil, at(6), nil), all[7:], false},
		{"Last2", usage.Filter{}, page(nil, n(2), nil, nil), all[8:], true},
		{"Last2Before", usage.Filter{}, page(nil, n(2), nil, at(5)), all[3:5], true},
		{"Last10Before", usage.Filter{}, page(nil, n(10), nil, at(3)), all[:3], false},
		{"AfterAndBefore", usage.Filter{}, page(n(10), nil, at(1), at(5)), all[2:5], false},
		{"Category", usage.Filter{Category: usage.Customs}, page(nil, nil, nil, nil),
			[]usage.Record{all[1], all[3], all[5], all[7], all[9]}, false},
		{"Period", usage.Filter{From: all[2].OccurredAt, To: all[6].OccurredAt}, page(nil, nil, nil, nil), all[2:6], false},
		{"Uninvoiced", usage.Filter{Uninvoiced: true}, page(n(2), nil, nil, nil), all[3:5], true},
		{"UninvoicedWarehousing", usage.Filter{Uninvoiced: true, Category: usage.Warehousing}, page(nil, nil, nil, nil),
			[]usage.Record{all[4], all[6], all[8]}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.svc.List(ctx, acct, tt.filter, tt.window)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(idsOf(got.Records), idsOf(tt.want)) || got.More != tt.wantMore {
				t.Errorf("List = %v more=%v, want %v more=%v", idsOf(got.Records), got.More, idsOf(tt.want), tt.wantMore)
			}
		})
	}
	claimed, err := f.svc.List(ctx, acct, usage.Filter{}, page(n(1), nil, nil, nil))
	if err != nil || claimed.Records[0].InvoiceID != inv {
		t.Errorf("first record's invoice = %q (%v), want %s", claimed.Records[0].InvoiceID, err, inv)
	}

	otherCursor := cursor.Encode(cursor.Cursor{Key: "2026-11-01T00:00:00Z", ID: ids.New(ids.Event)})
	badTime := cursor.Encode(cursor.Cursor{Key: "yesterday", ID: all[0].ID})
	bad := []struct {
		name    string
		account string
		filter  usage.Filter
		window  cursor.Window
		field   string
	}{
		{"ErrAccount", ids.New(ids.SKU), usage.Filter{}, page(nil, nil, nil, nil), "accountId"},
		{"ErrCategory", acct, usage.Filter{Category: "STORAGE"}, page(nil, nil, nil, nil), "filter.category"},
		{"ErrPeriod", acct, usage.Filter{From: t0, To: t0}, page(nil, nil, nil, nil), "filter.to"},
		{"ErrZeroLimit", acct, usage.Filter{}, cursor.Window{Forward: true}, "first"},
		{"ErrCursorOfAnotherList", acct, usage.Filter{}, page(nil, nil, &otherCursor, nil), "after"},
		{"ErrCursorBadTime", acct, usage.Filter{}, page(nil, nil, nil, &badTime), "before"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.List(ctx, tt.account, tt.filter, tt.window)
			if e, ok := errs.As(err); !ok || e.Code != errs.Invalid || strings.Join(e.Field, ".") != tt.field {
				t.Fatalf("List = %v, want INVALID at %s", err, tt.field)
			}
		})
	}
}

func TestQuantity(t *testing.T) {
	tests := []struct {
		name string
		in   string
		q    usage.Quantity
		out  string // String of q, when it differs from in
	}{
		{"Whole", "3", usage.Units(3), ""},
		{"Zero", "0", 0, ""},
		{"Half", "2.5", 2_500_000, ""},
		{"TrailingZeros", "2.500", 2_500_000, "2.5"},
		{"Micro", "0.000001", 1, ""},
		{"Negative", "-0.000125", -125, ""},
		{"NegativeWhole", "-12", -usage.Units(12), ""},
		{"Max", "9223372036854.775807", math.MaxInt64, ""},
		{"Min", "-9223372036854.775807", -math.MaxInt64, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := usage.ParseQuantity(tt.in)
			if err != nil || q != tt.q {
				t.Fatalf("ParseQuantity(%q) = %d, %v; want %d", tt.in, q, err, tt.q)
			}
			want := tt.out
			if want == "" {
				want = tt.in
			}
			if got := q.String(); got != want {
				t.Errorf("String = %q, want %q", got, want)
			}
		})
	}
	for _, s := range []string{"", "-", "+1", ".5", "5.", "1.0000001", "01", "-0", "1e3", "1,5", " 1", "1 ",
		"9223372036854.775808", "99999999999999", "0x10", "½"} {
		if q, err := usage.ParseQuantity(s); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("ParseQuantity(%q) = %d, %v; want INVALID", s, q, err)
		}
	}
	if got := usage.Quantity(math.MinInt64).String(); got != "-9223372036854.775808" {
		t.Errorf("String(MinInt64) = %q", got)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("Units out of range did not panic")
			}
		}()
		usage.Units(math.MaxInt64 / 1000)
	}()
}

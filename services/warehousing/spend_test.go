package warehousing_test

import (
	"context"
	"testing"
	"time"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/usage"
)

func TestSpendByMonthSumsAmountsByCategoryAndCurrency(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rec := func(key string, cat usage.Category, minor int64, cur string, at time.Time) {
		t.Helper()
		m := money.New(minor, money.MustCurrency(cur))
		if _, _, err := e.usage.Record(ctx, usage.Record{AccountID: e.acct, Category: cat, Code: "freight.charge",
			Quantity: usage.Quantity(1_000_000), Unit: "shipment", Amount: &m, OccurredAt: at, SourceKey: key}); err != nil {
			t.Fatal(err)
		}
	}
	now := e.clock.Now() // 2026-11-20
	rec("a", usage.Transport, 1050, "USD", now)
	rec("b", usage.Transport, 250, "USD", now.Add(-time.Hour))
	rec("c", usage.Transport, 900, "EUR", now)
	rec("d", usage.Warehousing, 1, "USD", time.Date(2026, 10, 31, 23, 59, 0, 0, time.UTC))
	rec("e", usage.Transport, 5, "USD", time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)) // outside 3 months

	lines, err := e.svc.SpendByMonth(e.viewer, e.acct, 3)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, l := range lines {
		got[l.Month+" "+string(l.Category)+" "+l.Amount.Currency.Code()] = money.FormatAmount(l.Amount.Amount, l.Amount.Currency)
	}
	want := map[string]string{"2026-11 TRANSPORT USD": "13.00", "2026-11 TRANSPORT EUR": "9.00", "2026-10 WAREHOUSING USD": "0.01"}
	if len(got) != len(want) {
		t.Fatalf("lines %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("%s = %q, want %q (all %v)", k, got[k], v, got)
		}
	}
	if lines[0].Month != "2026-10" {
		t.Fatalf("oldest month first: %+v", lines)
	}

	if _, err := e.svc.SpendByMonth(e.otherOp, e.acct, 3); !errs.IsCode(err, errs.NotFound) {
		t.Fatalf("other account's operator: %v", err)
	}
	if _, err := e.svc.SpendByMonth(e.viewer, e.acct, 13); !errs.IsCode(err, errs.Invalid) {
		t.Fatalf("13 months: %v", err)
	}
}

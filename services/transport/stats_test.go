package transport

import (
	"testing"
	"time"

	"github.com/tradehub/tradehub/internal/errs"
)

func TestShipmentStatsCountsByStatusWeekAndLane(t *testing.T) {
	e := newEnv(t)
	empty, err := e.svc.ShipmentStats(e.seller, e.acct, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(empty.ByStatus) != len(Statuses()) || len(empty.Weeks) != 4 || len(empty.Lanes) != 0 {
		t.Fatalf("empty stats: %+v", empty)
	}

	q1 := e.quote(e.quoteInput(DAP))
	e.book(q1.Quotes[0], "stats-1")
	// start is a Tuesday: eight days on is the next week.
	e.clk.Advance(8 * 24 * time.Hour)
	q2 := e.quote(e.quoteInput(DAP))
	e.book(q2.Quotes[0], "stats-2")

	st, err := e.svc.ShipmentStats(e.seller, e.acct, 4)
	if err != nil {
		t.Fatal(err)
	}
	if st.ByStatus[0].Status != StatusBooked || st.ByStatus[0].Count != 2 {
		t.Fatalf("by status: %+v", st.ByStatus)
	}
	if got := st.Weeks[3].WeekStart; got.Weekday() != time.Monday || got.Hour() != 0 || !got.Equal(weekStart(e.clk.Now())) {
		t.Fatalf("last week starts %v", got)
	}
	for i, want := range []int{0, 0, 1, 1} {
		n := 0
		for _, c := range st.Weeks[i].Counts {
			n += c.Count
		}
		if n != want {
			t.Fatalf("week %d: %d shipments, want %d (%+v)", i, n, want, st.Weeks)
		}
	}
	if len(st.Lanes) != 1 || st.Lanes[0] != (Lane{Origin: "CN", Destination: "US", Shipments: 2}) {
		t.Fatalf("lanes: %+v", st.Lanes)
	}
	// A one-week window holds only this week's shipment; the totals stay all-time.
	one, _ := e.svc.ShipmentStats(e.seller, e.acct, 1)
	if len(one.Weeks) != 1 || one.Lanes[0].Shipments != 1 || one.ByStatus[0].Count != 2 {
		t.Fatalf("one week: %+v", one)
	}

	if _, err := e.svc.ShipmentStats(e.stranger, e.acct, 4); !errs.IsCode(err, errs.NotFound) {
		t.Fatalf("stranger: %v", err)
	}
	for _, weeks := range []int{0, MaxStatsWeeks + 1} {
		if _, err := e.svc.ShipmentStats(e.seller, e.acct, weeks); !errs.IsCode(err, errs.Invalid) {
			t.Fatalf("weeks %d: %v", weeks, err)
		}
	}
}

func TestWeekStartIsMondayUTC(t *testing.T) {
	for in, want := range map[string]string{
		"2026-11-10T09:00:00Z":      "2026-11-09T00:00:00Z", // Tuesday
		"2026-11-09T00:00:00Z":      "2026-11-09T00:00:00Z", // Monday
		"2026-11-15T23:59:59Z":      "2026-11-09T00:00:00Z", // Sunday
		"2026-11-16T01:00:00+08:00": "2026-11-09T00:00:00Z", // Sunday in UTC
	} {
		at, _ := time.Parse(time.RFC3339, in)
		if got := weekStart(at).Format(time.RFC3339); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}

package transport

import (
	"context"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/access"
)

// MaxStatsWeeks bounds the window of ShipmentStats: the dashboard reads a quarter at most, and
// the window is scanned document by document.
const MaxStatsWeeks = 26

// StatusCount is how many shipments stand in one status.
type StatusCount struct {
	Status Status
	Count  int
}

// WeekCounts are the shipments booked in one week (Monday 00:00 UTC on), by their status now.
type WeekCounts struct {
	WeekStart time.Time
	Counts    []StatusCount
}

// Lane is an origin and a destination country the account ships between.
type Lane struct {
	Origin, Destination string
	Shipments           int
}

// ShipmentStats are the counts a dashboard shows: every shipment of the account by status, and
// those booked in the last weeks by week and by lane.
type ShipmentStats struct {
	ByStatus []StatusCount
	Weeks    []WeekCounts
	Lanes    []Lane
}

// ShipmentStats counts an account's shipments. Totals by status come from the
// account_status_bookedAt_id index, one count per status (the embedded store's $group keeps
// only its first accumulator reliably, and ten counts are cheap); the weekly and lane figures
// scan only the window's shipments, with a projection of three fields.
func (s *Service) ShipmentStats(ctx context.Context, accountID string, weeks int) (ShipmentStats, error) {
	if err := s.access.Require(ctx, accountID, ResShipments, access.Read); err != nil {
		return ShipmentStats{}, err
	}
	if weeks < 1 || weeks > MaxStatsWeeks {
		return ShipmentStats{}, errs.InvalidField("weeks", "between 1 and %d", MaxStatsWeeks)
	}
	out := ShipmentStats{ByStatus: []StatusCount{}, Weeks: []WeekCounts{}, Lanes: []Lane{}}
	for _, st := range Statuses() {
		n, err := s.shipments.CountDocuments(ctx, bson.M{fAccountID: accountID, fStatus: string(st)})
		if err != nil {
			return ShipmentStats{}, mongodb.MapError(err, "count shipments")
		}
		out.ByStatus = append(out.ByStatus, StatusCount{Status: st, Count: int(n)})
	}

	first := weekStart(s.clock.Now()).AddDate(0, 0, -7*(weeks-1))
	cur, err := s.shipments.Find(ctx, bson.M{fAccountID: accountID, "bookedAt": bson.M{"$gte": first}},
		options.Find().SetProjection(bson.M{fStatus: 1, "bookedAt": 1, "origin.country": 1, "destination.country": 1}))
	if err != nil {
		return ShipmentStats{}, mongodb.MapError(err, "find shipments")
	}
	var docs []struct {
		Status      string                   `bson:"status"`
		BookedAt    time.Time                `bson:"bookedAt"`
		Origin      struct{ Country string } `bson:"origin"`
		Destination struct{ Country string } `bson:"destination"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return ShipmentStats{}, mongodb.MapError(err, "find shipments")
	}
	counts := make([]map[Status]int, weeks)
	for i := range counts {
		counts[i] = map[Status]int{}
	}
	lanes := map[[2]string]int{}
	for _, d := range docs {
		i := int(weekStart(d.BookedAt).Sub(first).Hours() / (24 * 7))
		if i >= 0 && i < weeks {
			counts[i][Status(d.Status)]++
		}
		lanes[[2]string{d.Origin.Country, d.Destination.Country}]++
	}
	for i := range counts {
		w := WeekCounts{WeekStart: first.AddDate(0, 0, 7*i), Counts: []StatusCount{}}
		for _, st := range Statuses() {
			if n := counts[i][st]; n > 0 {
				w.Counts = append(w.Counts, StatusCount{Status: st, Count: n})
			}
		}
		out.Weeks = append(out.Weeks, w)
	}
	for k, n := range lanes {
		out.Lanes = append(out.Lanes, Lane{Origin: k[0], Destination: k[1], Shipments: n})
	}
	sort.Slice(out.Lanes, func(i, j int) bool {
		a, b := out.Lanes[i], out.Lanes[j]
		if a.Shipments != b.Shipments {
			return a.Shipments > b.Shipments
		}
		return a.Origin+a.Destination < b.Origin+b.Destination
	})
	return out, nil
}

// weekStart is the Monday 00:00 UTC of t's week (ISO weeks start on Monday).
func weekStart(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	offset := (int(day.Weekday()) + 6) % 7
	return day.AddDate(0, 0, -offset)
}

// TroubleCounts is how many shipments of each account stand in a status someone should look at
// (EXCEPTION, CUSTOMS_HOLD, LOST, RETURNED_TO_SENDER), for the account managers' console: one
// store query for a page of accounts. An account whose shipments the caller may not read is
// absent from the map (its figure is hidden, not an error); a readable one without such
// shipments is 0.
func (s *Service) TroubleCounts(ctx context.Context, accountIDs []string) (map[string]int, error) {
	readable := make([]string, 0, len(accountIDs))
	for _, id := range accountIDs {
		err := s.access.Require(ctx, id, ResShipments, access.Read)
		if errs.IsCode(err, errs.NotFound) || errs.IsCode(err, errs.Forbidden) {
			continue
		}
		if err != nil {
			return nil, err
		}
		readable = append(readable, id)
	}
	return mongodb.CountByAccount(ctx, s.shipments, fAccountID, readable, bson.D{{Key: fStatus, Value: bson.D{{Key: "$in", Value: bson.A{
		string(StatusException), string(StatusCustomsHold), string(StatusLost), string(StatusReturnedToSender)}}}}}, "count shipments in trouble")
}

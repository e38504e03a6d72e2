package graph

import (
	"github.com/tradehub/tradehub/graph/model"
	"github.com/tradehub/tradehub/services/transport"
)

func toGQLStatusCounts(list []transport.StatusCount) []model.ShipmentStatusCount {
	out := make([]model.ShipmentStatusCount, 0, len(list))
	for _, c := range list {
		out = append(out, model.ShipmentStatusCount{Status: model.ShipmentStatus(c.Status), Count: c.Count})
	}
	return out
}

func toGQLShipmentStats(st transport.ShipmentStats) *model.ShipmentStats {
	out := &model.ShipmentStats{ByStatus: toGQLStatusCounts(st.ByStatus), Weeks: []model.ShipmentWeek{}, Lanes: []model.ShipmentLane{}}
	for _, w := range st.Weeks {
		out.Weeks = append(out.Weeks, model.ShipmentWeek{WeekStart: w.WeekStart, Counts: toGQLStatusCounts(w.Counts)})
	}
	for _, l := range st.Lanes {
		out.Lanes = append(out.Lanes, model.ShipmentLane{Origin: l.Origin, Destination: l.Destination, Shipments: l.Shipments})
	}
	return out
}

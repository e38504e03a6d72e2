package graph

import (
	"context"
	"errors"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vikstrous/dataloadgen"

	"github.com/tradehub/tradehub/graph/loaders"
	"github.com/tradehub/tradehub/graph/model"
	"github.com/tradehub/tradehub/services/transport"
)

// healthOf loads the figures of an account's health that the query selects, each through the
// request's loader: a page of accounts costs one query per figure, and a figure not asked for
// costs nothing. A figure the caller may not read is null rather than failing the whole list.
func (r *Resolver) healthOf(ctx context.Context, accountID string, selected []graphql.CollectedField) (*model.AccountHealth, error) {
	hl := r.loadersOf(ctx).Health(loaders.HealthSources{Transport: r.Transport, Warehousing: r.Warehousing,
		Billing: r.Billing, Financing: r.Financing})
	out := &model.AccountHealth{}
	type pending struct {
		into **int
		load func() (int, error)
	}
	// Every selected figure is asked for before any is awaited, so that the four loaders
	// gather this level's accounts during the same wait.
	var asked []pending
	for _, f := range selected {
		var l *dataloadgen.Loader[string, int]
		var into **int
		switch f.Name {
		case "shipmentExceptions":
			l, into = hl.ShipmentExceptions, &out.ShipmentExceptions
		case "lowStockBalances":
			l, into = hl.LowStockBalances, &out.LowStockBalances
		case "overdueInvoices":
			l, into = hl.OverdueInvoices, &out.OverdueInvoices
		case "atRiskLoans":
			l, into = hl.AtRiskLoans, &out.AtRiskLoans
		default:
			continue
		}
		asked = append(asked, pending{into: into, load: l.LoadThunk(ctx, accountID)})
	}
	for _, p := range asked {
		n, err := p.load()
		if errors.Is(err, dataloadgen.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		*p.into = &n
	}
	return out, nil
}

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

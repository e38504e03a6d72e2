// Package graph is Tradehub's GraphQL layer: the gqlgen-generated executor for schema/*.graphqls
// and thin resolvers that decode input, call one service method, convert the result and map the
// domain error. Business rules and authorization live in services/, never here.
package graph

import (
	"log/slog"

	"github.com/tradehub/tradehub/graph/loaders"
	"github.com/tradehub/tradehub/services/accounts"
	"github.com/tradehub/tradehub/services/audit"
	"github.com/tradehub/tradehub/services/billing"
	"github.com/tradehub/tradehub/services/bulk"
	"github.com/tradehub/tradehub/services/costlimits"
	"github.com/tradehub/tradehub/services/events"
	"github.com/tradehub/tradehub/services/financing"
	"github.com/tradehub/tradehub/services/procurement"
	"github.com/tradehub/tradehub/services/transport"
	"github.com/tradehub/tradehub/services/warehousing"
	"github.com/tradehub/tradehub/services/webhooks"
)

// Resolver is the dependency-injection root of the resolvers: cmd/tradehub builds it with the
// services, and every resolver reaches them through it. It holds no request state.
type Resolver struct {
	Logger          *slog.Logger
	AccountsService *accounts.Service
	Audit           *audit.Service
	Warehousing     *warehousing.Service
	Webhooks        *webhooks.Service
	// Events serves the events feed (authorized reads of events.Feed).
	EventsFeed *events.Reader
	Transport  *transport.Service
	Limits     *costlimits.Service // per-account query-cost limits
	Bulk       *bulk.Service       // bulk exports
	// ExportURL is where a completed export is downloaded (the public URL and /exports/{id}).
	ExportURL func(id string) string
	// Procurement serves suppliers, RFQs, quotes and purchase orders.
	Procurement *procurement.Service
	Financing   *financing.Service
	Billing     *billing.Service
}

// warehousingSource and carrierSource are the loaders' sources, nil (not a typed nil) when the
// service is not wired.
func (r *Resolver) warehousingSource() loaders.Source {
	if r.Warehousing == nil {
		return nil
	}
	return r.Warehousing
}

func (r *Resolver) carrierSource() loaders.CarrierSource {
	if r.Transport == nil {
		return nil
	}
	return r.Transport
}

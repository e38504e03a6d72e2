package graph

import (
	"context"

	"github.com/tradehub/tradehub/graph/model"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/services/billing"
	"github.com/tradehub/tradehub/services/transport"
)

// maxNodes caps nodes(ids:), like a connection's page.
const maxNodes = 100

// nodeFetcher loads the visible objects among ids (all of one prefix) in one store round trip;
// ids that are missing or not visible to the caller are simply absent from the result, so a
// foreign id answers exactly like a missing one.
type nodeFetcher func(ctx context.Context, ids []string) (map[string]model.Node, error)

// nodeFetchers maps each id prefix to the loader of its type. A domain adds its line here when
// its types implement Node.
func (r *Resolver) nodeFetchers() map[ids.Prefix]nodeFetcher {
	acc := r.AccountsService
	fetchers := map[ids.Prefix]nodeFetcher{
		ids.Account: eachNode(func(ctx context.Context, id string) (model.Node, error) {
			a, err := acc.Account(ctx, id)
			return toGQLAccount(a), err
		}),
		ids.Partner: eachNode(func(ctx context.Context, id string) (model.Node, error) {
			p, err := acc.Partner(ctx, id)
			return toGQLPartner(p), err
		}),
		ids.APIKey: eachNode(func(ctx context.Context, id string) (model.Node, error) {
			k, err := acc.APIKey(ctx, id)
			return toGQLAPIKey(k), err
		}),
		ids.Invitation: eachNode(func(ctx context.Context, id string) (model.Node, error) {
			inv, err := acc.Invitation(ctx, id)
			return toGQLInvitation(inv), err
		}),
		ids.User: func(ctx context.Context, list []string) (map[string]model.Node, error) {
			users, err := acc.VisibleUsers(ctx, list)
			if err != nil {
				return nil, err
			}
			out := make(map[string]model.Node, len(users))
			for id, u := range users {
				out[id] = toGQLUser(u)
			}
			return out, nil
		},
	}
	if whs := r.Warehousing; whs != nil {
		fetchers[ids.Warehouse] = mapNodes(whs.WarehousesByID, toGQLWarehouse)
		fetchers[ids.SKU] = mapNodes(whs.VisibleSKUs, toGQLSku)
		fetchers[ids.Receipt] = mapNodes(whs.VisibleReceipts, toGQLReceipt)
		fetchers[ids.Order] = mapNodes(whs.VisibleOrders, toGQLOrder)
		fetchers[ids.Transfer] = mapNodes(whs.VisibleTransfers, toGQLTransfer)
		fetchers[ids.Return] = mapNodes(whs.VisibleReturns, toGQLReturn)
	}
	if hooks := r.Webhooks; hooks != nil {
		fetchers[ids.Webhook] = eachNode(func(ctx context.Context, id string) (model.Node, error) {
			s, err := hooks.Subscription(ctx, id)
			return toGQLWebhookSubscription(s), err
		})
		fetchers[ids.Delivery] = eachNode(func(ctx context.Context, id string) (model.Node, error) {
			d, err := hooks.Delivery(ctx, id)
			return toGQLWebhookDelivery(d), err
		})
	}
	if p := r.Procurement; p != nil {
		fetchers[ids.Supplier] = mapNodes(p.SuppliersByID, toGQLSupplier)
		fetchers[ids.RFQ] = mapNodes(p.RFQsByID, toGQLRfq)
		fetchers[ids.SupplierQuote] = mapNodes(p.QuotesByID, toGQLSupplierQuote)
		fetchers[ids.PurchaseOrder] = mapNodes(p.PurchaseOrdersByID, toGQLPurchaseOrder)
	}
	if f := r.Financing; f != nil {
		fetchers[ids.PartnerProduct] = eachNode(func(ctx context.Context, id string) (model.Node, error) {
			p, err := f.Product(ctx, id)
			return toGQLFinanceProduct(p), err
		})
		fetchers[ids.Facility] = eachNode(func(ctx context.Context, id string) (model.Node, error) {
			x, err := f.Facility(ctx, id)
			return toGQLFacility(x), err
		})
		fetchers[ids.FinancingRequest] = eachNode(func(ctx context.Context, id string) (model.Node, error) {
			x, err := f.FinancingRequest(ctx, id)
			return toGQLRequest(x), err
		})
		fetchers[ids.Loan] = eachNode(func(ctx context.Context, id string) (model.Node, error) {
			x, err := f.Loan(ctx, id)
			return toGQLLoan(x), err
		})
	}
	if b := r.Billing; b != nil {
		fetchers[ids.Invoice] = mapNodes(b.InvoicesByID, func(inv billing.Invoice) *model.Invoice { return toGQLInvoice(inv, b.Now()) })
	}
	if t := r.Transport; t != nil {
		fetchers[ids.Carrier] = mapNodes(t.CarriersByID, toGQLCarrier)
		fetchers[ids.Shipment] = mapNodes(t.ShipmentsByID, toGQLShipment)
		fetchers[ids.RateCard] = eachNode(func(ctx context.Context, id string) (model.Node, error) {
			c, err := t.RateCard(ctx, id)
			if errs.CodeOf(err) == errs.Forbidden {
				return nil, transport.ErrNotFound // staff-only reference data: absent for others
			}
			return toGQLRateCard(c), err
		})
	}
	if b := r.Bulk; b != nil {
		fetchers[ids.BulkOperation] = eachNode(func(ctx context.Context, id string) (model.Node, error) {
			e, err := b.Get(ctx, id)
			return r.toGQLBulkExport(e), err
		})
	}
	return fetchers
}

// mapNodes adapts a batched lookup of the visible objects among ids (one store round trip).
func mapNodes[T any, N model.Node](load func(context.Context, []string) (map[string]T, error), conv func(T) N) nodeFetcher {
	return func(ctx context.Context, list []string) (map[string]model.Node, error) {
		found, err := load(ctx, list)
		if err != nil {
			return nil, err
		}
		out := make(map[string]model.Node, len(found))
		for id, v := range found {
			out[id] = conv(v)
		}
		return out, nil
	}
}

// eachNode adapts a single-object lookup whose NOT_FOUND (missing or foreign) means absent. The
// types it serves are few per request, so one lookup per id is acceptable until a batched
// loader is worth it.
func eachNode(get func(ctx context.Context, id string) (model.Node, error)) nodeFetcher {
	return func(ctx context.Context, list []string) (map[string]model.Node, error) {
		out := make(map[string]model.Node, len(list))
		for _, id := range list {
			n, err := get(ctx, id)
			switch {
			case err == nil:
				out[id] = n
			case errs.CodeOf(err) == errs.NotFound:
			default:
				return nil, err
			}
		}
		return out, nil
	}
}

// fetchNodes resolves ids of any types with one fetch per type. Malformed ids and ids of unknown
// types resolve to nothing, as the schema promises (null), rather than to an error.
func (r *Resolver) fetchNodes(ctx context.Context, list []string) (map[string]model.Node, error) {
	fetchers := r.nodeFetchers()
	byPrefix := map[ids.Prefix][]string{}
	for _, id := range list {
		p, err := ids.Parse(id)
		if err != nil {
			continue
		}
		if _, ok := fetchers[p]; ok {
			byPrefix[p] = append(byPrefix[p], id)
		}
	}
	found := make(map[string]model.Node, len(list))
	for p, group := range byPrefix {
		got, err := fetchers[p](ctx, group)
		if err != nil {
			return nil, err
		}
		for id, n := range got {
			found[id] = n
		}
	}
	return found, nil
}

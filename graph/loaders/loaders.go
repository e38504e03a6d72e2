// Package loaders holds the per-request dataloaders of the GraphQL layer: every nested relation
// (an order line's SKU, an order's warehouse, a SKU's balances) is loaded through them, so the
// store round trips of a query do not grow with the number of items it returns: the keys asked
// for while one level of the response is resolved become one `$in` query.
//
// Loaders are made per request by Middleware, so their caches never outlive a request and never
// mix what two callers may see. They are MappedLoaders keyed by id because `$in` returns
// documents in no particular order and leaves missing ids out.
package loaders

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/tradehub/tradehub/services/financing"
	"github.com/tradehub/tradehub/services/procurement"
	"github.com/tradehub/tradehub/services/transport"
	"github.com/tradehub/tradehub/services/warehousing"
)

// Source is what the loaders read: the warehousing service. The methods do no authorization:
// loaders serve relations of objects the caller was already allowed to see.
type Source interface {
	SKUsByID(ctx context.Context, ids []string) (map[string]warehousing.SKU, error)
	WarehousesOfRelations(ctx context.Context, ids []string) (map[string]warehousing.Warehouse, error)
	BalancesOfSKUs(ctx context.Context, skuIDs []string) (map[string][]warehousing.Balance, error)
}

// CarrierSource is what the carrier loader reads: the transport service. Carriers are
// reference data any signed-in caller may read.
type CarrierSource interface {
	CarriersByID(ctx context.Context, ids []string) (map[string]transport.Carrier, error)
}

// DefaultWait is how long a loader gathers keys before it fetches. Resolvers of one level of a
// response run concurrently and ask within microseconds of each other; 2 ms is plenty and keeps
// latency low. On a starved CPU some of them ask later and a level costs a few fetches instead of
// one (still bounded by the wait, not by the items): tests that count round trips wait longer.
const DefaultWait = 2 * time.Millisecond

// Loaders are one request's loaders.
type Loaders struct {
	SKUs       *dataloadgen.Loader[string, warehousing.SKU]
	Warehouses *dataloadgen.Loader[string, warehousing.Warehouse]
	Balances   *dataloadgen.Loader[string, []warehousing.Balance]
	// Carriers load the carrier of shipments, quotes, rate cards and scorecards; nil without
	// a CarrierSource.
	Carriers *dataloadgen.Loader[string, transport.Carrier]

	wait      time.Duration
	mu        sync.Mutex
	suppliers *dataloadgen.Loader[string, procurement.Supplier]
	rfqQuotes *dataloadgen.Loader[string, []procurement.Quote]
	financing *FinancingLoaders
	health    *HealthLoaders
	risks     *dataloadgen.Loader[string, financing.Risk]
}

// FinancingSource is what the financing loaders read: the financing service, without
// authorization (relations of objects the caller was allowed to see).
type FinancingSource interface {
	FacilitiesOfRelations(ctx context.Context, ids []string) (map[string]financing.Facility, error)
	ProductsOfRelations(ctx context.Context, ids []string) (map[string]financing.Product, error)
	LoansOfRelations(ctx context.Context, ids []string) (map[string]financing.Loan, error)
}

// FinancingLoaders load a request's facility and loan and a facility's product.
type FinancingLoaders struct {
	Facilities *dataloadgen.Loader[string, financing.Facility]
	Products   *dataloadgen.Loader[string, financing.Product]
	Loans      *dataloadgen.Loader[string, financing.Loan]
}

// Financing returns the request's financing loaders over src, made on first use.
func (l *Loaders) Financing(src FinancingSource) *FinancingLoaders {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.financing == nil {
		l.financing = &FinancingLoaders{
			Facilities: dataloadgen.NewMappedLoader(src.FacilitiesOfRelations, dataloadgen.WithWait(l.wait)),
			Products:   dataloadgen.NewMappedLoader(src.ProductsOfRelations, dataloadgen.WithWait(l.wait)),
			Loans:      dataloadgen.NewMappedLoader(src.LoansOfRelations, dataloadgen.WithWait(l.wait)),
		}
	}
	return l.financing
}

// QuoteSource is what the RFQ quotes loader reads: the procurement service.
type QuoteSource interface {
	QuotesOfRFQs(ctx context.Context, rfqIDs []string) (map[string][]procurement.Quote, error)
}

// RFQQuotes returns the request's loader of RFQs' quotes over src, made on first use: an RFQ
// list with its quotes costs one batch, not a query per RFQ. An RFQ whose quotes the caller may
// not see is absent from the batch: its load fails, which the resolver answers as null.
func (l *Loaders) RFQQuotes(src QuoteSource) *dataloadgen.Loader[string, []procurement.Quote] {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rfqQuotes == nil {
		l.rfqQuotes = dataloadgen.NewMappedLoader(src.QuotesOfRFQs, dataloadgen.WithWait(l.wait))
	}
	return l.rfqQuotes
}

// SupplierSource is what the supplier loader reads: the procurement service.
type SupplierSource interface {
	SuppliersOfRelations(ctx context.Context, ids []string) (map[string]procurement.Supplier, error)
}

// Suppliers returns the request's supplier loader over src (the suppliers of RFQs, quotes and
// purchase orders), made on first use.
func (l *Loaders) Suppliers(src SupplierSource) *dataloadgen.Loader[string, procurement.Supplier] {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.suppliers == nil {
		l.suppliers = dataloadgen.NewMappedLoader(src.SuppliersOfRelations, dataloadgen.WithWait(l.wait))
	}
	return l.suppliers
}

// New makes a request's loaders over src and carriers (either may be nil) that gather keys for
// wait (DefaultWait when 0).
func New(src Source, carriers CarrierSource, wait time.Duration) *Loaders {
	if wait <= 0 {
		wait = DefaultWait
	}
	l := &Loaders{wait: wait}
	if carriers != nil {
		l.Carriers = dataloadgen.NewMappedLoader(carriers.CarriersByID, dataloadgen.WithWait(l.wait))
	}
	if src == nil {
		return l
	}
	l.SKUs = dataloadgen.NewMappedLoader(src.SKUsByID, dataloadgen.WithWait(l.wait))
	l.Warehouses = dataloadgen.NewMappedLoader(src.WarehousesOfRelations, dataloadgen.WithWait(l.wait))
	l.Balances = newBalances(src, wait)
	return l
}

// newBalances loads SKUs' balances; a SKU without balances is absent from the service's map:
// that is an empty list, not an error.
func newBalances(src Source, wait time.Duration) *dataloadgen.Loader[string, []warehousing.Balance] {
	return dataloadgen.NewMappedLoader(func(ctx context.Context, keys []string) (map[string][]warehousing.Balance, error) {
		m, err := src.BalancesOfSKUs(ctx, keys)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				m[k] = nil
			}
		}
		return m, nil
	}, dataloadgen.WithWait(wait))
}

type ctxKey struct{}

// Middleware gives every request its own Loaders over src and carriers (see New for wait). It
// does so even without either: the loaders of the other domains (financing, procurement) are
// made on first use from the request's Loaders, and a request without them would make fresh
// loaders per load and batch nothing.
func Middleware(src Source, carriers CarrierSource, wait time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, New(src, carriers, wait))))
	})
}

// Attach gives ctx its own Loaders, for work that runs the executor outside an HTTP request
// (bulk exports run each page with fresh loaders).
func Attach(ctx context.Context, src Source, carriers CarrierSource) context.Context {
	return context.WithValue(ctx, ctxKey{}, New(src, carriers, 0))
}

// From returns the request's loaders; ok is false outside Middleware.
func From(ctx context.Context) (*Loaders, bool) {
	l, ok := ctx.Value(ctxKey{}).(*Loaders)
	return l, ok && l != nil
}

package loaders

import (
	"context"

	"github.com/vikstrous/dataloadgen"

	"github.com/tradehub/tradehub/internal/errs"
)

// TroubleSource, LowStockSource and OverdueSource are what the account-health loaders read: the
// transport, warehousing and billing services. Each answers a page of accounts in one store
// query and authorizes every account itself: an account whose figure the caller may not read
// is absent from the map, so its load fails with dataloadgen.ErrNotFound and the figure is null.
type TroubleSource interface {
	TroubleCounts(ctx context.Context, accountIDs []string) (map[string]int, error)
}

// LowStockSource: see TroubleSource.
type LowStockSource interface {
	LowStockCounts(ctx context.Context, accountIDs []string) (map[string]int, error)
}

// OverdueSource: see TroubleSource.
type OverdueSource interface {
	OverdueCounts(ctx context.Context, accountIDs []string) (map[string]int, error)
}

// AtRiskSource is what the at-risk loans loader reads: the financing service, which counts one
// account at a time (NOT_FOUND for a caller who may not read the account's financing).
type AtRiskSource interface {
	AtRiskCount(ctx context.Context, accountID string) (int, error)
}

// HealthSources are the services behind an account's health figures.
type HealthSources struct {
	Transport   TroubleSource
	Warehousing LowStockSource
	Billing     OverdueSource
	Financing   AtRiskSource
}

// HealthLoaders load the figures of Account.health, keyed by account id.
type HealthLoaders struct {
	ShipmentExceptions *dataloadgen.Loader[string, int]
	LowStockBalances   *dataloadgen.Loader[string, int]
	OverdueInvoices    *dataloadgen.Loader[string, int]
	// AtRiskLoans still costs one store query per account the caller may read: financing has
	// no batch form yet, so the loader only gathers the keys and asks for them one by one.
	AtRiskLoans *dataloadgen.Loader[string, int]
}

// Health returns the request's account-health loaders over src, made on first use: a list of
// accounts with their health costs one query per figure, not one per account and figure.
func (l *Loaders) Health(src HealthSources) *HealthLoaders {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.health == nil {
		l.health = &HealthLoaders{
			ShipmentExceptions: dataloadgen.NewMappedLoader(src.Transport.TroubleCounts, dataloadgen.WithWait(l.wait)),
			LowStockBalances:   dataloadgen.NewMappedLoader(src.Warehousing.LowStockCounts, dataloadgen.WithWait(l.wait)),
			OverdueInvoices:    dataloadgen.NewMappedLoader(src.Billing.OverdueCounts, dataloadgen.WithWait(l.wait)),
			AtRiskLoans:        dataloadgen.NewMappedLoader(oneByOne(src.Financing), dataloadgen.WithWait(l.wait)),
		}
	}
	return l.health
}

// oneByOne answers a batch of accounts with one AtRiskCount each, leaving out the accounts the
// caller may not read (NOT_FOUND or FORBIDDEN), as the batch forms of the other figures do.
func oneByOne(src AtRiskSource) func(ctx context.Context, accountIDs []string) (map[string]int, error) {
	return func(ctx context.Context, accountIDs []string) (map[string]int, error) {
		out := make(map[string]int, len(accountIDs))
		for _, id := range accountIDs {
			n, err := src.AtRiskCount(ctx, id)
			if errs.IsCode(err, errs.NotFound) || errs.IsCode(err, errs.Forbidden) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out[id] = n
		}
		return out, nil
	}
}

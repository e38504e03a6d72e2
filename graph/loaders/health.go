package loaders

import (
	"context"

	"github.com/vikstrous/dataloadgen"
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

// AtRiskSource: see TroubleSource.
type AtRiskSource interface {
	AtRiskCounts(ctx context.Context, accountIDs []string) (map[string]int, error)
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
	AtRiskLoans        *dataloadgen.Loader[string, int]
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
			AtRiskLoans:        dataloadgen.NewMappedLoader(src.Financing.AtRiskCounts, dataloadgen.WithWait(l.wait)),
		}
	}
	return l.health
}

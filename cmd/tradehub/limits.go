package main

import (
	"context"
	"log/slog"

	"github.com/tradehub/tradehub/graph/cost"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/accounts"
	"github.com/tradehub/tradehub/services/costlimits"
)

// newCostLimits is the per-account cost limits service, with the server's bucket as defaults.
func newCostLimits(store *mongodb.Store, svc *services, defaults cost.Config) *costlimits.Service {
	return costlimits.New(costlimits.Config{
		DB: store.DB, Access: svc.access, Clock: svc.clock,
		AccountExists: func(ctx context.Context, id string) error { _, err := svc.accounts.Account(ctx, id); return err },
		Defaults:      costlimits.Limits{BucketSize: int(defaults.BucketSize), RestoreRate: int(defaults.RestoreRate)},
	})
}

// runCostLimits loads the limits now and then every costlimits.RefreshInterval (a change made
// on another instance arrives that way).
func (a *app) runCostLimits(ctx context.Context, l *costlimits.Service, logger *slog.Logger) {
	if err := l.Refresh(ctx); err != nil {
		logger.WarnContext(ctx, "load cost limits", "error", err)
	}
	a.background(func(ctx context.Context) {
		every(ctx, costlimits.RefreshInterval, func() {
			if err := l.Refresh(ctx); err != nil && ctx.Err() == nil {
				logger.WarnContext(ctx, "refresh cost limits", "error", err)
			}
		})
	})
}

// callerLimits tells graph/cost the limits of a request's account: an API key's account, or the
// one account a user belongs to. Staff, partners and people of several accounts get the
// server's defaults (their bucket is theirs, not one account's).
func callerLimits(acc *accounts.Service, l *costlimits.Service) func(context.Context) (float64, float64, bool) {
	return func(ctx context.Context) (float64, float64, bool) {
		ms := acc.ViewerMemberships(ctx)
		if len(ms) != 1 {
			return 0, 0, false
		}
		lim, ok := l.Lookup(ms[0].AccountID)
		if !ok {
			return 0, 0, false
		}
		return float64(lim.BucketSize), float64(lim.RestoreRate), true
	}
}

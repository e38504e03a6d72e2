package main

import (
	"context"
	"os"

	"github.com/tradehub/tradehub/internal/tracing"
)

// startTracing sets the app's tracer provider: the test's, or OTLP when configured
// (TRADEHUB_OTLP_ENDPOINT, or the standard OTEL_EXPORTER_OTLP_* variables), or a no-op.
func (a *app) startTracing(ctx context.Context) error {
	if a.cfg.Tracer != nil {
		a.tracer = a.cfg.Tracer
		return nil
	}
	tc := tracing.Config{Endpoint: a.cfg.OTLPEndpoint, ServiceVersion: version(), LookupEnv: os.LookupEnv}
	tp, stop, err := tracing.New(ctx, tc)
	if err != nil {
		return err
	}
	a.tracer, a.stopTracing = tp, stop
	if tc.Enabled() {
		a.logger.Info("tracing on: spans are exported over OTLP/HTTP")
	}
	return nil
}

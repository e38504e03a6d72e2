package loaders

import (
	"context"

	"github.com/vikstrous/dataloadgen"

	"github.com/tradehub/tradehub/services/financing"
)

// RiskSource is what the risk loader reads: the financing service. Unlike the other financing
// loaders it authorizes each request itself (a risk picture is the partner's view of the
// account's history), so a request the caller may not see is absent from the batch.
type RiskSource interface {
	RequestRisks(ctx context.Context, requestIDs []string) (map[string]financing.Risk, error)
}

// Risks returns the request's loader of financing requests' risk pictures over src, made on
// first use: a partner's queue with the risk of each request costs a constant number of reads,
// not several per request. An absent request fails its load, which the resolver answers as null.
func (l *Loaders) Risks(src RiskSource) *dataloadgen.Loader[string, financing.Risk] {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.risks == nil {
		l.risks = dataloadgen.NewMappedLoader(src.RequestRisks, dataloadgen.WithWait(l.wait))
	}
	return l.risks
}

package graph

import (
	"github.com/tradehub/tradehub/graph/model"
	"github.com/tradehub/tradehub/services/costlimits"
)

func toGQLCostLimits(l costlimits.Limits) *model.CostLimits {
	return &model.CostLimits{AccountID: l.AccountID, BucketSize: l.BucketSize, RestoreRate: l.RestoreRate, Custom: l.Custom, UpdatedAt: l.UpdatedAt}
}

package accounts

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/mongodb"
)

// AllAccounts lists every account by legal name, without authorization: for trusted jobs (a
// monthly invoice run filters by its caller's rights itself) and demo seeding.
func (s *Service) AllAccounts(ctx context.Context) ([]Account, error) {
	cur, err := s.accounts.Find(ctx, bson.M{}, options.Find().SetSort(bson.D{{Key: "legalName", Value: 1}}).SetLimit(100_000))
	if err != nil {
		return nil, mongodb.MapError(err, "list accounts")
	}
	var docs []accountDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mongodb.MapError(err, "list accounts")
	}
	out := make([]Account, len(docs))
	for i, d := range docs {
		out[i] = d.toAccount()
	}
	return out, nil
}

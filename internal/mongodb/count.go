package mongodb

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// CountByAccount counts, in one aggregation, the documents of coll that match match for each
// of accountIDs (held in field, "accountId" in most collections); every given account is in
// the map, 0 when none match.
// It serves the per-account figures a page of accounts shows (the console's health column), so
// that a page costs one query per figure, not one per account. Errors are mapped by MapError
// with what.
func CountByAccount(ctx context.Context, coll *mongo.Collection, field string, accountIDs []string, match bson.D, what string) (map[string]int, error) {
	out := make(map[string]int, len(accountIDs))
	if len(accountIDs) == 0 {
		return out, nil
	}
	for _, id := range accountIDs {
		out[id] = 0
	}
	m := append(bson.D{{Key: field, Value: bson.D{{Key: "$in", Value: accountIDs}}}}, match...)
	cur, err := coll.Aggregate(ctx, mongo.Pipeline{
		{{Key: "$match", Value: m}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$" + field}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	})
	if err != nil {
		return nil, MapError(err, what)
	}
	var rows []struct {
		AccountID string `bson:"_id"`
		N         int    `bson:"n"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, MapError(err, what)
	}
	for _, r := range rows {
		out[r.AccountID] = r.N
	}
	return out, nil
}

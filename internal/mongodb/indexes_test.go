package mongodb_test

import (
	"context"
	"testing"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/internal/mongodb/mongotest"
)

// Every restart ensures the same indexes again. FerretDB v1.24 drops the connection when one
// createIndexes command names several indexes that all exist, so EnsureIndexes must skip them.
func TestEnsureIndexesAgainAfterARestart(t *testing.T) {
	db := mongotest.DB(t)
	ctx := context.Background()
	set := mongodb.Indexes{Collection: "inv", Models: []mongo.IndexModel{
		{Keys: bson.D{{Key: "tokenHash", Value: 1}}, Options: options.Index().SetUnique(true)},
		{Keys: bson.D{{Key: "domain", Value: 1}, {Key: "status", Value: 1}, {Key: "createdAt", Value: 1}}},
	}}
	for i := 0; i < 2; i++ {
		if err := mongodb.EnsureIndexes(ctx, db, set); err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
	}
	set2 := mongodb.Indexes{Collection: "sess", Models: []mongo.IndexModel{
		{Keys: bson.D{{Key: "expiresAt", Value: 1}}},
	}}
	for i := 0; i < 2; i++ {
		if err := mongodb.EnsureIndexes(ctx, db, set2); err != nil {
			t.Fatalf("single round %d: %v", i, err)
		}
	}
}

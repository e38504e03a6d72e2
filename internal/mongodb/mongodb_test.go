package mongodb_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/internal/mongodb/mongotest"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Run(m)) }

// The property the whole store design rests on: a guarded single-document update is atomic. On
// the embedded store this holds only because the client has one connection (see Embedded).
func TestGuardedDecrementIsAtomicUnderConcurrency(t *testing.T) {
	db := mongotest.DB(t)
	ctx := context.Background()
	coll := db.Collection("counters")
	if _, err := coll.InsertOne(ctx, bson.M{"_id": "c", "available": 100}); err != nil {
		t.Fatal(err)
	}

	const workers = 200
	var wins, losses atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := coll.FindOneAndUpdate(ctx,
				bson.M{"_id": "c", "available": bson.M{"$gte": 1}},
				bson.M{"$inc": bson.M{"available": -1}},
			).Err()
			switch {
			case err == nil:
				wins.Add(1)
			case errors.Is(err, mongo.ErrNoDocuments):
				losses.Add(1)
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()

	var got struct{ Available int }
	if err := coll.FindOne(ctx, bson.M{"_id": "c"}).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if wins.Load() != 100 || losses.Load() != 100 || got.Available != 0 {
		t.Fatalf("wins=%d losses=%d left=%d, want 100, 100, 0", wins.Load(), losses.Load(), got.Available)
	}
}

func TestEmbeddedDataSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()

	write := func() {
		emb, err := mongodb.StartEmbedded(mongodb.EmbeddedOptions{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		s, err := mongodb.Connect(ctx, mongodb.Options{URI: emb.URI(), Database: "restart", SingleConnection: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB.Collection("things").InsertOne(ctx, bson.M{"_id": "kept", "n": 7}); err != nil {
			t.Fatal(err)
		}
		_ = s.Close(ctx)
		if err := emb.Stop(ctx); err != nil {
			t.Fatal(err)
		}
	}
	write()

	emb, err := mongodb.StartEmbedded(mongodb.EmbeddedOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Stop(ctx)
	s, err := mongodb.Connect(ctx, mongodb.Options{URI: emb.URI(), Database: "restart", SingleConnection: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	var got struct{ N int }
	if err := s.DB.Collection("things").FindOne(ctx, bson.M{"_id": "kept"}).Decode(&got); err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if got.N != 7 {
		t.Fatalf("n = %d, want 7", got.N)
	}
}

func TestPingFollowsTheStoreDownAndBack(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	emb, err := mongodb.StartEmbedded(mongodb.EmbeddedOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	addr := emb.URI()[len("mongodb://") : len(emb.URI())-1]
	s, err := mongodb.Connect(ctx, mongodb.Options{URI: emb.URI(), Database: "ping", SingleConnection: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)

	if err := emb.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	down, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := s.Ping(down); err == nil {
		t.Fatal("ping succeeded with the store stopped")
	}

	emb, err = mongodb.StartEmbedded(mongodb.EmbeddedOptions{Dir: dir, Addr: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Stop(ctx)
	up, cancel2 := context.WithTimeout(ctx, 15*time.Second)
	defer cancel2()
	for {
		if err := s.Ping(up); err == nil {
			break
		} else if up.Err() != nil {
			t.Fatalf("store did not come back: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestEnsureIndexesAndMapError(t *testing.T) {
	db := mongotest.DB(t)
	ctx := context.Background()
	err := mongodb.EnsureIndexes(ctx, db, mongodb.Indexes{
		Collection: "skus",
		Models: []mongo.IndexModel{{
			Keys:    bson.D{{Key: "accountId", Value: 1}, {Key: "code", Value: 1}},
			Options: options.Index().SetUnique(true),
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Ensuring the same indexes again is a no-op, as at every start-up.
	if err := mongodb.EnsureIndexes(ctx, db, mongodb.Indexes{Collection: "skus", Models: []mongo.IndexModel{{
		Keys: bson.D{{Key: "accountId", Value: 1}, {Key: "code", Value: 1}}, Options: options.Index().SetUnique(true),
	}}}); err != nil {
		t.Fatalf("second ensure: %v", err)
	}

	coll := db.Collection("skus")
	if _, err := coll.InsertOne(ctx, bson.M{"accountId": "a", "code": "X"}); err != nil {
		t.Fatal(err)
	}
	_, err = coll.InsertOne(ctx, bson.M{"accountId": "a", "code": "X"})
	if got := errs.CodeOf(mongodb.MapError(err, "insert sku")); got != errs.Conflict {
		t.Errorf("duplicate key: code %s, want CONFLICT", got)
	}
	err = coll.FindOne(ctx, bson.M{"code": "missing"}).Err()
	if got := errs.CodeOf(mongodb.MapError(err, "find sku")); got != errs.NotFound {
		t.Errorf("no documents: code %s, want NOT_FOUND", got)
	}
	if mongodb.MapError(nil, "x") != nil {
		t.Error("nil error mapped to non-nil")
	}
}

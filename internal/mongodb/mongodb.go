// Package mongodb connects Tradehub to its store: a MongoDB deployment given by a URI, or the
// embedded FerretDB server started in-process. It also ensures the indexes that each service
// declares, and maps driver errors to errs codes at the store boundary.
package mongodb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"go.mongodb.org/mongo-driver/event"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.mongodb.org/mongo-driver/mongo/readpref"

	"github.com/tradehub/tradehub/internal/errs"
)

// Options configure Connect.
type Options struct {
	URI      string
	Database string
	// SingleConnection caps the pool at one connection. Required for the embedded store (see
	// Embedded); never needed for MongoDB, whose single-document updates are atomic on any pool.
	SingleConnection bool
	// Monitor, when set, sees every command (tests count store round trips with it).
	Monitor *event.CommandMonitor
}

// Store is a connected client and the database Tradehub uses.
type Store struct {
	Client *mongo.Client
	DB     *mongo.Database
}

// Connect dials the store and checks that it answers. Timeouts are short on purpose: a store
// that cannot be reached must fail requests and readiness quickly rather than hang them.
func Connect(ctx context.Context, o Options) (*Store, error) {
	if o.URI == "" || o.Database == "" {
		return nil, errors.New("connect store: URI and database name are required")
	}
	co := options.Client().ApplyURI(o.URI).
		SetAppName("tradehub").
		SetConnectTimeout(5 * time.Second).
		SetServerSelectionTimeout(5 * time.Second).
		SetTimeout(30 * time.Second)
	if o.SingleConnection {
		co.SetMaxPoolSize(1).SetMinPoolSize(0).SetMaxConnecting(1)
	}
	if o.Monitor != nil {
		co.SetMonitor(o.Monitor)
	}
	client, err := mongo.Connect(ctx, co)
	if err != nil {
		return nil, fmt.Errorf("connect store: %w", err)
	}
	s := &Store{Client: client, DB: client.Database(o.Database)}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.Ping(pingCtx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("connect store: %w", err)
	}
	return s, nil
}

// Ping reports whether the store answers within ctx's deadline; readiness uses it.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.Client.Ping(ctx, readpref.Primary()); err != nil {
		return fmt.Errorf("ping store: %w", err)
	}
	return nil
}

// Close disconnects, waiting for in-flight operations up to ctx's deadline.
func (s *Store) Close(ctx context.Context) error {
	if err := s.Client.Disconnect(ctx); err != nil {
		return fmt.Errorf("disconnect store: %w", err)
	}
	return nil
}

// Indexes are the indexes one collection needs. Each service declares its own, and
// EnsureIndexes creates the missing ones at start-up. Give each model its own Options value:
// the driver writes the generated name into the options it is given, so a shared
// options.Index().SetUnique(true) makes every later index inherit the first one's name.
type Indexes struct {
	Collection string
	Models     []mongo.IndexModel
}

// EnsureIndexes creates every declared index that does not exist yet, one at a time. Existing
// indexes are matched by name (the driver's default name from the keys, or Options.Name) and
// skipped: FerretDB v1.24 crashes the connection when a createIndexes command names two or more
// indexes that all exist already, which is what every restart would send.
func EnsureIndexes(ctx context.Context, db *mongo.Database, sets ...Indexes) error {
	for _, set := range sets {
		if len(set.Models) == 0 {
			continue
		}
		coll := db.Collection(set.Collection)
		existing, err := indexNames(ctx, coll)
		if err != nil {
			return fmt.Errorf("ensure indexes on %s: %w", set.Collection, err)
		}
		for _, m := range set.Models {
			name, err := indexName(m)
			if err != nil {
				return fmt.Errorf("ensure indexes on %s: %w", set.Collection, err)
			}
			if existing[name] {
				continue
			}
			if _, err := coll.Indexes().CreateOne(ctx, m); err != nil {
				return fmt.Errorf("ensure index %s on %s: %w", name, set.Collection, err)
			}
		}
	}
	return nil
}

func indexNames(ctx context.Context, coll *mongo.Collection) (map[string]bool, error) {
	cur, err := coll.Indexes().List(ctx)
	if err != nil {
		return nil, err
	}
	var specs []struct {
		Name string `bson:"name"`
	}
	if err := cur.All(ctx, &specs); err != nil {
		return nil, err
	}
	names := make(map[string]bool, len(specs))
	for _, s := range specs {
		names[s.Name] = true
	}
	return names, nil
}

// indexName is the name MongoDB gives an index: Options.Name, or the keys joined as
// "field_direction" with underscores, as the driver generates it.
func indexName(m mongo.IndexModel) (string, error) {
	if m.Options != nil && m.Options.Name != nil {
		return *m.Options.Name, nil
	}
	keys, ok := m.Keys.(bson.D)
	if !ok {
		return "", fmt.Errorf("index keys must be a bson.D, got %T", m.Keys)
	}
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s_%v", k.Key, k.Value))
	}
	return strings.Join(parts, "_"), nil
}

// MapError maps driver errors to errs codes at the store boundary: no document is NOT_FOUND,
// a duplicate key is CONFLICT, everything else is INTERNAL with the driver's text kept for logs
// only. what names the operation for the log ("find sku", "reserve stock").
func MapError(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return &errs.Error{Code: errs.NotFound, Message: "not found", Err: fmt.Errorf("%s: %w", what, err)}
	case mongo.IsDuplicateKeyError(err):
		return &errs.Error{Code: errs.Conflict, Message: "already exists", Err: fmt.Errorf("%s: %w", what, err)}
	default:
		if _, ok := errs.As(err); ok {
			return err
		}
		return errs.Internalf("%s: %w", what, err)
	}
}

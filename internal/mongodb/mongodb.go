// Package mongodb connects Tradehub to its store: a MongoDB deployment given by a URI, or the
// embedded FerretDB server started in-process. It also ensures the indexes that each service
// declares, and maps driver errors to errs codes at the store boundary.
package mongodb

import (
	"context"
	"errors"
	"fmt"
	"time"

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

// Indexes are the indexes one collection needs. Each service declares its own, and EnsureIndexes
// creates them at start-up; creating an existing identical index is a no-op.
type Indexes struct {
	Collection string
	Models     []mongo.IndexModel
}

// EnsureIndexes creates every declared index.
func EnsureIndexes(ctx context.Context, db *mongo.Database, sets ...Indexes) error {
	for _, set := range sets {
		if len(set.Models) == 0 {
			continue
		}
		if _, err := db.Collection(set.Collection).Indexes().CreateMany(ctx, set.Models); err != nil {
			return fmt.Errorf("ensure indexes on %s: %w", set.Collection, err)
		}
	}
	return nil
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

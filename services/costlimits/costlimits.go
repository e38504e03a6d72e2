// Package costlimits keeps the query-cost bucket of each account that platform admins gave
// limits of its own (a large integrator gets a bigger bucket, a misbehaving one a smaller one),
// and answers graph/cost's question "what are this account's limits?" from memory (a table
// reloaded every 30 seconds), because it is asked on every request.
//
// An account without its own limits uses the server's (TRADEHUB_COST_BUCKET and
// TRADEHUB_COST_RESTORE). The bucket is still per caller (each API key and user has its own);
// the account's limits size the buckets of its callers.
package costlimits

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/access"
)

// Collection holds one document per account with limits of its own.
const Collection = "account_cost_limits"

// RefreshInterval is how often the limits are reloaded. A change made on this instance applies
// at once; other instances see it within RefreshInterval.
const RefreshInterval = 30 * time.Second

// Bounds of a configured bucket (the same as the server-wide settings').
const (
	MinBucket  = 100
	MaxBucket  = 10_000_000
	MinRestore = 1
)

// Limits are an account's bucket size (points) and restore rate (points per second).
type Limits struct {
	AccountID   string
	BucketSize  int
	RestoreRate int
	// Custom is false when these are the server's defaults.
	Custom    bool
	UpdatedAt *time.Time
	UpdatedBy string
}

// Authorizer is what the service needs from the access service.
type Authorizer interface {
	Require(ctx context.Context, domain string, res access.Resource, act access.Action) error
}

// Config wires the service. Defaults are the server's bucket and restore rate. AccountExists
// reports whether an account exists (NOT_FOUND otherwise); the caller is a platform admin then.
type Config struct {
	DB            *mongo.Database
	Access        Authorizer
	AccountExists func(ctx context.Context, accountID string) error
	Clock         clock.Clock
	Defaults      Limits
}

// Service stores and caches per-account limits.
type Service struct {
	cfg  Config
	coll *mongo.Collection

	mu    sync.Mutex
	table map[string]Limits // account id -> its own limits (Refresh)
}

// New returns the service.
func New(cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = clock.System()
	}
	return &Service{cfg: cfg, coll: cfg.DB.Collection(Collection), table: map[string]Limits{}}
}

type doc struct {
	ID          string    `bson:"_id"`
	BucketSize  int       `bson:"bucketSize"`
	RestoreRate int       `bson:"restoreRate"`
	UpdatedAt   time.Time `bson:"updatedAt"`
	UpdatedBy   string    `bson:"updatedBy"`
}

func (s *Service) fromDoc(d doc) Limits {
	at := d.UpdatedAt
	return Limits{AccountID: d.ID, BucketSize: d.BucketSize, RestoreRate: d.RestoreRate, Custom: true, UpdatedAt: &at, UpdatedBy: d.UpdatedBy}
}

func (s *Service) defaults(accountID string) Limits {
	l := s.cfg.Defaults
	l.AccountID, l.Custom = accountID, false
	return l
}

// Of returns the limits that apply to an account's callers, for the caller who may read the
// account. Returns NOT_FOUND when the account is missing or the caller may not read it.
func (s *Service) Of(ctx context.Context, accountID string) (Limits, error) {
	if err := s.cfg.Access.Require(ctx, accountID, access.AccountProfile, access.Read); err != nil {
		return Limits{}, err
	}
	l, found, err := s.load(ctx, accountID)
	if err != nil {
		return Limits{}, err
	}
	if !found {
		return s.defaults(accountID), nil
	}
	return l, nil
}

// SetInput sets an account's limits; both nil returns the account to the server's defaults.
type SetInput struct {
	AccountID   string
	BucketSize  *int
	RestoreRate *int
}

// Set gives an account limits of its own, or takes them away. Platform admins only. Returns
// NOT_FOUND for a caller who is not a platform admin (whatever the account) and for an account
// that does not exist; INVALID (field bucketSize or restoreRate) for limits out of bounds or
// only one of the two given.
func (s *Service) Set(ctx context.Context, in SetInput) (Limits, error) {
	if err := s.cfg.Access.Require(ctx, access.DomainPlatform, access.CostLimits, access.Write); err != nil {
		return Limits{}, err
	}
	switch {
	case in.BucketSize == nil && in.RestoreRate == nil:
	case in.BucketSize == nil:
		return Limits{}, errs.InvalidField("input.bucketSize", "give both the bucket size and the restore rate, or neither to return to the defaults")
	case in.RestoreRate == nil:
		return Limits{}, errs.InvalidField("input.restoreRate", "give both the bucket size and the restore rate, or neither to return to the defaults")
	case *in.BucketSize < MinBucket || *in.BucketSize > MaxBucket:
		return Limits{}, errs.InvalidField("input.bucketSize", "the bucket size must be from %d to %d points", MinBucket, MaxBucket)
	case *in.RestoreRate < MinRestore || *in.RestoreRate > *in.BucketSize:
		return Limits{}, errs.InvalidField("input.restoreRate", "the restore rate must be from %d point per second to the bucket size", MinRestore)
	}
	if err := s.cfg.AccountExists(ctx, in.AccountID); err != nil {
		return Limits{}, err
	}
	if in.BucketSize == nil {
		if _, err := s.coll.DeleteOne(ctx, bson.M{"_id": in.AccountID}); err != nil {
			return Limits{}, mongodb.MapError(err, "delete cost limits")
		}
		s.remember(in.AccountID, Limits{}, false)
		return s.defaults(in.AccountID), nil
	}
	p, _ := auth.PrincipalFrom(ctx)
	d := doc{ID: in.AccountID, BucketSize: *in.BucketSize, RestoreRate: *in.RestoreRate, UpdatedAt: s.cfg.Clock.Now(), UpdatedBy: p.UserID}
	if _, err := s.coll.ReplaceOne(ctx, bson.M{"_id": d.ID}, d, options.Replace().SetUpsert(true)); err != nil {
		return Limits{}, mongodb.MapError(err, "save cost limits")
	}
	l := s.fromDoc(d)
	s.remember(in.AccountID, l, true)
	return l, nil
}

// Lookup returns an account's own limits for the cost extension: no authorization (the caller
// is the request's own account) and no store call (it runs on every request): it reads the
// table that Refresh loads. ok is false when the account has none.
func (s *Service) Lookup(accountID string) (Limits, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.table[accountID]
	return l, ok
}

// Refresh reloads every account's own limits (a handful of documents) into the table Lookup
// reads; cmd/tradehub runs it at start and every RefreshInterval, which is how a change made
// on another instance arrives. On error the table is kept.
func (s *Service) Refresh(ctx context.Context) error {
	cur, err := s.coll.Find(ctx, bson.M{})
	if err != nil {
		return mongodb.MapError(err, "load cost limits")
	}
	var docs []doc
	if err := cur.All(ctx, &docs); err != nil {
		return mongodb.MapError(err, "load cost limits")
	}
	table := make(map[string]Limits, len(docs))
	for _, d := range docs {
		table[d.ID] = s.fromDoc(d)
	}
	s.mu.Lock()
	s.table = table
	s.mu.Unlock()
	return nil
}

func (s *Service) load(ctx context.Context, accountID string) (Limits, bool, error) {
	var d doc
	err := s.coll.FindOne(ctx, bson.M{"_id": accountID}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return Limits{}, false, nil
	}
	if err != nil {
		return Limits{}, false, mongodb.MapError(err, "find cost limits")
	}
	return s.fromDoc(d), true, nil
}

// remember applies a change made here to the table at once.
func (s *Service) remember(accountID string, l Limits, found bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if found {
		s.table[accountID] = l
	} else {
		delete(s.table, accountID)
	}
}

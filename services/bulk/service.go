package bulk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/access"
)

// Authorizer is what the service needs from the access service.
type Authorizer interface {
	Require(ctx context.Context, domain string, res access.Resource, act access.Action) error
}

// Config wires the service.
type Config struct {
	DB     *mongo.Database
	Access Authorizer
	// Query checks and runs the exported queries (graph.BulkQueries); it may be set after New
	// with SetQuery, because the GraphQL layer is built with the service.
	Query Query
	// Dir holds the files (<data dir>/exports for the embedded store).
	Dir string
	// MaxObjects lowers the MaxObjects bound (tests); 0 is MaxObjects.
	MaxObjects int64
	// PageSize is the items per page (default cursor.MaxLimit).
	PageSize int
	Clock    clock.Clock
	Logger   *slog.Logger
	// OnFinish, when set, is told of every export this process ends: COMPLETED, FAILED (with
	// its error code) or CANCELED, and the lines it wrote (metrics). It must be quick.
	OnFinish func(status Status, errorCode string, objects int64)
}

// Service runs bulk exports.
type Service struct {
	cfg   Config
	ops   *mongo.Collection
	locks *mongo.Collection
	owner string // this process, as the holder of leases
	wake  chan struct{}

	mu      sync.Mutex
	running map[string]context.CancelFunc // exports this process runs, to stop them on cancel
}

// New returns the service; Run starts its worker.
func New(cfg Config) (*Service, error) {
	if cfg.Clock == nil {
		cfg.Clock = clock.System()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxObjects <= 0 || cfg.MaxObjects > MaxObjects {
		cfg.MaxObjects = MaxObjects
	}
	if cfg.PageSize <= 0 || cfg.PageSize > cursor.MaxLimit {
		cfg.PageSize = cursor.MaxLimit
	}
	if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("bulk exports folder: %w", err)
	}
	return &Service{cfg: cfg, ops: cfg.DB.Collection(CollExports), locks: cfg.DB.Collection(CollLocks),
		owner: ids.New(ids.BulkOperation), wake: make(chan struct{}, 1), running: map[string]context.CancelFunc{}}, nil
}

// SetQuery gives the service the GraphQL layer's query runner.
func (s *Service) SetQuery(q Query) { s.cfg.Query = q }

// RunInput asks for an export.
type RunInput struct {
	AccountID string
	Query     string
}

// Run records an export for the worker. Returns NOT_FOUND when the caller may not export the
// account (or it does not exist), INVALID (input.query) for a query that cannot be exported,
// CONFLICT (ErrAlreadyRunning) while another export of the account is unfinished.
func (s *Service) Run(ctx context.Context, in RunInput) (Export, error) {
	if err := s.cfg.Access.Require(ctx, in.AccountID, access.BulkExports, access.Write); err != nil {
		return Export{}, err
	}
	q := strings.TrimSpace(in.Query)
	if q == "" || len(q) > MaxQueryBytes {
		return Export{}, errs.InvalidField("input.query", "give a query of at most %d bytes", MaxQueryBytes)
	}
	if err := s.cfg.Query.Check(q, s.cfg.PageSize); err != nil {
		return Export{}, err
	}
	p, _ := auth.PrincipalFrom(ctx)
	now := s.cfg.Clock.Now()
	d := exportDoc{ID: ids.New(ids.BulkOperation), AccountID: in.AccountID, Query: q, Status: Created,
		CreatedBy: p.UserID, PrincipalKind: string(p.Kind), APIKeyID: p.APIKeyID, CreatedAt: now}
	if err := s.lock(ctx, in.AccountID, d.ID); err != nil {
		return Export{}, err
	}
	if _, err := s.ops.InsertOne(ctx, d); err != nil {
		s.unlock(context.WithoutCancel(ctx), in.AccountID, d.ID)
		return Export{}, mongodb.MapError(err, "insert bulk export")
	}
	s.poke()
	return d.toExport(), nil
}

// lock claims the account's one export slot. A lock whose export has finished (its holder
// stopped between finishing and unlocking) is taken over.
func (s *Service) lock(ctx context.Context, accountID, exportID string) error {
	for range 2 {
		_, err := s.locks.InsertOne(ctx, lockDoc{ID: accountID, ExportID: exportID})
		if err == nil {
			return nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return mongodb.MapError(err, "lock bulk export")
		}
		var l lockDoc
		if err := s.locks.FindOne(ctx, bson.M{"_id": accountID}).Decode(&l); err != nil {
			if errors.Is(err, mongo.ErrNoDocuments) {
				continue
			}
			return mongodb.MapError(err, "read bulk export lock")
		}
		n, err := s.ops.CountDocuments(ctx, bson.M{"_id": l.ExportID, fStatus: bson.M{"$in": bson.A{Created, Running}}})
		if err != nil {
			return mongodb.MapError(err, "check bulk export lock")
		}
		if n > 0 {
			return ErrAlreadyRunning
		}
		if _, err := s.locks.DeleteOne(ctx, bson.M{"_id": accountID, "exportId": l.ExportID}); err != nil {
			return mongodb.MapError(err, "drop stale bulk export lock")
		}
	}
	return ErrAlreadyRunning
}

func (s *Service) unlock(ctx context.Context, accountID, exportID string) {
	if _, err := s.locks.DeleteOne(ctx, bson.M{"_id": accountID, "exportId": exportID}); err != nil {
		s.cfg.Logger.WarnContext(ctx, "bulk: unlock", "account", accountID, "error", err)
	}
}

// Get returns an export the caller may read; NOT_FOUND otherwise.
func (s *Service) Get(ctx context.Context, id string) (Export, error) {
	d, err := s.find(ctx, id)
	if err != nil {
		return Export{}, err
	}
	if err := s.cfg.Access.Require(ctx, d.AccountID, access.BulkExports, access.Read); err != nil {
		return Export{}, ErrNotFound
	}
	return d.toExport(), nil
}

func (s *Service) find(ctx context.Context, id string) (exportDoc, error) {
	var d exportDoc
	if !ids.HasPrefix(id, ids.BulkOperation) {
		return d, ErrNotFound
	}
	if err := s.ops.FindOne(ctx, bson.M{"_id": id}).Decode(&d); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return d, ErrNotFound
		}
		return d, mongodb.MapError(err, "find bulk export")
	}
	return d, nil
}

// List pages an account's exports, oldest first. NOT_FOUND when the caller may not read them.
func (s *Service) List(ctx context.Context, accountID string, page cursor.Page) (cursor.Result[Export], error) {
	if err := s.cfg.Access.Require(ctx, accountID, access.BulkExports, access.Read); err != nil {
		return cursor.Result[Export]{}, err
	}
	w, err := page.Validate(cursor.MaxLimit)
	if err != nil {
		return cursor.Result[Export]{}, err
	}
	res, err := mongodb.FindPage(ctx, s.ops, bson.M{fAccountID: accountID}, exportKeyset, w)
	if err != nil {
		return cursor.Result[Export]{}, err
	}
	out := cursor.Result[Export]{Cursors: res.Cursors, HasNextPage: res.HasNextPage, HasPreviousPage: res.HasPreviousPage}
	for _, d := range res.Items {
		out.Items = append(out.Items, d.toExport())
	}
	return out, nil
}

// Cancel stops an unfinished export and deletes what it wrote. Returns NOT_FOUND as Get, and
// FAILED_PRECONDITION (ErrNotCancelable) for a finished one.
func (s *Service) Cancel(ctx context.Context, id string) (Export, error) {
	d, err := s.find(ctx, id)
	if err != nil {
		return Export{}, err
	}
	if err := s.cfg.Access.Require(ctx, d.AccountID, access.BulkExports, access.Write); err != nil {
		if errs.IsCode(err, errs.Forbidden) {
			return Export{}, err
		}
		return Export{}, ErrNotFound
	}
	now := s.cfg.Clock.Now()
	var out exportDoc
	err = s.ops.FindOneAndUpdate(ctx, bson.M{"_id": id, fStatus: bson.M{"$in": bson.A{Created, Running}}},
		bson.M{"$set": bson.M{fStatus: Canceled, fCompletedAt: now, fExpiresAt: now}, "$unset": bson.M{fLeaseUntil: "", fOwner: ""}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&out)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return Export{}, ErrNotCancelable
	}
	if err != nil {
		return Export{}, mongodb.MapError(err, "cancel bulk export")
	}
	s.mu.Lock()
	if stop, ok := s.running[id]; ok {
		stop()
	}
	s.mu.Unlock()
	s.finished(Canceled, "", out.ObjectCount)
	s.unlock(context.WithoutCancel(ctx), d.AccountID, id)
	// The worker removes its file when it sees the cancellation; one that ran elsewhere and
	// stopped leaves it to the sweep.
	return out.toExport(), nil
}

// Open returns a completed export's file for the caller who may read it; NOT_FOUND for every
// other case (foreign, missing, unfinished, expired).
func (s *Service) Open(ctx context.Context, id string) (*os.File, Export, error) {
	e, err := s.Get(ctx, id)
	if err != nil {
		return nil, Export{}, err
	}
	if !e.Downloadable() {
		return nil, Export{}, ErrNotFound
	}
	f, err := os.Open(s.path(id))
	if err != nil {
		if os.IsNotExist(err) {
			// Written on another instance with its own data folder: see the README.
			return nil, Export{}, ErrNotFound
		}
		return nil, Export{}, errs.Internalf("open bulk export: %w", err)
	}
	return f, e, nil
}

func (s *Service) path(id string) string { return filepath.Join(s.cfg.Dir, id+".jsonl") }

// Sweep deletes the files of exports that finished more than Retention ago (EXPIRED), and the
// files of failed and canceled ones. It returns how many exports expired.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	now := s.cfg.Clock.Now()
	cur, err := s.ops.Find(ctx, bson.M{fStatus: bson.M{"$in": bson.A{Completed, Failed, Canceled}}, fExpiresAt: bson.M{"$lte": now}},
		options.Find().SetLimit(1000))
	if err != nil {
		return 0, mongodb.MapError(err, "find expired bulk exports")
	}
	var docs []exportDoc
	if err := cur.All(ctx, &docs); err != nil {
		return 0, mongodb.MapError(err, "read expired bulk exports")
	}
	n := 0
	for _, d := range docs {
		if err := os.Remove(s.path(d.ID)); err != nil && !os.IsNotExist(err) {
			s.cfg.Logger.WarnContext(ctx, "bulk: remove expired file", "export", d.ID, "error", err)
			continue
		}
		set := bson.M{fExpiresAt: nil}
		if d.Status == Completed {
			set = bson.M{fStatus: Expired, fExpiresAt: nil}
			n++
		}
		if _, err := s.ops.UpdateOne(ctx, bson.M{"_id": d.ID, fStatus: d.Status}, bson.M{"$set": set}); err != nil {
			return n, mongodb.MapError(err, "expire bulk export")
		}
	}
	return n, nil
}

func (s *Service) finished(st Status, code string, objects int64) {
	if s.cfg.OnFinish != nil {
		s.cfg.OnFinish(st, code, objects)
	}
}

func (s *Service) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Package access decides who may do what, for every service: one question,
// Require(ctx, domain, resource, action), answered by casbin's RBAC-with-domains model
// (model.conf) over the permission matrix (matrix.go) and the role assignments stored in MongoDB
// through casbin's MongoDB adapter.
//
// Rules every caller relies on:
//   - Require returns UNAUTHENTICATED without a principal; NOT_FOUND when the caller may not even
//     read that resource in that domain (so a foreign id looks exactly like a missing one);
//     FORBIDDEN when it may read but not do the action; ACCOUNT_SUSPENDED (FAILED_PRECONDITION)
//     for changes to a suspended or closed account.
//   - A change to roles, consents or flags is visible to the next request on every instance:
//     this instance updates its enforcer synchronously, and other instances reload when the
//     stored policy version moves (Refresh, called once per request by the authenticator).
//     There is no decision cache that could keep a revoked allow.
package access

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync/atomic"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	mongodbadapter "github.com/casbin/mongodb-adapter/v3"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/errs"
)

//go:embed model.conf
var modelText string

// Errors of Require.
var (
	ErrUnauthenticated  = errs.Sentinel(errs.Unauthenticated, "UNAUTHENTICATED", "sign in or send an API key")
	ErrForbidden        = errs.Sentinel(errs.Forbidden, "FORBIDDEN", "your role does not allow this")
	ErrNotFound         = errs.Sentinel(errs.NotFound, "NOT_FOUND", "not found")
	ErrAccountSuspended = errs.Sentinel(errs.FailedPrecondition, "ACCOUNT_SUSPENDED", "the account is suspended or closed, so it cannot be changed")
)

// Flags of a domain (g3 rules).
const (
	FlagSuspended = "SUSPENDED"
)

const (
	policyCollection = "casbin_rule"
	metaCollection   = "access_meta"
	versionDocID     = "policy"
)

// Service is the access service. It is safe for concurrent use.
type Service struct {
	enforcer *casbin.SyncedEnforcer
	meta     *mongo.Collection
	version  atomic.Int64 // the policy version this instance has loaded
	logger   *slog.Logger
}

// New loads the policy from db and syncs the permission matrix into it.
func New(ctx context.Context, client *mongo.Client, db *mongo.Database, logger *slog.Logger) (*Service, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("access: model: %w", err)
	}
	adapter, err := mongodbadapter.NewAdapterByDB(client, &mongodbadapter.AdapterConfig{
		DatabaseName: db.Name(), CollectionName: policyCollection,
	})
	if err != nil {
		return nil, fmt.Errorf("access: adapter: %w", err)
	}
	// mongodb-adapter v3.7.0 sets a finalizer that disconnects the client when the adapter is
	// garbage-collected; the client is shared with every service, so clear it.
	runtime.SetFinalizer(adapter, nil)
	e, err := casbin.NewSyncedEnforcer(m, adapter)
	if err != nil {
		return nil, fmt.Errorf("access: enforcer: %w", err)
	}
	s := &Service{enforcer: e, meta: db.Collection(metaCollection), logger: logger}
	if err := s.syncMatrix(ctx); err != nil {
		return nil, err
	}
	if err := s.Refresh(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// syncMatrix makes the stored p rules equal to the matrix, adding and removing only the
// difference (the adapter's SavePolicy would drop and rewrite the whole collection).
func (s *Service) syncMatrix(ctx context.Context) error {
	stored, err := s.enforcer.GetPolicy()
	if err != nil {
		return fmt.Errorf("access: read policy: %w", err)
	}
	want := policies()
	have := map[string]bool{}
	for _, p := range stored {
		have[strings.Join(p, "|")] = true
	}
	wanted := map[string]bool{}
	var add, remove [][]string
	for _, p := range want {
		wanted[strings.Join(p, "|")] = true
		if !have[strings.Join(p, "|")] {
			add = append(add, p)
		}
	}
	for _, p := range stored {
		if !wanted[strings.Join(p, "|")] {
			remove = append(remove, p)
		}
	}
	if len(add) > 0 {
		if _, err := s.enforcer.AddPolicies(add); err != nil {
			return fmt.Errorf("access: add matrix policies: %w", err)
		}
	}
	if len(remove) > 0 {
		if _, err := s.enforcer.RemovePolicies(remove); err != nil {
			return fmt.Errorf("access: remove stale policies: %w", err)
		}
	}
	if len(add)+len(remove) > 0 {
		return s.bumpVersion(ctx)
	}
	return nil
}

// Refresh reloads the policy when another instance changed it since this one last loaded it.
// It costs one _id lookup; the authenticator calls it once per request.
func (s *Service) Refresh(ctx context.Context) error {
	var doc struct {
		Version int64 `bson:"version"`
	}
	err := s.meta.FindOne(ctx, bson.M{"_id": versionDocID}).Decode(&doc)
	if err != nil && err != mongo.ErrNoDocuments {
		return errs.Internalf("access: read policy version: %w", err)
	}
	if doc.Version == s.version.Load() && doc.Version != 0 {
		return nil
	}
	if err := s.enforcer.LoadPolicy(); err != nil {
		return errs.Internalf("access: load policy: %w", err)
	}
	s.version.Store(doc.Version)
	return nil
}

// bumpVersion tells other instances to reload. This instance already has the change in memory,
// so it records the new version as loaded (unless another change raced in between, in which case
// the next Refresh reloads, which is always safe).
func (s *Service) bumpVersion(ctx context.Context) error {
	var doc struct {
		Version int64 `bson:"version"`
	}
	before := s.version.Load()
	err := s.meta.FindOneAndUpdate(ctx, bson.M{"_id": versionDocID}, bson.M{"$inc": bson.M{"version": 1}},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&doc)
	if err != nil {
		return errs.Internalf("access: bump policy version: %w", err)
	}
	if doc.Version == before+1 {
		s.version.Store(doc.Version)
	}
	return nil
}

// Subject is the casbin subject of a principal: the API key for key callers (a key holds its
// own role, never its creator's), the user otherwise.
func Subject(p *auth.Principal) string {
	if p.Kind == auth.KindAPIKey {
		return p.APIKeyID
	}
	return p.UserID
}

// Require decides whether the caller of ctx may do act on res in domain (an account id, a
// partner id, or DomainPlatform). See the package doc for what it returns.
func (s *Service) Require(ctx context.Context, domain string, res Resource, act Action) error {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return ErrUnauthenticated
	}
	sub := Subject(p)
	org := s.partnerOf(sub)
	allowed, err := s.enforcer.Enforce(sub, domain, org, string(res), string(act))
	if err != nil {
		return errs.Internalf("access: enforce: %w", err)
	}
	if allowed {
		if act != Read && res != Accounts && s.HasFlag(domain, FlagSuspended) {
			return ErrAccountSuspended
		}
		return nil
	}
	if act != Read {
		canRead, err := s.enforcer.Enforce(sub, domain, org, string(res), string(Read))
		if err != nil {
			return errs.Internalf("access: enforce: %w", err)
		}
		if canRead {
			return ErrForbidden
		}
	}
	return ErrNotFound
}

// Can is Require as a boolean, for filtering lists and shaping views. Errors count as no.
func (s *Service) Can(ctx context.Context, domain string, res Resource, act Action) bool {
	return s.Require(ctx, domain, res, act) == nil
}

// partnerOf returns the partner the subject belongs to, or "".
func (s *Service) partnerOf(sub string) string {
	for _, r := range s.rulesOf(sub) {
		if strings.HasPrefix(r.Domain, "ptn_") {
			return r.Domain
		}
	}
	return ""
}

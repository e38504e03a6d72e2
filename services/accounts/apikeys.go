package accounts

import (
	"context"
	"errors"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/audit"
)

// lastUsedGranularity bounds the writes that lastUsedAt costs: at most one per key per minute.
const lastUsedGranularity = time.Minute

// CreateAPIKeyInput is a new key.
type CreateAPIKeyInput struct {
	AccountID string
	Name      string
	Role      access.Role
	ExpiresAt *time.Time
}

// CreateAPIKey mints a key for an account and returns it with its secret, which is never
// available again. OWNER and ADMIN only; keys cannot be OWNER. Returns INVALID with a field,
// or the access errors.
func (s *Service) CreateAPIKey(ctx context.Context, in CreateAPIKeyInput) (APIKey, string, error) {
	audit.Annotate(ctx, in.AccountID, "")
	if err := s.access.Require(ctx, in.AccountID, access.APIKeys, access.Write); err != nil {
		return APIKey{}, "", err
	}
	name := strings.TrimSpace(in.Name)
	if err := checkName("input.name", name, 100); err != nil {
		return APIKey{}, "", err
	}
	if !isAccountRole(in.Role) || in.Role == access.Owner {
		return APIKey{}, "", errs.InvalidField("input.role", "an API key can be ADMIN, OPERATOR, FINANCE or VIEWER")
	}
	now := s.clock.Now()
	if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
		return APIKey{}, "", errs.InvalidField("input.expiresAt", "must be in the future")
	}
	p, _ := auth.PrincipalFrom(ctx)
	prefix := "th_live_"
	if s.cfg.Development {
		prefix = "th_test_"
	}
	secret, hash := newSecret(prefix)
	doc := apiKeyDoc{ID: ids.New(ids.APIKey), AccountID: in.AccountID, Name: name, Role: string(in.Role),
		SecretHash: hash, SecretPrefix: secret[:len(prefix)+4], CreatedBy: p.UserID, CreatedAt: now, ExpiresAt: in.ExpiresAt}
	audit.Annotate(ctx, in.AccountID, doc.ID)
	if _, err := s.apiKeys.InsertOne(ctx, doc); err != nil {
		return APIKey{}, "", mongodb.MapError(err, "insert api key")
	}
	if err := s.access.Assign(ctx, access.Assignment{Subject: doc.ID, Role: in.Role, Domain: in.AccountID}); err != nil {
		_, _ = s.apiKeys.DeleteOne(context.WithoutCancel(ctx), bson.M{"_id": doc.ID})
		return APIKey{}, "", errs.Internalf("assign api key role: %w", err)
	}
	return doc.toAPIKey(), secret, nil
}

// RevokeAPIKey revokes a key: it stops working on the next request. Revoking twice is a no-op
// that returns the key. NOT_FOUND for keys of accounts the caller cannot see.
func (s *Service) RevokeAPIKey(ctx context.Context, keyID string) (APIKey, error) {
	var doc apiKeyDoc
	if err := s.apiKeys.FindOne(ctx, bson.M{"_id": keyID}).Decode(&doc); err != nil {
		return APIKey{}, mongodb.MapError(err, "find api key")
	}
	audit.Annotate(ctx, doc.AccountID, doc.ID)
	if err := s.access.Require(ctx, doc.AccountID, access.APIKeys, access.Write); err != nil {
		return APIKey{}, err
	}
	now := s.clock.Now()
	err := s.apiKeys.FindOneAndUpdate(ctx, bson.M{"_id": keyID, "revokedAt": bson.M{"$exists": false}},
		bson.M{"$set": bson.M{"revokedAt": now}}, options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&doc)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return APIKey{}, mongodb.MapError(err, "revoke api key")
	}
	// The role goes too, so even a stale reader of the key document could not act with it.
	if err := s.access.Replace(ctx, keyID, doc.AccountID, ""); err != nil {
		return APIKey{}, errs.Internalf("remove api key role: %w", err)
	}
	if doc.RevokedAt == nil {
		doc.RevokedAt = &now
	}
	return doc.toAPIKey(), nil
}

// APIKeys lists an account's keys, newest first.
func (s *Service) APIKeys(ctx context.Context, accountID string, page cursor.Page) (cursor.Result[APIKey], error) {
	if err := s.access.Require(ctx, accountID, access.APIKeys, access.Read); err != nil {
		return cursor.Result[APIKey]{}, err
	}
	w, err := page.Validate(cursor.MaxLimit)
	if err != nil {
		return cursor.Result[APIKey]{}, err
	}
	w.Forward = !w.Forward
	w.After, w.Before = w.Before, w.After
	res, err := mongodb.FindPage(ctx, s.apiKeys, bson.M{"accountId": accountID}, apiKeyKeyset, w)
	if err != nil {
		return cursor.Result[APIKey]{}, err
	}
	out := cursor.Result[APIKey]{HasNextPage: res.HasPreviousPage, HasPreviousPage: res.HasNextPage}
	for i := len(res.Items) - 1; i >= 0; i-- {
		out.Items = append(out.Items, res.Items[i].toAPIKey())
		out.Cursors = append(out.Cursors, res.Cursors[i])
	}
	return out, nil
}

// APIKey returns one key the caller may see.
func (s *Service) APIKey(ctx context.Context, keyID string) (APIKey, error) {
	var doc apiKeyDoc
	if err := s.apiKeys.FindOne(ctx, bson.M{"_id": keyID}).Decode(&doc); err != nil {
		return APIKey{}, mongodb.MapError(err, "find api key")
	}
	if err := s.access.Require(ctx, doc.AccountID, access.APIKeys, access.Read); err != nil {
		return APIKey{}, err
	}
	return doc.toAPIKey(), nil
}

// APIKeyOfCaller returns the key the caller authenticated with.
func (s *Service) APIKeyOfCaller(ctx context.Context) (APIKey, error) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok || p.Kind != auth.KindAPIKey {
		return APIKey{}, ErrNotFound
	}
	var doc apiKeyDoc
	if err := s.apiKeys.FindOne(ctx, bson.M{"_id": p.APIKeyID}).Decode(&doc); err != nil {
		return APIKey{}, mongodb.MapError(err, "find caller's api key")
	}
	return doc.toAPIKey(), nil
}

// authenticateKey resolves a bearer secret. Unknown, revoked and expired keys all return
// ErrBadAPIKey: a caller that sends a key wants it to work, so it is refused rather than
// treated as anonymous.
func (s *Service) authenticateKey(ctx context.Context, secret string) (*auth.Principal, error) {
	now := s.clock.Now()
	var doc apiKeyDoc
	err := s.apiKeys.FindOne(ctx, bson.M{"secretHash": hashSecret(secret)}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, ErrBadAPIKey
	}
	if err != nil {
		return nil, mongodb.MapError(err, "find api key")
	}
	if doc.RevokedAt != nil || (doc.ExpiresAt != nil && !now.Before(*doc.ExpiresAt)) {
		return nil, ErrBadAPIKey
	}
	if doc.LastUsedAt == nil || now.Sub(*doc.LastUsedAt) >= lastUsedGranularity {
		// Best effort: a failed stamp must not fail the caller's request.
		_, _ = s.apiKeys.UpdateOne(ctx, bson.M{"_id": doc.ID, "$or": bson.A{
			bson.M{"lastUsedAt": bson.M{"$exists": false}},
			bson.M{"lastUsedAt": bson.M{"$lte": now.Add(-lastUsedGranularity)}},
		}}, bson.M{"$set": bson.M{"lastUsedAt": now}})
	}
	return &auth.Principal{Kind: auth.KindAPIKey, APIKeyID: doc.ID, UserID: doc.CreatedBy}, nil
}

func isAccountRole(r access.Role) bool {
	for _, x := range access.AccountRoles {
		if x == r {
			return true
		}
	}
	return false
}

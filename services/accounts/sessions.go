package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"golang.org/x/time/rate"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/audit"
)

// SessionTTL is how long a portal session lasts from sign-in.
const SessionTTL = 7 * 24 * time.Hour

// throttle limits failed sign-ins per email and per client address. Only failures spend
// tokens, so a user who types the password right is never slowed. Limiters live in bounded LRU
// caches on this instance: an attacker who spreads over several instances gets their number
// times the budget, which still makes guessing hopeless at argon2id's cost.
type throttle struct {
	byEmail, byClient *lru.Cache[string, *rate.Limiter]
}

func newThrottle() *throttle {
	e, _ := lru.New[string, *rate.Limiter](100_000)
	c, _ := lru.New[string, *rate.Limiter](100_000)
	return &throttle{byEmail: e, byClient: c}
}

// Budgets: 5 failures per email, then one more every 3 minutes; 30 per client address, then
// one more every 10 seconds.
func (t *throttle) limiter(c *lru.Cache[string, *rate.Limiter], key string, every time.Duration, burst int) *rate.Limiter {
	if l, ok := c.Get(key); ok {
		return l
	}
	l := rate.NewLimiter(rate.Every(every), burst)
	c.Add(key, l)
	return l
}

func (t *throttle) blocked(email, client string, now time.Time) bool {
	e := t.limiter(t.byEmail, email, 3*time.Minute, 5)
	c := t.limiter(t.byClient, client, 10*time.Second, 30)
	return e.TokensAt(now) < 1 || c.TokensAt(now) < 1
}

func (t *throttle) fail(email, client string, now time.Time) {
	t.limiter(t.byEmail, email, 3*time.Minute, 5).AllowN(now, 1)
	t.limiter(t.byClient, client, 10*time.Second, 30).AllowN(now, 1)
}

// newSecret returns a prefixed random token and its SHA-256 hash. The secrets are 256-bit
// random, so a fast hash is enough to make a stolen database useless for signing in.
func newSecret(prefix string) (secret, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // the OS is broken; nothing sensible to do
	}
	secret = prefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, hashSecret(secret)
}

func hashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Login checks an email and password and starts a session: its token goes into the session
// cookie of the current request and is also returned (for tests and non-HTTP callers). Returns INVALID_CREDENTIALS (the same for an unknown email, a wrong password or a
// disabled user, after the same amount of work) or THROTTLED.
func (s *Service) Login(ctx context.Context, email, password string) (User, string, error) {
	key := emailKey(strings.TrimSpace(email))
	client := auth.ClientAddressFrom(ctx)
	now := s.clock.Now()
	if s.throttle.blocked(key, client, now) {
		return User{}, "", ErrThrottled
	}
	var doc userDoc
	err := s.users.FindOne(ctx, bson.M{"emailKey": key}).Decode(&doc)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return User{}, "", mongodb.MapError(err, "find user for login")
	}
	hash := doc.PasswordHash
	if hash == "" {
		hash = s.dummyHash
	}
	ok := verifyPassword(hash, password) && doc.ID != "" && UserStatus(doc.Status) == UserActive
	if !ok {
		s.throttle.fail(key, client, now)
		return User{}, "", ErrInvalidCredentials.With("input.password", nil)
	}
	audit.Annotate(ctx, "", doc.ID)
	token, err := s.startSession(ctx, doc.ID)
	if err != nil {
		return User{}, "", err
	}
	return doc.toUser(), token, nil
}

func (s *Service) startSession(ctx context.Context, userID string) (string, error) {
	token, hash := newSecret("ths_")
	now := s.clock.Now()
	_, err := s.sessions.InsertOne(ctx, sessionDoc{ID: ids.New(ids.Session), TokenHash: hash, UserID: userID,
		CreatedAt: now, ExpiresAt: now.Add(SessionTTL), ClientAddress: auth.ClientAddressFrom(ctx)})
	if err != nil {
		return "", mongodb.MapError(err, "insert session")
	}
	s.SetSessionCookie(ctx, token)
	return token, nil
}

// Logout ends the caller's session. Returns how many sessions ended (0 or 1), or
// UNAUTHENTICATED for a caller without a session.
func (s *Service) Logout(ctx context.Context) (int, error) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok || p.SessionID == "" {
		return 0, errs.E(errs.Unauthenticated, "not signed in with a session")
	}
	audit.Annotate(ctx, "", p.UserID)
	res, err := s.sessions.DeleteOne(ctx, bson.M{"_id": p.SessionID})
	if err != nil {
		return 0, mongodb.MapError(err, "delete session")
	}
	s.ClearSessionCookie(ctx)
	return int(res.DeletedCount), nil
}

// RevokeAllSessions ends every session of the signed-in user.
func (s *Service) RevokeAllSessions(ctx context.Context) (int, error) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok || p.Kind != auth.KindUser {
		return 0, errs.E(errs.Unauthenticated, "sign in to end your sessions")
	}
	audit.Annotate(ctx, "", p.UserID)
	res, err := s.sessions.DeleteMany(ctx, bson.M{"userId": p.UserID})
	if err != nil {
		return 0, mongodb.MapError(err, "delete sessions")
	}
	s.ClearSessionCookie(ctx)
	return int(res.DeletedCount), nil
}

// SweepSessions deletes expired sessions (there is no TTL index on the embedded store; a
// periodic sweep does the same job on both stores).
func (s *Service) SweepSessions(ctx context.Context) (int64, error) {
	res, err := s.sessions.DeleteMany(ctx, bson.M{"expiresAt": bson.M{"$lte": s.clock.Now()}})
	if err != nil {
		return 0, mongodb.MapError(err, "sweep sessions")
	}
	return res.DeletedCount, nil
}

// authenticateSession resolves a session token; ok is false for unknown, expired or disabled.
func (s *Service) authenticateSession(ctx context.Context, token string) (*auth.Principal, bool, error) {
	var sess sessionDoc
	err := s.sessions.FindOne(ctx, bson.M{"tokenHash": hashSecret(token), "expiresAt": bson.M{"$gt": s.clock.Now()}}).Decode(&sess)
	if err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil, false, nil
		}
		return nil, false, mongodb.MapError(err, "find session")
	}
	var u userDoc
	if err := s.users.FindOne(ctx, bson.M{"_id": sess.UserID, "status": string(UserActive)}).Decode(&u); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil, false, nil
		}
		return nil, false, mongodb.MapError(err, "find session user")
	}
	return &auth.Principal{Kind: auth.KindUser, UserID: u.ID, SessionID: sess.ID}, true, nil
}

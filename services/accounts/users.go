package accounts

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/mongodb"
)

// createUser inserts a user; a taken email (case-insensitively) is CONFLICT.
func (s *Service) createUser(ctx context.Context, email, name, password string) (User, error) {
	hash, err := hashPassword(password)
	if err != nil {
		return User{}, errs.Internalf("hash password: %w", err)
	}
	doc := userDoc{ID: ids.New(ids.User), Email: email, EmailKey: emailKey(email), Name: name,
		PasswordHash: hash, Status: string(UserActive), CreatedAt: s.clock.Now()}
	if _, err := s.users.InsertOne(ctx, doc); err != nil {
		return User{}, mongodb.MapError(err, "insert user")
	}
	return doc.toUser(), nil
}

func (s *Service) userByEmail(ctx context.Context, email string) (User, error) {
	var doc userDoc
	if err := s.users.FindOne(ctx, bson.M{"emailKey": emailKey(email)}).Decode(&doc); err != nil {
		return User{}, mongodb.MapError(err, "find user by email")
	}
	return doc.toUser(), nil
}

func (s *Service) checkPassword(ctx context.Context, userID, password string) bool {
	var doc userDoc
	if err := s.users.FindOne(ctx, bson.M{"_id": userID, "status": string(UserActive)}).Decode(&doc); err != nil {
		return false
	}
	return verifyPassword(doc.PasswordHash, password)
}

// UsersByID loads users without authorization, for resolvers of objects the caller was already
// authorized to see (a membership's user). Missing ids are absent.
func (s *Service) UsersByID(ctx context.Context, list []string) (map[string]User, error) {
	cur, err := s.users.Find(ctx, bson.M{"_id": bson.M{"$in": list}})
	if err != nil {
		return nil, mongodb.MapError(err, "find users")
	}
	var docs []userDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mongodb.MapError(err, "find users")
	}
	out := make(map[string]User, len(docs))
	for _, d := range docs {
		out[d.ID] = d.toUser()
	}
	return out, nil
}

func (s *Service) usersInOrder(ctx context.Context, list []string) ([]User, error) {
	if len(list) == 0 {
		return []User{}, nil
	}
	m, err := s.UsersByID(ctx, list)
	if err != nil {
		return nil, err
	}
	out := make([]User, 0, len(list))
	for _, id := range list {
		if u, ok := m[id]; ok {
			out = append(out, u)
		}
	}
	return out, nil
}

// Package audit keeps the append-only audit log: one entry per mutation attempted, with who
// acted, on which account and object, how it ended, the request id and the client's address.
// There is no method to change or delete an entry.
//
// The GraphQL layer opens an entry per mutation (Begin) and writes it when the mutation ends
// (Commit); services only say which account and object the mutation concerned (Annotate), so no
// service can forget to audit and none needs to know how.
package audit

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/internal/requestid"
)

// Outcome is how an audited action ended.
type Outcome string

const (
	Success Outcome = "SUCCESS"
	Refused Outcome = "REFUSED"
	Error   Outcome = "ERROR"
)

// Actor is who acted.
type Actor struct {
	Kind     string // USER, API_KEY or ANONYMOUS
	UserID   string
	APIKeyID string
	// StaffRole is set when staff acted on an account (PLATFORM_ADMIN or ACCOUNT_MANAGER).
	StaffRole string
}

// Entry is one audited action.
type Entry struct {
	ID            string
	Actor         Actor
	AccountID     string
	Action        string
	ObjectID      string
	Outcome       Outcome
	ErrorCode     string
	RequestID     string
	ClientAddress string
	OccurredAt    time.Time
}

// Draft is an entry being filled while its mutation runs.
type Draft struct {
	mu        sync.Mutex
	action    string
	accountID string
	objectID  string
}

type draftKey struct{}

// Begin opens a draft for action in the returned context.
func Begin(ctx context.Context, action string) (context.Context, *Draft) {
	d := &Draft{action: action}
	return context.WithValue(ctx, draftKey{}, d), d
}

// Annotate records the account and object the current mutation concerns. Outside a mutation it
// does nothing. The first non-empty values win, so a service can annotate early (before it
// authorizes, so that refusals are attributed too) without being overwritten by helpers.
func Annotate(ctx context.Context, accountID, objectID string) {
	d, ok := ctx.Value(draftKey{}).(*Draft)
	if !ok {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.accountID == "" {
		d.accountID = accountID
	}
	if d.objectID == "" {
		d.objectID = objectID
	}
}

const collEntries = "audit_entries"

// Indexes of the audit log.
func Indexes() []mongodb.Indexes {
	return []mongodb.Indexes{{Collection: collEntries, Models: []mongo.IndexModel{
		{Keys: bson.D{{Key: "accountId", Value: 1}, {Key: "occurredAt", Value: -1}, {Key: "_id", Value: -1}}},
	}}}
}

// StaffRoleOf tells the audit log whether a principal acted as staff on an account.
type StaffRoleOf func(p *auth.Principal, accountID string) string

// Service writes and reads the audit log.
type Service struct {
	entries *mongo.Collection
	clock   clock.Clock
	staff   StaffRoleOf
}

// New returns the audit service. staff may be nil.
func New(db *mongo.Database, c clock.Clock, staff StaffRoleOf) *Service {
	return &Service{entries: db.Collection(collEntries), clock: c, staff: staff}
}

// Commit writes the draft's entry with its outcome. It uses a context that outlives the
// request's cancellation: a mutation that happened is audited even if the client went away.
func (s *Service) Commit(ctx context.Context, d *Draft, outcome Outcome, errorCode string) error {
	d.mu.Lock()
	e := entryDoc{
		ID: ids.New(ids.AuditEntry), AccountID: d.accountID, Action: d.action, ObjectID: d.objectID,
		Outcome: string(outcome), ErrorCode: errorCode, RequestID: requestid.From(ctx),
		ClientAddress: auth.ClientAddressFrom(ctx), OccurredAt: s.clock.Now(),
	}
	d.mu.Unlock()
	e.Actor = actorDoc{Kind: "ANONYMOUS"}
	if p, ok := auth.PrincipalFrom(ctx); ok {
		e.Actor = actorDoc{Kind: string(p.Kind), UserID: p.UserID, APIKeyID: p.APIKeyID}
		if s.staff != nil && e.AccountID != "" {
			e.Actor.StaffRole = s.staff(p, e.AccountID)
		}
	}
	if _, err := s.entries.InsertOne(context.WithoutCancel(ctx), e); err != nil {
		return fmt.Errorf("audit: write entry for %s: %w", d.action, err)
	}
	return nil
}

// Filter narrows a listing.
type Filter struct {
	Action   string
	Outcome  Outcome
	From, To *time.Time
}

// List returns an account's entries, newest first. Authorization is the caller's (the accounts
// service checks the audit-log permission before calling).
func (s *Service) List(ctx context.Context, accountID string, f Filter, w cursor.Window) (cursor.Result[Entry], error) {
	filter := bson.M{"accountId": accountID}
	if f.Action != "" {
		filter["action"] = f.Action
	}
	if f.Outcome != "" {
		filter["outcome"] = string(f.Outcome)
	}
	if f.From != nil || f.To != nil {
		r := bson.M{}
		if f.From != nil {
			r["$gte"] = *f.From
		}
		if f.To != nil {
			r["$lt"] = *f.To
		}
		filter["occurredAt"] = r
	}
	// Newest first: page over the negated order by flipping the window's direction.
	w.Forward = !w.Forward
	w.After, w.Before = w.Before, w.After
	res, err := mongodb.FindPage(ctx, s.entries, filter, entryKeyset, w)
	if err != nil {
		return cursor.Result[Entry]{}, err
	}
	out := cursor.Result[Entry]{HasNextPage: res.HasPreviousPage, HasPreviousPage: res.HasNextPage}
	for i := len(res.Items) - 1; i >= 0; i-- {
		out.Items = append(out.Items, res.Items[i].toEntry())
		out.Cursors = append(out.Cursors, res.Cursors[i])
	}
	return out, nil
}

type actorDoc struct {
	Kind      string `bson:"kind"`
	UserID    string `bson:"userId,omitempty"`
	APIKeyID  string `bson:"apiKeyId,omitempty"`
	StaffRole string `bson:"staffRole,omitempty"`
}

type entryDoc struct {
	ID            string    `bson:"_id"`
	Actor         actorDoc  `bson:"actor"`
	AccountID     string    `bson:"accountId,omitempty"`
	Action        string    `bson:"action"`
	ObjectID      string    `bson:"objectId,omitempty"`
	Outcome       string    `bson:"outcome"`
	ErrorCode     string    `bson:"errorCode,omitempty"`
	RequestID     string    `bson:"requestId"`
	ClientAddress string    `bson:"clientAddress"`
	OccurredAt    time.Time `bson:"occurredAt"`
}

func (d entryDoc) toEntry() Entry {
	return Entry{ID: d.ID, Actor: Actor(d.Actor), AccountID: d.AccountID, Action: d.Action,
		ObjectID: d.ObjectID, Outcome: Outcome(d.Outcome), ErrorCode: d.ErrorCode,
		RequestID: d.RequestID, ClientAddress: d.ClientAddress, OccurredAt: d.OccurredAt}
}

var entryKeyset = mongodb.Keyset[entryDoc]{
	Field: "occurredAt",
	Key: func(d entryDoc) cursor.Cursor {
		return cursor.Cursor{Key: d.OccurredAt.UTC().Format(time.RFC3339Nano), ID: d.ID}
	},
	Value: func(k string) (any, error) { return time.Parse(time.RFC3339Nano, k) },
}

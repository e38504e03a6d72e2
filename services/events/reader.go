package events

import (
	"context"
	"strconv"

	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/services/access"
)

// Authorizer decides whether the caller of ctx may do act on res in domain (an account id).
// *access.Service is one. It returns UNAUTHENTICATED, NOT_FOUND (the caller may not even read
// there, so a foreign account looks missing), FORBIDDEN or ACCOUNT_SUSPENDED.
type Authorizer interface {
	Require(ctx context.Context, domain string, res access.Resource, act access.Action) error
}

// Reader serves an account's feed to people and platforms: Feed.List behind the check that the
// caller may read access.Events in the account, paged with opaque cursors. Feed and
// Relay.Subscribe do no authorization; whatever answers a principal goes through a Reader.
type Reader struct {
	feed   *Feed
	access Authorizer
}

// NewReader returns a Reader of feed that asks az.
func NewReader(feed *Feed, az Authorizer) *Reader {
	return &Reader{feed: feed, access: az}
}

// List returns a page of accountID's events in Seq order, after the position page.After names
// (from the start of what is kept when it is nil), with at most page.First events
// (cursor.DefaultLimit when nil, at most cursor.MaxLimit); with types, only events of those
// types. Each event's cursor encodes its Seq, so a consumer that keeps the last cursor it read
// goes on from there, across gaps in the numbering and across sweeps. The feed pages forwards
// only: HasPreviousPage is always false.
//
// Errors: the Authorizer's for Read on the account; INVALID_PAGINATION (field "first" or
// "last": last and before are not supported); INVALID_CURSOR ("after" or "before"); INVALID
// with field "types" or "types.<i>" for more than 50 types or a malformed one; INTERNAL.
func (r *Reader) List(ctx context.Context, accountID string, types []string, page cursor.Page) (cursor.Result[Event], error) {
	if err := r.access.Require(ctx, accountID, access.Events, access.Read); err != nil {
		return cursor.Result[Event]{}, err
	}
	w, err := page.Validate(cursor.MaxLimit)
	if err != nil {
		return cursor.Result[Event]{}, err
	}
	if !w.Forward || w.Before != nil {
		field := "last"
		if w.Forward {
			field = "before"
		}
		return cursor.Result[Event]{}, cursor.ErrInvalidPage.With(field, nil).WithMessage(
			"the events feed pages forwards only: use first and after")
	}
	var after int64
	if w.After != nil {
		if after, err = seqOf(*w.After); err != nil {
			return cursor.Result[Event]{}, err
		}
	}
	evs, err := r.feed.List(ctx, accountID, after, types, w.Limit+1)
	if err != nil {
		return cursor.Result[Event]{}, err
	}
	out := cursor.Result[Event]{HasNextPage: len(evs) > w.Limit}
	if out.HasNextPage {
		evs = evs[:w.Limit]
	}
	out.Items = evs
	for _, ev := range evs {
		out.Cursors = append(out.Cursors, cursor.Encode(cursor.Cursor{Key: strconv.FormatInt(ev.Seq, 10), ID: ev.ID}))
	}
	return out, nil
}

// seqOf reads the Seq a feed cursor carries.
func seqOf(c cursor.Cursor) (int64, error) {
	seq, err := strconv.ParseInt(c.Key, 10, 64)
	if err != nil || seq < 0 {
		return 0, cursor.ErrInvalidCursor.With("after", nil)
	}
	return seq, nil
}

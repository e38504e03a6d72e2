package events

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
)

const (
	// MaxListLimit is the largest page List returns.
	MaxListLimit = 1000
	// MinRetention is the shortest time events are kept: Sweep refuses to delete younger ones.
	MinRetention = 30 * 24 * time.Hour
	// maxListTypes bounds the type filter of List.
	maxListTypes = 50
)

// Feed reads the events feed and removes what is past retention.
type Feed struct {
	db    *mongo.Database
	clock clock.Clock
}

// NewFeed returns the feed stored in db; clk tells Sweep what time it is.
func NewFeed(db *mongo.Database, clk clock.Clock) *Feed {
	return &Feed{db: db, clock: clk}
}

// List returns up to limit events of accountID with a Seq above afterSeq, in Seq order; with
// types, only events of those types. A consumer passes the last Seq it processed (0 at first)
// and gets what follows; sequence numbers may have gaps (see the package doc).
//
// List does no authorization: the caller checks that its principal may read accountID's
// events. It returns an INVALID error with the field for an accountID that is not an account
// id, a negative afterSeq, a limit outside 1..MaxListLimit, or more than 50 types or a malformed
// one; and an INTERNAL error if the store fails.
func (f *Feed) List(ctx context.Context, accountID string, afterSeq int64, types []string, limit int) ([]Event, error) {
	switch {
	case !ids.HasPrefix(accountID, ids.Account):
		return nil, errs.InvalidField("accountId", "not an account id")
	case afterSeq < 0:
		return nil, errs.InvalidField("afterSeq", "must not be negative")
	case limit < 1 || limit > MaxListLimit:
		return nil, errs.InvalidField("limit", "must be between 1 and %d", MaxListLimit)
	case len(types) > maxListTypes:
		return nil, errs.InvalidField("types", "at most %d types", maxListTypes)
	}
	for i, t := range types {
		if len(t) > maxTypeLen || !typePattern.MatchString(t) {
			return nil, errs.InvalidField(fmt.Sprintf("types.%d", i),
				"not an event type: lower-case words separated by dots, such as inventory.adjusted")
		}
	}
	evs, err := listEvents(ctx, f.db, feedFilter(accountID, afterSeq, types), limit)
	if err != nil {
		return nil, errs.Internalf("list events of %s after %d: %w", accountID, afterSeq, err)
	}
	return evs, nil
}

// Sweep deletes the events of every account relayed before olderThan and returns how many. The
// caller picks the retention, but never less than MinRetention: it returns an INVALID error
// (field "olderThan") for a zero time or one later than MinRetention ago, and an INTERNAL error
// if the store fails. Sequence counters are kept, so numbering goes on after a sweep.
func (f *Feed) Sweep(ctx context.Context, olderThan time.Time) (int64, error) {
	if olderThan.IsZero() || olderThan.After(f.clock.Now().Add(-MinRetention)) {
		return 0, errs.InvalidField("olderThan", "events are kept for at least %d days",
			int(MinRetention/(24*time.Hour)))
	}
	n, err := sweepEvents(ctx, f.db, olderThan)
	if err != nil {
		return 0, errs.Internalf("sweep events: %w", err)
	}
	return n, nil
}

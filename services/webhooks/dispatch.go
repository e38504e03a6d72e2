package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/services/events"
)

const (
	// dispatchBatch is how many events one read of an account's feed returns.
	dispatchBatch = 200
	// dispatchPagesPerAccount bounds the reads of one account in one pass, so that an account
	// with a backlog does not hold up the others; the next pass goes on where this one stopped.
	dispatchPagesPerAccount = 10
)

// dispatch moves the events relayed since the last pass into deliveries, for every active
// subscription, and returns how many deliveries it created and whether an account has more
// events waiting than one pass reads.
//
// How it stays exact without transactions: each subscription keeps a cursor, the last Seq of
// its account's feed it has handled. A pass reads the events after the cursor (in Seq order,
// which is the order events become visible: one relay moves them), inserts a delivery for
// each that the subscription wants, and only then moves the cursor. A crash in between makes
// the next pass insert the same deliveries again, which the unique index on (account,
// subscription, event) refuses; two processes dispatching at once are absorbed the same way.
// Events relayed before the subscription (re)started are skipped.
func (s *Service) dispatch(ctx context.Context) (int, bool, error) {
	s.dispatchMu.Lock()
	defer s.dispatchMu.Unlock()
	subs, err := s.st.activeSubscriptions(ctx)
	if err != nil {
		return 0, false, err
	}
	byAccount := map[string][]subscriptionDoc{}
	for _, d := range subs {
		byAccount[d.AccountID] = append(byAccount[d.AccountID], d)
	}
	accounts := make([]string, 0, len(byAccount))
	for a := range byAccount {
		accounts = append(accounts, a)
	}
	slices.Sort(accounts)
	var (
		created  int
		backlog  bool
		failures []error
	)
	for _, a := range accounts {
		n, more, err := s.dispatchAccount(ctx, a, byAccount[a])
		created += n
		backlog = backlog || more
		if err != nil {
			failures = append(failures, fmt.Errorf("dispatch events of %s: %w", a, err))
			if ctx.Err() != nil {
				break
			}
		}
	}
	if created > 0 {
		s.stats.enqueued.Add(int64(created))
		s.poke()
	}
	return created, backlog, errors.Join(failures...)
}

func (s *Service) dispatchAccount(ctx context.Context, accountID string, subs []subscriptionDoc) (int, bool, error) {
	created := 0
	for range dispatchPagesPerAccount {
		after := subs[0].CursorSeq
		for _, d := range subs[1:] {
			after = min(after, d.CursorSeq)
		}
		evs, err := s.events.List(ctx, accountID, after, typesFilter(subs), dispatchBatch)
		if err != nil {
			return created, false, err
		}
		if len(evs) == 0 {
			return created, false, nil
		}
		now := s.clock.Now()
		for _, ev := range evs {
			var body string
			for _, sub := range subs {
				if ev.Seq <= sub.CursorSeq || ev.RelayedAt.Before(sub.StartAt) || !wants(sub, ev.Type) {
					continue
				}
				if body == "" {
					if body, err = payloadOf(ev); err != nil {
						// Data that events.New accepted always renders; if it did not, holding up
						// the account's other events would be worse than skipping this one.
						s.log.ErrorContext(ctx, "skip an event that cannot be sent", "event", ev.ID, "err", err)
						break
					}
				}
				ok, err := s.st.insertDelivery(ctx, deliveryDoc{
					ID: ids.New(ids.Delivery), AccountID: accountID, SubscriptionID: sub.ID,
					EventID: ev.ID, EventType: ev.Type, EventSeq: ev.Seq, Payload: body,
					Status: string(Pending), RetryFrom: now, NextAttemptAt: now, LeaseUntil: now,
					CreatedAt: now, UpdatedAt: now,
				})
				if err != nil {
					// The cursors stay: the next pass tries again from here.
					return created, false, err
				}
				if ok {
					created++
				}
			}
		}
		last := evs[len(evs)-1].Seq
		for i := range subs {
			if subs[i].CursorSeq < last {
				if err := s.st.advanceCursor(ctx, subs[i].ID, last); err != nil {
					return created, false, err
				}
				subs[i].CursorSeq = last
			}
		}
		if len(evs) < dispatchBatch {
			return created, false, nil
		}
	}
	return created, true, nil
}

// latestSeq returns the highest Seq in an account's feed, 0 if it is empty. A subscription
// starts its cursor there, so that it does not read the whole retained feed (30 days of the
// account's events) before it reaches the new ones, holding up the account's other
// subscriptions meanwhile. The feed has no "last event" query, so this searches with
// List(after, limit 1), which says whether anything lies after a number: an exponential search
// for a bound, then a binary search, about 2·log2(Seq) indexed reads of one event.
func (s *Service) latestSeq(ctx context.Context, accountID string) (int64, error) {
	// after returns the Seq of the first event after x, or 0.
	after := func(x int64) (int64, error) {
		evs, err := s.events.List(ctx, accountID, x, nil, 1)
		if err != nil || len(evs) == 0 {
			return 0, err
		}
		return evs[0].Seq, nil
	}
	// Invariant: an event lies after lo; none lies after hi (once hi is found).
	first, err := after(0)
	if err != nil || first == 0 {
		return 0, err
	}
	lo, hi := first-1, int64(0)
	for probe := max(first, 1); hi == 0; probe *= 2 {
		next, err := after(probe)
		if err != nil {
			return 0, err
		}
		if next == 0 {
			hi = probe
		} else {
			lo = next - 1
			probe = max(probe, next)
		}
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		next, err := after(mid)
		if err != nil {
			return 0, err
		}
		if next == 0 {
			hi = mid
		} else {
			lo = next - 1
		}
	}
	return hi, nil
}

// typesFilter is the union of the subscriptions' types, for the feed's type filter; nil (no
// filter) when one of them takes every type or the union is longer than the feed accepts.
func typesFilter(subs []subscriptionDoc) []string {
	var union []string
	for _, d := range subs {
		for _, t := range d.EventTypes {
			if t == Wildcard {
				return nil
			}
			if !slices.Contains(union, t) {
				union = append(union, t)
			}
		}
	}
	if len(union) > MaxEventTypes {
		return nil
	}
	return union
}

func wants(d subscriptionDoc, eventType string) bool {
	for _, t := range d.EventTypes {
		if t == Wildcard || t == eventType {
			return true
		}
	}
	return false
}

// payloadOf renders the body of an event's deliveries.
func payloadOf(ev events.Event) (string, error) {
	data, err := ev.DataJSON()
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // send data as it is, not with <, > and & escaped
	err = enc.Encode(Payload{
		ID: ev.ID, Type: ev.Type, Version: ev.Version, AccountID: ev.AccountID, ObjectID: ev.ObjectID,
		OccurredAt: ev.OccurredAt.UTC(), Seq: ev.Seq, Data: data,
	})
	if err != nil {
		return "", fmt.Errorf("encode payload of %s: %w", ev.ID, err)
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

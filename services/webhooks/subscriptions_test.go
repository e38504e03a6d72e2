package webhooks_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/services/webhooks"
)

// signatures returns the number of v1 values of a request's signature header, and whether it
// verifies with secret.
func signatures(t *testing.T, r received, secret string, now time.Time) (int, bool) {
	t.Helper()
	_, sigs, err := webhooks.ParseSignatureHeader(r.header.Get(webhooks.HeaderSignature))
	if err != nil {
		t.Fatal(err)
	}
	return len(sigs), webhooks.Verify(r.body, r.header.Get(webhooks.HeaderSignature), secret, now, 0) == nil
}

// After a rotation both secrets sign for 24 hours, then only the new one; an immediate
// rotation drops the old one at once.
func TestRotateSecret(t *testing.T) {
	f := setup(t)
	rc := newReceiver(t, always(http.StatusOK))
	sub, oldSecret := f.subscribe(t, rc.URL)

	if _, _, err := f.svc.RotateSecret(f.viewer, webhooks.RotateSecretInput{SubscriptionID: sub.ID}); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("viewer RotateSecret: %v, want FORBIDDEN", err)
	}
	rotated, newSecret, err := f.svc.RotateSecret(f.admin, webhooks.RotateSecretInput{SubscriptionID: sub.ID})
	if err != nil {
		t.Fatal(err)
	}
	if newSecret == oldSecret || rotated.SecretHint == sub.SecretHint || rotated.PreviousSecretExpiresAt == nil ||
		!rotated.PreviousSecretExpiresAt.Equal(f.clk.Now().Add(webhooks.PreviousSecretValidity)) {
		t.Fatalf("after rotation: %+v", rotated)
	}

	f.emit(t, f.acct, "shipment.delivered", nil)
	f.flush(t, f.svc)
	r := rc.requests()[0]
	for name, secret := range map[string]string{"old": oldSecret, "new": newSecret} {
		if n, ok := signatures(t, r, secret, f.clk.Now()); n != 2 || !ok {
			t.Errorf("during the overlap, %s secret: %d signatures, verifies %v; want 2 and true", name, n, ok)
		}
	}

	f.clk.Advance(webhooks.PreviousSecretValidity)
	f.emit(t, f.acct, "shipment.delivered", nil)
	f.flush(t, f.svc)
	r = rc.requests()[1]
	if n, ok := signatures(t, r, newSecret, f.clk.Now()); n != 1 || !ok {
		t.Errorf("after the overlap, new secret: %d signatures, verifies %v", n, ok)
	}
	if _, ok := signatures(t, r, oldSecret, f.clk.Now()); ok {
		t.Error("after the overlap the old secret still verifies")
	}

	_, third, err := f.svc.RotateSecret(f.admin, webhooks.RotateSecretInput{SubscriptionID: sub.ID, ExpirePreviousNow: true})
	if err != nil {
		t.Fatal(err)
	}
	f.emit(t, f.acct, "shipment.delivered", nil)
	f.flush(t, f.svc)
	r = rc.requests()[2]
	if n, ok := signatures(t, r, third, f.clk.Now()); n != 1 || !ok {
		t.Errorf("after an immediate rotation: %d signatures, verifies %v", n, ok)
	}
	if _, ok := signatures(t, r, newSecret, f.clk.Now()); ok {
		t.Error("the secret expired at once still verifies")
	}
	if got, _ := f.svc.Subscription(f.admin, sub.ID); got.PreviousSecretExpiresAt != nil {
		t.Errorf("PreviousSecretExpiresAt = %v after an immediate rotation", got.PreviousSecretExpiresAt)
	}
}

// A subscription gets the types it asked for, from its creation on; a pause skips the events
// of the pause; a deleted one gets nothing more and disappears.
func TestWhichEventsASubscriptionGets(t *testing.T) {
	f := setup(t)
	before := f.emit(t, f.acct, "shipment.delivered", nil)
	f.emit(t, f.acct, "shipment.delivered", nil)
	f.clk.Advance(time.Millisecond)

	all := newReceiver(t, always(http.StatusOK))
	some := newReceiver(t, always(http.StatusOK))
	allSub, _ := f.subscribe(t, all.URL)
	someSub, _ := f.subscribe(t, some.URL, "shipment.delivered", "inventory.adjusted", "shipment.delivered")
	if !slices.Equal(someSub.EventTypes, []string{"inventory.adjusted", "shipment.delivered"}) {
		t.Errorf("event types stored as %v, want sorted without repeats", someSub.EventTypes)
	}

	delivered := f.emit(t, f.acct, "shipment.delivered", nil)
	changed := f.emit(t, f.acct, "shipment.status_changed", nil)
	f.emit(t, "acct_01jq3v8k2m5x7c9d0e4f6g8h1j", "shipment.delivered", nil) // another account's
	f.flush(t, f.svc)

	eventsOf := func(rc *receiver) []string {
		var out []string
		for _, r := range rc.requests() {
			out = append(out, r.header.Get(webhooks.HeaderEventID))
		}
		return out
	}
	if got := eventsOf(all); !slices.Equal(got, []string{delivered, changed}) {
		t.Errorf("wildcard subscription got %v, want %v (nothing from before it, nor another account)", got, []string{delivered, changed})
	}
	if got := eventsOf(some); !slices.Equal(got, []string{delivered}) {
		t.Errorf("typed subscription got %v, want %v", got, []string{delivered})
	}
	if slices.Contains(eventsOf(all), before) {
		t.Error("an event from before the subscription was sent")
	}

	// Pause, events, resume: the pause's events are not sent.
	off, on := false, true
	if _, err := f.svc.UpdateSubscription(f.admin, webhooks.UpdateSubscriptionInput{SubscriptionID: allSub.ID, Active: &off}); err != nil {
		t.Fatal(err)
	}
	duringPause := f.emit(t, f.acct, "shipment.delivered", nil)
	f.flush(t, f.svc)
	f.clk.Advance(time.Millisecond)
	if _, err := f.svc.UpdateSubscription(f.admin, webhooks.UpdateSubscriptionInput{SubscriptionID: allSub.ID, Active: &on}); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(time.Millisecond)
	resumed := f.emit(t, f.acct, "inventory.adjusted", nil)
	f.flush(t, f.svc)
	if got := eventsOf(all); !slices.Equal(got, []string{delivered, changed, resumed}) {
		t.Errorf("after the pause, got %v; want the events before and after it only", got)
	}

	// Changing the types applies to the next events.
	if _, err := f.svc.UpdateSubscription(f.admin, webhooks.UpdateSubscriptionInput{SubscriptionID: someSub.ID,
		EventTypes: []string{"shipment.status_changed"}}); err != nil {
		t.Fatal(err)
	}
	changedAgain := f.emit(t, f.acct, "shipment.status_changed", nil)
	f.emit(t, f.acct, "shipment.delivered", nil)
	f.flush(t, f.svc)
	if got := eventsOf(some); !slices.Equal(got, []string{delivered, duringPause, resumed, changedAgain}) {
		t.Errorf("after the type change, got %v", got)
	}

	// Deleted: nothing more, and it is gone from reads.
	if _, err := f.svc.DeleteSubscription(f.admin, someSub.ID); err != nil {
		t.Fatal(err)
	}
	f.emit(t, f.acct, "shipment.status_changed", nil)
	f.flush(t, f.svc)
	if n := len(some.requests()); n != 4 {
		t.Errorf("deleted subscription got %d requests, want 4", n)
	}
	if _, err := f.svc.Subscription(f.admin, someSub.ID); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("Subscription after delete: %v, want NOT_FOUND", err)
	}
	if _, err := f.svc.DeleteSubscription(f.admin, someSub.ID); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("second delete: %v, want NOT_FOUND", err)
	}
}

// Pausing cancels what was waiting for a retry.
func TestPauseCancelsPendingDeliveries(t *testing.T) {
	f := setup(t)
	rc := newReceiver(t, always(http.StatusInternalServerError))
	sub, _ := f.subscribe(t, rc.URL)
	f.emit(t, f.acct, "shipment.delivered", nil)
	f.flush(t, f.svc)
	if d := f.only(t, sub.ID); d.Status != webhooks.Pending {
		t.Fatalf("after a failure: %s, want PENDING", d.Status)
	}
	off := false
	if _, err := f.svc.UpdateSubscription(f.admin, webhooks.UpdateSubscriptionInput{SubscriptionID: sub.ID, Active: &off}); err != nil {
		t.Fatal(err)
	}
	if d := f.only(t, sub.ID); d.Status != webhooks.Canceled || d.CompletedAt == nil {
		t.Fatalf("after the pause: %+v, want CANCELED", d)
	}
	f.clk.Advance(time.Hour)
	f.flush(t, f.svc)
	if n := len(rc.requests()); n != 1 {
		t.Errorf("receiver got %d requests, want 1", n)
	}
	if q, err := f.svc.QueueDepth(context.Background()); err != nil || q != (webhooks.QueueDepth{}) {
		t.Errorf("queue = %+v, %v; want empty", q, err)
	}
}

func TestListSubscriptionsAndTheLimit(t *testing.T) {
	f := setup(t)
	var made []string
	for range webhooks.MaxSubscriptions {
		s, _ := f.subscribe(t, "https://example.com/hook")
		made = append(made, s.ID)
		f.clk.Advance(time.Millisecond)
	}
	_, _, err := f.svc.CreateSubscription(f.admin, webhooks.CreateSubscriptionInput{
		AccountID: f.acct, URL: "https://example.com/hook", EventTypes: []string{"*"}})
	if !errors.Is(err, webhooks.ErrTooManySubscriptions) {
		t.Fatalf("subscription %d: %v, want TOO_MANY_SUBSCRIPTIONS", webhooks.MaxSubscriptions+1, err)
	}

	var listed []string
	first := 7
	page := cursor.Page{First: &first}
	for {
		res, err := f.svc.Subscriptions(f.viewer, f.acct, page)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range res.Items {
			listed = append(listed, s.ID)
		}
		if !res.HasNextPage {
			break
		}
		page.After = &res.Cursors[len(res.Cursors)-1]
	}
	if !slices.Equal(listed, made) {
		t.Errorf("listed %d subscriptions in pages of 7, want the %d made, oldest first", len(listed), len(made))
	}

	// Deleting one makes room.
	if _, err := f.svc.DeleteSubscription(f.admin, made[0]); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.CreateSubscription(f.admin, webhooks.CreateSubscriptionInput{
		AccountID: f.acct, URL: "https://example.com/hook", EventTypes: []string{"*"}}); err != nil {
		t.Errorf("after a delete: %v", err)
	}
	bad := 0
	if _, err := f.svc.Subscriptions(f.viewer, f.acct, cursor.Page{First: &bad}); !errors.Is(err, cursor.ErrInvalidPage) {
		t.Errorf("first: 0 = %v, want INVALID_PAGINATION", err)
	}
}

// Finished deliveries are removed after DeliveryRetention; pending ones never.
func TestSweep(t *testing.T) {
	f := setup(t)
	ok := newReceiver(t, always(http.StatusOK))
	failing := newReceiver(t, always(http.StatusInternalServerError))
	okSub, _ := f.subscribe(t, ok.URL)
	failingSub, _ := f.subscribe(t, failing.URL)
	f.emit(t, f.acct, "shipment.delivered", nil)
	f.flush(t, f.svc)

	f.clk.Advance(webhooks.DeliveryRetention - time.Second)
	if n, err := f.svc.Sweep(context.Background()); err != nil || n != 0 {
		t.Fatalf("sweep before the retention: %d, %v", n, err)
	}
	f.clk.Advance(2 * time.Second)
	if n, err := f.svc.Sweep(context.Background()); err != nil || n != 1 {
		t.Fatalf("sweep after the retention: %d, %v; want 1", n, err)
	}
	if ds := f.deliveries(t, okSub.ID, ""); len(ds) != 0 {
		t.Errorf("%d deliveries of the acknowledged subscription left", len(ds))
	}
	if ds := f.deliveries(t, failingSub.ID, webhooks.Pending); len(ds) != 1 {
		t.Errorf("%d pending deliveries left, want 1", len(ds))
	}
}

// NewService refuses a catalogue entry that is not an event type, and adds its own.
func TestCatalogue(t *testing.T) {
	f := setup(t)
	if got := f.svc.EventTypes(); !slices.Contains(got, webhooks.EventSubscriptionDisabled) || !slices.IsSorted(got) ||
		len(got) != len(catalogue)+1 {
		t.Errorf("EventTypes = %v", got)
	}
	for _, bad := range []string{"", "Shipment.Delivered", "shipment", "*"} {
		_, err := webhooks.NewService(webhooks.Config{DB: f.db, Access: f.access, Events: f.feed, EventTypes: []string{bad}})
		if err == nil {
			t.Errorf("catalogue entry %q accepted", bad)
		}
	}
	if _, err := webhooks.NewService(webhooks.Config{DB: f.db}); err == nil {
		t.Error("NewService without Access and Events succeeded")
	}
}

// Documents of the subscriptions collection keep the events outbox rules: the disable event
// leaves the document once relayed.
func TestDisableEventLeavesTheOutbox(t *testing.T) {
	f := setup(t)
	rc := newReceiver(t, always(http.StatusBadGateway))
	sub, _ := f.subscribe(t, rc.URL)
	f.emit(t, f.acct, "shipment.delivered", nil)
	f.retryUntilDone(t, f.svc, sub.ID, nil)
	coll := f.db.Collection(webhooks.SubscriptionsCollection)
	pending := func() int {
		var doc struct {
			Outbox []bson.Raw `bson:"outbox"`
		}
		if err := coll.FindOne(context.Background(), bson.M{"_id": sub.ID}).Decode(&doc); err != nil {
			t.Fatal(err)
		}
		return len(doc.Outbox)
	}
	if n := pending(); n != 1 {
		t.Fatalf("outbox holds %d entries after the disable, want 1", n)
	}
	if err := f.relay.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := pending(); n != 0 {
		t.Fatalf("outbox holds %d entries after the relay, want 0", n)
	}
}

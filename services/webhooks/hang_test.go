package webhooks_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tradehub/tradehub/services/webhooks"
)

// A receiver that accepts the connection and never answers: its attempt times out after
// AttemptTimeout and is scheduled again, while the other subscription's deliveries, made
// meanwhile by the other workers, are not held up; once the receiver answers, the retry
// succeeds and each event was acknowledged exactly once by each receiver. (One attempt really
// waits out the 10 s AttemptTimeout: it is the behaviour under test, not a timed assertion.)
func TestHangingReceiverTimesOutAndDoesNotBlockOthers(t *testing.T) {
	f := setup(t, func(c *webhooks.Config) { c.Workers = 4 })
	hanging := make(chan struct{})
	var answering bool
	hang := newReceiver(t, func(r *http.Request, n int) int {
		if n == 1 {
			<-hanging // never answers in time; released after the sender gave up on it
			return http.StatusGatewayTimeout
		}
		return http.StatusOK
	})
	t.Cleanup(func() {
		if !answering {
			close(hanging)
		}
	})
	fast := newReceiver(t, always(http.StatusOK))
	hangSub, _ := f.subscribe(t, hang.URL)
	fastSub, _ := f.subscribe(t, fast.URL)

	const n = 5
	f.emit(t, f.acct, "shipment.delivered", nil)
	runService(t, f.svc)
	waitFor(t, "the hanging receiver to be called", func() bool { return len(hang.requests()) == 1 })
	for range n - 1 {
		f.emit(t, f.acct, "inventory.adjusted", nil)
	}
	// Not blocked: every delivery to the other receiver arrives while the first attempt hangs.
	waitFor(t, "the other receiver's deliveries", func() bool {
		return len(f.deliveries(t, fastSub.ID, webhooks.Succeeded)) == n
	})
	if got := hang.requests(); got[0].status != 0 {
		t.Fatalf("the hanging attempt answered before the other deliveries were done")
	}

	// The hanging attempt times out and is recorded as a failure to retry.
	waitForLong(t, "the hanging attempt to time out", func() bool {
		for _, d := range f.deliveries(t, hangSub.ID, "") {
			if d.Attempts == 1 && d.Status == webhooks.Pending && len(d.Log) == 1 {
				return true
			}
		}
		return false
	})
	var timedOut webhooks.Delivery
	for _, d := range f.deliveries(t, hangSub.ID, "") {
		if d.Attempts == 1 && d.Status == webhooks.Pending {
			timedOut = d
		}
	}
	if e := timedOut.Log[0].Error; !strings.Contains(e, "timeout") || timedOut.NextAttemptAt == nil {
		t.Fatalf("the hanging attempt was logged as %q, next attempt %v; want a timeout to retry", e, timedOut.NextAttemptAt)
	}

	// The receiver answers again: the retry succeeds, nothing is sent twice.
	answering = true
	close(hanging)
	f.clk.Set(*timedOut.NextAttemptAt)
	waitFor(t, "every delivery to the once-hanging receiver", func() bool {
		return len(f.deliveries(t, hangSub.ID, webhooks.Succeeded)) == n
	})
	for name, rc := range map[string]*receiver{"hanging": hang, "fast": fast} {
		perEvent := map[string]int{}
		for _, r := range rc.acked() {
			perEvent[r.header.Get(webhooks.HeaderEventID)]++
		}
		for ev, c := range perEvent {
			if c != 1 {
				t.Errorf("%s receiver acknowledged event %s %d times", name, ev, c)
			}
		}
		if len(perEvent) != n {
			t.Errorf("%s receiver acknowledged %d events, want %d", name, len(perEvent), n)
		}
	}
	t.Logf("FIGURE webhook faults: hanging receiver attempts %d (1 timed out and was retried), other receiver's deliveries %d, lost 0, duplicated 0",
		len(hang.requests()), len(fast.acked()))
}

// waitForLong is waitFor with room for one AttemptTimeout.
func waitForLong(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2*webhooks.AttemptTimeout + 5*time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

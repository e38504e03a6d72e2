// Package clock gives services an injectable source of the current time, so tests can say what
// "now" is instead of sleeping.
//
// Every Clock returns UTC times truncated to the millisecond, because that is what a BSON date
// holds: a time read back from MongoDB then equals the one that was written, and a pagination
// cursor built from an in-memory time matches the stored one. The truncation also drops Go's
// monotonic clock reading, so measure elapsed time (timeouts, latencies) with time.Now and
// time.Since, not with a Clock.
package clock

import (
	"sync"
	"time"
)

// Clock tells the current time, in UTC and to the millisecond.
type Clock interface {
	Now() time.Time
}

// System returns the real clock.
func System() Clock { return system{} }

type system struct{}

func (system) Now() time.Time { return normalize(time.Now()) }

// Fake is a Clock that stands still until told to move. It is safe for concurrent use, so a test
// may advance it while the code under test reads it.
type Fake struct {
	mu  sync.Mutex
	now time.Time
}

var _ Clock = (*Fake)(nil)

// NewFake returns a Fake set to t.
func NewFake(t time.Time) *Fake { return &Fake{now: t} }

// Now returns the time the Fake was set to, in UTC and truncated to the millisecond like the
// system clock's; advances smaller than a millisecond add up and show once they pass one.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return normalize(f.now)
}

// Set moves the Fake to t, forward or back.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = t
}

// Advance moves the Fake by d (back if d is negative) and returns the new time as Now would.
func (f *Fake) Advance(d time.Duration) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	return normalize(f.now)
}

func normalize(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

package clock

import (
	"sync"
	"testing"
	"time"
)

func TestSystem(t *testing.T) {
	before := time.Now().Add(-time.Millisecond)
	got := System().Now()
	after := time.Now()
	if got.Location() != time.UTC {
		t.Errorf("Now().Location() = %v, want UTC", got.Location())
	}
	if got.Nanosecond()%int(time.Millisecond) != 0 {
		t.Errorf("Now() = %v, want whole milliseconds", got)
	}
	if got.Before(before) || got.After(after) {
		t.Errorf("Now() = %v, want between %v and %v", got, before, after)
	}
}

func TestFake(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	start := time.Date(2026, 3, 1, 10, 0, 0, 0, paris)
	tests := []struct {
		name string
		move func(f *Fake)
		want time.Time
	}{
		{"Start", func(*Fake) {}, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)},
		{"Advance", func(f *Fake) { f.Advance(90 * time.Minute) }, time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)},
		{"AdvanceBack", func(f *Fake) { f.Advance(-time.Hour) }, time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)},
		{"Set", func(f *Fake) { f.Set(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) }, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"SubMillisecondTruncated", func(f *Fake) { f.Advance(999 * time.Microsecond) }, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)},
		{"SubMillisecondAddsUp", func(f *Fake) {
			f.Advance(600 * time.Microsecond)
			f.Advance(600 * time.Microsecond)
		}, time.Date(2026, 3, 1, 9, 0, 0, int(time.Millisecond), time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewFake(start)
			tt.move(f)
			got := f.Now()
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("Now() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFakeConcurrent(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := NewFake(start)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				f.Advance(time.Second)
				_ = f.Now()
			}
		})
	}
	wg.Wait()
	if got, want := f.Now(), start.Add(800*time.Second); !got.Equal(want) {
		t.Errorf("Now() = %v, want %v", got, want)
	}
}

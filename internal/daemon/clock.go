package daemon

import "time"

// Clock is the time source of a Loop; tests inject a fake one.
type Clock interface {
	Now() time.Time
	// NewTimer returns a timer that fires once, after d.
	NewTimer(d time.Duration) Timer
}

// Timer is a one-shot timer (see time.Timer).
type Timer interface {
	// C delivers the time once the timer fires.
	C() <-chan time.Time
	// Stop prevents the timer from firing; it reports whether it did.
	Stop() bool
}

// realClock is the wall clock.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

type realTimer struct{ t *time.Timer }

func (t realTimer) C() <-chan time.Time { return t.t.C }
func (t realTimer) Stop() bool          { return t.t.Stop() }

// slot holds at most one armed timer of a Loop. The zero slot is
// disarmed; C of a disarmed slot is nil, which never fires in a select.
type slot struct{ t Timer }

// arm replaces whatever the slot held with a timer that fires after d.
func (s *slot) arm(c Clock, d time.Duration) {
	s.stop()
	s.t = c.NewTimer(d)
}

// stop disarms the slot.
func (s *slot) stop() {
	if s.t != nil {
		s.t.Stop()
		s.t = nil
	}
}

// fired marks the slot's timer as spent (its value was received).
func (s *slot) fired() { s.t = nil }

func (s *slot) armed() bool { return s.t != nil }

func (s *slot) C() <-chan time.Time {
	if s.t == nil {
		return nil
	}
	return s.t.C()
}

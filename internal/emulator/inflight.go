package emulator

import (
	"context"
	"net"
	"net/http"
)

// flight counts the requests being handled and holds some of them on
// demand. Every field is guarded by Server.mu.
//
// A request is in flight from the moment ServeHTTP starts until it returns
// (answered, reset, or given up because the client went away). The gauge
// is the server's view: a client's request still connecting is not counted
// yet, so MaxInFlight never overstates a client's concurrency.
type flight struct {
	now, max int
	received int // requests received so far (never reset)
	conns    int // connections accepted so far (never reset)
	// arrivals counts the calls that reached the hold check (routed and
	// authenticated); holdAfter is the arrival count after which calls are
	// held, -1 for no hold.
	arrivals  int
	holdAfter int
	held      int
	release   chan struct{} // closed by Release: the held calls go on
	changed   chan struct{} // closed and replaced whenever now or held changes
}

func newFlight() flight {
	return flight{holdAfter: -1, release: make(chan struct{}), changed: make(chan struct{})}
}

// enter counts a request in; the returned function counts it out.
func (s *Server) enter() (leave func()) {
	s.mu.Lock()
	f := &s.flight
	f.now++
	f.received++
	f.max = max(f.max, f.now)
	s.changedLocked()
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		s.flight.now--
		s.changedLocked()
		s.mu.Unlock()
	}
}

// InFlight returns the number of requests being handled right now.
func (s *Server) InFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.flight.now
}

// MaxInFlight returns the most requests handled at the same time since the
// Server was created or since ResetMaxInFlight: the high-water mark of
// InFlight. Held and waiting requests count.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.flight.max
}

// ResetMaxInFlight restarts the high-water mark from the current InFlight.
func (s *Server) ResetMaxInFlight() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flight.max = s.flight.now
}

// Received returns how many requests the Server has received, answered or
// not (unlike the call log, it counts a request as soon as it arrives, and
// ResetCalls does not reset it).
func (s *Server) Received() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.flight.received
}

// Conns returns how many connections the server has accepted since Start.
func (s *Server) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.flight.conns
}

// connState counts new connections (http.Server.ConnState).
func (s *Server) connState(_ net.Conn, st http.ConnState) {
	if st != http.StateNew {
		return
	}
	s.mu.Lock()
	s.flight.conns++
	s.mu.Unlock()
}

// HoldAfter makes calls wait once n more calls have arrived: the first n
// calls from now are answered as usual, every later one is held before its
// latency, faults and state change, until Release, until its client goes
// away (logged as StatusClientClosed, nothing applied) or until Close (503).
// Together with WaitHeld it lets a test stop a client at a known point
// without sleeping: a client with concurrency c that has c calls held has
// fully received the answer of every earlier call. Only routed,
// authenticated calls are held.
func (s *Server) HoldAfter(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flight.holdAfter = s.flight.arrivals + max(n, 0)
}

// Release lets every held call go on and stops holding new ones.
func (s *Server) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := &s.flight
	f.holdAfter = -1
	close(f.release)
	f.release = make(chan struct{})
}

// Held returns the number of calls being held.
func (s *Server) Held() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.flight.held
}

// WaitHeld blocks until at least n calls are held at once, or ctx ends.
func (s *Server) WaitHeld(ctx context.Context, n int) error {
	return s.waitUntil(ctx, func(f *flight) bool { return f.held >= n })
}

// WaitIdle blocks until no request is in flight, or ctx ends. A client that
// gave up on a request returns before the emulator notices and logs it
// (StatusClientClosed); WaitIdle is how a test knows the log is complete.
func (s *Server) WaitIdle(ctx context.Context) error {
	return s.waitUntil(ctx, func(f *flight) bool { return f.now == 0 })
}

// waitUntil blocks until cond holds (checked under s.mu), or ctx ends.
func (s *Server) waitUntil(ctx context.Context, cond func(*flight) bool) error {
	for {
		s.mu.Lock()
		ok, changed := cond(&s.flight), s.flight.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// hold counts the call's arrival and, when a hold applies to it, waits
// until it is released. It reports whether the request should go on (see
// waitOn).
func (s *Server) hold(w http.ResponseWriter, r *http.Request, c Call) bool {
	s.mu.Lock()
	f := &s.flight
	f.arrivals++
	if f.holdAfter < 0 || f.arrivals <= f.holdAfter {
		s.mu.Unlock()
		return true
	}
	release := f.release
	s.setHeldLocked(+1)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.setHeldLocked(-1)
		s.mu.Unlock()
	}()
	return waitOn(s, w, r, c, release)
}

func (s *Server) setHeldLocked(delta int) {
	s.flight.held += delta
	s.changedLocked()
}

// changedLocked wakes the waiters of waitUntil.
func (s *Server) changedLocked() {
	close(s.flight.changed)
	s.flight.changed = make(chan struct{})
}

package emulator

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Server is an in-process S3 Tables endpoint for the table bucket
// replication operations. It implements http.Handler and is safe for
// concurrent use; every request is answered atomically with respect to the
// stored state and the call log.
type Server struct {
	// Set by options, read-only afterwards.
	putStatus     string
	latencyBase   time.Duration
	latencyJitter time.Duration
	onCall        func(Call)
	keepAlives    bool

	mu       sync.Mutex
	rng      *rand.Rand
	waitHook func() // test hook: a request starts waiting
	st       state  // guarded by mu
	faults   []*faultState
	racers   []*racer
	log      callLog
	flight   flight

	done      chan struct{} // closed by Close: ends every wait
	closeOnce sync.Once
	ts        *httptest.Server
}

// Option configures a Server.
type Option func(*Server)

// WithSeed makes tokens, fault probabilities and latency jitter
// deterministic for a given sequence of calls.
func WithSeed(seed int64) Option {
	return func(s *Server) { s.rng = rand.New(rand.NewPCG(uint64(seed), 0x5eed)) }
}

// WithStrictBuckets makes only registered table buckets exist: arns, those
// given to AddBucket and those seeded with SetReplication. Any operation on
// another bucket answers NotFoundException with MessageNoSuchBucket. Without
// it, every well-formed bucket ARN exists.
func WithStrictBuckets(arns ...string) Option {
	return func(s *Server) {
		s.st.strict = true
		for _, a := range arns {
			s.st.buckets[a] = true
		}
	}
}

// WithLatency makes every authenticated call wait base plus a random
// duration in [0, jitter) before it is answered. The wait ends early when
// the client cancels its request or the server is closed.
func WithLatency(base, jitter time.Duration) Option {
	return func(s *Server) { s.latencyBase, s.latencyJitter = base, jitter }
}

// WithKeepAlives lets clients reuse connections, as AWS endpoints do, so
// that tests can count the connections a client opens ([Server.Conns]).
// Without it every request gets a connection of its own. With it, Go's
// transport may silently replay a GET whose reused connection was reset,
// so Reset faults on Gets are not reliably seen by the client.
func WithKeepAlives() Option {
	return func(s *Server) { s.keepAlives = true }
}

// WithPutStatus sets the "status" string that a successful
// PutTableBucketReplication returns (default "Success").
func WithPutStatus(status string) Option {
	return func(s *Server) { s.putStatus = status }
}

// WithOnCall registers fn to observe every call once it is logged, on the
// request's goroutine and before the answer is sent (so a client that got
// its answer knows fn has run). fn must not block for long.
func WithOnCall(fn func(Call)) Option {
	return func(s *Server) { s.onCall = fn }
}

// New returns a Server with no replication configuration, no faults and an
// empty call log. It does not listen: use Start, or mount it as a handler.
func New(opts ...Option) *Server {
	s := &Server{
		putStatus: "Success",
		rng:       rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x5eed)),
		st:        newState(),
		flight:    newFlight(),
		done:      make(chan struct{}),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Start serves the emulator on an ephemeral port of 127.0.0.1 and returns
// its base URL (http://127.0.0.1:port). Calling it again returns the same
// URL.
//
// Keep-alives are off unless WithKeepAlives: Go's transport silently
// replays an idempotent GET that fails on a reused connection, which would
// hide Reset faults.
func (s *Server) Start() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ts == nil {
		ts := httptest.NewUnstartedServer(s)
		ts.Config.SetKeepAlivesEnabled(s.keepAlives)
		ts.Config.ConnState = s.connState
		ts.Start()
		s.ts = ts
	}
	return s.ts.URL
}

// URL returns the base URL given by Start, or "" before Start.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ts == nil {
		return ""
	}
	return s.ts.URL
}

// Close ends every pending wait and, if Start was called, stops the server
// and waits for outstanding requests. It is safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.done) })
	s.mu.Lock()
	ts := s.ts
	s.mu.Unlock()
	if ts != nil {
		ts.Close()
	}
}

// ServeHTTP answers one S3 Tables call:
// route -> authenticate -> hold -> latency -> faults -> validate -> state.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	defer s.enter()()
	spec, ok := route(r)
	if !ok {
		region, _, _ := checkAuth(r) // logged, so a misrouted client can be found
		s.respond(w, Call{At: at, Region: region}, frontEndError(http.StatusNotFound, errUnknownOperation,
			"No operation matches "+r.Method+" "+r.URL.Path))
		return
	}
	req := parseRequest(spec.op, r)
	region, denied, ok := checkAuth(r)
	req.region = region
	c := newCall(req, at)
	if !ok {
		s.respond(w, c, denied)
		return
	}
	if !s.hold(w, r, c) || !s.wait(w, r, c, s.latency()) {
		return
	}
	if f, fired := s.pickFault(req); fired {
		if !s.wait(w, r, c, f.Latency) {
			return
		}
		switch f.Kind {
		case "":
			// latency only: answer normally
		case Reset:
			s.reset(w, c)
			return
		default:
			s.respond(w, c, faultAnswer(f.Kind, req))
			return
		}
	}
	if a, ok := validate(req); !ok {
		s.respond(w, c, a)
		return
	}
	s.mu.Lock()
	a := s.applyLocked(req, spec)
	c.ResponseToken = a.versionToken()
	c = s.logLocked(c, a.status, a.errorType)
	s.mu.Unlock()
	s.send(w, c, a)
}

func route(r *http.Request) (opSpec, bool) {
	for _, o := range operations {
		if r.Method == o.method && r.URL.Path == o.uri {
			return o, true
		}
	}
	return opSpec{}, false
}

// respond logs c with the answer a and sends it.
func (s *Server) respond(w http.ResponseWriter, c Call, a answer) {
	s.mu.Lock()
	c.ResponseToken = a.versionToken()
	c = s.logLocked(c, a.status, a.errorType)
	s.mu.Unlock()
	s.send(w, c, a)
}

func (s *Server) send(w http.ResponseWriter, c Call, a answer) {
	s.notify(c)
	a.write(w, requestID(c.Seq))
}

func (s *Server) notify(c Call) {
	if s.onCall != nil {
		s.onCall(c.clone())
	}
}

func (s *Server) latency() time.Duration {
	if s.latencyJitter <= 0 {
		return s.latencyBase
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.latencyBase + time.Duration(s.rng.Int64N(int64(s.latencyJitter)))
}

var errClosed = errors.New("emulator closed")

// wait sleeps d unless the client goes away or the server closes (see
// waitOn). It reports whether the request should go on.
func (s *Server) wait(w http.ResponseWriter, r *http.Request, c Call, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	s.mu.Lock()
	hook := s.waitHook
	s.mu.Unlock()
	if hook != nil {
		hook()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	return waitOn(s, w, r, c, t.C)
}

// waitOn waits until ready delivers or is closed, unless the client goes
// away first (the call is logged as ErrorTypeClientClosed, nothing is sent)
// or the server closes (503). It reports whether the request should go on.
func waitOn[T any](s *Server, w http.ResponseWriter, r *http.Request, c Call, ready <-chan T) bool {
	var err error
	select {
	case <-ready:
		return true
	case <-r.Context().Done():
		err = r.Context().Err()
	case <-s.done:
		err = errClosed
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		s.mu.Lock()
		c = s.logLocked(c, StatusClientClosed, ErrorTypeClientClosed)
		s.mu.Unlock()
		s.notify(c)
		return false
	}
	s.respond(w, c, answer{status: http.StatusServiceUnavailable})
	return false
}

// reset closes the connection without answering. With HTTP/1 it hijacks the
// connection and closes it with a TCP RST; where hijacking is not possible
// (HTTP/2, recorders) it aborts the handler, which drops the stream.
func (s *Server) reset(w http.ResponseWriter, c Call) {
	s.mu.Lock()
	c = s.logLocked(c, 0, ErrorTypeReset)
	s.mu.Unlock()
	s.notify(c)
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0) // RST instead of FIN; best effort
	}
	_ = conn.Close()
}

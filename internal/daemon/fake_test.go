package daemon

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/replsync/replsync/internal/testutil"
	replsync "github.com/replsync/replsync/pkg/sync"
)

// wait bounds every wait of these tests for something the loop's goroutine
// does; nothing sleeps for a fixed time.
const wait = 10 * time.Second

// fakeClock hands out timers that fire only when a test fires them.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	clock *fakeClock
	d     time.Duration
	c     chan time.Time
	state string // armed, stopped, fired
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{clock: c, d: d, c: make(chan time.Time, 1), state: "armed"}
	c.timers = append(c.timers, t)
	return t
}

func (t *fakeTimer) C() <-chan time.Time { return t.c }

func (t *fakeTimer) Stop() bool {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	was := t.state == "armed"
	if was {
		t.state = "stopped"
	}
	return was
}

// armed returns the durations of the timers armed now.
func (c *fakeClock) armed() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []time.Duration
	for _, t := range c.timers {
		if t.state == "armed" {
			out = append(out, t.d)
		}
	}
	return out
}

// find returns the armed timer of duration d, or nil.
func (c *fakeClock) find(d time.Duration) *fakeTimer {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range c.timers {
		if t.state == "armed" && t.d == d {
			return t
		}
	}
	return nil
}

// fakePass is one call of Loop.Pass, held until the test answers it.
type fakePass struct {
	ctx    context.Context
	answer chan passAnswer
}

type passAnswer struct {
	rep *replsync.Report
	err error
}

// fakePoll is one call of Loop.Changed, held until the test answers it.
type fakePoll struct {
	ctx    context.Context
	answer chan pollAnswer
}

type pollAnswer struct {
	changed bool
	err     error
}

// harness runs a Loop with fakes and lets a test script it.
type harness struct {
	t        *testing.T
	clock    *fakeClock
	signals  chan os.Signal
	passes   chan *fakePass
	polls    chan *fakePoll
	outcomes chan Outcome
	exited   chan Outcome
	log      *testutil.SyncBuffer
	loop     *Loop

	mu   sync.Mutex
	seen []string // every observed pass, as trigger/result
}

// Timing of the harness's loop: distinct durations, so that a test can
// tell the timers apart. Rand is 0.5: no jitter.
const (
	hInterval = time.Hour
	hWatch    = time.Minute
	hDebounce = 5 * time.Second
	hGrace    = 30 * time.Second
)

func newHarness(t *testing.T, tweak func(*Loop)) *harness {
	h := &harness{
		t:        t,
		clock:    newFakeClock(),
		signals:  make(chan os.Signal),
		passes:   make(chan *fakePass),
		polls:    make(chan *fakePoll),
		outcomes: make(chan Outcome, 16),
		exited:   make(chan Outcome, 1),
		log:      &testutil.SyncBuffer{},
	}
	h.loop = &Loop{
		Pass: func(ctx context.Context) (*replsync.Report, error) {
			p := &fakePass{ctx: ctx, answer: make(chan passAnswer)}
			h.passes <- p
			a := <-p.answer
			return a.rep, a.err
		},
		Changed: func(ctx context.Context) (bool, error) {
			p := &fakePoll{ctx: ctx, answer: make(chan pollAnswer)}
			h.polls <- p
			a := <-p.answer
			return a.changed, a.err
		},
		Observe: func(o Outcome) {
			h.mu.Lock()
			h.seen = append(h.seen, o.String())
			h.mu.Unlock()
			h.outcomes <- o
		},
		Interval:        hInterval,
		Jitter:          0.1,
		WatchInterval:   hWatch,
		Debounce:        hDebounce,
		ShutdownTimeout: hGrace,
		Log:             zerolog.New(h.log),
		Clock:           h.clock,
		Rand:            func() float64 { return 0.5 },
	}
	if tweak != nil {
		tweak(h.loop)
	}
	return h
}

// run starts Run (or Once) on its own goroutine.
func (h *harness) run(once bool) {
	go func() {
		if once {
			h.exited <- h.loop.Once(context.Background(), h.signals)
			return
		}
		h.loop.Run(context.Background(), h.signals)
		h.exited <- Outcome{}
	}()
}

func (h *harness) runCtx(ctx context.Context) {
	go func() {
		h.loop.Run(ctx, h.signals)
		h.exited <- Outcome{}
	}()
}

// pass waits for the loop to start a pass.
func (h *harness) pass() *fakePass {
	h.t.Helper()
	select {
	case p := <-h.passes:
		return p
	case <-time.After(wait):
		h.t.Fatalf("no pass started; armed timers %v\nlog:\n%s", h.clock.armed(), h.log)
		return nil
	}
}

// finish answers a pass and waits for the loop to observe it.
func (h *harness) finish(p *fakePass, rep *replsync.Report, err error) Outcome {
	h.t.Helper()
	p.answer <- passAnswer{rep, err}
	select {
	case o := <-h.outcomes:
		return o
	case <-time.After(wait):
		h.t.Fatalf("the finished pass was not observed\nlog:\n%s", h.log)
		return Outcome{}
	}
}

// poll waits for the loop to poll the source.
func (h *harness) poll() *fakePoll {
	h.t.Helper()
	select {
	case p := <-h.polls:
		return p
	case <-time.After(wait):
		h.t.Fatalf("no poll started; armed timers %v\nlog:\n%s", h.clock.armed(), h.log)
		return nil
	}
}

// waitArmed waits until a timer of duration d is armed and returns it.
func (h *harness) waitArmed(d time.Duration) *fakeTimer {
	h.t.Helper()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		if t := h.clock.find(d); t != nil {
			return t
		}
		time.Sleep(time.Millisecond)
	}
	h.t.Fatalf("no %v timer armed; armed: %v\nlog:\n%s", d, h.clock.armed(), h.log)
	return nil
}

// fire waits for a timer of duration d and fires it.
func (h *harness) fire(d time.Duration) {
	h.t.Helper()
	t := h.waitArmed(d)
	h.clock.mu.Lock()
	t.state = "fired"
	h.clock.mu.Unlock()
	t.c <- h.clock.Now().Add(d)
}

func (h *harness) signal(s os.Signal) {
	h.t.Helper()
	select {
	case h.signals <- s:
	case <-time.After(wait):
		h.t.Fatalf("the loop does not take signals\nlog:\n%s", h.log)
	}
}

// exit waits for Run or Once to return.
func (h *harness) exit() Outcome {
	h.t.Helper()
	select {
	case o := <-h.exited:
		return o
	case <-time.After(wait):
		h.t.Fatalf("the loop did not return\nlog:\n%s", h.log)
		return Outcome{}
	}
}

// idle waits until the loop waits for its interval, and checks that no
// pass or poll is running or about to.
func (h *harness) idle() {
	h.t.Helper()
	h.waitArmed(hInterval)
	select {
	case <-h.passes:
		h.t.Fatal("a pass started while the loop looked idle")
	case <-h.polls:
		h.t.Fatal("a poll started while the loop looked idle")
	default:
	}
}

// reports for the fake passes.
func okReport() *replsync.Report {
	return &replsync.Report{Buckets: []replsync.BucketResult{{TableBucketARN: "arn:b1", Action: replsync.ActionNoop}}, Summary: replsync.Summary{Noop: 1}}
}

func failedReport() *replsync.Report {
	return &replsync.Report{
		Buckets: []replsync.BucketResult{{TableBucketARN: "arn:b1", Action: replsync.ActionUnknown, Error: "AccessDenied"}},
		Summary: replsync.Summary{Failed: 1},
	}
}

func (o Outcome) String() string { return fmt.Sprintf("%s/%s", o.Trigger, o.Result()) }

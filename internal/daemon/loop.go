package daemon

import (
	"context"
	"math/rand/v2"
	"os"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	replsync "github.com/replsync/replsync/pkg/sync"
)

// Defaults of the daemon's timing (the flags' defaults).
const (
	DefaultInterval        = 5 * time.Minute
	DefaultJitter          = 0.1
	DefaultWatchInterval   = 30 * time.Second
	DefaultDebounce        = 2 * time.Second
	DefaultShutdownTimeout = 30 * time.Second
)

// Loop runs passes until it is told to stop. Set the fields, then call Run
// (or Once) once.
type Loop struct {
	// Pass runs one pass (read the current document, reconcile). Required.
	Pass func(ctx context.Context) (*replsync.Report, error)
	// Changed polls the document source: has it changed since the last
	// pass read it? nil: no polling, passes run on the interval and SIGHUP.
	Changed func(ctx context.Context) (bool, error)
	// Observe, if set, is called with every finished pass, on the loop's
	// goroutine (metrics, readiness).
	Observe func(Outcome)
	// ObserveCheck, if set, is called after every poll with its answer.
	ObserveCheck func(changed bool, err error)

	// Interval is the time from the end of a pass to the next one
	// (DefaultInterval if not positive), varied by ±Jitter (a fraction, at most 0.5) so
	// that replicas started together do not call AWS in step.
	Interval time.Duration
	Jitter   float64
	// WatchInterval is the time between polls of the source (0: no
	// polling). After a poll sees a change, the pass starts Debounce later,
	// so that a burst of writes to the document makes one pass that reads
	// the last of them.
	WatchInterval time.Duration
	Debounce      time.Duration
	// ShutdownTimeout is how long a pass may go on after SIGTERM/SIGINT
	// before it is canceled (0: cancel at once).
	ShutdownTimeout time.Duration

	// Log receives the loop's decisions. Clock (default: the wall clock)
	// and Rand (default: math/rand/v2, in [0, 1)) are for tests.
	Log   zerolog.Logger
	Clock Clock
	Rand  func() float64
}

// jobKind is what the loop's one worker goroutine is doing.
type jobKind int

const (
	jobNone jobKind = iota
	jobPass
	jobPoll
)

// jobDone is what the worker sends back.
type jobDone struct {
	kind    jobKind
	outcome Outcome // jobPass
	changed bool    // jobPoll
	err     error   // jobPoll
}

// run is the state of one Run or Once.
type run struct {
	l    *Loop
	once bool

	pending  Trigger // a pass is wanted as soon as the worker is free ("": none)
	job      jobKind
	cancel   context.CancelFunc // of the running job
	done     chan jobDone
	stopping bool
	passes   int
	last     Outcome
	pollErr  string // last poll error logged, to log each error once

	interval, watch, debounce, grace slot
}

// Run runs passes until signals delivers SIGTERM or SIGINT (then the pass
// under way may finish within ShutdownTimeout) or ctx ends (then it is
// canceled at once). SIGHUP asks for a pass now. Run returns once no pass
// or poll is running.
func (l *Loop) Run(ctx context.Context, signals <-chan os.Signal) {
	l.loop(ctx, signals, false)
}

// Once runs one pass under the same stop rules as Run (SIGTERM/SIGINT
// gives it ShutdownTimeout to finish, a second one or the end of ctx
// cancels it; SIGHUP is ignored) and returns its outcome.
func (l *Loop) Once(ctx context.Context, signals <-chan os.Signal) Outcome {
	return l.loop(ctx, signals, true)
}

func (l *Loop) loop(ctx context.Context, signals <-chan os.Signal, once bool) Outcome {
	if l.Clock == nil {
		l.Clock = realClock{}
	}
	if l.Rand == nil {
		l.Rand = rand.Float64
	}
	if l.Interval <= 0 { // a zero timer would spin
		l.Interval = DefaultInterval
	}
	r := &run{l: l, once: once, pending: TriggerStart, done: make(chan jobDone, 1)}
	ctxDone := ctx.Done()
	for {
		r.schedule(ctx)
		if r.job == jobNone && (r.stopping || (once && r.passes > 0)) {
			r.disarm()
			r.grace.stop()
			return r.last
		}
		select {
		case <-ctxDone:
			ctxDone = nil
			l.Log.Info().Msg("context ended: stopping now")
			r.stop()
			r.cancelJob()
		case sig := <-signals:
			r.signal(sig)
		case <-r.interval.C():
			r.interval.fired()
			r.want(TriggerInterval)
		case <-r.watch.C():
			r.watch.fired()
			r.startPoll(ctx)
		case <-r.debounce.C():
			r.debounce.fired()
			r.want(TriggerChange)
		case <-r.grace.C():
			r.grace.fired()
			l.Log.Warn().Stringer("shutdownTimeout", l.ShutdownTimeout).Msg("shutdown timeout: canceling the pass under way")
			r.cancelJob()
		case d := <-r.done:
			r.finish(d)
		}
	}
}

// schedule starts a wanted pass if the worker is free, and otherwise arms
// the timers that an idle loop waits on.
func (r *run) schedule(ctx context.Context) {
	if r.stopping || r.job != jobNone || (r.once && r.passes > 0) {
		return
	}
	if r.pending != "" {
		r.startPass(ctx)
		return
	}
	if !r.interval.armed() {
		d := r.jittered(r.l.Interval)
		r.interval.arm(r.l.Clock, d)
		r.l.Log.Debug().Stringer("in", d).Msg("next pass scheduled")
	}
	if r.l.Changed != nil && r.l.WatchInterval > 0 && !r.watch.armed() && !r.debounce.armed() {
		r.watch.arm(r.l.Clock, r.l.WatchInterval)
	}
}

// jittered returns d varied by up to ±Jitter of it.
func (r *run) jittered(d time.Duration) time.Duration {
	j := min(max(r.l.Jitter, 0), 0.5)
	return d + time.Duration((2*r.l.Rand()-1)*j*float64(d))
}

// want asks for a pass; triggers coalesce (the first one names the pass).
func (r *run) want(t Trigger) {
	if r.stopping || r.once {
		return
	}
	if r.job == jobPass {
		r.l.Log.Info().Str("trigger", string(t)).Msg("a pass is under way: another one will run after it")
	}
	if r.pending == "" {
		r.pending = t
	}
}

func (r *run) startPass(ctx context.Context) {
	t := r.pending
	r.pending = ""
	r.disarm()
	pctx, cancel := context.WithCancel(ctx)
	r.job, r.cancel = jobPass, cancel
	r.passes++
	start := r.l.Clock.Now()
	if !r.once {
		r.l.Log.Info().Str("trigger", string(t)).Msg("pass triggered")
	}
	go func() {
		rep, err := r.l.Pass(pctx)
		r.done <- jobDone{kind: jobPass, outcome: Outcome{Trigger: t, Start: start, Report: rep, Err: err}}
	}()
}

func (r *run) startPoll(ctx context.Context) {
	// A poll takes at most a watch interval: a hung source must not keep
	// passes from running on the interval.
	pctx, cancel := context.WithTimeout(ctx, max(r.l.WatchInterval, time.Second))
	r.job, r.cancel = jobPoll, cancel
	go func() {
		changed, err := r.l.Changed(pctx)
		r.done <- jobDone{kind: jobPoll, changed: changed, err: err}
	}()
}

func (r *run) finish(d jobDone) {
	r.cancelJob()
	r.job, r.cancel = jobNone, nil
	switch d.kind {
	case jobPass:
		r.grace.stop()
		d.outcome.End = r.l.Clock.Now()
		r.last = d.outcome
		if !r.once { // Once's caller reports the outcome
			r.logOutcome(d.outcome)
		}
		if r.l.Observe != nil {
			r.l.Observe(d.outcome)
		}
	case jobPoll:
		if r.l.ObserveCheck != nil {
			r.l.ObserveCheck(d.changed, d.err)
		}
		r.polled(d.changed, d.err)
	}
}

// polled acts on the answer of a poll.
func (r *run) polled(changed bool, err error) {
	switch {
	case r.stopping:
	case err != nil:
		// A source that stays unreadable would log on every poll: log each
		// distinct error once; the passes on the interval report it too.
		if msg := err.Error(); msg != r.pollErr {
			r.pollErr = msg
			r.l.Log.Warn().Err(err).Msg("checking the document for changes failed")
		}
	case changed:
		r.pollErr = ""
		r.l.Log.Info().Stringer("debounce", r.l.Debounce).Msg("the document changed")
		if r.l.Debounce > 0 {
			r.debounce.arm(r.l.Clock, r.l.Debounce)
		} else {
			r.want(TriggerChange)
		}
	default:
		r.pollErr = ""
	}
}

// signal acts on a signal.
func (r *run) signal(sig os.Signal) {
	switch sig {
	case syscall.SIGHUP:
		switch {
		case r.stopping || r.once:
			r.l.Log.Info().Str("signal", sig.String()).Msg("ignored: no new pass is started now")
		default:
			r.l.Log.Info().Str("signal", sig.String()).Msg("pass requested")
			r.want(TriggerSignal)
		}
	case os.Interrupt, syscall.SIGTERM:
		switch {
		case r.stopping:
			if r.job == jobPass {
				r.l.Log.Warn().Str("signal", sig.String()).Msg("stop requested again: canceling the pass under way")
			}
			r.cancelJob()
		case r.job == jobPass && r.l.ShutdownTimeout > 0:
			r.stop()
			r.grace.arm(r.l.Clock, r.l.ShutdownTimeout)
			r.l.Log.Info().Str("signal", sig.String()).Stringer("shutdownTimeout", r.l.ShutdownTimeout).
				Msg("stopping: letting the pass under way finish (signal again to cancel it now)")
		default:
			r.stop()
			r.cancelJob() // a poll, or a pass with no grace
			r.l.Log.Info().Str("signal", sig.String()).Msg("stopping")
		}
	}
}

// stop starts no new work from now on.
func (r *run) stop() {
	r.stopping = true
	r.pending = ""
	r.disarm()
}

// disarm stops the timers that start work.
func (r *run) disarm() {
	r.interval.stop()
	r.watch.stop()
	r.debounce.stop()
}

func (r *run) cancelJob() {
	if r.cancel != nil {
		r.cancel()
	}
}

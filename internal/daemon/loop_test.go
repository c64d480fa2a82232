package daemon

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/replsync/replsync/pkg/config"
	replsync "github.com/replsync/replsync/pkg/sync"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var (
	errUnreadable = errors.New("read file:///doc.yaml: no such file or directory")
	errInvalid    = &config.Error{Source: "file:///doc.yaml", Problems: []config.Problem{{Path: "version", Message: "is required"}}}
)

// TestLoop scripts the loop through the rows of the table in loop.go's
// package comment. Each script ends with the loop's exit; want lists the
// passes it observed, as trigger/result.
func TestLoop(t *testing.T) {
	tests := []struct {
		name   string
		tweak  func(*Loop)
		script func(h *harness)
		want   []string
	}{
		{
			name: "a pass at start, then on the interval",
			script: func(h *harness) {
				h.finish(h.pass(), okReport(), nil)
				h.fire(hInterval)
				h.finish(h.pass(), okReport(), nil)
				h.idle()
				h.signal(syscall.SIGTERM)
			},
			want: []string{"start/success", "interval/success"},
		},
		{
			name: "failures of every kind do not stop the loop",
			script: func(h *harness) {
				h.finish(h.pass(), nil, errUnreadable)
				h.fire(hInterval)
				h.finish(h.pass(), nil, errInvalid)
				h.fire(hInterval)
				h.finish(h.pass(), failedReport(), nil)
				h.fire(hInterval)
				h.finish(h.pass(), okReport(), nil)
				h.idle()
				h.signal(os.Interrupt)
			},
			want: []string{"start/failed", "interval/invalid_document", "interval/failed", "interval/success"},
		},
		{
			name: "a change seen by a poll makes a pass after the debounce",
			script: func(h *harness) {
				h.finish(h.pass(), okReport(), nil)
				h.fire(hWatch)
				h.poll().answer <- pollAnswer{changed: false}
				h.fire(hWatch) // re-armed: nothing changed
				h.poll().answer <- pollAnswer{changed: true}
				h.fire(hDebounce)
				h.finish(h.pass(), okReport(), nil)
				h.idle()
				h.signal(syscall.SIGTERM)
			},
			want: []string{"start/success", "change/success"},
		},
		{
			name:  "no debounce: a change makes a pass at once",
			tweak: func(l *Loop) { l.Debounce = 0 },
			script: func(h *harness) {
				h.finish(h.pass(), okReport(), nil)
				h.fire(hWatch)
				h.poll().answer <- pollAnswer{changed: true}
				h.finish(h.pass(), okReport(), nil)
				h.idle()
				h.signal(syscall.SIGTERM)
			},
			want: []string{"start/success", "change/success"},
		},
		{
			name: "a poll that fails starts no pass and is logged once",
			script: func(h *harness) {
				h.finish(h.pass(), okReport(), nil)
				for range 3 {
					h.fire(hWatch)
					h.poll().answer <- pollAnswer{err: errUnreadable}
				}
				h.waitArmed(hWatch)
				h.idle()
				if n := strings.Count(h.log.String(), "checking the document for changes failed"); n != 1 {
					h.t.Errorf("the poll error was logged %d times, want once", n)
				}
				h.signal(syscall.SIGTERM)
			},
			want: []string{"start/success"},
		},
		{
			name: "the interval fires during a poll: the pass follows it",
			script: func(h *harness) {
				h.finish(h.pass(), okReport(), nil)
				h.fire(hWatch)
				p := h.poll()
				h.fire(hInterval)
				p.answer <- pollAnswer{changed: false}
				h.finish(h.pass(), okReport(), nil)
				h.idle()
				h.signal(syscall.SIGTERM)
			},
			want: []string{"start/success", "interval/success"},
		},
		{
			name:  "no watching without Changed: only the interval timer",
			tweak: func(l *Loop) { l.Changed = nil },
			script: func(h *harness) {
				h.finish(h.pass(), okReport(), nil)
				h.idle()
				if got := h.clock.armed(); len(got) != 1 {
					h.t.Errorf("armed timers %v, want only the interval", got)
				}
				h.signal(syscall.SIGTERM)
			},
			want: []string{"start/success"},
		},
		{
			name: "SIGHUP runs a pass now",
			script: func(h *harness) {
				h.finish(h.pass(), okReport(), nil)
				h.idle()
				h.signal(syscall.SIGHUP)
				h.finish(h.pass(), okReport(), nil)
				h.idle()
				h.signal(syscall.SIGTERM)
			},
			want: []string{"start/success", "signal/success"},
		},
		{
			name: "triggers during a pass coalesce into one pass after it",
			script: func(h *harness) {
				p := h.pass()
				h.signal(syscall.SIGHUP)
				h.signal(syscall.SIGHUP)
				h.finish(p, okReport(), nil)
				h.finish(h.pass(), okReport(), nil)
				h.idle() // no third pass
				h.signal(syscall.SIGTERM)
			},
			want: []string{"start/success", "signal/success"},
		},
		{
			name: "SIGTERM during a pass lets it finish, then exits",
			script: func(h *harness) {
				p := h.pass()
				h.signal(syscall.SIGTERM)
				h.waitArmed(hGrace)
				h.signal(syscall.SIGHUP) // ignored: stopping
				if p.ctx.Err() != nil {
					h.t.Error("the pass was canceled before the shutdown timeout")
				}
				h.finish(p, okReport(), nil)
			},
			want: []string{"start/success"},
		},
		{
			name: "SIGTERM: after the shutdown timeout the pass is canceled",
			script: func(h *harness) {
				p := h.pass()
				h.signal(syscall.SIGTERM)
				h.fire(hGrace)
				<-p.ctx.Done()
				h.finish(p, failedReport(), nil)
			},
			want: []string{"start/failed"},
		},
		{
			name: "a second SIGINT cancels the pass at once",
			script: func(h *harness) {
				p := h.pass()
				h.signal(os.Interrupt)
				h.signal(os.Interrupt)
				<-p.ctx.Done()
				h.finish(p, failedReport(), nil)
			},
			want: []string{"start/failed"},
		},
		{
			name:  "no shutdown timeout: SIGTERM cancels the pass at once",
			tweak: func(l *Loop) { l.ShutdownTimeout = 0 },
			script: func(h *harness) {
				p := h.pass()
				h.signal(syscall.SIGTERM)
				<-p.ctx.Done()
				h.finish(p, failedReport(), nil)
			},
			want: []string{"start/failed"},
		},
		{
			name: "SIGTERM during a poll cancels the poll and exits",
			script: func(h *harness) {
				h.finish(h.pass(), okReport(), nil)
				h.fire(hWatch)
				p := h.poll()
				h.signal(syscall.SIGTERM)
				<-p.ctx.Done()
				p.answer <- pollAnswer{err: p.ctx.Err()}
			},
			want: []string{"start/success"},
		},
		{
			name: "other signals are ignored",
			script: func(h *harness) {
				h.finish(h.pass(), okReport(), nil)
				h.idle()
				h.signal(syscall.SIGUSR1)
				h.idle()
				h.signal(syscall.SIGTERM)
			},
			want: []string{"start/success"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.tweak)
			h.run(false)
			tt.script(h)
			h.exit()
			h.mu.Lock()
			got := h.seen
			h.mu.Unlock()
			if !slices.Equal(got, tt.want) {
				t.Errorf("passes %q, want %q\nlog:\n%s", got, tt.want, h.log)
			}
		})
	}
}

func TestLoopContextEnd(t *testing.T) {
	h := newHarness(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	h.runCtx(ctx)
	p := h.pass()
	cancel()
	<-p.ctx.Done()
	h.finish(p, failedReport(), nil)
	h.exit()
}

// TestOnce: one pass, its outcome returned; SIGHUP ignored, SIGTERM gives
// the pass its shutdown timeout.
func TestOnce(t *testing.T) {
	t.Run("one pass", func(t *testing.T) {
		h := newHarness(t, nil)
		h.run(true)
		h.finish(h.pass(), failedReport(), nil)
		if o := h.exit(); o.Result() != ResultFailed || o.Trigger != TriggerStart {
			t.Errorf("Once = %v, want start/failed", o)
		}
		if got := h.clock.armed(); len(got) != 0 {
			t.Errorf("timers left armed: %v", got)
		}
	})
	t.Run("signals", func(t *testing.T) {
		h := newHarness(t, nil)
		h.run(true)
		p := h.pass()
		h.signal(syscall.SIGHUP)
		h.signal(syscall.SIGTERM)
		h.waitArmed(hGrace)
		if p.ctx.Err() != nil {
			t.Error("the pass was canceled before the shutdown timeout")
		}
		h.fire(hGrace)
		<-p.ctx.Done()
		h.finish(p, failedReport(), nil)
		if o := h.exit(); o.Result() != ResultFailed {
			t.Errorf("Once = %v", o)
		}
	})
}

func TestJitter(t *testing.T) {
	tests := []struct {
		jitter, rand float64
		want         time.Duration
	}{
		{0.1, 0.5, time.Hour},
		{0.1, 0, 54 * time.Minute},
		{0.1, 0.75, 63 * time.Minute},
		{0, 0.9, time.Hour},
		{0.9, 0, 30 * time.Minute}, // capped at ±50%
		{-1, 0, time.Hour},
	}
	for _, tt := range tests {
		r := &run{l: &Loop{Jitter: tt.jitter, Rand: func() float64 { return tt.rand }}}
		if got := r.jittered(time.Hour); got != tt.want {
			t.Errorf("jitter %v, rand %v: %v, want %v", tt.jitter, tt.rand, got, tt.want)
		}
	}
}

func TestOutcomeResult(t *testing.T) {
	tests := []struct {
		name string
		o    Outcome
		want Result
	}{
		{"all buckets converged", Outcome{Report: okReport()}, ResultSuccess},
		{"a bucket failed", Outcome{Report: failedReport()}, ResultFailed},
		{"unreadable document", Outcome{Err: errUnreadable}, ResultFailed},
		{"invalid document", Outcome{Err: errInvalid}, ResultInvalidDocument},
		{"wrapped invalid document", Outcome{Err: errors.Join(errors.New("x"), errInvalid)}, ResultInvalidDocument},
		{"no report, no error", Outcome{}, ResultFailed},
		{"drift in a dry run", Outcome{Report: &replsync.Report{DryRun: true, Summary: replsync.Summary{Update: 1}}}, ResultSuccess},
	}
	for _, tt := range tests {
		if got := tt.o.Result(); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

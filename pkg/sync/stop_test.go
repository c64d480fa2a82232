package sync

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/replsync/replsync/internal/emulator"
	"github.com/replsync/replsync/pkg/config"
)

// TestStoppedMidPass stops a pass while it is under way: the emulator holds
// every request after the first ones, so when the stop comes each worker is
// waiting on a request and every earlier answer has been received. Then:
// buckets not started are reported as not attempted and got no request;
// every bucket is either untouched or fully at the document, and its
// Applied flag says which; no request is sent after the stop. A second
// round finishes the work, and a third makes no write.
func TestStoppedMidPass(t *testing.T) {
	const (
		buckets     = 120
		concurrency = 4
		holdAfter   = 40 // requests answered before the stop
	)
	tests := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		run  func(clk *virtualClock) RunOptions
		// stop stops the pass once the emulator holds every worker.
		stop     func(ctx context.Context, cancel context.CancelFunc, clk *virtualClock, emu *emulator.Server)
		inFlight string // error of the buckets stopped in flight ("": they finish)
	}{
		{
			name:     "context canceled",
			ctx:      func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) },
			stop:     func(_ context.Context, cancel context.CancelFunc, _ *virtualClock, _ *emulator.Server) { cancel() },
			inFlight: "context canceled",
		},
		{
			name: "context deadline shorter than the pass",
			ctx: func() (context.Context, context.CancelFunc) {
				// Generous, so the hold is reached first on a slow machine; the
				// test waits for it to pass rather than sleeping.
				return context.WithTimeout(context.Background(), 2*time.Second)
			},
			stop:     func(ctx context.Context, _ context.CancelFunc, _ *virtualClock, _ *emulator.Server) { <-ctx.Done() },
			inFlight: "deadline exceeded",
		},
		{
			name: "StartBy passed (work in flight goes on)",
			ctx:  func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) },
			run:  func(clk *virtualClock) RunOptions { return RunOptions{StartBy: clk.Now().Add(time.Minute)} },
			stop: func(_ context.Context, _ context.CancelFunc, clk *virtualClock, emu *emulator.Server) {
				clk.Advance(2 * time.Minute)
				emu.Release()
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newVirtualClock()
			h := newHarness(t, nil, withConcurrency(concurrency), withClock(clk))
			f := newFleet(buckets)
			tokens := f.seed(h.emu)
			before := h.emu.Replications()
			run := RunOptions{}
			if tt.run != nil {
				run = tt.run(clk)
			}
			ctx, cancel := tt.ctx()
			defer cancel()
			deadline, hasDeadline := ctx.Deadline()

			h.emu.HoldAfter(holdAfter)
			done := make(chan *Report, 1)
			go func() {
				rep, err := h.rec.Reconcile(ctx, f.doc, run)
				if err != nil {
					t.Error(err)
				}
				done <- rep
			}()
			guard, stopGuard := context.WithTimeout(ctx, hangGuard)
			defer stopGuard()
			if err := h.emu.WaitHeld(guard, concurrency); err != nil {
				h.emu.Release()
				<-done
				t.Fatalf("the pass never had %d requests held (%v): machine too slow for the deadline?", concurrency, err)
			}
			sent := h.emu.Received()
			tt.stop(ctx, cancel, clk, h.emu)
			rep := <-done
			// A held request whose client gave up ends (logged, not applied)
			// once the emulator notices; wait for that before releasing, or
			// Release would let it through to the state.
			idle, stopIdle := context.WithTimeout(t.Context(), hangGuard)
			defer stopIdle()
			if err := h.emu.WaitIdle(idle); err != nil {
				t.Fatal(err)
			}
			h.emu.Release()

			started, failedInFlight := 0, 0
			for _, b := range rep.Buckets {
				calls := h.emu.CallsFor(b.TableBucketARN)
				if b.NotAttempted {
					if len(calls) != 0 || b.Applied || b.Attempts != 0 || !strings.HasPrefix(b.Error, "not attempted") {
						t.Errorf("%s: not attempted, yet %d requests, applied %v, attempts %d, error %q", b.TableBucketARN, len(calls), b.Applied, b.Attempts, b.Error)
					}
					continue
				}
				started++
				if len(calls) == 0 {
					t.Errorf("%s: started, yet no request reached the emulator", b.TableBucketARN)
				}
				if b.Failed() {
					failedInFlight++
					if tt.inFlight == "" || !strings.Contains(b.Error, tt.inFlight) || b.Applied {
						t.Errorf("%s: failed with %q (applied %v), want %q", b.TableBucketARN, b.Error, b.Applied, tt.inFlight)
					}
				}
				changed := h.assertAppliedMatchesState(b, f.doc, before[b.TableBucketARN], tokens[b.TableBucketARN] != "")
				if b.WriteUnconfirmed && changed {
					t.Errorf("%s: a write held at the emulator landed", b.TableBucketARN)
				}
			}
			s := rep.Summary
			if s.NotAttempted != buckets-started || s.NotAttempted == 0 || started <= concurrency {
				t.Errorf("%d started, %d not attempted (summary %+v): want a pass stopped midway", started, s.NotAttempted, s)
			}
			if s.Failed != s.NotAttempted+failedInFlight {
				t.Errorf("summary %+v: failed should be the %d not attempted plus the %d stopped in flight", s, s.NotAttempted, failedInFlight)
			}
			if tt.inFlight != "" {
				if failedInFlight != concurrency {
					t.Errorf("%d buckets stopped in flight, want %d (one per held worker)", failedInFlight, concurrency)
				}
				if n := h.emu.Received(); n != sent {
					t.Errorf("%d requests sent after the stop", n-sent)
				}
			}
			if hasDeadline {
				for _, c := range h.emu.Calls() {
					if !c.At.Before(deadline) {
						t.Errorf("call %d (%s %s) arrived at or after the deadline", c.Seq, c.Op, c.Bucket)
					}
				}
			}
			h.assertUnlistedUntouched(f, tokens)

			h.emu.ResetCalls()
			if rep := h.reconcile(f.doc, false); rep.Summary.Failed != 0 {
				t.Fatalf("the round after the stop failed: %v", rep.Failed())
			}
			h.assertConverged(f.doc)
			h.assertSecondPassIdle(f.doc)
		})
	}
}

// assertAppliedMatchesState checks one bucket after a stopped pass against
// the report's promise: a bucket reported Applied is fully at the document
// (with the reported token); one neither Applied nor WriteUnconfirmed is
// exactly as it was (same token); a WriteUnconfirmed one is either. Never
// half-written. It returns whether the bucket changed.
func (h *harness) assertAppliedMatchesState(b BucketResult, d *config.Document, before emulator.Replication, existed bool) (changed bool) {
	h.t.Helper()
	live, exists := h.emu.Replication(b.TableBucketARN)
	changed = exists != existed || live.VersionToken != before.VersionToken
	if !b.Applied && !b.WriteUnconfirmed {
		if changed {
			h.t.Errorf("%s: neither applied nor unconfirmed, but the state changed: %+v -> %+v", b.TableBucketARN, before, live)
		}
		return changed
	}
	if !changed && b.WriteUnconfirmed {
		return false // the unconfirmed write did not land
	}
	var want config.Bucket
	for _, x := range d.Buckets {
		if x.TableBucketARN == b.TableBucketARN {
			want = x
		}
	}
	switch {
	case want.State == config.StateAbsent && exists:
		h.t.Errorf("%s: a delete landed (applied %v), but %+v is live", b.TableBucketARN, b.Applied, live)
	case want.State == config.StatePresent && (!exists || !Equivalent(newReplication(live.Role, live.Destinations), Desired(want))):
		h.t.Errorf("%s: a write landed (applied %v), but %+v (exists %v) is not the document", b.TableBucketARN, b.Applied, live, exists)
	case b.Applied && exists && live.VersionToken != b.VersionToken:
		h.t.Errorf("%s: reported token %q, live %q", b.TableBucketARN, b.VersionToken, live.VersionToken)
	}
	return changed
}

// TestWriteCutOffByTheStop: the context ends after the service applied a
// write but before its answer arrived. The report must not claim the
// bucket untouched: Applied stays false (no answer confirmed it) and
// WriteUnconfirmed says the write may have landed.
func TestWriteCutOffByTheStop(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	putReturned := make(chan struct{})
	cutOff := emulator.WithOnCall(func(c emulator.Call) {
		if c.Op == emulator.OpPut && c.Bucket == srcA && c.Status == 200 {
			// Applied; the answer is not sent yet. Stop the pass and wait
			// until the client has given up on the answer.
			cancel()
			<-putReturned
		}
	})
	h := newHarness(t, []emulator.Option{cutOff}, withConcurrency(1), func(o *Options) {
		o.OnCall = func(e CallEvent) {
			if e.Operation == OpPut && e.Bucket == srcA {
				close(putReturned)
			}
		}
	})
	d := doc(bucket(srcA, role1, dstB), bucket(srcB, role1, dstB))
	rep, err := h.rec.Reconcile(ctx, d, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a := rep.Buckets[0]
	if _, landed := h.emu.Replication(srcA); !landed {
		t.Fatal("the test's premise failed: the write did not land")
	}
	if a.Applied || !a.WriteUnconfirmed || !a.Failed() || !strings.Contains(a.Error, "may have landed") {
		t.Errorf("applied %v, unconfirmed %v, error %q: want an unconfirmed write, not applied, failed", a.Applied, a.WriteUnconfirmed, a.Error)
	}
	if b := rep.Buckets[1]; !b.NotAttempted {
		t.Errorf("second bucket: %+v, want not attempted", b)
	}
	// The next pass tells: the write landed, nothing left to do there.
	rep = h.reconcile(d, false)
	if a := rep.Buckets[0]; a.Action != ActionNoop {
		t.Errorf("after the cut-off write, the next pass plans %s, want noop", a.Action)
	}
	h.assertConverged(d)
	h.assertSecondPassIdle(d)
}

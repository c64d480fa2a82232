package sync

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/google/go-cmp/cmp"

	"github.com/replsync/replsync/internal/emulator"
	"github.com/replsync/replsync/pkg/config"
)

// TestRacingWritersOnManyBuckets: another writer strikes right after our
// Get on hundreds of buckets at once, in every way a race can go. No update
// is lost (the final state is the document), no token that lost is ever
// sent again, every write carries the token of the read just before it,
// and each bucket needs exactly one more read per lost write.
func TestRacingWritersOnManyBuckets(t *testing.T) {
	type mutation = func(emulator.Replication) emulator.Replication
	set := func(role string, dests []string) mutation {
		return func(emulator.Replication) emulator.Replication {
			return emulator.Replication{Role: role, Destinations: dests}
		}
	}
	remove := func(emulator.Replication) emulator.Replication { return emulator.Replication{} }
	scenarios := []struct {
		name      string
		seed      func(i int) *seed
		absent    bool
		times     int // racer strikes
		racer     func(i int) mutation
		conflicts int
		final     Action // the plan of the last read
	}{
		{"update races an update", func(i int) *seed { return &seed{role2, fleetDests(i)} }, false, 1,
			func(i int) mutation { return set(role2, fleetDests(i+3)) }, 1, ActionUpdate},
		{"create races a create (missing token)", nil, false, 1,
			func(i int) mutation { return set(role2, fleetDests(i+1)) }, 1, ActionUpdate},
		{"delete races a delete (NotFound)", func(i int) *seed { return &seed{role1, fleetDests(i)} }, true, 1,
			func(int) mutation { return remove }, 1, ActionNoop},
		{"delete races an update", func(i int) *seed { return &seed{role1, fleetDests(i)} }, true, 1,
			func(i int) mutation { return set(role1, fleetDests(i+1)) }, 1, ActionDelete},
		{"update races a delete", func(i int) *seed { return &seed{role2, fleetDests(i)} }, false, 1,
			func(int) mutation { return remove }, 1, ActionCreate},
		{"racer writes what we want", func(i int) *seed { return &seed{role2, fleetDests(i)} }, false, 1,
			func(i int) mutation { return set(role1, fleetDests(i)) }, 1, ActionNoop},
		{"racer strikes three times", func(i int) *seed { return &seed{role2, fleetDests(i)} }, false, 3,
			func(i int) mutation {
				n := 0
				return func(emulator.Replication) emulator.Replication {
					n++
					return emulator.Replication{Role: role2, Destinations: fleetDests(i + n)}
				}
			}, 3, ActionUpdate},
	}
	const perScenario = 30
	h := newHarness(t, nil, withConcurrency(16))
	d := doc()
	type expect struct{ scenario, conflicts int }
	want := map[string]expect{}
	for k, sc := range scenarios {
		for j := range perScenario {
			i := k*perScenario + j
			arn := fleetARN("race", i)
			b := bucket(arn, role1, fleetDests(i)...)
			if sc.absent {
				b = gone(arn)
			}
			d.Buckets = append(d.Buckets, b)
			if sc.seed != nil {
				s := sc.seed(i)
				h.emu.SetReplication(arn, s.role, s.dests)
			}
			h.emu.RaceAfterGet(arn, sc.times, sc.racer(i))
			want[arn] = expect{k, sc.conflicts}
		}
	}
	rep := h.reconcile(d, false)
	for _, b := range rep.Buckets {
		w := want[b.TableBucketARN]
		sc := scenarios[w.scenario]
		if b.Failed() || b.Conflicts != w.conflicts || b.Action != sc.final {
			t.Errorf("%s (%s): error %q, %d conflicts, action %s; want none, %d, %s", b.TableBucketARN, sc.name, b.Error, b.Conflicts, b.Action, w.conflicts, sc.final)
		}
		gets := 0
		for _, c := range h.emu.CallsFor(b.TableBucketARN) {
			if c.Op == emulator.OpGet {
				gets++
			}
		}
		if gets != w.conflicts+1 {
			t.Errorf("%s (%s): %d reads, want %d", b.TableBucketARN, sc.name, gets, w.conflicts+1)
		}
	}
	if stale := h.emu.StaleTokenResends(); len(stale) != 0 {
		t.Errorf("%d stale tokens resent, first %+v", len(stale), stale[0])
	}
	h.assertWritesCarryLastReadToken()
	h.assertAttemptsExact(rep)
	h.assertConverged(d)
	h.assertSecondPassIdle(d)
}

// TestRandomFaultsConverge: 30 % of requests fail transiently (throttling,
// 500, 503, dropped connections) and some are slow, over hundreds of
// buckets; every bucket converges within the retry bound, with no request
// beyond the minimum except the failed ones, and the second round makes no
// write despite the faults. A bucket that always answers AccessDenied
// fails alone after exactly one request.
func TestRandomFaultsConverge(t *testing.T) {
	transient := []emulator.Fault{
		{Kind: emulator.Throttle, Probability: 0.12},
		{Kind: emulator.InternalError, Probability: 0.08},
		{Kind: emulator.Unavailable, Probability: 0.06},
		{Kind: emulator.Reset, Probability: 0.06},
		{Probability: 0.1, Latency: 3 * time.Millisecond}, // a latency spike, then the normal answer
	}
	zero := func() backoff.BackOff { return backoff.WithMaxRetries(&backoff.ZeroBackOff{}, testRetries) }
	small := func() backoff.BackOff {
		return NewFullJitterBackOff(time.Millisecond, 4*time.Millisecond, 30*time.Second)
	}
	denied := fleetARN("b", 7)
	tests := []struct {
		name    string
		backoff func() backoff.BackOff
		denied  string // bucket that always answers AccessDenied
	}{
		{"zero backoff", zero, ""},
		{"small real backoff, bounded by time", small, ""},
		{"one bucket denied among the faults", zero, denied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, []emulator.Option{emulator.WithSeed(42), emulator.WithLatency(0, time.Millisecond)},
				withConcurrency(16), func(o *Options) { o.NewBackOff = tt.backoff })
			f := newFleet(200)
			f.seed(h.emu)
			removeDenied := func() {}
			if tt.denied != "" {
				removeDenied = h.emu.AddFault(emulator.Fault{Bucket: tt.denied, Kind: emulator.AccessDenied})
			}
			for _, fault := range transient {
				h.emu.AddFault(fault)
			}
			rep := h.reconcile(f.doc, false)
			failedRequests := 0
			for _, c := range h.emu.Calls() {
				if transientAnswer(c) {
					failedRequests++
				}
			}
			t.Logf("%d of %d requests failed transiently", failedRequests, len(h.emu.Calls()))

			if diff := cmp.Diff(slices.DeleteFunc([]string{tt.denied}, func(s string) bool { return s == "" }), rep.Failed(), cmpEmptyNil); diff != "" {
				t.Fatalf("failed buckets (-want +got):\n%s", diff)
			}
			if tt.denied != "" {
				calls := h.emu.CallsFor(tt.denied)
				if len(calls) != 1 || calls[0].ErrorType != "AccessDeniedException" {
					t.Errorf("denied bucket: %d requests (%+v), want exactly one, denied", len(calls), calls)
				}
				if b := rep.Buckets[7]; !strings.Contains(b.Error, "AccessDenied") || b.Attempts != 1 {
					t.Errorf("denied bucket reported %q after %d attempts", b.Error, b.Attempts)
				}
			}
			h.assertOnlyTransientExtras(f, rep)
			h.assertAttemptsExact(rep)
			h.assertConverged(withoutBucket(f.doc, tt.denied))
			if stale := h.emu.StaleTokenResends(); len(stale) != 0 {
				t.Errorf("stale tokens resent: %+v", stale)
			}
			// The transient faults stay on; the denied bucket is allowed
			// again and converges.
			removeDenied()
			h.reconcile(f.doc, false)
			h.assertConverged(f.doc)
			h.assertSecondPassIdle(f.doc)
		})
	}
}

var cmpEmptyNil = cmp.Transformer("emptyNil", func(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
})

// assertOnlyTransientExtras checks that, once the transiently failed
// requests are set aside, each bucket made exactly the minimal requests:
// one Get, plus one write if it drifted (none for a failed bucket's write).
func (h *harness) assertOnlyTransientExtras(f *fleet, rep *Report) {
	h.t.Helper()
	for _, b := range rep.Buckets {
		var ops []emulator.Operation
		for _, c := range h.emu.CallsFor(b.TableBucketARN) {
			if transientAnswer(c) {
				continue
			}
			ops = append(ops, c.Op)
		}
		want := []emulator.Operation{emulator.OpGet}
		if op := f.cells[b.TableBucketARN].writeOp; op != "" && !b.Failed() {
			want = append(want, op)
		}
		if diff := cmp.Diff(want, ops); diff != "" {
			h.t.Errorf("%s: answered requests (-want +got):\n%s", b.TableBucketARN, diff)
		}
	}
}

// transientAnswer reports whether a logged call failed in a way replsync
// retries: 429, 5xx, or a dropped connection.
func transientAnswer(c emulator.Call) bool {
	return c.Status == 429 || c.Status >= 500 || c.ErrorType == emulator.ErrorTypeReset
}

// withoutBucket returns d without the bucket arn ("" keeps them all).
func withoutBucket(d *config.Document, arn string) *config.Document {
	out := *d
	out.Buckets = slices.DeleteFunc(slices.Clone(d.Buckets), func(b config.Bucket) bool { return b.TableBucketARN == arn })
	return &out
}

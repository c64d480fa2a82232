package sync

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/replsync/replsync/internal/emulator"
	"github.com/replsync/replsync/pkg/config"
)

const (
	srcB     = "arn:aws:s3tables:us-west-2:111122223333:bucket/logs"
	srcC     = "arn:aws:s3tables:eu-west-1:444455556666:bucket/events"
	unlisted = "arn:aws:s3tables:us-east-1:111122223333:bucket/unlisted"
)

type seed struct {
	role  string
	dests []string
}

// TestReconcilePlanTable runs every cell of the plan table through the real
// SDK client against the emulator, then a second round that must not write.
func TestReconcilePlanTable(t *testing.T) {
	tests := []struct {
		name    string
		seed    *seed
		desired config.Bucket
		action  Action
		writeOp emulator.Operation // "" = no write
	}{
		{"none/present: create", nil, bucket(srcA, role1, dstB, dstC), ActionCreate, emulator.OpPut},
		{"none/absent: noop", nil, gone(srcA), ActionNoop, ""},
		{"equal/present: noop", &seed{role1, []string{dstB, dstC}}, bucket(srcA, role1, dstB, dstC), ActionNoop, ""},
		{"equal/absent: delete", &seed{role1, []string{dstB}}, gone(srcA), ActionDelete, emulator.OpDelete},
		{"different role/present: update", &seed{role2, []string{dstB}}, bucket(srcA, role1, dstB), ActionUpdate, emulator.OpPut},
		{"different destinations/present: update", &seed{role1, []string{dstB, dstC}}, bucket(srcA, role1, dstB, dstD), ActionUpdate, emulator.OpPut},
		{"different/absent: delete", &seed{role2, []string{dstC}}, gone(srcA), ActionDelete, emulator.OpDelete},
		{"live order and duplicates are not drift", &seed{role1, []string{dstC, dstB, dstC}}, bucket(srcA, role1, dstB, dstC), ActionNoop, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			var seededToken string
			if tt.seed != nil {
				seededToken = h.emu.SetReplication(srcA, tt.seed.role, tt.seed.dests)
			}
			d := doc(tt.desired)
			rep := h.reconcile(d, false)
			got := rep.Buckets[0]
			if got.Action != tt.action || got.Error != "" {
				t.Fatalf("action %q error %q, want %q and no error", got.Action, got.Error, tt.action)
			}
			if got.Applied != (tt.writeOp != "") {
				t.Errorf("applied = %v, want %v", got.Applied, tt.writeOp != "")
			}
			calls := h.emu.Calls()
			wantOps := []emulator.Operation{emulator.OpGet}
			if tt.writeOp != "" {
				wantOps = append(wantOps, tt.writeOp)
			}
			var ops []emulator.Operation
			for _, c := range calls {
				ops = append(ops, c.Op)
			}
			if diff := cmp.Diff(wantOps, ops); diff != "" {
				t.Fatalf("calls (-want +got):\n%s", diff)
			}
			if tt.writeOp != "" {
				w := calls[1]
				if w.VersionToken != seededToken || w.HasToken != (seededToken != "") {
					t.Errorf("write sent token %q (has %v), want the token read, %q", w.VersionToken, w.HasToken, seededToken)
				}
			}
			if got.Attempts != len(calls) {
				t.Errorf("attempts = %d, want %d", got.Attempts, len(calls))
			}
			h.assertConverged(d)
			h.assertSecondPassIdle(d)
		})
	}
}

func TestReportCarriesBeforeAfterAndTokens(t *testing.T) {
	h := newHarness(t, nil)
	old := h.emu.SetReplication(srcA, role2, []string{dstC, dstB})
	rep := h.reconcile(doc(bucket(srcA, role1, dstB, dstD)), false)
	got := rep.Buckets[0]
	live, _ := h.emu.Replication(srcA)
	want := BucketResult{
		TableBucketARN: srcA, Region: "us-east-1", Action: ActionUpdate, Applied: true,
		Before:       newReplication(role2, []string{dstC, dstB}),
		After:        newReplication(role1, []string{dstB, dstD}),
		Changes:      []string{"role: " + role2 + " -> " + role1, "destinations: +" + dstD + " -" + dstC},
		Diff:         Diff{RoleFrom: role2, RoleTo: role1, Added: []string{dstD}, Removed: []string{dstC}, RulesFrom: 1, RulesTo: 1},
		VersionToken: live.VersionToken, Status: got.Status, Attempts: 2,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	if got.VersionToken == old || got.Status == "" {
		t.Errorf("token %q status %q: want the new token and the Put status", got.VersionToken, got.Status)
	}
	h.assertSecondPassIdle(doc(bucket(srcA, role1, dstB, dstD)))
}

// TestDryRunNeverWrites: whatever the state, a dry run sends no Put or
// Delete, and reports what it would do.
func TestDryRunNeverWrites(t *testing.T) {
	h := newHarness(t, nil)
	h.emu.SetReplication(srcB, role2, []string{dstB})
	h.emu.SetReplication(srcC, role1, []string{dstB})
	d := doc(bucket(srcA, role1, dstB), bucket(srcB, role1, dstB), gone(srcC))
	before := h.emu.Replications()
	for round := 1; round <= 2; round++ {
		rep := h.reconcile(d, true)
		if n := h.writes(); n != 0 {
			t.Fatalf("round %d: dry run made %d writes", round, n)
		}
		want := Summary{Create: 1, Update: 1, Delete: 1}
		if diff := cmp.Diff(want, rep.Summary); diff != "" || !rep.DryRun || !rep.Drift() {
			t.Errorf("round %d: summary (-want +got):\n%s", round, diff)
		}
		for _, b := range rep.Buckets {
			if b.Applied {
				t.Errorf("%s: applied in a dry run", b.TableBucketARN)
			}
		}
	}
	if diff := cmp.Diff(before, h.emu.Replications()); diff != "" {
		t.Errorf("dry run changed state (-before +after):\n%s", diff)
	}
}

// TestRacingWriter: someone changes the bucket between our Get and our Put.
// The Put loses (ConflictException); replsync re-reads and writes again with
// the new token, never the stale one, and the result equals the document.
func TestRacingWriter(t *testing.T) {
	tests := []struct {
		name     string
		seed     *seed
		desired  config.Bucket
		race     func(emulator.Replication) emulator.Replication
		rounds   int // Gets expected
		conflict int
	}{
		{"update races an update", &seed{role2, []string{dstC}}, bucket(srcA, role1, dstB),
			func(r emulator.Replication) emulator.Replication { r.Destinations = []string{dstD}; return r }, 2, 1},
		{"create races a create (missing token BadRequest)", nil, bucket(srcA, role1, dstB),
			func(emulator.Replication) emulator.Replication {
				return emulator.Replication{Role: role2, Destinations: []string{dstC}}
			}, 2, 1},
		{"delete races a delete (NotFound)", &seed{role1, []string{dstB}}, gone(srcA),
			func(emulator.Replication) emulator.Replication { return emulator.Replication{} }, 2, 1},
		{"racer writes what we want: nothing left to do", &seed{role2, []string{dstC}}, bucket(srcA, role1, dstB),
			func(emulator.Replication) emulator.Replication {
				return emulator.Replication{Role: role1, Destinations: []string{dstB}}
			}, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			if tt.seed != nil {
				h.emu.SetReplication(srcA, tt.seed.role, tt.seed.dests)
			}
			h.emu.RaceAfterGet(srcA, 1, tt.race)
			d := doc(tt.desired)
			rep := h.reconcile(d, false)
			got := rep.Buckets[0]
			if got.Error != "" || got.Conflicts != tt.conflict {
				t.Fatalf("error %q conflicts %d, want none and %d", got.Error, got.Conflicts, tt.conflict)
			}
			if n := h.emu.Count(emulator.OpGet); n != tt.rounds {
				t.Errorf("%d reads, want %d", n, tt.rounds)
			}
			if stale := h.emu.StaleTokenResends(); len(stale) != 0 {
				t.Errorf("stale tokens resent: %+v", stale)
			}
			h.assertWritesCarryLastReadToken()
			h.assertConverged(d)
			h.assertSecondPassIdle(d)
		})
	}
}

// assertWritesCarryLastReadToken checks that every write sent the token of
// the read just before it (none when that read found nothing).
func (h *harness) assertWritesCarryLastReadToken() {
	h.t.Helper()
	tokens := map[string]string{} // bucket -> token last read
	for _, c := range h.emu.Calls() {
		switch c.Op {
		case emulator.OpGet:
			tokens[c.Bucket] = ""
			if live, ok := h.tokenReadAt(c); ok {
				tokens[c.Bucket] = live
			}
		case emulator.OpPut, emulator.OpDelete:
			if c.VersionToken != tokens[c.Bucket] {
				h.t.Errorf("call %d %s sent token %q, last read %q", c.Seq, c.Op, c.VersionToken, tokens[c.Bucket])
			}
		}
	}
}

// tokenReadAt returns the token a Get answered with, from the call log.
func (h *harness) tokenReadAt(c emulator.Call) (string, bool) {
	return c.ResponseToken, c.ResponseToken != ""
}

func TestConflictRoundsAreBounded(t *testing.T) {
	h := newHarness(t, nil)
	h.emu.SetReplication(srcA, role2, []string{dstC})
	n := 0
	h.emu.RaceAfterGet(srcA, 0, func(r emulator.Replication) emulator.Replication {
		n++
		r.Destinations = []string{dstC, dstD}[:1+n%2]
		return r
	})
	rep := h.reconcile(doc(bucket(srcA, role1, dstB)), false)
	got := rep.Buckets[0]
	if !strings.Contains(got.Error, "gave up after 5") {
		t.Errorf("error = %q, want it to give up after 5 rounds", got.Error)
	}
	if w := h.emu.Count(emulator.OpPut); w != DefaultMaxConflictRounds {
		t.Errorf("%d Puts, want %d", w, DefaultMaxConflictRounds)
	}
	if got.Conflicts != DefaultMaxConflictRounds {
		t.Errorf("conflicts = %d, want %d", got.Conflicts, DefaultMaxConflictRounds)
	}
	if stale := h.emu.StaleTokenResends(); len(stale) != 0 {
		t.Errorf("stale tokens resent: %+v", stale)
	}
	// Once the other writer stops, the next round converges, and the one
	// after writes nothing.
	h.emu.ClearFaults()
	d := doc(bucket(srcA, role1, dstB))
	h.reconcile(d, false)
	h.assertConverged(d)
	h.assertSecondPassIdle(d)
}

// TestFaults: transient faults are retried until the bucket converges;
// terminal ones fail that bucket at once and leave the others alone.
func TestFaults(t *testing.T) {
	d := doc(bucket(srcA, role1, dstB), bucket(srcB, role1, dstC), gone(srcC))
	tests := []struct {
		name       string
		fault      emulator.Fault
		failed     []string
		maxCallsOn map[string]int // bucket -> most calls allowed
	}{
		{"30% throttling", emulator.Fault{Kind: emulator.Throttle, Probability: 0.3}, nil, nil},
		{"30% internal errors", emulator.Fault{Kind: emulator.InternalError, Probability: 0.3}, nil, nil},
		{"30% 503 without a typed error", emulator.Fault{Kind: emulator.Unavailable, Probability: 0.3}, nil, nil},
		{"30% dropped connections", emulator.Fault{Kind: emulator.Reset, Probability: 0.3}, nil, nil},
		{"AccessDenied on one bucket", emulator.Fault{Bucket: srcB, Kind: emulator.AccessDenied}, []string{srcB}, map[string]int{srcB: 1}},
		{"Forbidden on a write", emulator.Fault{Bucket: srcA, Op: emulator.OpPut, Kind: emulator.Forbidden}, []string{srcA}, map[string]int{srcA: 2}},
		{"BadRequest on a write", emulator.Fault{Bucket: srcA, Op: emulator.OpPut, Kind: emulator.BadRequest}, []string{srcA}, map[string]int{srcA: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, []emulator.Option{emulator.WithSeed(7)})
			h.emu.SetReplication(srcC, role1, []string{dstB})
			h.emu.AddFault(tt.fault)
			rep := h.reconcile(d, false)
			var failed []string
			for _, b := range rep.Buckets {
				if b.Failed() {
					failed = append(failed, b.TableBucketARN)
				}
			}
			if diff := cmp.Diff(tt.failed, failed); diff != "" {
				t.Fatalf("failed buckets (-want +got):\n%s\n%+v", diff, rep.Buckets)
			}
			for arn, most := range tt.maxCallsOn {
				if n := len(h.emu.CallsFor(arn)); n > most {
					t.Errorf("%s: %d calls, want at most %d (terminal errors are not retried)", arn, n, most)
				}
			}
			ok := doc()
			for _, b := range d.Buckets {
				if !slices.Contains(tt.failed, b.TableBucketARN) {
					ok.Buckets = append(ok.Buckets, b)
				}
			}
			h.assertConverged(ok) // the others converged despite the fault
			h.emu.ClearFaults()
			h.reconcile(d, false) // and the failed one once the fault is gone
			h.assertConverged(d)
			h.assertSecondPassIdle(d)
		})
	}
}

func TestTransientErrorsGiveUp(t *testing.T) {
	h := newHarness(t, nil)
	h.emu.AddFault(emulator.Fault{Bucket: srcA, Kind: emulator.InternalError})
	rep := h.reconcile(doc(bucket(srcA, role1, dstB), bucket(srcB, role1, dstB)), false)
	a, b := rep.Buckets[0], rep.Buckets[1]
	if !strings.Contains(a.Error, "InternalServerErrorException") {
		t.Errorf("error = %q, want the last error", a.Error)
	}
	if a.Attempts != 21 { // the first try and 20 retries of the test backoff
		t.Errorf("attempts = %d, want 21", a.Attempts)
	}
	if b.Failed() || b.Action != ActionCreate || !b.Applied {
		t.Errorf("other bucket: %+v, want created", b)
	}
	h.emu.ClearFaults()
	d := doc(bucket(srcA, role1, dstB), bucket(srcB, role1, dstB))
	h.reconcile(d, false)
	h.assertConverged(d)
	h.assertSecondPassIdle(d)
}

// TestUnlistedBucketsAreNeverTouched: only the document's buckets are read.
func TestUnlistedBucketsAreNeverTouched(t *testing.T) {
	h := newHarness(t, nil)
	tok := h.emu.SetReplication(unlisted, role2, []string{dstC})
	d := doc(bucket(srcA, role1, dstB), gone(srcB))
	h.reconcile(d, false)
	h.assertSecondPassIdle(d)
	if calls := h.emu.CallsFor(unlisted); len(calls) != 0 {
		t.Errorf("unlisted bucket got calls: %+v", calls)
	}
	if r, _ := h.emu.Replication(unlisted); r.VersionToken != tok {
		t.Error("unlisted bucket changed")
	}
}

// TestCallsGoToTheBucketsRegion: one client per region, from the ARN.
func TestCallsGoToTheBucketsRegion(t *testing.T) {
	h := newHarness(t, nil)
	d := doc(bucket(srcA, role1, dstB), bucket(srcB, role1, dstC), bucket(srcC, role1, dstB))
	h.reconcile(d, false)
	want := map[string]string{srcA: "us-east-1", srcB: "us-west-2", srcC: "eu-west-1"}
	for _, c := range h.emu.Calls() {
		if c.Region != want[c.Bucket] {
			t.Errorf("call %s for %s signed for %q, want %q", c.Op, c.Bucket, c.Region, want[c.Bucket])
		}
	}
	rc := h.rec.opts.Clients.(*RegionClients)
	if len(rc.clients) != 3 {
		t.Errorf("%d clients cached, want 3", len(rc.clients))
	}
	h.assertSecondPassIdle(d)
}

func TestStoppedPassReportsNotAttempted(t *testing.T) {
	d := doc(bucket(srcA, role1, dstB), bucket(srcB, role1, dstB))
	tests := []struct {
		name string
		ctx  func() context.Context
		run  RunOptions
	}{
		{"canceled context", func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, RunOptions{}},
		{"start deadline passed", context.Background, RunOptions{StartBy: time.Now().Add(-time.Second)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			rep, err := h.rec.Reconcile(tt.ctx(), d, tt.run)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(h.emu.Calls()); n != 0 {
				t.Errorf("%d calls, want none", n)
			}
			want := Summary{Failed: 2, NotAttempted: 2}
			if diff := cmp.Diff(want, rep.Summary); diff != "" {
				t.Errorf("summary (-want +got):\n%s", diff)
			}
			for _, b := range rep.Buckets {
				if !b.NotAttempted || !strings.HasPrefix(b.Error, "not attempted") {
					t.Errorf("%s: %+v", b.TableBucketARN, b)
				}
			}
			h.reconcile(d, false)
			h.assertConverged(d)
			h.assertSecondPassIdle(d)
		})
	}
}

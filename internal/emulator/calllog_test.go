package emulator_test

import (
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/replsync/replsync/internal/emulator"
)

// TestCallLog checks what each call records, including the region of the
// signature scope (one client per region) and injected faults.
func TestCallLog(t *testing.T) {
	s := start(t)
	east, west := client(s, "us-east-1"), client(s, "us-west-2")
	ctx := t.Context()
	s.AddFault(emulator.Fault{Op: emulator.OpGet, Bucket: dst1, Kind: emulator.Throttle, Times: 1})

	_, _ = get(ctx, east, src)                             // 1: NotFound
	out, _ := put(ctx, east, src, nil, config(role, dst1)) // 2: create
	token := aws.ToString(out.VersionToken)
	_, _ = get(ctx, west, dst1)                                          // 3: throttled
	_, _ = put(ctx, west, src, aws.String("stale"), config(role2, dst2)) // 4: conflict
	_ = del(ctx, east, src, &token)                                      // 5: deleted

	want := []emulator.Call{
		{Seq: 1, Op: emulator.OpGet, Bucket: src, Region: "us-east-1", Status: 404, ErrorType: "NotFoundException"},
		{Seq: 2, Op: emulator.OpPut, Bucket: src, Region: "us-east-1", Status: 200, ResponseToken: token,
			Request: &emulator.Replication{Role: role, Destinations: []string{dst1}}},
		{Seq: 3, Op: emulator.OpGet, Bucket: dst1, Region: "us-west-2", Status: 429, ErrorType: "TooManyRequestsException"},
		{Seq: 4, Op: emulator.OpPut, Bucket: src, Region: "us-west-2", VersionToken: "stale", HasToken: true,
			Status: 409, ErrorType: "ConflictException", Request: &emulator.Replication{Role: role2, Destinations: []string{dst2}}},
		{Seq: 5, Op: emulator.OpDelete, Bucket: src, Region: "us-east-1", VersionToken: token, HasToken: true, Status: 204},
	}
	ignoreAt := cmpopts.IgnoreFields(emulator.Call{}, "At")
	if diff := cmp.Diff(want, s.Calls(), ignoreAt); diff != "" {
		t.Fatalf("calls (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]emulator.Call{want[2]}, s.CallsFor(dst1), ignoreAt); diff != "" {
		t.Fatalf("CallsFor (-want +got):\n%s", diff)
	}
	counts := map[emulator.Operation]int{emulator.OpGet: 2, emulator.OpPut: 2, emulator.OpDelete: 1, emulator.OpGetTable: 0}
	for op, n := range counts {
		if got := s.Count(op); got != n {
			t.Errorf("Count(%s) = %d, want %d", op, got, n)
		}
	}
	for _, c := range s.Calls() {
		if c.At.IsZero() {
			t.Errorf("call %d has no time", c.Seq)
		}
	}

	// Copies: mutating what Calls returned does not touch the log.
	s.Calls()[1].Request.Destinations[0] = "mutated"
	if got := s.Calls()[1].Request.Destinations[0]; got != dst1 {
		t.Fatalf("the log shares memory with its copies: %s", got)
	}

	s.ResetCalls()
	if got := s.Calls(); len(got) != 0 {
		t.Fatalf("after ResetCalls: %v", got)
	}
	_, _ = get(ctx, east, src)
	if got := s.Calls(); len(got) != 1 || got[0].Seq != 6 {
		t.Fatalf("after ResetCalls the sequence restarted: %+v", got)
	}
}

// TestStaleTokenResends checks that resending a token already refused with
// ConflictException is reported, for Put and Delete, across ResetCalls.
func TestStaleTokenResends(t *testing.T) {
	s := start(t)
	old := s.SetReplication(src, role, []string{dst1})
	current := s.SetReplication(src, role, []string{dst2}) // someone else wrote
	c := client(s, "us-east-1")
	ctx := t.Context()

	if _, err := put(ctx, c, src, &old, config(role, dst3)); kind(err) != "Conflict" {
		t.Fatal(err)
	}
	if got := s.StaleTokenResends(); len(got) != 0 {
		t.Fatalf("a first conflict is not a resend: %+v", got)
	}
	if _, err := put(ctx, c, src, &current, config(role, dst3)); err != nil {
		t.Fatal(err) // the correct reaction: re-read, use the new token
	}
	s.ResetCalls()
	_, _ = put(ctx, c, src, &old, config(role, dst3)) // wrong: resend
	_ = del(ctx, c, src, &old)                        // wrong again
	_ = del(ctx, c, dst1, &old)                       // same token, other bucket: never refused there

	got := s.StaleTokenResends()
	if len(got) != 2 || got[0].Op != emulator.OpPut || got[1].Op != emulator.OpDelete ||
		got[0].VersionToken != old || got[1].Status != 409 {
		t.Fatalf("StaleTokenResends = %+v", got)
	}
}

// TestConcurrentCAS runs compare-and-swap writers in parallel: each append
// lands exactly once and conflicts are retried with a fresh read.
func TestConcurrentCAS(t *testing.T) {
	s := start(t, emulator.WithSeed(3))
	s.SetReplication(src, role, []string{})
	c := client(s, "us-east-1")
	const writers = 5
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Go(func() {
			dest := []string{dst1, dst2, dst3, dst1 + "-4", dst1 + "-5"}[i]
			for {
				out, err := get(t.Context(), c, src)
				if err != nil {
					errs <- err
					return
				}
				next := append(destinations(out), dest)
				_, err = put(t.Context(), c, src, out.VersionToken, config(role, next...))
				if kind(err) == "Conflict" {
					continue
				}
				if err != nil {
					errs <- err
				}
				return
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	r, _ := s.Replication(src)
	if len(r.Destinations) != writers {
		t.Fatalf("stored %v: lost or duplicated updates", r.Destinations)
	}
	// StaleTokenResends is not asserted: the emulator cannot tell these
	// writers apart, and several of them legitimately send the token they
	// all read.
	if got := s.Count(emulator.OpPut); got < writers {
		t.Fatalf("%d puts for %d writers", got, writers)
	}
}

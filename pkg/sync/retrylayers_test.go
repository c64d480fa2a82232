package sync

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/s3tables"

	"github.com/replsync/replsync/internal/emulator"
)

// testRetries is how many times the harness's backoff retries a request.
const testRetries = 20

// TestRetriesDoNotMultiply: replsync's backoff is the only layer that
// repeats a request, so n failures cost exactly n+1 requests at the
// emulator, for every transient kind and both operations; a fault that
// never clears costs exactly testRetries+1 and fails only its bucket. The
// SDK retryer (3 attempts by default) is off: with it, each of replsync's
// tries would be up to 3 requests (see TestSDKRetryerWouldMultiply).
func TestRetriesDoNotMultiply(t *testing.T) {
	kinds := []emulator.ErrorKind{emulator.Throttle, emulator.InternalError, emulator.Unavailable, emulator.Reset}
	ops := []emulator.Operation{emulator.OpGet, emulator.OpPut}
	for _, kind := range kinds {
		for _, op := range ops {
			for _, times := range []int{1, 3, 0} { // 0: the fault never clears
				name := fmt.Sprintf("%s on %s x%d", kind, op, times)
				if times == 0 {
					name = fmt.Sprintf("%s on %s forever", kind, op)
				}
				t.Run(name, func(t *testing.T) {
					h := newHarness(t, nil)
					d := doc(bucket(srcA, role1, dstB), bucket(srcB, role1, dstC))
					h.emu.AddFault(emulator.Fault{Op: op, Bucket: srcA, Kind: kind, Times: times})
					rep := h.reconcile(d, false)
					a := rep.Buckets[0]

					failures := times
					if times == 0 {
						failures = testRetries + 1
					}
					want := map[emulator.Operation]int{emulator.OpGet: 1, emulator.OpPut: 1}
					want[op] = min(failures+1, testRetries+1)
					if times == 0 && op == emulator.OpGet {
						want[emulator.OpPut] = 0 // never got to plan
					}
					got := map[emulator.Operation]int{}
					for _, c := range h.emu.CallsFor(srcA) {
						got[c.Op]++
					}
					for _, o := range ops {
						if got[o] != want[o] {
							t.Errorf("%d %s requests, want %d", got[o], o, want[o])
						}
					}
					h.assertAttemptsExact(rep)
					if a.Failed() != (times == 0) || rep.Buckets[1].Failed() {
						t.Fatalf("bucket failed %v (%q), other failed %v; want %v, false", a.Failed(), a.Error, rep.Buckets[1].Failed(), times == 0)
					}
					h.emu.ClearFaults()
					if times == 0 {
						h.reconcile(d, false)
					}
					h.assertConverged(d)
					h.assertSecondPassIdle(d)
				})
			}
		}
	}
}

// TestSDKRetryerWouldMultiply is the control for TestRetriesDoNotMultiply:
// the same always-throttled Get with the SDK's standard retryer put back
// (zero delays so the test does not sleep) costs three requests per try of
// replsync's backoff. This is what NewRegionClients prevents.
func TestSDKRetryerWouldMultiply(t *testing.T) {
	h := newHarness(t, nil)
	sdkRetries := func(o *s3tables.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			so.RateLimiter = ratelimit.None
		})
	}
	rec, err := New(Options{
		Clients:    NewRegionClients(h.cfg, h.endpoint(), sdkRetries),
		NewBackOff: h.rec.opts.NewBackOff,
	})
	if err != nil {
		t.Fatal(err)
	}
	h.emu.AddFault(emulator.Fault{Op: emulator.OpGet, Kind: emulator.Throttle})
	rep, err := rec.Reconcile(t.Context(), doc(bucket(srcA, role1, dstB)), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := retry.DefaultMaxAttempts * (testRetries + 1)
	if n := h.emu.Count(emulator.OpGet); n != want {
		t.Errorf("%d requests with the SDK retryer on, want %d x %d = %d", n, retry.DefaultMaxAttempts, testRetries+1, want)
	}
	if a := rep.Buckets[0].Attempts; a != testRetries+1 {
		t.Errorf("attempts = %d: the report can only count the tries it makes (%d)", a, testRetries+1)
	}
	h.emu.ClearFaults()
	d := doc(bucket(srcA, role1, dstB))
	h.reconcile(d, false)
	h.assertConverged(d)
	h.assertSecondPassIdle(d)
}

// TestRegionClientsSwitchOffTheSDKRetryer checks the option itself.
func TestRegionClientsSwitchOffTheSDKRetryer(t *testing.T) {
	c := NewRegionClients(aws.Config{Region: "us-east-1"})
	api, err := c.For("eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	o := api.(*s3tables.Client).Options()
	if _, ok := o.Retryer.(aws.NopRetryer); !ok || o.Region != "eu-west-1" {
		t.Errorf("retryer %T region %q, want aws.NopRetryer and eu-west-1", o.Retryer, o.Region)
	}
	if again, _ := c.For("eu-west-1"); again != api {
		t.Error("the client of a region is not cached")
	}
}

// TestHungRequestIsRetried: a request that gets no answer within
// RequestTimeout is abandoned and retried like a transport error, so one
// hung connection cannot stall the bucket (or, through the concurrency
// bound, the pass). The emulator honours the abandoned request's cancel.
func TestHungRequestIsRetried(t *testing.T) {
	tests := []struct {
		name string
		op   emulator.Operation
	}{
		{"hung read", emulator.OpGet},
		{"hung write", emulator.OpPut},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var events []CallEvent
			h := newHarness(t, nil, func(o *Options) {
				o.RequestTimeout = 50 * time.Millisecond
				o.OnCall = func(e CallEvent) { events = append(events, e) } // Concurrency 1 below
				o.Concurrency = 1
			})
			h.emu.AddFault(emulator.Fault{Op: tt.op, Bucket: srcA, Times: 1, Latency: time.Hour})
			d := doc(bucket(srcA, role1, dstB))
			rep := h.reconcile(d, false)
			got := rep.Buckets[0]
			if got.Error != "" || !got.Applied || got.Attempts != 3 {
				t.Fatalf("result %+v, want applied after 3 requests (one of them abandoned)", got)
			}
			var codes []string
			for _, e := range events {
				codes = append(codes, e.Operation+":"+e.ErrorCode)
			}
			want := map[emulator.Operation][]string{
				emulator.OpGet: {OpGet + ":timeout", OpGet + ":NotFoundException", OpPut + ":"},
				emulator.OpPut: {OpGet + ":NotFoundException", OpPut + ":timeout", OpPut + ":"},
			}[tt.op]
			if !slices.Equal(codes, want) {
				t.Errorf("calls %v, want %v", codes, want)
			}
			h.assertConverged(d)
			h.assertSecondPassIdle(d)
		})
	}
}

package sync

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/replsync/replsync/internal/emulator"
)

// hangGuard bounds waits that only a bug makes long. It is not a speed
// assertion.
const hangGuard = time.Minute

// TestConcurrencyBound holds every request at the emulator until the pass
// has as many in flight as it ever may, then lets it run: the high-water
// mark of requests in flight equals Concurrency (or the bucket count, if
// smaller) and never exceeds it, whatever the regions.
func TestConcurrencyBound(t *testing.T) {
	tests := []struct {
		concurrency, buckets, want int
	}{
		{1, 40, 1},
		{3, 120, 3},
		{0, 200, DefaultConcurrency},
		{32, 200, 32},
		{32, 5, 5},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("concurrency %d, %d buckets", tt.concurrency, tt.buckets), func(t *testing.T) {
			h := newHarness(t, []emulator.Option{emulator.WithLatency(time.Millisecond, time.Millisecond)}, withConcurrency(tt.concurrency))
			f := newFleet(tt.buckets)
			f.seed(h.emu)
			h.emu.HoldAfter(0)
			done := make(chan *Report, 1)
			go func() { done <- h.reconcile(f.doc, false) }()

			ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
			defer cancel()
			err := h.emu.WaitHeld(ctx, tt.want)
			held, inFlight := h.emu.Held(), h.emu.InFlight()
			h.emu.Release()
			rep := <-done
			if err != nil {
				t.Fatalf("only %d requests ever in flight at once, want %d", held, tt.want)
			}
			if held != tt.want || inFlight != tt.want {
				t.Errorf("at the hold: %d held, %d in flight; want %d", held, inFlight, tt.want)
			}
			if most := h.emu.MaxInFlight(); most != tt.want {
				t.Errorf("max in flight over the pass = %d, want %d", most, tt.want)
			}
			assertSummary(t, f.want(), rep.Summary)
			h.assertConverged(f.doc)
			h.assertSecondPassIdle(f.doc)
			if most := h.emu.MaxInFlight(); most > tt.want {
				t.Errorf("max in flight after the second pass = %d, want at most %d", most, tt.want)
			}
		})
	}
}

// TestRateLimitPerRegion runs the limiter on a virtual clock, so the test
// counts instead of timing: with MaxRPS r (burst r) in a region, request k
// (from 1) is sent no earlier than (k-r)/r seconds after the start, retries
// included. In one region the pass ends exactly when its last request was
// due. Limits are per region: three regions together send more in their
// first second than one shared limit would allow.
func TestRateLimitPerRegion(t *testing.T) {
	tests := []struct {
		name      string
		regions   []string
		perRegion int // buckets per region
		throttles int // injected 429s (retried, so counted too)
		rps       float64
	}{
		{"one region", []string{"us-east-1"}, 60, 0, 10},
		{"three regions, each its own limit", []string{"us-east-1", "us-west-2", "eu-west-1"}, 60, 0, 10},
		{"retries count against the limit", []string{"us-east-1"}, 40, 20, 10},
		{"fractional rate", []string{"us-west-2"}, 12, 0, 2.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newVirtualClock()
			var stamps *stampedClients
			h := newHarness(t, nil, withMaxRPS(tt.rps), withClock(clk), withStamps(clk, &stamps), withConcurrency(16))
			d := doc()
			for i := range tt.perRegion {
				for _, region := range tt.regions { // regions interleaved, as a fleet would be
					arn := fmt.Sprintf("arn:aws:s3tables:%s:111122223333:bucket/r%03d", region, i)
					d.Buckets = append(d.Buckets, bucket(arn, role1, dstB))
					if i%2 == 0 { // half are in sync: one request; the others two
						h.emu.SetReplication(arn, role1, []string{dstB})
					}
				}
			}
			if tt.throttles > 0 {
				h.emu.AddFault(emulator.Fault{Kind: emulator.Throttle, Times: tt.throttles})
			}
			start := clk.Now()
			rep := h.reconcile(d, false)
			if rep.Summary.Failed != 0 {
				t.Fatalf("failures: %v", rep.Failed())
			}
			total := len(d.Buckets) + rep.Summary.Create + tt.throttles
			if n := len(h.emu.Calls()); n != total {
				t.Errorf("%d requests, want %d", n, total)
			}
			burst := max(1, int(tt.rps))
			busiest, firstSecond := 0, 0
			for _, region := range tt.regions {
				sent := stamps.times(region)
				busiest = max(busiest, len(sent))
				for k, at := range sent {
					earliest := start.Add(seconds(float64(k+1-burst) / tt.rps))
					if at.Before(earliest.Add(-time.Millisecond)) {
						t.Fatalf("%s: request %d sent at +%v, before +%v", region, k+1, at.Sub(start), earliest.Sub(start))
					}
					if at.Sub(start) <= time.Second {
						firstSecond++
					}
				}
			}
			elapsed, want := clk.Now().Sub(start), seconds(float64(busiest-burst)/tt.rps)
			if len(tt.regions) == 1 {
				if math.Abs(float64(elapsed-want)) > float64(time.Millisecond) {
					t.Errorf("the pass took %v of virtual time, want %v (%d requests at %v/s, burst %d)", elapsed, want, busiest, tt.rps, burst)
				}
			} else if shared := burst + int(tt.rps); firstSecond <= shared {
				t.Errorf("%d requests in the first second over %d regions, want more than one shared limit allows (%d)", firstSecond, len(tt.regions), shared)
			}
			h.assertConverged(d)
			h.assertSecondPassIdle(d)
		})
	}
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// TestNoRequestScheduledPastTheDeadline: when the limiter would make a
// request wait past the context's deadline, the bucket fails at once and
// the request is never sent.
func TestNoRequestScheduledPastTheDeadline(t *testing.T) {
	clk := newVirtualClock()
	h := newHarness(t, nil, withMaxRPS(1), withClock(clk), withConcurrency(1))
	a, b := "arn:aws:s3tables:us-east-1:111122223333:bucket/first", "arn:aws:s3tables:us-east-1:111122223333:bucket/second"
	h.emu.SetReplication(a, role1, []string{dstB})
	h.emu.SetReplication(b, role1, []string{dstB})
	d := doc(bucket(a, role1, dstB), bucket(b, role1, dstB))
	// The first request uses the burst; the second would be due in 1s of
	// virtual time, past a deadline far in the wall clock's future but
	// before the virtual one: the deadline is what the limiter compares.
	ctx, cancel := context.WithDeadline(t.Context(), clk.Now().Add(500*time.Millisecond))
	defer cancel()
	rep, err := h.rec.Reconcile(ctx, d, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Buckets[0].Failed() || !rep.Buckets[1].Failed() || rep.Buckets[1].NotAttempted {
		t.Fatalf("want the first bucket done and the second failed (attempted): %+v", rep.Buckets)
	}
	if n := len(h.emu.CallsFor(b)); n != 0 {
		t.Errorf("%d requests sent for the bucket whose turn came after the deadline", n)
	}
	if clk.sleeps != 0 {
		t.Errorf("the limiter slept %d times, want 0", clk.sleeps)
	}
	h.assertSecondPassIdle(d)
}

// TestConnectionsAreReused counts the connections a pass over one region
// opens against an endpoint that keeps them alive, as AWS does: about one
// per worker, not one per request beyond the SDK's default idle pool of 10
// per host (against AWS each new connection is a TLS handshake).
func TestConnectionsAreReused(t *testing.T) {
	for _, c := range []int{8, 32} {
		t.Run(fmt.Sprintf("concurrency %d", c), func(t *testing.T) {
			h := newHarness(t, []emulator.Option{emulator.WithKeepAlives(), emulator.WithLatency(time.Millisecond, 0)}, withConcurrency(c))
			d := doc()
			for i := range 200 {
				d.Buckets = append(d.Buckets, bucket(fmt.Sprintf("arn:aws:s3tables:us-east-1:111122223333:bucket/k%03d", i), role1, fleetDests(i)...))
			}
			if rep := h.reconcile(d, false); rep.Summary.Create != len(d.Buckets) {
				t.Fatalf("summary %+v", rep.Summary)
			}
			h.assertSecondPassIdle(d)
			requests, conns := h.emu.Received(), h.emu.Conns()
			// A few dials may lose the race to a connection coming back.
			if most := c + c/4; conns > most {
				t.Errorf("%d connections for %d requests at concurrency %d, want at most %d", conns, requests, c, most)
			}
			t.Logf("%d connections for %d requests", conns, requests)
		})
	}
}

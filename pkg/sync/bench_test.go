package sync

import (
	"fmt"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/replsync/replsync/internal/emulator"
)

// Benchmarks print figures, they never assert timings. `make bench` runs
// them and summarizes; BENCHMARKS.md records the results.

// BenchmarkPlan plans 10 000 buckets (one op = the whole fleet), as a pass
// does between its reads and its writes: a fleet in every plan state, and
// a fleet already in sync (the steady state of a daemon).
func BenchmarkPlan(b *testing.B) {
	const n = 10_000
	f := newFleet(n)
	mixed := make([]Observed, n)
	inSync := make([]Observed, n)
	for i, bk := range f.doc.Buckets {
		mixed[i] = Observed{BucketARN: bk.TableBucketARN}
		if s := f.seeds[bk.TableBucketARN]; s != nil {
			mixed[i].Config, mixed[i].VersionToken = newReplication(s.role, s.dests), "0123456789abcdef0123456789abcdef"
		}
		inSync[i] = Observed{BucketARN: bk.TableBucketARN, Config: Desired(bk), VersionToken: "0123456789abcdef0123456789abcdef"}
	}
	for _, bb := range []struct {
		name     string
		observed []Observed
	}{{"buckets=10000/mixed", mixed}, {"buckets=10000/in-sync", inSync}} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for i, bk := range f.doc.Buckets {
					planSink = PlanBucket(bk, bb.observed[i])
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/bucket")
		})
	}
}

// planSink keeps the planner's result alive.
var planSink Plan

// passBench describes one timed pass against the emulator.
type passBench struct {
	buckets     int
	concurrency int
	latency     time.Duration
	// scaleTo reports the wall time as if the pass had had this many
	// buckets (a serial pass of 2 000 would take minutes).
	scaleTo   int
	faults    bool // 30 % transient faults, a small real backoff
	keepAlive bool // the endpoint keeps connections alive, as AWS does
	regions   int  // buckets spread over this many regions (default 1)
}

// BenchmarkPass times whole passes through the real SDK client against the
// emulator with a fixed latency L per request, MaxRPS 0. Every bucket needs
// a create (a Get and a Put), so with concurrency c the floor is
// ceil(N/c) x 2L; wall/floor says how close the pass comes to it, and
// calls/min how many requests it made per request it had to make.
func BenchmarkPass(b *testing.B) {
	for _, pb := range []passBench{
		{buckets: 2000, concurrency: 32, latency: 20 * time.Millisecond},
		{buckets: 2000, concurrency: 32, latency: 20 * time.Millisecond, keepAlive: true},
		{buckets: 2000, concurrency: 32, latency: 20 * time.Millisecond, keepAlive: true, regions: 3},
		{buckets: 50, concurrency: 1, latency: 20 * time.Millisecond, scaleTo: 2000},
		{buckets: 2000, concurrency: DefaultConcurrency, latency: 20 * time.Millisecond},
		{buckets: 2000, concurrency: 32, latency: 20 * time.Millisecond, faults: true},
	} {
		name := fmt.Sprintf("buckets=%d/c=%d/L=%v", pb.buckets, pb.concurrency, pb.latency)
		if pb.keepAlive {
			name += "/keepalive"
		}
		if pb.regions > 1 {
			name += fmt.Sprintf("/regions=%d", pb.regions)
		}
		if pb.faults {
			name += "/faults=30%"
		}
		b.Run(name, func(b *testing.B) { benchPass(b, pb) })
	}
}

func benchPass(b *testing.B, pb passBench) {
	opts := []harnessOption{withConcurrency(pb.concurrency)}
	if pb.faults {
		opts = append(opts, func(o *Options) {
			o.NewBackOff = func() backoff.BackOff {
				return NewFullJitterBackOff(10*time.Millisecond, 100*time.Millisecond, time.Minute)
			}
		})
	}
	emuOpts := []emulator.Option{emulator.WithLatency(pb.latency, 0), emulator.WithSeed(1)}
	if pb.keepAlive {
		emuOpts = append(emuOpts, emulator.WithKeepAlives())
	}
	h := newHarness(b, emuOpts, opts...)
	if pb.faults {
		h.emu.AddFault(emulator.Fault{Kind: emulator.Throttle, Probability: 0.15})
		h.emu.AddFault(emulator.Fault{Kind: emulator.InternalError, Probability: 0.1})
		h.emu.AddFault(emulator.Fault{Kind: emulator.Reset, Probability: 0.05})
	}
	d := doc()
	regions := fleetRegions[:max(1, pb.regions)]
	for i := range pb.buckets {
		arn := fmt.Sprintf("arn:aws:s3tables:%s:111122223333:bucket/p%04d", regions[i%len(regions)], i)
		d.Buckets = append(d.Buckets, bucket(arn, role1, fleetDests(i)...))
	}
	minCalls := 2 * pb.buckets
	rounds := (pb.buckets + pb.concurrency - 1) / pb.concurrency
	floor := time.Duration(rounds) * 2 * pb.latency

	var wall time.Duration
	var calls, failed, passes int
	conns := h.emu.Conns()
	for b.Loop() {
		b.StopTimer()
		for _, bk := range d.Buckets {
			h.emu.RemoveReplication(bk.TableBucketARN)
		}
		h.emu.ResetCalls()
		b.StartTimer()
		start := time.Now()
		rep := h.reconcile(d, false)
		wall += time.Since(start)
		calls += len(h.emu.Calls())
		failed += rep.Summary.Failed
		passes++
	}
	if failed > 0 {
		b.Fatalf("%d buckets failed", failed)
	}
	perPass := wall / time.Duration(passes)
	b.ReportMetric(float64(calls)/float64(passes), "calls")
	b.ReportMetric(float64(h.emu.Conns()-conns)/float64(passes), "conns")
	b.ReportMetric(float64(calls)/float64(passes)/float64(minCalls), "calls/min")
	b.ReportMetric(perPass.Seconds(), "wall-s")
	b.ReportMetric(floor.Seconds(), "floor-s")
	b.ReportMetric(float64(perPass)/float64(floor), "wall/floor")
	if pb.scaleTo > 0 {
		b.ReportMetric(perPass.Seconds()*float64(pb.scaleTo)/float64(pb.buckets), fmt.Sprintf("wall-s@%d", pb.scaleTo))
	}
}

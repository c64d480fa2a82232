package sync

import (
	"context"
	"fmt"
	gosync "sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultMaxRPS is the request rate per region that the entry points use
// unless told otherwise: a large document must not throttle itself (and
// the account's other S3 Tables callers) on the control-plane API.
const DefaultMaxRPS = 20

// regionLimiters holds one token bucket per region: S3 Tables throttles
// per region, so a document spread over regions may go faster in total. A
// nil *regionLimiters (MaxRPS 0) does not limit.
type regionLimiters struct {
	rps   float64
	clock clock

	mu gosync.Mutex
	m  map[string]*rate.Limiter
}

func newRegionLimiters(rps float64, c clock) *regionLimiters {
	if rps <= 0 {
		return nil
	}
	return &regionLimiters{rps: rps, clock: c, m: map[string]*rate.Limiter{}}
}

// reserve takes a token of region's bucket (created full) at the clock's
// current time, and returns that time and when the request may go. Reading
// the clock and reserving under one lock keeps reservations in time order:
// a reservation dated before the previous one would let x/time/rate hand
// out a token early.
func (l *regionLimiters) reserve(region string) (now time.Time, r *rate.Reservation) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.m[region]
	if !ok {
		// Burst of one second's worth: a pass starts at full speed, then
		// holds the rate.
		lim = rate.NewLimiter(rate.Limit(l.rps), max(1, int(l.rps)))
		l.m[region] = lim
	}
	now = l.clock.Now()
	return now, lim.ReserveN(now, 1) // always OK: burst >= 1
}

// wait blocks until a request to region may be sent, or ctx ends. Like
// rate.Limiter.Wait, it gives up at once when the wait would outlast ctx's
// deadline, so no request is ever scheduled past it.
func (l *regionLimiters) wait(ctx context.Context, region string) error {
	if l == nil {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	now, r := l.reserve(region)
	at := now.Add(r.DelayFrom(now))
	if !at.After(now) {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && at.After(dl) {
		r.CancelAt(now)
		return fmt.Errorf("rate limit of %v requests per second in %s: the next request would wait past the deadline", l.rps, region)
	}
	if err := l.clock.SleepUntil(ctx, at); err != nil {
		r.CancelAt(l.clock.Now())
		return err
	}
	return nil
}

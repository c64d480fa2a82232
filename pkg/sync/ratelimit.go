package sync

import (
	"context"
	gosync "sync"

	"golang.org/x/time/rate"
)

// DefaultMaxRPS is the request rate per region that the entry points use
// unless told otherwise: a large document must not throttle itself (and
// the account's other S3 Tables callers) on the control-plane API.
const DefaultMaxRPS = 20

// regionLimiters holds one token bucket per region. A nil *regionLimiters
// (MaxRPS 0) does not limit.
type regionLimiters struct {
	rps float64

	mu gosync.Mutex
	m  map[string]*rate.Limiter
}

func newRegionLimiters(rps float64) *regionLimiters {
	if rps <= 0 {
		return nil
	}
	return &regionLimiters{rps: rps, m: map[string]*rate.Limiter{}}
}

// wait blocks until a request to region may be sent, or ctx ends.
func (l *regionLimiters) wait(ctx context.Context, region string) error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	lim, ok := l.m[region]
	if !ok {
		// Burst of one second's worth: a pass starts at full speed, then
		// holds the rate.
		lim = rate.NewLimiter(rate.Limit(l.rps), max(1, int(l.rps)))
		l.m[region] = lim
	}
	l.mu.Unlock()
	return lim.Wait(ctx)
}

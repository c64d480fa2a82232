package sync

import (
	"math/rand/v2"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// fullJitter spreads each delay of an exponential schedule uniformly over
// [0, delay] ("full jitter"), so that many buckets throttled at the same
// moment do not come back in step. backoff/v4's RandomizationFactor only
// spreads around the delay; the schedule and its time bound stay backoff's.
type fullJitter struct {
	exp *backoff.ExponentialBackOff
}

// NewFullJitterBackOff returns an exponential backoff (doubling from
// initial up to maxInterval) with full jitter, which stops after maxElapsed.
func NewFullJitterBackOff(initial, maxInterval, maxElapsed time.Duration) backoff.BackOff {
	exp := backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(initial),
		backoff.WithMaxInterval(maxInterval),
		backoff.WithMaxElapsedTime(maxElapsed),
		backoff.WithMultiplier(2),
		backoff.WithRandomizationFactor(0),
	)
	return &fullJitter{exp: exp}
}

// NextBackOff returns a delay in [0, d] for the schedule's next delay d, or
// backoff.Stop.
func (f *fullJitter) NextBackOff() time.Duration {
	d := f.exp.NextBackOff()
	if d == backoff.Stop {
		return backoff.Stop
	}
	return rand.N(d + 1)
}

// Reset restarts the schedule.
func (f *fullJitter) Reset() { f.exp.Reset() }

package sync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"

	"github.com/replsync/replsync/pkg/config"
)

// Defaults of Options.
const (
	DefaultConcurrency       = 8
	DefaultMaxConflictRounds = 5
	DefaultRetryMaxElapsed   = 2 * time.Minute
	DefaultRequestTimeout    = 30 * time.Second
)

// Options configure a Reconciler. Only Clients is required.
type Options struct {
	// Clients gives the S3 Tables client of a region.
	Clients Clients
	// Concurrency bounds the buckets reconciled at once (default 8).
	Concurrency int
	// MaxConflictRounds bounds the read-plan-write rounds of one bucket
	// when writes keep losing races (default 5).
	MaxConflictRounds int
	// NewBackOff returns the schedule for repeating a request after a
	// transient error. Default: exponential with full jitter, 200ms to 10s
	// between tries, giving up after RetryMaxElapsed. Tests use
	// backoff.ZeroBackOff.
	NewBackOff func() backoff.BackOff
	// RetryMaxElapsed bounds the time spent retrying one request (default
	// 2 minutes); the context bounds it too.
	RetryMaxElapsed time.Duration
	// Logger receives the audit log (one line per write with before, after
	// and tokens) and diagnostics. Default: disabled.
	Logger *zerolog.Logger
	// RequestTimeout bounds one request; a request without an answer by
	// then is retried like a transport error (default 30 s).
	RequestTimeout time.Duration
	// MaxRPS bounds the requests per second sent to each region, retries
	// included (0: no limit; the entry points default to DefaultMaxRPS).
	MaxRPS float64
	// OnCall, if set, is called after every S3 Tables request (for metrics).
	// It must be safe for concurrent use.
	OnCall func(CallEvent)

	// clock drives the rate limit and StartBy (tests: a virtual clock).
	clock clock
}

// CallEvent describes one S3 Tables request.
type CallEvent struct {
	Operation string
	Region    string
	Bucket    string
	// ErrorCode is "" on success, the AWS error code, or "transport".
	ErrorCode string
	Duration  time.Duration
}

// RunOptions tune one pass.
type RunOptions struct {
	// DryRun plans without writing: no Put or Delete is ever sent.
	DryRun bool
	// StartBy, if set, is the last moment a bucket may be started; later
	// buckets are reported as not attempted. Work already started goes on
	// under the context (the Lambda uses this to stop before its deadline).
	StartBy time.Time
}

// Reconciler makes table buckets match a document. It is safe for
// concurrent use, but callers should not run two passes over the same
// buckets at once (the version token makes that safe, not efficient).
type Reconciler struct {
	opts   Options
	log    zerolog.Logger
	limits *regionLimiters
}

// New returns a Reconciler, or an error if the options are unusable.
func New(opts Options) (*Reconciler, error) {
	if opts.Clients == nil {
		return nil, errors.New("sync: Options.Clients is required")
	}
	if opts.Concurrency < 0 || opts.MaxConflictRounds < 0 || opts.RetryMaxElapsed < 0 || opts.MaxRPS < 0 || opts.RequestTimeout < 0 {
		return nil, errors.New("sync: Concurrency, MaxConflictRounds, RetryMaxElapsed, RequestTimeout and MaxRPS must not be negative")
	}
	if opts.Concurrency == 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.MaxConflictRounds == 0 {
		opts.MaxConflictRounds = DefaultMaxConflictRounds
	}
	if opts.RequestTimeout == 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if opts.RetryMaxElapsed == 0 {
		opts.RetryMaxElapsed = DefaultRetryMaxElapsed
	}
	if opts.NewBackOff == nil {
		maxElapsed := opts.RetryMaxElapsed
		opts.NewBackOff = func() backoff.BackOff { return NewFullJitterBackOff(200*time.Millisecond, 10*time.Second, maxElapsed) }
	}
	if opts.clock == nil {
		opts.clock = wallClock{}
	}
	if rc, ok := opts.Clients.(*RegionClients); ok {
		rc.keepIdle(opts.Concurrency) // a connection per worker, reused
	}
	r := &Reconciler{opts: opts, log: zerolog.Nop(), limits: newRegionLimiters(opts.MaxRPS, opts.clock)}
	if opts.Logger != nil {
		r.log = *opts.Logger
	}
	return r, nil
}

// Reconcile runs one pass over every bucket of doc. Bucket failures do not
// stop other buckets and are reported in the Report, not as an error; the
// error is for a pass that could not run at all (nil document).
// Buckets the document does not list are never read or written.
func (r *Reconciler) Reconcile(ctx context.Context, doc *config.Document, run RunOptions) (*Report, error) {
	if doc == nil {
		return nil, errors.New("sync: no document")
	}
	start := time.Now()
	rep := &Report{
		DryRun:    run.DryRun,
		Document:  DocumentInfo{Version: doc.Version, Identity: doc.Identity},
		Buckets:   make([]BucketResult, len(doc.Buckets)),
		StartedAt: start.UTC(),
	}
	var g errgroup.Group
	g.SetLimit(r.opts.Concurrency)
	for i, b := range doc.Buckets {
		rep.Buckets[i] = BucketResult{TableBucketARN: b.TableBucketARN, Region: b.Region(), Action: ActionUnknown}
		if reason := r.stopReason(ctx, run); reason != "" {
			rep.Buckets[i].markNotAttempted(reason)
			continue
		}
		g.Go(func() error {
			// A slot may free up after the deadline: check again.
			if reason := r.stopReason(ctx, run); reason != "" {
				rep.Buckets[i].markNotAttempted(reason)
				return nil
			}
			w := &bucketRun{r: r, run: run, desired: b, res: &rep.Buckets[i]}
			w.reconcile(ctx)
			return nil
		})
	}
	_ = g.Wait() // bucket goroutines never return errors
	rep.Summary = summarize(rep.Buckets)
	rep.DurationSeconds = time.Since(start).Seconds()
	return rep, nil
}

// stopReason says why no new bucket may start, or "".
func (r *Reconciler) stopReason(ctx context.Context, run RunOptions) string {
	if err := ctx.Err(); err != nil {
		return err.Error()
	}
	if !run.StartBy.IsZero() && !r.opts.clock.Now().Before(run.StartBy) {
		return "the pass ran out of time to start new buckets"
	}
	return ""
}

func (b *BucketResult) markNotAttempted(reason string) {
	b.NotAttempted = true
	b.Error = fmt.Sprintf("not attempted: %s", reason)
}

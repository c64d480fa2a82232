package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3tables"
	"github.com/cenkalti/backoff/v4"
	"github.com/rs/zerolog"

	"github.com/replsync/replsync/pkg/config"
)

// Operation names, as AWS spells them (for logs and metrics).
const (
	OpGet    = "GetTableBucketReplication"
	OpPut    = "PutTableBucketReplication"
	OpDelete = "DeleteTableBucketReplication"
)

// errDryRun guards the write path: it is never reached in a dry run, and if
// it were, nothing would be sent.
var errDryRun = errors.New("sync: write attempted in a dry run")

// bucketRun reconciles one bucket: the compare-and-swap loop.
type bucketRun struct {
	r       *Reconciler
	run     RunOptions
	desired config.Bucket
	res     *BucketResult
	api     ReplicationAPI
	log     zerolog.Logger
}

// reconcile reads, plans and (unless dry run) writes, re-reading after a
// lost race, at most MaxConflictRounds writes.
func (w *bucketRun) reconcile(ctx context.Context) {
	w.log = w.r.log.With().Str("bucket", w.desired.TableBucketARN).Logger()
	api, err := w.r.opts.Clients.For(w.res.Region)
	if err != nil {
		w.fail(fmt.Errorf("no S3 Tables client for region %q: %w", w.res.Region, err))
		return
	}
	w.api = api
	for round := 1; ; round++ {
		obs, err := w.observe(ctx)
		if err != nil {
			w.fail(err)
			return
		}
		plan := PlanBucket(w.desired, obs)
		w.record(plan)
		if plan.Action == ActionNoop {
			return
		}
		w.log.Info().Str("action", string(plan.Action)).Strs("changes", w.res.Changes).Bool("dryRun", w.run.DryRun).Msg("drift")
		if w.run.DryRun {
			return
		}
		if round > w.r.opts.MaxConflictRounds {
			w.fail(fmt.Errorf("gave up after %d writes lost to concurrent changes", w.r.opts.MaxConflictRounds))
			return
		}
		err = w.write(ctx, plan)
		if err == nil {
			return
		}
		if !lostRace(plan, err) {
			w.fail(err)
			return
		}
		// Someone wrote between our Get and our write. Never resend the
		// token that lost: read again and plan again.
		w.res.Conflicts++
		w.log.Warn().Err(err).Int("round", round).Str("versionToken", plan.VersionToken).Msg("write lost a race; re-reading")
	}
}

// lostRace reports whether a write failed because the bucket changed since
// it was read, so the right move is to read and plan again. A Delete that
// finds nothing to delete lost a race to another deleter; a Put that finds
// no bucket did not (NotFound on Put is terminal).
func lostRace(p Plan, err error) bool {
	switch classify(err) {
	case classConflict:
		return true
	case classNotFound:
		return p.Action == ActionDelete
	}
	return false
}

// record puts the plan into the bucket's result.
func (w *bucketRun) record(p Plan) {
	w.res.Action, w.res.Before, w.res.After = p.Action, p.Before, p.After
	w.res.Changes, w.res.Diff = p.Diff.Lines(), p.Diff
	w.res.VersionToken = p.VersionToken
}

func (w *bucketRun) fail(err error) {
	w.res.Error = err.Error()
	w.log.Error().Err(err).Msg("bucket failed")
}

// observe reads the live configuration. NotFound means none.
func (w *bucketRun) observe(ctx context.Context) (Observed, error) {
	obs := Observed{BucketARN: w.desired.TableBucketARN}
	err := w.call(ctx, OpGet, func(ctx context.Context) error {
		out, err := w.api.GetTableBucketReplication(ctx, &s3tables.GetTableBucketReplicationInput{
			TableBucketARN: aws.String(w.desired.TableBucketARN),
		})
		if err != nil {
			return err
		}
		obs.Config, obs.VersionToken = fromAWS(out.Configuration), aws.ToString(out.VersionToken)
		return nil
	})
	if classify(err) == classNotFound {
		return obs, nil
	}
	return obs, err
}

// write is the only path that changes AWS state. It sends the token the
// plan was made against (none for a create) and logs the audit line.
func (w *bucketRun) write(ctx context.Context, p Plan) error {
	if w.run.DryRun {
		return errDryRun
	}
	var token *string
	if p.VersionToken != "" {
		token = aws.String(p.VersionToken)
	}
	var newToken, status string
	var err error
	switch p.Action {
	case ActionCreate, ActionUpdate:
		err = w.call(ctx, OpPut, func(ctx context.Context) error {
			out, err := w.api.PutTableBucketReplication(ctx, &s3tables.PutTableBucketReplicationInput{
				TableBucketARN: aws.String(p.BucketARN),
				VersionToken:   token,
				Configuration:  p.After.toAWS(),
			})
			if err == nil {
				newToken, status = aws.ToString(out.VersionToken), aws.ToString(out.Status)
			}
			return err
		})
	case ActionDelete:
		err = w.call(ctx, OpDelete, func(ctx context.Context) error {
			_, err := w.api.DeleteTableBucketReplication(ctx, &s3tables.DeleteTableBucketReplicationInput{
				TableBucketARN: aws.String(p.BucketARN),
				VersionToken:   token,
			})
			return err
		})
	default:
		return fmt.Errorf("sync: no write for action %q", p.Action)
	}
	if err != nil {
		if w.res.WriteUnconfirmed {
			return fmt.Errorf("%w; a %s was sent but not answered, so it may have landed (the next pass will read the bucket and tell)", err, writeOp(p.Action))
		}
		return err
	}
	// A success with the token read proves that no earlier try of this
	// write landed: that try would have changed the token.
	w.res.Applied, w.res.WriteUnconfirmed, w.res.VersionToken, w.res.Status = true, false, newToken, status
	// CloudTrail does not record the configuration: this line is the audit.
	w.log.Info().
		Str("action", string(p.Action)).
		RawJSON("before", mustJSON(p.Before)).
		RawJSON("after", mustJSON(p.After)).
		Str("oldVersionToken", p.VersionToken).
		Str("newVersionToken", newToken).
		Str("status", status).
		Msg("replication written")
	return nil
}

// call sends one request through the backoff loop: transient errors are
// retried with backoff; anything else comes back at once.
func (w *bucketRun) call(ctx context.Context, op string, send func(context.Context) error) error {
	var last error
	b := backoff.WithContext(w.r.opts.NewBackOff(), ctx)
	err := backoff.RetryNotify(func() error {
		if err := w.r.limits.wait(ctx, w.res.Region); err != nil {
			return backoff.Permanent(err)
		}
		if err := ctx.Err(); err != nil {
			return backoff.Permanent(err) // stopped: send nothing more
		}
		w.res.Attempts++
		start := time.Now()
		err := w.send(ctx, op, send)
		code := errorCode(err)
		w.r.observeCall(CallEvent{Operation: op, Region: w.res.Region, Bucket: w.desired.TableBucketARN, ErrorCode: code, Duration: time.Since(start)})
		if op != OpGet && unanswered(code) {
			// The request left; whether the service applied it is unknown.
			w.res.WriteUnconfirmed = true
		}
		last = err
		if err != nil && classify(err) != classTransient {
			return backoff.Permanent(err)
		}
		return err
	}, b, func(err error, next time.Duration) {
		w.log.Debug().Err(err).Str("op", op).Dur("retryIn", next).Msg("transient error; retrying")
	})
	if err != nil && last != nil && err != last {
		// The context ended while waiting: say what we were waiting out.
		return fmt.Errorf("%s: %w (last error: %v)", op, err, last)
	}
	return err
}

// unanswered reports whether a request that failed with this error code
// (see errorCode) may have reached the service without its answer
// reaching us.
func unanswered(code string) bool {
	return code == codeTransport || code == codeTimeout || code == codeCanceled || code == codeDeadline
}

// send makes one request, bounded by Options.RequestTimeout: the SDK's
// HTTP client has no overall timeout, and a connection that hangs must not
// stall the bucket (and, through the concurrency bound, the pass).
func (w *bucketRun) send(ctx context.Context, op string, send func(context.Context) error) error {
	rctx, cancel := context.WithTimeout(ctx, w.r.opts.RequestTimeout)
	defer cancel()
	err := send(rctx)
	if err != nil && ctx.Err() == nil && errors.Is(rctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w (%s): %w", op, errRequestTimeout, w.r.opts.RequestTimeout, err)
	}
	return err
}

// writeOp names the request that carries action.
func writeOp(a Action) string {
	if a == ActionDelete {
		return OpDelete
	}
	return OpPut
}

func (r *Reconciler) observeCall(e CallEvent) {
	if r.opts.OnCall != nil {
		r.opts.OnCall(e)
	}
}

// mustJSON renders a configuration for the audit log ("null" for none).
func mustJSON(r *Replication) []byte {
	b, err := json.Marshal(r)
	if err != nil {
		return []byte(strings.ReplaceAll(fmt.Sprintf("%q", err.Error()), "\n", " "))
	}
	return b
}

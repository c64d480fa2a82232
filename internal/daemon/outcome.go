package daemon

import (
	"errors"
	"time"

	"github.com/replsync/replsync/pkg/config"
	replsync "github.com/replsync/replsync/pkg/sync"
)

// Trigger says what started a pass.
type Trigger string

// The triggers of a pass.
const (
	TriggerStart    Trigger = "start"
	TriggerInterval Trigger = "interval"
	TriggerChange   Trigger = "change"
	TriggerSignal   Trigger = "signal"
)

// Result classifies a finished pass (the result label of
// replsync_passes_total).
type Result string

// The results of a pass.
const (
	// ResultSuccess: the document was valid and no bucket failed.
	ResultSuccess Result = "success"
	// ResultFailed: a bucket failed, or the document could not be read.
	ResultFailed Result = "failed"
	// ResultInvalidDocument: the document was read but is not valid;
	// nothing was written.
	ResultInvalidDocument Result = "invalid_document"
)

// Outcome is one finished pass.
type Outcome struct {
	Trigger    Trigger
	Start, End time.Time
	// Report is nil when the pass did not reach the buckets (Err says why).
	Report *replsync.Report
	Err    error
}

// Result classifies the outcome.
func (o Outcome) Result() Result {
	var docErr *config.Error
	switch {
	case errors.As(o.Err, &docErr):
		return ResultInvalidDocument
	case o.Err != nil, o.Report == nil, o.Report.Summary.Failed > 0:
		return ResultFailed
	}
	return ResultSuccess
}

// logOutcome says how a pass ended, and what happens next.
func (r *run) logOutcome(o Outcome) {
	log := r.l.Log
	switch o.Result() {
	case ResultInvalidDocument:
		log.Error().Err(o.Err).Msg("the document is invalid: nothing was written; the next valid version will be applied")
	case ResultFailed:
		if o.Report == nil {
			log.Error().Err(o.Err).Msg("the pass could not run; it is retried at the next trigger")
			return
		}
		failed := o.Report.Failed()
		ev := log.Warn().Int("failed", len(failed))
		if len(failed) > 10 {
			failed = failed[:10]
		}
		ev.Strs("failedBuckets", failed).Msg("pass finished with failed buckets; they are retried at the next trigger")
	}
}

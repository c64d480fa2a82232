package sync

import (
	"time"

	"github.com/replsync/replsync/pkg/config"
)

// Report is the result of one pass: every bucket of the document, in
// document order, with what was found, planned and done. Its JSON form is
// the report of DESIGN.md.
type Report struct {
	DryRun   bool           `json:"dryRun"`
	Document DocumentInfo   `json:"document"`
	Buckets  []BucketResult `json:"buckets"`
	Summary  Summary        `json:"summary"`
	// StartedAt and Duration time the pass.
	StartedAt       time.Time `json:"startedAt"`
	DurationSeconds float64   `json:"durationSeconds"`
}

// DocumentInfo identifies the document a pass worked from.
type DocumentInfo struct {
	// Version is the document's schema version.
	Version int `json:"version"`
	config.Identity
}

// BucketResult is what happened to one bucket.
type BucketResult struct {
	TableBucketARN string `json:"tableBucketARN"`
	Region         string `json:"region"`
	// Action is the plan made from the last read of the bucket (after a
	// conflict the bucket is re-read and re-planned). ActionUnknown when the
	// bucket could not be read.
	Action Action `json:"action"`
	// Applied is true when a write of this pass landed: the service
	// confirmed it.
	Applied bool `json:"applied"`
	// WriteUnconfirmed is true when a write was sent but no answer came
	// back (the pass was stopped, or the connection failed on every try):
	// it may or may not have landed. The next pass reads the bucket and
	// tells. A bucket neither Applied nor WriteUnconfirmed was not changed
	// by this pass.
	WriteUnconfirmed bool `json:"writeUnconfirmed,omitempty"`
	// Before is the live configuration that was read; After the one the plan
	// leads to (in a dry run: would lead to). nil: no configuration.
	Before *Replication `json:"before"`
	After  *Replication `json:"after"`
	// Changes is the readable difference (see Diff.Lines); Diff is the
	// same, structured.
	Changes []string `json:"changes,omitempty"`
	Diff    Diff     `json:"-"`
	// VersionToken is the bucket's token after the pass as far as replsync
	// knows it: the one returned by its write, else the one it read.
	VersionToken string `json:"versionToken"`
	// Status is the status string returned by PutTableBucketReplication.
	Status string `json:"status,omitempty"`
	// Attempts counts the API requests sent for this bucket (reads, writes
	// and their retries).
	Attempts int `json:"attempts"`
	// Conflicts counts the writes that lost a race and led to a re-read.
	Conflicts int `json:"conflicts"`
	// Error says why the bucket failed; empty when it did not.
	Error string `json:"error"`
	// NotAttempted is true when the pass stopped (cancellation, deadline)
	// before this bucket was started: nothing was read or written.
	NotAttempted bool `json:"notAttempted,omitempty"`
}

// Failed reports whether the bucket failed (including not attempted).
func (b BucketResult) Failed() bool { return b.Error != "" }

// Summary counts buckets by outcome. A failed bucket counts as failed only;
// the other counts are by action, so the five add up to the bucket count.
type Summary struct {
	Noop   int `json:"noop"`
	Create int `json:"create"`
	Update int `json:"update"`
	Delete int `json:"delete"`
	Failed int `json:"failed"`
	// NotAttempted is the part of Failed that was never started.
	NotAttempted int `json:"notAttempted"`
}

func summarize(buckets []BucketResult) Summary {
	var s Summary
	for _, b := range buckets {
		switch {
		case b.Failed():
			s.Failed++
			if b.NotAttempted {
				s.NotAttempted++
			}
		case b.Action == ActionCreate:
			s.Create++
		case b.Action == ActionUpdate:
			s.Update++
		case b.Action == ActionDelete:
			s.Delete++
		default:
			s.Noop++
		}
	}
	return s
}

// Failed returns the ARNs of the buckets that failed, in document order.
func (r *Report) Failed() []string {
	var out []string
	for _, b := range r.Buckets {
		if b.Failed() {
			out = append(out, b.TableBucketARN)
		}
	}
	return out
}

// Drift reports whether any bucket that did not fail needed (or, in a dry
// run, needs) a write.
func (r *Report) Drift() bool {
	return r.Summary.Create+r.Summary.Update+r.Summary.Delete > 0
}

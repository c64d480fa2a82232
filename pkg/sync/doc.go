// Package sync reconciles the replication configuration of S3 Tables table
// buckets with a desired-state document.
//
// A pass has three steps, kept apart on purpose:
//
//	observe  GetTableBucketReplication for every bucket the document lists
//	plan     PlanBucket: a pure function of (desired, observed)
//	apply    one write path (Put/Delete with the version token read by the
//	         same pass); dry run is enforced there
//
// Two retry loops stay separate: the compare-and-swap loop re-reads and
// re-plans after a ConflictException (or the "version token is not
// specified" BadRequestException), and never resends a token that lost; the
// backoff loop repeats the same request after throttling, server errors and
// transport errors, with exponential backoff and full jitter, bounded by time
// and by the context. The SDK's own retryer is switched off for the S3 Tables
// client (see NewRegionClients) so attempts never multiply.
//
// The package shadows the standard library's sync; import it as replsync
// where both are needed.
package sync

// Package lambda is the replsync AWS Lambda function: the handler that
// cmd/lambda starts.
//
// One handler takes every trigger the SAM template wires (see Classify):
//
//	S3 ObjectCreated notification      for the document's bucket and key
//	EventBridge "Object Created"       from aws.s3, same rule (existing buckets)
//	EventBridge "Scheduled Event"      drift repair
//	EventBridge "Parameter Store Change" for the document's parameter
//	direct invocation                  {} or {"dryRun": true}
//
// Events are hints: whatever the trigger, a pass reads the current
// document and calls the same App.Pass as the daemon, so duplicate,
// late or reordered events only cause a pass with nothing to do. Events
// about other objects or parameters are logged and ignored.
//
// Every pass logs its report (zerolog JSON on stdout, each line with the
// request id) and writes one CloudWatch Embedded Metric Format line
// (namespace replsync: BucketsInSync, BucketsDrifted, BucketsFailed,
// Writes, Conflicts, DocumentErrors, PassDuration). The invocation fails
// when the document is missing, unreadable or invalid (nothing is written)
// and when any bucket failed (the error names them).
//
// Deadline: the pass stops starting buckets min(30s, a quarter of the time
// left) before the invocation deadline (RunOptions.StartBy; buckets not
// started are reported as failed, not attempted, and the next trigger
// picks them up), and its context ends min(2s, a tenth of the time left)
// before the deadline, so that the report, the metrics and the error still
// go out. See Budget.
//
// Configuration comes from the environment, with the daemon's names:
// REPLSYNC_CONFIG, REPLSYNC_CONCURRENCY, REPLSYNC_MAX_RPS,
// REPLSYNC_LOG_LEVEL.
package lambda

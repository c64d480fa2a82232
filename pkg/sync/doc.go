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
// # Traffic
//
// A pass sends exactly one Get per listed bucket and one write per bucket
// that drifted; more only to retry a failed request or to re-read after a
// lost race. Buckets the document does not list are never read. Every
// request counts in BucketResult.Attempts.
//
// # Retries: which layer does what
//
//	layer         repeats                                  after
//	------------  ---------------------------------------  ---------------------------------------
//	SDK retryer   nothing: switched off by                 -
//	              NewRegionClients (aws.NopRetryer)
//	backoff loop  the same request, after a full-jitter    TooManyRequests, InternalServerError,
//	              exponential delay (200 ms .. 10 s), for  other 5xx, transport errors (resets,
//	              at most RetryMaxElapsed, never past the  timeouts)
//	              context's deadline
//	CAS loop      read, plan, write with the new token,    ConflictException, BadRequest "A version
//	              at most MaxConflictRounds writes         token is not specified", NotFound on a
//	                                                       Delete
//	nobody        -                                        AccessDenied, Forbidden, other
//	                                                       BadRequest, NotFound on a Put: the
//	                                                       bucket fails, the others go on
//
// With the SDK's retryer left on (3 attempts), each try of the backoff loop
// would be up to 3 requests: n retries would cost up to 3(n+1) requests,
// out of the rate limit's sight and uncounted in the report. With it off, n
// retries cost exactly n+1 requests. A token that lost a race is never sent
// again.
//
// # Concurrency, rate and connections
//
// At most Options.Concurrency buckets are in progress at once (each has at
// most one request in flight), whatever their regions. Options.MaxRPS
// bounds the requests per second sent to each region, retries included,
// with a burst of one second's worth; regions have separate limits because
// S3 Tables throttles per region. The region clients of NewRegionClients
// share one HTTP client that keeps an idle connection per worker, so a
// pass reuses its connections (and TLS sessions) instead of dialing.
// With latency L per request, a pass over N buckets that all need a write
// takes about ceil(N/Concurrency) x 2L, or (requests - MaxRPS) / MaxRPS
// seconds in its busiest region when the rate limit binds.
//
// # Stopping
//
// A pass stops starting buckets when its context ends or RunOptions.StartBy
// passes; the buckets not started are reported NotAttempted and get no
// request, and no request is sent once the context has ended. A bucket is
// written in one request, so it is never half-written: it is untouched, or
// at the document (Applied), or, when the context ended while a write was
// in flight, WriteUnconfirmed (the next pass reads it and tells).
//
// The package shadows the standard library's sync; import it as replsync
// where both are needed.
package sync

// Package emulator is an in-process Amazon S3 Tables endpoint for the table
// bucket replication operations (GetTableBucketReplication,
// PutTableBucketReplication, DeleteTableBucketReplication and, as always
// NotFound, GetTableReplication), faithful to the service model in botocore
// (s3tables 2018-05-10): rest-json shapes, constraints, HTTP status codes,
// X-Amzn-Errortype error types and version-token compare-and-swap.
//
// Tests drive it through the real AWS SDK pointed at [Server.Start]'s URL.
// On top of the service semantics it offers what tests need: seeding
// ([Server.SetReplication]), injected faults ([Server.AddFault]), a racing
// writer ([Server.RaceAfterGet]), latency ([WithLatency]), a call log
// ([Server.Calls], [Server.StaleTokenResends]), an in-flight gauge
// ([Server.InFlight], [Server.MaxInFlight]) and a hold that stops callers at
// a known point without sleeping ([Server.HoldAfter], [Server.WaitHeld],
// [Server.Release]).
//
// Requests must carry a SigV4 Authorization header scoped to s3tables; the
// signature is not verified, the region of the scope is logged.
package emulator

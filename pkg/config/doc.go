// Package config reads, decodes, validates and normalizes the replsync
// desired-state document.
//
// A document is YAML or JSON (one schema for both; JSON is read as YAML):
//
//	version: 1                       # required; only 1 is known
//	defaults:
//	  role: <IAM role ARN>           # for present buckets that name none
//	buckets:                         # required; [] means nothing to manage
//	  - tableBucketARN: <table bucket ARN>
//	    role: <IAM role ARN>         # optional
//	    destinations: [<table bucket ARN>, ...]   # 1..5 when present
//	    state: present | absent      # optional, default present
//
// Decoding is strict: unknown fields (with a "did you mean" for likely
// typos), wrong types, duplicate keys, a missing, malformed or unknown
// version, empty documents and streams of several documents are errors
// that name the field path (buckets[2].destinations[0]) and the line. A
// null value counts as an absent optional field (role: ~ is no role); a
// null where a value is required (version, buckets, a list item) is an
// error. Anchors and aliases are resolved, within a budget of nodes
// proportional to the input, so alias bombs fail fast; merge keys (<<) are
// not supported. The input must be UTF-8 (a UTF-8 byte order mark is
// allowed) and at most MaxDocumentSize bytes; exactly MaxDocumentSize is
// accepted.
//
// Validation runs once the document decodes and reports every problem at
// once, before any call to AWS: ARNs must parse, a present bucket needs a
// role and 1..5 destinations, an absent one takes neither, no bucket
// replicates to itself or is listed twice, no destination is repeated, and
// all ARNs share one partition. Problems come in an *Error, sorted by line.
//
// The result of [Parse] is a normalized [Document]: the effective role is
// on every present bucket, destinations are a sorted set, absent buckets
// have no role and no destinations. Parse and Load are safe for concurrent
// use.
//
// Documents come from a [Source] ([NewSource]): a local file
// ([FileSource]), an S3 object ([S3Source], s3://bucket/key, optionally
// ?versionId=) or an SSM parameter ([SSMSource], ssm:/name, ssm:name or a
// parameter ARN, read in the ARN's region). A source returns the bytes
// and an [Identity] (ETag and version ID, parameter version, modification
// time, content hash) that says which version was read; [Load] reads,
// parses and attaches it. S3 and SSM sources also implement
// [ChangeDetector] (a conditional HeadObject on the ETag; the parameter
// version), for cheap polling.
//
// An SSM SecureString is secret: [Load] parses it with [ParseRedacted],
// whose problems give paths, lines and kinds of values but never quote the
// document, and computes no hash of it. Source errors never quote a
// document either; they name the source and wrap [ErrDocumentNotFound] or
// [ErrAccessDenied] where that is the cause, and the SDK's typed error.
package config

// Package config reads, decodes, validates and normalizes the replsync
// desired-state document.
//
// A document is YAML or JSON (one schema for both). Decoding is strict:
// unknown fields, wrong types, duplicate keys and a missing or unknown
// version are errors that name the field path and, where the format gives
// one, the line. Validation reports every problem at once, before any call
// to AWS. The result of [Parse] is a normalized [Document]: the default role
// is applied, destinations are a sorted set.
//
// Documents come from a [Source]: a local file, an S3 object or an SSM
// parameter. A source returns the bytes and an [Identity] (ETag, version,
// modification time, content hash) that says which version was read.
package config

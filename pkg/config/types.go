package config

import (
	"context"
	"time"
)

// MaxDocumentSize is the largest document accepted, in bytes. Larger
// documents are refused before parsing.
const MaxDocumentSize = 1 << 20

// CurrentVersion is the only document schema version known today.
const CurrentVersion = 1

// State says whether a bucket's replication must exist.
type State string

const (
	// StatePresent asks for the bucket's replication to equal the document.
	StatePresent State = "present"
	// StateAbsent asks for the bucket's replication to be removed.
	StateAbsent State = "absent"
)

// Document is a decoded, validated and normalized desired state.
type Document struct {
	// Version is the schema version (always CurrentVersion after Parse).
	Version int
	// Defaults holds values used where a bucket names none.
	Defaults Defaults
	// Buckets lists every bucket replsync manages, in document order.
	Buckets []Bucket
	// Identity says where the document came from and which version of it
	// was read. Parse leaves it empty; Load fills it in.
	Identity Identity
}

// Defaults holds document-wide defaults.
type Defaults struct {
	// Role is the replication role ARN for buckets that name none.
	Role string
}

// Bucket is the desired replication of one source table bucket.
type Bucket struct {
	// TableBucketARN is the source table bucket.
	TableBucketARN string
	// State is StatePresent or StateAbsent.
	State State
	// Role is the effective replication role (the bucket's own, else the
	// default). Empty for absent buckets.
	Role string
	// Destinations are the destination table bucket ARNs, sorted and
	// without duplicates. Empty for absent buckets.
	Destinations []string
	// Line is the line of the bucket's entry in the document (0 if unknown).
	Line int
}

// Region returns the AWS region of the bucket, taken from its ARN.
func (b Bucket) Region() string {
	a, err := ParseTableBucketARN(b.TableBucketARN)
	if err != nil {
		return ""
	}
	return a.Region
}

// Identity says which version of a document was read, from where.
type Identity struct {
	// Source is the canonical location: file:///abs/path, s3://b/k, ssm:/name.
	Source string `json:"source"`
	// SHA256 is the hex SHA-256 of the document bytes.
	SHA256 string `json:"sha256,omitempty"`
	// ETag and VersionID identify an S3 object version.
	ETag      string `json:"etag,omitempty"`
	VersionID string `json:"versionId,omitempty"`
	// ParameterVersion is the SSM parameter version.
	ParameterVersion int64 `json:"parameterVersion,omitempty"`
	// ModTime is the modification time reported by the source, if any.
	ModTime time.Time `json:"modTime,omitzero"`
}

// Snapshot is the raw content of a document as read from a source.
type Snapshot struct {
	// Data is the document, at most MaxDocumentSize bytes.
	Data []byte
	// Identity says which version was read.
	Identity Identity
	// Sensitive is true when Data is secret (an SSM SecureString): Load
	// then never quotes it in an error and computes no hash of it.
	Sensitive bool
}

// Source is a place a document is read from.
type Source interface {
	// String returns the canonical location of the source (no secrets).
	String() string
	// Read returns the current document bytes and their identity. It
	// refuses content larger than MaxDocumentSize without reading it all.
	// Its errors name the source.
	Read(ctx context.Context) (Snapshot, error)
}

// ChangeDetector is implemented by sources that can tell cheaply whether the
// document changed since a given identity (file: size and modification
// time, S3: a conditional request on the ETag, SSM: the parameter version),
// so that a long-running process can poll often without reading the whole
// document each time. A true answer may be a false alarm; Read settles it.
type ChangeDetector interface {
	Changed(ctx context.Context, since Identity) (bool, error)
}

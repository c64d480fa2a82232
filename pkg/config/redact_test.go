package config

import (
	"errors"
	"strings"
	"testing"
)

// secretMarker stands for the text of a SecureString document: a
// redacting parse must not let any part of it through.
const secretMarker = "S3CR3TMARKER"

// TestParseRedactedNeverQuotesTheDocument puts the marker in every place a
// problem could quote from (values of every type, field names, tags,
// anchors, syntax errors) and checks that ParseRedacted's error keeps paths
// and lines but no trace of it, while Parse's error does quote it (so the
// test would notice a redaction that does nothing).
func TestParseRedactedNeverQuotesTheDocument(t *testing.T) {
	const (
		src  = "arn:aws:s3tables:us-east-1:111122223333:bucket/src"
		dst  = "arn:aws:s3tables:us-west-2:111122223333:bucket/dst"
		role = "arn:aws:iam::111122223333:role/R"
		m    = secretMarker
	)
	tests := []struct {
		name     string
		doc      string
		wantPath string // a path the redacted error still names
		noLine   bool   // the YAML library gives no line
	}{
		{"bad table bucket ARN", "version: 1\nbuckets:\n  - tableBucketARN: arn:aws:s3tables:us-east-1:111122223333:bucket/" + m + "\n    role: " + role + "\n    destinations: [" + dst + "]\n", "buckets[0].tableBucketARN", false},
		{"bad role", "version: 1\nbuckets:\n  - tableBucketARN: " + src + "\n    role: arn:aws:iam::111122223333:user/" + m + "\n    destinations: [" + dst + "]\n", "buckets[0].role", false},
		{"bad default role", "version: 1\ndefaults:\n  role: " + m + "\nbuckets: []\n", "defaults.role", false},
		{"bad destination", "version: 1\nbuckets:\n  - tableBucketARN: " + src + "\n    role: " + role + "\n    destinations: [" + m + "]\n", "buckets[0].destinations[0]", false},
		{"bad state", "version: 1\nbuckets:\n  - tableBucketARN: " + src + "\n    state: " + m + "\n", "buckets[0].state", false},
		{"unknown field", "version: 1\n" + m + ": x\nbuckets: []\n", "", false},
		{"unknown field near a known one", "version: 1\nbuckets:\n  - tableBucketARN: " + src + "\n    role" + m + ": " + role + "\n", "buckets[0]", false},
		{"duplicate unknown field", "version: 1\nbuckets: []\n" + m + ": 1\n" + m + ": 2\n", "", false},
		{"string version", "version: \"" + m + "\"\nbuckets: []\n", "version", false},
		{"hex version", "version: 0x1\nbuckets: []\n" + "# " + m + "\n", "version", false},
		{"tagged version", "version: !!int " + m + "\nbuckets: []\n", "version", false},
		{"custom tag", "version: 1\nbuckets: !" + m + " []\n", "buckets", false},
		{"number as role", "version: 1\ndefaults:\n  role: 1" + strings.Repeat("0", 3) + "\nbuckets:\n  - tableBucketARN: " + m + "\n", "defaults.role", false},
		{"list item not a bucket", "version: 1\nbuckets:\n  - " + m + "\n", "buckets[0]", false},
		{"destinations not a list", "version: 1\nbuckets:\n  - tableBucketARN: " + src + "\n    role: " + role + "\n    destinations: " + m + "\n", "buckets[0].destinations", false},
		{"document is a string", m + "\n", "", false},
		{"unknown anchor", "version: 1\nbuckets: *" + m + "\n", "", true},
		{"syntax error", "version: 1\nbuckets: [\"" + m + "\n", "", false},
		{"two partitions", "version: 1\nbuckets:\n  - tableBucketARN: " + src + "\n    role: " + role + "\n    destinations: [arn:aws-" + strings.ToLower(m) + ":s3tables:us-east-1:111122223333:bucket/dst]\n", "buckets[0].destinations[0]", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, plainErr := Parse([]byte(tt.doc))
			_, err := ParseRedacted([]byte(tt.doc))
			if err == nil || plainErr == nil {
				t.Fatalf("want errors from both, got Parse %v, ParseRedacted %v", plainErr, err)
			}
			var perr *Error
			if !errors.As(err, &perr) || !perr.Redacted {
				t.Fatalf("want a redacted *Error, got %#v", err)
			}
			msg := err.Error()
			for _, part := range []string{m, strings.ToLower(m), "CR3T", "MARKER", "marker"} {
				if strings.Contains(msg, part) {
					t.Errorf("redacted error quotes %q:\n%s", part, msg)
				}
			}
			if (!tt.noLine && !strings.Contains(msg, "line ")) || !strings.Contains(msg, tt.wantPath) {
				t.Errorf("redacted error lost the line or path %q:\n%s", tt.wantPath, msg)
			}
			if len(perr.Problems) != len(plainErr.(*Error).Problems) {
				t.Errorf("redaction changed the problems found:\n%s\n%s", msg, plainErr)
			}
		})
	}
}

// TestParseRedactedSameDocument: redaction changes messages only.
func TestParseRedactedSameDocument(t *testing.T) {
	data := []byte("version: 1\ndefaults: {role: arn:aws:iam::111122223333:role/R}\nbuckets:\n  - tableBucketARN: arn:aws:s3tables:us-east-1:111122223333:bucket/aaa\n    destinations: [arn:aws:s3tables:us-west-2:111122223333:bucket/bbb]\n")
	a, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseRedacted(data)
	if err != nil {
		t.Fatal(err)
	}
	if a.Buckets[0].Role != b.Buckets[0].Role || a.Buckets[0].Destinations[0] != b.Buckets[0].Destinations[0] || len(a.Buckets) != len(b.Buckets) {
		t.Errorf("documents differ: %+v vs %+v", a, b)
	}
}

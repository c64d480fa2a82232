package config

import (
	"fmt"
	"strings"
	"testing"
)

// fleetDocument generates a document of n buckets that fits in
// MaxDocumentSize: a default role, a few shared destination lists (aliases,
// as a large fleet would write them), every tenth bucket absent.
func fleetDocument(n int) []byte {
	var b strings.Builder
	b.WriteString("version: 1\ndefaults:\n  role: arn:aws:iam::111122223333:role/S3TablesReplication\nbuckets:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - tableBucketARN: arn:aws:s3tables:us-east-1:111122223333:bucket/t%05d\n", i)
		switch {
		case i < 4:
			fmt.Fprintf(&b, "    destinations: &d%d [arn:aws:s3tables:us-west-2:111122223333:bucket/dr-%d, arn:aws:s3tables:eu-west-1:111122223333:bucket/eu-%d]\n", i, i, i)
		case i%10 == 9:
			b.WriteString("    state: absent\n")
		default:
			fmt.Fprintf(&b, "    destinations: *d%d\n", i%4)
		}
	}
	return []byte(b.String())
}

func TestFleetDocument(t *testing.T) {
	data := fleetDocument(10_000)
	if len(data) > MaxDocumentSize {
		t.Fatalf("generated document is %d bytes, over the limit", len(data))
	}
	doc, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Buckets) != 10_000 || len(doc.Buckets[9_998].Destinations) != 2 || doc.Buckets[9_999].State != StateAbsent {
		t.Errorf("unexpected document: %d buckets, last %+v", len(doc.Buckets), doc.Buckets[9_999])
	}
}

// BenchmarkParse parses a 10 000-bucket document (about 0.9 MiB).
func BenchmarkParse(b *testing.B) {
	data := fleetDocument(10_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

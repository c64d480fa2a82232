package config

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	yaml "go.yaml.in/yaml/v3"
)

// FuzzParse checks that Parse never panics, that every error is an *Error
// with located, sorted problems, that every accepted document holds the
// promises of Document, and that normalization is idempotent: the
// normalized document, written out as YAML or as JSON, parses to itself.
//
// Seeds: testdata/fuzz/FuzzParse (one per error class and valid form) and
// the example documents of testdata.
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"testdata/*.yaml", "testdata/*.json", "testdata/invalid/*.yaml", "testdata/invalid/*.json"} {
		files, _ := filepath.Glob(pattern)
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse(data)
		if err != nil {
			checkError(t, err)
			return
		}
		checkDocument(t, doc)
		for _, enc := range []struct {
			name string
			fn   func(any) ([]byte, error)
		}{{"YAML", yaml.Marshal}, {"JSON", json.Marshal}} {
			out, err := enc.fn(normalForm(doc))
			if err != nil {
				t.Fatalf("encoding as %s: %v", enc.name, err)
			}
			again, err := Parse(out)
			if err != nil {
				t.Fatalf("the normalized document as %s does not parse: %v\n%s", enc.name, err, out)
			}
			if d := cmp.Diff(doc, again, ignoreLines); d != "" {
				t.Fatalf("the normalized document as %s parses differently (-first +again):\n%s\n%s", enc.name, d, out)
			}
		}
	})
}

func checkError(t *testing.T, err error) {
	t.Helper()
	var perr *Error
	if !errors.As(err, &perr) {
		t.Fatalf("error %v is %T, want *config.Error", err, err)
	}
	if len(perr.Problems) == 0 {
		t.Fatalf("*Error without problems")
	}
	for i, p := range perr.Problems {
		if p.Message == "" || p.Line < 0 {
			t.Fatalf("problem %d is empty or has a negative line: %+v", i, p)
		}
		if strings.Contains(p.Message, "internal error") {
			t.Fatalf("a library panicked: %+v", p)
		}
		if i > 0 && p.Line < perr.Problems[i-1].Line {
			t.Fatalf("problems not sorted by line: %v", err)
		}
	}
	_ = err.Error()
}

// checkDocument checks the promises of Document and Bucket.
func checkDocument(t *testing.T, doc *Document) {
	t.Helper()
	if doc.Version != CurrentVersion || doc.Identity != (Identity{}) {
		t.Fatalf("version %d, identity %+v", doc.Version, doc.Identity)
	}
	partitions := map[string]bool{}
	if doc.Defaults.Role != "" {
		r, err := ParseRoleARN(doc.Defaults.Role)
		if err != nil {
			t.Fatalf("default role: %v", err)
		}
		partitions[r.Partition] = true
	}
	seen := map[string]bool{}
	for i, b := range doc.Buckets {
		a, err := ParseTableBucketARN(b.TableBucketARN)
		if err != nil || seen[b.TableBucketARN] || b.Line < 1 {
			t.Fatalf("bucket %d: %+v (%v; listed before: %v)", i, b, err, seen[b.TableBucketARN])
		}
		seen[b.TableBucketARN] = true
		partitions[a.Partition] = true
		switch b.State {
		case StateAbsent:
			if b.Role != "" || b.Destinations != nil {
				t.Fatalf("absent bucket %d has a role or destinations: %+v", i, b)
			}
		case StatePresent:
			r, err := ParseRoleARN(b.Role)
			if err != nil {
				t.Fatalf("bucket %d role: %v", i, err)
			}
			partitions[r.Partition] = true
			n := len(b.Destinations)
			if n < 1 || n > MaxDestinations || !slices.IsSorted(b.Destinations) || len(slices.Compact(slices.Clone(b.Destinations))) != n {
				t.Fatalf("bucket %d destinations are not a sorted set of 1..5: %q", i, b.Destinations)
			}
			for _, d := range b.Destinations {
				da, err := ParseTableBucketARN(d)
				if err != nil || d == b.TableBucketARN {
					t.Fatalf("bucket %d destination %q: %v", i, d, err)
				}
				partitions[da.Partition] = true
			}
		default:
			t.Fatalf("bucket %d state %q", i, b.State)
		}
	}
	if len(partitions) > 1 {
		t.Fatalf("several partitions: %v", partitions)
	}
}

// normalForm is the normalized document in the document schema: the
// effective role and state spelled out on every bucket.
func normalForm(doc *Document) any {
	type defaults struct {
		Role string `yaml:"role" json:"role"`
	}
	type bucket struct {
		TableBucketARN string   `yaml:"tableBucketARN" json:"tableBucketARN"`
		State          State    `yaml:"state" json:"state"`
		Role           string   `yaml:"role,omitempty" json:"role,omitempty"`
		Destinations   []string `yaml:"destinations,omitempty" json:"destinations,omitempty"`
	}
	type document struct {
		Version  int       `yaml:"version" json:"version"`
		Defaults *defaults `yaml:"defaults,omitempty" json:"defaults,omitempty"`
		Buckets  []bucket  `yaml:"buckets" json:"buckets"`
	}
	out := document{Version: doc.Version, Buckets: []bucket{}}
	if doc.Defaults.Role != "" {
		out.Defaults = &defaults{Role: doc.Defaults.Role}
	}
	for _, b := range doc.Buckets {
		out.Buckets = append(out.Buckets, bucket{b.TableBucketARN, b.State, b.Role, b.Destinations})
	}
	return out
}

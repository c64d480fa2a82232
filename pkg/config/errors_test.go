package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// checkProblems parses in and asserts that it fails with exactly the want
// problems: Path and Line equal, Message containing want's Message.
func checkProblems(t *testing.T, in string, want []Problem) {
	t.Helper()
	doc, err := Parse([]byte(in))
	if err == nil {
		t.Fatalf("Parse succeeded, want %d problem(s); document:\n%s\ngot %+v", len(want), in, doc)
	}
	var perr *Error
	if !errors.As(err, &perr) {
		t.Fatalf("error is %T, want *config.Error: %v", err, err)
	}
	if doc != nil {
		t.Errorf("Parse returned a document with an error")
	}
	ok := len(perr.Problems) == len(want)
	for i := 0; ok && i < len(want); i++ {
		g, w := perr.Problems[i], want[i]
		ok = g.Path == w.Path && g.Line == w.Line && strings.Contains(g.Message, w.Message)
	}
	if !ok {
		var b strings.Builder
		for _, w := range want {
			fmt.Fprintf(&b, "\n  line %d: %s: ...%s...", w.Line, w.Path, w.Message)
		}
		t.Errorf("document:\n%s\ngot:\n%v\nwant:%s", in, err, b.String())
	}
}

func TestErrorFormat(t *testing.T) {
	e := &Error{Source: "file:///etc/replsync.yaml", Problems: []Problem{
		{Path: "buckets[1].destinations[0]", Line: 7, Message: "bad"},
		{Line: 9, Message: "no path"},
		{Path: "version", Message: "no line"},
	}}
	want := "invalid document file:///etc/replsync.yaml: 3 problems:\n" +
		"  line 7: buckets[1].destinations[0]: bad\n" +
		"  line 9: no path\n" +
		"  version: no line"
	if got := e.Error(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	one := &Error{Problems: []Problem{{Line: 1, Message: "x"}}}
	if got, want := one.Error(), "invalid document: 1 problem:\n  line 1: x"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestErrorListsAtMost100Problems(t *testing.T) {
	e := &Error{}
	for i := range 250 {
		e.Problems = append(e.Problems, Problem{Line: i + 1, Message: "x"})
	}
	s := e.Error()
	if !strings.HasPrefix(s, "invalid document: 250 problems:\n") || !strings.HasSuffix(s, "\n  line 100: x\n  ... and 150 more") {
		t.Errorf("got %q...%q", s[:40], s[len(s)-40:])
	}
}

func TestErrorTruncated(t *testing.T) {
	e := &Error{Truncated: true}
	for i := range maxProblems {
		e.Problems = append(e.Problems, Problem{Line: i + 1, Message: "x"})
	}
	s := e.Error()
	if !strings.HasPrefix(s, "invalid document: more than 1000 problems:\n") || !strings.HasSuffix(s, "\n  ... and 900 more, then checking stopped") {
		t.Errorf("got %q...%q", s[:50], s[len(s)-50:])
	}
}

// A hopeless document stops being checked after 1000 problems, in bounded
// time and memory, whether decoding or validation finds them.
func TestParseStopsAfter1000Problems(t *testing.T) {
	for name, in := range map[string]string{
		"decoding":   "version: 1\nbuckets:\n" + strings.Repeat("-\n", 400_000),
		"validation": "version: 1\nbuckets:\n- tableBucketARN: x\n  destinations: [" + strings.Repeat("x,", 400_000) + "x]\n",
	} {
		allocs := testing.AllocsPerRun(1, func() {
			_, err := Parse([]byte(in))
			var perr *Error
			if !errors.As(err, &perr) || !perr.Truncated || len(perr.Problems) != maxProblems {
				t.Fatalf("%s: got %v problems, truncated %v", name, len(perr.Problems), perr.Truncated)
			}
		})
		// The YAML nodes cost about 4 allocations each; problems must not
		// add a multiple of that.
		if limit := 5.0 * 400_000; allocs > limit {
			t.Errorf("%s: %v allocations, want at most %v", name, allocs, limit)
		}
	}
}

func TestParseReportsEveryProblemSortedByLine(t *testing.T) {
	in := `version: 1
defaults:
  role: arn:aws:iam::111122223333:user/not-a-role
buckets:
  - tableBucketARN: arn:aws:s3tables:us-east-1:111122223333:bucket/a-1
    destinations:
      - arn:aws:s3tables:us-east-1:111122223333:bucket/a-1
      - arn:aws:s3tables:us-west-2:111122223333:bucket/a-2
      - arn:aws:s3tables:us-west-2:111122223333:bucket/a-2
  - tableBucketARN: arn:aws:s3tables:us-east-1:111122223333:bucket/a-1
    state: absent
    destinations: [arn:aws:s3tables:us-west-2:111122223333:bucket/a-2]
  - tableBucketARN: arn:aws-cn:s3tables:cn-north-1:111122223333:bucket/c-1
    state: gone
`
	checkProblems(t, in, []Problem{
		{Path: "defaults.role", Line: 3, Message: `"arn:aws:iam::111122223333:user/not-a-role" is not an IAM role ARN`},
		{Path: "buckets[0].destinations[0]", Line: 7, Message: "a bucket cannot replicate to itself"},
		{Path: "buckets[0].destinations[2]", Line: 9, Message: "duplicate destination (same as destinations[1] at line 8)"},
		{Path: "buckets[1].tableBucketARN", Line: 10, Message: "bucket listed twice (first as buckets[0] at line 5)"},
		{Path: "buckets[1].destinations", Line: 12, Message: "an absent bucket takes no destinations"},
		{Path: "buckets[2].tableBucketARN", Line: 13, Message: `partition "aws-cn" differs from "aws" (of buckets[0].tableBucketARN at line 5)`},
		{Path: "buckets[2].state", Line: 14, Message: `"gone" is not a state (want present or absent)`},
	})
}

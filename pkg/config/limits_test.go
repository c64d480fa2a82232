package config

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

// padTo pads a valid document with a trailing comment to exactly n bytes.
func padTo(t *testing.T, doc string, n int) []byte {
	t.Helper()
	const prefix = "\n#"
	if len(doc)+len(prefix) > n {
		t.Fatalf("document longer than %d", n)
	}
	return []byte(doc + prefix + strings.Repeat("x", n-len(doc)-len(prefix)))
}

func TestParseSizeLimit(t *testing.T) {
	doc := string(readTestdata(t, "valid.yaml"))
	if _, err := Parse(padTo(t, doc, MaxDocumentSize)); err != nil {
		t.Errorf("a document of exactly MaxDocumentSize bytes: %v", err)
	}
	start := time.Now()
	_, err := Parse(padTo(t, doc, MaxDocumentSize+1))
	checkOneProblem(t, err, Problem{Message: "document is 1048577 bytes, larger than the limit of 1048576 bytes (1 MiB)"})
	// Refused before parsing: a huge input costs nothing.
	_, err = Parse(make([]byte, 64<<20))
	checkOneProblem(t, err, Problem{Message: "document is 67108864 bytes, larger than the limit"})
	if d := time.Since(start); d > time.Second {
		t.Errorf("refusing large documents took %v", d)
	}
}

func checkOneProblem(t *testing.T, err error, want Problem) {
	t.Helper()
	var perr *Error
	if !errors.As(err, &perr) {
		t.Fatalf("got %v (%T), want a *config.Error", err, err)
	}
	if len(perr.Problems) != 1 {
		t.Fatalf("got %d problems, want 1: %v", len(perr.Problems), err)
	}
	got := perr.Problems[0]
	if got.Path != want.Path || got.Line != want.Line || !strings.Contains(got.Message, want.Message) {
		t.Errorf("got problem %+v, want %+v", got, want)
	}
}

func utf16Bytes(s string, bigEndian bool) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		if bigEndian {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return b
}

func TestParseEncodings(t *testing.T) {
	const doc = "version: 1\nbuckets: []\n"
	tests := []struct {
		name string
		in   []byte
		want Problem // zero: accepted
	}{
		{"UTF-8", []byte(doc), Problem{}},
		{"UTF-8 with BOM", append([]byte{0xEF, 0xBB, 0xBF}, doc...), Problem{}},
		{"UTF-8 text in a comment", []byte("# Zürich, 東京 😀\n" + doc), Problem{}},
		{"UTF-16LE with BOM", append([]byte{0xFF, 0xFE}, utf16Bytes(doc, false)...),
			Problem{Message: "document must be UTF-8 (it starts with a UTF-16 byte order mark)"}},
		{"UTF-16BE with BOM", append([]byte{0xFE, 0xFF}, utf16Bytes(doc, true)...),
			Problem{Message: "document must be UTF-8 (it starts with a UTF-16 byte order mark)"}},
		{"UTF-16LE without BOM", utf16Bytes(doc, false),
			Problem{Line: 1, Message: "document must be UTF-8 text (NUL byte at offset 1: UTF-16 or binary data?)"}},
		{"UTF-32LE with BOM", []byte{0xFF, 0xFE, 0, 0, 'v', 0, 0, 0},
			Problem{Message: "document must be UTF-8 (it starts with a UTF-32 byte order mark)"}},
		{"UTF-32BE with BOM", []byte{0, 0, 0xFE, 0xFF, 0, 0, 0, 'v'},
			Problem{Message: "document must be UTF-8 (it starts with a UTF-32 byte order mark)"}},
		{"Latin-1", []byte("version: 1\n# Z\xfcrich\nbuckets: []\n"),
			Problem{Line: 2, Message: "document must be UTF-8 (invalid byte 0xFC at offset 14)"}},
		{"truncated UTF-8 sequence", []byte(doc + "# \xe6\x9d"),
			Problem{Line: 3, Message: "document must be UTF-8 (invalid byte 0xE6"}},
		{"encoded surrogate", []byte(doc + "# \xed\xa0\x80\n"),
			Problem{Line: 3, Message: "document must be UTF-8 (invalid byte 0xED"}},
		{"control character", []byte("version: 1\nbuckets: []\x07\n"),
			Problem{Line: 2, Message: "control character U+0007 is not allowed"}},
		{"DEL", []byte("version: 1\x7f\nbuckets: []\n"),
			Problem{Line: 1, Message: "control character U+007F is not allowed"}},
		{"C1 control", []byte("version: 1 # \u0090\nbuckets: []\n"),
			Problem{Line: 1, Message: "control character U+0090 is not allowed"}},
		{"binary", []byte{0x1f, 0x8b, 0x08, 0x00}, Problem{Line: 1, Message: "control character U+001F"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.in)
			if tt.want == (Problem{}) {
				if err != nil {
					t.Errorf("got %v, want success", err)
				}
				return
			}
			checkOneProblem(t, err, tt.want)
		})
	}
}

// Inputs built to make a parser work hard must fail, quickly.
func TestParseHostileInputsFailFast(t *testing.T) {
	// The classic: each level refers to the one below ten times.
	var laughs strings.Builder
	laughs.WriteString("version: 1\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&laughs, "l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	laughs.WriteString("buckets: *l9\n")

	// Aliases the decoder must follow: every bucket refers to one bucket
	// whose destination list is long. Expands quadratically.
	var wide strings.Builder
	wide.WriteString("version: 1\nbuckets:\n  - &b {tableBucketARN: x, destinations: [")
	wide.WriteString(strings.Repeat("x, ", 3000))
	wide.WriteString("x]}\n")
	for range 3000 {
		wide.WriteString("  - *b\n")
	}

	tests := []struct {
		name string
		in   string
		want Problem
	}{
		{"billion laughs", laughs.String(), Problem{Line: 2, Message: `unknown field "l0"`}},
		{"alias expansion", wide.String(), Problem{Line: 3, Message: fmt.Sprintf("aliases expand the document to more than %d nodes (one per byte of input, plus 10000); refusing it", wide.Len()+10_000)}},
		{"deep flow nesting", "version: 1\nbuckets: " + strings.Repeat("[", 100_000),
			Problem{Line: 2, Message: "YAML syntax: exceeded max depth of 10000"}},
		{"deep block nesting", "version: 1\nbuckets:\n" + strings.Repeat("- ", 100_000) + "x\n",
			Problem{Line: 2, Message: "YAML syntax: exceeded max depth of 10000"}},
		{"deep JSON nesting", "{\"version\": 1, \"buckets\": " + strings.Repeat("{\"a\": ", 100_000),
			Problem{Message: "exceeded max depth of 10000"}},
		{"deep nesting below the limit, in an unknown field", "version: 1\nbuckets: []\nx: " + strings.Repeat("[", 9000) + strings.Repeat("]", 9000) + "\n",
			Problem{Line: 3, Message: `unknown field "x"`}},
		{"deep nesting below the limit, in buckets", "version: 1\nbuckets: " + strings.Repeat("[", 9000) + strings.Repeat("]", 9000) + "\n",
			Problem{Path: "buckets[0]", Line: 2, Message: "want a bucket (a mapping with tableBucketARN, role, destinations, state), got a list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := Parse([]byte(tt.in))
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("got %v, want *Error", err)
			}
			// Only the first problem matters: the point is a clean, fast error.
			got := perr.Problems[0]
			if got.Path != tt.want.Path || got.Line != tt.want.Line || !strings.Contains(got.Message, tt.want.Message) {
				t.Errorf("got first problem %+v, want %+v (of %d)", got, tt.want, len(perr.Problems))
			}
		})
	}
}

func TestJSONAsYAMLKeepsLines(t *testing.T) {
	in := []byte("{\"a\": \"x\\/y\\ud83d\\ude00\\\\/\",\n\"b\": \"\\u00e9\\ud83d\"}\n")
	want := []byte("{\"a\": \"x/y\\U0001F600\\\\/\",\n\"b\": \"\\u00e9\\U0000FFFD\"}\n")
	if got := jsonAsYAML(in); !bytes.Equal(got, want) {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	notJSON := []byte("a: \"x\\/y\"\n")
	if got := jsonAsYAML(notJSON); !bytes.Equal(got, notJSON) {
		t.Errorf("YAML was rewritten: %s", got)
	}
}

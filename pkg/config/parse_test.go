package config

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const (
	roleA   = "arn:aws:iam::111122223333:role/S3TablesReplication"
	roleB   = "arn:aws:iam::111122223333:role/LogsReplication"
	srcA    = "arn:aws:s3tables:us-east-1:111122223333:bucket/analytics"
	srcB    = "arn:aws:s3tables:us-east-1:111122223333:bucket/logs"
	srcC    = "arn:aws:s3tables:us-east-1:111122223333:bucket/retired"
	dstA1   = "arn:aws:s3tables:us-west-2:111122223333:bucket/analytics-dr"
	dstA2   = "arn:aws:s3tables:eu-west-1:444455556666:bucket/analytics-eu"
	dstB1   = "arn:aws:s3tables:us-east-2:111122223333:bucket/logs-copy"
	dstPfx  = "arn:aws:s3tables:us-west-2:111122223333:bucket/dst-"
	ignLine = "Line"
)

// designDoc is the example document of DESIGN.md, normalized.
func designDoc() *Document {
	return &Document{
		Version:  1,
		Defaults: Defaults{Role: roleA},
		Buckets: []Bucket{
			{TableBucketARN: srcA, State: StatePresent, Role: roleA, Destinations: []string{dstA2, dstA1}, Line: 6},
			{TableBucketARN: srcB, State: StatePresent, Role: roleB, Destinations: []string{dstB1}, Line: 10},
			{TableBucketARN: srcC, State: StateAbsent, Line: 13},
		},
	}
}

// ignoreLines compares documents written with different layouts.
var ignoreLines = cmpopts.IgnoreFields(Bucket{}, ignLine)

func mustParse(t *testing.T, data string) *Document {
	t.Helper()
	doc, err := Parse([]byte(data))
	if err != nil {
		t.Fatalf("Parse:\n%s\nerror: %v", data, err)
	}
	return doc
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseDesignExample(t *testing.T) {
	want := designDoc()
	yamlDoc, err := Parse(readTestdata(t, "valid.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, yamlDoc); d != "" {
		t.Errorf("valid.yaml (-want +got):\n%s", d)
	}
	jsonDoc, err := Parse(readTestdata(t, "valid.json"))
	if err != nil {
		t.Fatal(err)
	}
	want.Buckets[0].Line, want.Buckets[1].Line, want.Buckets[2].Line = 7, 14, 19
	if d := cmp.Diff(want, jsonDoc); d != "" {
		t.Errorf("valid.json (-want +got):\n%s", d)
	}
}

// Every accepted way of writing a document, each paired with the document
// it means. Lines are checked where the case is about layout.
func TestParseValidForms(t *testing.T) {
	one := func(b ...Bucket) *Document {
		if b == nil {
			b = []Bucket{}
		}
		return &Document{Version: 1, Buckets: b}
	}
	present := func(src, role string, dst ...string) Bucket {
		return Bucket{TableBucketARN: src, State: StatePresent, Role: role, Destinations: dst}
	}
	withDefault := func(d *Document, role string) *Document { d.Defaults.Role = role; return d }

	tests := []struct {
		name string
		in   string
		want *Document
	}{
		{"empty bucket list", "version: 1\nbuckets: []\n", one()},
		{"empty bucket list, JSON", `{"version": 1, "buckets": []}`, one()},
		{"null defaults", "version: 1\ndefaults:\nbuckets: []\n", one()},
		{"null default role", "version: 1\ndefaults: {role: ~}\nbuckets: []\n", one()},
		{"unused default role", "version: 1\ndefaults: {role: " + roleA + "}\nbuckets: []\n", withDefault(one(), roleA)},
		{
			"own role, destinations sorted",
			"version: 1\nbuckets:\n- tableBucketARN: " + srcA + "\n  role: " + roleB + "\n  destinations: [" + dstA1 + ", " + dstA2 + "]\n",
			one(present(srcA, roleB, dstA2, dstA1)),
		},
		{
			"own role wins over default",
			"version: 1\ndefaults:\n  role: " + roleA + "\nbuckets:\n- tableBucketARN: " + srcA + "\n  role: " + roleB + "\n  destinations: [" + dstA1 + "]\n",
			withDefault(one(present(srcA, roleB, dstA1)), roleA),
		},
		{
			"null role takes the default",
			"version: 1\ndefaults:\n  role: " + roleA + "\nbuckets:\n- tableBucketARN: " + srcA + "\n  role: null\n  destinations: [" + dstA1 + "]\n",
			withDefault(one(present(srcA, roleA, dstA1)), roleA),
		},
		{
			"explicit present state, quoted values, explicit str tag",
			"version: 1\nbuckets:\n- tableBucketARN: '" + srcA + "'\n  state: \"present\"\n  role: !!str " + roleB + "\n  destinations:\n  - \"" + dstA1 + "\"\n",
			one(present(srcA, roleB, dstA1)),
		},
		{
			"absent with null and empty fields",
			"version: 1\nbuckets:\n- {tableBucketARN: " + srcA + ", state: absent, destinations: [], role: ~}\n- {tableBucketARN: " + srcB + ", state: absent, destinations: null}\n",
			one(Bucket{TableBucketARN: srcA, State: StateAbsent}, Bucket{TableBucketARN: srcB, State: StateAbsent}),
		},
		{
			"five destinations",
			"version: 1\nbuckets:\n- tableBucketARN: " + srcA + "\n  role: " + roleA + "\n  destinations: [" + dstPfx + "5, " + dstPfx + "4, " + dstPfx + "3, " + dstPfx + "2, " + dstPfx + "1]\n",
			one(present(srcA, roleA, dstPfx+"1", dstPfx+"2", dstPfx+"3", dstPfx+"4", dstPfx+"5")),
		},
		{
			"aliases for a role and a destination list",
			"version: 1\nbuckets:\n- tableBucketARN: " + srcA + "\n  role: &r " + roleB + "\n  destinations: &d [" + dstA1 + "]\n" +
				"- tableBucketARN: " + srcB + "\n  role: *r\n  destinations: *d\n",
			one(present(srcA, roleB, dstA1), present(srcB, roleB, dstA1)),
		},
		{
			"document markers and comments",
			"%YAML 1.1\n---\n# comment\nversion: 1 # one\nbuckets: [] # none\n...\n",
			one(),
		},
		{
			"CRLF line endings",
			"version: 1\r\nbuckets:\r\n- tableBucketARN: " + srcA + "\r\n  role: " + roleA + "\r\n  destinations: [" + dstA1 + "]\r\n",
			one(present(srcA, roleA, dstA1)),
		},
		{
			"UTF-8 byte order mark",
			"\uFEFFversion: 1\nbuckets: []\n",
			one(),
		},
		{
			"compact JSON with escapes",
			`{"version":1,"buckets":[{"tableBucketARN":"arn:aws:s3tables:us-east-1:111122223333:bucket\/analytics",` +
				`"role":"arn:aws:iam::111122223333:role\u002fLogsReplication","destinations":["` + dstA1 + `"]}]}`,
			one(present(srcA, roleB, dstA1)),
		},
		{
			"JSON with escaped keys",
			`{"ver\u0073ion":1,"buckets":[],"defaults":{"r\u006fle":"` + roleA + `"}}`,
			withDefault(one(), roleA),
		},
		{
			"other partitions",
			"version: 1\nbuckets:\n- tableBucketARN: arn:aws-us-gov:s3tables:us-gov-west-1:111122223333:bucket/gov-a\n" +
				"  role: arn:aws-us-gov:iam::111122223333:role/service-role/replication\n" +
				"  destinations: [arn:aws-us-gov:s3tables:us-gov-east-1:111122223333:bucket/gov-b]\n",
			one(present("arn:aws-us-gov:s3tables:us-gov-west-1:111122223333:bucket/gov-a",
				"arn:aws-us-gov:iam::111122223333:role/service-role/replication",
				"arn:aws-us-gov:s3tables:us-gov-east-1:111122223333:bucket/gov-b")),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustParse(t, tt.in)
			if d := cmp.Diff(tt.want, got, ignoreLines); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestParseBucketLines(t *testing.T) {
	doc := mustParse(t, "version: 1\n\nbuckets:\n  # first\n  - tableBucketARN: "+srcA+"\n    state: absent\n  -\n    state: absent\n    tableBucketARN: "+srcB+"\n  - {tableBucketARN: "+srcC+", state: absent}\n")
	var lines []int
	for _, b := range doc.Buckets {
		lines = append(lines, b.Line)
	}
	if d := cmp.Diff([]int{5, 8, 10}, lines); d != "" {
		t.Errorf("bucket lines (-want +got):\n%s", d)
	}
}

// The same document as YAML in block style, YAML in flow style, JSON with
// tabs and compact JSON decodes to the same Document.
func TestParseYAMLAndJSONAgree(t *testing.T) {
	forms := map[string]string{
		"yaml": string(readTestdata(t, "valid.yaml")),
		"json": string(readTestdata(t, "valid.json")),
		"flow": "{version: 1, defaults: {role: " + roleA + "}, buckets: [" +
			"{tableBucketARN: " + srcA + ", destinations: [" + dstA1 + ", " + dstA2 + "]}, " +
			"{tableBucketARN: " + srcB + ", role: " + roleB + ", destinations: [" + dstB1 + "]}, " +
			"{tableBucketARN: " + srcC + ", state: absent}]}",
		"compact-json": strings.Join(strings.Fields(string(readTestdata(t, "valid.json"))), ""),
	}
	want := designDoc()
	for name, in := range forms {
		got := mustParse(t, in)
		if d := cmp.Diff(want, got, ignoreLines); d != "" {
			t.Errorf("%s (-want +got):\n%s", name, d)
		}
	}
}

func TestParseDoesNotShareBackingArrays(t *testing.T) {
	// Two buckets whose destinations come from one alias must not share a
	// slice: a caller may modify one.
	doc := mustParse(t, "version: 1\ndefaults: {role: "+roleA+"}\nbuckets:\n- {tableBucketARN: "+srcA+", destinations: &d ["+dstA1+"]}\n- {tableBucketARN: "+srcB+", destinations: *d}\n")
	doc.Buckets[0].Destinations[0] = "changed"
	if doc.Buckets[1].Destinations[0] != dstA1 {
		t.Errorf("destinations share storage")
	}
}

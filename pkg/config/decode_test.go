package config

import (
	"fmt"
	"strings"
	"testing"
)

// manyKeys returns n unknown fields k0..k(n-1), one per line.
func manyKeys(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "k%d: x\n", i)
	}
	return b.String()
}

// unknownKeys are the problems of manyKeys(n) after two lines.
func unknownKeys(n int) []Problem {
	var ps []Problem
	for i := range n {
		ps = append(ps, Problem{"", i + 3, fmt.Sprintf("unknown field \"k%d\"", i)})
	}
	return ps
}

// bucketYAML is a valid bucket entry of a block list, 3 lines long.
const bucketYAML = "  - tableBucketARN: " + srcA + "\n    role: " + roleA + "\n    destinations: [" + dstA1 + "]\n"

// Decoding problems: each names the field path and the line.
func TestParseDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Problem
	}{
		// Fields.
		{"unknown bucket field, case typo", "version: 1\nbuckets:\n  - tableBucketArn: " + srcA + "\n",
			[]Problem{{"buckets[0]", 3, `unknown field "tableBucketArn" (did you mean "tableBucketARN"?)`}}},
		{"unknown bucket field, spelling typo", "version: 1\nbuckets:\n" + bucketYAML + "    destiantions: []\n",
			[]Problem{{"buckets[0]", 6, `unknown field "destiantions" (did you mean "destinations"?)`}}},
		{"unknown bucket field, truncated name", "version: 1\nbuckets:\n" + bucketYAML + "    arn: x\n",
			[]Problem{{"buckets[0]", 6, `unknown field "arn" (did you mean "tableBucketARN"?)`}}},
		{"unknown field, no suggestion", "version: 1\nbuckets: []\ncolour: blue\n",
			[]Problem{{"", 3, `unknown field "colour"`}}},
		{"unknown top-level field, misplaced role", "version: 1\nrole: " + roleA + "\nbuckets: []\n",
			[]Problem{{"", 2, `unknown field "role" (did you mean defaults.role?`}}},
		{"unknown defaults field", "version: 1\ndefaults:\n  roles: x\nbuckets: []\n",
			[]Problem{{"defaults", 3, `unknown field "roles" (did you mean "role"?)`}}},
		{"unknown field in JSON", `{"version": 1,` + "\n" + `"bucket": []}`,
			[]Problem{{"", 2, `unknown field "bucket" (did you mean "buckets"?)`}}},
		{"merge key", "version: 1\nbuckets:\n  - <<: {state: absent}\n    tableBucketARN: " + srcA + "\n",
			[]Problem{{"buckets[0]", 3, `unknown field "<<" (merge keys are not supported`}}},
		{"non-string key", "version: 1\nbuckets: []\n? [a, b]\n: c\n",
			[]Problem{{"", 3, "field names must be strings, not a list"}}},
		{"binary key", "version: 1\nbuckets: []\n!!binary dmVyc2lvbg==: 1\n",
			[]Problem{{"", 3, `unknown field "dmVyc2lvbg=="`}}},
		{"known name as a non-string key", "!!int version: 1\nbuckets: []\n",
			[]Problem{
				{"", 1, `field names must be strings, not the value "version" tagged !!int`},
				{"", 1, `missing required field "version"`},
			}},

		// Duplicate keys: both lines.
		{"duplicate top-level key", "version: 1\nbuckets: []\nversion: 1\n",
			[]Problem{{"", 3, `duplicate field "version" (first at line 1)`}}},
		{"duplicate bucket key", "version: 1\nbuckets:\n" + bucketYAML + "    role: " + roleB + "\n",
			[]Problem{{"buckets[0]", 6, `duplicate field "role" (first at line 4)`}}},
		{"duplicate key in a large mapping", "version: 1\nbuckets: []\n" + manyKeys(20) + "k7: again\n",
			append(unknownKeys(20), Problem{"", 23, `duplicate field "k7" (first at line 10)`})},
		{"duplicate key in JSON", "{\"version\": 1,\n\"buckets\": [],\n\"buckets\": []}",
			[]Problem{{"", 3, `duplicate field "buckets" (first at line 2)`}}},

		// Types.
		{"string for a list", "version: 1\nbuckets:\n  - tableBucketARN: " + srcA + "\n    destinations: " + dstA1 + "\n",
			[]Problem{{"buckets[0].destinations", 4, `want a list of table bucket ARNs, got "` + dstA1 + `"`}}},
		{"number as a role", "version: 1\nbuckets:\n  - tableBucketARN: " + srcA + "\n    role: 111122223333\n",
			[]Problem{{"buckets[0].role", 4, "want an IAM role ARN, got the number 111122223333"}}},
		{"list as a default role", "version: 1\ndefaults:\n  role: [" + roleA + "]\nbuckets: []\n",
			[]Problem{{"defaults.role", 3, "want an IAM role ARN, got a list"}}},
		{"boolean as a state", "version: 1\nbuckets:\n  - tableBucketARN: " + srcA + "\n    state: true\n",
			[]Problem{{"buckets[0].state", 4, "want present or absent, got the boolean true"}}},
		{"mapping as a destination", "version: 1\nbuckets:\n  - tableBucketARN: " + srcA + "\n    destinations:\n      - {arn: x}\n",
			[]Problem{{"buckets[0].destinations[0]", 5, "want a table bucket ARN, got a mapping"}}},
		{"list as defaults", "version: 1\ndefaults: []\nbuckets: []\n",
			[]Problem{{"defaults", 2, "want a mapping with role, got a list"}}},
		{"mapping as buckets", "version: 1\nbuckets: {a: 1}\n",
			[]Problem{{"buckets", 2, "want a list of buckets (use [] for none), got a mapping"}}},
		{"string as a bucket", "version: 1\nbuckets:\n  - " + srcA + "\n",
			[]Problem{{"buckets[0]", 3, `want a bucket (a mapping with tableBucketARN, role, destinations, state), got "` + srcA + `"`}}},
		{"tagged list", "version: 1\nbuckets:\n  - tableBucketARN: " + srcA + "\n    destinations: !!set {" + dstA1 + "}\n",
			[]Problem{{"buckets[0].destinations", 4, "want a list of table bucket ARNs, got a mapping tagged !!set"}}},
		{"string tag on a list", "version: 1\nbuckets: !!str []\n",
			[]Problem{{"buckets", 2, "want a list of buckets (use [] for none), got a list tagged !!str"}}},
		{"custom tag", "version: 1\nbuckets:\n  - tableBucketARN: !arn " + srcA + "\n",
			[]Problem{{"buckets[0].tableBucketARN", 3, `want a table bucket ARN, got the value "` + srcA + `" tagged !arn`}}},
		{"timestamp as an ARN", "version: 1\nbuckets:\n  - tableBucketARN: 2001-12-14\n",
			[]Problem{{"buckets[0].tableBucketARN", 3, "got the timestamp 2001-12-14"}}},
		{"JSON number for a state", "{\"version\": 1, \"buckets\": [\n{\"tableBucketARN\": \"" + srcA + "\",\n\"state\": 0}]}",
			[]Problem{{"buckets[0].state", 3, "want present or absent, got the number 0"}}},
		{"several type errors together", "version: 1\ndefaults: {role: 1}\nbuckets:\n  - tableBucketARN: 2\n    destinations: [3, " + dstA1 + ", [x]]\n",
			[]Problem{
				{"defaults.role", 2, "got the number 1"},
				{"buckets[0].tableBucketARN", 4, "got the number 2"},
				{"buckets[0].destinations[0]", 5, "got the number 3"},
				{"buckets[0].destinations[2]", 5, "got a list"},
			}},

		// Nulls where a value is required.
		{"null buckets", "version: 1\nbuckets:\n",
			[]Problem{{"buckets", 2, "want a list of buckets (use [] for none), got null"}}},
		{"null bucket", "version: 1\nbuckets:\n  -\n",
			[]Problem{{"buckets[0]", 3, "got null"}}},
		{"null destination", "version: 1\nbuckets:\n  - tableBucketARN: " + srcA + "\n    destinations: [~]\n",
			[]Problem{{"buckets[0].destinations[0]", 4, "want a table bucket ARN, got null"}}},
		{"null version", "version:\nbuckets: []\n",
			[]Problem{{"version", 1, "want the integer 1, got null"}}},
		{"JSON null version", "{\"version\": null, \"buckets\": []}",
			[]Problem{{"version", 1, "want the integer 1, got null"}}},

		// Version.
		{"missing version", "buckets: []\n",
			[]Problem{{"", 1, `missing required field "version"`}}},
		{"missing version, typo reported too", "Version: 1\nbuckets: []\n",
			[]Problem{
				{"", 1, `unknown field "Version" (did you mean "version"?)`},
				{"", 1, `missing required field "version"`},
			}},
		{"unknown version, reported alone", "version: 2\nbuckets: []\nsources: []\n",
			[]Problem{{"version", 1, "unknown version 2 (this replsync reads version 1 only)"}}},
		{"version 0", "version: 0\nbuckets: []\n",
			[]Problem{{"version", 1, "unknown version 0"}}},
		{"float version", "version: 1.0\nbuckets: []\n",
			[]Problem{{"version", 1, "want the integer 1, got the number 1.0"}}},
		{"bool version", "version: true\nbuckets: []\n",
			[]Problem{{"version", 1, "want the integer 1, got the boolean true"}}},
		{"string version", "version: \"1\"\nbuckets: []\n",
			[]Problem{{"version", 1, `want the integer 1, got "1"`}}},
		{"hex version", "version: 0x1\nbuckets: []\n",
			[]Problem{{"version", 1, "want the integer 1 written in decimal, got 0x1"}}},
		{"huge version", "version: 99999999999999999999\nbuckets: []\n",
			[]Problem{{"version", 1, "want the integer 1, got the number 99999999999999999999"}}},

		// The stream.
		{"empty document", "", []Problem{{"", 0, "document is empty"}}},
		{"only comments", "# nothing here\n\n", []Problem{{"", 0, "document is empty"}}},
		{"only a document marker", "---\n", []Problem{{"", 2, "document is empty"}}},
		{"explicit null document", "null\n", []Problem{{"", 1, "document is empty"}}},
		{"list document", "- version: 1\n", []Problem{{"", 1, "document must be a mapping with version, defaults and buckets, not a list"}}},
		{"scalar document", "hello\n", []Problem{{"", 1, `document must be a mapping with version, defaults and buckets, not "hello"`}}},
		{"two documents", "version: 1\nbuckets: []\n---\nversion: 1\nbuckets: []\n",
			[]Problem{{"", 3, "a second YAML document starts here; a stream must hold exactly one"}}},
		{"two JSON documents", "{\"version\": 1, \"buckets\": []}\n---\n{}\n",
			[]Problem{{"", 2, "a second YAML document starts here"}}},
		{"syntax error", "version: 1\nbuckets: [\n",
			[]Problem{{"", 2, "YAML syntax: did not find expected node content"}}},
		{"syntax error in a second document", "version: 1\nbuckets: []\n---\n[\n",
			[]Problem{{"", 4, "YAML syntax: did not find expected node content"}}},
		// The YAML library gives the line where the enclosing construct
		// starts, not always the offending one.
		{"bad indentation", "version: 1\nbuckets:\n  - tableBucketARN: x\n   role: y\n",
			[]Problem{{"", 2, "YAML syntax: did not find expected '-' indicator"}}},
		{"tab indentation in YAML", "version: 1\nbuckets:\n\t- x\n",
			[]Problem{{"", 3, "YAML syntax: found character that cannot start any token"}}},
		{"unknown alias", "version: 1\nbuckets: *nothing\n",
			[]Problem{{"", 0, "YAML syntax: unknown anchor 'nothing' referenced"}}},
		{"JSON trailing garbage", "{\"version\": 1, \"buckets\": []} x\n",
			[]Problem{{"", 0, "YAML syntax: did not find expected <document start>"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkProblems(t, tt.in, tt.want) })
	}
}

package config

import (
	"strings"
	"testing"
)

// Validation problems, one rule per row. Every document here decodes.
func TestParseValidationErrors(t *testing.T) {
	const (
		head    = "version: 1\nbuckets:\n" // bucket entries start at line 3
		cnDst   = "arn:aws-cn:s3tables:cn-north-1:111122223333:bucket/cn-copy"
		cnRole  = "arn:aws-cn:iam::111122223333:role/replication"
		tooMany = "[" + dstPfx + "1, " + dstPfx + "2, " + dstPfx + "3, " + dstPfx + "4, " + dstPfx + "5, " + dstPfx + "6]"
	)
	tests := []struct {
		name string
		in   string
		want []Problem
	}{
		{"missing buckets", "version: 1\ndefaults: {role: " + roleA + "}\n",
			[]Problem{{"", 1, `missing required field "buckets" (use buckets: [] for none)`}}},
		{"missing tableBucketARN", head + "  - role: " + roleA + "\n    destinations: [" + dstA1 + "]\n",
			[]Problem{{"buckets[0]", 3, `missing required field "tableBucketARN"`}}},
		{"bad bucket ARN", head + "  - tableBucketARN: arn:aws:s3:::my-bucket\n    state: absent\n",
			[]Problem{{"buckets[0].tableBucketARN", 3, `"arn:aws:s3:::my-bucket" is not a table bucket ARN (want arn:<partition>:s3tables:<region>:<12-digit account>:bucket/<name>)`}}},
		{"empty bucket ARN", head + "  - tableBucketARN: ''\n    state: absent\n",
			[]Problem{{"buckets[0].tableBucketARN", 3, `"" is not a table bucket ARN`}}},
		{"bad destination ARN", head + "  - tableBucketARN: " + srcA + "\n    role: " + roleA + "\n    destinations:\n      - " + dstA1 + "\n      - arn:aws:s3tables:us-west-2:1111:bucket/short-account\n",
			[]Problem{{"buckets[0].destinations[1]", 7, `"arn:aws:s3tables:us-west-2:1111:bucket/short-account" is not a table bucket ARN`}}},
		{"bad role", head + "  - tableBucketARN: " + srcA + "\n    role: S3TablesReplication\n    destinations: [" + dstA1 + "]\n",
			[]Problem{{"buckets[0].role", 4, `"S3TablesReplication" is not an IAM role ARN`}}},
		{"bad default role, used", "version: 1\ndefaults:\n  role: arn:aws:iam::111122223333:policy/p\nbuckets:\n  - tableBucketARN: " + srcA + "\n    destinations: [" + dstA1 + "]\n",
			[]Problem{{"defaults.role", 3, `"arn:aws:iam::111122223333:policy/p" is not an IAM role ARN`}}},
		{"bad default role, unused", "version: 1\ndefaults: {role: x}\nbuckets: []\n",
			[]Problem{{"defaults.role", 2, `"x" is not an IAM role ARN`}}},
		{"present bucket without a role", head + "  - tableBucketARN: " + srcA + "\n    destinations: [" + dstA1 + "]\n",
			[]Problem{{"buckets[0]", 3, "a present bucket needs a role: set role here or defaults.role"}}},
		{"present bucket without destinations", head + "  - tableBucketARN: " + srcA + "\n    role: " + roleA + "\n",
			[]Problem{{"buckets[0]", 3, "a present bucket needs 1 to 5 destinations; it has none"}}},
		{"explicitly present bucket with null destinations", head + "  - tableBucketARN: " + srcA + "\n    state: present\n    role: " + roleA + "\n    destinations:\n",
			[]Problem{{"buckets[0]", 3, "a present bucket needs 1 to 5 destinations; it has none"}}},
		{"present bucket with an empty list", head + "  - tableBucketARN: " + srcA + "\n    role: " + roleA + "\n    destinations: []\n",
			[]Problem{{"buckets[0].destinations", 5, "a present bucket needs 1 to 5 destinations; the list is empty"}}},
		{"six destinations", head + "  - tableBucketARN: " + srcA + "\n    role: " + roleA + "\n    destinations: " + tooMany + "\n",
			[]Problem{{"buckets[0].destinations", 5, "6 destinations; at most 5 are allowed"}}},
		{"absent bucket with destinations", head + "  - tableBucketARN: " + srcA + "\n    state: absent\n    destinations:\n      - " + dstA1 + "\n",
			[]Problem{{"buckets[0].destinations", 5, "an absent bucket takes no destinations (its replication is removed)"}}},
		{"absent bucket with a role", head + "  - tableBucketARN: " + srcA + "\n    state: absent\n    role: " + roleA + "\n",
			[]Problem{{"buckets[0].role", 5, "an absent bucket takes no role (its replication is removed)"}}},
		{"unknown state", head + "  - tableBucketARN: " + srcA + "\n    state: Absent\n",
			[]Problem{{"buckets[0].state", 4, `"Absent" is not a state (want present or absent)`}}},
		{"replicating to itself", head + "  - tableBucketARN: " + srcA + "\n    role: " + roleA + "\n    destinations: [" + srcA + "]\n",
			[]Problem{{"buckets[0].destinations[0]", 5, "a bucket cannot replicate to itself"}}},
		{"duplicate destination", head + "  - tableBucketARN: " + srcA + "\n    role: " + roleA + "\n    destinations:\n      - " + dstA1 + "\n      - " + dstA2 + "\n      - " + dstA1 + "\n",
			[]Problem{{"buckets[0].destinations[2]", 8, "duplicate destination (same as destinations[0] at line 6)"}}},
		{"bucket listed twice", head + "  - {tableBucketARN: " + srcA + ", state: absent}\n  - {tableBucketARN: " + srcB + ", state: absent}\n  - {tableBucketARN: " + srcA + ", state: absent}\n",
			[]Problem{{"buckets[2].tableBucketARN", 5, "bucket listed twice (first as buckets[0] at line 3)"}}},
		{"two partitions, destination", head + "  - tableBucketARN: " + srcA + "\n    role: " + roleA + "\n    destinations: [" + cnDst + "]\n",
			[]Problem{{"buckets[0].destinations[0]", 5, `partition "aws-cn" differs from "aws" (of buckets[0].tableBucketARN at line 3); a document covers one partition`}}},
		{"two partitions, role", "version: 1\ndefaults: {role: " + cnRole + "}\nbuckets:\n  - {tableBucketARN: " + srcA + ", state: absent}\n",
			[]Problem{{"buckets[0].tableBucketARN", 4, `partition "aws" differs from "aws-cn" (of defaults.role at line 2)`}}},
		{"a long invalid value is shortened", head + "  - tableBucketARN: " + strings.Repeat("x", 500) + "\n    state: absent\n",
			[]Problem{{"buckets[0].tableBucketARN", 3, `"` + strings.Repeat("x", 77) + `..." is not a table bucket ARN`}}},
		{"JSON surrogate pair in a value", "{\"version\": 1, \"buckets\": [{\"tableBucketARN\": \"\\ud83d\\ude00\", \"state\": \"absent\"}]}",
			[]Problem{{"buckets[0].tableBucketARN", 1, `"😀" is not a table bucket ARN`}}},
		{"JSON lone surrogate in a value", "{\"version\": 1, \"buckets\": [{\"tableBucketARN\": \"a\\ud83d\", \"state\": \"absent\"}]}",
			[]Problem{{"buckets[0].tableBucketARN", 1, "\"a\uFFFD\" is not a table bucket ARN"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkProblems(t, tt.in, tt.want) })
	}
}

// Problems of one bucket do not hide those of the next, and all come in
// line order, whatever rule found them.
func TestParseValidationCollectsAcrossBuckets(t *testing.T) {
	in := "version: 1\nbuckets:\n" +
		"  - tableBucketARN: " + srcA + "\n" + // 3: no role, no destinations
		"  - tableBucketARN: bad\n" + // 4
		"    state: absent\n" +
		"  - state: absent\n" + // 6: no ARN
		"  - tableBucketARN: " + srcB + "\n" + // 7
		"    role: " + roleA + "\n" +
		"    destinations: [" + srcB + ", " + srcB + "]\n" // 9: itself, twice
	checkProblems(t, in, []Problem{
		{"buckets[0]", 3, "needs a role"},
		{"buckets[0]", 3, "needs 1 to 5 destinations"},
		{"buckets[1].tableBucketARN", 4, `"bad" is not a table bucket ARN`},
		{"buckets[2]", 6, `missing required field "tableBucketARN"`},
		{"buckets[3].destinations[0]", 9, "itself"},
		{"buckets[3].destinations[1]", 9, "itself"},
		{"buckets[3].destinations[1]", 9, "duplicate destination"},
	})
}

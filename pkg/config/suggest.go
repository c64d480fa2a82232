package config

import (
	"fmt"
	"strings"
)

// misplaced holds hints for fields that belong at another level, keyed by
// the path of the mapping they were found in ("" is the document,
// "buckets[]" any bucket).
var misplaced = map[string]map[string]string{
	"": {
		"role":           "did you mean defaults.role? a bucket may also have its own role",
		"tableBucketARN": "bucket fields go in an entry of the buckets list",
		"destinations":   "bucket fields go in an entry of the buckets list",
		"state":          "bucket fields go in an entry of the buckets list",
	},
}

// suggest returns " (did you mean X?)" when name is a likely typo of one of
// the known field names, a hint when it is a field of another level, and ""
// otherwise.
func suggest(path, name string, known []string) string {
	if name == "<<" {
		return " (merge keys are not supported; an alias can stand for a whole value)"
	}
	lower := strings.ToLower(name)
	best, bestDist := "", -1
	for _, k := range known {
		kl := strings.ToLower(k)
		d := editDistance(lower, kl)
		switch {
		case d == 0: // differs only in case
		case d <= maxTypoDistance(k):
		case len(lower) >= 3 && (strings.Contains(kl, lower) || strings.Contains(lower, kl)):
			d = len(kl) // a part or an extension of the name: weakest match
		default:
			continue
		}
		if bestDist < 0 || d < bestDist {
			best, bestDist = k, d
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	if hint, ok := misplaced[trimIndexes(path)][name]; ok {
		return " (" + hint + ")"
	}
	return ""
}

// maxTypoDistance is how many edits still look like a typo of a name.
func maxTypoDistance(name string) int {
	switch n := len(name); {
	case n <= 4:
		return 1
	case n < 10:
		return 2
	default:
		return 3
	}
}

// trimIndexes turns "buckets[3]" into "buckets[]".
func trimIndexes(path string) string {
	var b strings.Builder
	skip := false
	for _, r := range path {
		switch {
		case r == '[':
			skip = true
			b.WriteString("[]")
		case r == ']':
			skip = false
		case !skip:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// editDistance is the optimal string alignment distance between a and b
// (insertions, deletions, substitutions and transpositions of adjacent
// bytes). Field names are short; long unknown names are cut off early.
func editDistance(a, b string) int {
	const limit = 64
	if len(a) > limit {
		a = a[:limit]
	}
	if len(b) > limit {
		b = b[:limit]
	}
	// d[i][j] is the distance between a[:i] and b[:j].
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

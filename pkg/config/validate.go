package config

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// MaxDestinations is the most destinations one bucket may replicate to
// (a limit of PutTableBucketReplication).
const MaxDestinations = 5

// arnRef is an ARN seen in the document, for the one-partition rule.
type arnRef struct {
	path, partition string
	line            int
}

// validator checks a decoded document; it collects problems and never
// stops at the first.
type validator struct {
	ps   *problems
	arns []arnRef
}

// validate checks raw against the rules of DESIGN.md and, if it holds,
// returns the normalized Document.
func validate(raw *rawDocument, ps *problems) (*Document, problems) {
	v := &validator{ps: ps}
	before := len(*ps)
	doc := &Document{Version: CurrentVersion}

	if r := raw.DefaultRole; r != nil {
		doc.Defaults.Role = r.Value
		v.role("defaults.role", r)
	}
	if raw.Buckets == nil {
		ps.add("", raw.Line, `missing required field "buckets" (use buckets: [] for none)`)
	}

	doc.Buckets = make([]Bucket, 0, len(raw.Buckets))
	firstAt := make(map[string]*rawBucket, len(raw.Buckets))
	for i := range raw.Buckets {
		rb := &raw.Buckets[i]
		b := v.bucket(rb, raw.DefaultRole)
		if rb.ARN != nil {
			if first, dup := firstAt[rb.ARN.Value]; dup {
				ps.add(rb.Path+".tableBucketARN", rb.ARN.Line, "bucket listed twice (first as %s at line %d)", first.Path, first.ARN.Line)
			} else {
				firstAt[rb.ARN.Value] = rb
			}
		}
		doc.Buckets = append(doc.Buckets, b)
	}
	v.onePartition()

	if len(*ps) > before {
		return nil, *ps
	}
	return doc, nil
}

// bucket checks one bucket and returns its normalized form (meaningful
// only when no problem was found).
func (v *validator) bucket(rb *rawBucket, defaultRole *scalar) Bucket {
	b := Bucket{State: StatePresent, Line: rb.Line}
	if rb.ARN == nil {
		v.ps.add(rb.Path, rb.Line, `missing required field "tableBucketARN"`)
	} else {
		b.TableBucketARN = rb.ARN.Value
		v.tableBucket(rb.Path+".tableBucketARN", rb.ARN)
	}
	stateOK := true
	if s := rb.State; s != nil {
		switch State(s.Value) {
		case StatePresent, StateAbsent:
			b.State = State(s.Value)
		default:
			v.ps.add(rb.Path+".state", s.Line, "%s is not a state (want present or absent)", quote(s.Value))
			stateOK = false
		}
	}
	if rb.Role != nil {
		v.role(rb.Path+".role", rb.Role)
	}
	dests := v.destinations(rb)

	switch {
	case !stateOK:
		// Which rules apply is unknown; the state problem says enough.
	case b.State == StateAbsent:
		// An absent bucket's replication is deleted: a role or destinations
		// would suggest otherwise.
		if rb.Role != nil {
			v.ps.add(rb.Path+".role", rb.Role.Line, "an absent bucket takes no role (its replication is removed)")
		}
		if len(rb.Destinations) > 0 {
			v.ps.add(rb.Path+".destinations", rb.DestinationsLine, "an absent bucket takes no destinations (its replication is removed)")
		}
	default:
		switch {
		case rb.Role != nil:
			b.Role = rb.Role.Value
		case defaultRole != nil:
			b.Role = defaultRole.Value
		default:
			// An invalid own or default role is reported where it is.
			v.ps.add(rb.Path, rb.Line, "a present bucket needs a role: set role here or defaults.role")
		}
		switch {
		case len(dests) == 0 && rb.Destinations == nil:
			v.ps.add(rb.Path, rb.Line, "a present bucket needs 1 to %d destinations; it has none", MaxDestinations)
		case len(dests) == 0:
			v.ps.add(rb.Path+".destinations", rb.DestinationsLine, "a present bucket needs 1 to %d destinations; the list is empty", MaxDestinations)
		case len(dests) > MaxDestinations:
			v.ps.add(rb.Path+".destinations", rb.DestinationsLine, "%d destinations; at most %d are allowed", len(dests), MaxDestinations)
		}
		b.Destinations = dests
	}
	return b
}

// destinations checks each destination and returns the sorted set.
func (v *validator) destinations(rb *rawBucket) []string {
	set := make([]string, 0, len(rb.Destinations))
	firstAt := make(map[string]int, len(rb.Destinations))
	for j, d := range rb.Destinations {
		path := fmt.Sprintf("%s.destinations[%d]", rb.Path, j)
		v.tableBucket(path, &d)
		if rb.ARN != nil && d.Value == rb.ARN.Value {
			v.ps.add(path, d.Line, "a bucket cannot replicate to itself")
		}
		if k, dup := firstAt[d.Value]; dup {
			v.ps.add(path, d.Line, "duplicate destination (same as destinations[%d] at line %d)", k, rb.Destinations[k].Line)
			continue
		}
		firstAt[d.Value] = j
		set = append(set, d.Value)
	}
	slices.Sort(set)
	return set
}

// tableBucket checks a table bucket ARN and records its partition.
func (v *validator) tableBucket(path string, s *scalar) {
	a, err := ParseTableBucketARN(s.Value)
	if err != nil {
		v.ps.add(path, s.Line, "%s", arnMessage(err, s.Value))
		return
	}
	v.arns = append(v.arns, arnRef{path: path, partition: a.Partition, line: s.Line})
}

// role checks an IAM role ARN and records its partition.
func (v *validator) role(path string, s *scalar) {
	a, err := ParseRoleARN(s.Value)
	if err != nil {
		v.ps.add(path, s.Line, "%s", arnMessage(err, s.Value))
		return
	}
	v.arns = append(v.arns, arnRef{path: path, partition: a.Partition, line: s.Line})
}

// arnMessage is the parse error with a long value shortened.
func arnMessage(err error, value string) string {
	return strings.Replace(err.Error(), strconv.Quote(value), quote(value), 1)
}

// onePartition reports every ARN whose partition differs from the first
// one in the document: a run talks to one partition's endpoints and
// credentials.
func (v *validator) onePartition() {
	if len(v.arns) == 0 {
		return
	}
	sort.SliceStable(v.arns, func(i, j int) bool { return v.arns[i].line < v.arns[j].line })
	first := v.arns[0]
	for _, a := range v.arns[1:] {
		if a.partition != first.partition {
			v.ps.add(a.path, a.line, "partition %q differs from %q (of %s at line %d); a document covers one partition",
				a.partition, first.partition, first.path, first.line)
		}
	}
}

package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MaxDestinations is the most destinations one bucket may replicate to
// (a limit of PutTableBucketReplication).
const MaxDestinations = 5

// arnRef is a valid ARN seen in the document, for the one-partition rule.
// Its path is only spelled out for a problem.
type arnRef struct {
	partition string
	line      int
	bucket    int // index in rawDocument.Buckets; -1 for defaults.role
	dest      int // index in the destinations; refARN or refRole otherwise
}

const (
	refARN  = -1
	refRole = -2
)

// arnInfo is the memoized result of parsing one ARN string: documents
// repeat roles and destinations (often through aliases).
type arnInfo struct {
	partition string
	err       error
}

// validator checks a decoded document; it collects problems and never
// stops at the first.
type validator struct {
	ps         *problems
	raw        *rawDocument
	arns       []arnRef
	bucketARNs map[string]arnInfo
	roleARNs   map[string]arnInfo
}

// validate checks raw against the rules of DESIGN.md, adding every problem
// to ps, and returns the normalized Document if there was none.
func validate(raw *rawDocument, ps *problems) *Document {
	v := &validator{
		ps:         ps,
		raw:        raw,
		arns:       make([]arnRef, 0, 3*len(raw.Buckets)+1),
		bucketARNs: make(map[string]arnInfo, 2*len(raw.Buckets)),
		roleARNs:   make(map[string]arnInfo),
	}
	before := ps.count()
	doc := &Document{Version: CurrentVersion}

	if r := raw.DefaultRole; r != nil {
		doc.Defaults.Role = r.Value
		v.role(-1, r)
	}
	if raw.Buckets == nil {
		ps.add("", raw.Line, `missing required field "buckets" (use buckets: [] for none)`)
	}

	doc.Buckets = make([]Bucket, 0, len(raw.Buckets))
	firstAt := make(map[string]*rawBucket, len(raw.Buckets))
	for i := range raw.Buckets {
		if ps.full() {
			return nil
		}
		rb := &raw.Buckets[i]
		b := v.bucket(i, rb, raw.DefaultRole)
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

	if ps.count() > before {
		return nil
	}
	return doc
}

// bucket checks one bucket and returns its normalized form (meaningful
// only when no problem was found).
func (v *validator) bucket(i int, rb *rawBucket, defaultRole *scalar) Bucket {
	b := Bucket{State: StatePresent, Line: rb.Line}
	if rb.ARN == nil {
		v.ps.add(rb.Path, rb.Line, `missing required field "tableBucketARN"`)
	} else {
		b.TableBucketARN = rb.ARN.Value
		v.tableBucket(i, refARN, rb.ARN)
	}
	stateOK := true
	if s := rb.State; s != nil {
		switch State(s.Value) {
		case StatePresent, StateAbsent:
			b.State = State(s.Value)
		default:
			v.ps.add(rb.Path+".state", s.Line, "%s is not a state (want present or absent)", shown{quote(s.Value), "the value"})
			stateOK = false
		}
	}
	if rb.Role != nil {
		v.role(i, rb.Role)
	}
	dests := v.destinations(i, rb)

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
func (v *validator) destinations(i int, rb *rawBucket) []string {
	set := make([]string, 0, len(rb.Destinations))
	for j, d := range rb.Destinations {
		if v.ps.full() {
			break
		}
		v.tableBucket(i, j, &d)
		if rb.ARN != nil && d.Value == rb.ARN.Value {
			v.ps.add(v.path(i, j), d.Line, "a bucket cannot replicate to itself")
		}
		// Lists are short (at most 5 when valid): a scan beats a map.
		if k := slices.IndexFunc(rb.Destinations[:j], func(e scalar) bool { return e.Value == d.Value }); k >= 0 {
			v.ps.add(v.path(i, j), d.Line, "duplicate destination (same as destinations[%d] at line %d)", k, rb.Destinations[k].Line)
			continue
		}
		set = append(set, d.Value)
	}
	slices.Sort(set)
	return set
}

// path spells out the path of an ARN of bucket i (-1: defaults.role).
func (v *validator) path(bucket, dest int) string {
	switch {
	case bucket < 0:
		return "defaults.role"
	case dest == refARN:
		return v.raw.Buckets[bucket].Path + ".tableBucketARN"
	case dest == refRole:
		return v.raw.Buckets[bucket].Path + ".role"
	default:
		return fmt.Sprintf("%s.destinations[%d]", v.raw.Buckets[bucket].Path, dest)
	}
}

// tableBucket checks a table bucket ARN and records its partition.
func (v *validator) tableBucket(bucket, dest int, s *scalar) {
	info, ok := v.bucketARNs[s.Value]
	if !ok {
		a, err := ParseTableBucketARN(s.Value)
		info = arnInfo{partition: a.Partition, err: err}
		v.bucketARNs[s.Value] = info
	}
	v.check(bucket, dest, s, info)
}

// role checks an IAM role ARN and records its partition.
func (v *validator) role(bucket int, s *scalar) {
	info, ok := v.roleARNs[s.Value]
	if !ok {
		a, err := ParseRoleARN(s.Value)
		info = arnInfo{partition: a.Partition, err: err}
		v.roleARNs[s.Value] = info
	}
	v.check(bucket, refRole, s, info)
}

func (v *validator) check(bucket, dest int, s *scalar, info arnInfo) {
	if info.err != nil {
		v.ps.add(v.path(bucket, dest), s.Line, "%s", arnMessage(info.err, s.Value))
		return
	}
	v.arns = append(v.arns, arnRef{partition: info.partition, line: s.Line, bucket: bucket, dest: dest})
}

// arnMessage is the parse error with a long value shortened; redacted,
// the value is left out.
func arnMessage(err error, value string) shown {
	return shown{
		text:     strings.Replace(err.Error(), strconv.Quote(value), quote(value), 1),
		redacted: strings.Replace(err.Error(), strconv.Quote(value), "the value", 1),
	}
}

// onePartition reports every ARN whose partition differs from that of the
// first ARN in the document: a run talks to one partition's endpoints and
// credentials.
func (v *validator) onePartition() {
	if len(v.arns) == 0 {
		return
	}
	first := v.arns[0]
	for _, a := range v.arns[1:] {
		if a.line < first.line {
			first = a
		}
	}
	for _, a := range v.arns {
		if v.ps.full() {
			return
		}
		if a.partition != first.partition {
			v.ps.add(v.path(a.bucket, a.dest), a.line, "partition %s differs from %s (of %s at line %d); a document covers one partition",
				shown{strconv.Quote(a.partition), "(withheld)"}, shown{strconv.Quote(first.partition), "that"}, v.path(first.bucket, first.dest), first.line)
		}
	}
}

package sync

import (
	"maps"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/replsync/replsync/pkg/config"
)

// fuzzRoles and fuzzDests are what the fuzzer picks from: few enough that
// equal configurations come up often. The last destination is never in a
// desired configuration (only live ones can have it).
var (
	fuzzRoles = []string{role1, role2, "arn:aws:iam::444455556666:role/path/to/Third"}
	fuzzDests = []string{dstB, dstC, dstD,
		"arn:aws:s3tables:ap-south-1:111122223333:bucket/x",
		"arn:aws:s3tables:us-west-2:111122223333:bucket/y",
		"arn:aws:s3tables:eu-west-1:444455556666:bucket/foreign"}
)

// FuzzPlan checks PlanBucket on generated desired and live configurations:
// it is total and deterministic, leaves its inputs alone, picks the action
// of DESIGN.md's plan table (decided here independently), carries the
// token and the live configuration it was made from, says what differs,
// and applying it (its After as the new live state) leaves nothing to do.
//
// Inputs: absent, the desired role (index), the desired destinations (a
// bit set over the first five of fuzzDests), whether a configuration is
// live, the live role (index), the live rules (each byte a destination
// index, 0xFF starts a new rule; empty: no rule at all; the first 24 bytes
// count) and the token.
// Seeds: testdata/fuzz/FuzzPlan, one per cell of the plan table and per
// normalization case.
func FuzzPlan(f *testing.F) {
	f.Fuzz(func(t *testing.T, absent bool, wantRole, wantDests uint8, hasLive bool, liveRole uint8, liveRules []byte, token string) {
		// Longer inputs say nothing new (six destinations, a few rules) and
		// would only slow the fuzzer down while it minimizes them.
		liveRules, token = liveRules[:min(len(liveRules), 24)], token[:min(len(token), 64)]
		desired := fuzzDesired(absent, wantRole, wantDests)
		observed := Observed{BucketARN: srcA}
		if hasLive {
			observed.Config, observed.VersionToken = fuzzLive(liveRole, liveRules), token
		}
		desiredCopy, liveCopy := cloneBucket(desired), cloneReplication(observed.Config)

		p := PlanBucket(desired, observed)

		if again := PlanBucket(desired, observed); !cmp.Equal(p, again) {
			t.Fatalf("not deterministic:\n%s", cmp.Diff(p, again))
		}
		if !cmp.Equal(desired, desiredCopy) || !cmp.Equal(observed.Config, liveCopy) {
			t.Fatal("PlanBucket changed its inputs")
		}
		if want := tableAction(desired, observed.Config); p.Action != want {
			t.Fatalf("action %s, want %s (desired %+v, live %+v)", p.Action, want, desired, observed.Config)
		}
		if p.BucketARN != srcA || p.Before != observed.Config || p.VersionToken != observed.VersionToken {
			t.Fatalf("the plan does not carry what it was made from: %+v", p)
		}
		switch p.Action {
		case ActionCreate, ActionUpdate:
			if !cmp.Equal(p.After, Desired(desired)) {
				t.Fatalf("after = %+v, want the desired configuration", p.After)
			}
		case ActionDelete:
			if p.After != nil {
				t.Fatalf("a delete leads to %+v, want nothing", p.After)
			}
		case ActionNoop:
			if p.After != observed.Config {
				t.Fatalf("a noop leads to %+v, want the live configuration", p.After)
			}
		}
		checkDiff(t, p)

		// Apply: the plan's After becomes the live state, with a new token.
		next := Observed{BucketARN: srcA, Config: p.After, VersionToken: token + "'"}
		if p.After == nil {
			next.VersionToken = ""
		}
		if q := PlanBucket(desired, next); q.Action != ActionNoop {
			t.Fatalf("after applying %s, the plan is %s (%v), want noop", p.Action, q.Action, q.Diff.Lines())
		}
	})
}

// checkDiff compares the plan's diff with sets computed here.
func checkDiff(t *testing.T, p Plan) {
	t.Helper()
	if p.Action == ActionNoop {
		if !cmp.Equal(p.Diff, Diff{}) {
			t.Fatalf("a noop with a diff: %+v", p.Diff)
		}
		return
	}
	if len(p.Diff.Lines()) == 0 {
		t.Fatalf("%s without a readable difference: %+v", p.Action, p.Diff)
	}
	before, after := destSet(p.Before), destSet(p.After)
	var added, removed []string
	for d := range after {
		if !before[d] {
			added = append(added, d)
		}
	}
	for d := range before {
		if !after[d] {
			removed = append(removed, d)
		}
	}
	slices.Sort(added)
	slices.Sort(removed)
	if !slices.Equal(added, p.Diff.Added) || !slices.Equal(removed, p.Diff.Removed) {
		t.Fatalf("diff +%v -%v, want +%v -%v", p.Diff.Added, p.Diff.Removed, added, removed)
	}
}

// tableAction is DESIGN.md's plan table, written without the package's
// helpers.
func tableAction(desired config.Bucket, live *Replication) Action {
	switch {
	case desired.State == config.StateAbsent && live == nil:
		return ActionNoop
	case desired.State == config.StateAbsent:
		return ActionDelete
	case live == nil:
		return ActionCreate
	}
	want := map[string]bool{}
	for _, d := range desired.Destinations {
		want[d] = true
	}
	if live.Role == desired.Role && len(live.Rules) == 1 && maps.Equal(destSet(live), want) {
		return ActionNoop
	}
	return ActionUpdate
}

func destSet(r *Replication) map[string]bool {
	s := map[string]bool{}
	if r == nil {
		return s
	}
	for _, rule := range r.Rules {
		for _, d := range rule.Destinations {
			s[d.DestinationTableBucketARN] = true
		}
	}
	return s
}

// fuzzDesired builds a normalized bucket, as config.Parse returns them.
func fuzzDesired(absent bool, role, dests uint8) config.Bucket {
	if absent {
		return config.Bucket{TableBucketARN: srcA, State: config.StateAbsent}
	}
	b := config.Bucket{TableBucketARN: srcA, State: config.StatePresent, Role: fuzzRoles[int(role)%len(fuzzRoles)]}
	for i := range len(fuzzDests) - 1 {
		if dests&(1<<i) != 0 {
			b.Destinations = append(b.Destinations, fuzzDests[i])
		}
	}
	slices.Sort(b.Destinations)
	return b
}

// fuzzLive builds a live configuration: any number of rules, destinations
// in any order, duplicates allowed.
func fuzzLive(role uint8, rules []byte) *Replication {
	r := &Replication{Role: fuzzRoles[int(role)%len(fuzzRoles)], Rules: []Rule{}}
	for i, b := range rules {
		if b == 0xFF || i == 0 {
			r.Rules = append(r.Rules, Rule{Destinations: []Destination{}})
		}
		if b != 0xFF {
			last := &r.Rules[len(r.Rules)-1]
			last.Destinations = append(last.Destinations, Destination{fuzzDests[int(b)%len(fuzzDests)]})
		}
	}
	return r
}

func cloneBucket(b config.Bucket) config.Bucket {
	b.Destinations = slices.Clone(b.Destinations)
	return b
}

func cloneReplication(r *Replication) *Replication {
	if r == nil {
		return nil
	}
	c := &Replication{Role: r.Role, Rules: make([]Rule, len(r.Rules))}
	for i, rule := range r.Rules {
		c.Rules[i] = Rule{Destinations: slices.Clone(rule.Destinations)}
	}
	return c
}

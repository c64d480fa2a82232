package sync

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/replsync/replsync/pkg/config"
)

const (
	srcA  = "arn:aws:s3tables:us-east-1:111122223333:bucket/analytics"
	dstB  = "arn:aws:s3tables:us-west-2:111122223333:bucket/analytics-dr"
	dstC  = "arn:aws:s3tables:eu-west-1:444455556666:bucket/analytics-eu"
	dstD  = "arn:aws:s3tables:us-east-2:111122223333:bucket/analytics-d"
	role1 = "arn:aws:iam::111122223333:role/S3TablesReplication"
	role2 = "arn:aws:iam::111122223333:role/Other"
)

func present(role string, dests ...string) config.Bucket {
	return config.Bucket{TableBucketARN: srcA, State: config.StatePresent, Role: role, Destinations: dests}
}

func absent() config.Bucket {
	return config.Bucket{TableBucketARN: srcA, State: config.StateAbsent}
}

func live(role string, dests ...string) Observed {
	return Observed{BucketARN: srcA, Config: newReplication(role, dests), VersionToken: "tok-1"}
}

var none = Observed{BucketARN: srcA}

// TestPlanBucket has one row per cell of DESIGN.md's plan table, plus the
// normalization rows (order and duplicates are not drift).
func TestPlanBucket(t *testing.T) {
	tests := []struct {
		name      string
		desired   config.Bucket
		observed  Observed
		action    Action
		after     *Replication
		changes   []string
		wantToken string
	}{
		{"none/present: create", present(role1, dstB, dstC), none, ActionCreate, newReplication(role1, []string{dstB, dstC}),
			[]string{"role: (none) -> " + role1, "destinations: +" + dstC + " +" + dstB}, ""},
		{"none/absent: noop", absent(), none, ActionNoop, nil, nil, ""},
		{"equal/present: noop", present(role1, dstB), live(role1, dstB), ActionNoop, newReplication(role1, []string{dstB}), nil, "tok-1"},
		{"equal/absent: delete", absent(), live(role1, dstB), ActionDelete, nil,
			[]string{"role: " + role1 + " -> (none)", "destinations: -" + dstB}, "tok-1"},
		{"different role/present: update", present(role2, dstB), live(role1, dstB), ActionUpdate, newReplication(role2, []string{dstB}),
			[]string{"role: " + role1 + " -> " + role2}, "tok-1"},
		{"different destinations/present: update", present(role1, dstB, dstD), live(role1, dstB, dstC), ActionUpdate, newReplication(role1, []string{dstB, dstD}),
			[]string{"destinations: +" + dstD + " -" + dstC}, "tok-1"},
		{"different/absent: delete", absent(), live(role2, dstC), ActionDelete, nil,
			[]string{"role: " + role2 + " -> (none)", "destinations: -" + dstC}, "tok-1"},
		{"live order differs: noop", present(role1, dstC, dstB), live(role1, dstB, dstC), ActionNoop, newReplication(role1, []string{dstB, dstC}), nil, "tok-1"},
		{"live duplicates: noop", present(role1, dstB, dstC), live(role1, dstC, dstB, dstC, dstB), ActionNoop, newReplication(role1, []string{dstC, dstB, dstC, dstB}), nil, "tok-1"},
		{"live has two rules: update", present(role1, dstB),
			Observed{BucketARN: srcA, VersionToken: "tok-1", Config: &Replication{Role: role1, Rules: []Rule{
				{Destinations: []Destination{{dstB}}}, {Destinations: []Destination{{dstB}}}}}},
			ActionUpdate, newReplication(role1, []string{dstB}), []string{"rules: 2 -> 1"}, "tok-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PlanBucket(tt.desired, tt.observed)
			if got.Action != tt.action {
				t.Errorf("action = %q, want %q", got.Action, tt.action)
			}
			if diff := cmp.Diff(tt.after, got.After); diff != "" {
				t.Errorf("after (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.observed.Config, got.Before); diff != "" {
				t.Errorf("before must be the live config (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.changes, got.Diff.Lines()); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			if got.VersionToken != tt.wantToken {
				t.Errorf("token = %q, want %q (a plan carries the token it was read with)", got.VersionToken, tt.wantToken)
			}
			// Second round: the state the plan leads to needs nothing more.
			next := Observed{BucketARN: srcA, Config: got.After, VersionToken: "tok-2"}
			if again := PlanBucket(tt.desired, next); again.Action != ActionNoop {
				t.Errorf("after applying, the plan is %q, want noop", again.Action)
			}
		})
	}
}

func TestDesiredOfNormalizedBucketIsOneSortedRule(t *testing.T) {
	got := Desired(present(role1, dstC, dstB))
	want := &Replication{Role: role1, Rules: []Rule{{Destinations: []Destination{{dstC}, {dstB}}}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if Desired(absent()) != nil {
		t.Error("an absent bucket must desire no configuration")
	}
}

func TestEquivalent(t *testing.T) {
	a := newReplication(role1, []string{dstB, dstC})
	tests := []struct {
		name string
		b    *Replication
		want bool
	}{
		{"same", newReplication(role1, []string{dstB, dstC}), true},
		{"reordered", newReplication(role1, []string{dstC, dstB}), true},
		{"duplicated", newReplication(role1, []string{dstC, dstB, dstB}), true},
		{"other role", newReplication(role2, []string{dstB, dstC}), false},
		{"subset", newReplication(role1, []string{dstB}), false},
		{"nil", nil, false},
		{"no rules", &Replication{Role: role1}, false},
		{"long list of duplicates", newReplication(role1, slices.Repeat([]string{dstC, dstB}, 10)), true},
		{"long list with one more", newReplication(role1, append(slices.Repeat([]string{dstC, dstB}, 10), dstD)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Equivalent(a, tt.b); got != tt.want {
				t.Errorf("Equivalent = %v, want %v", got, tt.want)
			}
			if got := Equivalent(tt.b, a); got != tt.want {
				t.Errorf("Equivalent is not symmetric")
			}
		})
	}
	if !Equivalent(nil, nil) {
		t.Error("no configuration equals no configuration")
	}
}

package sync

import (
	"fmt"
	"strings"

	"github.com/replsync/replsync/pkg/config"
)

// Action is what a plan does to one bucket.
type Action string

// The four actions of the plan table.
const (
	ActionNoop   Action = "noop"
	ActionCreate Action = "create"
	ActionUpdate Action = "update"
	ActionDelete Action = "delete"
	// ActionUnknown marks a bucket whose live state could not be read, so no
	// plan exists for it. It appears only in failed results.
	ActionUnknown Action = "unknown"
)

// Observed is what GetTableBucketReplication returned for one bucket. A nil
// Config means the bucket has no replication configuration (NotFound).
type Observed struct {
	BucketARN    string
	Config       *Replication
	VersionToken string
}

// Plan is the decision for one bucket. It carries the version token it was
// planned against, which is the token its write must send.
type Plan struct {
	BucketARN string
	Action    Action
	// Before is the live configuration (nil: none); After is the
	// configuration once the plan is applied (nil: none).
	Before, After *Replication
	// VersionToken is the token read with Before ("" when Before is nil).
	VersionToken string
	// Diff says what changes, after normalization.
	Diff Diff
}

// PlanBucket decides what to do with one bucket. It is pure: no I/O, same
// answer for the same input.
//
//	live \ desired     | present      | absent
//	-------------------+--------------+--------
//	none (NotFound)    | create (Put) | noop
//	equal (normalized) | noop         | delete
//	different          | update (Put) | delete
func PlanBucket(desired config.Bucket, observed Observed) Plan {
	p := Plan{
		BucketARN:    desired.TableBucketARN,
		Before:       observed.Config,
		VersionToken: observed.VersionToken,
	}
	live, absent := observed.Config, desired.State == config.StateAbsent
	switch {
	case absent && live == nil:
		p.Action = ActionNoop
	case absent:
		p.Action = ActionDelete
	case live == nil:
		p.Action, p.After = ActionCreate, Desired(desired)
	case matches(live, desired):
		// The common case of a steady state: nothing is built.
		p.Action, p.After = ActionNoop, live
	default:
		p.Action, p.After = ActionUpdate, Desired(desired)
	}
	if p.Action != ActionNoop {
		p.Diff = DiffOf(p.Before, p.After)
	}
	return p
}

// Diff lists the differences between two configurations, after
// normalization (destinations compared as sets).
type Diff struct {
	// RoleFrom and RoleTo are equal when the role does not change; "" is no
	// configuration.
	RoleFrom, RoleTo string
	// Added and Removed are destination table bucket ARNs, sorted.
	Added, Removed []string
	// RulesFrom and RulesTo count the rules on each side (0: no
	// configuration). replsync writes one rule; a live configuration with
	// another count is drift.
	RulesFrom, RulesTo int
}

// DiffOf compares before with after (either may be nil: no configuration).
func DiffOf(before, after *Replication) Diff {
	d := Diff{}
	if before != nil {
		d.RoleFrom, d.RulesFrom = before.Role, len(before.Rules)
	}
	if after != nil {
		d.RoleTo, d.RulesTo = after.Role, len(after.Rules)
	}
	from, to := before.DestinationSet(), after.DestinationSet()
	d.Added, d.Removed = setMinus(to, from), setMinus(from, to)
	return d
}

// setMinus returns the elements of a not in b; both sorted.
func setMinus(a, b []string) []string {
	var out []string
	i, j := 0, 0
	for i < len(a) {
		switch {
		case j >= len(b) || a[i] < b[j]:
			out = append(out, a[i])
			i++
		case a[i] > b[j]:
			j++
		default:
			i, j = i+1, j+1
		}
	}
	return out
}

// Lines renders the diff for people and logs, one line a field:
//
//	role: arn:...:role/Old -> arn:...:role/New
//	destinations: +arn:...:bucket/b -arn:...:bucket/c
func (d Diff) Lines() []string {
	var lines []string
	if d.roleChanged() {
		lines = append(lines, fmt.Sprintf("role: %s -> %s", orNone(d.RoleFrom), orNone(d.RoleTo)))
	}
	if d.rulesChanged() {
		lines = append(lines, fmt.Sprintf("rules: %d -> %d", d.RulesFrom, d.RulesTo))
	}
	if len(d.Added)+len(d.Removed) > 0 {
		var b strings.Builder
		b.WriteString("destinations:")
		for _, a := range d.Added {
			b.WriteString(" +" + a)
		}
		for _, r := range d.Removed {
			b.WriteString(" -" + r)
		}
		lines = append(lines, b.String())
	}
	return lines
}

func (d Diff) roleChanged() bool { return d.RoleFrom != d.RoleTo }

// rulesChanged is true when both sides exist with different rule counts
// (a configuration always has a role, so the role says it exists).
func (d Diff) rulesChanged() bool {
	return d.RoleFrom != "" && d.RoleTo != "" && d.RulesFrom != d.RulesTo
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

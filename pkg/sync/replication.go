package sync

import (
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3tables/types"

	"github.com/replsync/replsync/pkg/config"
)

// Replication is a table bucket replication configuration in the AWS wire
// shape: {"role":...,"rules":[{"destinations":[{"destinationTableBucketARN":...}]}]}.
type Replication struct {
	Role  string `json:"role"`
	Rules []Rule `json:"rules"`
}

// Rule is one replication rule.
type Rule struct {
	Destinations []Destination `json:"destinations"`
}

// Destination is one destination table bucket.
type Destination struct {
	DestinationTableBucketARN string `json:"destinationTableBucketARN"`
}

// Desired returns the configuration the document asks for a present bucket:
// its role and its destinations (already a sorted set) in one rule. It
// returns nil for an absent bucket.
func Desired(b config.Bucket) *Replication {
	if b.State == config.StateAbsent {
		return nil
	}
	return newReplication(b.Role, b.Destinations)
}

func newReplication(role string, destinations []string) *Replication {
	ds := make([]Destination, len(destinations))
	for i, d := range destinations {
		ds[i] = Destination{DestinationTableBucketARN: d}
	}
	return &Replication{Role: role, Rules: []Rule{{Destinations: ds}}}
}

// DestinationSet returns the destinations of every rule as a sorted set:
// order and duplicates do not count.
func (r *Replication) DestinationSet() []string {
	if r == nil {
		return nil
	}
	n := 0
	for _, rule := range r.Rules {
		n += len(rule.Destinations)
	}
	out := make([]string, 0, n)
	for _, rule := range r.Rules {
		for _, d := range rule.Destinations {
			out = append(out, d.DestinationTableBucketARN)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Equivalent reports whether two configurations are the same after
// normalization: same role, one rule each, same destination set.
func Equivalent(a, b *Replication) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Role == b.Role && len(a.Rules) == 1 && len(b.Rules) == 1 &&
		sameSet(a.Rules[0].Destinations, b.Rules[0].Destinations, destARN, destARN)
}

// matches reports whether the live configuration is what a present bucket
// asks for (Equivalent to Desired(b)), without building that.
func matches(live *Replication, b config.Bucket) bool {
	return live != nil && live.Role == b.Role && len(live.Rules) == 1 &&
		sameSet(live.Rules[0].Destinations, b.Destinations, destARN, func(s string) string { return s })
}

func destARN(d Destination) string { return d.DestinationTableBucketARN }

// sameSet reports whether a and b hold the same keys, ignoring order and
// duplicates. Destination lists have at most a handful of entries (the API
// allows 5), where comparing each with each beats sorting copies and
// allocates nothing; long lists are sorted.
func sameSet[A, B any](a []A, b []B, keyA func(A) string, keyB func(B) string) bool {
	if len(a)+len(b) > 16 {
		return slices.Equal(sortedSet(a, keyA), sortedSet(b, keyB))
	}
	return allIn(a, b, keyA, keyB) && allIn(b, a, keyB, keyA)
}

// allIn reports whether every key of xs is a key of ys.
func allIn[X, Y any](xs []X, ys []Y, keyX func(X) string, keyY func(Y) string) bool {
	for _, x := range xs {
		if !slices.ContainsFunc(ys, func(y Y) bool { return keyY(y) == keyX(x) }) {
			return false
		}
	}
	return true
}

func sortedSet[E any](xs []E, key func(E) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = key(x)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// fromAWS converts an SDK configuration (nil stays nil).
func fromAWS(c *types.TableBucketReplicationConfiguration) *Replication {
	if c == nil {
		return nil
	}
	r := &Replication{Role: aws.ToString(c.Role), Rules: make([]Rule, len(c.Rules))}
	for i, rule := range c.Rules {
		ds := make([]Destination, len(rule.Destinations))
		for j, d := range rule.Destinations {
			ds[j] = Destination{DestinationTableBucketARN: aws.ToString(d.DestinationTableBucketARN)}
		}
		r.Rules[i] = Rule{Destinations: ds}
	}
	return r
}

// toAWS converts to the SDK shape.
func (r *Replication) toAWS() *types.TableBucketReplicationConfiguration {
	c := &types.TableBucketReplicationConfiguration{Role: aws.String(r.Role), Rules: make([]types.TableBucketReplicationRule, len(r.Rules))}
	for i, rule := range r.Rules {
		ds := make([]types.ReplicationDestination, len(rule.Destinations))
		for j, d := range rule.Destinations {
			ds[j] = types.ReplicationDestination{DestinationTableBucketARN: aws.String(d.DestinationTableBucketARN)}
		}
		c.Rules[i] = types.TableBucketReplicationRule{Destinations: ds}
	}
	return c
}

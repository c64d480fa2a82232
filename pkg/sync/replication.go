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
	var out []string
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
		slices.Equal(a.DestinationSet(), b.DestinationSet())
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

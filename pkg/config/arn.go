package config

import (
	"fmt"
	"regexp"
)

// TableBucketARN is a parsed S3 Tables table bucket ARN:
// arn:<partition>:s3tables:<region>:<account>:bucket/<name>.
type TableBucketARN struct {
	Partition string
	Region    string
	Account   string
	Name      string
}

// RoleARN is a parsed IAM role ARN: arn:<partition>:iam::<account>:role/<path/name>.
type RoleARN struct {
	Partition string
	Account   string
	// Name is the role name with its path, e.g. "service/S3TablesReplication".
	Name string
}

var (
	// Partitions look like aws, aws-cn, aws-us-gov, aws-iso-b, aws-eusc.
	// Regions look like us-east-1, us-gov-west-1, eu-isoe-west-1 and, in
	// the European Sovereign Cloud, eusc-de-east-1 (a longer first part).
	// Table bucket names are 3-63 of [a-z0-9-], starting and ending with a
	// letter or digit (the S3 Tables naming rules; the service model's
	// pattern is looser).
	tableBucketARNRe = regexp.MustCompile(`^arn:(aws(?:-[a-z]+)*):s3tables:([a-z]{2,}(?:-[a-z]+)+-[0-9]{1,2}):([0-9]{12}):bucket/([a-z0-9][a-z0-9-]{1,61}[a-z0-9])$`)
	// IAM role names and path segments use [A-Za-z0-9+=,.@_-]; names are at
	// most 64 characters; the whole ARN at most 2048 (service model).
	roleARNRe = regexp.MustCompile(`^arn:(aws(?:-[a-z]+)*):iam::([0-9]{12}):role/((?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64})$`)
)

// ParseTableBucketARN parses s as a table bucket ARN.
func ParseTableBucketARN(s string) (TableBucketARN, error) {
	m := tableBucketARNRe.FindStringSubmatch(s)
	if m == nil {
		return TableBucketARN{}, fmt.Errorf("%q is not a table bucket ARN (want arn:<partition>:s3tables:<region>:<12-digit account>:bucket/<name>)", s)
	}
	return TableBucketARN{Partition: m[1], Region: m[2], Account: m[3], Name: m[4]}, nil
}

// ParseRoleARN parses s as an IAM role ARN.
func ParseRoleARN(s string) (RoleARN, error) {
	m := roleARNRe.FindStringSubmatch(s)
	if m == nil || len(s) > 2048 {
		return RoleARN{}, fmt.Errorf("%q is not an IAM role ARN (want arn:<partition>:iam::<12-digit account>:role/<path/name>)", s)
	}
	return RoleARN{Partition: m[1], Account: m[2], Name: m[3]}, nil
}

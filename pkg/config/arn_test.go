package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseTableBucketARN(t *testing.T) {
	tests := []struct {
		in   string
		want TableBucketARN // zero: invalid
	}{
		{"arn:aws:s3tables:us-east-1:111122223333:bucket/analytics", TableBucketARN{"aws", "us-east-1", "111122223333", "analytics"}},
		{"arn:aws-cn:s3tables:cn-northwest-1:111122223333:bucket/a-b", TableBucketARN{"aws-cn", "cn-northwest-1", "111122223333", "a-b"}},
		{"arn:aws-us-gov:s3tables:us-gov-west-1:111122223333:bucket/abc", TableBucketARN{"aws-us-gov", "us-gov-west-1", "111122223333", "abc"}},
		{"arn:aws-iso-e:s3tables:eu-isoe-west-1:111122223333:bucket/abc", TableBucketARN{"aws-iso-e", "eu-isoe-west-1", "111122223333", "abc"}},
		// The European Sovereign Cloud's regions have a four-letter first
		// part; the first version of the pattern allowed only two.
		{"arn:aws-eusc:s3tables:eusc-de-east-1:111122223333:bucket/abc", TableBucketARN{"aws-eusc", "eusc-de-east-1", "111122223333", "abc"}},
		{"arn:aws:s3tables:us-east-1:111122223333:bucket/" + strings.Repeat("a", 63), TableBucketARN{"aws", "us-east-1", "111122223333", strings.Repeat("a", 63)}},
		{"arn:aws:s3tables:us-east-1:111122223333:bucket/" + strings.Repeat("a", 64), TableBucketARN{}},
		{"arn:aws:s3tables:us-east-1:111122223333:bucket/ab", TableBucketARN{}},
		{"arn:aws:s3tables:us-east-1:111122223333:bucket/Analytics", TableBucketARN{}},
		{"arn:aws:s3tables:us-east-1:111122223333:bucket/-abc", TableBucketARN{}},
		{"arn:aws:s3tables:us-east-1:111122223333:bucket/abc/table/x", TableBucketARN{}},
		{"arn:aws:s3tables:us-east-1:11112222333:bucket/abc", TableBucketARN{}},
		{"arn:aws:s3tables::111122223333:bucket/abc", TableBucketARN{}},
		{"arn:aws:s3:::abc", TableBucketARN{}},
		{"arn:gcp:s3tables:us-east-1:111122223333:bucket/abc", TableBucketARN{}},
		{" arn:aws:s3tables:us-east-1:111122223333:bucket/abc", TableBucketARN{}},
		{"arn:aws:s3tables:us-east-1:111122223333:bucket/abc\n", TableBucketARN{}},
		{"", TableBucketARN{}},
	}
	for _, tt := range tests {
		got, err := ParseTableBucketARN(tt.in)
		if tt.want == (TableBucketARN{}) {
			if err == nil {
				t.Errorf("ParseTableBucketARN(%q) = %+v, want an error", tt.in, got)
			} else if !strings.Contains(err.Error(), "is not a table bucket ARN") {
				t.Errorf("ParseTableBucketARN(%q) error %q", tt.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseTableBucketARN(%q): %v", tt.in, err)
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("ParseTableBucketARN(%q) (-want +got):\n%s", tt.in, d)
		}
	}
}

func TestParseRoleARN(t *testing.T) {
	tests := []struct {
		in   string
		want RoleARN
	}{
		{"arn:aws:iam::111122223333:role/S3TablesReplication", RoleARN{"aws", "111122223333", "S3TablesReplication"}},
		{"arn:aws:iam::111122223333:role/service-role/a+b=c,d.e@f_g-h", RoleARN{"aws", "111122223333", "service-role/a+b=c,d.e@f_g-h"}},
		{"arn:aws-eusc:iam::111122223333:role/x", RoleARN{"aws-eusc", "111122223333", "x"}},
		{"arn:aws:iam::111122223333:role/" + strings.Repeat("r", 64), RoleARN{"aws", "111122223333", strings.Repeat("r", 64)}},
		{"arn:aws:iam::111122223333:role/" + strings.Repeat("r", 65), RoleARN{}},
		{"arn:aws:iam::111122223333:role/", RoleARN{}},
		{"arn:aws:iam::111122223333:user/x", RoleARN{}},
		{"arn:aws:iam:us-east-1:111122223333:role/x", RoleARN{}},
		{"arn:aws:sts::111122223333:assumed-role/x/session", RoleARN{}},
		{"arn:aws:iam::111122223333:role/" + strings.Repeat("p/", 1100) + "x", RoleARN{}},
		{"", RoleARN{}},
	}
	for _, tt := range tests {
		got, err := ParseRoleARN(tt.in)
		if tt.want == (RoleARN{}) {
			if err == nil {
				t.Errorf("ParseRoleARN(%q) = %+v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseRoleARN(%q): %v", tt.in, err)
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("ParseRoleARN(%q) (-want +got):\n%s", tt.in, d)
		}
	}
}

func TestBucketRegion(t *testing.T) {
	if got := (Bucket{TableBucketARN: "arn:aws-eusc:s3tables:eusc-de-east-1:111122223333:bucket/abc"}).Region(); got != "eusc-de-east-1" {
		t.Errorf("Region() = %q", got)
	}
	if got := (Bucket{TableBucketARN: "nope"}).Region(); got != "" {
		t.Errorf("Region() of an invalid ARN = %q", got)
	}
}

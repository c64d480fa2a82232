package emulator_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3tables"
	"github.com/aws/aws-sdk-go-v2/service/s3tables/types"
	"github.com/aws/smithy-go"

	"github.com/replsync/replsync/internal/emulator"
)

// TestValidationThroughSDK sends, with the real client, requests that break
// one model constraint each; the SDK checks only required members, so these
// reach the emulator, which must answer BadRequestException naming the
// member.
func TestValidationThroughSDK(t *testing.T) {
	six := []string{dst1, dst2, dst3, dst1 + "x", dst2 + "x", dst3 + "x"}
	longToken := strings.Repeat("t", 2049)
	empty := ""
	twoRules := config(role, dst1)
	twoRules.Rules = append(twoRules.Rules, twoRules.Rules[0])
	noRules := config(role, dst1)
	noRules.Rules = []types.TableBucketReplicationRule{}
	noDests := config(role)

	putCall := func(bucket string, token *string, cfg *types.TableBucketReplicationConfiguration) func(context.Context, *s3tables.Client) error {
		return func(ctx context.Context, c *s3tables.Client) error {
			_, err := put(ctx, c, bucket, token, cfg)
			return err
		}
	}
	tests := []struct {
		name   string
		call   func(context.Context, *s3tables.Client) error
		member string // must appear in the message
		rule   string // must appear in the message
	}{
		{"bucket ARN pattern", putCall("arn:aws:s3:::plain-bucket", nil, config(role, dst1)), "'tableBucketARN'", "regular expression pattern"},
		{"bucket ARN is anchored", putCall(src+"/extra", nil, config(role, dst1)), "'tableBucketARN'", "regular expression pattern"},
		{"bucket ARN name too short", putCall("arn:aws:s3tables:us-east-1:111122223333:bucket/ab", nil, config(role, dst1)), "'tableBucketARN'", "pattern"},
		{"bucket ARN account digits", putCall("arn:aws:s3tables:us-east-1:1111:bucket/abc", nil, config(role, dst1)), "'tableBucketARN'", "pattern"},
		{"role too short", putCall(src, nil, config("arn:x:iam::1:role/r", dst1)), "'configuration.role'", "greater than or equal to 20"},
		{"role too long", putCall(src, nil, config(role+strings.Repeat("x", 2049), dst1)), "'configuration.role'", "less than or equal to 2048"},
		{"role pattern", putCall(src, nil, config("arn:aws:iam::111122223333:user/someone", dst1)), "'configuration.role'", "regular expression pattern"},
		{"no rules", putCall(src, nil, noRules), "'configuration.rules'", "greater than or equal to 1"},
		{"two rules", putCall(src, nil, twoRules), "'configuration.rules'", "less than or equal to 1"},
		{"no destinations", putCall(src, nil, noDests), "'configuration.rules.1.member.destinations'", "greater than or equal to 1"},
		{"six destinations", putCall(src, nil, config(role, six...)), "'configuration.rules.1.member.destinations'", "less than or equal to 5"},
		{"destination pattern", putCall(src, nil, config(role, dst1, "arn:aws:s3tables:us-east-1:111122223333:table/x")), "destinations.2.member.destinationTableBucketARN'", "pattern"},
		{"destination is the source", putCall(src, nil, config(role, dst1, src)), "source table bucket", "different"},
		{"empty version token", putCall(src, &empty, config(role, dst1)), "'versionToken'", "greater than or equal to 1"},
		{"version token too long", putCall(src, &longToken, config(role, dst1)), "'versionToken'", "less than or equal to 2048"},
		{"get bucket ARN pattern", func(ctx context.Context, c *s3tables.Client) error {
			_, err := get(ctx, c, "not-an-arn")
			return err
		}, "'tableBucketARN'", "pattern"},
		{"delete token too long", func(ctx context.Context, c *s3tables.Client) error {
			return del(ctx, c, src, &longToken)
		}, "'versionToken'", "less than or equal to 2048"},
		{"table ARN pattern", func(ctx context.Context, c *s3tables.Client) error {
			_, err := c.GetTableReplication(ctx, &s3tables.GetTableReplicationInput{TableArn: aws.String(src)})
			return err
		}, "'tableArn'", "pattern"},
	}
	s := start(t)
	c := client(s, "us-east-1")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(t.Context(), c)
			if kind(err) != "BadRequest" {
				t.Fatalf("error = %v, want BadRequestException", err)
			}
			if msg := errorMessage(err); !strings.Contains(msg, tt.member) || !strings.Contains(msg, tt.rule) {
				t.Fatalf("message %q does not name %s and %q", msg, tt.member, tt.rule)
			}
		})
	}
	if got := s.Replications(); len(got) != 0 {
		t.Fatalf("refused writes changed the state: %v", got)
	}
}

// TestValidationRaw sends by hand what the SDK would refuse to send:
// missing required members, nulls and malformed JSON.
func TestValidationRaw(t *testing.T) {
	q := "/table-bucket-replication?tableBucketARN=" + url.QueryEscape(src)
	tests := []struct {
		name, method, path, body string
		wantStatus               int
		wantType, wantInMessage  string
	}{
		{"get without bucket", "GET", "/table-bucket-replication", "", 400, "BadRequestException", "Value null at 'tableBucketARN'"},
		{"delete without bucket", "DELETE", "/table-bucket-replication?versionToken=x", "", 400, "BadRequestException", "'tableBucketARN'"},
		{"put without bucket", "PUT", "/table-bucket-replication", `{"configuration":{"role":"` + role + `","rules":[{"destinations":[{"destinationTableBucketARN":"` + dst1 + `"}]}]}}`, 400, "BadRequestException", "'tableBucketARN'"},
		{"put empty body", "PUT", q, "", 400, "BadRequestException", "Value null at 'configuration'"},
		{"put null configuration", "PUT", q, `{"configuration":null}`, 400, "BadRequestException", "Value null at 'configuration'"},
		{"put without role and rules", "PUT", q, `{"configuration":{}}`, 400, "BadRequestException", "2 validation errors detected: Value null at 'configuration.role'"},
		{"put null rule", "PUT", q, `{"configuration":{"role":"` + role + `","rules":[null]}}`, 400, "BadRequestException", "'configuration.rules.1.member.destinations'"},
		{"put destination without ARN", "PUT", q, `{"configuration":{"role":"` + role + `","rules":[{"destinations":[{}]}]}}`, 400, "BadRequestException", "'configuration.rules.1.member.destinations.1.member.destinationTableBucketARN' failed to satisfy constraint: Member must not be null"},
		{"put malformed JSON", "PUT", q, `{"configuration":`, 400, "BadRequestException", "JSON"},
		{"put wrong type", "PUT", q, `{"configuration":{"role":5}}`, 400, "BadRequestException", "JSON"},
		{"put not an object", "PUT", q, `[]`, 400, "BadRequestException", "JSON"},
		{"put trailing data", "PUT", q, `{} {}`, 400, "BadRequestException", "JSON"},
		{"table replication without ARN", "GET", "/table-replication", "", 400, "BadRequestException", "Value null at 'tableArn'"},
		{"unknown route", "GET", "/buckets", "", 404, "UnknownOperationException", "No operation"},
		{"wrong method", "POST", q, "", 404, "UnknownOperationException", "No operation"},
	}
	s := start(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := raw(t, s, tt.method, tt.path, sigv4, tt.body)
			if got.status != tt.wantStatus || got.errorType != tt.wantType || !strings.Contains(got.body, tt.wantInMessage) {
				t.Fatalf("got %d %s %s; want %d %s containing %q", got.status, got.errorType, got.body, tt.wantStatus, tt.wantType, tt.wantInMessage)
			}
			if !strings.HasPrefix(got.body, `{"message":`) {
				t.Fatalf("error body %s is not {\"message\":...}", got.body)
			}
		})
	}
	if got := s.Replications(); len(got) != 0 {
		t.Fatalf("refused writes changed the state: %v", got)
	}
}

// TestGetTableReplication checks that table-level replication is never
// found, and that its input is validated.
func TestGetTableReplication(t *testing.T) {
	s := start(t)
	c := client(s, "us-east-1")
	table := src + "/table/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab"
	_, err := c.GetTableReplication(t.Context(), &s3tables.GetTableReplicationInput{TableArn: aws.String(table)})
	if kind(err) != "NotFound" || errorMessage(err) != emulator.MessageNoTableReplication {
		t.Fatalf("error = %v, want NotFoundException %q", err, emulator.MessageNoTableReplication)
	}
	calls := s.Calls()
	if len(calls) != 1 || calls[0].Op != emulator.OpGetTable || calls[0].Bucket != src || calls[0].Status != 404 {
		t.Fatalf("calls = %+v", calls)
	}
}

// TestStrictBuckets checks that, in strict mode, only registered buckets
// exist, with a message distinct from "no configuration".
func TestStrictBuckets(t *testing.T) {
	s := start(t, emulator.WithStrictBuckets(src))
	s.AddBucket(dst2)
	s.SetReplication(dst3, role, []string{dst1}) // seeding registers dst3
	c := client(s, "us-east-1")
	ctx := t.Context()
	tests := []struct {
		name, bucket, wantMsg string
	}{
		{"registered by option", src, emulator.MessageNoReplication},
		{"registered by AddBucket", dst2, emulator.MessageNoReplication},
		{"unregistered", dst1, emulator.MessageNoSuchBucket},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := get(ctx, c, tt.bucket)
			if kind(err) != "NotFound" || errorMessage(err) != tt.wantMsg {
				t.Fatalf("get: %v, want NotFound %q", err, tt.wantMsg)
			}
		})
	}
	if _, err := get(ctx, c, dst3); err != nil {
		t.Fatalf("get of a seeded bucket: %v", err)
	}
	if _, err := put(ctx, c, dst1, nil, config(role, dst2)); kind(err) != "NotFound" || errorMessage(err) != emulator.MessageNoSuchBucket {
		t.Fatalf("put on an unregistered bucket: %v", err)
	}
	if err := del(ctx, c, dst1, aws.String("x")); kind(err) != "NotFound" || errorMessage(err) != emulator.MessageNoSuchBucket {
		t.Fatalf("delete on an unregistered bucket: %v", err)
	}
	if _, err := put(ctx, c, src, nil, config(role, dst1)); err != nil {
		t.Fatalf("put on a registered bucket: %v", err)
	}
	if _, ok := s.Replication(dst1); ok {
		t.Fatal("a refused put was stored")
	}
}

// TestAuthentication checks that unsigned and mis-scoped requests are
// refused before anything else, and that the SDK surfaces the error code.
func TestAuthentication(t *testing.T) {
	q := "/table-bucket-replication?tableBucketARN=" + url.QueryEscape(src)
	tests := []struct {
		name, auth, wantType string
	}{
		{"missing", "", "MissingAuthenticationTokenException"},
		{"other algorithm", "AWS4-ECDSA-P256-SHA256 Credential=AKID/20250101/us-east-1/s3tables/aws4_request, SignedHeaders=host, Signature=00", "IncompleteSignatureException"},
		{"no signature", "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/s3tables/aws4_request, SignedHeaders=host", "IncompleteSignatureException"},
		{"short scope", "AWS4-HMAC-SHA256 Credential=AKID/us-east-1/s3tables, SignedHeaders=host, Signature=00", "IncompleteSignatureException"},
		{"other service", "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00", "InvalidSignatureException"},
		{"bad terminator", "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/s3tables/aws5_request, SignedHeaders=host, Signature=00", "InvalidSignatureException"},
	}
	s := start(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := raw(t, s, "GET", q, tt.auth, "")
			if got.status != 403 || got.errorType != tt.wantType {
				t.Fatalf("got %d %q %s, want 403 %s", got.status, got.errorType, got.body, tt.wantType)
			}
		})
	}
	if got := raw(t, s, "GET", q, sigv4, ""); got.status != 404 || got.errorType != "NotFoundException" {
		t.Fatalf("a signed request got %+v", got)
	}

	// The SDK with anonymous credentials does not sign at all.
	anon := s3tables.NewFromConfig(aws.Config{
		Region: "us-east-1", Credentials: aws.AnonymousCredentials{},
		Retryer: func() aws.Retryer { return aws.NopRetryer{} },
	}, func(o *s3tables.Options) { o.BaseEndpoint = aws.String(s.URL()) })
	_, err := get(t.Context(), anon, src)
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "MissingAuthenticationTokenException" {
		t.Fatalf("unsigned SDK call: %v", err)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != 403 {
		t.Fatalf("unsigned SDK call status: %v", err)
	}
}

package emulator_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3tables"
	"github.com/aws/aws-sdk-go-v2/service/s3tables/types"
	"go.uber.org/goleak"

	"github.com/replsync/replsync/internal/emulator"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// Fixtures: ARNs that satisfy the model.
const (
	src   = "arn:aws:s3tables:us-east-1:111122223333:bucket/analytics"
	dst1  = "arn:aws:s3tables:us-west-2:111122223333:bucket/analytics-dr"
	dst2  = "arn:aws:s3tables:eu-west-1:444455556666:bucket/analytics-eu"
	dst3  = "arn:aws:s3tables:us-east-2:111122223333:bucket/analytics-3"
	role  = "arn:aws:iam::111122223333:role/S3TablesReplication"
	role2 = "arn:aws:iam::111122223333:role/Other"
)

// start returns a started emulator, closed when the test ends.
func start(t *testing.T, opts ...emulator.Option) *emulator.Server {
	t.Helper()
	s := emulator.New(opts...)
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// client is the real SDK client for the emulator, without SDK retries.
func client(s *emulator.Server, region string) *s3tables.Client {
	return clientAt(s.URL(), region)
}

// clientAt is the real SDK client for the endpoint url.
func clientAt(url, region string) *s3tables.Client {
	return s3tables.NewFromConfig(aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		Retryer:     func() aws.Retryer { return aws.NopRetryer{} },
	}, func(o *s3tables.Options) { o.BaseEndpoint = aws.String(url) })
}

// config builds the AWS shape of a single-rule configuration.
func config(r string, dests ...string) *types.TableBucketReplicationConfiguration {
	ds := make([]types.ReplicationDestination, len(dests))
	for i, d := range dests {
		ds[i] = types.ReplicationDestination{DestinationTableBucketARN: aws.String(d)}
	}
	return &types.TableBucketReplicationConfiguration{
		Role:  aws.String(r),
		Rules: []types.TableBucketReplicationRule{{Destinations: ds}},
	}
}

func put(ctx context.Context, c *s3tables.Client, bucket string, token *string, cfg *types.TableBucketReplicationConfiguration) (*s3tables.PutTableBucketReplicationOutput, error) {
	return c.PutTableBucketReplication(ctx, &s3tables.PutTableBucketReplicationInput{
		TableBucketARN: aws.String(bucket), VersionToken: token, Configuration: cfg,
	})
}

func get(ctx context.Context, c *s3tables.Client, bucket string) (*s3tables.GetTableBucketReplicationOutput, error) {
	return c.GetTableBucketReplication(ctx, &s3tables.GetTableBucketReplicationInput{TableBucketARN: aws.String(bucket)})
}

func del(ctx context.Context, c *s3tables.Client, bucket string, token *string) error {
	_, err := c.DeleteTableBucketReplication(ctx, &s3tables.DeleteTableBucketReplicationInput{
		TableBucketARN: aws.String(bucket), VersionToken: token,
	})
	return err
}

// destinations flattens a Get answer's destinations.
func destinations(out *s3tables.GetTableBucketReplicationOutput) []string {
	var ds []string
	for _, r := range out.Configuration.Rules {
		for _, d := range r.Destinations {
			ds = append(ds, aws.ToString(d.DestinationTableBucketARN))
		}
	}
	return ds
}

// errorMessage returns the message of an SDK API error ("" if none).
func errorMessage(err error) string {
	var ae interface{ ErrorMessage() string }
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

// rawResponse is an answer read without the SDK.
type rawResponse struct {
	status    int
	errorType string
	body      string
}

// sigv4 is a well-formed (unverified) Authorization header for s3tables.
const sigv4 = "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/s3tables/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"

// raw sends a request by hand, for what the SDK refuses to send.
func raw(t *testing.T, s *emulator.Server, method, pathAndQuery, auth, body string) rawResponse {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, s.URL()+pathAndQuery, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rawResponse{resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), string(bytes.TrimSpace(b))}
}

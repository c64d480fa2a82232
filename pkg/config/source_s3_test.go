package config

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/replsync/replsync/internal/fakes3"
)

// testAWSConfig is an aws.Config for local fakes: dummy credentials, no
// keep-alive, checksums only where required (gofakes3), endpoint url.
func testAWSConfig(url string) aws.Config {
	return aws.Config{
		Region:                     "us-east-1",
		Credentials:                credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		BaseEndpoint:               aws.String(url),
		HTTPClient:                 fakes3.NoKeepAlive(),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
}

const validDoc = `version: 1
defaults: {role: arn:aws:iam::111122223333:role/R}
buckets:
  - tableBucketARN: arn:aws:s3tables:us-east-1:111122223333:bucket/src
    destinations: [arn:aws:s3tables:us-west-2:111122223333:bucket/dst]
`

func TestNewS3Source(t *testing.T) {
	tests := []struct {
		spec                  string
		bucket, key, version  string
		canonical, wantErrSub string
	}{
		{spec: "s3://docs/replsync.yaml", bucket: "docs", key: "replsync.yaml", canonical: "s3://docs/replsync.yaml"},
		{spec: "S3://docs/a/b/c.json", bucket: "docs", key: "a/b/c.json", canonical: "s3://docs/a/b/c.json"},
		{spec: "s3://docs/x.yaml?versionId=3HL4kqtJ", bucket: "docs", key: "x.yaml", version: "3HL4kqtJ", canonical: "s3://docs/x.yaml?versionId=3HL4kqtJ"},
		{spec: "s3://docs/with%20space%3F.yaml", bucket: "docs", key: "with space?.yaml", canonical: "s3://docs/with%20space%3F.yaml"},
		{spec: "s3://docs.example.com/k", bucket: "docs.example.com", key: "k", canonical: "s3://docs.example.com/k"},
		{spec: "s3://docs/", wantErrSub: "no object key"},
		{spec: "s3://docs", wantErrSub: "no object key"},
		{spec: "s3:///key", wantErrSub: "not an S3 bucket name"},
		{spec: "s3://Docs/key", wantErrSub: "not an S3 bucket name"},
		{spec: "s3://docs/key?version=1", wantErrSub: `unknown query parameter "version"`},
		{spec: "s3://docs/key?versionId=", wantErrSub: "versionId needs"},
		{spec: "s3://docs/key#frag", wantErrSub: "fragment"},
		{spec: "s3://user@docs/key", wantErrSub: "user"},
		{spec: "s3:docs/key", wantErrSub: "want s3://bucket/key"},
		{spec: "s3://docs/%zz", wantErrSub: "invalid URL escape"},
	}
	api := stubS3{} // never called
	for _, tt := range tests {
		src, err := NewSource(tt.spec, WithS3(api))
		if tt.wantErrSub != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErrSub) {
				t.Errorf("NewSource(%q) = %v, %v; want an error containing %q", tt.spec, src, err, tt.wantErrSub)
			}
			continue
		}
		if err != nil {
			t.Errorf("NewSource(%q): %v", tt.spec, err)
			continue
		}
		s := src.(*S3Source)
		if s.Bucket() != tt.bucket || s.Key() != tt.key || s.VersionID() != tt.version || s.String() != tt.canonical {
			t.Errorf("NewSource(%q) = %q %q %q %q, want %q %q %q %q", tt.spec, s.Bucket(), s.Key(), s.VersionID(), s.String(), tt.bucket, tt.key, tt.version, tt.canonical)
		}
		if again, err := NewSource(s.String(), WithS3(api)); err != nil || again.String() != s.String() {
			t.Errorf("%q does not round-trip: %v, %v", s.String(), again, err)
		}
	}
}

// TestS3SourceWithGofakes3 reads, pins, detects changes and classifies
// errors against an S3 fake, through WithAWS (so path-style addressing
// for a custom endpoint is exercised: virtual-host style would not reach
// 127.0.0.1).
func TestS3SourceWithGofakes3(t *testing.T) {
	ctx := context.Background()
	fake := fakes3.New()
	fake.Start()
	defer fake.Close()
	fake.CreateBucket(t, "docs")
	v1 := fake.Put(t, "docs", "replsync.yaml", validDoc)
	withAWS := WithAWS(testAWSConfig(fake.URL()))

	src, err := NewSource("s3://docs/replsync.yaml", withAWS)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Load(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	id := doc.Identity
	if id.Source != "s3://docs/replsync.yaml" || id.ETag == "" || id.VersionID != v1 || id.SHA256 == "" || id.ModTime.IsZero() {
		t.Errorf("identity %+v, want source, ETag, version %q, SHA-256 and time", id, v1)
	}
	cd := src.(ChangeDetector)
	fake.ResetRequests()
	if changed, err := cd.Changed(ctx, id); err != nil || changed {
		t.Errorf("Changed right after Read = %v, %v; want false", changed, err)
	}
	if reqs := fake.Requests(); len(reqs) != 1 || reqs[0].Method != "HEAD" {
		t.Errorf("Changed sent %v, want one conditional HEAD", reqs)
	}

	v2 := fake.Put(t, "docs", "replsync.yaml", strings.Replace(validDoc, "bucket/dst", "bucket/dst2", 1))
	if changed, err := cd.Changed(ctx, id); err != nil || !changed {
		t.Errorf("Changed after an upload = %v, %v; want true", changed, err)
	}
	doc2, err := Load(ctx, src)
	if err != nil || doc2.Identity.VersionID != v2 || doc2.Buckets[0].Destinations[0] != "arn:aws:s3tables:us-west-2:111122223333:bucket/dst2" {
		t.Fatalf("Load after upload = %+v, %v", doc2, err)
	}

	// A pinned version reads that version, and never changes.
	pinned, err := NewSource("s3://docs/replsync.yaml?versionId="+v1, withAWS)
	if err != nil {
		t.Fatal(err)
	}
	doc1, err := Load(ctx, pinned)
	if err != nil || doc1.Identity.VersionID != v1 || doc1.Buckets[0].Destinations[0] != "arn:aws:s3tables:us-west-2:111122223333:bucket/dst" {
		t.Errorf("pinned Load = %+v, %v", doc1, err)
	}
	if changed, err := pinned.(ChangeDetector).Changed(ctx, doc1.Identity); err != nil || changed {
		t.Errorf("pinned Changed = %v, %v", changed, err)
	}

	// Errors name the source and wrap both a sentinel and the SDK's error.
	fake.Put(t, "docs", "empty.yaml", "")
	fake.Put(t, "docs", "denied.yaml", validDoc)
	fake.Deny("docs", "denied.yaml")
	tests := []struct {
		spec string
		is   error
		sub  string
	}{
		{"s3://docs/missing.yaml", ErrDocumentNotFound, "NoSuchKey"},
		{"s3://no-such-bucket/replsync.yaml", ErrDocumentNotFound, "NoSuchBucket"},
		{"s3://docs/denied.yaml", ErrAccessDenied, "s3:GetObject"},
		{"s3://docs/empty.yaml", nil, "document is empty"},
	}
	for _, tt := range tests {
		src, err := NewSource(tt.spec, withAWS)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Load(ctx, src)
		if err == nil || !strings.Contains(err.Error(), tt.spec) || !strings.Contains(err.Error(), tt.sub) {
			t.Errorf("Load(%s) error %v, want it to name the source and %q", tt.spec, err, tt.sub)
		}
		if tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("Load(%s): errors.Is(%v) is false for %v", tt.spec, tt.is, err)
		}
	}
	if changed, err := mustSource(t, "s3://docs/denied.yaml", withAWS).(ChangeDetector).Changed(ctx, id); err == nil || !errors.Is(err, ErrAccessDenied) {
		t.Errorf("Changed on a denied object = %v, %v; want ErrAccessDenied", changed, err)
	}
	if changed, err := mustSource(t, "s3://docs/missing.yaml", withAWS).(ChangeDetector).Changed(ctx, id); err != nil || !changed {
		t.Errorf("Changed on a missing object = %v, %v; want true (Read reports it)", changed, err)
	}
}

func mustSource(t *testing.T, spec string, opts ...SourceOption) Source {
	t.Helper()
	src, err := NewSource(spec, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// stubS3 answers GetObject with a fixed length and body.
type stubS3 struct {
	length *int64
	body   io.ReadCloser
}

func (s stubS3) GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	return &s3.GetObjectOutput{ContentLength: s.length, Body: s.body}, nil
}

func (s stubS3) HeadObject(context.Context, *s3.HeadObjectInput, ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	return &s3.HeadObjectOutput{}, nil
}

// explodingBody fails the test if anything reads it.
type explodingBody struct{ t *testing.T }

func (b explodingBody) Read([]byte) (int, error) {
	b.t.Error("the body of an oversized object was read")
	return 0, io.EOF
}
func (explodingBody) Close() error { return nil }

func TestS3SourceTooLarge(t *testing.T) {
	ctx := context.Background()
	// Refused from Content-Length without reading the body.
	src, _ := NewS3Source("s3://docs/big.yaml", stubS3{length: aws.Int64(MaxDocumentSize + 1), body: explodingBody{t}})
	_, err := Load(ctx, src)
	var perr *Error
	if !errors.As(err, &perr) || !strings.Contains(err.Error(), "s3://docs/big.yaml") || !strings.Contains(err.Error(), "1 MiB") {
		t.Errorf("Load of an oversized object: %v", err)
	}
	// Without a length, the bounded reader stops at the limit.
	big := strings.Repeat("#", MaxDocumentSize+10)
	src, _ = NewS3Source("s3://docs/big.yaml", stubS3{body: io.NopCloser(strings.NewReader(big))})
	if _, err := src.Read(ctx); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Read of an oversized body without length: %v, want ErrTooLarge", err)
	}
	// Exactly the limit is accepted by the source.
	exact := strings.Repeat("#", MaxDocumentSize)
	src, _ = NewS3Source("s3://docs/exact.yaml", stubS3{length: aws.Int64(MaxDocumentSize), body: io.NopCloser(strings.NewReader(exact))})
	if snap, err := src.Read(ctx); err != nil || len(snap.Data) != MaxDocumentSize {
		t.Errorf("Read of exactly 1 MiB: %d bytes, %v", len(snap.Data), err)
	}
}

package config

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// S3API is the part of *s3.Client that S3 sources use.
type S3API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, optFns ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
}

var _ S3API = (*s3.Client)(nil)

// S3Source reads the document from an S3 object: the current version, or
// the one pinned by versionId.
type S3Source struct {
	api       S3API
	bucket    string
	key       string
	versionID string
}

var (
	_ Source         = (*S3Source)(nil)
	_ ChangeDetector = (*S3Source)(nil)
)

// s3BucketRe is the form of S3 bucket names (general purpose buckets).
var s3BucketRe = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// NewS3Source returns the source for spec, s3://bucket/key or
// s3://bucket/key?versionId=V. spec is a URL: a key with "?", "#" or "%"
// in it must be percent-encoded.
func NewS3Source(spec string, api S3API) (*S3Source, error) {
	u, err := url.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("config: document source %q: not an s3://bucket/key URL: %w", spec, err)
	}
	key := strings.TrimPrefix(u.Path, "/")
	switch {
	case !strings.EqualFold(u.Scheme, "s3") || u.Opaque != "":
		return nil, fmt.Errorf("config: document source %q: want s3://bucket/key", spec)
	case !s3BucketRe.MatchString(u.Host):
		return nil, fmt.Errorf("config: document source %q: %q is not an S3 bucket name (want s3://bucket/key)", spec, u.Host)
	case key == "":
		return nil, fmt.Errorf("config: document source %q: no object key (want s3://bucket/key)", spec)
	case u.User != nil || u.Fragment != "":
		return nil, fmt.Errorf("config: document source %q: an S3 URL takes no user or fragment (percent-encode # in a key as %%23)", spec)
	}
	q := u.Query()
	for k := range q {
		if k != "versionId" {
			return nil, fmt.Errorf("config: document source %q: unknown query parameter %q (only versionId is known; percent-encode ? in a key as %%3F)", spec, k)
		}
	}
	if v, ok := q["versionId"]; ok && (len(v) != 1 || v[0] == "") {
		return nil, fmt.Errorf("config: document source %q: versionId needs exactly one non-empty value", spec)
	}
	return &S3Source{api: api, bucket: u.Host, key: key, versionID: q.Get("versionId")}, nil
}

// Bucket returns the bucket name.
func (s *S3Source) Bucket() string { return s.bucket }

// Key returns the object key.
func (s *S3Source) Key() string { return s.key }

// VersionID returns the pinned version, or "" for the current one.
func (s *S3Source) VersionID() string { return s.versionID }

// String returns s3://bucket/key (percent-encoded where needed) with
// ?versionId= when a version is pinned; NewSource accepts it back.
func (s *S3Source) String() string {
	u := url.URL{Scheme: "s3", Host: s.bucket, Path: "/" + s.key}
	if s.versionID != "" {
		u.RawQuery = url.Values{"versionId": {s.versionID}}.Encode()
	}
	return u.String()
}

// Read gets the object. An object larger than MaxDocumentSize is refused
// from its Content-Length, before its body is read, and the body is read
// through a bounded reader anyway. The Identity carries the ETag, the
// version ID (on versioned buckets) and the modification time. A missing
// bucket, object or version wraps ErrDocumentNotFound; a refusal wraps
// ErrAccessDenied; both also wrap the SDK's error.
func (s *S3Source) Read(ctx context.Context) (Snapshot, error) {
	in := &s3.GetObjectInput{Bucket: &s.bucket, Key: &s.key}
	if s.versionID != "" {
		in.VersionId = &s.versionID
	}
	out, err := s.api.GetObject(ctx, in)
	if err != nil {
		return Snapshot{}, s.fail(err)
	}
	defer out.Body.Close()
	if out.ContentLength != nil && *out.ContentLength > MaxDocumentSize {
		return Snapshot{}, fmt.Errorf("read %s: %w", s, errTooLarge(*out.ContentLength))
	}
	data, err := io.ReadAll(io.LimitReader(out.Body, MaxDocumentSize+1))
	if err != nil {
		return Snapshot{}, fmt.Errorf("read %s: reading the object: %w", s, err)
	}
	if len(data) > MaxDocumentSize {
		return Snapshot{}, fmt.Errorf("read %s: %w", s, errTooLarge(-1))
	}
	sum := sha256.Sum256(data)
	id := Identity{Source: s.String(), SHA256: hex.EncodeToString(sum[:])}
	if out.ETag != nil {
		id.ETag = *out.ETag
	}
	if out.VersionId != nil && *out.VersionId != "null" {
		id.VersionID = *out.VersionId
	}
	if out.LastModified != nil {
		id.ModTime = out.LastModified.UTC()
	}
	return Snapshot{Data: data, Identity: id}, nil
}

// Changed asks S3 with a conditional HeadObject (If-None-Match: the ETag
// of since) whether the object changed: 304 Not Modified means it did not.
// A pinned version never changes. Without an ETag to compare, or when the
// object is gone, it answers true and leaves the details to Read.
func (s *S3Source) Changed(ctx context.Context, since Identity) (bool, error) {
	if s.versionID != "" {
		return false, nil
	}
	if since.ETag == "" {
		return true, nil
	}
	_, err := s.api.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: &s.key, IfNoneMatch: &since.ETag})
	var notFound *types.NotFound
	switch {
	case err == nil:
		return true, nil
	case isNotModified(err):
		return false, nil
	case errors.As(err, &notFound):
		return true, nil
	default:
		return false, s.fail(err)
	}
}

// isNotModified recognizes the SDK's error for a 304 answer: a generic API
// error with the code NotModified (S3 sends no body, so the SDK makes the
// code from the status), on a response with status 304.
func isNotModified(err error) bool {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotModified {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "NotModified"
}

// fail names the source and classifies err with the SDK's typed errors.
func (s *S3Source) fail(err error) error {
	var (
		noKey    *types.NoSuchKey
		noBucket *types.NoSuchBucket
		notFound *types.NotFound
		ae       smithy.APIError
	)
	code := ""
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	switch {
	case errors.As(err, &noKey):
		return fmt.Errorf("read %s: %w: no such object (NoSuchKey): %w", s, ErrDocumentNotFound, err)
	case errors.As(err, &noBucket), code == "NoSuchBucket":
		// GetObject's model has no NoSuchBucket: the code says it.
		return fmt.Errorf("read %s: %w: no such bucket (NoSuchBucket): %w", s, ErrDocumentNotFound, err)
	case errors.As(err, &notFound), code == "NoSuchVersion":
		return fmt.Errorf("read %s: %w: %w", s, ErrDocumentNotFound, err)
	case code == "AccessDenied", code == "Forbidden", code == "AllAccessDisabled":
		need := "s3:GetObject"
		if s.versionID != "" {
			need = "s3:GetObjectVersion"
		}
		return fmt.Errorf("read %s: %w (%s is needed on the object, and kms:Decrypt if it is encrypted with a KMS key; S3 also answers AccessDenied for a missing object when s3:ListBucket is not granted): %w", s, ErrAccessDenied, need, err)
	case code == "PermanentRedirect", code == "AuthorizationHeaderMalformed":
		return fmt.Errorf("read %s: the bucket is in another region than the one configured (AWS_REGION): %w", s, err)
	default:
		return fmt.Errorf("read %s: %w", s, err)
	}
}

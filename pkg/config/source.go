package config

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// ErrUnsupportedSource is wrapped by NewSource's error for a source kind
// that this build cannot read.
var ErrUnsupportedSource = errors.New("unsupported document source")

// ErrTooLarge is wrapped by the error of a source whose document is larger
// than MaxDocumentSize. Load turns it into an *Error.
var ErrTooLarge = errors.New("document too large")

// tooLargeError is what sources return for a document over the limit.
type tooLargeError struct {
	size int64 // -1 when only "more than the limit" is known
}

// errTooLarge returns the error for a document of size bytes (-1:
// unknown, but more than the limit).
func errTooLarge(size int64) error { return &tooLargeError{size: size} }

func (e *tooLargeError) Error() string {
	if e.size < 0 {
		return fmt.Sprintf("%v: more than the limit of %d bytes (1 MiB)", ErrTooLarge, MaxDocumentSize)
	}
	return fmt.Sprintf("%v: %d bytes, more than the limit of %d bytes (1 MiB)", ErrTooLarge, e.size, MaxDocumentSize)
}

func (e *tooLargeError) Unwrap() error { return ErrTooLarge }

// ErrDocumentNotFound is wrapped by a source's error when the document
// does not exist (no such object, bucket, version or parameter).
var ErrDocumentNotFound = errors.New("document not found")

// ErrAccessDenied is wrapped by a source's error when AWS refused to
// give the document (IAM, bucket policy, KMS).
var ErrAccessDenied = errors.New("access denied")

// schemeRe matches what may be a URL scheme at the start of a source spec;
// isSourceURL decides.
var schemeRe = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*):`)

// SourceOption gives NewSource what a source kind needs.
type SourceOption func(*sourceOptions)

type sourceOptions struct {
	s3  S3API
	ssm SSMAPI
}

// WithS3 sets the client of s3:// sources.
func WithS3(api S3API) SourceOption { return func(o *sourceOptions) { o.s3 = api } }

// WithSSM sets the client of ssm: sources and parameter ARNs.
func WithSSM(api SSMAPI) SourceOption { return func(o *sourceOptions) { o.ssm = api } }

// NewSource returns the source named by spec:
//
//	./x.yaml, x.yaml, /abs/x.yaml   a local file (made absolute now)
//	file:///abs/x.json               a local file
//	s3://bucket/key.yaml             an S3 object (?versionId=V pins a version)
//	ssm:/parameter/name, ssm:name    an SSM parameter, by name
//	arn:aws:ssm:REGION:ACCOUNT:parameter/name
//	                                 an SSM parameter, by ARN (also after ssm:),
//	                                 read in the ARN's region
//
// A relative file name that looks like one of these (arn:x.yaml) is
// written ./arn:x.yaml. S3 and SSM sources need their client (WithS3,
// WithSSM, or WithAWS for both); file sources need nothing. NewSource checks the spec's form but
// does not read the source: a missing document is reported by Read.
func NewSource(spec string, opts ...SourceOption) (Source, error) {
	var o sourceOptions
	for _, opt := range opts {
		opt(&o)
	}
	if strings.TrimSpace(spec) == "" {
		return nil, errors.New("config: empty document source (want a file path, file://, s3:// or ssm: URL)")
	}
	m := schemeRe.FindStringSubmatch(spec)
	if m == nil || !isSourceURL(spec, m[1]) {
		return NewFileSource(spec)
	}
	switch scheme := strings.ToLower(m[1]); scheme {
	case "file":
		return fileSourceFromURL(spec)
	case "s3":
		if o.s3 == nil {
			return nil, fmt.Errorf("config: document source %q: %w: no S3 client was configured", spec, ErrUnsupportedSource)
		}
		return NewS3Source(spec, o.s3)
	case "ssm", "arn":
		if o.ssm == nil {
			return nil, fmt.Errorf("config: document source %q: %w: no SSM client was configured", spec, ErrUnsupportedSource)
		}
		return NewSSMSource(spec, o.ssm)
	default:
		return nil, fmt.Errorf("config: document source %q: %w: scheme %q (want a file path, file://, s3:// or ssm:)", spec, ErrUnsupportedSource, scheme)
	}
}

// isSourceURL tells a URL from a file name that happens to contain a colon
// ("a:b.yaml"): a URL has "//" after its scheme, or is one of the schemes
// this package knows.
func isSourceURL(spec, scheme string) bool {
	switch strings.ToLower(scheme) {
	case "file", "s3", "ssm", "arn":
		return true
	}
	return strings.HasPrefix(spec[len(scheme)+1:], "//")
}

func fileSourceFromURL(spec string) (Source, error) {
	u, err := url.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("config: document source %q: %w", spec, err)
	}
	switch {
	case u.Opaque != "" || !strings.HasPrefix(u.Path, "/"):
		return nil, fmt.Errorf("config: document source %q: a file URL needs an absolute path (file:///abs/path)", spec)
	case u.Host != "" && u.Host != "localhost":
		return nil, fmt.Errorf("config: document source %q: a file URL cannot name a host (file:///abs/path)", spec)
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return nil, fmt.Errorf("config: document source %q: a file URL takes no user, query or fragment", spec)
	}
	return NewFileSource(u.Path)
}

// Load reads the current document from src, parses it and returns it with
// its Identity (Source always set, SHA256 computed if the source did not
// give it, unless the document is secret). A secret document
// (Snapshot.Sensitive) is parsed with ParseRedacted and gets no SHA256:
// neither an error nor the identity says anything about its text. A document that is too large (whether the source or Load
// notices) or fails Parse returns an *Error whose Source is src.String();
// any other source error is returned as the source reports it.
func Load(ctx context.Context, src Source) (*Document, error) {
	snap, err := src.Read(ctx)
	var tooLarge *tooLargeError
	switch {
	case errors.As(err, &tooLarge):
		return nil, &Error{Source: src.String(), Problems: []Problem{tooLargeProblem(tooLarge.size)}}
	case err != nil:
		return nil, err
	case len(snap.Data) > MaxDocumentSize:
		// Sources refuse large documents themselves; this holds for any.
		return nil, &Error{Source: src.String(), Problems: []Problem{tooLargeProblem(int64(len(snap.Data)))}}
	}
	parse := Parse
	if snap.Sensitive {
		parse = ParseRedacted
	}
	doc, err := parse(snap.Data)
	if err != nil {
		var perr *Error
		if errors.As(err, &perr) {
			perr.Source = src.String()
		}
		return nil, err
	}
	doc.Identity = snap.Identity
	if doc.Identity.Source == "" {
		doc.Identity.Source = src.String()
	}
	if doc.Identity.SHA256 == "" && !snap.Sensitive {
		sum := sha256.Sum256(snap.Data)
		doc.Identity.SHA256 = hex.EncodeToString(sum[:])
	}
	return doc, nil
}

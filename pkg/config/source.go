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

// schemeRe matches what may be a URL scheme at the start of a source spec;
// isSourceURL decides.
var schemeRe = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*):`)

// NewSource returns the source named by spec:
//
//	./x.yaml, x.yaml, /abs/x.yaml   a local file (made absolute now)
//	file:///abs/x.json               a local file
//	s3://bucket/key.yaml             an S3 object (not available yet)
//	ssm:/parameter/name              an SSM parameter (not available yet)
//
// It does not read the source: a missing file is reported by Read.
func NewSource(spec string) (Source, error) {
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
	case "s3", "ssm":
		return nil, fmt.Errorf("config: document source %q: %w: %s sources are not available yet (use a file)", spec, ErrUnsupportedSource, scheme)
	default:
		return nil, fmt.Errorf("config: document source %q: %w: scheme %q (want a file path, file://, s3:// or ssm:)", spec, ErrUnsupportedSource, scheme)
	}
}

// isSourceURL tells a URL from a file name that happens to contain a colon
// ("a:b.yaml"): a URL has "//" after its scheme, or is one of the schemes
// this package knows.
func isSourceURL(spec, scheme string) bool {
	switch strings.ToLower(scheme) {
	case "file", "s3", "ssm":
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
// give it). A document that is too large (whether the source or Load
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
	doc, err := Parse(snap.Data)
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
	if doc.Identity.SHA256 == "" {
		sum := sha256.Sum256(snap.Data)
		doc.Identity.SHA256 = hex.EncodeToString(sum[:])
	}
	return doc, nil
}

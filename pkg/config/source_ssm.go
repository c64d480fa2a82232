package config

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
)

// SSMAPI is the part of *ssm.Client that SSM sources use.
type SSMAPI interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

var _ SSMAPI = (*ssm.Client)(nil)

// SSMSource reads the document from an SSM Parameter Store parameter of
// type String or SecureString (decrypted; its value is then treated as
// secret, see Snapshot.Sensitive).
type SSMSource struct {
	api SSMAPI
	// name is what GetParameter is called with: the name, or the ARN.
	name string
	// region is the ARN's region; "" for the configured one.
	region string
	arn    bool
}

var (
	_ Source         = (*SSMSource)(nil)
	_ ChangeDetector = (*SSMSource)(nil)
)

var (
	// ssmNameRe is the form of parameter names: letters, digits and
	// _.-/ (a hierarchy starts with /), at most 2048 characters. A ":"
	// would select a version or label, which a source does not do.
	ssmNameRe = regexp.MustCompile(`^[A-Za-z0-9_./-]+$`)
	// ssmARNRe is the form of parameter ARNs; the name after "parameter/"
	// lacks the leading / of a hierarchical name.
	ssmARNRe = regexp.MustCompile(`^arn:(aws(?:-[a-z]+)*):ssm:([a-z]{2,}(?:-[a-z]+)+-[0-9]{1,2}):([0-9]{12}):parameter/([A-Za-z0-9_./-]+)$`)
)

// NewSSMSource returns the source for spec: ssm:/hierarchical/name,
// ssm:plain-name, or a parameter ARN (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME,
// optionally after ssm:), whose region is the one GetParameter is sent to
// and which is how a parameter shared from another account is read.
// Version and label selectors (name:3) are refused: the source always
// reads the current version.
func NewSSMSource(spec string, api SSMAPI) (*SSMSource, error) {
	rest := spec
	if len(rest) >= 4 && strings.EqualFold(rest[:4], "ssm:") {
		rest = rest[4:]
		if strings.HasPrefix(rest, "//") {
			return nil, fmt.Errorf("config: document source %q: write ssm:/name or ssm:name (one slash: the parameter name follows the colon)", spec)
		}
	}
	if strings.HasPrefix(rest, "arn:") {
		m := ssmARNRe.FindStringSubmatch(rest)
		if m == nil {
			return nil, fmt.Errorf("config: document source %q: not an SSM parameter ARN (want arn:<partition>:ssm:<region>:<12-digit account>:parameter/<name>)", spec)
		}
		return &SSMSource{api: api, name: rest, region: m[2], arn: true}, nil
	}
	switch {
	case rest == "":
		return nil, fmt.Errorf("config: document source %q: no parameter name (want ssm:/name)", spec)
	case strings.Contains(rest, ":"):
		return nil, fmt.Errorf("config: document source %q: version and label selectors (name:N) are not supported; the current version is always read", spec)
	case !ssmNameRe.MatchString(rest) || len(rest) > 2048:
		return nil, fmt.Errorf("config: document source %q: %q is not a parameter name (letters, digits and _.-/ only)", spec, rest)
	}
	return &SSMSource{api: api, name: rest}, nil
}

// Name returns the parameter name, or its ARN when the source was given
// by ARN.
func (s *SSMSource) Name() string { return s.name }

// Matches reports whether name (as Parameter Store Change events give
// it) is the parameter of this source. An ARN's name lacks the leading /
// of a hierarchical name, so the comparison ignores it.
func (s *SSMSource) Matches(name string) bool {
	own := s.name
	if s.arn {
		own = own[strings.Index(own, ":parameter/")+len(":parameter/"):]
	}
	return strings.TrimPrefix(own, "/") == strings.TrimPrefix(name, "/")
}

// String returns ssm:NAME, or the ARN; NewSource accepts it back.
func (s *SSMSource) String() string {
	if s.arn {
		return s.name
	}
	return "ssm:" + s.name
}

func (s *SSMSource) regionOpt() []func(*ssm.Options) {
	if s.region == "" {
		return nil
	}
	region := s.region
	return []func(*ssm.Options){func(o *ssm.Options) { o.Region = region }}
}

// Read gets the parameter's current version, decrypted. String and
// SecureString parameters are documents; a StringList is refused. A
// SecureString's value is marked Sensitive, and no error of this source
// ever quotes a value. The Identity carries the parameter version and its
// modification time. A missing parameter wraps ErrDocumentNotFound, a
// refusal (IAM or KMS) ErrAccessDenied.
func (s *SSMSource) Read(ctx context.Context) (Snapshot, error) {
	out, err := s.api.GetParameter(ctx, &ssm.GetParameterInput{Name: &s.name, WithDecryption: ptr(true)}, s.regionOpt()...)
	if err != nil {
		return Snapshot{}, s.fail(err)
	}
	p := out.Parameter
	if p == nil || p.Value == nil {
		return Snapshot{}, fmt.Errorf("read %s: GetParameter returned no value", s)
	}
	switch p.Type {
	case types.ParameterTypeString, types.ParameterTypeSecureString:
	case types.ParameterTypeStringList:
		return Snapshot{}, fmt.Errorf("read %s: the parameter is a StringList; store the document as a String or SecureString", s)
	default:
		return Snapshot{}, fmt.Errorf("read %s: unknown parameter type %q (want String or SecureString)", s, p.Type)
	}
	if len(*p.Value) > MaxDocumentSize {
		return Snapshot{}, fmt.Errorf("read %s: %w", s, errTooLarge(int64(len(*p.Value))))
	}
	id := Identity{Source: s.String(), ParameterVersion: p.Version}
	if p.LastModifiedDate != nil {
		id.ModTime = p.LastModifiedDate.UTC()
	}
	return Snapshot{Data: []byte(*p.Value), Identity: id, Sensitive: p.Type == types.ParameterTypeSecureString}, nil
}

// Changed compares the parameter's current version with since's. It calls
// GetParameter without decryption, so no KMS request is made and a
// SecureString's value stays encrypted (and is dropped). A missing
// parameter counts as changed: Read reports it.
func (s *SSMSource) Changed(ctx context.Context, since Identity) (bool, error) {
	if since.ParameterVersion == 0 {
		return true, nil
	}
	out, err := s.api.GetParameter(ctx, &ssm.GetParameterInput{Name: &s.name, WithDecryption: ptr(false)}, s.regionOpt()...)
	var notFound *types.ParameterNotFound
	switch {
	case errors.As(err, &notFound):
		return true, nil
	case err != nil:
		return false, s.fail(err)
	case out.Parameter == nil:
		return true, nil
	}
	return out.Parameter.Version != since.ParameterVersion, nil
}

// fail names the source and classifies err with the SDK's typed errors.
// SSM's errors carry no parameter values.
func (s *SSMSource) fail(err error) error {
	var (
		notFound   *types.ParameterNotFound
		noVersion  *types.ParameterVersionNotFound
		badKey     *types.InvalidKeyId
		ae         smithy.APIError
		code, hint string
	)
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	if s.arn {
		hint = " (a parameter shared from another account must be named by its ARN, and shared with this one)"
	}
	switch {
	case errors.As(err, &notFound), errors.As(err, &noVersion):
		return fmt.Errorf("read %s: %w: no such parameter%s: %w", s, ErrDocumentNotFound, hint, err)
	case code == "AccessDeniedException", code == "AccessDenied":
		return fmt.Errorf("read %s: %w (ssm:GetParameter is needed on the parameter, and kms:Decrypt through SSM for a SecureString): %w", s, ErrAccessDenied, err)
	case errors.As(err, &badKey):
		return fmt.Errorf("read %s: %w: the SecureString's KMS key cannot be used: %w", s, ErrAccessDenied, err)
	default:
		return fmt.Errorf("read %s: %w", s, err)
	}
}

func ptr[T any](v T) *T { return &v }

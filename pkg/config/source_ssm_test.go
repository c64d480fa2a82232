package config

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/replsync/replsync/internal/fakessm"
)

func TestNewSSMSource(t *testing.T) {
	tests := []struct {
		spec, name, canonical, wantErrSub string
	}{
		{spec: "ssm:/replsync/document", name: "/replsync/document", canonical: "ssm:/replsync/document"},
		{spec: "SSM:/replsync/document", name: "/replsync/document", canonical: "ssm:/replsync/document"},
		{spec: "ssm:replsync-doc", name: "replsync-doc", canonical: "ssm:replsync-doc"},
		{spec: "arn:aws:ssm:eu-west-1:444455556666:parameter/replsync/doc", name: "arn:aws:ssm:eu-west-1:444455556666:parameter/replsync/doc", canonical: "arn:aws:ssm:eu-west-1:444455556666:parameter/replsync/doc"},
		{spec: "ssm:arn:aws-cn:ssm:cn-north-1:444455556666:parameter/doc", name: "arn:aws-cn:ssm:cn-north-1:444455556666:parameter/doc", canonical: "arn:aws-cn:ssm:cn-north-1:444455556666:parameter/doc"},
		{spec: "ssm:", wantErrSub: "no parameter name"},
		{spec: "ssm://replsync/document", wantErrSub: "one slash"},
		{spec: "ssm:/replsync/document:3", wantErrSub: "selectors"},
		{spec: "ssm:/with space", wantErrSub: "not a parameter name"},
		{spec: "arn:aws:ssm:eu-west-1:444455556666:document/x", wantErrSub: "not an SSM parameter ARN"},
		{spec: "arn:aws:s3:::bucket/key", wantErrSub: "not an SSM parameter ARN"},
	}
	for _, tt := range tests {
		src, err := NewSource(tt.spec, WithSSM(&ssm.Client{}))
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
		s := src.(*SSMSource)
		if s.Name() != tt.name || s.String() != tt.canonical {
			t.Errorf("NewSource(%q) = name %q, %q; want %q, %q", tt.spec, s.Name(), s.String(), tt.name, tt.canonical)
		}
	}
}

func TestSSMSourceMatches(t *testing.T) {
	tests := []struct {
		spec, event string
		want        bool
	}{
		{"ssm:/replsync/document", "/replsync/document", true},
		{"ssm:/replsync/document", "/replsync/other", false},
		{"ssm:doc", "doc", true},
		{"arn:aws:ssm:us-east-1:111122223333:parameter/replsync/document", "/replsync/document", true},
		{"arn:aws:ssm:us-east-1:111122223333:parameter/doc", "doc", true},
		{"arn:aws:ssm:us-east-1:111122223333:parameter/doc", "/doc", true},
		{"arn:aws:ssm:us-east-1:111122223333:parameter/doc", "/doc/x", false},
	}
	for _, tt := range tests {
		s := mustSource(t, tt.spec, WithSSM(&ssm.Client{})).(*SSMSource)
		if got := s.Matches(tt.event); got != tt.want {
			t.Errorf("%s.Matches(%q) = %v, want %v", tt.spec, tt.event, got, tt.want)
		}
	}
}

// TestSSMSourceWithFake reads String and SecureString parameters, by name
// and by ARN (in the ARN's region), detects changes by version, and
// classifies errors, against the SSM fake through WithAWS.
func TestSSMSourceWithFake(t *testing.T) {
	ctx := context.Background()
	fake := fakessm.New()
	fake.Start()
	defer fake.Close()
	withAWS := WithAWS(testAWSConfig(fake.URL()))

	fake.Put("/replsync/plain", "String", validDoc)
	fake.Put("/replsync/secret", "SecureString", validDoc)
	fake.Put("/replsync/list", "StringList", "a,b")
	fake.Put("/replsync/bad-secret", "SecureString", "version: 1\nbuckets:\n  - tableBucketARN: "+secretMarker+"\n    role: "+secretMarker+"\n    destinations: ["+secretMarker+"]\n")
	fake.Put("/replsync/denied", "String", validDoc)
	fake.Deny("/replsync/denied")

	src := mustSource(t, "ssm:/replsync/plain", withAWS)
	doc, err := Load(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if id := doc.Identity; id.Source != "ssm:/replsync/plain" || id.ParameterVersion != 1 || id.SHA256 == "" || id.ModTime.IsZero() {
		t.Errorf("identity %+v", id)
	}
	calls := fake.Calls()
	if len(calls) != 1 || !calls[0].WithDecryption || calls[0].SigningRegion != "us-east-1" {
		t.Errorf("calls %+v, want one GetParameter with decryption in us-east-1", calls)
	}

	// A SecureString is Sensitive: no hash, and a redacted parse.
	snap, err := mustSource(t, "ssm:/replsync/secret", withAWS).Read(ctx)
	if err != nil || !snap.Sensitive {
		t.Errorf("SecureString snapshot: sensitive %v, %v", snap.Sensitive, err)
	}
	sdoc, err := Load(ctx, mustSource(t, "ssm:/replsync/secret", withAWS))
	if err != nil || sdoc.Identity.SHA256 != "" || sdoc.Identity.ParameterVersion != 1 {
		t.Errorf("SecureString document identity %+v, %v; want a version and no hash", sdoc.Identity, err)
	}
	_, err = Load(ctx, mustSource(t, "ssm:/replsync/bad-secret", withAWS))
	var perr *Error
	if !errors.As(err, &perr) || !perr.Redacted || perr.Source != "ssm:/replsync/bad-secret" {
		t.Fatalf("invalid SecureString: %v, want a redacted *Error naming the source", err)
	}
	if strings.Contains(err.Error(), secretMarker) || !strings.Contains(err.Error(), "buckets[0].role") {
		t.Errorf("invalid SecureString error quotes the value or lost the path:\n%v", err)
	}

	// By ARN, in the ARN's region.
	fake.ResetCalls()
	arn := "arn:aws:ssm:eu-west-1:111122223333:parameter/replsync/plain"
	if _, err := Load(ctx, mustSource(t, arn, withAWS)); err != nil {
		t.Fatal(err)
	}
	if calls := fake.Calls(); len(calls) != 1 || calls[0].Name != arn || calls[0].SigningRegion != "eu-west-1" {
		t.Errorf("ARN source calls %+v, want GetParameter by ARN signed for eu-west-1", calls)
	}

	// Changes by version, without decryption.
	fake.ResetCalls()
	cd := mustSource(t, "ssm:/replsync/secret", withAWS).(ChangeDetector)
	if changed, err := cd.Changed(ctx, sdoc.Identity); err != nil || changed {
		t.Errorf("Changed at the same version = %v, %v", changed, err)
	}
	fake.Put("/replsync/secret", "SecureString", validDoc)
	if changed, err := cd.Changed(ctx, sdoc.Identity); err != nil || !changed {
		t.Errorf("Changed after a new version = %v, %v", changed, err)
	}
	for _, c := range fake.Calls() {
		if c.WithDecryption {
			t.Errorf("Changed asked for decryption: %+v", c)
		}
	}
	if changed, err := mustSource(t, "ssm:/replsync/missing", withAWS).(ChangeDetector).Changed(ctx, sdoc.Identity); err != nil || !changed {
		t.Errorf("Changed on a missing parameter = %v, %v; want true", changed, err)
	}

	tests := []struct {
		spec string
		is   error
		sub  string
	}{
		{"ssm:/replsync/missing", ErrDocumentNotFound, "ParameterNotFound"},
		{"ssm:/replsync/denied", ErrAccessDenied, "ssm:GetParameter"},
		{"ssm:/replsync/list", nil, "StringList"},
	}
	for _, tt := range tests {
		_, err := Load(ctx, mustSource(t, tt.spec, withAWS))
		if err == nil || !strings.Contains(err.Error(), tt.spec) || !strings.Contains(err.Error(), tt.sub) {
			t.Errorf("Load(%s) error %v, want it to name the source and %q", tt.spec, err, tt.sub)
		}
		if tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("Load(%s): errors.Is(%v) is false for %v", tt.spec, tt.is, err)
		}
	}
}

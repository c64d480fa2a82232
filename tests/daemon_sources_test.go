package tests

import (
	"net/url"
	"strings"
	"testing"

	"github.com/replsync/replsync/internal/emulator"
	"github.com/replsync/replsync/internal/fakes3"
	"github.com/replsync/replsync/internal/fakessm"
)

// TestDaemonDocumentSources runs the built daemon with --config in each
// remote form against in-process S3 and SSM fakes: a pass converges, a
// second makes no write; a missing document fails naming the source with
// zero calls to S3 Tables.
func TestDaemonDocumentSources(t *testing.T) {
	s3 := fakes3.New()
	s3.Start()
	defer s3.Close()
	ssm := fakessm.New()
	ssm.Start()
	defer ssm.Close()
	s3.CreateBucket(t, docBucket)
	v1 := s3.Put(t, docBucket, "replsync.yaml", e2eDoc)
	s3.Put(t, docBucket, "replsync.yaml", "version: 1\nbuckets: []\n") // v1 stays readable by versionId
	ssm.Put(docParam, "SecureString", e2eDoc)
	ssm.Put("plain-name", "String", e2eDoc)

	tests := []struct {
		name, config, missing, missingSub string
	}{
		{"s3 pinned version", "s3://" + docBucket + "/replsync.yaml?versionId=" + url.QueryEscape(v1), "s3://" + docBucket + "/nope.yaml", "NoSuchKey"},
		{"ssm hierarchical name", "ssm:" + docParam, "ssm:/replsync/nope", "ParameterNotFound"},
		{"ssm plain name", "ssm:plain-name", "ssm:nope", "ParameterNotFound"},
		{"ssm ARN in another region", "arn:aws:ssm:eu-west-1:111122223333:parameter/replsync/document", "arn:aws:ssm:eu-west-1:111122223333:parameter/nope", "ParameterNotFound"},
	}
	env := []string{"AWS_ENDPOINT_URL_S3=" + s3.URL(), "AWS_ENDPOINT_URL_SSM=" + ssm.URL(),
		"AWS_REQUEST_CHECKSUM_CALCULATION=when_required", "AWS_RESPONSE_CHECKSUM_VALIDATION=when_required"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := emulator.New()
			emu.Start()
			defer emu.Close()
			for round, want := range []int{2, 0} {
				emu.ResetCalls()
				r := runDaemon(t, emu, env, "--config", tt.config, "--once", "--output", "json")
				if r.code != 0 {
					t.Fatalf("round %d: exit %d\n%s", round, r.code, r.stderr)
				}
				if w := writes(emu); w != want {
					t.Errorf("round %d: %d writes, want %d", round, w, want)
				}
				if rep := decodeReport(t, r.stdout); rep.Document.Source != tt.config {
					t.Errorf("report source %q, want %q", rep.Document.Source, tt.config)
				}
			}
			converged(t, emu)

			emu.ResetCalls()
			r := runDaemon(t, emu, env, "--config", tt.missing, "--once", "--output", "json")
			if r.code != 1 || !strings.Contains(r.stderr, tt.missing) || !strings.Contains(r.stderr, tt.missingSub) {
				t.Errorf("missing document: exit %d, stderr:\n%s", r.code, r.stderr)
			}
			if n := len(emu.Calls()); n != 0 {
				t.Errorf("missing document: %d calls to S3 Tables", n)
			}
		})
	}
	var regions []string
	for _, c := range ssm.Calls() {
		if strings.HasPrefix(c.Name, "arn:") {
			regions = append(regions, c.SigningRegion)
		}
	}
	if len(regions) == 0 || strings.Join(regions, ",") != strings.Repeat("eu-west-1,", len(regions)-1)+"eu-west-1" {
		t.Errorf("calls by ARN went to %v, want eu-west-1 (the ARN's region)", regions)
	}
}

// TestDaemonSecureStringNeverShown: an invalid SecureString document fails
// with paths and lines, and its text appears nowhere in the output.
func TestDaemonSecureStringNeverShown(t *testing.T) {
	ssm := fakessm.New()
	ssm.Start()
	defer ssm.Close()
	ssm.Put(docParam, "SecureString", invalidSecretDoc)
	emu := emulator.New()
	emu.Start()
	defer emu.Close()
	for _, output := range []string{"json", "text"} {
		r := runDaemon(t, emu, []string{"AWS_ENDPOINT_URL_SSM=" + ssm.URL()}, "--config", "ssm:"+docParam, "--once", "--output", output)
		if r.code != 1 || !strings.Contains(r.stderr, "buckets[0].role") || !strings.Contains(r.stderr, "line 4") {
			t.Errorf("%s: exit %d, stderr:\n%s", output, r.code, r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, secretMarker) {
			t.Errorf("%s: the SecureString's text is in the output:\n%s\n%s", output, r.stdout, r.stderr)
		}
	}
	if n := len(emu.Calls()); n != 0 {
		t.Errorf("%d calls to S3 Tables", n)
	}
}

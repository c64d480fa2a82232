package tests

import (
	"strings"
	"testing"

	"github.com/replsync/replsync/internal/emulator"
	"github.com/replsync/replsync/internal/fakes3"
	"github.com/replsync/replsync/internal/fakessm"
)

const (
	docBucket = "replsync-docs"
	docKey    = "config/replsync desired.yaml"
	docParam  = "/replsync/document"
	e2eRole   = "arn:aws:iam::111122223333:role/R"
	e2eA      = "arn:aws:s3tables:us-east-1:111122223333:bucket/aaa"
	e2eB      = "arn:aws:s3tables:us-west-2:111122223333:bucket/bbb"
	e2eDestA  = "arn:aws:s3tables:us-west-2:111122223333:bucket/aaa-dr"
	e2eDestB  = "arn:aws:s3tables:us-east-1:111122223333:bucket/bbb-dr"
	// secretMarker stands for the text of a SecureString document.
	secretMarker = "S3CR3TMARKER"
)

const e2eDoc = "version: 1\ndefaults: {role: " + e2eRole + "}\nbuckets:\n" +
	"  - tableBucketARN: " + e2eA + "\n    destinations: [" + e2eDestA + "]\n" +
	"  - tableBucketARN: " + e2eB + "\n    destinations: [" + e2eDestB + "]\n"

// invalidSecretDoc fails validation with the marker in every value.
const invalidSecretDoc = "version: 1\nbuckets:\n  - tableBucketARN: " + secretMarker + "\n    role: " + secretMarker + "\n    destinations: [" + secretMarker + "]\n"

// lambdaFixture is the function under the RIE with its document in an
// in-process S3 (gofakes3) or SSM fake, and the S3 Tables emulator.
type lambdaFixture struct {
	emu *emulator.Server
	s3  *fakes3.Server
	ssm *fakessm.Server
	fn  *function
}

func newLambdaFixture(t *testing.T, config string) *lambdaFixture {
	t.Helper()
	f := &lambdaFixture{emu: emulator.New(), s3: fakes3.New(), ssm: fakessm.New()}
	f.emu.Start()
	f.s3.Start()
	f.ssm.Start()
	t.Cleanup(func() { f.emu.Close(); f.s3.Close(); f.ssm.Close() })
	f.s3.CreateBucket(t, docBucket)
	f.s3.Put(t, docBucket, docKey, e2eDoc)
	f.ssm.Put(docParam, "SecureString", e2eDoc)
	f.fn = startFunction(t, f.emu,
		"AWS_ENDPOINT_URL_S3="+f.s3.URL(), "AWS_ENDPOINT_URL_SSM="+f.ssm.URL(),
		"REPLSYNC_CONFIG="+config, "REPLSYNC_LOG_LEVEL=info")
	return f
}

// step is one invocation and what it must do.
type step struct {
	name   string
	before func(f *lambdaFixture)
	event  string // file in internal/lambda/testdata
	ran    bool
	writes int
	errSub string // the error must contain it; "" = success
}

func (f *lambdaFixture) run(t *testing.T, steps []step) {
	t.Helper()
	for _, st := range steps {
		if st.before != nil {
			st.before(f)
		}
		f.emu.ResetCalls()
		inv := f.fn.invoke(t, lambdaEvent(t, st.event))
		switch {
		case st.errSub != "":
			if !strings.Contains(inv.ErrorMessage, st.errSub) {
				t.Errorf("%s: want an error containing %q, got %s", st.name, st.errSub, inv.raw)
			}
		case inv.ErrorMessage != "" || inv.Ran != st.ran:
			t.Errorf("%s: want ran=%v without error, got %s", st.name, st.ran, inv.raw)
		}
		if w := writes(f.emu); w != st.writes {
			t.Errorf("%s: %d writes, want %d (%s)", st.name, w, st.writes, inv.raw)
		}
		if !st.ran && st.errSub == "" && len(f.emu.Calls()) != 0 {
			t.Errorf("%s: an ignored event called S3 Tables", st.name)
		}
	}
}

func converged(t *testing.T, emu *emulator.Server) {
	t.Helper()
	for arn, dest := range map[string]string{e2eA: e2eDestA, e2eB: e2eDestB} {
		if r, ok := emu.Replication(arn); !ok || r.Role != e2eRole || len(r.Destinations) != 1 || r.Destinations[0] != dest {
			t.Errorf("%s not converged: %+v, %v", arn, r, ok)
		}
	}
}

func drift(f *lambdaFixture) {
	f.emu.SetReplication(e2eA, e2eRole, []string{"arn:aws:s3tables:eu-west-1:111122223333:bucket/by-hand"})
}

// TestLambdaDocumentInS3 drives the built function under the RIE with a
// document in S3: an upload converges every bucket (and again makes no
// write), events about other objects are ignored, the schedule repairs
// drift made by hand, a dry run writes nothing, a failing bucket and a
// missing or invalid document fail the invocation with zero writes.
func TestLambdaDocumentInS3(t *testing.T) {
	f := newLambdaFixture(t, "s3://"+docBucket+"/config/replsync%20desired.yaml")
	f.run(t, []step{
		{name: "upload", event: "s3-put.json", ran: true, writes: 2},
		{name: "upload again (duplicate event)", event: "s3-put.json", ran: true, writes: 0},
		{name: "another key", event: "s3-put-other-key.json"},
		{name: "a delete", event: "s3-delete.json"},
		{name: "EventBridge, another key", event: "eventbridge-s3-other-key.json"},
		{name: "dry run after a change by hand", before: drift, event: "direct-dry-run.json", ran: true, writes: 0},
		{name: "schedule repairs the drift", event: "eventbridge-scheduled.json", ran: true, writes: 1},
		{name: "schedule again", event: "eventbridge-scheduled.json", ran: true, writes: 0},
		{name: "EventBridge Object Created", before: drift, event: "eventbridge-s3-object-created.json", ran: true, writes: 1},
		{name: "a failing bucket", before: func(f *lambdaFixture) {
			drift(f)
			f.emu.AddFault(emulator.Fault{Bucket: e2eA, Kind: emulator.AccessDenied})
		}, event: "eventbridge-scheduled.json", errSub: e2eA, writes: 0},
		{name: "invalid document", before: func(f *lambdaFixture) {
			f.emu.ClearFaults()
			f.s3.Put(t, docBucket, docKey, "version: 1\nbuckets: [oops]\n")
		}, event: "s3-put.json", errSub: "buckets[0]", writes: 0},
		{name: "document unreadable", before: func(f *lambdaFixture) {
			f.s3.Deny(docBucket, docKey)
		}, event: "eventbridge-scheduled.json", errSub: "access denied", writes: 0},
		{name: "unknown payload", event: "sns.json", ran: false},
	})
	if out := f.fn.output.String(); len(lines(out, `"CloudWatchMetrics"`)) == 0 || len(lines(out, `"requestId"`)) == 0 {
		t.Errorf("no EMF line or no request id in the function's output:\n%s", out)
	}
}

// TestLambdaDocumentInParameterStore: a Parameter Store Change converges,
// the schedule repairs drift, a dry run writes nothing, and an invalid
// SecureString fails without its text in the error or the logs.
func TestLambdaDocumentInParameterStore(t *testing.T) {
	f := newLambdaFixture(t, "ssm:"+docParam)
	f.run(t, []step{
		{name: "parameter changed", event: "eventbridge-ssm-change.json", ran: true, writes: 2},
		{name: "parameter changed again", event: "eventbridge-ssm-change.json", ran: true, writes: 0},
		{name: "another parameter", event: "eventbridge-ssm-other.json"},
		{name: "an S3 upload is not about this document", event: "s3-put.json"},
		{name: "dry run", before: drift, event: "direct-dry-run.json", ran: true, writes: 0},
		{name: "direct invocation", event: "direct-empty.json", ran: true, writes: 1},
		{name: "invalid SecureString", before: func(f *lambdaFixture) {
			f.ssm.Put(docParam, "SecureString", invalidSecretDoc)
		}, event: "eventbridge-ssm-change.json", errSub: "buckets[0].role", writes: 0},
		{name: "parameter deleted", before: func(f *lambdaFixture) { f.ssm.Delete(docParam) }, event: "eventbridge-ssm-delete.json", errSub: "ParameterNotFound", writes: 0},
	})
	converged(t, f.emu)
	if out := f.fn.output.String(); strings.Contains(out, secretMarker) {
		t.Errorf("the SecureString's text is in the function's output:\n%s", out)
	}
}

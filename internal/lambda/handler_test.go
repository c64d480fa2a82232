package lambda

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"go.uber.org/goleak"

	"github.com/replsync/replsync/internal/emulator"
	"github.com/replsync/replsync/internal/fakes3"
	"github.com/replsync/replsync/internal/fakessm"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const (
	role    = "arn:aws:iam::111122223333:role/R"
	bucketA = "arn:aws:s3tables:us-east-1:111122223333:bucket/aaa"
	bucketB = "arn:aws:s3tables:us-west-2:111122223333:bucket/bbb"
	destA   = "arn:aws:s3tables:us-west-2:111122223333:bucket/aaa-dr"
	destB   = "arn:aws:s3tables:us-east-1:111122223333:bucket/bbb-dr"
	docKey  = "config/replsync desired.yaml"
	param   = "/replsync/document"
)

const testDoc = "version: 1\ndefaults: {role: " + role + "}\nbuckets:\n" +
	"  - tableBucketARN: " + bucketA + "\n    destinations: [" + destA + "]\n" +
	"  - tableBucketARN: " + bucketB + "\n    destinations: [" + destB + "]\n"

// env is one function under test with its fakes.
type env struct {
	emu *emulator.Server
	s3  *fakes3.Server
	ssm *fakessm.Server
	h   *Handler
	out *bytes.Buffer
}

// newEnv starts the fakes, stores testDoc in both S3 and SSM, and builds
// the handler through FromEnv for the document source spec.
func newEnv(t *testing.T, spec string) *env {
	t.Helper()
	e := &env{emu: emulator.New(), s3: fakes3.New(), ssm: fakessm.New(), out: &bytes.Buffer{}}
	e.emu.Start()
	e.s3.Start()
	e.ssm.Start()
	t.Cleanup(func() { e.emu.Close(); e.s3.Close(); e.ssm.Close() })
	e.s3.CreateBucket(t, "replsync-docs")
	e.s3.Put(t, "replsync-docs", docKey, testDoc)
	e.ssm.Put(param, "SecureString", testDoc)
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_S3TABLES": e.emu.URL(), "AWS_ENDPOINT_URL_S3": e.s3.URL(), "AWS_ENDPOINT_URL_SSM": e.ssm.URL(),
		"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "", "AWS_REGION": "us-east-1",
		"AWS_PROFILE": "", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "AWS_CA_BUNDLE": "",
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": "",
		"AWS_REQUEST_CHECKSUM_CALCULATION": "when_required", "AWS_RESPONSE_CHECKSUM_VALIDATION": "when_required",
	} {
		t.Setenv(k, v)
	}
	getenv := func(k string) string {
		return map[string]string{"REPLSYNC_CONFIG": spec, "REPLSYNC_LOG_LEVEL": "debug", "AWS_LAMBDA_FUNCTION_NAME": "replsync-test"}[k]
	}
	h, err := FromEnv(context.Background(), getenv, e.out)
	if err != nil {
		t.Fatal(err)
	}
	e.h = h
	return e
}

func (e *env) writes() int { return e.emu.Count(emulator.OpPut) + e.emu.Count(emulator.OpDelete) }

// invoke runs one invocation with a request id and a deadline, as the
// runtime would.
func (e *env) invoke(t *testing.T, event []byte, reqID string) (*Response, error) {
	t.Helper()
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: reqID})
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	e.emu.ResetCalls()
	return e.h.Handle(ctx, event)
}

func readEvent(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHandleConverges: for every trigger that names the document (and a
// direct invocation), a pass converges every bucket, and the same event
// again makes zero writes.
func TestHandleConverges(t *testing.T) {
	s3spec := "s3://replsync-docs/config/replsync%20desired.yaml"
	tests := []struct {
		name, spec, event string
		kind              Kind
	}{
		{"S3 upload", s3spec, "s3-put.json", KindS3},
		{"EventBridge Object Created", s3spec, "eventbridge-s3-object-created.json", KindEventBridgeS3},
		{"schedule", s3spec, "eventbridge-scheduled.json", KindSchedule},
		{"Parameter Store Change", "ssm:" + param, "eventbridge-ssm-change.json", KindParameterStore},
		{"direct", "ssm:" + param, "direct-empty.json", KindDirect},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.spec)
			for round, want := range []int{2, 0} {
				resp, err := e.invoke(t, readEvent(t, tt.event), "req-"+tt.name)
				if err != nil {
					t.Fatalf("round %d: %v\n%s", round, err, e.out)
				}
				if !resp.Ran || resp.Trigger != tt.kind || resp.Summary.Failed != 0 {
					t.Errorf("round %d: response %+v", round, resp)
				}
				if w := e.writes(); w != want {
					t.Errorf("round %d: %d writes, want %d", round, w, want)
				}
			}
			for arn, dest := range map[string]string{bucketA: destA, bucketB: destB} {
				if r, ok := e.emu.Replication(arn); !ok || r.Role != role || len(r.Destinations) != 1 || r.Destinations[0] != dest {
					t.Errorf("%s: %+v, %v", arn, r, ok)
				}
			}
		})
	}
}

// TestHandleRepairsDriftAndDryRun: a scheduled run repairs a change made
// by hand; a dry run reports drift and writes nothing.
func TestHandleRepairsDriftAndDryRun(t *testing.T) {
	e := newEnv(t, "ssm:"+param)
	if _, err := e.invoke(t, readEvent(t, "direct-empty.json"), "r1"); err != nil {
		t.Fatal(err)
	}
	e.emu.SetReplication(bucketA, role, []string{"arn:aws:s3tables:eu-west-1:111122223333:bucket/by-hand"})
	resp, err := e.invoke(t, readEvent(t, "direct-dry-run.json"), "r2")
	if err != nil || !resp.DryRun || !resp.Drift || resp.Summary.Update != 1 || e.writes() != 0 {
		t.Fatalf("dry run: %+v, %v, %d writes", resp, err, e.writes())
	}
	resp, err = e.invoke(t, readEvent(t, "eventbridge-scheduled.json"), "r3")
	if err != nil || resp.Summary.Update != 1 || e.writes() != 1 {
		t.Fatalf("scheduled repair: %+v, %v, %d writes", resp, err, e.writes())
	}
	if r, _ := e.emu.Replication(bucketA); r.Destinations[0] != destA {
		t.Errorf("not repaired: %+v", r)
	}
	if resp, err = e.invoke(t, readEvent(t, "eventbridge-scheduled.json"), "r4"); err != nil || resp.Drift || e.writes() != 0 {
		t.Errorf("second scheduled run: %+v, %v, %d writes; want none", resp, err, e.writes())
	}
}

// TestHandleIgnoresOtherEvents: no pass, no call to S3 Tables, no error.
func TestHandleIgnoresOtherEvents(t *testing.T) {
	e := newEnv(t, "s3://replsync-docs/config/replsync%20desired.yaml")
	for _, ev := range []string{"s3-put-other-key.json", "s3-delete.json", "eventbridge-s3-other-key.json", "eventbridge-ssm-change.json", "eventbridge-ec2-state.json"} {
		resp, err := e.invoke(t, readEvent(t, ev), "r-"+ev)
		if err != nil || resp.Ran || resp.Ignored == "" {
			t.Errorf("%s: %+v, %v", ev, resp, err)
		}
		if n := len(e.emu.Calls()); n != 0 {
			t.Errorf("%s: %d calls to S3 Tables", ev, n)
		}
	}
	if _, err := e.invoke(t, []byte(`{"unknown": 1}`), "r-unknown"); err == nil {
		t.Error("an unrecognized payload must fail the invocation")
	}
}

// TestHandleFailures: a failing bucket fails the invocation with its ARN
// (the other converges); a missing, invalid or denied document fails it
// with zero calls to S3 Tables, and a SecureString's text never shows.
func TestHandleFailures(t *testing.T) {
	e := newEnv(t, "ssm:"+param)
	e.emu.AddFault(emulator.Fault{Bucket: bucketB, Kind: emulator.AccessDenied})
	_, err := e.invoke(t, readEvent(t, "eventbridge-ssm-change.json"), "r-fail")
	if err == nil || !strings.Contains(err.Error(), bucketB) || strings.Contains(err.Error(), bucketA) {
		t.Fatalf("error %v, want it to name %s only", err, bucketB)
	}
	if _, ok := e.emu.Replication(bucketA); !ok {
		t.Error("the healthy bucket did not converge")
	}
	e.emu.ClearFaults()

	const marker = "S3CR3TMARKER"
	e.ssm.Put(param, "SecureString", "version: 1\nbuckets:\n  - tableBucketARN: "+marker+"\n    role: "+marker+"\n")
	e.out.Reset()
	_, err = e.invoke(t, readEvent(t, "eventbridge-ssm-change.json"), "r-invalid")
	if err == nil || !strings.Contains(err.Error(), "ssm:"+param) || !strings.Contains(err.Error(), "buckets[0].role") {
		t.Errorf("invalid document error: %v", err)
	}
	if strings.Contains(err.Error(), marker) || strings.Contains(e.out.String(), marker) {
		t.Errorf("the SecureString's text leaked:\n%v\n%s", err, e.out)
	}
	if n := len(e.emu.Calls()); n != 0 {
		t.Errorf("%d calls to S3 Tables for an invalid document", n)
	}

	e.ssm.Delete(param)
	_, err = e.invoke(t, readEvent(t, "eventbridge-ssm-delete.json"), "r-missing")
	if err == nil || !strings.Contains(err.Error(), "ParameterNotFound") || len(e.emu.Calls()) != 0 {
		t.Errorf("missing document: %v, %d calls", err, len(e.emu.Calls()))
	}
}

// TestHandleLogsAndMetrics: every line is JSON with the request id; one
// EMF line per pass with the figures of the report.
func TestHandleLogsAndMetrics(t *testing.T) {
	e := newEnv(t, "ssm:"+param)
	e.out.Reset()
	if _, err := e.invoke(t, readEvent(t, "direct-empty.json"), "req-123"); err != nil {
		t.Fatal(err)
	}
	var emf []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(e.out.Bytes()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("not a JSON line: %s", sc.Text())
		}
		if _, ok := line["_aws"]; ok {
			emf = append(emf, line)
			continue
		}
		if line["requestId"] != "req-123" {
			t.Errorf("log line without the request id: %s", sc.Text())
		}
	}
	if len(emf) != 1 {
		t.Fatalf("%d EMF lines, want 1:\n%s", len(emf), e.out)
	}
	m := emf[0]
	if m["BucketsDrifted"] != 2.0 || m["Writes"] != 2.0 || m["BucketsInSync"] != 0.0 || m["BucketsFailed"] != 0.0 || m["FunctionName"] != "replsync-test" {
		t.Errorf("EMF line %v", m)
	}
	dir := m["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)[0].(map[string]any)
	if dir["Namespace"] != MetricsNamespace || len(dir["Metrics"].([]any)) != 7 {
		t.Errorf("EMF directive %v", dir)
	}
	if !strings.Contains(e.out.String(), `"message":"pass report"`) {
		t.Errorf("no report in the log:\n%s", e.out)
	}
}

// TestHandleDeadline: once StartBy has passed, no bucket is started and
// the invocation fails naming them.
func TestHandleDeadline(t *testing.T) {
	e := newEnv(t, "ssm:"+param)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// The invocation started an hour ago, so StartBy (30s before the
	// deadline, 20s from now) is already past.
	e.h.now = func() time.Time { return time.Now().Add(-time.Hour) }
	_, err := e.h.Handle(ctx, []byte(`{}`))
	if err == nil || !strings.Contains(err.Error(), "not attempted") || e.writes() != 0 {
		t.Errorf("error %v, %d writes; want buckets not attempted", err, e.writes())
	}
}

func TestBudget(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		left, startMargin, endMargin time.Duration
	}{
		{15 * time.Minute, 30 * time.Second, 2 * time.Second},
		{60 * time.Second, 15 * time.Second, 2 * time.Second},
		{10 * time.Second, 2500 * time.Millisecond, time.Second},
		{-time.Second, 0, 0},
	}
	for _, tt := range tests {
		startBy, end := Budget(now, now.Add(tt.left))
		if tt.left < 0 {
			if !startBy.Equal(now.Add(tt.left)) || !end.Equal(now.Add(tt.left)) {
				t.Errorf("past deadline: %v, %v", startBy, end)
			}
			continue
		}
		if got := now.Add(tt.left).Sub(startBy); got != tt.startMargin {
			t.Errorf("%v left: start margin %v, want %v", tt.left, got, tt.startMargin)
		}
		if got := now.Add(tt.left).Sub(end); got != tt.endMargin {
			t.Errorf("%v left: end margin %v, want %v", tt.left, got, tt.endMargin)
		}
	}
}

func TestSettingsFromEnv(t *testing.T) {
	s, err := SettingsFromEnv(func(k string) string {
		return map[string]string{"REPLSYNC_CONFIG": "ssm:/x", "REPLSYNC_CONCURRENCY": "3", "REPLSYNC_MAX_RPS": "0", "REPLSYNC_LOG_LEVEL": "warn"}[k]
	})
	if err != nil || s.App.Config != "ssm:/x" || s.App.Concurrency != 3 || s.App.MaxRPS != 0 || s.LogLevel.String() != "warn" {
		t.Errorf("%+v, %v", s, err)
	}
	_, err = SettingsFromEnv(func(k string) string {
		return map[string]string{"REPLSYNC_CONCURRENCY": "0", "REPLSYNC_MAX_RPS": "-1", "REPLSYNC_LOG_LEVEL": "loud"}[k]
	})
	for _, want := range []string{"REPLSYNC_CONFIG", "REPLSYNC_CONCURRENCY", "REPLSYNC_MAX_RPS", "REPLSYNC_LOG_LEVEL"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
}

package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/replsync/replsync/pkg/config"
	replsync "github.com/replsync/replsync/pkg/sync"
)

func TestObservePass(t *testing.T) {
	m := New()
	end := time.Unix(1700000000, 0)
	rep := &replsync.Report{Buckets: []replsync.BucketResult{
		{Action: replsync.ActionCreate, Applied: true},
		{Action: replsync.ActionUpdate, Applied: true, Conflicts: 2},
		{Action: replsync.ActionNoop},
		{Action: replsync.ActionUnknown, Error: "AccessDenied"},
		{Action: replsync.ActionDelete}, // not applied: a dry run
	}}
	m.ObservePass(Pass{Result: ResultFailed, Trigger: "start", End: end, Duration: 3 * time.Second, Report: rep})
	m.ObservePass(Pass{Result: ResultInvalidDocument, Trigger: "change", End: end.Add(time.Minute), Duration: time.Millisecond})

	checks := []struct {
		name string
		got  float64
		want float64
	}{
		{"passes failed", testutil.ToFloat64(m.passes.WithLabelValues(ResultFailed)), 1},
		{"passes invalid", testutil.ToFloat64(m.passes.WithLabelValues(ResultInvalidDocument)), 1},
		{"passes success", testutil.ToFloat64(m.passes.WithLabelValues(ResultSuccess)), 0},
		{"trigger change", testutil.ToFloat64(m.triggers.WithLabelValues("change")), 1},
		{"last pass", testutil.ToFloat64(m.lastPass), 1700000060},
		{"last success", testutil.ToFloat64(m.lastSuccess), 0},
		{"in sync", testutil.ToFloat64(m.buckets.WithLabelValues(StateInSync)), 3},
		{"drifted", testutil.ToFloat64(m.buckets.WithLabelValues(StateDrifted)), 1},
		{"failed", testutil.ToFloat64(m.buckets.WithLabelValues(StateFailed)), 1},
		{"creates", testutil.ToFloat64(m.writes.WithLabelValues("create")), 1},
		{"updates", testutil.ToFloat64(m.writes.WithLabelValues("update")), 1},
		{"deletes", testutil.ToFloat64(m.writes.WithLabelValues("delete")), 0},
		{"conflicts", testutil.ToFloat64(m.conflicts), 2},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if n := testutil.CollectAndCount(m.passDuration); n != 1 {
		t.Errorf("pass duration: %d series", n)
	}

	m.ObservePass(Pass{Result: ResultSuccess, End: end.Add(2 * time.Minute), Report: &replsync.Report{}})
	if got := testutil.ToFloat64(m.lastSuccess); got != 1700000120 {
		t.Errorf("last success = %v", got)
	}
	if got := testutil.ToFloat64(m.buckets.WithLabelValues(StateFailed)); got != 0 {
		t.Errorf("failed buckets after an empty pass = %v, want 0", got)
	}
}

func TestObserveCallAndDocument(t *testing.T) {
	m := New()
	m.ObserveCall(replsync.CallEvent{Operation: replsync.OpGet, Duration: time.Millisecond})
	m.ObserveCall(replsync.CallEvent{Operation: replsync.OpPut, ErrorCode: "ConflictException"})
	m.ObserveCheck(CheckChanged)
	m.SetDocument(config.Identity{Source: "s3://b/k", SHA256: "aa", ETag: `"e1"`, VersionID: "v1"}, true)
	m.SetDocument(config.Identity{Source: "ssm:/p", SHA256: "bb", ParameterVersion: 7}, false)

	want := `
# HELP replsync_api_calls_total S3 Tables requests, retries included, by operation and AWS error code (none: success; transport, canceled, deadline: no answer).
# TYPE replsync_api_calls_total counter
replsync_api_calls_total{error_code="ConflictException",operation="PutTableBucketReplication"} 1
replsync_api_calls_total{error_code="none",operation="GetTableBucketReplication"} 1
# HELP replsync_document_info Always 1; its labels identify the document last read: source, sha256, etag (S3), version (S3 version ID or SSM parameter version).
# TYPE replsync_document_info gauge
replsync_document_info{etag="",sha256="bb",source="ssm:/p",version="7"} 1
# HELP replsync_document_valid 1 if the document last read is valid; 0 if it is not (nothing is written until a valid one is read) or none was read yet.
# TYPE replsync_document_valid gauge
replsync_document_valid 0
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want),
		"replsync_api_calls_total", "replsync_document_info", "replsync_document_valid"); err != nil {
		t.Error(err)
	}
	if got := testutil.ToFloat64(m.checks.WithLabelValues(CheckChanged)); got != 1 {
		t.Errorf("checks changed = %v", got)
	}
}

// TestHandler: the exposition has every replsync_* family from the start,
// the Go and process collectors, and passes promlint.
func TestHandler(t *testing.T) {
	m := New()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, name := range []string{
		"replsync_passes_total", "replsync_pass_triggers_total", "replsync_last_pass_timestamp_seconds",
		"replsync_last_success_timestamp_seconds", "replsync_pass_duration_seconds", "replsync_buckets",
		"replsync_writes_total", "replsync_conflicts_total", "replsync_document_valid",
		"replsync_document_checks_total", "go_goroutines", "process_start_time_seconds",
	} {
		if !strings.Contains(string(body), "\n# TYPE "+name+" ") {
			t.Errorf("no %s in the exposition", name)
		}
	}
	problems, err := testutil.GatherAndLint(m.Registry())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "replsync_") {
			t.Errorf("promlint: %s: %s", p.Metric, p.Text)
		}
	}
}

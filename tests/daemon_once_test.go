package tests

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/replsync/replsync/internal/demo"
	"github.com/replsync/replsync/internal/emulator"
)

const exampleDoc = "../examples/replication.yaml"

// TestOnceDryRunApplyConverge is the demo as a test: plan (exit 2, no
// writes), apply (exit 0), converged (exit 0, no writes).
func TestOnceDryRunApplyConverge(t *testing.T) {
	emu := emulator.New()
	emu.Start()
	defer emu.Close()
	demo.Seed(emu)

	steps := []struct {
		name    string
		args    []string
		code    int
		writes  int
		summary map[string]int
	}{
		{"plan", []string{"--dry-run"}, 2, 0, map[string]int{"create": 1, "update": 1, "delete": 1, "noop": 1, "failed": 0}},
		{"apply", nil, 0, 3, map[string]int{"create": 1, "update": 1, "delete": 1, "noop": 1, "failed": 0}},
		{"converged", nil, 0, 0, map[string]int{"create": 0, "update": 0, "delete": 0, "noop": 4, "failed": 0}},
		{"converged dry run", []string{"--dry-run"}, 0, 0, map[string]int{"create": 0, "update": 0, "delete": 0, "noop": 4, "failed": 0}},
	}
	for _, st := range steps {
		emu.ResetCalls()
		args := append([]string{"--config", exampleDoc, "--once", "--output", "json"}, st.args...)
		r := runDaemon(t, emu, nil, args...)
		if r.code != st.code {
			t.Fatalf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", st.name, r.code, st.code, r.stdout, r.stderr)
		}
		if w := writes(emu); w != st.writes {
			t.Errorf("%s: %d writes, want %d", st.name, w, st.writes)
		}
		if g := emu.Count(emulator.OpGet); g != 4 {
			t.Errorf("%s: %d reads, want one per listed bucket (4)", st.name, g)
		}
		rep := decodeReport(t, r.stdout)
		for k, v := range st.summary {
			if rep.Summary[k] != v {
				t.Errorf("%s: summary[%s] = %d, want %d (%v)", st.name, k, rep.Summary[k], v, rep.Summary)
			}
		}
		if len(rep.Buckets) != 4 || !strings.HasPrefix(rep.Document.Source, "file:///") || rep.Document.Version != 1 {
			t.Errorf("%s: report %+v", st.name, rep)
		}
		if len(emu.CallsFor("arn:aws:s3tables:us-east-1:111122223333:bucket/scratch")) != 0 {
			t.Errorf("%s: the unlisted bucket was touched", st.name)
		}
	}
}

// TestReportShape checks the JSON report field by field, as DESIGN.md
// gives it, for a create.
func TestReportShape(t *testing.T) {
	emu := emulator.New()
	emu.Start()
	defer emu.Close()
	doc := writeDoc(t, "one.yaml", `version: 1
buckets:
  - tableBucketARN: arn:aws:s3tables:us-east-1:111122223333:bucket/one
    role: arn:aws:iam::111122223333:role/R
    destinations: [arn:aws:s3tables:us-west-2:111122223333:bucket/two]
`)
	r := runDaemon(t, emu, nil, "--config", doc, "--once", "--output", "json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	b := got["buckets"].([]any)[0].(map[string]any)
	live, _ := emu.Replication("arn:aws:s3tables:us-east-1:111122223333:bucket/one")
	checks := map[string]any{
		"tableBucketARN": "arn:aws:s3tables:us-east-1:111122223333:bucket/one",
		"action":         "create",
		"applied":        true,
		"before":         nil,
		"versionToken":   live.VersionToken,
		"attempts":       2.0,
		"error":          "",
	}
	for k, want := range checks {
		if b[k] != want {
			t.Errorf("buckets[0].%s = %#v, want %#v", k, b[k], want)
		}
	}
	after, _ := json.Marshal(b["after"])
	if string(after) != `{"role":"arn:aws:iam::111122223333:role/R","rules":[{"destinations":[{"destinationTableBucketARN":"arn:aws:s3tables:us-west-2:111122223333:bucket/two"}]}]}` {
		t.Errorf("after = %s", after)
	}
	if got["dryRun"] != false {
		t.Errorf("dryRun = %v", got["dryRun"])
	}
	for _, k := range []string{"noop", "create", "update", "delete", "failed"} {
		if _, ok := got["summary"].(map[string]any)[k]; !ok {
			t.Errorf("summary.%s missing", k)
		}
	}
}

// TestOnceAccessDeniedOnOneBucket: that bucket fails after one try, the
// others converge, exit code 1.
func TestOnceAccessDeniedOnOneBucket(t *testing.T) {
	emu := emulator.New()
	emu.Start()
	defer emu.Close()
	demo.Seed(emu)
	logs := "arn:aws:s3tables:us-east-1:111122223333:bucket/logs"
	emu.AddFault(emulator.Fault{Bucket: logs, Kind: emulator.AccessDenied})
	r := runDaemon(t, emu, nil, "--config", exampleDoc, "--once", "--output", "json")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	rep := decodeReport(t, r.stdout)
	for _, b := range rep.Buckets {
		switch {
		case b.TableBucketARN == logs:
			if !strings.Contains(b.Error, "AccessDenied") || b.Attempts != 1 {
				t.Errorf("logs: error %q after %d attempts, want AccessDenied after 1", b.Error, b.Attempts)
			}
		case b.Error != "":
			t.Errorf("%s failed: %s", b.TableBucketARN, b.Error)
		}
	}
	if n := len(emu.CallsFor(logs)); n != 1 {
		t.Errorf("%d calls for the denied bucket, want 1", n)
	}
	if rep.Summary["failed"] != 1 || rep.Summary["create"]+rep.Summary["update"]+rep.Summary["delete"] != 2 {
		t.Errorf("summary %v", rep.Summary)
	}
	// The text output names the failure too.
	r = runDaemon(t, emu, nil, "--config", exampleDoc, "--once")
	if r.code != 1 || !strings.Contains(r.stdout, "! failed") || !strings.Contains(r.stdout, logs) {
		t.Errorf("text output (exit %d):\n%s", r.code, r.stdout)
	}
}

// TestInvalidDocuments: every invalid document of DESIGN.md's list exits 1
// with an error naming the problem, and no call reaches S3 Tables.
func TestInvalidDocuments(t *testing.T) {
	const (
		src  = "arn:aws:s3tables:us-east-1:111122223333:bucket/src"
		dst  = "arn:aws:s3tables:us-west-2:111122223333:bucket/dst"
		role = "arn:aws:iam::111122223333:role/R"
	)
	tests := []struct {
		name, doc, want string
	}{
		{"unknown field", "version: 1\nbuckets:\n  - tableBucketARN: " + src + "\n    role: " + role + "\n    destination: [" + dst + "]\n", "destination"},
		{"wrong type", "version: 1\nbuckets:\n  - tableBucketARN: " + src + "\n    role: " + role + "\n    destinations: " + dst + "\n", "destinations"},
		{"duplicate key", "version: 1\nversion: 1\nbuckets: []\n", "version"},
		{"missing version", "buckets: []\n", "version"},
		{"unknown version", "version: 2\nbuckets: []\n", "version"},
		{"bad bucket ARN", "version: 1\nbuckets:\n  - tableBucketARN: arn:aws:s3:::src\n    role: " + role + "\n    destinations: [" + dst + "]\n", "tableBucketARN"},
		{"bad role", "version: 1\nbuckets:\n  - tableBucketARN: " + src + "\n    role: arn:aws:iam::1:user/x\n    destinations: [" + dst + "]\n", "role"},
		{"no role", "version: 1\nbuckets:\n  - tableBucketARN: " + src + "\n    destinations: [" + dst + "]\n", "role"},
		{"no destinations", "version: 1\nbuckets:\n  - tableBucketARN: " + src + "\n    role: " + role + "\n    destinations: []\n", "destinations"},
		{"six destinations", "version: 1\nbuckets:\n  - tableBucketARN: " + src + "\n    role: " + role + "\n    destinations: [" + strings.Repeat(dst+"1,", 5) + dst + "]\n", "destinations"},
		{"replicates to itself", "version: 1\nbuckets:\n  - tableBucketARN: " + src + "\n    role: " + role + "\n    destinations: [" + src + "]\n", "itself"},
		{"duplicate destination", "version: 1\nbuckets:\n  - tableBucketARN: " + src + "\n    role: " + role + "\n    destinations: [" + dst + ", " + dst + "]\n", "duplicate"},
		{"bucket listed twice", "version: 1\nbuckets:\n  - tableBucketARN: " + src + "\n    state: absent\n  - tableBucketARN: " + src + "\n    state: absent\n", "twice"},
		{"absent with destinations", "version: 1\nbuckets:\n  - tableBucketARN: " + src + "\n    state: absent\n    destinations: [" + dst + "]\n", "absent"},
		{"two partitions", "version: 1\nbuckets:\n  - tableBucketARN: " + src + "\n    role: " + role + "\n    destinations: [arn:aws-cn:s3tables:cn-north-1:111122223333:bucket/dst]\n", "partition"},
		{"not YAML", "{{{", "line"},
		{"too large", "version: 1\n#" + strings.Repeat("x", 1<<20) + "\nbuckets: []\n", "MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := emulator.New()
			emu.Start()
			defer emu.Close()
			path := writeDoc(t, "doc.yaml", tt.doc)
			r := runDaemon(t, emu, nil, "--config", path, "--once", "--output", "json")
			if r.code != 1 {
				t.Fatalf("exit %d, want 1\nstderr:\n%s", r.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr does not name %q:\n%s", tt.want, r.stderr)
			}
			rep := decodeReport(t, r.stdout)
			if !strings.Contains(rep.Error, tt.want) {
				t.Errorf("JSON error does not name %q: %q", tt.want, rep.Error)
			}
			if n := len(emu.Calls()); n != 0 {
				t.Errorf("%d calls to S3 Tables, want 0", n)
			}
		})
	}
}

func TestFlagsAndEnvironment(t *testing.T) {
	emu := emulator.New()
	emu.Start()
	defer emu.Close()
	tests := []struct {
		name     string
		env      []string
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{"help", nil, []string{"--help"}, 0, "REPLSYNC_CONFIG", ""},
		{"help documents exit codes", nil, []string{"--help"}, 0, "drift found", ""},
		{"no config", nil, []string{"--once"}, 1, "", "--config"},
		{"bad output", nil, []string{"--config", exampleDoc, "--once", "--output", "yaml"}, 1, "", "--output"},
		{"bad env value", []string{"REPLSYNC_CONCURRENCY=lots"}, []string{"--config", exampleDoc, "--once"}, 1, "", "REPLSYNC_CONCURRENCY"},
		{"config from env", []string{"REPLSYNC_CONFIG=" + exampleDoc, "REPLSYNC_ONCE=true", "REPLSYNC_DRY_RUN=true"}, nil, 2, "Plan:", ""},
		{"flag beats env", []string{"REPLSYNC_OUTPUT=json"}, []string{"--config", exampleDoc, "--once", "--dry-run", "--output", "text"}, 2, "Plan:", ""},
		{"missing file", nil, []string{"--config", "/nonexistent/doc.yaml", "--once"}, 1, "", "/nonexistent/doc.yaml"},
		{"stray argument", nil, []string{"--config", exampleDoc, "--once", "extra"}, 1, "", "extra"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu.ResetCalls()
			r := runDaemon(t, emu, tt.env, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stdout, tt.inStdout) || !strings.Contains(r.stderr, tt.inStderr) {
				t.Errorf("exit %d (want %d)\nstdout (want %q):\n%s\nstderr (want %q):\n%s", r.code, tt.code, tt.inStdout, r.stdout, tt.inStderr, r.stderr)
			}
			if w := writes(emu); w != 0 {
				t.Errorf("%d writes", w)
			}
		})
	}
}

package tests

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/replsync/replsync/internal/demo"
	"github.com/replsync/replsync/internal/emulator"
)

// gate holds the emulator's answers to matching calls until it is opened.
type gate struct {
	ch   chan struct{}
	once sync.Once
}

func newGate() *gate  { return &gate{ch: make(chan struct{})} }
func (g *gate) open() { g.once.Do(func() { close(g.ch) }) }
func (g *gate) hold() { <-g.ch }

// TestDaemonHealthReadinessMetrics: alive at once, not ready until the
// first pass completes, then ready; the metrics describe the passes and
// move with them.
func TestDaemonHealthReadinessMetrics(t *testing.T) {
	g := newGate()
	emu := emulator.New(emulator.WithOnCall(func(c emulator.Call) {
		if c.Op == emulator.OpGet {
			g.hold() // the first pass cannot complete before the gate opens
		}
	}))
	emu.Start()
	defer emu.Close()
	defer g.open()
	content := loopDoc(2, "dr")
	doc := writeDoc(t, "doc.yaml", content)

	d := startDaemon(t, emu, "--config", doc, "--interval", "1h", "--watch-interval", "0")
	if code, body := d.get("/healthz"); code != http.StatusOK {
		t.Errorf("/healthz before the first pass: %d %q", code, body)
	}
	if code, body := d.get("/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "first pass") {
		t.Errorf("/readyz before the first pass: %d %q, want 503 naming the first pass", code, body)
	}
	if n := d.metric("replsync_passes_total"); n != 0 {
		t.Errorf("%v passes before the first one completed", n)
	}

	g.open()
	d.eventually("ready", d.ready)
	sum := sha256.Sum256([]byte(content))
	want := []struct {
		name   string
		labels []string
		value  float64
	}{
		{"replsync_passes_total", []string{"result=success"}, 1},
		{"replsync_passes_total", []string{"result=failed"}, 0},
		{"replsync_pass_triggers_total", []string{"trigger=start"}, 1},
		{"replsync_pass_duration_seconds", nil, 1},
		{"replsync_buckets", []string{"state=in_sync"}, 2},
		{"replsync_buckets", []string{"state=failed"}, 0},
		{"replsync_writes_total", []string{"action=create"}, 2},
		{"replsync_api_calls_total", []string{"operation=GetTableBucketReplication", "error_code=NotFoundException"}, 2},
		{"replsync_api_calls_total", []string{"operation=PutTableBucketReplication", "error_code=none"}, 2},
		{"replsync_conflicts_total", nil, 0},
		{"replsync_document_info", []string{"source=file://" + doc, "sha256=" + hex.EncodeToString(sum[:])}, 1},
		{"replsync_document_valid", nil, 1},
	}
	for _, w := range want {
		if got := d.metric(w.name, w.labels...); got != w.value {
			t.Errorf("%s%v = %v, want %v", w.name, w.labels, got, w.value)
		}
	}
	if d.metric("go_goroutines") == 0 || d.metric("process_start_time_seconds") == 0 {
		t.Error("no Go or process metrics")
	}
	first := d.metric("replsync_last_pass_timestamp_seconds")
	if first == 0 || d.metric("replsync_last_success_timestamp_seconds") != first {
		t.Errorf("last pass %v, last success %v", first, d.metric("replsync_last_success_timestamp_seconds"))
	}

	// The metrics move with the next pass.
	d.signal(syscall.SIGHUP)
	d.eventually("a second pass", func() bool { return d.metric("replsync_passes_total", "result=success") == 2 })
	if got := d.metric("replsync_last_pass_timestamp_seconds"); got < first {
		t.Errorf("last pass went back from %v to %v", first, got)
	}
	if got := d.metric("replsync_api_calls_total", "operation=GetTableBucketReplication", "error_code=none"); got != 2 {
		t.Errorf("second pass: %v successful Gets, want 2", got)
	}
	if got := d.metric("replsync_writes_total"); got != 2 {
		t.Errorf("%v writes in all, want 2 (the second pass is a no-op)", got)
	}
	d.stop()
}

// TestDaemonAppliesDocumentChange: a new version of the document is
// applied soon after it is written, without a restart.
func TestDaemonAppliesDocumentChange(t *testing.T) {
	emu := emulator.New()
	emu.Start()
	defer emu.Close()
	doc := writeDoc(t, "doc.yaml", loopDoc(2, "dr"))
	d := startDaemon(t, emu, "--config", doc, "--interval", "1h", "--watch-interval", "100ms", "--debounce", "100ms")
	d.eventually("the first version applied", func() bool { return d.ready() && matches(emu, 2, "dr") })

	replaceDoc(t, doc, loopDoc(3, "second"))
	d.eventually("the second version applied", func() bool { return matches(emu, 3, "second") })
	if n := d.metric("replsync_pass_triggers_total", "trigger=change"); n < 1 {
		t.Errorf("%v passes triggered by a change", n)
	}
	if n := d.metric("replsync_pass_triggers_total", "trigger=interval"); n != 0 {
		t.Errorf("%v passes triggered by the 1h interval", n)
	}
	d.stop()
}

// TestDaemonRepairsDriftOnInterval: a change made out of band is undone
// by the next pass on the interval.
func TestDaemonRepairsDriftOnInterval(t *testing.T) {
	emu := emulator.New()
	emu.Start()
	defer emu.Close()
	doc := writeDoc(t, "doc.yaml", loopDoc(2, "dr"))
	d := startDaemon(t, emu, "--config", doc, "--interval", "200ms", "--watch-interval", "0")
	d.eventually("converged", func() bool { return d.ready() && matches(emu, 2, "dr") })

	emu.SetReplication(bucketARN("bucket-1"), otherRole, []string{destARN("elsewhere")})
	d.eventually("the drift repaired", func() bool { return matches(emu, 2, "dr") })
	d.eventually("the update counted", func() bool { return d.metric("replsync_writes_total", "action=update") >= 1 })
	if n := d.metric("replsync_pass_triggers_total", "trigger=interval"); n < 1 {
		t.Errorf("%v passes on the interval", n)
	}
	d.stop()
}

// TestDaemonInvalidDocument: an invalid new version makes no write, fails
// readiness with the reason, and the daemon goes on until a valid version
// comes, which it applies.
func TestDaemonInvalidDocument(t *testing.T) {
	emu := emulator.New()
	emu.Start()
	defer emu.Close()
	doc := writeDoc(t, "doc.yaml", loopDoc(2, "dr"))
	d := startDaemon(t, emu, "--config", doc, "--interval", "200ms", "--watch-interval", "100ms", "--debounce", "0")
	d.eventually("converged", func() bool { return d.ready() && matches(emu, 2, "dr") })
	before := writes(emu)

	// Valid changes to both buckets, and a bucket with no role: nothing at
	// all may be written.
	invalid := strings.Replace(loopDoc(2, "changed"), "defaults:\n  role: "+testRole+"\n", "", 1)
	replaceDoc(t, doc, invalid)
	d.eventually("/readyz failing", func() bool { return !d.ready() })
	if _, body := d.get("/readyz"); !strings.Contains(body, "invalid") || !strings.Contains(body, "role") {
		t.Errorf("/readyz body %q does not give the reason", body)
	}
	// Several passes on the interval, each refusing the document.
	d.eventually("more passes", func() bool { return d.metric("replsync_passes_total", "result=invalid_document") >= 3 })
	if n := writes(emu) - before; n != 0 {
		t.Errorf("%d writes with an invalid document", n)
	}
	if !matches(emu, 2, "dr") {
		t.Error("the buckets changed with an invalid document")
	}
	if code, _ := d.get("/healthz"); code != http.StatusOK {
		t.Errorf("/healthz %d with an invalid document", code)
	}
	if v := d.metric("replsync_document_valid"); v != 0 {
		t.Errorf("replsync_document_valid = %v", v)
	}
	if !d.logged("the document is invalid") {
		t.Error("no error logged for the invalid document")
	}

	replaceDoc(t, doc, loopDoc(2, "fixed"))
	d.eventually("the valid version applied", func() bool { return d.ready() && matches(emu, 2, "fixed") })
	if v := d.metric("replsync_document_valid"); v != 1 {
		t.Errorf("replsync_document_valid = %v after the fix", v)
	}
	d.stop()
}

// TestDaemonSIGTERMFinishesPass: SIGTERM during a pass lets it complete
// (every bucket written), then the daemon exits 0.
func TestDaemonSIGTERMFinishesPass(t *testing.T) {
	const n = 6
	g := newGate()
	last := bucketARN(fmt.Sprint("bucket-", n-1))
	emu := emulator.New(emulator.WithLatency(50*time.Millisecond, 50*time.Millisecond), emulator.WithOnCall(func(c emulator.Call) {
		if c.Op == emulator.OpPut && c.Bucket == last {
			g.hold() // the pass cannot end before the test has sent SIGTERM
		}
	}))
	emu.Start()
	defer emu.Close()
	defer g.open()
	doc := writeDoc(t, "doc.yaml", loopDoc(n, "dr"))
	d := startDaemon(t, emu, "--config", doc, "--concurrency", "2", "--interval", "1h", "--watch-interval", "0")
	d.eventually("the pass under way", func() bool { return d.logged("pass starting") })

	d.signal(syscall.SIGTERM)
	d.eventually("the daemon letting the pass finish", func() bool { return d.logged("stopping: letting the pass under way finish") })
	select {
	case <-d.exited:
		t.Fatal("the daemon exited before its pass completed")
	default:
	}
	g.open()
	if code := d.wait(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !matches(emu, n, "dr") {
		t.Errorf("not every bucket was written: %v", emu.Replications())
	}
	if !strings.Contains(d.stderr.String(), `"create":6,"update":0,"delete":0,"failed":0`) {
		t.Error("the log has no complete pass")
	}
}

// TestDaemonSIGTERMShutdownTimeout: a pass that outlives the shutdown
// timeout is canceled, and the daemon still exits 0.
func TestDaemonSIGTERMShutdownTimeout(t *testing.T) {
	emu := emulator.New(emulator.WithLatency(10*time.Minute, 0)) // never answers in time
	emu.Start()
	defer emu.Close()
	doc := writeDoc(t, "doc.yaml", loopDoc(2, "dr"))
	d := startDaemon(t, emu, "--config", doc, "--shutdown-timeout", "200ms", "--watch-interval", "0")
	d.eventually("the pass under way", func() bool { return d.logged("pass starting") })
	d.stop()
	if !d.logged("shutdown timeout: canceling the pass under way") {
		t.Error("no log of the canceled pass")
	}
	if n := emu.Count(emulator.OpPut); n != 0 {
		t.Errorf("%d Puts", n)
	}
}

// TestDaemonSIGHUP: SIGHUP makes a pass now, which repairs drift long
// before the interval.
func TestDaemonSIGHUP(t *testing.T) {
	emu := emulator.New()
	emu.Start()
	defer emu.Close()
	doc := writeDoc(t, "doc.yaml", loopDoc(2, "dr"))
	d := startDaemon(t, emu, "--config", doc, "--interval", "1h", "--watch-interval", "0")
	d.eventually("converged", func() bool { return d.ready() && matches(emu, 2, "dr") })
	emu.SetReplication(bucketARN("bucket-0"), otherRole, []string{destARN("elsewhere")})

	d.signal(syscall.SIGHUP)
	d.eventually("the drift repaired", func() bool { return matches(emu, 2, "dr") })
	if got := d.metric("replsync_pass_triggers_total", "trigger=signal"); got != 1 {
		t.Errorf("%v passes on SIGHUP, want 1", got)
	}
	d.stop()
}

// TestOnceSIGTERMFinishesPass: with --once, SIGTERM lets the pass finish
// and the exit code is the pass's.
func TestOnceSIGTERMFinishesPass(t *testing.T) {
	g := newGate()
	emu := emulator.New(emulator.WithOnCall(func(c emulator.Call) {
		if c.Op == emulator.OpPut {
			g.hold()
		}
	}))
	emu.Start()
	defer emu.Close()
	defer g.open()
	doc := writeDoc(t, "doc.yaml", loopDoc(2, "dr"))
	d := startDaemon(t, emu, "--config", doc, "--once", "--output", "json")
	d.eventually("a write under way", func() bool { return emu.Count(emulator.OpPut) >= 1 })
	d.signal(syscall.SIGTERM)
	d.eventually("the daemon letting the pass finish", func() bool { return d.logged("stopping: letting the pass under way finish") })
	g.open()
	if code := d.wait(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	rep := decodeReport(t, d.stdout.String())
	if rep.Summary["create"] != 2 || rep.Summary["failed"] != 0 {
		t.Errorf("summary %v", rep.Summary)
	}
}

// TestDaemonListenInUse: a port that cannot be bound fails the start.
func TestDaemonListenInUse(t *testing.T) {
	emu := emulator.New()
	emu.Start()
	defer emu.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	doc := writeDoc(t, "doc.yaml", loopDoc(1, "dr"))
	cmd := exec.Command(filepath.Join(binDir, "replsync-daemon"), "--config", doc, "--listen", ln.Addr().String())
	cmd.Env = demo.Env(emu.URL())
	done := make(chan struct{})
	var out []byte
	go func() { out, _ = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(patience):
		_ = cmd.Process.Kill()
		<-done
		t.Fatal("the daemon kept running with its port taken")
	}
	if code := cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(string(out), "address already in use") {
		t.Errorf("exit %d, output %q; want 1 and the reason", code, out)
	}
	if n := emu.Count(emulator.OpGet); n != 0 {
		t.Errorf("%d reads although the daemon could not start", n)
	}
}

// TestDaemonDocumentAppears: a document missing at start keeps the daemon
// unready, not dead; once it appears it is applied without a restart.
func TestDaemonDocumentAppears(t *testing.T) {
	emu := emulator.New()
	emu.Start()
	defer emu.Close()
	doc := filepath.Join(t.TempDir(), "later.yaml")
	d := startDaemon(t, emu, "--config", doc, "--interval", "1h", "--watch-interval", "100ms", "--debounce", "0")
	d.eventually("a failed first pass", func() bool { return d.metric("replsync_passes_total", "result=failed") == 1 })
	if code, body := d.get("/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "could not be read") {
		t.Errorf("/readyz without a document: %d %q", code, body)
	}

	replaceDoc(t, doc, loopDoc(2, "dr"))
	d.eventually("the document applied", func() bool { return d.ready() && matches(emu, 2, "dr") })
	if n := d.metric("replsync_pass_triggers_total", "trigger=change"); n != 1 {
		t.Errorf("%v passes on a change, want 1", n)
	}
	d.stop()
}

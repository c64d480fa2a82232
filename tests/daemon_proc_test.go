package tests

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/replsync/replsync/internal/demo"
	"github.com/replsync/replsync/internal/emulator"
	"github.com/replsync/replsync/internal/testutil"
)

// patience bounds every wait for the daemon: generous, since CI machines
// are slow under -race; nothing depends on it being reached quickly.
const patience = 60 * time.Second

// proc is a replsync-daemon running in the long-running mode.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdout testutil.SyncBuffer
	stderr testutil.SyncBuffer
	base   string // http://host:port of /healthz, /readyz, /metrics
	exited chan struct{}
	code   int // valid once exited is closed
}

// startDaemon starts the daemon against emu on a free port of 127.0.0.1
// (the port the daemon logs) and waits until it serves. The process is
// killed at the end of the test if it still runs.
func startDaemon(t *testing.T, emu *emulator.Server, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, exited: make(chan struct{})}
	p.cmd = exec.Command(filepath.Join(binDir, "replsync-daemon"), append(args, "--listen", "127.0.0.1:0")...)
	p.cmd.Env = demo.Env(emu.URL())
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("daemon stderr:\n%s", p.stderr.String())
		}
	})
	if slices.Contains(args, "--once") {
		return p // no HTTP server with --once
	}
	var addr string
	p.eventually("the daemon to log its listen address", func() bool {
		addr = p.logField("listen")
		return addr != ""
	})
	p.base = "http://" + addr
	return p
}

// logField returns the first value of a string field in the JSON log.
func (p *proc) logField(field string) string {
	sc := bufio.NewScanner(strings.NewReader(p.stderr.String()))
	for sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) == nil {
			if v, ok := line[field].(string); ok && v != "" {
				return v
			}
		}
	}
	return ""
}

// logged reports whether a log line has msg as its message.
func (p *proc) logged(msg string) bool {
	return strings.Contains(p.stderr.String(), `"message":"`+msg)
}

// eventually polls cond until it holds; the test fails after patience.
func (p *proc) eventually(what string, cond func() bool) {
	p.t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		select {
		case <-p.exited:
			if !cond() {
				p.t.Fatalf("the daemon exited (code %d) while waiting for %s", p.code, what)
			}
			return
		default:
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// get returns the status and body of a GET on the daemon's HTTP server.
func (p *proc) get(path string) (int, string) {
	p.t.Helper()
	resp, err := httpClient.Get(p.base + path)
	if err != nil {
		p.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		p.t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, string(body)
}

var httpClient = &http.Client{Timeout: 10 * time.Second}

// metrics scrapes /metrics and parses the exposition.
func (p *proc) metrics() map[string]*dto.MetricFamily {
	p.t.Helper()
	code, body := p.get("/metrics")
	if code != http.StatusOK {
		p.t.Fatalf("GET /metrics: %d", code)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		p.t.Fatalf("parsing /metrics: %v\n%s", err, body)
	}
	return fams
}

// metric returns the value of the series of name whose labels include
// labels ("k=v" pairs), summed over matching series; a histogram gives its
// sample count. A missing series is 0 (the family must exist).
func (p *proc) metric(name string, labels ...string) float64 {
	p.t.Helper()
	fam, ok := p.metrics()[name]
	if !ok {
		p.t.Fatalf("no metric %s", name)
	}
	var sum float64
	for _, m := range fam.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		match := true
		for _, kv := range labels {
			k, v, _ := strings.Cut(kv, "=")
			match = match && have[k] == v
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		}
	}
	return sum
}

func (p *proc) signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("signal %v: %v", sig, err)
	}
}

// wait waits for the process to exit and returns its exit code.
func (p *proc) wait() int {
	p.t.Helper()
	select {
	case <-p.exited:
		return p.code
	case <-time.After(patience):
		p.t.Fatalf("the daemon did not exit")
		return -1
	}
}

// stop sends SIGTERM and expects exit code 0.
func (p *proc) stop() {
	p.t.Helper()
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		p.t.Fatalf("exit %d after SIGTERM", code)
	}
}

func (p *proc) ready() bool {
	code, _ := p.get("/readyz")
	return code == http.StatusOK
}

// Documents for the loop tests: buckets bucket-0..bucket-(n-1) of one account, each
// replicating to the destination its dest function names.
const (
	testRole  = "arn:aws:iam::111122223333:role/R"
	otherRole = "arn:aws:iam::111122223333:role/Other"
)

func bucketARN(name string) string { return "arn:aws:s3tables:us-east-1:111122223333:bucket/" + name }

func destARN(name string) string { return "arn:aws:s3tables:us-west-2:111122223333:bucket/" + name }

// loopDoc is a document of n buckets bucket-0.. replicating to <prefix>-<i>.
func loopDoc(n int, prefix string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "version: 1\ndefaults:\n  role: %s\nbuckets:\n", testRole)
	for i := range n {
		fmt.Fprintf(&b, "  - tableBucketARN: %s\n    destinations: [%s]\n", bucketARN(fmt.Sprint("bucket-", i)), destARN(fmt.Sprintf("%s-%d", prefix, i)))
	}
	return b.String()
}

// matches reports whether every bucket of loopDoc(n, prefix) is configured
// so in the emulator.
func matches(emu *emulator.Server, n int, prefix string) bool {
	for i := range n {
		r, ok := emu.Replication(bucketARN(fmt.Sprint("bucket-", i)))
		if !ok || r.Role != testRole || !slices.Equal(r.Destinations, []string{destARN(fmt.Sprintf("%s-%d", prefix, i))}) {
			return false
		}
	}
	return true
}

// replaceDoc replaces the document at path atomically (write, rename), as
// README advises.
func replaceDoc(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

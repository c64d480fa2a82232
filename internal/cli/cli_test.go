package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/replsync/replsync/internal/demo"
	"github.com/replsync/replsync/internal/emulator"
	"github.com/replsync/replsync/internal/testutil"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestFlagsFromEnvironment(t *testing.T) {
	env := map[string]string{
		"REPLSYNC_CONFIG":           "doc.yaml",
		"REPLSYNC_WATCH_INTERVAL":   "10s",
		"REPLSYNC_DEBOUNCE":         "0",
		"REPLSYNC_SHUTDOWN_TIMEOUT": "1m",
		"REPLSYNC_INTERVAL":         "1h",
		"REPLSYNC_LISTEN":           "127.0.0.1:0",
	}
	f, err := parseFlags([]string{"--interval", "2m"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if f.WatchInterval != 10*time.Second || f.Debounce != 0 || f.ShutdownTimeout != time.Minute ||
		f.Interval != 2*time.Minute || f.Listen != "127.0.0.1:0" {
		t.Errorf("flags %+v", f)
	}

	for _, bad := range [][]string{
		{"--watch-interval", "-1s"}, {"--debounce", "-1s"}, {"--shutdown-timeout", "-1s"}, {"--listen", ""},
	} {
		if _, err := parseFlags(append([]string{"--config", "x"}, bad...), func(string) string { return "" }, io.Discard); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
	if _, err := parseFlags([]string{"--config", "x", "--once", "--listen", ""}, func(string) string { return "" }, io.Discard); err != nil {
		t.Errorf("--once needs no --listen: %v", err)
	}
}

func TestHelpNamesEveryFlagAndSignal(t *testing.T) {
	var out bytes.Buffer
	if code := Main(t.Context(), []string{"--help"}, func(string) string { return "" }, &out, io.Discard, nil); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if n := strings.Count(out.String(), "Usage:"); n != 1 {
		t.Errorf("the usage is printed %d times", n)
	}
	for _, s := range []string{
		"$REPLSYNC_WATCH_INTERVAL", "$REPLSYNC_DEBOUNCE", "$REPLSYNC_SHUTDOWN_TIMEOUT", "$REPLSYNC_LISTEN",
		"SIGTERM", "SIGHUP", "/healthz", "/readyz", "/metrics",
	} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("--help does not mention %s", s)
		}
	}
}

// TestDaemonInProcess drives the long-running mode through Main with a
// signal channel: ready after the first pass, SIGHUP makes a pass,
// SIGTERM exits 0.
func TestDaemonInProcess(t *testing.T) {
	emu := emulator.New()
	emu.Start()
	defer emu.Close()
	setEnv(t, demo.Env(emu.URL()))
	doc := filepath.Join(t.TempDir(), "doc.yaml")
	if err := os.WriteFile(doc, []byte(`version: 1
buckets:
  - tableBucketARN: arn:aws:s3tables:us-east-1:111122223333:bucket/one
    role: arn:aws:iam::111122223333:role/R
    destinations: [arn:aws:s3tables:us-west-2:111122223333:bucket/two]
`), 0o600); err != nil {
		t.Fatal(err)
	}

	signals := make(chan os.Signal)
	var stderr testutil.SyncBuffer
	exit := make(chan int, 1)
	go func() {
		exit <- Main(context.Background(), []string{"--config", doc, "--listen", "127.0.0.1:0", "--interval", "1h", "--watch-interval", "0"},
			os.Getenv, io.Discard, &stderr, signals)
	}()
	base := "http://" + listenAddr(t, &stderr)
	eventually(t, "ready", func() bool { return get(t, base+"/readyz") == http.StatusOK })
	if n := emu.Count(emulator.OpPut); n != 1 {
		t.Errorf("%d Puts after the first pass, want 1", n)
	}
	signals <- syscall.SIGHUP
	eventually(t, "a second pass", func() bool { return emu.Count(emulator.OpGet) == 2 })
	signals <- syscall.SIGTERM
	select {
	case code := <-exit:
		if code != 0 {
			t.Errorf("exit %d\n%s", code, &stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no exit after SIGTERM\n%s", &stderr)
	}
}

func TestListenInUse(t *testing.T) {
	emu := emulator.New()
	emu.Start()
	defer emu.Close()
	setEnv(t, demo.Env(emu.URL()))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var stderr bytes.Buffer
	code := Main(t.Context(), []string{"--config", "doc.yaml", "--listen", ln.Addr().String()}, os.Getenv, io.Discard, &stderr, nil)
	if code != ExitError || !strings.Contains(stderr.String(), "--listen "+ln.Addr().String()) {
		t.Errorf("exit %d, stderr %q; want 1 and the address named", code, stderr.String())
	}
}

func setEnv(t *testing.T, env []string) {
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}

// listenAddr waits for the log line that gives the bound address.
func listenAddr(t *testing.T, log *testutil.SyncBuffer) string {
	t.Helper()
	var addr string
	eventually(t, "the listen address in the log", func() bool {
		sc := bufio.NewScanner(strings.NewReader(log.String()))
		for sc.Scan() {
			var line struct {
				Listen string `json:"listen"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Listen != "" {
				addr = line.Listen
				return true
			}
		}
		return false
	})
	return addr
}

func get(t *testing.T, url string) int {
	t.Helper()
	resp, err := noKeepAlive.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// noKeepAlive leaves no idle connection behind (goleak).
var noKeepAlive = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// eventually polls cond until it holds, for at most 30 seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

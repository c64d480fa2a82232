package main

import (
	"bufio"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"go.uber.org/goleak"
)

// runMainEnv makes the test binary act as the command, so the tests can
// run it as a child process and signal it.
const runMainEnv = "S3TABLES_EMULATOR_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		return
	}
	goleak.VerifyTestMain(m)
}

// TestSignals starts the command as a process and checks that it serves,
// writes its URL file, and exits 0 on SIGTERM and on SIGINT.
func TestSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			urlFile := filepath.Join(t.TempDir(), "url")
			cmd := exec.CommandContext(t.Context(), os.Args[0], "--listen", "127.0.0.1:0", "--url-file", urlFile, "--log-calls")
			// atexit_sleep_ms: under -race the child would linger 1s at exit.
			cmd.Env = append(os.Environ(), runMainEnv+"=1", "GORACE=atexit_sleep_ms=0")
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(stderr)
			for sc.Scan() && !strings.Contains(sc.Text(), "listening") {
			}
			url, err := os.ReadFile(urlFile)
			if err != nil {
				t.Fatal(err)
			}
			// An unsigned request: answered, and logged.
			resp, err := http.Get(string(url) + "/table-bucket-replication")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden || resp.Header.Get("X-Amzn-Errortype") != "MissingAuthenticationTokenException" {
				t.Fatalf("unsigned request: %s %s", resp.Status, resp.Header.Get("X-Amzn-Errortype"))
			}
			for sc.Scan() && !strings.Contains(sc.Text(), "msg=call") {
			}

			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			for sc.Scan() { // drain until the child closes stderr
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("exit after %v: %v", sig, err)
			}
		})
	}
}

// Package tests holds end-to-end tests of the built binaries: they build
// cmd/daemon (and cmd/lambda), run them as child processes and point them
// at the local S3 Tables emulator through the standard SDK environment.
package tests

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/replsync/replsync/internal/demo"
	"github.com/replsync/replsync/internal/emulator"
)

// binDir holds the binaries built once for all tests.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "replsync-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := 1
	if err := build(dir, "replsync-daemon", "./cmd/daemon"); err != nil {
		fmt.Fprintln(os.Stderr, err)
	} else {
		code = m.Run()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// build compiles a package of this module into dir/name.
func build(dir, name, pkg string) error {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Dir(filepath.Dir(file))
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, name), pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
	}
	return nil
}

// result is a finished run of the daemon.
type result struct {
	code           int
	stdout, stderr string
}

// runDaemon runs replsync-daemon against the emulator with extra env.
func runDaemon(t *testing.T, emu *emulator.Server, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "replsync-daemon"), args...)
	cmd.Env = append(demo.Env(emu.URL()), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		r.code = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("running the daemon: %v", err)
	}
	return r
}

// writeDoc writes a document into a temp dir and returns its path.
func writeDoc(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// report is the JSON report, decoded loosely as a consumer would.
type report struct {
	DryRun   bool `json:"dryRun"`
	Document struct {
		Source  string `json:"source"`
		Version int    `json:"version"`
	} `json:"document"`
	Buckets []struct {
		TableBucketARN string          `json:"tableBucketARN"`
		Action         string          `json:"action"`
		Applied        bool            `json:"applied"`
		Before         json.RawMessage `json:"before"`
		After          json.RawMessage `json:"after"`
		VersionToken   string          `json:"versionToken"`
		Attempts       int             `json:"attempts"`
		Error          string          `json:"error"`
	} `json:"buckets"`
	Summary map[string]int `json:"summary"`
	Error   string         `json:"error"`
}

func decodeReport(t *testing.T, out string) report {
	t.Helper()
	var r report
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("stdout is not a JSON report: %v\n%s", err, out)
	}
	if dec.More() {
		t.Fatalf("stdout has more than one JSON value:\n%s", out)
	}
	return r
}

// writes counts the Put and Delete calls the emulator answered.
func writes(emu *emulator.Server) int {
	return emu.Count(emulator.OpPut) + emu.Count(emulator.OpDelete)
}

// startGroup starts cmd in a process group of its own and kills the whole
// group when the test ends, so that the servers a tool forks (moto_server's
// workers, the RIE's runtime) never outlive the test.
func startGroup(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
}

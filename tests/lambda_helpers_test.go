package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/replsync/replsync/internal/demo"
	"github.com/replsync/replsync/internal/emulator"
	"github.com/replsync/replsync/internal/testutil"
)

// rieModule is the Lambda Runtime Interface Emulator, installed from the
// Go module proxy (no Docker): it runs bootstrap as Lambda would and
// serves the invoke API.
const rieModule = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d"

var (
	lambdaOnce              sync.Once
	bootstrapPath, riePath  string
	lambdaErr, rieNotOnHost error
)

// lambdaBinaries builds bootstrap for the host (the same flags as the
// Makefile's build-ReplsyncFunction, but the host's GOOS and GOARCH) and
// installs the RIE, once. Without the RIE (no module proxy), the test is
// skipped, or fails with REPLSYNC_REQUIRE_TOOLS=1.
func lambdaBinaries(t *testing.T) (bootstrap, rie string) {
	t.Helper()
	lambdaOnce.Do(func() {
		if runtime.GOOS != "linux" {
			rieNotOnHost = fmt.Errorf("the RIE runs on Linux only, not %s", runtime.GOOS)
			return
		}
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Dir(filepath.Dir(file))
		dir := filepath.Join(binDir, "lambda")
		bootstrapPath = filepath.Join(dir, "bootstrap")
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bootstrapPath, "./cmd/lambda")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			lambdaErr = fmt.Errorf("go build ./cmd/lambda: %v\n%s", err, out)
			return
		}
		cmd = exec.Command("go", "install", rieModule)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOBIN="+dir, "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			rieNotOnHost = fmt.Errorf("go install %s: %v\n%s", rieModule, err, out)
			return
		}
		riePath = filepath.Join(dir, "aws-lambda-rie")
	})
	if lambdaErr != nil {
		t.Fatal(lambdaErr)
	}
	if rieNotOnHost != nil {
		testutil.ToolMissing(t, "no Lambda Runtime Interface Emulator: %v", rieNotOnHost)
	}
	return bootstrapPath, riePath
}

// function is bootstrap running under the RIE.
type function struct {
	url    string
	output *testutil.SyncBuffer // the function's logs and EMF lines, and the RIE's
}

// freePort returns a port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startFunction runs the function under the RIE with the emulator's
// environment plus env, and waits (bounded) until the RIE listens. The
// process group is killed at cleanup.
func startFunction(t *testing.T, emu *emulator.Server, env ...string) *function {
	t.Helper()
	bootstrap, rie := lambdaBinaries(t)
	api, runtimeAPI := freePort(t), freePort(t)
	cmd := exec.Command(rie,
		"--runtime-interface-emulator-address", fmt.Sprintf("127.0.0.1:%d", api),
		"--runtime-api-address", fmt.Sprintf("127.0.0.1:%d", runtimeAPI),
		bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = append(demo.Env(emu.URL()),
		"AWS_LAMBDA_FUNCTION_NAME=replsync-e2e", "AWS_LAMBDA_FUNCTION_TIMEOUT=60", "LOG_LEVEL=warn",
		"AWS_REQUEST_CHECKSUM_CALCULATION=when_required", "AWS_RESPONSE_CHECKSUM_VALIDATION=when_required")
	cmd.Env = append(cmd.Env, env...)
	out := &testutil.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	t.Cleanup(func() { // runs after startGroup's cleanup: the output is complete
		if t.Failed() {
			t.Logf("function output:\n%s", out)
		}
	})
	startGroup(t, cmd)
	f := &function{url: fmt.Sprintf("http://127.0.0.1:%d/2015-03-31/functions/function/invocations", api), output: out}
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", api), time.Second)
		if err == nil {
			c.Close()
			return f
		}
		if time.Now().After(deadline) {
			t.Fatalf("the RIE did not listen within 15s: %v\n%s", err, out)
		}
		time.Sleep(20 * time.Millisecond) // polling a port, not synchronizing goroutines
	}
}

// invocation is the result of one invocation through the RIE.
type invocation struct {
	raw string
	// Set on success.
	Ran     bool           `json:"ran"`
	Trigger string         `json:"trigger"`
	Ignored string         `json:"ignored"`
	DryRun  bool           `json:"dryRun"`
	Drift   bool           `json:"drift"`
	Summary map[string]int `json:"summary"`
	// Set when the function returned an error.
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
}

func (f *function) invoke(t *testing.T, event []byte) invocation {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url, bytes.NewReader(event))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var inv invocation
	if err := json.Unmarshal(body, &inv); err != nil {
		t.Fatalf("invoke: status %d, body is not JSON: %v\n%s", resp.StatusCode, err, body)
	}
	inv.raw = string(body)
	return inv
}

// lambdaEvent reads an event of internal/lambda/testdata (bucket
// replsync-docs, key "config/replsync desired.yaml", parameter
// /replsync/document).
func lambdaEvent(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "internal", "lambda", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// lines returns the output lines that contain s.
func lines(out, s string) []string {
	var got []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, s) {
			got = append(got, l)
		}
	}
	return got
}

// Package testutil holds small helpers shared by the tests of several
// packages. Nothing in it is used outside tests.
package testutil

import (
	"bytes"
	"os"
	"os/exec"
	"sync"
	"testing"
)

// SyncBuffer is a bytes.Buffer that a process (or goroutine) writes to
// while a test reads it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns what was written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// RequireToolsEnv names the environment variable that turns a missing
// preinstalled tool (aws CLI, botocore, moto_server, cfn-lint, the Lambda
// RIE) from a skip into a failure. CI sets it to 1.
const RequireToolsEnv = "REPLSYNC_REQUIRE_TOOLS"

// ToolMissing ends a test that cannot run without an external tool: it
// skips, or fails when RequireToolsEnv is 1 (as in CI), so a CI machine
// without the tool is never green by skipping.
func ToolMissing(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv(RequireToolsEnv) == "1" {
		t.Fatalf("required ("+RequireToolsEnv+"=1): "+format, args...)
	}
	t.Skipf(format, args...)
}

// LookTool returns the path of an external tool, or ends the test as
// ToolMissing does.
func LookTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		ToolMissing(t, "%s not found: %v", name, err)
	}
	return p
}

package tests

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/replsync/replsync/internal/demo"
)

// TestDemo runs what `make demo` runs and checks what a newcomer reads.
func TestDemo(t *testing.T) {
	var out strings.Builder
	if err := demo.Run(filepath.Join(binDir, "replsync-daemon"), exampleDoc, &out); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"+ create   arn:aws:s3tables:us-east-1:111122223333:bucket/analytics",
		"~ update   arn:aws:s3tables:us-east-1:111122223333:bucket/logs",
		"- delete   arn:aws:s3tables:us-east-1:111122223333:bucket/retired",
		"Plan: 1 to create, 1 to update, 1 to delete, 1 unchanged, 0 failed.",
		"Applied: 1 created, 1 updated, 1 deleted, 1 unchanged, 0 failed.",
		"replication written",
		"No changes: every bucket matches the document.",
		"[exit code 2; the emulator saw 4 reads and 0 writes]",
		"[exit code 0; the emulator saw 4 reads and 3 writes]",
		"[exit code 0; the emulator saw 4 reads and 0 writes]",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
}

// TestDemoFailsWhenTheDaemonMisbehaves: the demo checks exit codes and
// writes, so `make demo` cannot pass on a broken daemon.
func TestDemoFailsWhenTheDaemonMisbehaves(t *testing.T) {
	bad := writeDoc(t, "bad.yaml", "version: 1\nbuckets: [{tableBucketARN: nope}]\n")
	var out strings.Builder
	err := demo.Run(filepath.Join(binDir, "replsync-daemon"), bad, &out)
	if err == nil || !strings.Contains(err.Error(), "exit code 1") {
		t.Errorf("demo with an invalid document: err = %v, want a failed step", err)
	}
}

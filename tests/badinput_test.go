package tests

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/replsync/replsync/internal/demo"
	"github.com/replsync/replsync/internal/emulator"
)

// Bounds of TestHostileDocuments: generous, to catch a hang or a blow-up,
// not to measure speed.
const (
	hostileHangGuard = 2 * time.Minute
	hostileMaxRSSKiB = 512 << 10
)

// TestHostileDocuments feeds the built daemon documents meant to hurt: far
// over the size limit, nested deeper than any parser should follow, alias
// bombs, binary garbage, compressed and wrongly encoded text. Each one, with
// and without --dry-run: exit 1, an error that says what is wrong (on
// stderr and in the JSON report), not one request to S3 Tables, within the
// hang guard and under the memory bound (the child's max RSS).
// TestInvalidDocuments covers the ordinary mistakes; pkg/config's tests
// cover the parser itself.
func TestHostileDocuments(t *testing.T) {
	const valid = "version: 1\nbuckets: []\n"
	tests := []struct {
		name string
		file func(path string) error
		want string
	}{
		{"256 MiB file, refused from its size", func(p string) error {
			f, err := os.Create(p)
			if err != nil {
				return err
			}
			defer f.Close()
			return f.Truncate(256 << 20) // sparse: costs no disk
		}, "document is 268435456 bytes, larger than the limit of 1048576 bytes (1 MiB)"},
		{"1 MiB of NUL bytes", content(make([]byte, 1<<20)), "NUL byte at offset 0"},
		{"deep flow nesting", content([]byte("version: 1\nbuckets: " + strings.Repeat("[", 500_000))), "exceeded max depth"},
		{"deep block nesting", content([]byte("version: 1\nbuckets:\n" + strings.Repeat("- ", 300_000) + "x\n")), "exceeded max depth"},
		{"deep JSON nesting", content([]byte(`{"version": 1, "buckets": ` + strings.Repeat(`{"a": `, 150_000))), "exceeded max depth"},
		{"billion laughs", content(billionLaughs()), `unknown field "l0"`},
		{"alias expansion past the budget", content(aliasExpansion()), "aliases expand the document to more than"},
		{"binary garbage", content(garbage(64 << 10)), "document must be UTF-8"},
		{"gzip-compressed document", content(gzipped(valid)), "control character U+001F is not allowed"},
		{"UTF-16LE with BOM", content(append([]byte{0xFF, 0xFE}, utf16le(valid)...)), "document must be UTF-8 (it starts with a UTF-16 byte order mark)"},
		{"UTF-16BE with BOM", content(append([]byte{0xFE, 0xFF}, utf16be(valid)...)), "document must be UTF-8 (it starts with a UTF-16 byte order mark)"},
		{"UTF-16LE without BOM", content(utf16le(valid)), "NUL byte at offset 1"},
		{"Latin-1", content([]byte("version: 1\n# Z\xfcrich\nbuckets: []\n")), "document must be UTF-8 (invalid byte 0xFC at offset 14)"},
		{"endless device", link("/dev/zero"), "is not a regular file"},
		{"FIFO that nobody writes", func(p string) error { return syscall.Mkfifo(p, 0o600) }, "is not a regular file"},
	}
	emu := emulator.New()
	emu.Start()
	defer emu.Close()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "doc.yaml")
			if err := tt.file(path); err != nil {
				t.Fatal(err)
			}
			for _, extra := range [][]string{nil, {"--dry-run"}} {
				before := emu.Received()
				r, rssKiB := runGuarded(t, emu, append([]string{"--config", path, "--once", "--output", "json"}, extra...)...)
				if r.code != 1 {
					t.Fatalf("%v: exit %d, want 1\nstderr:\n%.2000s", extra, r.code, r.stderr)
				}
				if !strings.Contains(r.stderr, tt.want) {
					t.Errorf("%v: stderr does not say %q:\n%.2000s", extra, tt.want, r.stderr)
				}
				if rep := decodeReport(t, r.stdout); !strings.Contains(rep.Error, tt.want) {
					t.Errorf("%v: JSON error does not say %q: %.500s", extra, tt.want, rep.Error)
				}
				if n := emu.Received() - before; n != 0 {
					t.Errorf("%v: %d requests reached S3 Tables, want 0", extra, n)
				}
				if rssKiB > hostileMaxRSSKiB {
					t.Errorf("%v: max RSS %d MiB, over %d MiB", extra, rssKiB>>10, hostileMaxRSSKiB>>10)
				}
			}
		})
	}
}

// runGuarded runs the daemon like runDaemon, killed at the hang guard, and
// also returns the child's max RSS in KiB.
func runGuarded(t *testing.T, emu *emulator.Server, args ...string) (result, int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), hostileHangGuard)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "replsync-daemon"), args...)
	cmd.Env = demo.Env(emu.URL())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("the daemon was still running after %v: hung", hostileHangGuard)
	}
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		r.code = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("running the daemon: %v", err)
	}
	return r, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
}

// link makes the document a symbolic link to target.
func link(target string) func(string) error {
	return func(p string) error { return os.Symlink(target, p) }
}

func content(b []byte) func(string) error {
	return func(p string) error { return os.WriteFile(p, b, 0o600) }
}

// billionLaughs is the classic: ten levels, each referring ten times to the
// one below (10^10 nodes if expanded).
func billionLaughs() []byte {
	var b strings.Builder
	b.WriteString("version: 1\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&b, "l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 10), ", "))
	}
	b.WriteString("buckets: *l9\n")
	return []byte(b.String())
}

// aliasExpansion is valid-looking YAML the decoder must walk: 20 000
// buckets aliasing one bucket with 3 000 destinations (60 million nodes
// from 290 KB).
func aliasExpansion() []byte {
	const d = "arn:aws:s3tables:us-east-1:111122223333:bucket/d"
	var b strings.Builder
	b.WriteString("version: 1\nbuckets:\n  - &b {tableBucketARN: arn:aws:s3tables:us-east-1:111122223333:bucket/b, destinations: [")
	b.WriteString(strings.Repeat(d+", ", 3000) + d + "]}\n")
	b.WriteString(strings.Repeat("  - *b\n", 20_000))
	return []byte(b.String())
}

func garbage(n int) []byte {
	r := rand.New(rand.NewPCG(5, 5))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	b[0] = 0x9F // not a BOM, not ASCII: the garbage starts as garbage
	return b
}

func gzipped(s string) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write([]byte(s))
	_ = zw.Close()
	return buf.Bytes()
}

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

func utf16be(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return b
}

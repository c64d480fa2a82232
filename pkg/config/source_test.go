package config

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNewSource(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	tests := []struct {
		spec, want string // want: String() of the source
	}{
		{"./x.yaml", "file://" + dir + "/x.yaml"},
		{"x.yaml", "file://" + dir + "/x.yaml"},
		{"sub/../x.json", "file://" + dir + "/x.json"},
		{"/abs/x.yaml", "file:///abs/x.yaml"},
		{"file:///abs/x.json", "file:///abs/x.json"},
		{"file://localhost/abs/x.json", "file:///abs/x.json"},
		{"FILE:///abs/x.json", "file:///abs/x.json"},
		{"file:///abs/with%20space.yaml", "file:///abs/with%20space.yaml"},
		{"/abs/with space.yaml", "file:///abs/with%20space.yaml"},
		{"/abs/a#b?.yaml", "file:///abs/a%23b%3F.yaml"},
		{"a:b.yaml", "file://" + dir + "/a:b.yaml"},
	}
	for _, tt := range tests {
		src, err := NewSource(tt.spec)
		if err != nil {
			t.Errorf("NewSource(%q): %v", tt.spec, err)
			continue
		}
		if got := src.String(); got != tt.want {
			t.Errorf("NewSource(%q).String() = %q, want %q", tt.spec, got, tt.want)
		}
		// The canonical form names the same source.
		again, err := NewSource(src.String())
		if err != nil || again.String() != src.String() {
			t.Errorf("NewSource(%q) = %v, %v; want it to round-trip", src.String(), again, err)
		}
	}
}

func TestNewSourceErrors(t *testing.T) {
	tests := []struct {
		spec, want  string
		unsupported bool
	}{
		{"", "empty document source", false},
		{"  ", "empty document source", false},
		{"s3://bucket/key.yaml", "no S3 client was configured", true},
		{"ssm:/replsync/document", "no SSM client was configured", true},
		{"https://example.com/x.yaml", `scheme "https"`, true},
		{"file://host/x.yaml", "a file URL cannot name a host", false},
		{"file:x.yaml", "a file URL needs an absolute path", false},
		{"file:///x.yaml?version=2", "a file URL takes no user, query or fragment", false},
		{"file:///x%zz.yaml", "invalid URL escape", false},
	}
	for _, tt := range tests {
		src, err := NewSource(tt.spec)
		if err == nil {
			t.Errorf("NewSource(%q) = %v, want an error", tt.spec, src)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewSource(%q) error %q, want it to contain %q", tt.spec, err, tt.want)
		}
		if got := errors.Is(err, ErrUnsupportedSource); got != tt.unsupported {
			t.Errorf("NewSource(%q): errors.Is(ErrUnsupportedSource) = %v", tt.spec, got)
		}
	}
}

func TestFileSourceRead(t *testing.T) {
	dir := t.TempDir()
	data := readTestdata(t, "valid.yaml")
	path := writeFile(t, dir, "doc.yaml", data)
	mtime := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	src, err := NewFileSource(path)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := src.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	want := Snapshot{Data: data, Identity: Identity{Source: "file://" + path, SHA256: hex.EncodeToString(sum[:]), ModTime: mtime}}
	if d := cmp.Diff(want, snap); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestFileSourceReadErrors(t *testing.T) {
	dir := t.TempDir()
	big := writeFile(t, dir, "big.yaml", nil)
	// Sparse: its size says it is too large; reading it would take no time
	// either, so the size in the message shows that stat decided.
	if err := os.Truncate(big, 2*MaxDocumentSize); err != nil {
		t.Fatal(err)
	}
	exact := writeFile(t, dir, "exact.yaml", make([]byte, MaxDocumentSize))

	tests := []struct {
		name, path, want string
		is               error
	}{
		{"missing file", filepath.Join(dir, "missing.yaml"), "no such file or directory", fs.ErrNotExist},
		{"directory", dir, "is a directory, not a document", nil},
		{"too large", big, "document too large: 2097152 bytes, more than the limit of 1048576 bytes (1 MiB)", ErrTooLarge},
	}
	if runtime.GOOS == "linux" {
		fifo := filepath.Join(dir, "fifo")
		if err := syscall.Mkfifo(fifo, 0o644); err != nil {
			t.Fatal(err)
		}
		// Opening a FIFO would block until a writer comes: it is refused
		// from its stat.
		tests = append(tests, struct {
			name, path, want string
			is               error
		}{"fifo", fifo, "is not a regular file", nil})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := NewFileSource(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = src.Read(context.Background())
			if err == nil {
				t.Fatal("Read succeeded")
			}
			if !strings.HasPrefix(err.Error(), "read "+src.String()+": ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to name %s and contain %q", err, src, tt.want)
			}
			if tt.name == "missing file" && err.Error() != "read "+src.String()+": no such file or directory" {
				t.Errorf("error %q names the path twice", err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
		})
	}

	t.Run("exactly the limit", func(t *testing.T) {
		src, _ := NewFileSource(exact)
		snap, err := src.Read(context.Background())
		if err != nil || len(snap.Data) != MaxDocumentSize {
			t.Errorf("Read: %d bytes, %v", len(snap.Data), err)
		}
	})
	t.Run("canceled context", func(t *testing.T) {
		src, _ := NewFileSource(exact)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := src.Read(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	})
	t.Run("empty path", func(t *testing.T) {
		if _, err := NewFileSource(""); err == nil {
			t.Error("NewFileSource(\"\") succeeded")
		}
	})
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	data := readTestdata(t, "valid.json")
	path := writeFile(t, dir, "doc.json", data)
	src, err := NewSource("file://" + path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Load(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	want := designDoc()
	want.Identity = Identity{Source: "file://" + path, SHA256: hex.EncodeToString(sum[:]), ModTime: fi.ModTime()}
	if d := cmp.Diff(want, doc, ignoreLines); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestLoadInvalidDocument(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "bad.yaml", []byte("version: 1\nbuckets:\n  - tableBucketArn: x\n"))
	src, _ := NewFileSource(path)
	doc, err := Load(context.Background(), src)
	if doc != nil {
		t.Errorf("Load returned a document: %+v", doc)
	}
	var perr *Error
	if !errors.As(err, &perr) {
		t.Fatalf("got %v (%T), want *config.Error", err, err)
	}
	if perr.Source != src.String() {
		t.Errorf("Source = %q, want %q", perr.Source, src)
	}
	want := "invalid document file://" + path + ": 1 problem:\n" +
		"  line 3: buckets[0]: unknown field \"tableBucketArn\" (did you mean \"tableBucketARN\"?)"
	if err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
}

// fakeSource is a Source that returns what it is given: for sources that
// set less of Identity than the file source, or misbehave.
type fakeSource struct {
	snap Snapshot
	err  error
}

func (f fakeSource) String() string                         { return "fake:/doc" }
func (f fakeSource) Read(context.Context) (Snapshot, error) { return f.snap, f.err }

func TestLoadFillsIdentity(t *testing.T) {
	data := []byte("version: 1\nbuckets: []\n")
	doc, err := Load(context.Background(), fakeSource{snap: Snapshot{Data: data, Identity: Identity{ETag: `"abc"`}}})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	want := Identity{Source: "fake:/doc", SHA256: hex.EncodeToString(sum[:]), ETag: `"abc"`}
	if d := cmp.Diff(want, doc.Identity); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestLoadTooLargeFile(t *testing.T) {
	path := writeFile(t, t.TempDir(), "big.yaml", nil)
	if err := os.Truncate(path, MaxDocumentSize+1); err != nil {
		t.Fatal(err)
	}
	src, _ := NewFileSource(path)
	_, err := Load(context.Background(), src)
	var perr *Error
	if !errors.As(err, &perr) {
		t.Fatalf("got %v (%T), want *config.Error", err, err)
	}
	want := "invalid document " + src.String() + ": 1 problem:\n  document is 1048577 bytes, larger than the limit of 1048576 bytes (1 MiB)"
	if err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
}

func TestLoadErrors(t *testing.T) {
	readErr := errors.New("read fake:/doc: access denied")
	if _, err := Load(context.Background(), fakeSource{err: readErr}); !errors.Is(err, readErr) {
		t.Errorf("got %v, want the source's error", err)
	}
	// A source that does not enforce the limit itself.
	_, err := Load(context.Background(), fakeSource{snap: Snapshot{Data: make([]byte, MaxDocumentSize+1)}})
	var perr *Error
	if !errors.As(err, &perr) || perr.Source != "fake:/doc" || !strings.Contains(err.Error(), "larger than the limit") {
		t.Errorf("got %v, want a size *Error naming the source", err)
	}
}

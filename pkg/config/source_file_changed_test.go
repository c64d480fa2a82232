package config

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestFileSourceChanged reads a file, changes it (or not) and asks Changed
// about the identity of that first read.
func TestFileSourceChanged(t *testing.T) {
	const original = "version: 1\nbuckets: []\n"
	later := time.Now().Add(time.Hour).Truncate(time.Second)
	tests := []struct {
		name   string
		change func(t *testing.T, path string)
		since  func(first Identity) Identity
		want   bool
		err    error // errors.Is target; nil: no error
	}{
		{name: "unchanged", want: false},
		{
			name:   "touched without a change",
			change: func(t *testing.T, p string) { fsTouch(t, p, later) },
			want:   false,
		},
		{
			name: "same size, new content",
			change: func(t *testing.T, p string) {
				fsWrite(t, p, "version: 1\nbuckets: {}\n")
				fsTouch(t, p, later)
			},
			want: true,
		},
		{
			name:   "new size",
			change: func(t *testing.T, p string) { fsWrite(t, p, original+"# more\n") },
			want:   true,
		},
		{
			name: "changed and changed back",
			change: func(t *testing.T, p string) {
				fsWrite(t, p, "version: 1\n")
				fsWrite(t, p, original)
				fsTouch(t, p, later)
			},
			want: false,
		},
		{
			name:  "nothing read yet",
			since: func(Identity) Identity { return Identity{} },
			want:  true,
		},
		{
			name:  "since is another version",
			since: func(first Identity) Identity { first.SHA256 = "0123"; return first },
			want:  true,
		},
		{
			name:   "removed",
			change: func(t *testing.T, p string) { fsMust(t, os.Remove(p)) },
			err:    fs.ErrNotExist,
		},
		{
			name: "replaced by a directory",
			change: func(t *testing.T, p string) {
				fsMust(t, os.Remove(p))
				fsMust(t, os.Mkdir(p, 0o755))
			},
			err: errAnyError,
		},
		{
			name:   "too large",
			change: func(t *testing.T, p string) { fsMust(t, os.Truncate(p, MaxDocumentSize+1)) },
			err:    ErrTooLarge,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "doc.yaml")
			fsWrite(t, p, original)
			src, err := NewFileSource(p)
			fsMust(t, err)
			snap, err := src.Read(t.Context())
			fsMust(t, err)
			if tt.change != nil {
				tt.change(t, p)
			}
			since := snap.Identity
			if tt.since != nil {
				since = tt.since(since)
			}
			got, err := src.Changed(t.Context(), since)
			switch {
			case tt.err == nil && err != nil:
				t.Fatalf("Changed: %v", err)
			case tt.err != nil && err == nil:
				t.Fatalf("Changed = %v, want an error", got)
			case tt.err != nil && tt.err != errAnyError && !errors.Is(err, tt.err):
				t.Fatalf("Changed: %v, want errors.Is %v", err, tt.err)
			case tt.err == nil && got != tt.want:
				t.Fatalf("Changed = %v, want %v", got, tt.want)
			}
			// Asking again gives the same answer (the stamp cache is
			// consistent with what it caches).
			if tt.err == nil {
				if again, err := src.Changed(t.Context(), since); err != nil || again != got {
					t.Fatalf("second Changed = %v, %v; want %v", again, err, got)
				}
			}
		})
	}
}

// TestFileSourceChangedThenRead: after Changed reports a change, the
// identity that Read returns is no longer "changed".
func TestFileSourceChangedThenRead(t *testing.T) {
	p := filepath.Join(t.TempDir(), "doc.yaml")
	fsWrite(t, p, "version: 1\nbuckets: []\n")
	src, err := NewFileSource(p)
	fsMust(t, err)
	first, err := src.Read(t.Context())
	fsMust(t, err)
	fsWrite(t, p, "version: 1\nbuckets: [] # v2\n")
	if ch, err := src.Changed(t.Context(), first.Identity); err != nil || !ch {
		t.Fatalf("Changed = %v, %v; want true", ch, err)
	}
	second, err := src.Read(t.Context())
	fsMust(t, err)
	if ch, err := src.Changed(t.Context(), second.Identity); err != nil || ch {
		t.Fatalf("Changed after reading the new version = %v, %v; want false", ch, err)
	}
}

func TestFileSourceChangedCanceled(t *testing.T) {
	p := filepath.Join(t.TempDir(), "doc.yaml")
	fsWrite(t, p, "version: 1\nbuckets: []\n")
	src, err := NewFileSource(p)
	fsMust(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := src.Changed(ctx, Identity{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Changed with a canceled context: %v", err)
	}
}

// errAnyError accepts any error.
var errAnyError = errors.New("any error")

func fsWrite(t *testing.T, path, content string) {
	t.Helper()
	fsMust(t, os.WriteFile(path, []byte(content), 0o644))
}

func fsTouch(t *testing.T, path string, at time.Time) {
	t.Helper()
	fsMust(t, os.Chtimes(path, at, at))
}

func fsMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

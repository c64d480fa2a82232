package config

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// FileSource reads the document from a local file.
type FileSource struct {
	path string // absolute, cleaned

	mu   sync.Mutex
	seen fileStamp // the last version whose content was hashed
}

// fileStamp ties what stat says of a file to the hash of its content.
type fileStamp struct {
	modTime time.Time
	size    int64
	sha256  string
}

// matches reports whether fi looks like the version that was hashed.
func (st fileStamp) matches(fi os.FileInfo) bool {
	return st.sha256 != "" && st.size == fi.Size() && st.modTime.Equal(fi.ModTime())
}

var (
	_ Source         = (*FileSource)(nil)
	_ ChangeDetector = (*FileSource)(nil)
)

// NewFileSource returns a source for the file at path, made absolute
// against the current directory now (so a later chdir does not move it).
// The file need not exist yet: Read reports that.
func NewFileSource(path string) (*FileSource, error) {
	if path == "" {
		return nil, errors.New("config: empty file path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("config: file source %q: %w", path, err)
	}
	return &FileSource{path: abs}, nil
}

// Path returns the absolute path of the file.
func (s *FileSource) Path() string { return s.path }

// String returns the file's URL, file:///abs/path (percent-encoded where
// needed); NewSource accepts it back.
func (s *FileSource) String() string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(s.path)}).String()
}

// Read returns the file's content and an Identity with the source, the
// SHA-256 of the content and the modification time. A file larger than
// MaxDocumentSize is refused from its size alone, without being read;
// directories and other non-regular files are refused too. Errors name the
// source and wrap the underlying error (errors.Is(err, fs.ErrNotExist)
// works).
func (s *FileSource) Read(ctx context.Context) (Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return Snapshot{}, s.fail(err)
	}
	// Stat before opening: opening a FIFO would block.
	fi, err := os.Stat(s.path)
	if err != nil {
		return Snapshot{}, s.fail(err)
	}
	if err := checkFile(fi); err != nil {
		return Snapshot{}, s.fail(err)
	}
	f, err := os.Open(s.path)
	if err != nil {
		return Snapshot{}, s.fail(err)
	}
	defer f.Close()
	// The path may have been replaced in between: check what was opened.
	if fi, err = f.Stat(); err != nil {
		return Snapshot{}, s.fail(err)
	}
	if err := checkFile(fi); err != nil {
		return Snapshot{}, s.fail(err)
	}
	// The file may also grow while it is read.
	data, err := io.ReadAll(io.LimitReader(f, MaxDocumentSize+1))
	if err != nil {
		return Snapshot{}, s.fail(err)
	}
	if len(data) > MaxDocumentSize {
		return Snapshot{}, s.fail(errTooLarge(-1))
	}
	sum := sha256.Sum256(data)
	s.remember(fi, hex.EncodeToString(sum[:]))
	return Snapshot{
		Data: data,
		Identity: Identity{
			Source:  s.String(),
			SHA256:  hex.EncodeToString(sum[:]),
			ModTime: fi.ModTime(),
		},
	}, nil
}

// Changed reports whether the file's content may differ from the version
// since identifies. It stats the file and compares size and modification
// time with the last version it hashed (by Read or by Changed); only when
// they differ does it read and hash the content, so a touch without a
// change is no change, and polling an unchanged file costs one stat. A
// since without SHA256 (nothing read yet) always counts as changed while
// the file is there. A missing, unreadable or too large file is an error,
// not a change: Read reports it when a pass runs.
//
// Two writes within one tick of the file system's clock that leave the
// size equal are not told apart until the file changes again; replace the
// file atomically (write a new one, rename it over) to avoid that, and to
// never expose a half-written document.
func (s *FileSource) Changed(ctx context.Context, since Identity) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, s.fail(err)
	}
	fi, err := os.Stat(s.path)
	if err != nil {
		return false, s.fail(err)
	}
	if err := checkFile(fi); err != nil {
		return false, s.fail(err)
	}
	if since.SHA256 == "" {
		return true, nil
	}
	s.mu.Lock()
	seen := s.seen
	s.mu.Unlock()
	if seen.matches(fi) {
		return seen.sha256 != since.SHA256, nil
	}
	snap, err := s.Read(ctx) // remembers the new stamp
	if err != nil {
		return false, err
	}
	return snap.Identity.SHA256 != since.SHA256, nil
}

// remember records that the file version described by fi hashes to sum.
func (s *FileSource) remember(fi os.FileInfo, sum string) {
	s.mu.Lock()
	s.seen = fileStamp{modTime: fi.ModTime(), size: fi.Size(), sha256: sum}
	s.mu.Unlock()
}

// fail names the source in err. The path is in the source's name, so an
// *fs.PathError gives only its cause (errors.Is still sees it).
func (s *FileSource) fail(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("read %s: %w", s, err)
}

func checkFile(fi os.FileInfo) error {
	switch {
	case fi.IsDir():
		return errors.New("is a directory, not a document")
	case !fi.Mode().IsRegular():
		return fmt.Errorf("is not a regular file (mode %v)", fi.Mode())
	case fi.Size() > MaxDocumentSize:
		return errTooLarge(fi.Size())
	}
	return nil
}

package daemon

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"

	"github.com/replsync/replsync/pkg/config"
)

// Tracker is a config.Source that remembers the identity of what it last
// read, so that a change poll compares the source against the version the
// last pass saw: valid or not (an invalid document is not read again until
// it changes), or nothing if that read failed (any readable version then
// counts as a change).
//
// Use it in place of the source a pass reads from (App.Source).
type Tracker struct {
	src config.Source

	mu   sync.Mutex
	last config.Identity
}

var _ config.Source = (*Tracker)(nil)

// Track wraps src.
func Track(src config.Source) *Tracker { return &Tracker{src: src} }

// String returns the source's name.
func (t *Tracker) String() string { return t.src.String() }

// Read reads the source and remembers the identity of what it returned.
func (t *Tracker) Read(ctx context.Context) (config.Snapshot, error) {
	snap, err := t.src.Read(ctx)
	var id config.Identity
	if err == nil {
		id = snap.Identity
		if id.Source == "" {
			id.Source = t.src.String()
		}
		if id.SHA256 == "" {
			id.SHA256 = hash(snap.Data)
		}
	}
	t.mu.Lock()
	t.last = id
	t.mu.Unlock()
	return snap, err
}

// Last returns the identity of the last successful Read (zero if the last
// Read failed or none happened).
func (t *Tracker) Last() config.Identity {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last
}

// Changed reports whether the source may have changed since the last
// Read. It asks the source when it is a config.ChangeDetector (a file's
// size and modification time, an S3 ETag, an SSM parameter version);
// otherwise it reads the whole document and compares hashes.
func (t *Tracker) Changed(ctx context.Context) (bool, error) {
	last := t.Last()
	if d, ok := t.src.(config.ChangeDetector); ok {
		return d.Changed(ctx, last)
	}
	snap, err := t.src.Read(ctx)
	if err != nil {
		return false, err
	}
	sum := snap.Identity.SHA256
	if sum == "" {
		sum = hash(snap.Data)
	}
	return last.SHA256 == "" || sum != last.SHA256, nil
}

func hash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

package sync

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/replsync/replsync/pkg/config"
)

// TestWriteJSONIsTheEncodersOutput: WriteJSON writes exactly what
// json.Encoder with SetIndent("", "  ") writes, for reports with no bucket,
// one, and many of every kind, with characters JSON escapes.
func TestWriteJSONIsTheEncodersOutput(t *testing.T) {
	full := newFleet(16)
	h := newHarness(t, nil)
	full.seed(h.emu)
	rep := h.reconcile(full.doc, false)
	rep.Document.Identity = config.Identity{Source: `file:///tmp/"buckets": []<&>.yaml`, SHA256: "ab", ModTime: time.Unix(1, 0).UTC()}
	rep.Buckets[1].Error = "AccessDeniedException: <not> \"allowed\" \u2028"
	rep.Buckets[2].NotAttempted, rep.Buckets[2].WriteUnconfirmed = true, true
	for _, r := range []*Report{
		{Buckets: []BucketResult{}},
		{Buckets: nil, DryRun: true},
		{Buckets: rep.Buckets[:1]},
		rep,
	} {
		var want, got bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
		if err := r.WriteJSON(&got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want.String(), got.String()); diff != "" {
			t.Errorf("%d buckets (-encoder +WriteJSON):\n%s", len(r.Buckets), diff)
		}
	}
}

func TestWriteJSONReportsWriteErrors(t *testing.T) {
	rep := &Report{Buckets: make([]BucketResult, 3)}
	if err := rep.WriteJSON(failingWriter{}); err == nil {
		t.Error("a failed write was not reported")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// BenchmarkWriteJSON compares the memory of the two ways to write a
// 10 000-bucket report.
func BenchmarkWriteJSON(b *testing.B) {
	f := newFleet(10_000)
	rep := &Report{Buckets: make([]BucketResult, len(f.doc.Buckets))}
	for i, bk := range f.doc.Buckets {
		var obs Observed
		if s := f.seeds[bk.TableBucketARN]; s != nil {
			obs = Observed{Config: newReplication(s.role, s.dests), VersionToken: "0123456789abcdef0123456789abcdef"}
		}
		p := PlanBucket(bk, obs)
		rep.Buckets[i] = BucketResult{TableBucketARN: bk.TableBucketARN, Region: bk.Region(), Action: p.Action, Before: p.Before, After: p.After,
			Changes: p.Diff.Lines(), VersionToken: p.VersionToken, Attempts: 2, Applied: p.Action != ActionNoop}
	}
	b.Run("encoder", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			enc := json.NewEncoder(discard{})
			enc.SetIndent("", "  ")
			if err := enc.Encode(rep); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("WriteJSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := rep.WriteJSON(discard{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

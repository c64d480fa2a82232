package sync

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/replsync/replsync/internal/emulator"
)

// TestMinimalTraffic counts the requests of a pass over hundreds of buckets
// in every plan state across regions: exactly one Get per listed bucket,
// one write per drifted bucket (none in a dry run), nothing else, and
// nothing at all for buckets the document does not list.
func TestMinimalTraffic(t *testing.T) {
	tests := []struct {
		name        string
		buckets     int
		concurrency int
		dryRun      bool
	}{
		{"serial", 48, 1, false},
		{"default concurrency", 240, 0, false},
		{"wide", 240, 64, false},
		{"dry run", 240, 16, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil, withConcurrency(tt.concurrency))
			f := newFleet(tt.buckets)
			tokens := f.seed(h.emu)
			rep := h.reconcile(f.doc, tt.dryRun)

			assertSummary(t, f.want(), rep.Summary)
			minimum := 0
			for _, b := range rep.Buckets {
				cell := f.cells[b.TableBucketARN]
				want := []emulator.Operation{emulator.OpGet}
				if cell.writeOp != "" && !tt.dryRun {
					want = append(want, cell.writeOp)
				}
				minimum += len(want)
				var got []emulator.Operation
				for _, c := range h.emu.CallsFor(b.TableBucketARN) {
					got = append(got, c.Op)
					if c.Region != b.Region {
						t.Errorf("%s: %s signed for %q, want %q", b.TableBucketARN, c.Op, c.Region, b.Region)
					}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s (%s): calls (-want +got):\n%s", b.TableBucketARN, cell.name, diff)
				}
				if b.Action != cell.action || b.Applied != (cell.writeOp != "" && !tt.dryRun) || b.Failed() {
					t.Errorf("%s (%s): action %s applied %v error %q", b.TableBucketARN, cell.name, b.Action, b.Applied, b.Error)
				}
			}
			if n := len(h.emu.Calls()); n != minimum {
				t.Errorf("%d requests, want the minimum %d", n, minimum)
			}
			h.assertAttemptsExact(rep)
			h.assertUnlistedUntouched(f, tokens)
			if tt.dryRun {
				return
			}
			h.assertConverged(f.doc)
			h.assertSecondPassIdle(f.doc)
			if n, want := h.emu.Count(emulator.OpGet), len(f.doc.Buckets); n != want {
				t.Errorf("second pass: %d Gets, want %d", n, want)
			}
			h.assertUnlistedUntouched(f, tokens)
		})
	}
}

package tests

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/replsync/replsync/internal/demo"
	"github.com/replsync/replsync/internal/emulator"
	"github.com/replsync/replsync/pkg/config"
)

// fleetRegions are the regions of a generated fleet (same length, so the
// document's size does not depend on the mix).
var fleetRegions = []string{"us-east-1", "us-west-2", "eu-west-1"}

const fleetRole = "arn:aws:iam::111122223333:role/R"

// fleetBucket is bucket i of a generated fleet.
func fleetBucket(i int) string {
	return fmt.Sprintf("arn:aws:s3tables:%s:111122223333:bucket/b%05d", fleetRegions[i%len(fleetRegions)], i)
}

// fleetDests is the destination list number k (of 8, shared through
// anchors).
func fleetDests(k int) []string {
	return []string{
		fmt.Sprintf("arn:aws:s3tables:eu-central-1:111122223333:bucket/dr%d", k),
		fmt.Sprintf("arn:aws:s3tables:us-east-2:111122223333:bucket/dr%d", k),
	}
}

// fleetAbsent says whether bucket i of a fleet is absent (every tenth).
func fleetAbsent(i int) bool { return i%10 == 9 }

// fleetDocument writes n buckets the way a large fleet keeps its document
// under the 1 MiB limit: the role in defaults, YAML flow style, short
// bucket names, and eight destination lists written once as anchors and
// referred to by aliases.
func fleetDocument(n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "version: 1\ndefaults: {role: %s}\nbuckets:\n", fleetRole)
	for i := range n {
		k := i % 8
		switch {
		case fleetAbsent(i):
			fmt.Fprintf(&b, "- {tableBucketARN: %s, state: absent}\n", fleetBucket(i))
		case i < 8: // list k, the first time: an anchor
			fmt.Fprintf(&b, "- {tableBucketARN: %s, destinations: &d%d [%s]}\n", fleetBucket(i), k, strings.Join(fleetDests(k), ", "))
		default:
			fmt.Fprintf(&b, "- {tableBucketARN: %s, destinations: *d%d}\n", fleetBucket(i), k)
		}
	}
	return []byte(b.String())
}

// seedFleet gives the emulator a mix: a third of the buckets in sync, a
// third replicating elsewhere, a third without replication (so absent
// buckets are deletes or no-ops).
func seedFleet(emu *emulator.Server, n int) {
	for i := range n {
		switch i % 3 {
		case 0:
			emu.SetReplication(fleetBucket(i), fleetRole, fleetDests(i%8))
		case 1:
			emu.SetReplication(fleetBucket(i), fleetRole, fleetDests((i+1)%8))
		default:
			emu.RemoveReplication(fleetBucket(i))
		}
	}
}

func TestFleetDocumentFitsTheLimit(t *testing.T) {
	data := fleetDocument(10_000)
	if len(data) > config.MaxDocumentSize {
		t.Fatalf("the 10 000-bucket document is %d bytes, over the limit", len(data))
	}
	doc, err := config.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Buckets) != 10_000 || doc.Buckets[9].State != config.StateAbsent || len(doc.Buckets[8].Destinations) != 2 || doc.Buckets[8].Role != fleetRole {
		t.Errorf("unexpected document: %+v ... %+v", doc.Buckets[8], doc.Buckets[9])
	}
	t.Logf("%d bytes", len(data))
}

// BenchmarkDaemonPass runs the built daemon once (--once --output json,
// concurrency 32, no rate limit, audit log at info) over a generated fleet
// against the in-process emulator, and reports the child's peak memory
// (max RSS, from its rusage), its wall time and its requests.
func BenchmarkDaemonPass(b *testing.B) {
	for _, n := range []int{100, 10_000} {
		b.Run(fmt.Sprintf("buckets=%d", n), func(b *testing.B) {
			emu := emulator.New()
			emu.Start()
			defer emu.Close()
			data := fleetDocument(n)
			path := filepath.Join(b.TempDir(), "fleet.yaml")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				b.Fatal(err)
			}
			var maxRSS int64
			var wall time.Duration
			var requests, runs int
			for b.Loop() {
				b.StopTimer()
				seedFleet(emu, n)
				emu.ResetCalls()
				b.StartTimer()
				rss, took := runFleetPass(b, emu, path, n)
				maxRSS, wall = max(maxRSS, rss), wall+took
				requests += len(emu.Calls())
				runs++
			}
			b.ReportMetric(float64(maxRSS)/1024, "maxrss-MiB")
			b.ReportMetric(wall.Seconds()/float64(runs), "wall-s")
			b.ReportMetric(float64(requests)/float64(runs), "requests")
			b.ReportMetric(float64(len(data))/(1<<20), "doc-MiB")
		})
	}
}

// runFleetPass runs the daemon over the fleet document at path and returns
// its max RSS in KiB and its wall time.
func runFleetPass(b *testing.B, emu *emulator.Server, path string, n int) (int64, time.Duration) {
	out := filepath.Join(b.TempDir(), "report.json")
	stdout, err := os.Create(out)
	if err != nil {
		b.Fatal(err)
	}
	defer stdout.Close()
	var stderr tail
	cmd := exec.Command(filepath.Join(binDir, "replsync-daemon"), "--config", path, "--once", "--output", "json",
		"--concurrency", "32", "--max-rps", "0")
	cmd.Env = demo.Env(emu.URL())
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("daemon: %v\n%s", err, stderr.String())
	}
	took := time.Since(start)
	if _, err := stdout.Seek(0, io.SeekStart); err != nil {
		b.Fatal(err)
	}
	var rep struct {
		Summary map[string]int `json:"summary"`
	}
	if err := json.NewDecoder(stdout).Decode(&rep); err != nil {
		b.Fatal(err)
	}
	if rep.Summary["failed"] != 0 || rep.Summary["noop"]+rep.Summary["create"]+rep.Summary["update"]+rep.Summary["delete"] != n {
		b.Fatalf("summary %v", rep.Summary)
	}
	return cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss, took
}

// tail keeps the last 4 KiB written to it (a child's stderr, for errors).
type tail struct{ buf []byte }

func (t *tail) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if len(t.buf) > 4096 {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-4096:]...)
	}
	return len(p), nil
}

func (t *tail) String() string { return string(t.buf) }

package sync

import (
	"context"
	"fmt"
	"slices"
	gosync "sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3tables"
	"github.com/google/go-cmp/cmp"

	"github.com/replsync/replsync/internal/emulator"
	"github.com/replsync/replsync/pkg/config"
)

// fleetRegions are the regions a generated fleet spreads over.
var fleetRegions = []string{"us-east-1", "us-west-2", "eu-west-1"}

// fleetCell is one cell of the plan table, as a generated bucket meets it.
type fleetCell struct {
	name    string
	seed    func(i int) *seed // live configuration before the pass (nil: none)
	absent  bool
	action  Action
	writeOp emulator.Operation // "" for no write
}

// fleetCells cover every cell of the plan table, the normalization cases
// (live order and duplicates) and a live configuration with a foreign role.
var fleetCells = []fleetCell{
	{"none/present", nil, false, ActionCreate, emulator.OpPut},
	{"equal/present", func(i int) *seed { return &seed{role1, fleetDests(i)} }, false, ActionNoop, ""},
	{"equal in another order, duplicated/present", func(i int) *seed {
		d := fleetDests(i)
		return &seed{role1, append([]string{d[1], d[0]}, d...)}
	}, false, ActionNoop, ""},
	{"different destinations/present", func(i int) *seed { return &seed{role1, fleetDests(i + 1)} }, false, ActionUpdate, emulator.OpPut},
	{"different role/present", func(i int) *seed { return &seed{role2, fleetDests(i)} }, false, ActionUpdate, emulator.OpPut},
	{"none/absent", nil, true, ActionNoop, ""},
	{"equal/absent", func(i int) *seed { return &seed{role1, fleetDests(i)} }, true, ActionDelete, emulator.OpDelete},
	{"different/absent", func(i int) *seed { return &seed{role2, fleetDests(i + 2)} }, true, ActionDelete, emulator.OpDelete},
}

// fleetDests returns the two destinations of bucket i (in another region).
func fleetDests(i int) []string {
	return []string{
		fmt.Sprintf("arn:aws:s3tables:eu-central-1:111122223333:bucket/dr-%d", i%7),
		fmt.Sprintf("arn:aws:s3tables:us-east-2:111122223333:bucket/dr-%d", i%5),
	}
}

func fleetARN(prefix string, i int) string {
	return fmt.Sprintf("arn:aws:s3tables:%s:111122223333:bucket/%s%04d", fleetRegions[i%len(fleetRegions)], prefix, i)
}

// fleet is a generated document with the state to seed and what a pass
// must do to each bucket.
type fleet struct {
	doc      *config.Document
	seeds    map[string]*seed // by bucket; nil: no configuration
	cells    map[string]fleetCell
	unlisted []string // seeded buckets the document does not list
}

// newFleet returns n buckets cycling through fleetCells, with the cells in
// a different order in each region, plus n/10 unlisted buckets.
func newFleet(n int) *fleet {
	f := &fleet{doc: doc(), seeds: map[string]*seed{}, cells: map[string]fleetCell{}}
	for i := range n {
		arn := fleetARN("b", i)
		cell := fleetCells[(i/len(fleetRegions)+i)%len(fleetCells)]
		b := bucket(arn, role1, fleetDests(i)...)
		if cell.absent {
			b = gone(arn)
		}
		f.doc.Buckets = append(f.doc.Buckets, b)
		f.cells[arn] = cell
		if cell.seed != nil {
			f.seeds[arn] = cell.seed(i)
		}
	}
	for i := range n / 10 {
		f.unlisted = append(f.unlisted, fleetARN("unlisted", i))
	}
	return f
}

// seed stores the fleet's live state in the emulator and returns the tokens.
func (f *fleet) seed(emu *emulator.Server) map[string]string {
	tokens := map[string]string{}
	for arn, s := range f.seeds {
		tokens[arn] = emu.SetReplication(arn, s.role, s.dests)
	}
	for _, arn := range f.unlisted {
		tokens[arn] = emu.SetReplication(arn, role2, fleetDests(0))
	}
	return tokens
}

// want returns the summary a full pass over the fleet reports.
func (f *fleet) want() Summary {
	var s Summary
	for _, c := range f.cells {
		switch c.action {
		case ActionCreate:
			s.Create++
		case ActionUpdate:
			s.Update++
		case ActionDelete:
			s.Delete++
		default:
			s.Noop++
		}
	}
	return s
}

// assertUnlistedUntouched checks that no bucket outside the document was
// read or written.
func (h *harness) assertUnlistedUntouched(f *fleet, tokens map[string]string) {
	h.t.Helper()
	for _, arn := range f.unlisted {
		if calls := h.emu.CallsFor(arn); len(calls) != 0 {
			h.t.Errorf("unlisted %s got %d calls", arn, len(calls))
		}
		if r, _ := h.emu.Replication(arn); r.VersionToken != tokens[arn] {
			h.t.Errorf("unlisted %s changed", arn)
		}
	}
}

// assertAttemptsExact checks that each bucket's Attempts is the number of
// requests the emulator received for it: no hidden retry layer.
func (h *harness) assertAttemptsExact(rep *Report) {
	h.t.Helper()
	for _, b := range rep.Buckets {
		if n := len(h.emu.CallsFor(b.TableBucketARN)); b.Attempts != n {
			h.t.Errorf("%s: attempts %d, emulator saw %d requests", b.TableBucketARN, b.Attempts, n)
		}
	}
}

// assertSummary compares a report's summary.
func assertSummary(t *testing.T, want, got Summary) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
}

// withConcurrency, withMaxRPS, withClock and withBackOff tune a harness.
func withConcurrency(c int) harnessOption { return func(o *Options) { o.Concurrency = c } }

func withMaxRPS(rps float64) harnessOption { return func(o *Options) { o.MaxRPS = rps } }

func withClock(c clock) harnessOption { return func(o *Options) { o.clock = c } }

// virtualClock is a clock that moves only when told or when a sleeper
// wakes: SleepUntil returns at once and moves the clock to the wake time
// (never back). Concurrent sleepers thus see the time the rate limiter
// scheduled them for, and the clock's final reading is the latest
// scheduled request: timing by counting.
type virtualClock struct {
	mu     gosync.Mutex
	now    time.Time
	sleeps int
}

func newVirtualClock() *virtualClock {
	return &virtualClock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *virtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *virtualClock) SleepUntil(ctx context.Context, t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps++
	if t.After(c.now) {
		c.now = t
	}
	return ctx.Err()
}

func (c *virtualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// stampedClients records, per region, the clock's reading when each
// request is handed to the SDK.
type stampedClients struct {
	Clients
	clock clock

	mu   gosync.Mutex
	sent map[string][]time.Time
}

func withStamps(c clock, into **stampedClients) harnessOption {
	return func(o *Options) {
		*into = &stampedClients{Clients: o.Clients, clock: c, sent: map[string][]time.Time{}}
		o.Clients = *into
	}
}

func (s *stampedClients) For(region string) (ReplicationAPI, error) {
	api, err := s.Clients.For(region)
	return stampedAPI{api: api, stamp: func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.sent[region] = append(s.sent[region], s.clock.Now())
	}}, err
}

// times returns the stamps of region, sorted.
func (s *stampedClients) times(region string) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.sent[region])
	slices.SortFunc(out, time.Time.Compare)
	return out
}

type stampedAPI struct {
	api   ReplicationAPI
	stamp func()
}

func (a stampedAPI) GetTableBucketReplication(ctx context.Context, in *s3tables.GetTableBucketReplicationInput, optFns ...func(*s3tables.Options)) (*s3tables.GetTableBucketReplicationOutput, error) {
	a.stamp()
	return a.api.GetTableBucketReplication(ctx, in, optFns...)
}

func (a stampedAPI) PutTableBucketReplication(ctx context.Context, in *s3tables.PutTableBucketReplicationInput, optFns ...func(*s3tables.Options)) (*s3tables.PutTableBucketReplicationOutput, error) {
	a.stamp()
	return a.api.PutTableBucketReplication(ctx, in, optFns...)
}

func (a stampedAPI) DeleteTableBucketReplication(ctx context.Context, in *s3tables.DeleteTableBucketReplicationInput, optFns ...func(*s3tables.Options)) (*s3tables.DeleteTableBucketReplicationOutput, error) {
	a.stamp()
	return a.api.DeleteTableBucketReplication(ctx, in, optFns...)
}

package sync

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3tables"
	"github.com/cenkalti/backoff/v4"
	"github.com/google/go-cmp/cmp"

	"github.com/replsync/replsync/internal/emulator"
	"github.com/replsync/replsync/pkg/config"
)

// harness is an emulator and a reconciler that talks to it through the
// real SDK client.
type harness struct {
	t   testing.TB
	emu *emulator.Server
	rec *Reconciler
	cfg aws.Config // what the reconciler's clients are built from
}

type harnessOption func(*Options)

func newHarness(t testing.TB, emuOpts []emulator.Option, opts ...harnessOption) *harness {
	t.Helper()
	emu := emulator.New(emuOpts...)
	url := emu.Start()
	t.Cleanup(emu.Close)
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
	}
	o := Options{
		Clients: NewRegionClients(cfg, endpoint(url)),
		// Tests never sleep: retry at once, a bounded number of times.
		NewBackOff: func() backoff.BackOff { return backoff.WithMaxRetries(&backoff.ZeroBackOff{}, testRetries) },
	}
	for _, fn := range opts {
		fn(&o)
	}
	rec, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, emu: emu, rec: rec, cfg: cfg}
}

// endpoint points an S3 Tables client at url.
func endpoint(url string) func(*s3tables.Options) {
	return func(o *s3tables.Options) { o.BaseEndpoint = aws.String(url) }
}

// endpoint points an S3 Tables client at the harness's emulator.
func (h *harness) endpoint() func(*s3tables.Options) { return endpoint(h.emu.URL()) }

func (h *harness) reconcile(doc *config.Document, dryRun bool) *Report {
	h.t.Helper()
	rep, err := h.rec.Reconcile(context.Background(), doc, RunOptions{DryRun: dryRun})
	if err != nil {
		h.t.Fatalf("Reconcile: %v", err)
	}
	if len(rep.Buckets) != len(doc.Buckets) {
		h.t.Fatalf("report has %d buckets, document %d", len(rep.Buckets), len(doc.Buckets))
	}
	return rep
}

func (h *harness) writes() int {
	return h.emu.Count(emulator.OpPut) + h.emu.Count(emulator.OpDelete)
}

// assertConverged checks that the emulator holds what the document asks,
// after normalization.
func (h *harness) assertConverged(doc *config.Document) {
	h.t.Helper()
	for _, b := range doc.Buckets {
		got, ok := h.emu.Replication(b.TableBucketARN)
		if b.State == config.StateAbsent {
			if ok {
				h.t.Errorf("%s: replication %+v, want none", b.TableBucketARN, got)
			}
			continue
		}
		if !ok {
			h.t.Errorf("%s: no replication, want %v", b.TableBucketARN, b.Destinations)
			continue
		}
		if !Equivalent(newReplication(got.Role, got.Destinations), Desired(b)) {
			h.t.Errorf("%s: live %s %v, want %s %v", b.TableBucketARN, got.Role, got.Destinations, b.Role, b.Destinations)
		}
	}
}

// assertSecondPassIdle runs the document again: nothing to do, no write.
func (h *harness) assertSecondPassIdle(doc *config.Document) {
	h.t.Helper()
	h.emu.ResetCalls()
	rep := h.reconcile(doc, false)
	if n := h.writes(); n != 0 {
		h.t.Errorf("second pass made %d writes, want 0", n)
	}
	want := Summary{Noop: len(doc.Buckets)}
	if diff := cmp.Diff(want, rep.Summary); diff != "" {
		h.t.Errorf("second pass summary (-want +got):\n%s", diff)
	}
}

func doc(buckets ...config.Bucket) *config.Document {
	return &config.Document{Version: 1, Buckets: buckets}
}

func bucket(arn, role string, dests ...string) config.Bucket {
	return config.Bucket{TableBucketARN: arn, State: config.StatePresent, Role: role, Destinations: dests}
}

func gone(arn string) config.Bucket {
	return config.Bucket{TableBucketARN: arn, State: config.StateAbsent}
}

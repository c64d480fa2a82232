package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Main runs the standalone emulator (internal/cmd/s3tables-emulator) with
// the command-line arguments args, logging to stderr, until ctx is done. It
// returns the process exit code: 0 when ctx ends (the caller cancels it on
// SIGTERM or SIGINT) or for -help, 2 for bad flags, 1 for any other error.
func Main(ctx context.Context, args []string, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2 // the flag package has printed the problem and the usage
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if err := run(ctx, cfg, log); err != nil {
		log.Error("s3tables emulator failed", "err", err)
		return 1
	}
	return 0
}

// commandConfig is what the flags ask for.
type commandConfig struct {
	listen, seedFile, urlFile, putStatus string
	logCalls, strict, seeded             bool
	seed                                 int64
	buckets                              []string
	latency, jitter                      time.Duration
	faults                               map[ErrorKind]float64
}

func parseFlags(args []string, stderr io.Writer) (commandConfig, error) {
	cfg := commandConfig{faults: map[ErrorKind]float64{}}
	fs := flag.NewFlagSet("s3tables-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: s3tables-emulator [flags]\n\nServes the S3 Tables table bucket replication API on --listen.\nFlags:")
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.listen, "listen", "127.0.0.1:0", "`address` to listen on")
	fs.StringVar(&cfg.seedFile, "seed-file", "", "JSON `file` of initial configurations: {\"<bucket ARN>\": {\"role\": ..., \"destinations\": [...]}}")
	fs.StringVar(&cfg.urlFile, "url-file", "", "write the base URL to this `file` (atomically) once listening")
	fs.BoolVar(&cfg.logCalls, "log-calls", false, "log one line per call on stderr")
	fs.BoolVar(&cfg.strict, "strict", false, "only buckets of the seed file and of --bucket exist")
	fs.Func("bucket", "register a table bucket `ARN` (repeatable; see --strict)", func(v string) error {
		cfg.buckets = append(cfg.buckets, v)
		return nil
	})
	fs.Func("seed", "random `seed` for tokens, faults and jitter (default: time based)", func(v string) error {
		_, err := fmt.Sscan(v, &cfg.seed)
		cfg.seeded = err == nil
		return err
	})
	fs.StringVar(&cfg.putStatus, "put-status", "Success", "`status` answered by a successful PutTableBucketReplication")
	fs.DurationVar(&cfg.latency, "latency", 0, "added to every call")
	fs.DurationVar(&cfg.jitter, "latency-jitter", 0, "random extra latency in [0, `duration`)")
	for name, kind := range map[string]ErrorKind{
		"fault-throttle": Throttle, "fault-internal-error": InternalError,
		"fault-unavailable": Unavailable, "fault-reset": Reset,
	} {
		fs.Func(name, "`probability` that a call fails with "+string(kind), func(v string) error {
			var p float64
			if _, err := fmt.Sscan(v, &p); err != nil || p <= 0 || p > 1 {
				return fmt.Errorf("want a probability in (0, 1], got %q", v)
			}
			cfg.faults[kind] = p
			return nil
		})
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
		fmt.Fprintln(stderr, err)
		fs.Usage()
		return cfg, err
	}
	return cfg, nil
}

func run(ctx context.Context, cfg commandConfig, log *slog.Logger) error {
	seed, err := loadSeedFile(cfg.seedFile)
	if err != nil {
		return err
	}
	opts := []Option{WithPutStatus(cfg.putStatus), WithLatency(cfg.latency, cfg.jitter)}
	if cfg.seeded {
		opts = append(opts, WithSeed(cfg.seed))
	}
	if cfg.strict {
		opts = append(opts, WithStrictBuckets(cfg.buckets...))
	}
	if cfg.logCalls {
		opts = append(opts, WithOnCall(func(c Call) {
			log.Info("call", "seq", c.Seq, "op", c.Op, "bucket", c.Bucket, "region", c.Region,
				"token", c.VersionToken, "status", c.Status, "error", c.ErrorType)
		}))
	}
	s := New(opts...)
	defer s.Close()
	for _, arn := range slices.Sorted(maps.Keys(seed)) { // sorted: a --seed gives the same tokens
		s.SetReplication(arn, seed[arn].Role, seed[arn].Destinations)
	}
	// Fixed order, so that a seed reproduces the same faults.
	for _, kind := range []ErrorKind{Throttle, InternalError, Unavailable, Reset} {
		if p, ok := cfg.faults[kind]; ok {
			s.AddFault(Fault{Kind: kind, Probability: p})
		}
	}

	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", cfg.listen)
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second}
	srv.SetKeepAlivesEnabled(false) // see Server.Start
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	if cfg.urlFile != "" {
		if err := writeFileAtomic(cfg.urlFile, []byte(url)); err != nil {
			_ = srv.Close()
			<-served
			return fmt.Errorf("--url-file: %w", err)
		}
	}
	log.Info("s3tables emulator listening", "url", url, "buckets", len(seed), "strict", cfg.strict)

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	s.Close() // ends pending latency waits, so that Shutdown does not wait on them
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	<-served
	log.Info("s3tables emulator stopped", "calls", len(s.Calls()))
	return err
}

// seedEntry is one bucket of a --seed-file.
type seedEntry struct {
	Role         string   `json:"role"`
	Destinations []string `json:"destinations"`
}

// loadSeedFile reads and validates a --seed-file with the same model rules
// as a Put, so a demo cannot start from a state the service would refuse.
func loadSeedFile(path string) (map[string]seedEntry, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--seed-file: %w", err)
	}
	var seed map[string]seedEntry
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&seed); err != nil {
		return nil, fmt.Errorf("--seed-file %s: %w", path, err)
	}
	var problems []string
	for arn, e := range seed {
		dests := make([]wireDestination, len(e.Destinations))
		for i := range e.Destinations {
			dests[i] = wireDestination{DestinationTableBucketARN: &e.Destinations[i]}
		}
		role := e.Role
		body := &wirePutRequest{Configuration: &wireConfiguration{Role: &role, Rules: []wireRule{{Destinations: dests}}}}
		req := request{op: OpPut, bucket: arn, hasBucket: true, body: body}
		if a, ok := validate(req); !ok {
			problems = append(problems, arn+": "+a.body.(wireError).Message)
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return nil, fmt.Errorf("--seed-file %s: %s", path, strings.Join(problems, "\n"))
	}
	return seed, nil
}

// writeFileAtomic writes data to path through a temporary file and a
// rename, so a reader never sees a partial URL.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	merr := f.Chmod(0o644) // CreateTemp makes it 0600; the URL is no secret
	cerr := f.Close()
	if err := errors.Join(werr, merr, cerr); err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	return nil
}

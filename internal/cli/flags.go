package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/replsync/replsync/internal/daemon"
	replsync "github.com/replsync/replsync/pkg/sync"
)

// Flags are the daemon's settings. Every flag can also come from the
// environment as REPLSYNC_<NAME> (upper case, dashes as underscores); a flag
// on the command line wins.
type Flags struct {
	Config      string
	Once        bool
	DryRun      bool
	Output      string
	Interval    time.Duration
	Concurrency int
	MaxRPS      float64
	Listen      string
	LogLevel    string
	LogFormat   string

	// WatchInterval and Debounce tune the long-running mode;
	// ShutdownTimeout applies to --once too.
	WatchInterval   time.Duration
	Debounce        time.Duration
	ShutdownTimeout time.Duration
}

const usageText = `replsync-daemon keeps the replication configuration of Amazon S3 Tables
table buckets equal to a desired-state document.

Usage:
  replsync-daemon --config SOURCE [--once] [--dry-run] [--output text|json]
                  [--interval 5m] [--watch-interval 30s] [--debounce 2s]
                  [--shutdown-timeout 30s] [--concurrency 8] [--max-rps 20]
                  [--listen :9090] [--log-level info] [--log-format json|text]

Without --once it runs until SIGTERM or SIGINT: a pass at start, then one
every --interval (±10% jitter), one soon after the document changes (polled
every --watch-interval, then --debounce), and one on SIGHUP.

SOURCE is one of:
  ./path.yaml, path.json, /abs/path.yaml   a local file
  file:///abs/path.json                    a local file, as a URL
  s3://bucket/key.yaml[?versionId=V]       an S3 object (that version, if given)
  ssm:/parameter/name, ssm:name            an SSM parameter (String or SecureString)
  arn:aws:ssm:REGION:ACCOUNT:parameter/N   an SSM parameter by ARN, read in its region

Flags (each also from the environment variable shown):
`

const exitText = `
Signals:
  SIGTERM, SIGINT  start no new pass; the pass under way may finish within
                   --shutdown-timeout, then it is canceled; exit 0 (with
                   --once: the exit code of the pass). A second signal
                   cancels the pass at once.
  SIGHUP           run a pass now (after the one under way, if any).

Endpoints on --listen (without --once):
  /healthz  200 while the process runs
  /readyz   200 once a pass has completed and while the document is valid;
            503 with the reason otherwise
  /metrics  Prometheus metrics, replsync_* (see README)

Exit codes with --once:
  0  every bucket converged (whether or not anything was written)
  1  the document could not be read or is invalid, a bucket failed, or a
     flag is wrong
With --once --dry-run (like terraform plan -detailed-exitcode):
  0  no drift    2  drift found (nothing was written)    1  error

AWS configuration comes from the standard SDK sources: AWS_REGION, AWS_PROFILE,
credentials, and endpoint overrides such as AWS_ENDPOINT_URL_S3TABLES.
`

// errHelp is returned by parseFlags when --help was asked for.
var errHelp = flag.ErrHelp

// parseFlags reads args and the environment (getenv) into Flags.
func parseFlags(args []string, getenv func(string) string, usageOut io.Writer) (Flags, error) {
	var f Flags
	fs := flag.NewFlagSet("replsync-daemon", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.Config, "config", "", "document `SOURCE` (required)")
	fs.BoolVar(&f.Once, "once", false, "run one pass and exit")
	fs.BoolVar(&f.DryRun, "dry-run", false, "plan only: never write")
	fs.StringVar(&f.Output, "output", "text", "report format on stdout with --once: text or json")
	fs.DurationVar(&f.Interval, "interval", daemon.DefaultInterval, "time from the end of a pass to the next one without --once (±10% jitter)")
	fs.DurationVar(&f.WatchInterval, "watch-interval", daemon.DefaultWatchInterval, "time between checks of the document for a change without --once (0: no checks)")
	fs.DurationVar(&f.Debounce, "debounce", daemon.DefaultDebounce, "wait after a change is seen before the pass, so that a burst of changes makes one pass")
	fs.DurationVar(&f.ShutdownTimeout, "shutdown-timeout", daemon.DefaultShutdownTimeout, "on SIGTERM/SIGINT, how long the pass under way may go on before it is canceled")
	fs.IntVar(&f.Concurrency, "concurrency", replsync.DefaultConcurrency, "buckets reconciled at once")
	fs.Float64Var(&f.MaxRPS, "max-rps", replsync.DefaultMaxRPS, "S3 Tables requests per second per region, retries included (0: no limit)")
	fs.StringVar(&f.Listen, "listen", ":9090", "`host:port` of /healthz, /readyz and /metrics without --once (port 0: any free port; the log says which)")
	fs.StringVar(&f.LogLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&f.LogFormat, "log-format", "json", "logs on stderr: json or text")
	fs.Usage = func() {
		fmt.Fprint(usageOut, usageText)
		fs.VisitAll(func(fl *flag.Flag) {
			name, usage := flag.UnquoteUsage(fl)
			def := ""
			if fl.DefValue != "" && fl.DefValue != "false" {
				def = "default " + fl.DefValue + "; "
			}
			fmt.Fprintf(usageOut, "  %s\n        %s (%s$%s)\n", strings.TrimSpace("--"+fl.Name+" "+name), usage, def, envName(fl.Name))
		})
		fmt.Fprint(usageOut, exitText)
	}

	// The environment first, so that flags on the command line win.
	var envErrs []error
	fs.VisitAll(func(fl *flag.Flag) {
		if v := getenv(envName(fl.Name)); v != "" {
			if err := fl.Value.Set(v); err != nil {
				envErrs = append(envErrs, fmt.Errorf("$%s: invalid value %q: %v", envName(fl.Name), v, err))
			}
		}
	})
	if err := errors.Join(envErrs...); err != nil {
		return f, err
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) { // Parse has printed the usage
			return f, errHelp
		}
		return f, err
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected argument %q (flags start with --)", fs.Arg(0))
	}
	return f, f.validate()
}

func (f Flags) validate() error {
	var errs []error
	if f.Config == "" {
		errs = append(errs, errors.New("--config (or $REPLSYNC_CONFIG) is required"))
	}
	if f.Output != "text" && f.Output != "json" {
		errs = append(errs, fmt.Errorf("--output must be text or json, not %q", f.Output))
	}
	if f.LogFormat != "text" && f.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format must be json or text, not %q", f.LogFormat))
	}
	if _, err := zerolog.ParseLevel(f.LogLevel); err != nil || f.LogLevel == "" {
		errs = append(errs, fmt.Errorf("--log-level must be debug, info, warn or error, not %q", f.LogLevel))
	}
	if f.Concurrency < 1 {
		errs = append(errs, fmt.Errorf("--concurrency must be at least 1, not %d", f.Concurrency))
	}
	if f.MaxRPS < 0 {
		errs = append(errs, fmt.Errorf("--max-rps must not be negative, not %v", f.MaxRPS))
	}
	if f.Interval <= 0 {
		errs = append(errs, fmt.Errorf("--interval must be positive, not %s", f.Interval))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"watch-interval", f.WatchInterval}, {"debounce", f.Debounce}, {"shutdown-timeout", f.ShutdownTimeout}} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("--%s must not be negative, not %s", d.name, d.v))
		}
	}
	if !f.Once && f.Listen == "" {
		errs = append(errs, errors.New("--listen (or $REPLSYNC_LISTEN) must name an address without --once, e.g. :9090"))
	}
	return errors.Join(errs...)
}

// envName is the environment variable of a flag: concurrency ->
// REPLSYNC_CONCURRENCY, dry-run -> REPLSYNC_DRY_RUN.
func envName(flagName string) string {
	return "REPLSYNC_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

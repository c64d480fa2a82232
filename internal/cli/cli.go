// Package cli is replsync-daemon: flags, logging, one pass (--once) and the
// long-running loop. cmd/daemon only calls Main.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/rs/zerolog"

	"github.com/replsync/replsync/internal/app"
	"github.com/replsync/replsync/internal/daemon"
	replsync "github.com/replsync/replsync/pkg/sync"
)

// Exit codes of replsync-daemon.
const (
	ExitOK    = 0
	ExitError = 1
	ExitDrift = 2
)

// Main runs replsync-daemon with args (without the program name) and
// returns its exit code. getenv reads the environment (os.Getenv); signals
// delivers the signals the process receives (SIGTERM and SIGINT stop it
// gracefully, SIGHUP asks for a pass; see the --help text). Ending ctx
// stops it at once.
func Main(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, signals <-chan os.Signal) int {
	f, err := parseFlags(args, getenv, stdout)
	if errors.Is(err, errHelp) {
		return ExitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "replsync-daemon: %v\nRun replsync-daemon --help for usage.\n", err)
		return ExitError
	}
	log := newLogger(stderr, f.LogLevel, f.LogFormat)
	if !f.Once {
		return runDaemon(ctx, f, log, signals, stderr)
	}
	a, err := app.New(ctx, app.Settings{Config: f.Config, Concurrency: f.Concurrency, MaxRPS: f.MaxRPS}, log)
	if err != nil {
		return fail(stdout, stderr, f, err)
	}
	return runOnce(ctx, a, f, log, signals, stdout, stderr)
}

// runOnce runs one pass and prints the report. SIGTERM/SIGINT give the
// pass --shutdown-timeout to finish, as in the long-running mode; the exit
// code is then that of the (possibly canceled) pass.
func runOnce(ctx context.Context, a *app.App, f Flags, log zerolog.Logger, signals <-chan os.Signal, stdout, stderr io.Writer) int {
	loop := &daemon.Loop{
		Pass: func(ctx context.Context) (*replsync.Report, error) {
			return a.Pass(ctx, replsync.RunOptions{DryRun: f.DryRun})
		},
		ShutdownTimeout: f.ShutdownTimeout,
		Log:             log,
	}
	o := loop.Once(ctx, signals)
	rep, err := o.Report, o.Err
	if err != nil {
		return fail(stdout, stderr, f, err)
	}
	if err := writeReport(stdout, rep, f.Output); err != nil {
		fmt.Fprintf(stderr, "replsync-daemon: writing the report: %v\n", err)
		return ExitError
	}
	return ExitCode(rep)
}

// ExitCode maps a report to the exit code of --once: 1 if any bucket
// failed; in a dry run 2 if any bucket drifted; else 0.
func ExitCode(rep *replsync.Report) int {
	switch {
	case rep.Summary.Failed > 0:
		return ExitError
	case rep.DryRun && rep.Drift():
		return ExitDrift
	}
	return ExitOK
}

func writeReport(w io.Writer, rep *replsync.Report, format string) error {
	if format == "json" {
		return rep.WriteJSON(w) // streams: flat memory for large reports
	}
	return rep.WriteText(w)
}

// fail reports an error that stopped the pass before any bucket (the
// document could not be read or is invalid). With --output json, stdout
// still gets one JSON object, so pipelines can always parse it.
func fail(stdout, stderr io.Writer, f Flags, err error) int {
	fmt.Fprintf(stderr, "replsync-daemon: %v\n", err)
	if f.Output == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(struct {
			DryRun bool   `json:"dryRun"`
			Error  string `json:"error"`
		}{f.DryRun, err.Error()})
	}
	return ExitError
}

// newLogger returns the zerolog logger for stderr: JSON, or a console
// format for people.
func newLogger(w io.Writer, level, format string) zerolog.Logger {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil {
		lvl = zerolog.InfoLevel
	}
	if format == "text" {
		noColor := true
		if f, ok := w.(*os.File); ok {
			if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
				noColor = false
			}
		}
		w = zerolog.ConsoleWriter{Out: w, NoColor: noColor}
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger()
}

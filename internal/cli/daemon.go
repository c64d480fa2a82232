package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/rs/zerolog"

	"github.com/replsync/replsync/internal/app"
	"github.com/replsync/replsync/internal/daemon"
	"github.com/replsync/replsync/internal/metrics"
	"github.com/replsync/replsync/pkg/config"
	replsync "github.com/replsync/replsync/pkg/sync"
)

// httpShutdownTimeout bounds the wait for in-flight scrapes and probes
// once the loop has stopped.
const httpShutdownTimeout = 5 * time.Second

// runDaemon is the long-running mode: it serves /healthz, /readyz and
// /metrics on --listen and runs the loop until a stop signal. A port that
// cannot be bound fails the start.
func runDaemon(ctx context.Context, f Flags, log zerolog.Logger, signals <-chan os.Signal, stderr io.Writer) int {
	m := metrics.New()
	a, err := app.New(ctx, app.Settings{Config: f.Config, Concurrency: f.Concurrency, MaxRPS: f.MaxRPS, OnCall: m.ObserveCall}, log)
	if err != nil {
		fmt.Fprintf(stderr, "replsync-daemon: %v\n", err)
		return ExitError
	}
	// Passes read through the tracker, so that change polls compare the
	// source with what the last pass read.
	tracker := daemon.Track(a.Source)
	a.Source = tracker
	health := daemon.NewHealth()

	ln, err := net.Listen("tcp", f.Listen)
	if err != nil {
		fmt.Fprintf(stderr, "replsync-daemon: --listen %s: %v\n", f.Listen, err)
		return ExitError
	}
	srv := &http.Server{
		Handler:           daemon.Handler(health, m.Handler()),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error().Err(err).Msg("the HTTP server stopped; /healthz, /readyz and /metrics are gone")
		}
	}()
	log.Info().Str("source", tracker.String()).Bool("dryRun", f.DryRun).
		Stringer("interval", f.Interval).Stringer("watchInterval", f.WatchInterval).Stringer("debounce", f.Debounce).
		Stringer("shutdownTimeout", f.ShutdownTimeout).Int("concurrency", f.Concurrency).Float64("maxRPS", f.MaxRPS).
		Str("listen", ln.Addr().String()).Msg("replsync-daemon started: serving /healthz, /readyz and /metrics")

	loop := &daemon.Loop{
		Pass: func(ctx context.Context) (*replsync.Report, error) {
			return a.Pass(ctx, replsync.RunOptions{DryRun: f.DryRun})
		},
		Changed: tracker.Changed,
		Observe: func(o daemon.Outcome) {
			health.Observe(o)
			observePass(m, tracker, o)
		},
		ObserveCheck:    func(changed bool, err error) { m.ObserveCheck(checkResult(changed, err)) },
		Interval:        f.Interval,
		Jitter:          daemon.DefaultJitter,
		WatchInterval:   f.WatchInterval,
		Debounce:        f.Debounce,
		ShutdownTimeout: f.ShutdownTimeout,
		Log:             log,
	}
	loop.Run(ctx, signals)

	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), httpShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn().Err(err).Msg("closing the HTTP server")
		srv.Close()
	}
	<-served
	log.Info().Msg("replsync-daemon stopped")
	return ExitOK
}

// observePass records a finished pass in the metrics.
func observePass(m *metrics.Metrics, tracker *daemon.Tracker, o daemon.Outcome) {
	res := o.Result()
	m.ObservePass(metrics.Pass{
		Result:   string(res),
		Trigger:  string(o.Trigger),
		End:      o.End,
		Duration: o.End.Sub(o.Start),
		Report:   o.Report,
	})
	switch {
	case o.Report != nil:
		m.SetDocument(o.Report.Document.Identity, true)
	case res == daemon.ResultInvalidDocument:
		id := tracker.Last()
		if id.Source == "" { // refused before it was read (too large)
			id = config.Identity{Source: tracker.String()}
		}
		m.SetDocument(id, false)
	}
}

func checkResult(changed bool, err error) string {
	switch {
	case err != nil:
		return metrics.CheckError
	case changed:
		return metrics.CheckChanged
	}
	return metrics.CheckUnchanged
}

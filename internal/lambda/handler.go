package lambda

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/rs/zerolog"

	"github.com/replsync/replsync/internal/app"
	"github.com/replsync/replsync/pkg/config"
	replsync "github.com/replsync/replsync/pkg/sync"
)

// Handler handles the function's invocations. Build it once, at init;
// Lambda never runs two invocations in one process at once, and the
// template reserves a concurrency of 1 so that two processes do not race
// either.
type Handler struct {
	app          *app.App
	doc          Document
	log          zerolog.Logger
	requestID    *requestIDHook
	out          io.Writer // synchronized: logs and the EMF line
	functionName string
	now          func() time.Time
}

// Response is the result of an invocation that succeeded.
type Response struct {
	Trigger Kind   `json:"trigger"`
	Detail  string `json:"detail,omitempty"`
	// Ran is false when the event was ignored; Ignored says why.
	Ran     bool   `json:"ran"`
	Ignored string `json:"ignored,omitempty"`
	DryRun  bool   `json:"dryRun"`
	// Drift is true when a bucket needed (in a dry run: needs) a write.
	Drift    bool                   `json:"drift"`
	Document *replsync.DocumentInfo `json:"document,omitempty"`
	Summary  *replsync.Summary      `json:"summary,omitempty"`
}

// FromEnv builds the Handler from the environment (see SettingsFromEnv
// and AWS_LAMBDA_FUNCTION_NAME) and the standard AWS configuration, with
// logs and metrics on out.
func FromEnv(ctx context.Context, getenv func(string) string, out io.Writer) (*Handler, error) {
	s, err := SettingsFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	s.FunctionName = getenv("AWS_LAMBDA_FUNCTION_NAME")
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	return New(cfg, s, out)
}

// New builds the Handler: the AWS clients, the document source and the
// reconciler are made here, once. Logs (zerolog JSON, with the request
// id) and the EMF line go to out.
func New(cfg aws.Config, s Settings, out io.Writer) (*Handler, error) {
	w := zerolog.SyncWriter(out)
	hook := &requestIDHook{}
	log := zerolog.New(w).Level(s.LogLevel).Hook(hook).With().Timestamp().Logger()
	a, err := app.NewWithConfig(cfg, s.App, log)
	if err != nil {
		return nil, err
	}
	return &Handler{
		app:          a,
		doc:          sourceDocument{a.Source},
		log:          log,
		requestID:    hook,
		out:          w,
		functionName: s.FunctionName,
		now:          time.Now,
	}, nil
}

// Budget returns when a pass with the invocation deadline must stop
// starting buckets (startBy) and when its context ends (end). startBy is
// min(30s, a quarter of the time left) before the deadline, so that work
// already started can finish; end is min(2s, a tenth of the time left)
// before it, so that the report, the metrics and the result still go out
// when a bucket is still busy.
func Budget(now, deadline time.Time) (startBy, end time.Time) {
	left := max(deadline.Sub(now), 0)
	return deadline.Add(-min(30*time.Second, left/4)), deadline.Add(-min(2*time.Second, left/10))
}

// Handle handles one event of any kind the function is wired to (see
// Classify). A pass reads the current document, reconciles, logs the
// report and writes one EMF line. The error is non-nil when the event is
// of no known shape, when the document cannot be read or is invalid
// (nothing is written then), and when any bucket failed (it names them),
// so that retries and the on-failure destination see it.
func (h *Handler) Handle(ctx context.Context, raw json.RawMessage) (*Response, error) {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		h.requestID.set(lc.AwsRequestID)
		defer h.requestID.set("")
	}
	trig, err := Classify(raw, h.doc)
	if err != nil {
		h.log.Error().Err(err).Msg("event not handled")
		return nil, err
	}
	resp := &Response{Trigger: trig.Kind, Detail: trig.Detail, DryRun: trig.DryRun}
	if !trig.Run {
		h.log.Info().Str("trigger", string(trig.Kind)).Str("detail", trig.Detail).Str("reason", trig.Ignored).Msg("event ignored, no pass")
		resp.Ignored = trig.Ignored
		return resp, nil
	}

	run := replsync.RunOptions{DryRun: trig.DryRun}
	passCtx := ctx
	if deadline, ok := ctx.Deadline(); ok {
		var end time.Time
		run.StartBy, end = Budget(h.now(), deadline)
		var cancel context.CancelFunc
		passCtx, cancel = context.WithDeadline(ctx, end)
		defer cancel()
	}
	h.log.Info().Str("trigger", string(trig.Kind)).Str("detail", trig.Detail).Bool("dryRun", run.DryRun).
		Time("startBy", run.StartBy).Msg("pass triggered")

	rep, err := h.app.Pass(passCtx, run)
	if err != nil {
		h.log.Error().Err(err).Msg("no pass: the document could not be used; nothing was written")
		h.writeMetrics(run.DryRun, Metrics{DocumentErrors: 1})
		return nil, fmt.Errorf("replsync: %w", err)
	}
	if b, err := json.Marshal(rep); err == nil {
		h.log.Info().RawJSON("report", b).Msg("pass report")
	}
	h.writeMetrics(run.DryRun, MetricsOf(rep))

	if failed := rep.Failed(); len(failed) > 0 {
		return nil, failureError(rep)
	}
	resp.Ran, resp.Drift, resp.Document, resp.Summary = true, rep.Drift(), &rep.Document, &rep.Summary
	return resp, nil
}

func (h *Handler) writeMetrics(dryRun bool, m Metrics) {
	if err := WriteEMF(h.out, h.functionName, dryRun, h.now(), m); err != nil {
		h.log.Warn().Err(err).Msg("writing the metrics line")
	}
}

// failureError names every failed bucket and why (each reason cut short).
func failureError(rep *replsync.Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "replsync: %d of %d buckets failed:", rep.Summary.Failed, len(rep.Buckets))
	for _, r := range rep.Buckets {
		if r.Failed() {
			fmt.Fprintf(&b, " %s (%s);", r.TableBucketARN, shorten(r.Error, 200))
		}
	}
	return fmt.Errorf("%s", strings.TrimSuffix(b.String(), ";"))
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// sourceDocument tells which events are about the configured source.
type sourceDocument struct{ src config.Source }

func (d sourceDocument) MatchesObject(bucket, key string) bool {
	s, ok := d.src.(*config.S3Source)
	return ok && s.Bucket() == bucket && s.Key() == key
}

func (d sourceDocument) MatchesParameter(name string) bool {
	s, ok := d.src.(*config.SSMSource)
	return ok && s.Matches(name)
}

// requestIDHook adds the current invocation's request id to every log
// line, including those of the reconciler, whose logger is fixed at init.
// One invocation runs at a time in a Lambda process, so one current id is
// exact.
type requestIDHook struct{ id atomic.Pointer[string] }

func (h *requestIDHook) set(id string) { h.id.Store(&id) }

// Run implements zerolog.Hook.
func (h *requestIDHook) Run(e *zerolog.Event, _ zerolog.Level, _ string) {
	if p := h.id.Load(); p != nil && *p != "" {
		e.Str("requestId", *p)
	}
}

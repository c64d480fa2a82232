// Package metrics holds replsync's Prometheus metrics (all named
// replsync_*) on a registry of their own, with the Go and process
// collectors, and serves them in the exposition format.
//
// The metric set, as README lists it:
//
//	replsync_passes_total{result}                  success | failed | invalid_document
//	replsync_pass_triggers_total{trigger}          start | interval | change | signal
//	replsync_last_pass_timestamp_seconds           end of the last pass, whatever its result
//	replsync_last_success_timestamp_seconds        end of the last successful pass
//	replsync_pass_duration_seconds                 histogram
//	replsync_buckets{state}                        in_sync | drifted | failed, after the last pass that ran
//	replsync_writes_total{action}                  create | update | delete (writes that landed)
//	replsync_api_calls_total{operation,error_code} every S3 Tables request; error_code "none" on success
//	replsync_api_call_duration_seconds{operation}  histogram
//	replsync_conflicts_total                       writes that lost a race and were re-planned
//	replsync_document_info{source,sha256,etag,version}  1 for the document last read
//	replsync_document_valid                        1 if the document last read is valid, else 0
//	replsync_document_checks_total{result}         change polls: unchanged | changed | error
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/replsync/replsync/pkg/config"
	replsync "github.com/replsync/replsync/pkg/sync"
)

// Pass results (the result label of replsync_passes_total).
const (
	ResultSuccess         = "success"
	ResultFailed          = "failed"
	ResultInvalidDocument = "invalid_document"
)

// Bucket states (the state label of replsync_buckets).
const (
	StateInSync  = "in_sync"
	StateDrifted = "drifted"
	StateFailed  = "failed"
)

// Results of a change poll (the result label of
// replsync_document_checks_total).
const (
	CheckUnchanged = "unchanged"
	CheckChanged   = "changed"
	CheckError     = "error"
)

// Metrics are replsync's collectors and the registry that serves them. Its
// methods are safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	passes       *prometheus.CounterVec
	triggers     *prometheus.CounterVec
	lastPass     prometheus.Gauge
	lastSuccess  prometheus.Gauge
	passDuration prometheus.Histogram
	buckets      *prometheus.GaugeVec
	writes       *prometheus.CounterVec
	calls        *prometheus.CounterVec
	callDuration *prometheus.HistogramVec
	conflicts    prometheus.Counter
	docInfo      *prometheus.GaugeVec
	docValid     prometheus.Gauge
	checks       *prometheus.CounterVec
}

// New returns Metrics registered on a new registry together with the Go
// and process collectors. Every labelled series that is known in advance
// starts at 0, so that dashboards and rate() see it from the first scrape.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		passes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "replsync_passes_total",
			Help: "Reconcile passes, by result: success (no bucket failed), failed (a bucket failed or the document could not be read), invalid_document (nothing was written).",
		}, []string{"result"}),
		triggers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "replsync_pass_triggers_total",
			Help: "Reconcile passes, by what started them: start, interval, change (the document changed), signal (SIGHUP).",
		}, []string{"trigger"}),
		lastPass: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "replsync_last_pass_timestamp_seconds",
			Help: "Unix time at which the last pass ended, whatever its result (0: none yet).",
		}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "replsync_last_success_timestamp_seconds",
			Help: "Unix time at which the last successful pass ended (0: none yet).",
		}),
		passDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "replsync_pass_duration_seconds",
			Help:    "Duration of reconcile passes, reading the document included.",
			Buckets: []float64{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800},
		}),
		buckets: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "replsync_buckets",
			Help: "Buckets of the document by state after the last pass that reached them: in_sync, drifted (dry run: a write is needed), failed.",
		}, []string{"state"}),
		writes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "replsync_writes_total",
			Help: "Writes that landed, by action: create, update, delete.",
		}, []string{"action"}),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "replsync_api_calls_total",
			Help: "S3 Tables requests, retries included, by operation and AWS error code (none: success; transport, canceled, deadline: no answer).",
		}, []string{"operation", "error_code"}),
		callDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "replsync_api_call_duration_seconds",
			Help:    "Duration of S3 Tables requests, by operation.",
			Buckets: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
		}, []string{"operation"}),
		conflicts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "replsync_conflicts_total",
			Help: "Writes that lost a race (someone else wrote in between) and were re-read, re-planned and retried.",
		}),
		docInfo: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "replsync_document_info",
			Help: "Always 1; its labels identify the document last read: source, sha256, etag (S3), version (S3 version ID or SSM parameter version).",
		}, []string{"source", "sha256", "etag", "version"}),
		docValid: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "replsync_document_valid",
			Help: "1 if the document last read is valid; 0 if it is not (nothing is written until a valid one is read) or none was read yet.",
		}),
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "replsync_document_checks_total",
			Help: "Polls of the document source for a change, by result: unchanged, changed, error.",
		}, []string{"result"}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.passes, m.triggers, m.lastPass, m.lastSuccess, m.passDuration, m.buckets,
		m.writes, m.calls, m.callDuration, m.conflicts, m.docInfo, m.docValid, m.checks,
	)
	for _, r := range []string{ResultSuccess, ResultFailed, ResultInvalidDocument} {
		m.passes.WithLabelValues(r)
	}
	for _, t := range []string{"start", "interval", "change", "signal"} {
		m.triggers.WithLabelValues(t)
	}
	for _, s := range []string{StateInSync, StateDrifted, StateFailed} {
		m.buckets.WithLabelValues(s)
	}
	for _, a := range []replsync.Action{replsync.ActionCreate, replsync.ActionUpdate, replsync.ActionDelete} {
		m.writes.WithLabelValues(string(a))
	}
	for _, r := range []string{CheckUnchanged, CheckChanged, CheckError} {
		m.checks.WithLabelValues(r)
	}
	return m
}

// Registry returns the registry the metrics are on.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveCall counts one S3 Tables request. It fits Settings.OnCall.
func (m *Metrics) ObserveCall(e replsync.CallEvent) {
	code := e.ErrorCode
	if code == "" {
		code = "none"
	}
	m.calls.WithLabelValues(e.Operation, code).Inc()
	m.callDuration.WithLabelValues(e.Operation).Observe(e.Duration.Seconds())
}

// Pass is what ObservePass records of one pass.
type Pass struct {
	// Result is ResultSuccess, ResultFailed or ResultInvalidDocument.
	Result string
	// Trigger says what started the pass.
	Trigger string
	// End is when the pass ended; Duration how long it took.
	End      time.Time
	Duration time.Duration
	// Report is the pass's report; nil when it did not reach the buckets.
	Report *replsync.Report
}

// ObservePass records a finished pass: its result, timing and, when it
// reached the buckets, their states, the writes and the conflicts.
func (m *Metrics) ObservePass(p Pass) {
	m.passes.WithLabelValues(p.Result).Inc()
	if p.Trigger != "" {
		m.triggers.WithLabelValues(p.Trigger).Inc()
	}
	end := float64(p.End.UnixNano()) / 1e9
	m.lastPass.Set(end)
	if p.Result == ResultSuccess {
		m.lastSuccess.Set(end)
	}
	m.passDuration.Observe(p.Duration.Seconds())
	if p.Report == nil {
		return
	}
	states := map[string]int{StateInSync: 0, StateDrifted: 0, StateFailed: 0}
	conflicts := 0
	for _, b := range p.Report.Buckets {
		conflicts += b.Conflicts
		if b.Applied {
			m.writes.WithLabelValues(string(b.Action)).Inc()
		}
		switch {
		case b.Failed():
			states[StateFailed]++
		case b.Applied:
			states[StateInSync]++
		case b.Action != replsync.ActionNoop:
			states[StateDrifted]++
		default:
			states[StateInSync]++
		}
	}
	for s, n := range states {
		m.buckets.WithLabelValues(s).Set(float64(n))
	}
	m.conflicts.Add(float64(conflicts))
}

// SetDocument records the document last read: its identity, and whether
// it is valid.
func (m *Metrics) SetDocument(id config.Identity, valid bool) {
	version := id.VersionID
	if version == "" && id.ParameterVersion != 0 {
		version = strconv.FormatInt(id.ParameterVersion, 10)
	}
	m.docInfo.Reset()
	m.docInfo.WithLabelValues(id.Source, id.SHA256, id.ETag, version).Set(1)
	if valid {
		m.docValid.Set(1)
	} else {
		m.docValid.Set(0)
	}
}

// ObserveCheck counts one poll of the document source (CheckUnchanged,
// CheckChanged or CheckError).
func (m *Metrics) ObserveCheck(result string) {
	m.checks.WithLabelValues(result).Inc()
}

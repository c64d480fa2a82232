package daemon

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Health is what /healthz and /readyz report. It is ready once a pass has
// reached the buckets and as long as the document last read is valid:
// failed buckets do not make it unready (they are in the metrics and the
// logs, and a restart would not fix them), an invalid or unreadable
// document does. Its methods are safe for concurrent use.
type Health struct {
	mu         sync.Mutex
	reconciled bool      // a pass reached the buckets
	problem    string    // why the document is not usable now ("": it is)
	lastEnd    time.Time // end of the last pass
	lastRes    Result
	document   string // identity of the document last reconciled
}

// NewHealth returns a Health that is not ready.
func NewHealth() *Health { return &Health{} }

// Observe records a finished pass. It fits Loop.Observe.
func (h *Health) Observe(o Outcome) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lastEnd, h.lastRes = o.End, o.Result()
	switch {
	case h.lastRes == ResultInvalidDocument:
		h.problem = "the document is invalid (nothing is written until a valid version is read): " + o.Err.Error()
	case o.Report == nil:
		h.problem = "the document could not be read: " + errString(o.Err)
	default:
		h.reconciled, h.problem = true, ""
		id := o.Report.Document.Identity
		h.document = id.Source + " sha256:" + id.SHA256
	}
}

// Ready reports whether the daemon is ready, and why (or why not).
func (h *Health) Ready() (bool, string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.problem != "":
		return false, h.problem
	case !h.reconciled:
		return false, "the first pass has not completed"
	}
	return true, fmt.Sprintf("last pass ended %s (%s); document %s",
		h.lastEnd.UTC().Format(time.RFC3339), h.lastRes, h.document)
}

// Handler serves:
//
//	/healthz  200 while the process serves (liveness)
//	/readyz   200 when Ready, else 503; the body says why
//	/metrics  metrics (the Prometheus exposition format)
func Handler(h *Health, metrics http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeText(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		ok, why := h.Ready()
		if !ok {
			writeText(w, http.StatusServiceUnavailable, "not ready: "+why)
			return
		}
		writeText(w, http.StatusOK, "ready: "+why)
	})
	mux.Handle("GET /metrics", metrics)
	return mux
}

func writeText(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprintln(w, body)
}

func errString(err error) string {
	if err == nil {
		return "no report"
	}
	return err.Error()
}

package daemon

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/replsync/replsync/pkg/config"
)

// TestHealthReady follows readiness through sequences of passes.
func TestHealthReady(t *testing.T) {
	end := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ok := Outcome{Report: okReport(), End: end}
	ok.Report.Document.Identity = config.Identity{Source: "file:///doc.yaml", SHA256: "abc"}
	failed := Outcome{Report: failedReport(), End: end}
	tests := []struct {
		name   string
		passes []Outcome
		ready  bool
		why    string
	}{
		{"before the first pass", nil, false, "the first pass has not completed"},
		{"after a pass", []Outcome{ok}, true, "last pass ended 2026-01-02T03:04:05Z (success); document file:///doc.yaml sha256:abc"},
		{"failed buckets do not make it unready", []Outcome{failed}, true, "(failed)"},
		{"invalid document at start", []Outcome{{Err: errInvalid}}, false, "the document is invalid"},
		{"unreadable document at start", []Outcome{{Err: errUnreadable}}, false, "the document could not be read: read file:///doc.yaml"},
		{"a valid document, then an invalid one", []Outcome{ok, {Err: errInvalid}}, false, "version: is required"},
		{"an invalid document, then a valid one", []Outcome{{Err: errInvalid}, ok}, true, "(success)"},
		{"unreadable, then read again", []Outcome{ok, {Err: errUnreadable}, ok}, true, "(success)"},
	}
	for _, tt := range tests {
		h := NewHealth()
		for _, o := range tt.passes {
			h.Observe(o)
		}
		ready, why := h.Ready()
		if ready != tt.ready || !strings.Contains(why, tt.why) {
			t.Errorf("%s: Ready() = %v, %q; want %v and %q in it", tt.name, ready, why, tt.ready, tt.why)
		}
	}
}

func TestHandler(t *testing.T) {
	h := NewHealth()
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "replsync_up 1\n") })
	srv := httptest.NewServer(Handler(h, metrics))
	defer srv.Close()
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	steps := []struct {
		path   string
		before func()
		code   int
		body   string
	}{
		{"/healthz", nil, 200, "ok"},
		{"/readyz", nil, 503, "not ready: the first pass has not completed"},
		{"/readyz", func() { h.Observe(Outcome{Report: okReport()}) }, 200, "ready: "},
		{"/readyz", func() { h.Observe(Outcome{Err: errInvalid}) }, 503, "not ready: the document is invalid"},
		{"/metrics", nil, 200, "replsync_up 1"},
		{"/nothing", nil, 404, ""},
	}
	for _, st := range steps {
		if st.before != nil {
			st.before()
		}
		code, body := get(st.path)
		if code != st.code || !strings.Contains(body, st.body) {
			t.Errorf("GET %s = %d %q, want %d and %q", st.path, code, body, st.code, st.body)
		}
	}
	resp, err := http.Post(srv.URL+"/readyz", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /readyz = %d, want 405", resp.StatusCode)
	}
}

// memSource is a config.Source in memory; detectingSource adds a
// config.ChangeDetector that compares hashes.
type memSource struct {
	data  string
	err   error
	asked []config.Identity // since values given to Changed
}

func (s *memSource) String() string { return "mem:doc" }

func (s *memSource) Read(context.Context) (config.Snapshot, error) {
	if s.err != nil {
		return config.Snapshot{}, s.err
	}
	return config.Snapshot{Data: []byte(s.data)}, nil
}

type detectingSource struct{ *memSource }

func (s detectingSource) Changed(_ context.Context, since config.Identity) (bool, error) {
	s.asked = append(s.asked, since)
	if s.err != nil {
		return false, s.err
	}
	return since.SHA256 != hash([]byte(s.data)), nil
}

// TestTracker: Changed compares with what the last Read returned, through
// the source's ChangeDetector or by reading.
func TestTracker(t *testing.T) {
	for _, detector := range []bool{false, true} {
		mem := &memSource{data: "v1"}
		var src config.Source = mem
		if detector {
			src = detectingSource{mem}
		}
		tr := Track(src)
		check := func(step string, want bool, wantErr bool) {
			t.Helper()
			got, err := tr.Changed(t.Context())
			if got != want || (err != nil) != wantErr {
				t.Errorf("detector %v, %s: Changed = %v, %v; want %v (error: %v)", detector, step, got, err, want, wantErr)
			}
		}
		check("nothing read yet", true, false)
		if _, err := tr.Read(t.Context()); err != nil {
			t.Fatal(err)
		}
		if id := tr.Last(); id.Source != "mem:doc" || id.SHA256 != hash([]byte("v1")) {
			t.Errorf("Last() = %+v", id)
		}
		check("read, unchanged", false, false)
		mem.data = "v2"
		check("changed", true, false)
		tr.Read(t.Context())
		check("read again", false, false)
		mem.err = errors.New("gone")
		check("unreadable", false, true)
		tr.Read(t.Context())
		if id := tr.Last(); id != (config.Identity{}) {
			t.Errorf("after a failed read, Last() = %+v, want zero", id)
		}
		mem.err = nil
		check("readable again after a failed read", true, false)
		if detector && len(mem.asked) == 0 {
			t.Error("the source's own ChangeDetector was not used")
		}
	}
}

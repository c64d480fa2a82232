package emulator_test

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/replsync/replsync/internal/emulator"
)

// lines streams what w receives, line by line, until w is closed. It drains
// continuously, so the writer (which logs before answering calls) never
// blocks on the test.
func lines(t *testing.T) (w *io.PipeWriter, out <-chan string) {
	t.Helper()
	r, w := io.Pipe()
	ch := make(chan string, 1024)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			ch <- sc.Text()
		}
	}()
	return w, ch
}

// next returns the next line containing want, failing if the stream ends.
func next(t *testing.T, out <-chan string, want string) string {
	t.Helper()
	for l := range out {
		if strings.Contains(l, want) {
			return l
		}
	}
	t.Fatalf("no line containing %q", want)
	return ""
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestMainServes runs the command in-process: seed file, strict buckets,
// URL file, call logging and a clean stop when its context ends.
func TestMainServes(t *testing.T) {
	seed := writeFile(t, "seed.json", `{"`+src+`": {"role": "`+role+`", "destinations": ["`+dst1+`", "`+dst2+`"]}}`)
	urlFile := filepath.Join(t.TempDir(), "url")
	w, out := lines(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	code := make(chan int, 1)
	go func() {
		code <- emulator.Main(ctx, []string{"--listen", "127.0.0.1:0", "--seed-file", seed, "--url-file", urlFile,
			"--log-calls", "--strict", "--bucket", dst3, "--seed", "5", "--put-status", "ENABLED"}, w)
		w.Close()
	}()

	listening := next(t, out, "listening")
	b, err := os.ReadFile(urlFile)
	if err != nil {
		t.Fatal(err)
	}
	url := string(b)
	if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.Contains(listening, "url="+url) {
		t.Fatalf("url file %q, log %q", url, listening)
	}

	c := clientAt(url, "eu-west-1")
	got, err := get(t.Context(), c, src)
	if err != nil || !equalStrings(destinations(got), []string{dst1, dst2}) {
		t.Fatalf("seeded get: %v %v", err, got)
	}
	if l := next(t, out, "msg=call"); !strings.Contains(l, "op=GetTableBucketReplication") || !strings.Contains(l, "region=eu-west-1") || !strings.Contains(l, "status=200") {
		t.Fatalf("call log line %q", l)
	}
	if _, err := get(t.Context(), c, dst1); kind(err) != "NotFound" || errorMessage(err) != emulator.MessageNoSuchBucket {
		t.Fatalf("strict: get of an unknown bucket: %v", err)
	}
	if p, err := put(t.Context(), c, dst3, nil, config(role, dst1)); err != nil || *p.Status != "ENABLED" {
		t.Fatalf("put on a --bucket: %v", err)
	}

	cancel()
	if got := <-code; got != 0 {
		t.Fatalf("exit code %d after cancel", got)
	}
	next(t, out, "stopped")
}

// TestMainRefuses checks the exit codes of bad invocations.
func TestMainRefuses(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantLog  string
	}{
		{"help", []string{"-help"}, 0, "Usage"},
		{"unknown flag", []string{"--nope"}, 2, "flag provided but not defined"},
		{"stray argument", []string{"serve"}, 2, "unexpected arguments"},
		{"bad probability", []string{"--fault-throttle", "2"}, 2, "probability"},
		{"missing seed file", []string{"--seed-file", filepath.Join(t.TempDir(), "none.json")}, 1, "--seed-file"},
		{"invalid seed JSON", []string{"--seed-file", writeFile(t, "a.json", `{"x": {"role": 1}}`)}, 1, "--seed-file"},
		{"unknown seed field", []string{"--seed-file", writeFile(t, "b.json", `{"`+src+`": {"roles": "x"}}`)}, 1, "unknown field"},
		{"seed breaks the model", []string{"--seed-file", writeFile(t, "c.json", `{"`+src+`": {"role": "`+role+`", "destinations": []}}`)}, 1, "configuration.rules.1.member.destinations"},
		{"bad listen address", []string{"--listen", "256.0.0.1:x"}, 1, "failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log strings.Builder
			if got := emulator.Main(t.Context(), tt.args, &log); got != tt.wantCode || !strings.Contains(log.String(), tt.wantLog) {
				t.Fatalf("exit %d, log:\n%s\nwant exit %d and %q", got, log.String(), tt.wantCode, tt.wantLog)
			}
		})
	}
}

func equalStrings(a, b []string) bool { return strings.Join(a, "\n") == strings.Join(b, "\n") }

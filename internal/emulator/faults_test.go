package emulator_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/replsync/replsync/internal/emulator"
)

// TestFaultKinds injects each kind of failure on a Put and checks what the
// SDK reports, what the log says, and that the state did not change.
func TestFaultKinds(t *testing.T) {
	tests := []struct {
		kind       emulator.ErrorKind
		want       string // kind of SDK error
		wantStatus int    // logged
		wantType   string // logged
	}{
		{emulator.Throttle, "TooManyRequests", 429, "TooManyRequestsException"},
		{emulator.InternalError, "InternalServerError", 500, "InternalServerErrorException"},
		{emulator.AccessDenied, "AccessDenied", 403, "AccessDeniedException"},
		{emulator.Forbidden, "Forbidden", 403, "ForbiddenException"},
		{emulator.BadRequest, "BadRequest", 400, "BadRequestException"},
		{emulator.Unavailable, "other", 503, ""},
		{emulator.Reset, "Transport", 0, emulator.ErrorTypeReset},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			s := start(t)
			token := s.SetReplication(src, role, []string{dst1})
			s.AddFault(emulator.Fault{Op: emulator.OpPut, Kind: tt.kind})
			c := client(s, "us-east-1")

			_, err := put(t.Context(), c, src, &token, config(role, dst2))
			got, _, _ := strings.Cut(kind(err), ":")
			if got != tt.want {
				t.Fatalf("error = %v, want %s", err, tt.want)
			}
			var re *awshttp.ResponseError
			if tt.kind == emulator.Unavailable {
				// No error type: the SDK reports a generic API error on a 503.
				var ae smithy.APIError
				if !errors.As(err, &re) || re.HTTPStatusCode() != 503 || !errors.As(err, &ae) || ae.ErrorCode() != "UnknownError" {
					t.Fatalf("unavailable: %v", err)
				}
			}
			if tt.kind != emulator.Reset && (!errors.As(err, &re) || re.ServiceRequestID() == "") {
				t.Errorf("no x-amzn-RequestId reached the SDK: %v", err)
			}
			calls := s.Calls()
			if len(calls) != 1 || calls[0].Status != tt.wantStatus || calls[0].ErrorType != tt.wantType {
				t.Fatalf("logged %+v, want status %d type %q", calls, tt.wantStatus, tt.wantType)
			}
			if r, _ := s.Replication(src); r.VersionToken != token || r.Destinations[0] != dst1 {
				t.Fatalf("a failed write changed the state: %+v", r)
			}
			// Gets are not affected by a Put fault.
			if _, err := get(t.Context(), c, src); err != nil {
				t.Fatalf("get: %v", err)
			}
		})
	}
}

// TestFaultMatching checks filters, order, Times, removal and clearing.
func TestFaultMatching(t *testing.T) {
	s := start(t)
	s.SetReplication(src, role, []string{dst1})
	s.SetReplication(dst2, role, []string{dst1})
	c := client(s, "us-east-1")
	ctx := t.Context()
	getKind := func(bucket string) string {
		_, err := get(ctx, c, bucket)
		return kind(err)
	}

	s.AddFault(emulator.Fault{Bucket: dst2, Kind: emulator.AccessDenied})
	s.AddFault(emulator.Fault{Op: emulator.OpGet, Kind: emulator.Throttle, Times: 2})
	removeInternal := s.AddFault(emulator.Fault{Op: emulator.OpGet, Kind: emulator.InternalError})
	s.AddFault(emulator.Fault{Op: emulator.OpDelete, Kind: emulator.Forbidden})

	steps := []struct {
		name, bucket, want string
		before             func()
	}{
		{name: "bucket filter wins, being first", bucket: dst2, want: "AccessDenied"},
		{name: "first of two matching faults", bucket: src, want: "TooManyRequests"},
		{name: "again", bucket: src, want: "TooManyRequests"},
		{name: "Times exhausted: next fault", bucket: src, want: "InternalServerError"},
		{name: "removed", bucket: src, want: "", before: func() { removeInternal(); removeInternal() }},
		{name: "cleared", bucket: dst2, want: "", before: s.ClearFaults},
	}
	for _, st := range steps {
		if st.before != nil {
			st.before()
		}
		if got := getKind(st.bucket); got != st.want {
			t.Fatalf("%s: error %q, want %q", st.name, got, st.want)
		}
	}
}

// TestFaultProbability checks that a probabilistic fault fires sometimes,
// and the same way for the same seed.
func TestFaultProbability(t *testing.T) {
	outcomes := func() []bool {
		s := start(t, emulator.WithSeed(7))
		s.SetReplication(src, role, []string{dst1})
		s.AddFault(emulator.Fault{Kind: emulator.Throttle, Probability: 0.5})
		c := client(s, "us-east-1")
		var out []bool
		for range 64 {
			_, err := get(t.Context(), c, src)
			out = append(out, err != nil)
		}
		return out
	}
	a, b := outcomes(), outcomes()
	fired := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("call %d differs between two runs with the same seed", i)
		}
		if a[i] {
			fired++
		}
	}
	if fired == 0 || fired == len(a) {
		t.Fatalf("a 0.5 fault fired %d times out of %d", fired, len(a))
	}
}

// TestRaceAfterGet checks the racing writer in each of its shapes.
func TestRaceAfterGet(t *testing.T) {
	addDst3 := func(r emulator.Replication) emulator.Replication {
		r.Role = role
		r.Destinations = append(r.Destinations, dst3)
		return r
	}
	remove := func(emulator.Replication) emulator.Replication { return emulator.Replication{} }
	tests := []struct {
		name     string
		seeded   bool
		bucket   string
		mutate   func(emulator.Replication) Replication
		wantPut  string // kind of error of the Put that follows the Get
		wantMsg  string
		afterPut []string // destinations stored after that Put (nil = none)
	}{
		{"update in between", true, src, addDst3, "Conflict", emulator.MessageTokenMismatch, []string{dst1, dst3}},
		{"any bucket", true, "", addDst3, "Conflict", emulator.MessageTokenMismatch, []string{dst1, dst3}},
		{"other bucket", true, dst2, addDst3, "", "", []string{dst2}},
		{"create in between", false, src, addDst3, "BadRequest", emulator.MessageMissingToken, []string{dst3}},
		{"delete in between", true, src, remove, "Conflict", emulator.MessageTokenMismatch, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t)
			if tt.seeded {
				s.SetReplication(src, role, []string{dst1})
			}
			s.RaceAfterGet(tt.bucket, 1, tt.mutate)
			c := client(s, "us-east-1")
			ctx := t.Context()

			var token *string
			if out, err := get(ctx, c, src); err == nil {
				token = out.VersionToken
			}
			_, err := put(ctx, c, src, token, config(role, dst2))
			if kind(err) != tt.wantPut || errorMessage(err) != tt.wantMsg {
				t.Fatalf("put after get: %v, want %q %q", err, tt.wantPut, tt.wantMsg)
			}
			r, ok := s.Replication(src)
			if ok != (tt.afterPut != nil) || ok && len(r.Destinations) != len(tt.afterPut) {
				t.Fatalf("stored %+v %v, want destinations %v", r, ok, tt.afterPut)
			}
			for i := range tt.afterPut {
				if r.Destinations[i] != tt.afterPut[i] {
					t.Fatalf("stored %v, want %v", r.Destinations, tt.afterPut)
				}
			}
			if tt.wantPut == "" {
				return
			}
			// Re-read and retry: the racer was bounded to one Get.
			out, err := get(ctx, c, src)
			if err != nil && kind(err) != "NotFound" {
				t.Fatal(err)
			}
			if err == nil {
				token = out.VersionToken
			} else {
				token = nil
			}
			if _, err := put(ctx, c, src, token, config(role, dst2)); err != nil {
				t.Fatalf("retry with a fresh token: %v", err)
			}
		})
	}
}

// Replication shortens test tables.
type Replication = emulator.Replication

// TestRaceUnlimited checks that times 0 strikes after every Get, and that
// failed Gets do not trigger the racer.
func TestRaceUnlimited(t *testing.T) {
	s := start(t)
	first := s.SetReplication(src, role, []string{dst1})
	s.RaceAfterGet(src, 0, func(r Replication) Replication { return r })
	c := client(s, "us-east-1")
	seen := map[string]bool{first: true}
	for range 3 {
		out, err := get(t.Context(), c, src)
		if err != nil {
			t.Fatal(err)
		}
		seen[aws.ToString(out.VersionToken)] = true
	}
	last, _ := s.Replication(src)
	seen[last.VersionToken] = true
	if len(seen) != 4 {
		t.Fatalf("tokens seen %v: every Get should have been followed by a write", seen)
	}
	s.AddFault(emulator.Fault{Kind: emulator.Throttle, Times: 1})
	before, _ := s.Replication(src)
	if _, err := get(t.Context(), c, src); kind(err) != "TooManyRequests" {
		t.Fatal(err)
	}
	if after, _ := s.Replication(src); after.VersionToken != before.VersionToken {
		t.Fatal("a throttled Get triggered the racer")
	}
}

// TestLatency checks that latency delays calls without failing them, and
// that a waiting call ends when its client cancels or the server closes.
func TestLatency(t *testing.T) {
	t.Run("short latency answers", func(t *testing.T) {
		s := start(t, emulator.WithLatency(time.Millisecond, time.Millisecond), emulator.WithSeed(1))
		s.SetReplication(src, role, []string{dst1})
		if _, err := get(t.Context(), client(s, "us-east-1"), src); err != nil {
			t.Fatal(err)
		}
	})
	cancelWhileWaiting := func(t *testing.T, s *emulator.Server, logged <-chan emulator.Call) {
		waiting := make(chan struct{}, 1)
		s.SetWaitHook(func() { waiting <- struct{}{} })
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		errc := make(chan error, 1)
		go func() {
			_, err := get(ctx, client(s, "us-east-1"), src)
			errc <- err
		}()
		<-waiting
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v, want context.Canceled", err)
		}
		if c := <-logged; c.Status != emulator.StatusClientClosed || c.ErrorType != emulator.ErrorTypeClientClosed {
			t.Fatalf("logged %+v", c)
		}
	}
	t.Run("client cancels during server latency", func(t *testing.T) {
		logged := make(chan emulator.Call, 1)
		s := start(t, emulator.WithLatency(time.Hour, 0), emulator.WithOnCall(func(c emulator.Call) { logged <- c }))
		cancelWhileWaiting(t, s, logged)
	})
	t.Run("client cancels during fault latency", func(t *testing.T) {
		logged := make(chan emulator.Call, 1)
		s := start(t, emulator.WithOnCall(func(c emulator.Call) { logged <- c }))
		s.AddFault(emulator.Fault{Op: emulator.OpGet, Latency: time.Hour})
		cancelWhileWaiting(t, s, logged)
	})
	t.Run("close ends the wait", func(t *testing.T) {
		s := emulator.New(emulator.WithLatency(time.Hour, 0))
		s.Start()
		waiting := make(chan struct{}, 1)
		s.SetWaitHook(func() { waiting <- struct{}{} })
		errc := make(chan error, 1)
		go func() {
			_, err := get(t.Context(), client(s, "us-east-1"), src)
			errc <- err
		}()
		<-waiting
		s.Close()
		var re *awshttp.ResponseError
		if err := <-errc; !errors.As(err, &re) || re.HTTPStatusCode() != 503 {
			t.Fatalf("error = %v, want a 503", err)
		}
	})
}

// TestResetIsNotReplayed checks that a Reset on a Get reaches the client
// even after earlier calls (Go's transport replays an idempotent request
// that fails on a reused keep-alive connection, which the emulator
// prevents by closing connections after each answer).
func TestResetIsNotReplayed(t *testing.T) {
	s := start(t)
	s.SetReplication(src, role, []string{dst1})
	c := client(s, "us-east-1")
	if _, err := get(t.Context(), c, src); err != nil {
		t.Fatal(err)
	}
	s.AddFault(emulator.Fault{Op: emulator.OpGet, Kind: emulator.Reset, Times: 1})
	_, err := get(t.Context(), c, src)
	if kind(err) != "Transport" {
		t.Fatalf("error = %v, want a transport error", err)
	}
	t.Logf("reset surfaces as: %v", err)
	if n := s.Count(emulator.OpGet); n != 2 {
		t.Fatalf("%d Gets reached the emulator, want 2 (no hidden replay)", n)
	}
	if _, err := get(t.Context(), c, src); err != nil {
		t.Fatalf("after the reset: %v", err)
	}
}

// TestAddFaultRefusesMistakes checks that impossible faults panic.
func TestAddFaultRefusesMistakes(t *testing.T) {
	for _, f := range []emulator.Fault{
		{Kind: "Teapot"},
		{Kind: emulator.Throttle, Probability: -0.1},
		{Kind: emulator.Throttle, Probability: 1.5},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("AddFault(%+v) did not panic", f)
				}
			}()
			emulator.New().AddFault(f)
		}()
	}
}

package emulator_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/replsync/replsync/internal/emulator"
)

// TestInFlightGauge holds k concurrent calls and reads the gauge while they
// wait: counts, not times.
func TestInFlightGauge(t *testing.T) {
	const k = 5
	s := start(t)
	c := client(s, "us-east-1")
	s.HoldAfter(0)
	var wg sync.WaitGroup
	for range k {
		wg.Go(func() { _, _ = get(t.Context(), c, src) })
	}
	if err := s.WaitHeld(t.Context(), k); err != nil {
		t.Fatal(err)
	}
	if in, most, rcv, held := s.InFlight(), s.MaxInFlight(), s.Received(), s.Held(); in != k || most != k || rcv != k || held != k {
		t.Errorf("in flight %d, max %d, received %d, held %d; want %d each", in, most, rcv, held, k)
	}
	if n := len(s.Calls()); n != 0 {
		t.Errorf("%d calls answered while held", n)
	}
	s.Release()
	wg.Wait()
	if in, most, held := s.InFlight(), s.MaxInFlight(), s.Held(); in != 0 || most != k || held != 0 {
		t.Errorf("after release: in flight %d, max %d, held %d; want 0, %d, 0", in, most, held, k)
	}
	if n := s.Count(emulator.OpGet); n != k {
		t.Errorf("%d Gets answered, want %d", n, k)
	}
	// Sequential calls never overlap.
	s.ResetMaxInFlight()
	for range 3 {
		_, _ = get(t.Context(), c, src)
	}
	if most := s.MaxInFlight(); most != 1 {
		t.Errorf("max in flight of sequential calls = %d, want 1", most)
	}
}

// TestHoldAfter: the first n calls pass, the next is held; a held write
// whose client gives up changes nothing; Release lets the rest go.
func TestHoldAfter(t *testing.T) {
	logged := make(chan emulator.Call, 10)
	s := start(t, emulator.WithOnCall(func(c emulator.Call) { logged <- c }))
	c := client(s, "us-east-1")
	token := s.SetReplication(src, role, []string{dst1})
	s.HoldAfter(2)
	for range 2 {
		if _, err := get(t.Context(), c, src); err != nil {
			t.Fatalf("call before the hold: %v", err)
		}
		<-logged
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := put(ctx, c, src, aws.String(token), config(role, dst2))
		done <- err
	}()
	if err := s.WaitHeld(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("held Put returned %v, want context.Canceled", err)
	}
	if err := s.WaitIdle(t.Context()); err != nil || s.Held() != 0 || s.InFlight() != 0 {
		t.Fatalf("WaitIdle = %v with %d held, %d in flight", err, s.Held(), s.InFlight())
	}
	// The emulator logs the call once it notices that the client left.
	if last := <-logged; last.Op != emulator.OpPut || last.Status != emulator.StatusClientClosed {
		t.Errorf("held Put logged as %+v, want status %d", last, emulator.StatusClientClosed)
	}
	if r, _ := s.Replication(src); r.VersionToken != token {
		t.Errorf("a held write that was given up changed the state: %+v", r)
	}
	// Still holding: the next call waits until Release.
	go func() {
		_, err := put(t.Context(), c, src, aws.String(token), config(role, dst2))
		done <- err
	}()
	if err := s.WaitHeld(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	s.Release()
	if err := <-done; err != nil {
		t.Fatalf("released Put: %v", err)
	}
	if _, err := get(t.Context(), c, src); err != nil {
		t.Fatalf("after Release: %v", err)
	}
}

// TestCloseEndsHolds: Close answers a held call 503 instead of hanging.
func TestCloseEndsHolds(t *testing.T) {
	s := emulator.New()
	s.Start()
	c := client(s, "us-east-1")
	s.HoldAfter(0)
	done := make(chan error, 1)
	go func() {
		_, err := get(t.Context(), c, src)
		done <- err
	}()
	if err := s.WaitHeld(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := <-done; err == nil {
		t.Fatal("a call held across Close succeeded")
	}
	if calls := s.Calls(); len(calls) != 1 || calls[0].Status != 503 {
		t.Errorf("calls %+v, want one 503", calls)
	}
}

func TestWaitHeldEndsWithContext(t *testing.T) {
	s := emulator.New()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.WaitHeld(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("WaitHeld = %v, want context.Canceled", err)
	}
}

// TestConns: without keep-alives every request has a connection of its
// own; with them, one client's sequential requests share one.
func TestConns(t *testing.T) {
	for _, tt := range []struct {
		opts []emulator.Option
		want int
	}{{nil, 3}, {[]emulator.Option{emulator.WithKeepAlives()}, 1}} {
		s := start(t, tt.opts...)
		c := client(s, "us-east-1")
		for range 3 {
			if _, err := get(t.Context(), c, src); err == nil || !strings.Contains(err.Error(), "NotFound") {
				t.Fatalf("get: %v, want NotFound", err)
			}
		}
		if n := s.Conns(); n != tt.want {
			t.Errorf("keep-alives %v: %d connections, want %d", len(tt.opts) > 0, n, tt.want)
		}
	}
}

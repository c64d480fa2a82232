package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"time"
)

// ErrorKind is the kind of failure a Fault injects.
type ErrorKind string

// The injectable failures. Each answers like the real service would, so the
// SDK surfaces the matching typed error.
const (
	// Throttle answers 429 TooManyRequestsException.
	Throttle ErrorKind = "Throttle"
	// InternalError answers 500 InternalServerErrorException.
	InternalError ErrorKind = "InternalError"
	// Unavailable answers 503 with no error type and no body, like a load
	// balancer in front of the service.
	Unavailable ErrorKind = "Unavailable"
	// AccessDenied answers 403 AccessDeniedException.
	AccessDenied ErrorKind = "AccessDenied"
	// Forbidden answers 403 ForbiddenException.
	Forbidden ErrorKind = "Forbidden"
	// BadRequest answers 400 BadRequestException.
	BadRequest ErrorKind = "BadRequest"
	// Reset closes the TCP connection without answering: the client sees a
	// transport error.
	Reset ErrorKind = "Reset"
)

// Fault makes matching calls fail or slow down. Faults are checked after
// authentication and before validation, in the order they were added; the
// first one that fires decides the call.
type Fault struct {
	// Op restricts the fault to one operation; "" matches any.
	Op Operation
	// Bucket restricts the fault to one source bucket ARN (for
	// GetTableReplication, the table's bucket); "" matches any.
	Bucket string
	// Kind is the failure to answer; "" answers normally after Latency.
	Kind ErrorKind
	// Probability that a matching call fires the fault, in [0, 1]; 0 means
	// always.
	Probability float64
	// Times bounds how many calls the fault fires for; 0 means unlimited.
	Times int
	// Latency is waited before answering (the fault's error or, with an
	// empty Kind, the normal answer).
	Latency time.Duration
}

type faultState struct {
	Fault
	fired int
}

var faultKinds = map[ErrorKind]bool{
	"": true, Throttle: true, InternalError: true, Unavailable: true,
	AccessDenied: true, Forbidden: true, BadRequest: true, Reset: true,
}

// AddFault appends f to the fault list and returns a function that removes
// it (safe to call more than once). It panics on an unknown Kind or a
// Probability outside [0, 1]: both are mistakes in a test.
func (s *Server) AddFault(f Fault) (remove func()) {
	if !faultKinds[f.Kind] {
		panic(fmt.Sprintf("emulator: unknown fault kind %q", f.Kind))
	}
	if f.Probability < 0 || f.Probability > 1 {
		panic(fmt.Sprintf("emulator: fault probability %v outside [0, 1]", f.Probability))
	}
	fs := &faultState{Fault: f}
	s.mu.Lock()
	s.faults = append(s.faults, fs)
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.faults = slices.DeleteFunc(s.faults, func(x *faultState) bool { return x == fs })
	}
}

// ClearFaults removes every fault and every racing writer.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
	s.racers = nil
}

// pickFault returns the first fault that fires for req, counting it.
func (s *Server) pickFault(req request) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if (f.Op != "" && f.Op != req.op) || (f.Bucket != "" && f.Bucket != req.bucket) {
			continue
		}
		if f.Times > 0 && f.fired >= f.Times {
			continue
		}
		if f.Probability > 0 && f.Probability < 1 && s.rng.Float64() >= f.Probability {
			continue
		}
		f.fired++
		return f.Fault, true
	}
	return Fault{}, false
}

// faultAnswer is the answer of an error fault (every Kind but "" and Reset).
func faultAnswer(kind ErrorKind, req request) answer {
	switch kind {
	case Throttle:
		return apiError(errTooManyRequests, "Rate exceeded")
	case InternalError:
		return apiError(errInternal, "We encountered an internal error. Please try again.")
	case Unavailable:
		return answer{status: http.StatusServiceUnavailable}
	case AccessDenied:
		return apiError(errAccessDenied, fmt.Sprintf(
			"User is not authorized to perform: s3tables:%s on resource: %s", req.op, req.bucket))
	case Forbidden:
		return apiError(errForbidden, "The request was forbidden (injected fault).")
	case BadRequest:
		return apiError(errBadRequest, "The request is not valid (injected fault).")
	}
	panic("emulator: no answer for fault kind " + string(kind))
}

// racer is a concurrent writer that strikes right after a Get.
type racer struct {
	bucket string // "" = any
	left   int    // remaining strikes; ignored when unlimited
	always bool
	mutate func(Replication) Replication
}

// RaceAfterGet simulates another writer: right after the emulator answers a
// GetTableBucketReplication for bucket ("" = any bucket) from its state, it
// replaces that bucket's configuration with mutate(current) and issues a new
// token, so a Put or Delete with the token just read gets ConflictException
// (and a create without token, BadRequestException MessageMissingToken). The
// current value is the zero Replication when there is none; a result with
// an empty Role deletes the configuration. times bounds how many Gets
// trigger it (0 = unlimited). Gets answered by a fault or a validation error
// do not trigger it.
//
// mutate runs while the emulator's lock is held: it must not call the
// Server. Racing writes are not logged as calls.
func (s *Server) RaceAfterGet(bucket string, times int, mutate func(Replication) Replication) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.racers = append(s.racers, &racer{bucket: bucket, left: times, always: times == 0, mutate: mutate})
}

// raceLocked runs the racing writers due after a Get of bucket.
func (s *Server) raceLocked(bucket string) {
	for _, r := range s.racers {
		if (r.bucket != "" && r.bucket != bucket) || (!r.always && r.left <= 0) {
			continue
		}
		r.left--
		cur, ok := s.st.configs[bucket]
		if !ok {
			cur = Replication{}
		}
		next := r.mutate(cur.clone())
		if next.Role == "" {
			delete(s.st.configs, bucket)
			continue
		}
		next.Destinations = slices.Clone(next.Destinations)
		next.VersionToken = s.newTokenLocked()
		s.st.configs[bucket] = next
	}
}

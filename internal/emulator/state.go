package emulator

import (
	"encoding/hex"
	"net/http"
	"slices"
)

// Replication is one stored table bucket replication configuration: the
// single rule's destinations in the order they were written.
type Replication struct {
	Role         string
	Destinations []string
	VersionToken string
}

func (r Replication) clone() Replication {
	r.Destinations = slices.Clone(r.Destinations)
	return r
}

// Messages of the errors that carry semantics, for tests that assert them.
const (
	// MessageMissingToken is the BadRequestException message of a Put or
	// Delete without a version token while a configuration exists.
	MessageMissingToken = "A version token is not specified."
	// MessageNoReplication is the NotFoundException message when the bucket
	// exists but has no replication configuration.
	MessageNoReplication = "The specified table bucket does not have a replication configuration."
	// MessageNoSuchBucket is the NotFoundException message, in strict mode,
	// for a table bucket that does not exist.
	MessageNoSuchBucket = "The specified table bucket does not exist."
	// MessageTokenMismatch is the ConflictException message of a write whose
	// version token is not the current one.
	MessageTokenMismatch = "The provided version token does not match the current version of the replication configuration."
	// MessageNoTableReplication is the NotFoundException message of every
	// valid GetTableReplication.
	MessageNoTableReplication = "The specified table does not have a replication configuration."
)

// state is the emulated service's data. Every access holds Server.mu.
type state struct {
	configs map[string]Replication // by source bucket ARN
	strict  bool
	buckets map[string]bool // registered buckets (strict mode)
}

func newState() state {
	return state{configs: map[string]Replication{}, buckets: map[string]bool{}}
}

// newTokenLocked draws an opaque version token: 32 hex characters.
func (s *Server) newTokenLocked() string {
	var b [16]byte
	for i := 0; i < len(b); i += 8 {
		v := s.rng.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return hex.EncodeToString(b[:])
}

// applyLocked decides a valid, unfaulted call against the state.
//
//	op      configuration  token           answer
//	Get     none           -               404 MessageNoReplication
//	Get     exists         -               200 configuration + token
//	Put     none           absent          200 create, new token
//	Put     none           present         409 (no token is current)
//	Put     exists         absent          400 MessageMissingToken
//	Put     exists         current         200 replace, new token
//	Put     exists         other           409
//	Delete  none           any             404 MessageNoReplication
//	Delete  exists         absent          400 MessageMissingToken
//	Delete  exists         current         204
//	Delete  exists         other           409
//
// In strict mode an unregistered bucket answers 404 MessageNoSuchBucket
// first. A Get that reached the state triggers the racing writers after its
// answer is computed.
func (s *Server) applyLocked(req request, spec opSpec) answer {
	if s.st.strict && !s.st.buckets[req.bucket] {
		return apiError(errNotFound, MessageNoSuchBucket)
	}
	cur, exists := s.st.configs[req.bucket]
	switch req.op {
	case OpGetTable:
		return apiError(errNotFound, MessageNoTableReplication)
	case OpGet:
		a := apiError(errNotFound, MessageNoReplication)
		if exists {
			a = okAnswer(spec.code, wireGetResponse{Configuration: toWire(cur), VersionToken: cur.VersionToken})
		}
		s.raceLocked(req.bucket)
		return a
	case OpPut:
		switch {
		case !req.hasToken && exists:
			return apiError(errBadRequest, MessageMissingToken)
		case req.hasToken && (!exists || req.token != cur.VersionToken):
			return apiError(errConflict, MessageTokenMismatch)
		}
		next := *fromWire(req.body.Configuration)
		next.VersionToken = s.newTokenLocked()
		s.st.configs[req.bucket] = next
		return okAnswer(spec.code, wirePutResponse{Status: s.putStatus, VersionToken: next.VersionToken})
	case OpDelete:
		switch {
		case !exists:
			return apiError(errNotFound, MessageNoReplication)
		case !req.hasToken:
			return apiError(errBadRequest, MessageMissingToken)
		case req.token != cur.VersionToken:
			return apiError(errConflict, MessageTokenMismatch)
		}
		delete(s.st.configs, req.bucket)
		return answer{status: spec.code}
	}
	panic("emulator: unrouted operation " + string(req.op))
}

// SetReplication stores a configuration for bucketARN as if it had been
// written, and returns its new version token. It is not a call: it is not
// logged and faults do not apply. Nothing is validated, so tests can seed
// states the API would refuse. In strict mode the bucket is registered.
func (s *Server) SetReplication(bucketARN, role string, destinations []string) (token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	token = s.newTokenLocked()
	s.st.configs[bucketARN] = Replication{Role: role, Destinations: slices.Clone(destinations), VersionToken: token}
	s.st.buckets[bucketARN] = true
	return token
}

// RemoveReplication deletes the configuration of bucketARN, if any, without
// a call.
func (s *Server) RemoveReplication(bucketARN string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.st.configs, bucketARN)
}

// Replication returns the stored configuration of bucketARN and whether
// there is one.
func (s *Server) Replication(bucketARN string) (Replication, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.st.configs[bucketARN]
	return r.clone(), ok
}

// Replications returns a copy of every stored configuration, by bucket ARN.
func (s *Server) Replications() map[string]Replication {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]Replication, len(s.st.configs))
	for k, v := range s.st.configs {
		out[k] = v.clone()
	}
	return out
}

// AddBucket registers a table bucket. It only matters with
// WithStrictBuckets, where unregistered buckets do not exist.
func (s *Server) AddBucket(arn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.buckets[arn] = true
}

// requestID is the x-amzn-RequestId of the call with sequence number seq.
func requestID(seq int) string {
	const hexDigits = "0123456789abcdef"
	b := []byte("e0000000-0000-4000-8000-000000000000")
	for i, n := len(b)-1, seq; n > 0 && i > 0; i-- {
		if b[i] == '-' {
			continue
		}
		b[i] = hexDigits[n%16]
		n /= 16
	}
	return string(b)
}

var _ http.Handler = (*Server)(nil)

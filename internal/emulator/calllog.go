package emulator

import "time"

// Pseudo answers that never reach the wire; they appear in the call log.
const (
	// StatusClientClosed is the Call.Status of a call whose client went
	// away while it waited for latency (nothing was sent).
	StatusClientClosed = 499
	// ErrorTypeClientClosed is the Call.ErrorType that goes with
	// StatusClientClosed.
	ErrorTypeClientClosed = "ClientClosedRequest"
	// ErrorTypeReset is the Call.ErrorType of a call answered by closing the
	// connection (Reset fault); its Status is 0.
	ErrorTypeReset = "ConnectionReset"
)

// Call is one request the emulator received, as logged once answered.
type Call struct {
	// Seq numbers calls from 1 in the order they were answered (for
	// writes, the order they were applied); it keeps counting across
	// ResetCalls.
	Seq int
	// Op is the operation; "" when no operation matched the route.
	Op Operation
	// Bucket is the tableBucketARN query value as sent (for
	// GetTableReplication, the bucket part of tableArn); "" when absent.
	Bucket string
	// Region is the region of the SigV4 credential scope; "" when the
	// request was not signed.
	Region string
	// VersionToken is the versionToken query value; HasToken tells an
	// absent token from an empty one.
	VersionToken string
	HasToken     bool
	// Request is the configuration a Put carried (all rules flattened), or
	// nil when the call is not a Put or its body had no configuration or
	// was not valid JSON.
	Request *Replication
	// Status is the HTTP status answered (see StatusClientClosed and
	// ErrorTypeReset for calls that got none).
	Status int
	// ErrorType is the X-Amzn-Errortype answered; "" for success and for
	// untyped errors (Unavailable).
	ErrorType string
	// ResponseToken is the version token the answer carried (a successful
	// Get or Put); "" otherwise.
	ResponseToken string
	// At is when the request arrived.
	At time.Time
}

func (c Call) clone() Call {
	if c.Request != nil {
		r := c.Request.clone()
		c.Request = &r
	}
	return c
}

func (c Call) isWrite() bool { return c.Op == OpPut || c.Op == OpDelete }

// tokenKey identifies a version token sent for a bucket.
type tokenKey struct{ bucket, token string }

// callLog is guarded by Server.mu.
type callLog struct {
	seq   int
	calls []Call
	stale []Call
	// conflicted holds the tokens of writes answered ConflictException; it
	// survives ResetCalls so a resend after a reset is still caught.
	conflicted map[tokenKey]bool
}

func newCall(req request, at time.Time) Call {
	c := Call{
		Op: req.op, Bucket: req.bucket, Region: req.region,
		VersionToken: req.token, HasToken: req.hasToken, At: at,
	}
	if req.op == OpPut && req.body != nil {
		c.Request = fromWire(req.body.Configuration)
	}
	return c
}

// logLocked numbers c, records its answer and appends it to the log.
func (s *Server) logLocked(c Call, status int, errorType string) Call {
	l := &s.log
	l.seq++
	c.Seq, c.Status, c.ErrorType = l.seq, status, errorType
	l.calls = append(l.calls, c)
	if c.isWrite() && c.HasToken {
		k := tokenKey{c.Bucket, c.VersionToken}
		if l.conflicted[k] {
			l.stale = append(l.stale, c)
		}
		if errorType == errConflict {
			if l.conflicted == nil {
				l.conflicted = map[tokenKey]bool{}
			}
			l.conflicted[k] = true
		}
	}
	return c
}

func cloneCalls(in []Call) []Call {
	out := make([]Call, len(in))
	for i, c := range in {
		out[i] = c.clone()
	}
	return out
}

// Calls returns a copy of the call log in Seq order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneCalls(s.log.calls)
}

// CallsFor returns the logged calls whose Bucket is bucket, in Seq order.
func (s *Server) CallsFor(bucket string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.log.calls {
		if c.Bucket == bucket {
			out = append(out, c.clone())
		}
	}
	return out
}

// Count returns how many logged calls were for op, whatever their answer.
func (s *Server) Count(op Operation) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.log.calls {
		if c.Op == op {
			n++
		}
	}
	return n
}

// ResetCalls empties the call log and the StaleTokenResends list. Sequence
// numbers keep counting, and tokens already answered with ConflictException
// stay remembered.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log.calls = nil
	s.log.stale = nil
}

// StaleTokenResends lists writes (Put, Delete) that sent a version token
// already answered with ConflictException for the same bucket. A correct
// client re-reads after a conflict and never does this. The emulator cannot
// tell clients apart, so the list is meaningful when one client at a time
// writes a given bucket (as replsync does): two writers that read the same
// token and both write with it are reported too.
func (s *Server) StaleTokenResends() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneCalls(s.log.stale)
}

// Package fakessm is a small in-process stand-in for SSM Parameter Store:
// it answers AmazonSSM.GetParameter (JSON 1.1, as the SDK sends it) for
// parameters that tests put in, including SecureString decryption, ARN
// names, versions and injected access denials. Tests point the SDK at it
// with AWS_ENDPOINT_URL_SSM or an endpoint override.
package fakessm

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Account and Region are those of the ARNs the fake reports.
const (
	Account = "111122223333"
	Region  = "us-east-1"
)

// Call is one request the fake answered.
type Call struct {
	// Target is the operation, e.g. "GetParameter".
	Target string
	// Name and WithDecryption are from the request.
	Name           string
	WithDecryption bool
	// SigningRegion is the region of the request's SigV4 credential scope.
	SigningRegion string
	// ErrorType is the error answered, "" on success.
	ErrorType string
}

type parameter struct {
	typ      string
	value    string
	version  int64
	modified time.Time
}

// Server is a fake SSM endpoint. It is safe for concurrent use.
type Server struct {
	mu     sync.Mutex
	params map[string]*parameter
	denied map[string]bool
	calls  []Call
	ts     *httptest.Server
}

// New returns an empty Server; Start serves it.
func New() *Server {
	return &Server{params: map[string]*parameter{}, denied: map[string]bool{}}
}

// Start serves the fake on 127.0.0.1 and returns its URL.
func (s *Server) Start() string {
	s.ts = httptest.NewServer(s)
	return s.ts.URL
}

// URL returns the URL given by Start.
func (s *Server) URL() string { return s.ts.URL }

// Close stops the server started by Start.
func (s *Server) Close() {
	if s.ts != nil {
		s.ts.Close()
	}
}

// Put creates or overwrites the parameter name (with its leading / for a
// hierarchy) with a type (String, SecureString, StringList) and value,
// bumping its version as PutParameter with Overwrite does. It returns the
// new version.
func (s *Server) Put(name, typ, value string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.params[name]
	if p == nil {
		p = &parameter{}
		s.params[name] = p
	}
	p.typ, p.value, p.modified = typ, value, time.Now().UTC()
	p.version++
	return p.version
}

// Delete removes the parameter.
func (s *Server) Delete(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.params, name)
}

// Deny makes every request for the parameter answer AccessDeniedException.
func (s *Server) Deny(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denied[name] = true
}

// Calls returns a copy of the calls answered so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// ResetCalls empties the call log.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// ARN returns the parameter ARN of name in Region and Account.
func ARN(name string) string {
	return "arn:aws:ssm:" + Region + ":" + Account + ":parameter/" + strings.TrimPrefix(name, "/")
}

var (
	credentialRe = regexp.MustCompile(`Credential=[^/]+/[0-9]+/([^/]+)/`)
	arnNameRe    = regexp.MustCompile(`^arn:[^:]+:ssm:[^:]+:[0-9]{12}:parameter/(.+)$`)
)

// ServeHTTP answers one JSON 1.1 request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AmazonSSM.")
	call := Call{Target: target}
	if m := credentialRe.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		call.SigningRegion = m[1]
	}
	var in struct {
		Name           string
		WithDecryption bool
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || target != "GetParameter" {
		call.ErrorType = "InvalidAction"
		s.record(call)
		writeError(w, http.StatusBadRequest, "InvalidAction", fmt.Sprintf("the fake answers GetParameter only, not %q", target))
		return
	}
	call.Name, call.WithDecryption = in.Name, in.WithDecryption

	s.mu.Lock()
	name := in.Name
	if m := arnNameRe.FindStringSubmatch(name); m != nil {
		// An ARN drops the leading / of a hierarchical name.
		name = m[1]
		if _, ok := s.params[name]; !ok {
			name = "/" + name
		}
	}
	p, found := s.params[name]
	var out parameter
	if found {
		out = *p
	}
	denied := s.denied[name]
	s.mu.Unlock()

	switch {
	case denied:
		call.ErrorType = "AccessDeniedException"
		s.record(call)
		writeError(w, http.StatusBadRequest, call.ErrorType, "User is not authorized to perform: ssm:GetParameter on resource: "+ARN(name))
		return
	case !found:
		call.ErrorType = "ParameterNotFound"
		s.record(call)
		writeError(w, http.StatusBadRequest, call.ErrorType, "")
		return
	}
	value := out.value
	if out.typ == "SecureString" && !in.WithDecryption {
		value = "AQICAHencrypted" + strings.Repeat("x", 16)
	}
	s.record(call)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(map[string]any{"Parameter": map[string]any{
		"ARN":              ARN(name),
		"DataType":         "text",
		"LastModifiedDate": float64(out.modified.UnixMilli()) / 1000,
		"Name":             name,
		"Type":             out.typ,
		"Value":            value,
		"Version":          out.version,
	}})
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
}

func writeError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}

// Package fakes3 serves an in-process S3 (gofakes3 with its in-memory,
// versioning backend) for tests, with two additions: a request log and
// injected AccessDenied answers for chosen objects.
package fakes3

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Request is one request the fake received.
type Request struct {
	Method string
	// Path is the URL path, /bucket/key (path-style addressing).
	Path string
}

// Server is an in-process S3 endpoint. It is safe for concurrent use.
type Server struct {
	handler http.Handler
	ts      *httptest.Server

	mu     sync.Mutex
	denied map[string]bool // "/bucket/key"
	log    []Request
}

// New returns a Server; Start serves it.
func New() *Server {
	f := gofakes3.New(s3mem.New(), gofakes3.WithLogger(gofakes3.DiscardLog()))
	return &Server{handler: f.Server(), denied: map[string]bool{}}
}

// Start serves the fake on 127.0.0.1 and returns its URL.
func (s *Server) Start() string {
	s.ts = httptest.NewServer(s)
	return s.ts.URL
}

// URL returns the URL given by Start.
func (s *Server) URL() string { return s.ts.URL }

// Close stops the server.
func (s *Server) Close() {
	if s.ts != nil {
		s.ts.Close()
	}
}

// Deny makes every request for the object answer 403 AccessDenied.
func (s *Server) Deny(bucket, key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denied["/"+bucket+"/"+key] = true
}

// Requests returns a copy of the request log.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
}

// ServeHTTP logs the request and answers it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.log = append(s.log, Request{Method: r.Method, Path: r.URL.Path})
	denied := s.denied[r.URL.Path]
	s.mu.Unlock()
	if denied {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		if r.Method != http.MethodHead {
			_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>FAKE</RequestId></Error>`))
		}
		return
	}
	s.handler.ServeHTTP(w, r)
}

// Client returns an S3 client for the fake (path-style, dummy
// credentials, checksums only where required, as gofakes3 needs).
func (s *Server) Client() *s3.Client {
	return s3.New(s3.Options{
		Region:                     "us-east-1",
		BaseEndpoint:               aws.String(s.URL()),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider("AKIDFAKE", "secret", ""),
		HTTPClient:                 NoKeepAlive(),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
}

// NoKeepAlive is an HTTP client that keeps no idle connection, so that a
// test's clients leave no goroutine behind (goleak).
func NoKeepAlive() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
}

// CreateBucket creates a bucket with versioning enabled.
func (s *Server) CreateBucket(t testing.TB, bucket string) {
	t.Helper()
	ctx := context.Background()
	c := s.Client()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatalf("CreateBucket %s: %v", bucket, err)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket:                  &bucket,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled},
	}); err != nil {
		t.Fatalf("PutBucketVersioning %s: %v", bucket, err)
	}
}

// Put uploads an object and returns its version ID.
func (s *Server) Put(t testing.TB, bucket, key, body string) string {
	t.Helper()
	out, err := s.Client().PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: &bucket, Key: &key, Body: strings.NewReader(body),
	})
	if err != nil {
		t.Fatalf("PutObject s3://%s/%s: %v", bucket, key, err)
	}
	return aws.ToString(out.VersionId)
}

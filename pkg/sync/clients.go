package sync

import (
	"context"
	"net/http"
	gosync "sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3tables"
)

// ReplicationAPI is the part of *s3tables.Client that the reconciler uses.
type ReplicationAPI interface {
	GetTableBucketReplication(ctx context.Context, in *s3tables.GetTableBucketReplicationInput, optFns ...func(*s3tables.Options)) (*s3tables.GetTableBucketReplicationOutput, error)
	PutTableBucketReplication(ctx context.Context, in *s3tables.PutTableBucketReplicationInput, optFns ...func(*s3tables.Options)) (*s3tables.PutTableBucketReplicationOutput, error)
	DeleteTableBucketReplication(ctx context.Context, in *s3tables.DeleteTableBucketReplicationInput, optFns ...func(*s3tables.Options)) (*s3tables.DeleteTableBucketReplicationOutput, error)
}

var _ ReplicationAPI = (*s3tables.Client)(nil)

// Clients gives the S3 Tables client for a region. Calls for a bucket go to
// the region of its ARN.
type Clients interface {
	For(region string) (ReplicationAPI, error)
}

// RegionClients is a Clients that builds one *s3tables.Client per region
// from one aws.Config, lazily, and caches it. It is safe for concurrent use.
//
// The region clients share one HTTP client. When the aws.Config has the
// SDK's own (*awshttp.BuildableClient, what config.LoadDefaultConfig sets)
// or none, its transport keeps as many idle connections per endpoint as a
// Reconciler using these clients has workers: the SDK's default of 10
// would make every request beyond the tenth concurrent one open, and pay
// the TLS handshake of, a new connection. Any other HTTP client is used as
// given.
type RegionClients struct {
	cfg    aws.Config
	optFns []func(*s3tables.Options)

	mu      gosync.Mutex
	clients map[string]*s3tables.Client
	idle    int            // idle connections to keep per endpoint (0: the SDK's default)
	http    aws.HTTPClient // shared by the clients; built with the first one
}

// NewRegionClients returns clients built from cfg (load it with
// config.LoadDefaultConfig so AWS_ENDPOINT_URL_S3TABLES, profiles and
// credentials apply). The SDK retryer is switched off: replsync's backoff
// loop is the only layer that retries S3 Tables calls, so one logical call
// never turns into 3 x N requests. optFns run after that and may override it.
func NewRegionClients(cfg aws.Config, optFns ...func(*s3tables.Options)) *RegionClients {
	return &RegionClients{cfg: cfg, optFns: optFns, clients: map[string]*s3tables.Client{}}
}

// keepIdle asks for at least n idle connections per endpoint. New calls it
// with its concurrency, before any client exists.
func (c *RegionClients) keepIdle(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.idle = max(c.idle, n)
}

// For returns the client for region, creating it on first use.
func (c *RegionClients) For(region string) (ReplicationAPI, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.clients[region]; ok {
		return cl, nil
	}
	httpClient := c.httpClientLocked()
	opts := append([]func(*s3tables.Options){func(o *s3tables.Options) {
		o.Region = region
		o.Retryer = aws.NopRetryer{}
		o.HTTPClient = httpClient
	}}, c.optFns...)
	cl := s3tables.NewFromConfig(c.cfg, opts...)
	c.clients[region] = cl
	return cl, nil
}

// httpClientLocked returns the HTTP client of every region client.
func (c *RegionClients) httpClientLocked() aws.HTTPClient {
	if c.http != nil {
		return c.http
	}
	idle := c.idle
	pool := func(t *http.Transport) {
		if t.MaxIdleConnsPerHost < idle {
			t.MaxIdleConnsPerHost = idle
		}
		if t.MaxIdleConns != 0 && t.MaxIdleConns < idle {
			t.MaxIdleConns = idle
		}
	}
	switch hc := c.cfg.HTTPClient.(type) {
	case nil:
		c.http = awshttp.NewBuildableClient().WithTransportOptions(pool)
	case *awshttp.BuildableClient:
		c.http = hc.WithTransportOptions(pool)
	default:
		c.http = hc
	}
	return c.http
}

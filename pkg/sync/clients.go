package sync

import (
	"context"
	gosync "sync"

	"github.com/aws/aws-sdk-go-v2/aws"
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
type RegionClients struct {
	cfg    aws.Config
	optFns []func(*s3tables.Options)

	mu      gosync.Mutex
	clients map[string]*s3tables.Client
}

// NewRegionClients returns clients built from cfg (load it with
// config.LoadDefaultConfig so AWS_ENDPOINT_URL_S3TABLES, profiles and
// credentials apply). The SDK retryer is switched off: replsync's backoff
// loop is the only layer that retries S3 Tables calls, so one logical call
// never turns into 3 x N requests. optFns run after that and may override it.
func NewRegionClients(cfg aws.Config, optFns ...func(*s3tables.Options)) *RegionClients {
	return &RegionClients{cfg: cfg, optFns: optFns, clients: map[string]*s3tables.Client{}}
}

// For returns the client for region, creating it on first use.
func (c *RegionClients) For(region string) (ReplicationAPI, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.clients[region]; ok {
		return cl, nil
	}
	opts := append([]func(*s3tables.Options){func(o *s3tables.Options) {
		o.Region = region
		o.Retryer = aws.NopRetryer{}
	}}, c.optFns...)
	cl := s3tables.NewFromConfig(c.cfg, opts...)
	c.clients[region] = cl
	return cl, nil
}

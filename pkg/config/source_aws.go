package config

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// WithAWS sets the clients of s3:// and ssm: sources, built from cfg (load
// it with config.LoadDefaultConfig, so that credentials, the region and
// AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL_SSM / AWS_ENDPOINT_URL apply).
// Building the clients makes no request, so file sources still work
// without any AWS access.
//
// With a custom S3 endpoint the S3 client uses path-style addressing:
// virtual-host style would turn http://localhost:N into
// bucket.localhost:N, which does not resolve. Both clients keep the SDK's
// standard retryer (3 attempts with backoff): a source read is one request
// that nothing else retries, unlike the S3 Tables calls, whose retries
// replsync's own backoff owns.
func WithAWS(cfg aws.Config) SourceOption {
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) {
		// NewFromConfig has already resolved AWS_ENDPOINT_URL_S3 and
		// AWS_ENDPOINT_URL into BaseEndpoint when this runs.
		if o.BaseEndpoint != nil {
			o.UsePathStyle = true
		}
	})
	ssmc := ssm.NewFromConfig(cfg)
	return func(o *sourceOptions) {
		o.s3 = s3c
		o.ssm = ssmc
	}
}

// Command s3tables-emulator serves the S3 Tables table bucket replication
// API locally, for demos and manual use with the aws CLI:
//
//	s3tables-emulator --listen 127.0.0.1:4566 --seed-file seed.json --log-calls
//	aws --endpoint-url http://127.0.0.1:4566 --region us-east-1 \
//	    s3tables get-table-bucket-replication --table-bucket-arn ARN
//
// It stops and exits 0 on SIGTERM or SIGINT. Run it with -help for the flags.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/replsync/replsync/internal/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	code := emulator.Main(ctx, os.Args[1:], os.Stderr)
	stop()
	os.Exit(code)
}

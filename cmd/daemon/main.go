// Command replsync-daemon keeps S3 Tables replication configuration equal to
// a desired-state document, once (--once) or as a long-running process.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/replsync/replsync/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

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
	// internal/cli decides what each signal means (stop gracefully, pass now).
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	os.Exit(cli.Main(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr, signals))
}

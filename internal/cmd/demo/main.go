// Command demo runs the real replsync-daemon binary against an in-process
// S3 Tables emulator: a dry run that prints the plan, a pass that applies
// it, and a second pass with nothing left to do. It exits non-zero if any
// step does not behave as documented, so `make demo` is also a smoke test.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/replsync/replsync/internal/demo"
)

func main() {
	daemon := flag.String("daemon", "bin/replsync-daemon", "path of the replsync-daemon binary")
	doc := flag.String("config", "examples/replication.yaml", "desired-state document")
	flag.Parse()
	if err := demo.Run(*daemon, *doc, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "demo: %v\n", err)
		os.Exit(1)
	}
}

// Command lambda is the replsync AWS Lambda function, built as bootstrap
// for the provided.al2023 runtime (see template.yaml and the Makefile's
// build-ReplsyncFunction target). It only wires: the handler is
// internal/lambda, configured from the environment at init.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	fn "github.com/replsync/replsync/internal/lambda"
)

func main() {
	h, err := fn.FromEnv(context.Background(), os.Getenv, os.Stdout)
	if err != nil {
		// Lambda reports the exit as an init error; this line is in the log.
		fmt.Fprintf(os.Stderr, "replsync: init: %v\n", err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}

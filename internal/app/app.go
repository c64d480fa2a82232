// Package app wires replsync together for both entry points: it loads the
// AWS configuration, opens the document source and builds the reconciler.
// The daemon and the Lambda call the same Pass, so there is one reconcile
// path.
package app

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/rs/zerolog"

	"github.com/replsync/replsync/pkg/config"
	replsync "github.com/replsync/replsync/pkg/sync"
)

// Settings are what both entry points configure.
type Settings struct {
	// Config is the document source: ./x.yaml, file:///x.json, s3://b/k, ssm:/name.
	Config string
	// Concurrency bounds buckets reconciled at once.
	Concurrency int
	// MaxRPS bounds requests per second per region (0: no limit).
	MaxRPS float64
	// OnCall, if set, observes every S3 Tables request (metrics).
	OnCall func(replsync.CallEvent)
}

// App is a configured replsync: a document source and a reconciler.
type App struct {
	Source     config.Source
	Reconciler *replsync.Reconciler
	log        zerolog.Logger
}

// New loads the AWS configuration the standard way (environment, shared
// files, AWS_ENDPOINT_URL_* overrides) and builds an App.
func New(ctx context.Context, s Settings, log zerolog.Logger) (*App, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	return NewWithConfig(cfg, s, log)
}

// NewWithConfig builds an App from an AWS configuration. S3 and SSM
// document sources get their clients from cfg (see config.WithAWS);
// building them makes no request, so a file source works without AWS.
func NewWithConfig(cfg aws.Config, s Settings, log zerolog.Logger) (*App, error) {
	src, err := config.NewSource(s.Config, config.WithAWS(cfg))
	if err != nil {
		return nil, err
	}
	rec, err := replsync.New(replsync.Options{
		Clients:     replsync.NewRegionClients(cfg),
		Concurrency: s.Concurrency,
		MaxRPS:      s.MaxRPS,
		Logger:      &log,
		OnCall:      s.OnCall,
	})
	if err != nil {
		return nil, err
	}
	return &App{Source: src, Reconciler: rec, log: log}, nil
}

// Pass reads the current document and reconciles every bucket it lists. A
// document that cannot be read or is invalid returns an error and nothing
// is written. Bucket failures are in the report, not in the error.
func (a *App) Pass(ctx context.Context, run replsync.RunOptions) (*replsync.Report, error) {
	doc, err := config.Load(ctx, a.Source)
	if err != nil {
		return nil, err
	}
	a.log.Info().Str("source", doc.Identity.Source).Str("sha256", doc.Identity.SHA256).
		Int("buckets", len(doc.Buckets)).Bool("dryRun", run.DryRun).Msg("pass starting")
	rep, err := a.Reconciler.Reconcile(ctx, doc, run)
	if err != nil {
		return nil, err
	}
	s := rep.Summary
	a.log.Info().Int("noop", s.Noop).Int("create", s.Create).Int("update", s.Update).
		Int("delete", s.Delete).Int("failed", s.Failed).Bool("dryRun", run.DryRun).
		Float64("seconds", rep.DurationSeconds).Msg("pass finished")
	return rep, nil
}

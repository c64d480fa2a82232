package lambda

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/rs/zerolog"

	"github.com/replsync/replsync/internal/app"
	replsync "github.com/replsync/replsync/pkg/sync"
)

// Settings are the function's configuration, from its environment (the
// same names as the daemon's).
type Settings struct {
	App app.Settings
	// LogLevel is the level of the logs.
	LogLevel zerolog.Level
	// FunctionName is the dimension of the metrics.
	FunctionName string
}

// SettingsFromEnv reads REPLSYNC_CONFIG (required), REPLSYNC_CONCURRENCY
// (default 8), REPLSYNC_MAX_RPS (default replsync.DefaultMaxRPS; 0: no
// limit) and REPLSYNC_LOG_LEVEL (default info). Every problem is reported.
func SettingsFromEnv(getenv func(string) string) (Settings, error) {
	s := Settings{
		App:      app.Settings{Config: getenv("REPLSYNC_CONFIG"), Concurrency: replsync.DefaultConcurrency, MaxRPS: replsync.DefaultMaxRPS},
		LogLevel: zerolog.InfoLevel,
	}
	var errs []error
	if s.App.Config == "" {
		errs = append(errs, errors.New("REPLSYNC_CONFIG is required (s3://bucket/key, ssm:/name or a parameter ARN)"))
	}
	if v := getenv("REPLSYNC_CONCURRENCY"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("REPLSYNC_CONCURRENCY must be a whole number of at least 1, not %q", v))
		}
		s.App.Concurrency = n
	}
	if v := getenv("REPLSYNC_MAX_RPS"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 {
			errs = append(errs, fmt.Errorf("REPLSYNC_MAX_RPS must be a number of at least 0, not %q", v))
		}
		s.App.MaxRPS = f
	}
	if v := getenv("REPLSYNC_LOG_LEVEL"); v != "" {
		lvl, err := zerolog.ParseLevel(v)
		if err != nil || lvl == zerolog.NoLevel {
			errs = append(errs, fmt.Errorf("REPLSYNC_LOG_LEVEL must be debug, info, warn or error, not %q", v))
		}
		s.LogLevel = lvl
	}
	return s, errors.Join(errs...)
}

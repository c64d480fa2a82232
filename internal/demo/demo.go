// Package demo is `make demo`: the real daemon binary against the
// in-process S3 Tables emulator, seeded with a bucket in every plan state.
package demo

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/replsync/replsync/internal/emulator"
)

const (
	account  = "111122223333"
	role     = "arn:aws:iam::111122223333:role/S3TablesReplication"
	logsRole = "arn:aws:iam::111122223333:role/LogsReplication"
	logs     = "arn:aws:s3tables:us-east-1:111122223333:bucket/logs"
	events   = "arn:aws:s3tables:eu-west-1:444455556666:bucket/events"
	retired  = "arn:aws:s3tables:us-east-1:111122223333:bucket/retired"
	// scratch is not in the document: replsync must never touch it.
	scratch = "arn:aws:s3tables:us-east-1:111122223333:bucket/scratch"
)

// Seed puts the emulator in the state the example document expects:
// analytics has no replication (create), logs replicates elsewhere
// (update), events is right but listed in another order with a duplicate
// (noop), retired has replication (delete), scratch is not in the document.
func Seed(s *emulator.Server) {
	s.SetReplication(logs, logsRole, []string{"arn:aws:s3tables:us-east-2:111122223333:bucket/logs-old"})
	s.SetReplication(events, role, []string{
		"arn:aws:s3tables:us-east-1:111122223333:bucket/events-us",
		"arn:aws:s3tables:eu-central-1:444455556666:bucket/events-backup",
		"arn:aws:s3tables:us-east-1:111122223333:bucket/events-us",
	})
	s.SetReplication(retired, role, []string{"arn:aws:s3tables:us-west-2:111122223333:bucket/retired-dr"})
	s.SetReplication(scratch, role, []string{"arn:aws:s3tables:us-west-2:111122223333:bucket/scratch-dr"})
}

// step is one run of the daemon and what it must do.
type step struct {
	title  string
	args   []string
	exit   int
	writes int
}

// Run runs the three steps and checks each one's exit code and writes.
func Run(daemon, document string, out io.Writer) error {
	daemon, err := filepath.Abs(daemon)
	if err != nil {
		return err
	}
	if _, err := os.Stat(daemon); err != nil {
		return fmt.Errorf("daemon binary: %w (run make build)", err)
	}
	s := emulator.New()
	s.Start()
	defer s.Close()
	Seed(s)
	scratchBefore, _ := s.Replication(scratch)

	steps := []step{
		{"1. Plan: what would change (dry run; exit 2 means drift found)", []string{"--once", "--dry-run", "--log-level", "warn"}, 2, 0},
		{"2. Apply: make every bucket match the document (the log lines on stderr are the audit trail)", []string{"--once"}, 0, 3},
		{"3. Second pass: already converged, nothing to write", []string{"--once", "--log-level", "warn"}, 0, 0},
	}
	for _, st := range steps {
		s.ResetCalls()
		args := append([]string{"--config", document, "--log-format", "text"}, st.args...)
		fmt.Fprintf(out, "\n=== %s\n$ replsync-daemon %v\n\n", st.title, args)
		cmd := exec.Command(daemon, args...)
		cmd.Stdout, cmd.Stderr = out, out
		cmd.Env = Env(s.URL())
		err := cmd.Run()
		code := 0
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			code = exitErr.ExitCode()
		} else if err != nil {
			return err
		}
		gets, writes := s.Count(emulator.OpGet), s.Count(emulator.OpPut)+s.Count(emulator.OpDelete)
		fmt.Fprintf(out, "\n[exit code %d; the emulator saw %d reads and %d writes]\n", code, gets, writes)
		if code != st.exit || writes != st.writes {
			return fmt.Errorf("step %q: exit code %d and %d writes, want %d and %d", st.title, code, writes, st.exit, st.writes)
		}
		if n := len(s.CallsFor(scratch)); n != 0 {
			return fmt.Errorf("the daemon called the emulator %d times for %s, which the document does not list", n, scratch)
		}
	}
	if after, _ := s.Replication(scratch); after.VersionToken != scratchBefore.VersionToken {
		return fmt.Errorf("%s changed although the document does not list it", scratch)
	}
	fmt.Fprintf(out, "\nDone: the buckets match %s, and %s (not in the document) was never read or written.\n", document, scratch)
	return nil
}

// Env is the environment for a child process that talks to the emulator at
// url with dummy credentials and nothing from the user's AWS files.
func Env(url string) []string {
	env := []string{
		"AWS_ENDPOINT_URL_S3TABLES=" + url,
		"AWS_ACCESS_KEY_ID=AKIADEMO" + account,
		"AWS_SECRET_ACCESS_KEY=demo-secret",
		"AWS_REGION=us-east-1",
		"AWS_CA_BUNDLE=",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
	}
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

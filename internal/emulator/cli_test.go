package emulator_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/replsync/replsync/internal/emulator"
	"github.com/replsync/replsync/internal/testutil"
)

// awsCLI runs the aws CLI (v1, botocore) against the emulator, isolated
// from the machine's AWS configuration.
type awsCLI struct {
	t    *testing.T
	path string
	url  string
	env  []string
}

func newAWSCLI(t *testing.T, s *emulator.Server) *awsCLI {
	path := testutil.LookTool(t, "aws")
	home := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		// Drop the machine's AWS settings (this machine sets AWS_CA_BUNDLE)
		// and proxies, which would intercept 127.0.0.1.
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "AWS_") || strings.EqualFold(name, "HTTP_PROXY") ||
			strings.EqualFold(name, "HTTPS_PROXY") || strings.EqualFold(name, "ALL_PROXY") || name == "HOME" {
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"HOME="+home,
		"AWS_ACCESS_KEY_ID=AKID",
		"AWS_SECRET_ACCESS_KEY=SECRET",
		"AWS_CONFIG_FILE="+os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_MAX_ATTEMPTS=1",
		"NO_PROXY=127.0.0.1,localhost",
	)
	return &awsCLI{t: t, path: path, url: s.URL(), env: env}
}

// run returns stdout, stderr and the exit code of one CLI command.
func (a *awsCLI) run(args ...string) (stdout, stderr string, code int) {
	a.t.Helper()
	full := append([]string{"--endpoint-url", a.url, "--region", "us-east-1", "--output", "json", "s3tables"}, args...)
	cmd := exec.CommandContext(a.t.Context(), a.path, full...)
	cmd.Env = a.env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		a.t.Fatalf("aws %v: %v", args, err)
	}
	return out.String(), errOut.String(), code
}

// TestAWSCLI drives the emulator with a second, independent client: the
// aws CLI and its botocore.
func TestAWSCLI(t *testing.T) {
	s := start(t)
	cli := newAWSCLI(t, s)
	cfg := `{"role":"` + role + `","rules":[{"destinations":[{"destinationTableBucketARN":"` + dst1 +
		`"},{"destinationTableBucketARN":"` + dst2 + `"}]}]}`

	out, errOut, code := cli.run("put-table-bucket-replication", "--table-bucket-arn", src, "--configuration", cfg)
	if code != 0 {
		t.Fatalf("put: exit %d: %s", code, errOut)
	}
	var putOut struct{ Status, VersionToken string }
	if err := json.Unmarshal([]byte(out), &putOut); err != nil || putOut.Status != "Success" || putOut.VersionToken == "" {
		t.Fatalf("put printed %q (%v)", out, err)
	}

	out, errOut, code = cli.run("get-table-bucket-replication", "--table-bucket-arn", src)
	if code != 0 {
		t.Fatalf("get: exit %d: %s", code, errOut)
	}
	var getOut struct {
		VersionToken  string `json:"versionToken"`
		Configuration struct {
			Role  string `json:"role"`
			Rules []struct {
				Destinations []struct {
					DestinationTableBucketARN string `json:"destinationTableBucketARN"`
				} `json:"destinations"`
			} `json:"rules"`
		} `json:"configuration"`
	}
	if err := json.Unmarshal([]byte(out), &getOut); err != nil {
		t.Fatalf("get printed %q: %v", out, err)
	}
	if getOut.VersionToken != putOut.VersionToken || getOut.Configuration.Role != role ||
		len(getOut.Configuration.Rules) != 1 || len(getOut.Configuration.Rules[0].Destinations) != 2 ||
		getOut.Configuration.Rules[0].Destinations[1].DestinationTableBucketARN != dst2 {
		t.Fatalf("get printed %s", out)
	}

	// Errors: the CLI prints the error type taken from X-Amzn-Errortype.
	_, errOut, code = cli.run("put-table-bucket-replication", "--table-bucket-arn", src, "--configuration", cfg)
	if code == 0 || !strings.Contains(errOut, "(BadRequestException)") || !strings.Contains(errOut, emulator.MessageMissingToken) {
		t.Fatalf("put without token: exit %d: %s", code, errOut)
	}
	_, errOut, code = cli.run("delete-table-bucket-replication", "--table-bucket-arn", src, "--version-token", "stale")
	if code == 0 || !strings.Contains(errOut, "(ConflictException)") {
		t.Fatalf("delete with a stale token: exit %d: %s", code, errOut)
	}
	_, errOut, code = cli.run("delete-table-bucket-replication", "--table-bucket-arn", src, "--version-token", putOut.VersionToken)
	if code != 0 {
		t.Fatalf("delete: exit %d: %s", code, errOut)
	}
	_, errOut, code = cli.run("get-table-bucket-replication", "--table-bucket-arn", src)
	if code == 0 || !strings.Contains(errOut, "(NotFoundException)") || !strings.Contains(errOut, "GetTableBucketReplication") {
		t.Fatalf("get after delete: exit %d: %s", code, errOut)
	}
	_, errOut, code = cli.run("get-table-bucket-replication", "--table-bucket-arn", "arn:aws:s3:::not-a-table-bucket")
	if code == 0 || !strings.Contains(errOut, "(BadRequestException)") || !strings.Contains(errOut, "tableBucketARN") {
		t.Fatalf("get with a bad ARN: exit %d: %s", code, errOut)
	}

	for _, c := range s.Calls() {
		if c.Region != "us-east-1" || c.Bucket == "" {
			t.Errorf("CLI call %+v: unsigned or without bucket", c)
		}
	}
	if got := s.Count(emulator.OpPut) + s.Count(emulator.OpGet) + s.Count(emulator.OpDelete); got != 7 {
		t.Errorf("%d calls logged, want 7 (no CLI retries)", got)
	}
}

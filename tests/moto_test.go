package tests

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/replsync/replsync/internal/emulator"
	"github.com/replsync/replsync/internal/fakes3"
	"github.com/replsync/replsync/internal/testutil"
	"github.com/replsync/replsync/pkg/config"
)

// startMoto runs moto_server on a free port of 127.0.0.1 and waits
// (bounded) until it answers. It serves S3 (with versioning) and SSM
// (with SecureString) on one endpoint.
func startMoto(t *testing.T) string {
	t.Helper()
	bin := testutil.LookTool(t, "moto_server")
	port := freePort(t)
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	out := &testutil.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	startGroup(t, cmd)
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := client.Get(url + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return url
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not answer within 30s: %v\n%s", err, out)
		}
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 100*time.Millisecond); err == nil {
			c.Close()
		}
		time.Sleep(50 * time.Millisecond) // polling a process, not synchronizing goroutines
	}
}

func motoConfig(url string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDMOTO", "secret", ""),
		BaseEndpoint: aws.String(url),
		HTTPClient:   fakes3.NoKeepAlive(),
	}
}

// TestMotoSources runs the S3 and SSM sources, the daemon and the Lambda
// function against moto_server: a versioned bucket (ETag, version ID,
// conditional HEAD) and a SecureString parameter (version).
func TestMotoSources(t *testing.T) {
	url := startMoto(t)
	ctx := context.Background()
	cfg := motoConfig(url)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	ssmc := ssm.NewFromConfig(cfg)
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(docBucket)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(docBucket),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	putObject := func(body string) {
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(docBucket), Key: aws.String(docKey), Body: strings.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	putParam := func(value string) {
		if _, err := ssmc.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(docParam), Type: ssmtypes.ParameterTypeSecureString, Value: aws.String(value), Overwrite: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
	}
	putObject(e2eDoc)
	putParam(e2eDoc)
	s3spec := "s3://" + docBucket + "/config/replsync%20desired.yaml"

	t.Run("sources", func(t *testing.T) {
		withAWS := config.WithAWS(cfg)
		src, err := config.NewSource(s3spec, withAWS)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := config.Load(ctx, src)
		if err != nil || doc.Identity.ETag == "" || doc.Identity.VersionID == "" {
			t.Fatalf("S3 document %+v, %v; want an ETag and a version ID", doc, err)
		}
		cd := src.(config.ChangeDetector)
		if changed, err := cd.Changed(ctx, doc.Identity); err != nil || changed {
			t.Errorf("S3 Changed with the current ETag = %v, %v; want false (304)", changed, err)
		}
		putObject(strings.Replace(e2eDoc, "aaa-dr", "aaa-dr2", 1))
		if changed, err := cd.Changed(ctx, doc.Identity); err != nil || !changed {
			t.Errorf("S3 Changed after an upload = %v, %v; want true", changed, err)
		}
		putObject(e2eDoc)

		psrc, err := config.NewSource("ssm:"+docParam, withAWS)
		if err != nil {
			t.Fatal(err)
		}
		pdoc, err := config.Load(ctx, psrc)
		if err != nil || pdoc.Identity.ParameterVersion != 1 || pdoc.Identity.SHA256 != "" {
			t.Fatalf("SSM document %+v, %v; want version 1 and no hash (SecureString)", pdoc, err)
		}
		if changed, err := psrc.(config.ChangeDetector).Changed(ctx, pdoc.Identity); err != nil || changed {
			t.Errorf("SSM Changed at the same version = %v, %v", changed, err)
		}
		if _, err := config.Load(ctx, mustNewSource(t, "ssm:/replsync/missing", withAWS)); err == nil || !strings.Contains(err.Error(), "ParameterNotFound") {
			t.Errorf("missing parameter: %v", err)
		}
		if _, err := config.Load(ctx, mustNewSource(t, "s3://"+docBucket+"/missing.yaml", withAWS)); err == nil || !strings.Contains(err.Error(), "NoSuchKey") {
			t.Errorf("missing object: %v", err)
		}
	})

	env := []string{"AWS_ENDPOINT_URL_S3=" + url, "AWS_ENDPOINT_URL_SSM=" + url}
	t.Run("daemon", func(t *testing.T) {
		for _, spec := range []string{s3spec, "ssm:" + docParam} {
			emu := emulator.New()
			emu.Start()
			for round, want := range []int{2, 0} {
				emu.ResetCalls()
				r := runDaemon(t, emu, env, "--config", spec, "--once", "--output", "json")
				if r.code != 0 || writes(emu) != want {
					t.Errorf("%s round %d: exit %d, %d writes (want %d)\n%s", spec, round, r.code, writes(emu), want, r.stderr)
				}
			}
			emu.Close()
		}
	})

	t.Run("lambda", func(t *testing.T) {
		for _, tc := range []struct{ spec, event string }{{s3spec, "s3-put.json"}, {"ssm:" + docParam, "eventbridge-ssm-change.json"}} {
			emu := emulator.New()
			emu.Start()
			fn := startFunction(t, emu, append(env, "REPLSYNC_CONFIG="+tc.spec)...)
			for round, want := range []int{2, 0} {
				emu.ResetCalls()
				inv := fn.invoke(t, lambdaEvent(t, tc.event))
				if !inv.Ran || inv.ErrorMessage != "" || writes(emu) != want {
					t.Errorf("%s round %d: %d writes (want %d): %s", tc.spec, round, writes(emu), want, inv.raw)
				}
			}
			converged(t, emu)
			emu.Close()
		}
	})
}

func mustNewSource(t *testing.T, spec string, opts ...config.SourceOption) config.Source {
	t.Helper()
	src, err := config.NewSource(spec, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

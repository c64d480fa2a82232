package emulator_test

import (
	"context"
	"errors"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3tables"
	"github.com/aws/aws-sdk-go-v2/service/s3tables/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/replsync/replsync/internal/emulator"
)

// kind names the typed SDK error err is, found with errors.As.
func kind(err error) string {
	var (
		notFound   *types.NotFoundException
		conflict   *types.ConflictException
		badRequest *types.BadRequestException
		throttled  *types.TooManyRequestsException
		denied     *types.AccessDeniedException
		forbidden  *types.ForbiddenException
		internal   *types.InternalServerErrorException
		send       *smithyhttp.RequestSendError
	)
	switch {
	case err == nil:
		return ""
	case errors.As(err, &notFound):
		return "NotFound"
	case errors.As(err, &conflict):
		return "Conflict"
	case errors.As(err, &badRequest):
		return "BadRequest"
	case errors.As(err, &throttled):
		return "TooManyRequests"
	case errors.As(err, &denied):
		return "AccessDenied"
	case errors.As(err, &forbidden):
		return "Forbidden"
	case errors.As(err, &internal):
		return "InternalServerError"
	case errors.As(err, &send):
		return "Transport"
	}
	return "other: " + err.Error()
}

var tokenShape = regexp.MustCompile(`^[0-9a-f]{32}$`)

// TestTokenLifecycle walks the compare-and-swap table of the version token.
func TestTokenLifecycle(t *testing.T) {
	seeded := &emulator.Replication{Role: role, Destinations: []string{dst1}}
	stale := aws.String("0123456789abcdef0123456789abcdef")
	tests := []struct {
		name    string
		seed    *emulator.Replication // stored before the call; nil = none
		call    func(ctx context.Context, c *s3tables.Client, current string) error
		want    string // kind of error; "" = success
		wantMsg string
		after   *emulator.Replication // stored after the call; nil = none
	}{{
		name: "get without configuration",
		call: func(ctx context.Context, c *s3tables.Client, _ string) error {
			_, err := get(ctx, c, src)
			return err
		},
		want: "NotFound", wantMsg: emulator.MessageNoReplication,
	}, {
		name: "create without token",
		call: func(ctx context.Context, c *s3tables.Client, _ string) error {
			_, err := put(ctx, c, src, nil, config(role, dst2, dst1))
			return err
		},
		after: &emulator.Replication{Role: role, Destinations: []string{dst2, dst1}},
	}, {
		name: "create with a token",
		call: func(ctx context.Context, c *s3tables.Client, _ string) error {
			_, err := put(ctx, c, src, stale, config(role, dst1))
			return err
		},
		want: "Conflict", wantMsg: emulator.MessageTokenMismatch,
	}, {
		name: "update with the current token",
		seed: seeded,
		call: func(ctx context.Context, c *s3tables.Client, current string) error {
			_, err := put(ctx, c, src, &current, config(role2, dst1, dst2))
			return err
		},
		after: &emulator.Replication{Role: role2, Destinations: []string{dst1, dst2}},
	}, {
		name: "update without token",
		seed: seeded,
		call: func(ctx context.Context, c *s3tables.Client, _ string) error {
			_, err := put(ctx, c, src, nil, config(role2, dst2))
			return err
		},
		want: "BadRequest", wantMsg: "A version token is not specified.", after: seeded,
	}, {
		name: "update with a stale token",
		seed: seeded,
		call: func(ctx context.Context, c *s3tables.Client, _ string) error {
			_, err := put(ctx, c, src, stale, config(role2, dst2))
			return err
		},
		want: "Conflict", wantMsg: emulator.MessageTokenMismatch, after: seeded,
	}, {
		name: "duplicated destinations are stored as sent",
		call: func(ctx context.Context, c *s3tables.Client, _ string) error {
			_, err := put(ctx, c, src, nil, config(role, dst1, dst1, dst2))
			return err
		},
		after: &emulator.Replication{Role: role, Destinations: []string{dst1, dst1, dst2}},
	}, {
		name: "delete with the current token",
		seed: seeded,
		call: func(ctx context.Context, c *s3tables.Client, current string) error {
			return del(ctx, c, src, &current)
		},
	}, {
		name: "delete without token",
		seed: seeded,
		call: func(ctx context.Context, c *s3tables.Client, _ string) error {
			return del(ctx, c, src, nil)
		},
		want: "BadRequest", wantMsg: "A version token is not specified.", after: seeded,
	}, {
		name: "delete with a stale token",
		seed: seeded,
		call: func(ctx context.Context, c *s3tables.Client, _ string) error {
			return del(ctx, c, src, stale)
		},
		want: "Conflict", wantMsg: emulator.MessageTokenMismatch, after: seeded,
	}, {
		name: "delete without configuration",
		call: func(ctx context.Context, c *s3tables.Client, _ string) error {
			return del(ctx, c, src, stale)
		},
		want: "NotFound", wantMsg: emulator.MessageNoReplication,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t)
			var current string
			if tt.seed != nil {
				current = s.SetReplication(src, tt.seed.Role, tt.seed.Destinations)
			}
			err := tt.call(t.Context(), client(s, "us-east-1"), current)
			if got := kind(err); got != tt.want {
				t.Fatalf("error = %q (%v), want %q", got, err, tt.want)
			}
			if got := errorMessage(err); got != tt.wantMsg {
				t.Errorf("message = %q, want %q", got, tt.wantMsg)
			}
			got, ok := s.Replication(src)
			if (tt.after != nil) != ok {
				t.Fatalf("stored = %+v, %v; want %+v", got, ok, tt.after)
			}
			if !ok {
				return
			}
			if diff := cmp.Diff(*tt.after, got, cmpopts.IgnoreFields(emulator.Replication{}, "VersionToken")); diff != "" {
				t.Errorf("stored configuration (-want +got):\n%s", diff)
			}
			wrote := tt.want == "" && tt.seed != nil || tt.seed == nil
			if changed := got.VersionToken != current; changed != wrote {
				t.Errorf("token changed = %v, want %v", changed, wrote)
			}
			if !tokenShape.MatchString(got.VersionToken) {
				t.Errorf("token %q is not 32 hex characters", got.VersionToken)
			}
		})
	}
}

// TestRoundTrip follows one configuration through every operation and
// checks what the SDK decodes.
func TestRoundTrip(t *testing.T) {
	s := start(t, emulator.WithPutStatus("COMPLETED"))
	c := client(s, "us-east-1")
	ctx := t.Context()

	created, err := put(ctx, c, src, nil, config(role, dst2, dst1))
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(created.Status) != "COMPLETED" || !tokenShape.MatchString(aws.ToString(created.VersionToken)) {
		t.Fatalf("put answered status %q token %q", aws.ToString(created.Status), aws.ToString(created.VersionToken))
	}
	read, err := get(ctx, c, src)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(read.VersionToken) != aws.ToString(created.VersionToken) || aws.ToString(read.Configuration.Role) != role ||
		len(read.Configuration.Rules) != 1 || !cmp.Equal(destinations(read), []string{dst2, dst1}) {
		t.Fatalf("get answered %+v", read)
	}
	updated, err := put(ctx, c, src, read.VersionToken, config(role, dst3))
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(updated.VersionToken) == aws.ToString(read.VersionToken) {
		t.Fatal("update kept the old token")
	}
	if err := del(ctx, c, src, read.VersionToken); kind(err) != "Conflict" {
		t.Fatalf("delete with the superseded token: %v", err)
	}
	if err := del(ctx, c, src, updated.VersionToken); err != nil {
		t.Fatal(err)
	}
	if _, err := get(ctx, c, src); kind(err) != "NotFound" {
		t.Fatalf("get after delete: %v", err)
	}
	if got := s.Replications(); len(got) != 0 {
		t.Fatalf("stored after delete: %v", got)
	}
}

// TestSeededDeterminism checks that WithSeed makes tokens repeatable.
func TestSeededDeterminism(t *testing.T) {
	tokens := func() []string {
		s := emulator.New(emulator.WithSeed(42))
		defer s.Close()
		return []string{s.SetReplication(src, role, []string{dst1}), s.SetReplication(dst1, role, []string{dst2})}
	}
	a, b := tokens(), tokens()
	if !cmp.Equal(a, b) || a[0] == a[1] {
		t.Fatalf("tokens %v and %v", a, b)
	}
}

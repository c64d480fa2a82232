package sync

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/replsync/replsync/pkg/config"
)

func TestWriteText(t *testing.T) {
	create := PlanBucket(present(role1, dstB), none)
	update := PlanBucket(present(role1, dstB, dstD), live(role2, dstB, dstC))
	del := PlanBucket(absent(), live(role1, dstB))
	result := func(p Plan) BucketResult {
		return BucketResult{TableBucketARN: p.BucketARN, Action: p.Action, Changes: p.Diff.Lines(), Diff: p.Diff}
	}
	failed := BucketResult{TableBucketARN: srcB, Action: ActionUnknown, Error: "AccessDeniedException: no"}
	skipped := BucketResult{TableBucketARN: srcC, Action: ActionUnknown, Error: "not attempted: context canceled", NotAttempted: true}
	doc := DocumentInfo{Version: 1, Identity: config.Identity{Source: "file:///d.yaml", SHA256: "0123456789abcdef0123"}}
	tests := []struct {
		name string
		rep  Report
		want string
	}{
		{"dry run with every kind of line", Report{DryRun: true, Document: doc,
			Buckets: []BucketResult{result(create), result(update), result(del), {TableBucketARN: srcB, Action: ActionNoop}, failed, skipped}},
			`Document file:///d.yaml (version 1, sha256 0123456789ab)
Dry run: nothing is written.

+ create   ` + srcA + `
    role: (none) -> ` + role1 + `
    destinations:
      + ` + dstB + `
~ update   ` + srcA + `
    role: ` + role2 + ` -> ` + role1 + `
    destinations:
      + ` + dstD + `
      - ` + dstC + `
- delete   ` + srcA + `
    role: ` + role1 + ` -> (none)
    destinations:
      - ` + dstB + `
! failed   ` + srcB + `
    error: AccessDeniedException: no
? skipped  ` + srcC + `
    error: not attempted: context canceled

Plan: 1 to create, 1 to update, 1 to delete, 1 unchanged, 2 failed.
`},
		{"converged", Report{Document: doc, Buckets: []BucketResult{{TableBucketARN: srcA, Action: ActionNoop}}},
			`Document file:///d.yaml (version 1, sha256 0123456789ab)

No changes: every bucket matches the document.

Applied: 0 created, 0 updated, 0 deleted, 1 unchanged, 0 failed.
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.rep.Summary = summarize(tt.rep.Buckets)
			var b strings.Builder
			if err := tt.rep.WriteText(&b); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, b.String()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

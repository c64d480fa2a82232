package lambda

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixedDocument is the document of the testdata events.
type fixedDocument struct{ bucket, key, parameter string }

func (d fixedDocument) MatchesObject(bucket, key string) bool {
	return d.bucket != "" && bucket == d.bucket && key == d.key
}

func (d fixedDocument) MatchesParameter(name string) bool {
	return d.parameter != "" && name == d.parameter
}

// TestClassify feeds the event shapes AWS documents (testdata) to
// Classify, for a document in S3 and for one in Parameter Store.
func TestClassify(t *testing.T) {
	inS3 := fixedDocument{bucket: "replsync-docs", key: "config/replsync desired.yaml"}
	inSSM := fixedDocument{parameter: "/replsync/document"}
	tests := []struct {
		file   string
		doc    fixedDocument
		kind   Kind
		run    bool
		dryRun bool
		detail string // in Detail, when set
	}{
		{"s3-put.json", inS3, KindS3, true, false, "replsync-docs/config/replsync desired.yaml"},
		{"s3-put.json", inSSM, KindS3, false, false, ""},
		{"s3-put-other-key.json", inS3, KindS3, false, false, "config/other.yaml"},
		{"s3-delete.json", inS3, KindS3, false, false, ""},
		{"s3-two-records.json", inS3, KindS3, true, false, "replsync desired.yaml"},
		{"eventbridge-s3-object-created.json", inS3, KindEventBridgeS3, true, false, "replsync-docs/config/replsync desired.yaml"},
		{"eventbridge-s3-other-key.json", inS3, KindEventBridgeS3, false, false, "other.yaml"},
		{"eventbridge-scheduled.json", inS3, KindSchedule, true, false, "rule/replsync-DriftRepair"},
		{"eventbridge-scheduled.json", inSSM, KindSchedule, true, false, ""},
		{"eventbridge-ssm-change.json", inSSM, KindParameterStore, true, false, "/replsync/document (Update)"},
		{"eventbridge-ssm-delete.json", inSSM, KindParameterStore, true, false, "(Delete)"},
		{"eventbridge-ssm-other.json", inSSM, KindParameterStore, false, false, "/other/parameter"},
		{"eventbridge-ssm-change.json", inS3, KindParameterStore, false, false, ""},
		{"eventbridge-ec2-state.json", inS3, KindOtherEventBridge, false, false, "aws.ec2"},
		{"direct-dry-run.json", inS3, KindDirect, true, true, ""},
		{"direct-empty.json", inSSM, KindDirect, true, false, ""},
		{"sns.json", inS3, KindS3, false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Classify(raw, tt.doc)
			if err != nil {
				t.Fatalf("Classify: %v", err)
			}
			if got.Kind != tt.kind || got.Run != tt.run || got.DryRun != tt.dryRun || !strings.Contains(got.Detail, tt.detail) {
				t.Errorf("got %+v, want kind %s run %v dryRun %v detail ~%q", got, tt.kind, tt.run, tt.dryRun, tt.detail)
			}
			if !got.Run && got.Ignored == "" {
				t.Errorf("an ignored event needs a reason: %+v", got)
			}
		})
	}
}

func TestClassifyUnrecognized(t *testing.T) {
	const secret = "s3cr3t-value"
	tests := []struct{ name, raw string }{
		{"empty", ""},
		{"not an object", `["` + secret + `"]`},
		{"a string", `"` + secret + `"`},
		{"not JSON", `{"dryRun": ` + secret + `}`},
		{"unknown field", `{"dryrun": true, "x": "` + secret + `"}`},
		{"wrong type", `{"dryRun": "` + secret + `"}`},
		{"bad S3 record", `{"Records": [{"eventSource": "aws:s3", "eventTime": "` + secret + `"}]}`},
		{"bad EventBridge detail", `{"source": "aws.s3", "detail-type": "Object Created", "detail": "` + secret + `"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Classify([]byte(tt.raw), fixedDocument{})
			if err == nil || !errors.Is(err, errUnrecognized) {
				t.Fatalf("Classify = %+v, %v; want errUnrecognized", got, err)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the error quotes the payload: %v", err)
			}
		})
	}
}

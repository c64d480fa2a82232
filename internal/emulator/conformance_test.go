package emulator

import (
	"compress/gzip"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/replsync/replsync/internal/testutil"
)

// botocoreModel is the part of a botocore service-2.json the emulator
// follows.
type botocoreModel struct {
	Metadata struct {
		Protocol    string `json:"protocol"`
		SigningName string `json:"signingName"`
	} `json:"metadata"`
	Operations map[string]struct {
		HTTP struct {
			Method       string `json:"method"`
			RequestURI   string `json:"requestUri"`
			ResponseCode int    `json:"responseCode"`
		} `json:"http"`
		Errors []struct{ Shape string } `json:"errors"`
	} `json:"operations"`
	Shapes map[string]modelShape `json:"shapes"`
}

type modelShape struct {
	Type     string   `json:"type"`
	Min      *int     `json:"min"`
	Max      *int     `json:"max"`
	Pattern  string   `json:"pattern"`
	Required []string `json:"required"`
	Members  map[string]struct {
		Shape        string `json:"shape"`
		Location     string `json:"location"`
		LocationName string `json:"locationName"`
	} `json:"members"`
	Error *struct {
		HTTPStatusCode int `json:"httpStatusCode"`
	} `json:"error"`
}

// loadModel reads the s3tables model of the botocore that python3 imports.
func loadModel(t *testing.T) botocoreModel {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		testutil.ToolMissing(t, "python3 not found: %v", err)
	}
	out, err := exec.CommandContext(t.Context(), py, "-c", "import botocore,os;print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		testutil.ToolMissing(t, "botocore not importable: %v", err)
	}
	path := filepath.Join(strings.TrimSpace(string(out)), "data", "s3tables", "2018-05-10", "service-2.json.gz")
	f, err := os.Open(path)
	if err != nil {
		testutil.ToolMissing(t, "s3tables model not in botocore: %v", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var m botocoreModel
	if err := json.NewDecoder(zr).Decode(&m); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return m
}

// TestConformance compares the emulator's copy of the model with botocore's.
func TestConformance(t *testing.T) {
	m := loadModel(t)
	if m.Metadata.Protocol != "rest-json" || m.Metadata.SigningName != signingName {
		t.Errorf("metadata: protocol %q signingName %q", m.Metadata.Protocol, m.Metadata.SigningName)
	}

	t.Run("operations", func(t *testing.T) {
		for _, o := range operations {
			mo, ok := m.Operations[string(o.op)]
			if !ok {
				t.Errorf("%s: not in the model", o.op)
				continue
			}
			code := mo.HTTP.ResponseCode
			if code == 0 {
				code = 200
			}
			if mo.HTTP.Method != o.method || mo.HTTP.RequestURI != o.uri || code != o.code {
				t.Errorf("%s: model %s %s -> %d, emulator %s %s -> %d", o.op,
					mo.HTTP.Method, mo.HTTP.RequestURI, code, o.method, o.uri, o.code)
			}
			var names []string
			for _, e := range mo.Errors {
				names = append(names, e.Shape)
			}
			slices.Sort(names)
			var ours []string
			for name := range modelErrors {
				ours = append(ours, name)
			}
			slices.Sort(ours)
			if !slices.Equal(names, ours) {
				t.Errorf("%s: model errors %v, emulator %v", o.op, names, ours)
			}
		}
	})

	t.Run("errors", func(t *testing.T) {
		for name, status := range modelErrors {
			s, ok := m.Shapes[name]
			if !ok || s.Error == nil || s.Error.HTTPStatusCode != status {
				t.Errorf("%s: model %+v, emulator status %d", name, s.Error, status)
			}
			checkMembers(t, m, name, reflect.TypeFor[wireError](), false)
		}
	})

	t.Run("constraints", func(t *testing.T) {
		for name, c := range modelConstraints {
			s, ok := m.Shapes[name]
			if !ok {
				t.Errorf("%s: not in the model", name)
				continue
			}
			if deref(s.Min) != c.min || deref(s.Max) != c.max || s.Pattern != c.pattern {
				t.Errorf("%s: model min %d max %d pattern %q; emulator %d %d %q",
					name, deref(s.Min), deref(s.Max), s.Pattern, c.min, c.max, c.pattern)
			}
		}
	})

	t.Run("required members", func(t *testing.T) {
		for name, want := range requiredMembers {
			got := slices.Sorted(slices.Values(m.Shapes[name].Required))
			if !slices.Equal(got, slices.Sorted(slices.Values(want))) {
				t.Errorf("%s: model requires %v, emulator %v", name, got, want)
			}
		}
	})

	t.Run("query members", func(t *testing.T) {
		for shape, members := range map[string][]string{
			"GetTableBucketReplicationRequest":    {queryTableBucketARN},
			"PutTableBucketReplicationRequest":    {queryTableBucketARN, queryVersionToken},
			"DeleteTableBucketReplicationRequest": {queryTableBucketARN, queryVersionToken},
			"GetTableReplicationRequest":          {queryTableARN},
		} {
			var got []string
			for _, mem := range m.Shapes[shape].Members {
				if mem.Location == "querystring" {
					got = append(got, mem.LocationName)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, slices.Sorted(slices.Values(members))) {
				t.Errorf("%s: model query members %v, emulator %v", shape, got, members)
			}
		}
	})

	t.Run("wire shapes", func(t *testing.T) {
		checkMembers(t, m, "TableBucketReplicationConfiguration", reflect.TypeFor[wireConfiguration](), false)
		checkMembers(t, m, "TableBucketReplicationRule", reflect.TypeFor[wireRule](), false)
		checkMembers(t, m, "ReplicationDestination", reflect.TypeFor[wireDestination](), false)
		checkMembers(t, m, "PutTableBucketReplicationRequest", reflect.TypeFor[wirePutRequest](), true)
		checkMembers(t, m, "GetTableBucketReplicationResponse", reflect.TypeFor[wireGetResponse](), false)
		checkMembers(t, m, "PutTableBucketReplicationResponse", reflect.TypeFor[wirePutResponse](), false)
	})
}

// checkMembers compares the JSON names of a wire struct with the members of
// a model structure (only its body members when bodyOnly).
func checkMembers(t *testing.T, m botocoreModel, shape string, typ reflect.Type, bodyOnly bool) {
	t.Helper()
	var want []string
	for name, mem := range m.Shapes[shape].Members {
		if !bodyOnly || mem.Location == "" {
			want = append(want, name)
		}
	}
	var got []string
	for f := range typ.Fields() {
		got = append(got, strings.Split(f.Tag.Get("json"), ",")[0])
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("%s: model members %v, emulator wire members %v", shape, want, got)
	}
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

package tests

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation/serverless"
	yaml "go.yaml.in/yaml/v3"
)

const functionID = "ReplsyncFunction"

// designActions are the s3tables actions DESIGN.md's IAM section requires
// of the caller.
var designActions = []string{
	"s3tables:GetTableBucketReplication", "s3tables:PutTableBucketReplication", "s3tables:DeleteTableBucketReplication",
	"s3tables:GetTable", "s3tables:ListTables", "s3tables:GetTableMaintenanceConfig",
	"s3tables:CreateTable", "s3tables:CreateNamespace", "s3tables:PutTableMaintenanceConfig",
}

// TestTemplateFunction parses template.yaml with goformation (parse only:
// its bundled SAM schema is stricter than SAM) and checks the function.
func TestTemplateFunction(t *testing.T) {
	tpl, err := goformation.Open("../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fn, err := tpl.GetServerlessFunctionWithName(functionID)
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	check("Runtime", deref(fn.Runtime), "provided.al2023")
	check("Handler", deref(fn.Handler), "bootstrap")
	check("Architectures", strings.Join(fn.Architectures, ","), "arm64")
	check("ReservedConcurrentExecutions", deref(fn.ReservedConcurrentExecutions), 1)
	check("Metadata.BuildMethod", fn.AWSCloudFormationMetadata["BuildMethod"], "makefile")
	if fn.Timeout == nil || *fn.Timeout < 60 || *fn.Timeout > 900 {
		t.Errorf("Timeout %v, want 60..900 s", fn.Timeout)
	}
	eic := fn.EventInvokeConfig
	if eic == nil || eic.MaximumRetryAttempts == nil || eic.DestinationConfig == nil || eic.DestinationConfig.OnFailure == nil || deref(eic.DestinationConfig.OnFailure.Type) != "SQS" {
		t.Errorf("EventInvokeConfig %+v: want MaximumRetryAttempts and an SQS on-failure destination", eic)
	}
	vars := map[string]string{}
	if fn.Environment != nil {
		vars = fn.Environment.Variables
	}
	for _, k := range []string{"REPLSYNC_CONFIG", "REPLSYNC_CONCURRENCY", "REPLSYNC_MAX_RPS", "REPLSYNC_LOG_LEVEL"} {
		if _, ok := vars[k]; !ok {
			t.Errorf("environment lacks %s", k)
		}
	}
	// The three triggers: the S3 notification and the schedule as SAM
	// events, the EventBridge rules (existing bucket, Parameter Store) as
	// conditional resources.
	types := map[string]string{}
	for name, ev := range fn.Events {
		types[name] = ev.Type
	}
	if types["DocumentUpload"] != "S3" || types["DriftRepair"] != "Schedule" {
		t.Errorf("events %v, want DocumentUpload (S3) and DriftRepair (Schedule)", types)
	}
	if up := fn.Events["DocumentUpload"].Properties; up == nil || up.S3Event == nil || !slices.Contains(eventsOf(up.S3Event), "s3:ObjectCreated:*") {
		t.Errorf("DocumentUpload: want s3:ObjectCreated:*")
	}
	rules := map[string]bool{}
	for name, r := range tpl.GetAllEventsRuleResources() {
		for _, want := range []string{"Object Created", "Parameter Store Change"} {
			if strings.Contains(toString(r.EventPattern), want) {
				rules[want] = true
				if r.AWSCloudFormationCondition == "" {
					t.Errorf("rule %s is not conditional", name)
				}
			}
		}
	}
	if len(rules) != 2 {
		t.Errorf("EventBridge rules found for %v, want Object Created and Parameter Store Change", rules)
	}
	if len(tpl.GetAllSQSQueueResources()) != 1 {
		t.Error("want one SQS queue for failed invocations")
	}
}

func eventsOf(e *serverless.Function_S3Event) []string {
	if e.Events.String != nil {
		return []string{*e.Events.String}
	}
	if e.Events.StringArray != nil {
		return *e.Events.StringArray
	}
	return nil
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func toString(v any) string {
	b, _ := yaml.Marshal(v)
	return string(b)
}

// statement is one IAM policy statement as written (conditions and all).
type statement struct {
	Sid       string
	Action    []string
	Resource  []string
	Condition map[string]map[string]string
	where     string // the resource it is in
}

// TestTemplateIAM walks every policy statement of the raw template
// (goformation resolves conditions away, so the YAML is read too): least
// privilege as DESIGN.md asks.
func TestTemplateIAM(t *testing.T) {
	data, err := os.ReadFile("../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	stmts := collectStatements(&root, "")
	if len(stmts) < 8 {
		t.Fatalf("found %d statements; the walk is broken", len(stmts))
	}
	fnActions := map[string]bool{}
	passRoles := 0
	for _, s := range stmts {
		for _, a := range s.Action {
			if a == "*" || strings.HasSuffix(a, ":*") || strings.Contains(a, "*") {
				t.Errorf("%s %s: wildcard action %q", s.where, s.Sid, a)
			}
			if strings.Contains(s.where, functionID) {
				fnActions[a] = true
			}
		}
		for _, r := range s.Resource {
			if r == "*" {
				t.Errorf("%s %s: Resource *", s.where, s.Sid)
			}
			if slices.ContainsFunc(s.Action, func(a string) bool { return strings.HasPrefix(a, "s3tables:") }) &&
				!strings.HasPrefix(strings.TrimPrefix(r, "!Sub "), "arn:${AWS::Partition}:s3tables:") && r != "!Ref CrossAccountDestinationBucketArns" {
				t.Errorf("%s %s: s3tables action on %q, want table buckets only", s.where, s.Sid, r)
			}
		}
		if slices.Contains(s.Action, "iam:PassRole") {
			passRoles++
			if len(s.Action) != 1 || s.Condition["StringEquals"]["iam:PassedToService"] != "replication.s3tables.amazonaws.com" {
				t.Errorf("%s %s: iam:PassRole must stand alone with iam:PassedToService = replication.s3tables.amazonaws.com; got %+v", s.where, s.Sid, s)
			}
		}
		if slices.Contains(s.Action, "kms:Decrypt") && !strings.HasPrefix(s.Condition["StringEquals"]["kms:ViaService"], "ssm.") {
			t.Errorf("%s %s: kms:Decrypt without kms:ViaService ssm", s.where, s.Sid)
		}
		if slices.Contains(s.Action, "s3:GetObject") && strings.Contains(s.where, functionID) &&
			(len(s.Resource) != 1 || s.Resource[0] != "!Sub arn:${AWS::Partition}:s3:::${DocumentBucketName}/${DocumentKey}") {
			t.Errorf("%s %s: s3:GetObject on %v, want the document only", s.where, s.Sid, s.Resource)
		}
	}
	if passRoles == 0 {
		t.Error("no iam:PassRole statement")
	}
	for _, a := range append(designActions, "iam:PassRole", "s3:GetObject", "ssm:GetParameter", "kms:Decrypt") {
		if !fnActions[a] {
			t.Errorf("the function's policy lacks %s", a)
		}
	}
	// Pseudo parameters, not account IDs or regions.
	if m := regexp.MustCompile(`\b[0-9]{12}\b|\b(us|eu|ap|sa|ca|me|af)-[a-z]+-[0-9]\b`).Find(data); m != nil {
		t.Errorf("template hard-codes %q; use ${AWS::AccountId} / ${AWS::Region}", m)
	}
	// The trust of the replication role the stack creates.
	if !strings.Contains(string(data), "Service: replication.s3tables.amazonaws.com") {
		t.Error("the replication role does not trust replication.s3tables.amazonaws.com")
	}
}

// collectStatements finds every mapping with Effect and Action below n.
func collectStatements(n *yaml.Node, where string) []statement {
	var out []statement
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			out = append(out, collectStatements(c, where)...)
		}
	case yaml.MappingNode:
		var s statement
		isStmt := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			switch k {
			case "Effect":
				isStmt = true
			case "Action":
				s.Action = scalars(v)
			case "Resource":
				s.Resource = scalars(v)
			case "Sid":
				s.Sid = v.Value
			case "Condition":
				s.Condition = map[string]map[string]string{}
				for j := 0; j+1 < len(v.Content); j += 2 {
					m := map[string]string{}
					for l := 0; l+1 < len(v.Content[j+1].Content); l += 2 {
						m[v.Content[j+1].Content[l].Value] = v.Content[j+1].Content[l+1].Value
					}
					s.Condition[v.Content[j].Value] = m
				}
			}
			w := where
			if where == "Resources" {
				w = "Resources." + k
			}
			if where == "" && k == "Resources" {
				w = "Resources"
			}
			out = append(out, collectStatements(v, w)...)
		}
		if isStmt && s.Action != nil {
			s.where = where
			out = append(out, s)
		}
	}
	return out
}

// scalars returns the scalar values of n (a scalar or a list), an
// intrinsic as "!Tag value".
func scalars(n *yaml.Node) []string {
	if n.Kind == yaml.ScalarNode {
		if n.Tag != "" && !strings.HasPrefix(n.Tag, "!!") {
			return []string{n.Tag + " " + n.Value}
		}
		return []string{n.Value}
	}
	var out []string
	for _, c := range n.Content {
		out = append(out, scalars(c)...)
	}
	return out
}

// TestMakefileBuildsTheFunction: sam build runs make build-<LogicalId>
// with ARTIFACTS_DIR; the target must build bootstrap for arm64 Linux,
// static, without the RPC shim.
func TestMakefileBuildsTheFunction(t *testing.T) {
	data, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^build-` + functionID + `:.*\n((?:\t.*\n)+)`).FindSubmatch(data)
	if m == nil {
		t.Fatalf("Makefile has no build-%s target", functionID)
	}
	recipe := string(m[1])
	for _, want := range []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0", " build ", "-tags lambda.norpc", "-o $(ARTIFACTS_DIR)/bootstrap", "./cmd/lambda"} {
		if !strings.Contains(recipe, want) {
			t.Errorf("build-%s recipe lacks %q:\n%s", functionID, want, recipe)
		}
	}
}

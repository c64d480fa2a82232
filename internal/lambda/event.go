package lambda

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Kind is what triggered an invocation.
type Kind string

// The triggers the handler knows.
const (
	// KindS3 is an S3 event notification (events.S3Event).
	KindS3 Kind = "s3"
	// KindEventBridgeS3 is an EventBridge "Object Created" event from aws.s3.
	KindEventBridgeS3 Kind = "eventbridge-s3"
	// KindSchedule is an EventBridge "Scheduled Event".
	KindSchedule Kind = "schedule"
	// KindParameterStore is an EventBridge "Parameter Store Change".
	KindParameterStore Kind = "parameter-store"
	// KindDirect is a direct invocation: {} or {"dryRun": true}.
	KindDirect Kind = "direct"
	// KindOtherEventBridge is an EventBridge event of another kind.
	KindOtherEventBridge Kind = "eventbridge-other"
)

// Document names the document the function keeps buckets equal to, so
// that events about other objects or parameters can be told apart.
type Document interface {
	// MatchesObject reports whether bucket/key (key not URL-encoded) is
	// the document.
	MatchesObject(bucket, key string) bool
	// MatchesParameter reports whether the parameter name is the document.
	MatchesParameter(name string) bool
}

// Trigger is an event, classified.
type Trigger struct {
	Kind Kind
	// Run is true when the event asks for a pass; when false, Ignored
	// says why.
	Run     bool
	Ignored string
	// DryRun is set by a direct invocation only.
	DryRun bool
	// Detail names what the event was about, for the log (bucket/key,
	// parameter name and operation, schedule rule); never a value.
	Detail string
}

// errUnrecognized is wrapped by Classify's error for an event of no known
// shape.
var errUnrecognized = errors.New("unrecognized event")

// probe finds the shape of an event: S3 notifications have Records,
// EventBridge events have source and detail-type.
type probe struct {
	Records    json.RawMessage `json:"Records"`
	Source     *string         `json:"source"`
	DetailType *string         `json:"detail-type"`
}

// s3ObjectDetail is the detail of an EventBridge "Object Created" event.
type s3ObjectDetail struct {
	Bucket struct {
		Name string `json:"name"`
	} `json:"bucket"`
	Object struct {
		Key string `json:"key"`
	} `json:"object"`
}

// parameterDetail is the detail of a "Parameter Store Change" event.
type parameterDetail struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	Operation string `json:"operation"`
}

// directInvocation is the payload of a direct invocation.
type directInvocation struct {
	DryRun bool `json:"dryRun"`
}

// Classify decodes raw and says whether it asks for a pass. Events are
// hints: a pass always reads the current document, so a duplicate or late
// event only causes a pass that finds nothing to do. Events about another
// object or parameter, S3 events other than ObjectCreated and EventBridge
// events of other kinds are ignored (Run false). A payload of no known
// shape is an error; its content is not quoted.
func Classify(raw []byte, doc Document) (Trigger, error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return Trigger{}, fmt.Errorf("%w: want a JSON object (an S3 notification, an EventBridge event or {\"dryRun\": true})", errUnrecognized)
	}
	var p probe
	if err := json.Unmarshal(trimmed, &p); err != nil {
		return Trigger{}, fmt.Errorf("%w: not JSON: %v", errUnrecognized, jsonErrorKind(err))
	}
	switch {
	case p.Records != nil:
		return classifyS3(trimmed, doc)
	case p.Source != nil && p.DetailType != nil:
		return classifyEventBridge(trimmed, doc)
	default:
		return classifyDirect(trimmed)
	}
}

func classifyS3(raw []byte, doc Document) (Trigger, error) {
	var ev events.S3Event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return Trigger{}, fmt.Errorf("%w: an S3 notification that does not decode: %v", errUnrecognized, jsonErrorKind(err))
	}
	t := Trigger{Kind: KindS3, Ignored: "no ObjectCreated record for the document"}
	for _, r := range ev.Records {
		if r.EventSource != "aws:s3" {
			t.Ignored = fmt.Sprintf("records from %q, not aws:s3", r.EventSource)
			continue
		}
		obj := r.S3.Bucket.Name + "/" + r.S3.Object.URLDecodedKey
		if !strings.HasPrefix(r.EventName, "ObjectCreated:") {
			t.Detail, t.Ignored = obj, fmt.Sprintf("%s, not ObjectCreated", r.EventName)
			continue
		}
		if !doc.MatchesObject(r.S3.Bucket.Name, r.S3.Object.URLDecodedKey) {
			t.Detail, t.Ignored = obj, "another object than the document"
			continue
		}
		return Trigger{Kind: KindS3, Run: true, Detail: obj}, nil
	}
	return t, nil
}

func classifyEventBridge(raw []byte, doc Document) (Trigger, error) {
	var ev events.EventBridgeEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return Trigger{}, fmt.Errorf("%w: an EventBridge event that does not decode: %v", errUnrecognized, jsonErrorKind(err))
	}
	switch {
	case ev.Source == "aws.events" && ev.DetailType == "Scheduled Event":
		return Trigger{Kind: KindSchedule, Run: true, Detail: strings.Join(ev.Resources, ",")}, nil
	case ev.Source == "aws.s3" && ev.DetailType == "Object Created":
		var d s3ObjectDetail
		if err := json.Unmarshal(ev.Detail, &d); err != nil {
			return Trigger{}, fmt.Errorf("%w: an Object Created event whose detail does not decode: %v", errUnrecognized, jsonErrorKind(err))
		}
		obj := d.Bucket.Name + "/" + d.Object.Key
		// The key is matched as given and URL-decoded, in case it is
		// encoded as in S3 notifications: a false match only costs a
		// pass with nothing to do.
		decoded, err := url.QueryUnescape(d.Object.Key)
		if err != nil {
			decoded = d.Object.Key
		}
		if !doc.MatchesObject(d.Bucket.Name, d.Object.Key) && !doc.MatchesObject(d.Bucket.Name, decoded) {
			return Trigger{Kind: KindEventBridgeS3, Detail: obj, Ignored: "another object than the document"}, nil
		}
		return Trigger{Kind: KindEventBridgeS3, Run: true, Detail: obj}, nil
	case ev.Source == "aws.ssm" && ev.DetailType == "Parameter Store Change":
		var d parameterDetail
		if err := json.Unmarshal(ev.Detail, &d); err != nil {
			return Trigger{}, fmt.Errorf("%w: a Parameter Store Change event whose detail does not decode: %v", errUnrecognized, jsonErrorKind(err))
		}
		what := d.Name + " (" + d.Operation + ")"
		if !doc.MatchesParameter(d.Name) {
			return Trigger{Kind: KindParameterStore, Detail: what, Ignored: "another parameter than the document"}, nil
		}
		// Every operation runs a pass, Delete included: the pass then
		// fails to read the document and says so.
		return Trigger{Kind: KindParameterStore, Run: true, Detail: what}, nil
	default:
		return Trigger{Kind: KindOtherEventBridge, Detail: ev.Source + ": " + ev.DetailType, Ignored: "an EventBridge event of a kind the function does not act on"}, nil
	}
}

func classifyDirect(raw []byte) (Trigger, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var d directInvocation
	if err := dec.Decode(&d); err != nil {
		return Trigger{}, fmt.Errorf("%w: a direct invocation takes only {\"dryRun\": true|false}: %v", errUnrecognized, jsonErrorKind(err))
	}
	return Trigger{Kind: KindDirect, Run: true, DryRun: d.DryRun}, nil
}

// jsonErrorKind describes a decoding error without quoting the payload
// (a field name is quoted, values are not).
func jsonErrorKind(err error) string {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("syntax error at offset %d", syntax.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q: want %s, got a JSON %s", typ.Field, typ.Type, typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return err.Error()[len("json: "):]
	default:
		return "does not decode"
	}
}

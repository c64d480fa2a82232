package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// maxBodyBytes bounds a request body; a replication configuration is a few
// hundred bytes.
const maxBodyBytes = 1 << 20

// request is one parsed call, before any decision is taken on it.
type request struct {
	op        Operation
	region    string
	bucket    string // tableBucketARN as sent, or the bucket part of tableArn
	hasBucket bool
	tableARN  string
	hasTable  bool
	token     string
	hasToken  bool
	body      *wirePutRequest // Put only; nil when absent or malformed
	bodyErr   error           // Put only: the body is not a JSON object
}

// parseRequest reads what the operation's input shape binds: query members
// and, for Put, the JSON body. It never rejects; validate does.
func parseRequest(op Operation, r *http.Request) request {
	q := r.URL.Query()
	req := request{op: op}
	if op == OpGetTable {
		req.tableARN, req.hasTable = queryValue(q, queryTableARN)
		if b, _, ok := strings.Cut(req.tableARN, "/table/"); ok {
			req.bucket, req.hasBucket = b, true
		}
	} else {
		req.bucket, req.hasBucket = queryValue(q, queryTableBucketARN)
	}
	if op == OpPut || op == OpDelete {
		req.token, req.hasToken = queryValue(q, queryVersionToken)
	}
	if op == OpPut {
		req.body, req.bodyErr = decodePutBody(r.Body)
	}
	return req
}

func queryValue(q url.Values, name string) (string, bool) {
	v, ok := q[name]
	if !ok || len(v) == 0 {
		return "", false
	}
	return v[0], true
}

// decodePutBody decodes {"configuration": {...}}. An empty body is an empty
// object (so "configuration" is reported missing); anything that is not one
// JSON object is malformed. Unknown members are ignored, as AWS does.
func decodePutBody(body io.Reader) (*wirePutRequest, error) {
	b, err := io.ReadAll(io.LimitReader(body, maxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if len(b) > maxBodyBytes {
		return nil, fmt.Errorf("body larger than %d bytes", maxBodyBytes)
	}
	in := &wirePutRequest{}
	if len(bytes.TrimSpace(b)) == 0 {
		return in, nil
	}
	if b = bytes.TrimSpace(b); b[0] != '{' {
		return nil, errors.New("the body is not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(in); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON object")
	}
	return in, nil
}

// violations collects constraint violations, worded like the AWS front end:
// "2 validation errors detected: Value '...' at 'configuration.role' failed
// to satisfy constraint: Member must ...; ...".
type violations []string

func (v *violations) add(value *string, path, rule string) {
	shown := ""
	if value != nil {
		shown = "'" + *value + "' "
	}
	*v = append(*v, fmt.Sprintf("Value %sat '%s' failed to satisfy constraint: Member must %s", shown, path, rule))
}

func (v *violations) missing(path string) {
	*v = append(*v, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", path))
}

// str checks a present string member against c.
func (v *violations) str(path string, c constraint, value string) {
	n := utf8.RuneCountInString(value)
	switch {
	case c.min > 0 && n < c.min:
		v.add(&value, path, fmt.Sprintf("have length greater than or equal to %d", c.min))
	case c.max > 0 && n > c.max:
		v.add(&value, path, fmt.Sprintf("have length less than or equal to %d", c.max))
	case c.re != nil && !c.re.MatchString(value):
		v.add(&value, path, "satisfy regular expression pattern: "+c.pattern)
	}
}

// size checks the length of a present list member against c.
func (v *violations) size(path string, c constraint, n int) {
	switch {
	case c.min > 0 && n < c.min:
		v.add(nil, path, fmt.Sprintf("have length greater than or equal to %d", c.min))
	case c.max > 0 && n > c.max:
		v.add(nil, path, fmt.Sprintf("have length less than or equal to %d", c.max))
	}
}

func (v violations) message() string {
	noun := "errors"
	if len(v) == 1 {
		noun = "error"
	}
	return fmt.Sprintf("%d validation %s detected: %s", len(v), noun, strings.Join(v, "; "))
}

// validate applies the model to a parsed request. It returns the
// BadRequestException to answer, or ok.
func validate(req request) (answer, bool) {
	if req.bodyErr != nil {
		return apiError(errBadRequest, "The request body could not be parsed as JSON: "+req.bodyErr.Error()), false
	}
	var v violations
	if req.op == OpGetTable {
		if !req.hasTable {
			v.missing(queryTableARN)
		} else {
			v.str(queryTableARN, cTableARN, req.tableARN)
		}
	} else {
		if !req.hasBucket {
			v.missing(queryTableBucketARN)
		} else {
			v.str(queryTableBucketARN, cTableBucketARN, req.bucket)
		}
	}
	if req.hasToken {
		v.str(queryVersionToken, cVersionToken, req.token)
	}
	if req.op == OpPut {
		validateConfiguration(&v, req.body.Configuration)
	}
	if len(v) > 0 {
		return apiError(errBadRequest, v.message()), false
	}
	if req.op == OpPut {
		for _, d := range fromWire(req.body.Configuration).Destinations {
			if d == req.bucket {
				return apiError(errBadRequest, "The destination table bucket must be different from the source table bucket: "+d), false
			}
		}
	}
	return answer{}, true
}

func validateConfiguration(v *violations, c *wireConfiguration) {
	const p = "configuration"
	if c == nil {
		v.missing(p)
		return
	}
	if c.Role == nil {
		v.missing(p + ".role")
	} else {
		v.str(p+".role", cIAMRole, *c.Role)
	}
	if c.Rules == nil {
		v.missing(p + ".rules")
		return
	}
	v.size(p+".rules", cRules, len(c.Rules))
	for i, rule := range c.Rules {
		rp := fmt.Sprintf("%s.rules.%d.member.destinations", p, i+1)
		if rule.Destinations == nil {
			v.missing(rp)
			continue
		}
		v.size(rp, cDestinations, len(rule.Destinations))
		for j, d := range rule.Destinations {
			dp := fmt.Sprintf("%s.%d.member.destinationTableBucketARN", rp, j+1)
			if d.DestinationTableBucketARN == nil {
				v.missing(dp)
				continue
			}
			v.str(dp, cTableBucketARN, *d.DestinationTableBucketARN)
		}
	}
}

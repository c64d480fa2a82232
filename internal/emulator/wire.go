package emulator

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// Wire shapes of the rest-json protocol. Pointers and nil slices keep
// "missing or null" apart from "present but empty", which the model's
// required and length rules treat differently.

type wireConfiguration struct {
	Role  *string    `json:"role"`
	Rules []wireRule `json:"rules"`
}

type wireRule struct {
	Destinations []wireDestination `json:"destinations"`
}

type wireDestination struct {
	DestinationTableBucketARN *string `json:"destinationTableBucketARN"`
}

type wirePutRequest struct {
	Configuration *wireConfiguration `json:"configuration"`
}

type wireGetResponse struct {
	Configuration wireConfiguration `json:"configuration"`
	VersionToken  string            `json:"versionToken"`
}

type wirePutResponse struct {
	Status       string `json:"status"`
	VersionToken string `json:"versionToken"`
}

type wireError struct {
	Message string `json:"message"`
}

// toWire renders a stored configuration in the single-rule AWS shape.
func toWire(r Replication) wireConfiguration {
	role := r.Role
	dests := make([]wireDestination, len(r.Destinations))
	for i := range r.Destinations {
		dests[i] = wireDestination{DestinationTableBucketARN: &r.Destinations[i]}
	}
	return wireConfiguration{Role: &role, Rules: []wireRule{{Destinations: dests}}}
}

// fromWire flattens a decoded configuration (all rules, in order); it is used
// for the call log, so it tolerates what validation would refuse.
func fromWire(c *wireConfiguration) *Replication {
	if c == nil {
		return nil
	}
	r := &Replication{}
	if c.Role != nil {
		r.Role = *c.Role
	}
	for _, rule := range c.Rules {
		for _, d := range rule.Destinations {
			if d.DestinationTableBucketARN != nil {
				r.Destinations = append(r.Destinations, *d.DestinationTableBucketARN)
			}
		}
	}
	return r
}

// answer is what the handler sends back: a status, an optional error type
// and a JSON body (nil for none).
type answer struct {
	status    int
	errorType string // X-Amzn-Errortype; "" for success or an untyped error
	body      any
}

// versionToken is the token a successful answer carries, or "".
func (a answer) versionToken() string {
	switch b := a.body.(type) {
	case wireGetResponse:
		return b.VersionToken
	case wirePutResponse:
		return b.VersionToken
	}
	return ""
}

func okAnswer(status int, body any) answer { return answer{status: status, body: body} }

// apiError answers a model error: its status comes from the model.
func apiError(errorType, message string) answer {
	status, ok := modelErrors[errorType]
	if !ok {
		panic("emulator: not a model error: " + errorType)
	}
	return answer{status: status, errorType: errorType, body: wireError{Message: message}}
}

// frontEndError answers an error that is not in the model (authentication,
// routing): the SDK maps it to a generic API error with this code.
func frontEndError(status int, errorType, message string) answer {
	return answer{status: status, errorType: errorType, body: wireError{Message: message}}
}

func (a answer) write(w http.ResponseWriter, requestID string) {
	h := w.Header()
	h.Set("X-Amzn-Requestid", requestID)
	if a.errorType != "" {
		h.Set("X-Amzn-Errortype", a.errorType)
	}
	if a.body == nil {
		w.WriteHeader(a.status)
		return
	}
	b, err := json.Marshal(a.body)
	if err != nil { // only our own wire types reach here
		panic("emulator: encode response: " + err.Error())
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(a.status)
	_, _ = w.Write(b) // the client may be gone; nothing to do about it
}

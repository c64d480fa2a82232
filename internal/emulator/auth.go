package emulator

import (
	"net/http"
	"strings"
)

// signingName is the SigV4 service name of S3 Tables (metadata.signingName).
const signingName = "s3tables"

// checkAuth requires a SigV4 Authorization header scoped to s3tables and
// returns the region of its credential scope. The signature itself is not
// verified: the emulator has no secret keys, and what matters to clients is
// that they sign, for the right service and region.
//
//	AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/s3tables/aws4_request,
//	    SignedHeaders=host;x-amz-date, Signature=...
func checkAuth(r *http.Request) (region string, denied answer, ok bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", frontEndError(http.StatusForbidden, errMissingAuth, "Missing Authentication Token"), false
	}
	incomplete := func(msg string) (string, answer, bool) {
		return "", frontEndError(http.StatusForbidden, errIncompleteSig, msg), false
	}
	rest, found := strings.CutPrefix(h, "AWS4-HMAC-SHA256 ")
	if !found {
		return incomplete("Authorization header must use the AWS4-HMAC-SHA256 algorithm.")
	}
	params := map[string]string{}
	for part := range strings.SplitSeq(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		params[k] = v
	}
	for _, k := range []string{"Credential", "SignedHeaders", "Signature"} {
		if params[k] == "" {
			return incomplete("Authorization header requires '" + k + "' parameter. Authorization=" + h)
		}
	}
	scope := strings.Split(params["Credential"], "/")
	if len(scope) != 5 || scope[0] == "" || scope[1] == "" || scope[2] == "" {
		return incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + params["Credential"] + "'.")
	}
	if scope[3] != signingName {
		return "", frontEndError(http.StatusForbidden, errInvalidSig,
			"Credential should be scoped to correct service: '"+signingName+"'."), false
	}
	if scope[4] != "aws4_request" {
		return "", frontEndError(http.StatusForbidden, errInvalidSig,
			"Credential should be scoped with a valid terminator: 'aws4_request', not '"+scope[4]+"'."), false
	}
	return scope[2], answer{}, true
}

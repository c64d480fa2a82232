package emulator

import (
	"net/http"
	"regexp"
)

// This file is the emulator's copy of the botocore service model
// (s3tables/2018-05-10/service-2.json): operations, error shapes and the
// constraints of the shapes the replication operations use. The conformance
// test compares every value here with the model, so a model change shows up
// as a test failure instead of a silent drift.

// Operation names an S3 Tables API operation, as the service model spells it.
type Operation string

// The operations the emulator answers.
const (
	// OpGet is GetTableBucketReplication.
	OpGet Operation = "GetTableBucketReplication"
	// OpPut is PutTableBucketReplication.
	OpPut Operation = "PutTableBucketReplication"
	// OpDelete is DeleteTableBucketReplication.
	OpDelete Operation = "DeleteTableBucketReplication"
	// OpGetTable is GetTableReplication. Table-level replication is not
	// emulated: a valid request always answers NotFoundException.
	OpGetTable Operation = "GetTableReplication"
)

// opSpec is the HTTP binding of one operation.
type opSpec struct {
	op     Operation
	method string
	uri    string // requestUri
	code   int    // responseCode on success
}

// operations lists the HTTP bindings of the emulated operations.
var operations = []opSpec{
	{OpGet, http.MethodGet, "/table-bucket-replication", http.StatusOK},
	{OpPut, http.MethodPut, "/table-bucket-replication", http.StatusOK},
	{OpDelete, http.MethodDelete, "/table-bucket-replication", http.StatusNoContent},
	{OpGetTable, http.MethodGet, "/table-replication", http.StatusOK},
}

// Query string members (their locationName in the model).
const (
	queryTableBucketARN = "tableBucketARN"
	queryVersionToken   = "versionToken"
	queryTableARN       = "tableArn" // GetTableReplicationRequest.tableArn
)

// Error shapes of the model, with their httpStatusCode.
const (
	errNotFound        = "NotFoundException"
	errConflict        = "ConflictException"
	errTooManyRequests = "TooManyRequestsException"
	errBadRequest      = "BadRequestException"
	errAccessDenied    = "AccessDeniedException"
	errForbidden       = "ForbiddenException"
	errInternal        = "InternalServerErrorException"
)

// modelErrors maps every error shape of the four operations to its status.
var modelErrors = map[string]int{
	errNotFound:        http.StatusNotFound,
	errConflict:        http.StatusConflict,
	errTooManyRequests: http.StatusTooManyRequests,
	errBadRequest:      http.StatusBadRequest,
	errAccessDenied:    http.StatusForbidden,
	errForbidden:       http.StatusForbidden,
	errInternal:        http.StatusInternalServerError,
}

// Errors that are not in the model: the AWS front end answers them before a
// request reaches the service, so the SDK surfaces them as generic API
// errors carrying this code.
const (
	errUnknownOperation = "UnknownOperationException"
	errMissingAuth      = "MissingAuthenticationTokenException"
	errIncompleteSig    = "IncompleteSignatureException"
	errInvalidSig       = "InvalidSignatureException"
)

// constraint is what the model says about one shape: a length (strings, in
// characters) or size (lists) range and, for strings, a pattern. A zero max
// means unbounded; an empty pattern means none.
type constraint struct {
	min, max int
	pattern  string // as written in the model; matched anchored (whole value)
	re       *regexp.Regexp
}

func newConstraint(minLen, maxLen int, pattern string) constraint {
	c := constraint{min: minLen, max: maxLen, pattern: pattern}
	if pattern != "" {
		// Smithy patterns are not implicitly anchored; the service checks
		// the whole value, so anchor here.
		c.re = regexp.MustCompile(`^(?:` + pattern + `)$`)
	}
	return c
}

// Shape constraints, named after their model shapes.
var (
	cTableBucketARN = newConstraint(0, 0, `(arn:aws[-a-z0-9]*:[a-z0-9]+:[-a-z0-9]*:[0-9]{12}:bucket/[a-z0-9_-]{3,63})`)
	cTableARN       = newConstraint(1, 2048, `(arn:aws[-a-z0-9]*:[a-z0-9]+:[-a-z0-9]*:[0-9]{12}:bucket/[a-z0-9_-]{3,63}/table/[a-zA-Z0-9-_]{1,255})`)
	cIAMRole        = newConstraint(20, 2048, `arn:.+:iam::[0-9]{12}:role/.+`)
	cVersionToken   = newConstraint(1, 2048, "")
	cRules          = newConstraint(1, 1, "")
	cDestinations   = newConstraint(1, 5, "")
)

// modelConstraints maps model shape names to the emulator's constraints; the
// conformance test walks it.
var modelConstraints = map[string]constraint{
	"TableBucketARN":              cTableBucketARN,
	"TableARN":                    cTableARN,
	"IAMRole":                     cIAMRole,
	"VersionToken":                cVersionToken,
	"TableBucketReplicationRules": cRules,
	"ReplicationDestinations":     cDestinations,
}

// requiredMembers lists, per structure shape, the members the model marks as
// required and the emulator checks.
var requiredMembers = map[string][]string{
	"GetTableBucketReplicationRequest":    {queryTableBucketARN},
	"PutTableBucketReplicationRequest":    {queryTableBucketARN, "configuration"},
	"DeleteTableBucketReplicationRequest": {queryTableBucketARN},
	"GetTableReplicationRequest":          {queryTableARN},
	"TableBucketReplicationConfiguration": {"role", "rules"},
	"TableBucketReplicationRule":          {"destinations"},
	"ReplicationDestination":              {"destinationTableBucketARN"},
}

package sync

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/s3tables/types"
	"github.com/aws/smithy-go"
)

// class is what the reconciler does after an error.
type class int

const (
	// classTerminal: stop working on this bucket; the bucket fails.
	classTerminal class = iota
	// classTransient: send the same request again later (backoff loop).
	classTransient
	// classConflict: someone else wrote; re-read, re-plan (CAS loop).
	classConflict
	// classNotFound: the resource is not there (no configuration on Get).
	classNotFound
)

func (c class) String() string {
	return [...]string{"terminal", "transient", "conflict", "not found"}[c]
}

// missingTokenMessage is how S3 Tables says that a configuration exists but
// the write carried no version token: someone created it after our Get.
// AWS gives this case no error type of its own, so it is the one place the
// message is read.
const missingTokenMessage = "version token is not specified"

// sdkRetryables is the SDK's own judgement of retryable errors: connection
// errors, 5xx status codes, throttling codes. The SDK's retryer is off for
// S3 Tables (see NewRegionClients); its rules are reused here.
var sdkRetryables = retry.IsErrorRetryables(retry.DefaultRetryables)

// errRequestTimeout marks a request that got no answer within
// Options.RequestTimeout while the pass itself still had time: a hung
// connection, retried like any transport error.
var errRequestTimeout = errors.New("no answer within the request timeout")

// classify sorts an error from an S3 Tables call. It relies on the SDK's
// typed errors, not on messages.
func classify(err error) class {
	var (
		conflict *types.ConflictException
		badReq   *types.BadRequestException
		notFound *types.NotFoundException
		throttle *types.TooManyRequestsException
		internal *types.InternalServerErrorException
	)
	switch {
	case err == nil:
		return classTerminal
	case errors.Is(err, errRequestTimeout):
		return classTransient
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return classTerminal
	case errors.As(err, &conflict):
		return classConflict
	case errors.As(err, &badReq):
		if strings.Contains(strings.ToLower(badReq.ErrorMessage()), missingTokenMessage) {
			return classConflict
		}
		return classTerminal
	case errors.As(err, &notFound):
		return classNotFound
	case errors.As(err, &throttle), errors.As(err, &internal):
		return classTransient
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorFault() == smithy.FaultClient {
		// AccessDenied, Forbidden, validation and other caller faults.
		return classTerminal
	}
	if sdkRetryables.IsErrorRetryable(err) == aws.TrueTernary {
		return classTransient
	}
	return classTerminal
}

// Error codes of requests that got no answer from the service.
const (
	codeTransport = "transport"
	codeCanceled  = "canceled"
	codeDeadline  = "deadline"
	codeTimeout   = "timeout"
)

// errorCode names an error for metrics and logs: the AWS error code, or
// "transport", "timeout", "canceled" or "deadline" for errors that never got an
// answer.
func errorCode(err error) string {
	if err == nil {
		return ""
	}
	if errors.Is(err, errRequestTimeout) {
		return codeTimeout
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	switch {
	case errors.Is(err, context.Canceled):
		return codeCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return codeDeadline
	}
	return codeTransport
}

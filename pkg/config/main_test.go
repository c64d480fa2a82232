package config

import (
	"testing"

	"go.uber.org/goleak"
)

// The S3 and SSM source tests start local servers and SDK clients; none
// of their goroutines may outlive a test.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

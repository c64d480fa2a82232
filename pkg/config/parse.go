package config

import "errors"

// Parse decodes data (YAML or JSON), validates it and returns the normalized
// document. Errors are *Error values listing every problem found.
func Parse(data []byte) (*Document, error) {
	return nil, errors.New("config.Parse: not implemented yet")
}

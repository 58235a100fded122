package codec

import (
	"errors"
	"fmt"
)

// Errors returned by Decode.
var (
	// ErrCorrupt is returned when bytes do not hold a valid record: they
	// are truncated, malformed, carry trailing bytes, hold a value out of
	// its field's range, or carry a version this build does not know.
	// Every decoding error wraps it, so test with errors.Is.
	ErrCorrupt = errors.New("kith: corrupt record")
)

// Causes wrapped together with ErrCorrupt.
var (
	errVersion  = errors.New("unsupported version")
	errNoHeader = errors.New("not a versioned array")
	errRange    = errors.New("value out of range")
	errLength   = errors.New("length exceeds input")
	errTrailing = errors.New("trailing bytes after record")
	errDupKey   = errors.New("duplicate map key")
)

// corrupt wraps cause in ErrCorrupt; an error that already wraps
// ErrCorrupt is returned unchanged.
func corrupt(cause error) error {
	if errors.Is(cause, ErrCorrupt) {
		return cause
	}
	return fmt.Errorf("%w: %w", ErrCorrupt, cause)
}

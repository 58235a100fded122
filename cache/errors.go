package cache

import "errors"

// Errors of New.
var (
	// ErrInvalidOptions is returned by New when an Options field is out of
	// range: Entries <= 0 or MaxBytes < 0. The returned error wraps it and
	// names the field.
	ErrInvalidOptions = errors.New("kith: invalid cache options")
)

package index

import (
	"errors"
	"fmt"
)

// Parsing errors.

// ErrInvalidKey is returned (wrapped with detail) by Parse and ReadString
// when bytes are not a key kith could have written: an unknown kind byte, a
// bad escape, a missing terminator, a short integer or trailing bytes. Test
// for it with errors.Is. The engine re-exports it, as keys come from disk.
var ErrInvalidKey = errors.New("kith: invalid key")

// Details of ErrInvalidKey, built once so the decoders do not allocate on
// the error path.
var (
	errNoTerminator = fmt.Errorf("%w: string component has no terminator", ErrInvalidKey)
	errBadEscape    = fmt.Errorf("%w: 0x00 not followed by 0xFF or 0x01", ErrInvalidKey)
	errShortUint64  = fmt.Errorf("%w: integer component shorter than 8 bytes", ErrInvalidKey)
)

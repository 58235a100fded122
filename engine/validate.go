package engine

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// checkUserID reports whether id is a valid user ID: 1 to UserIDBytes bytes
// of valid UTF-8 without control characters.
func (db *DB) checkUserID(id string) error {
	if len(id) == 0 || len(id) > db.opts.Limits.UserIDBytes {
		return ErrInvalidUserID
	}
	if !printableUTF8(id) {
		return ErrInvalidUserID
	}
	return nil
}

// printableUTF8 reports whether s is valid UTF-8 with no control characters.
func printableUTF8(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return false
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || unicode.IsControl(r) { // a valid U+FFFD has size 3
			return false
		}
		i += size - 1
	}
	return true
}

// checkCount reports ErrTooMany when n IDs exceed the limit of a call.
func checkCount(n, limit int) error {
	if n > limit {
		return fmt.Errorf("%w: %d ids, at most %d", ErrTooMany, n, limit)
	}
	return nil
}

// checkText validates a friend, application or group string: at most
// limit bytes (ErrTooLong) of valid UTF-8 (ErrInvalidArgument).
func checkText(what, s string, limit int) error {
	return checkString(what, s, limit, ErrTooLong, ErrInvalidArgument)
}

// checkProfileString validates a profile string field: at most limit
// bytes (ErrValueTooLong) of valid UTF-8 (ErrInvalidValue).
func checkProfileString(name, s string, limit int) error {
	return checkString(name, s, limit, ErrValueTooLong, ErrInvalidValue)
}

// checkString is checkText and checkProfileString, which differ only in
// their errors. UTF-8 because Export writes JSON, which cannot carry
// anything else.
func checkString(what, s string, limit int, tooLong, notUTF8 error) error {
	if len(s) > limit {
		return fmt.Errorf("%w: %s is %d bytes, at most %d", tooLong, what, len(s), limit)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: %s is not valid UTF-8", notUTF8, what)
	}
	return nil
}

// checkPeers validates the peer IDs of a batch call. It returns one error
// per ID (nil for a valid first occurrence): invalid IDs, the acting user
// itself and repeats are answered without touching the store.
func (db *DB) checkPeers(self string, ids []string) []error {
	errs := make([]error, len(ids))
	seen := make(map[string]struct{}, len(ids))
	for i, id := range ids {
		switch _, dup := seen[id]; {
		case db.checkUserID(id) != nil:
			errs[i] = ErrInvalidUserID
		case id == self:
			errs[i] = ErrSelf
		case dup:
			errs[i] = ErrDuplicateID
		default:
			seen[id] = struct{}{}
		}
	}
	return errs
}

package index

import (
	"encoding/binary"
	"slices"
	"strings"
)

// Bytes of the string encoding. Part of the format: never change.
//
// 0x00 is the only byte that needs care: it is escaped as 0x00 0xFF, and a
// component ends with 0x00 0x01. Because 0x01 < 0xFF and 0x00 is smaller
// than any other data byte, a string sorts before every longer string it is
// a prefix of, and the order of encoded components is the order of the raw
// strings.
const (
	escByte   byte = 0x00 // starts an escape or a terminator
	escZero   byte = 0xFF // escByte escZero stands for one 0x00 data byte
	escTerm   byte = 0x01 // escByte escTerm ends a string component
	uint64Len      = 8    // bytes of an integer component
)

// AppendString appends s as one string component: each 0x00 byte of s
// becomes 0x00 0xFF, then the terminator 0x00 0x01 follows. Nothing is
// allocated when dst has room for the result.
func AppendString(dst []byte, s string) []byte {
	for {
		i := strings.IndexByte(s, escByte)
		if i < 0 {
			break
		}
		dst = append(dst, s[:i]...)
		dst = append(dst, escByte, escZero)
		s = s[i+1:]
	}
	dst = append(dst, s...)
	return append(dst, escByte, escTerm)
}

// ReadString decodes one escaped string component from the front of src and
// returns it and the rest of src. It fails with an error wrapping
// ErrInvalidKey when src holds no terminator or 0x00 is followed by a byte
// other than 0xFF or 0x01, so every string has exactly one encoding. src is
// not modified; s is a copy and rest is the tail of src.
func ReadString(src []byte) (s string, rest []byte, err error) {
	n, escapes, err := scanString(src)
	if err != nil {
		return "", src, err
	}
	if escapes == 0 {
		return string(src[:n]), src[n+2:], nil
	}
	return unescape(src[:n], n-escapes), src[n+2:], nil
}

// ReadStringTo is ReadString without the allocation: it appends the
// decoded string to dst and returns the extended slice as s.
func ReadStringTo(dst, src []byte) (s, rest []byte, err error) {
	n, _, err := scanString(src)
	if err != nil {
		return dst, src, err
	}
	return appendUnescaped(dst, src[:n]), src[n+2:], nil
}

// scanString finds the terminator of the component at the front of src. It
// returns the number of encoded bytes before the terminator and how many
// escapes those bytes hold.
func scanString(src []byte) (n, escapes int, err error) {
	for {
		i := slices.Index(src[n:], escByte)
		if i < 0 {
			return 0, 0, errNoTerminator
		}
		n += i
		if n+1 >= len(src) {
			return 0, 0, errNoTerminator
		}
		switch src[n+1] {
		case escTerm:
			return n, escapes, nil
		case escZero:
			escapes++
			n += 2
		default:
			return 0, 0, errBadEscape
		}
	}
}

// unescape decodes enc, known to be a well-formed component body holding
// size data bytes.
func unescape(enc []byte, size int) string {
	return string(appendUnescaped(make([]byte, 0, size), enc))
}

// appendUnescaped appends the data bytes of enc, a well-formed component
// body, to dst.
func appendUnescaped(dst, enc []byte) []byte {
	for {
		i := slices.Index(enc, escByte)
		if i < 0 {
			return append(dst, enc...)
		}
		dst = append(dst, enc[:i+1]...) // through the escaped 0x00
		enc = enc[i+2:]                 // past escZero
	}
}

// AppendUint64 appends v as one integer component: 8 bytes big-endian, so
// that keys sort by the number.
func AppendUint64(dst []byte, v uint64) []byte {
	return binary.BigEndian.AppendUint64(dst, v)
}

// readUint64 decodes one integer component from the front of src.
func readUint64(src []byte) (v uint64, rest []byte, err error) {
	if len(src) < uint64Len {
		return 0, src, errShortUint64
	}
	return binary.BigEndian.Uint64(src), src[uint64Len:], nil
}

// encodedLen is the number of bytes AppendString(nil, s) produces. The
// constructors use it to grow dst once instead of once per component.
func encodedLen(s string) int {
	return len(s) + strings.Count(s, "\x00") + 2
}

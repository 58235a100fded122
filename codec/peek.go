package codec

import (
	"encoding/binary"
	"fmt"
)

// FriendRemark returns the remark of an encoded FriendEdge without
// decoding the rest: search matches remarks of thousands of edges and
// decodes only the hits. The returned slice aliases b. It checks the
// array header, the version and the remark's string header; whatever
// follows the remark is left to Decode.
func FriendRemark(b []byte) ([]byte, error) {
	n, b, err := peekArrayLen(b)
	if err != nil {
		return nil, corrupt(err)
	}
	if n < 1 {
		return nil, corrupt(fmt.Errorf("friend edge: empty array"))
	}
	v, b, err := peekInt(b)
	if err != nil {
		return nil, corrupt(err)
	}
	if v < 1 || v > FriendEdgeVersion {
		return nil, corrupt(fmt.Errorf("friend edge: unsupported version %d", v))
	}
	if n == 1 { // an old writer without the remark
		return nil, nil
	}
	s, err := peekStr(b)
	if err != nil {
		return nil, corrupt(err)
	}
	return s, nil
}

// peekArrayLen reads a msgpack array header.
func peekArrayLen(b []byte) (int, []byte, error) {
	switch {
	case len(b) == 0:
		return 0, nil, errTruncatedPeek
	case b[0] >= 0x90 && b[0] <= 0x9f:
		return int(b[0] & 0x0f), b[1:], nil
	case b[0] == 0xdc && len(b) >= 3:
		return int(binary.BigEndian.Uint16(b[1:])), b[3:], nil
	case b[0] == 0xdd && len(b) >= 5:
		return int(binary.BigEndian.Uint32(b[1:])), b[5:], nil
	}
	return 0, nil, fmt.Errorf("not an array header: %#x", b[0])
}

// peekInt reads a msgpack integer of any width.
func peekInt(b []byte) (int64, []byte, error) {
	if len(b) == 0 {
		return 0, nil, errTruncatedPeek
	}
	c := b[0]
	switch {
	case c <= 0x7f:
		return int64(c), b[1:], nil
	case c >= 0xe0:
		return int64(int8(c)), b[1:], nil
	}
	var size int
	switch c {
	case 0xcc, 0xd0:
		size = 1
	case 0xcd, 0xd1:
		size = 2
	case 0xce, 0xd2:
		size = 4
	case 0xcf, 0xd3:
		size = 8
	default:
		return 0, nil, fmt.Errorf("not an integer header: %#x", c)
	}
	if len(b) < 1+size {
		return 0, nil, errTruncatedPeek
	}
	var u uint64
	for _, x := range b[1 : 1+size] {
		u = u<<8 | uint64(x)
	}
	if c >= 0xd0 { // signed: extend the sign of the width read
		shift := 64 - 8*size
		return int64(u<<shift) >> shift, b[1+size:], nil
	}
	if u > 1<<63-1 {
		return 0, nil, fmt.Errorf("integer out of range")
	}
	return int64(u), b[1+size:], nil
}

// peekStr reads a msgpack string at the start of b and returns its
// bytes: a str, or a bin (Decode reads a string from either), or nil (the
// empty string).
func peekStr(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, errTruncatedPeek
	}
	var n, h int
	switch c := b[0]; {
	case c == 0xc0:
		return nil, nil
	case c >= 0xa0 && c <= 0xbf:
		n, h = int(c&0x1f), 1
	case (c == 0xd9 || c == 0xc4) && len(b) >= 2:
		n, h = int(b[1]), 2
	case (c == 0xda || c == 0xc5) && len(b) >= 3:
		n, h = int(binary.BigEndian.Uint16(b[1:])), 3
	case (c == 0xdb || c == 0xc6) && len(b) >= 5:
		n, h = int(binary.BigEndian.Uint32(b[1:])), 5
	default:
		return nil, fmt.Errorf("not a string header: %#x", c)
	}
	if n > len(b)-h {
		return nil, errTruncatedPeek
	}
	return b[h : h+n], nil
}

var errTruncatedPeek = fmt.Errorf("truncated record")

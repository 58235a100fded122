package codec

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// The dec methods read one msgpack header or scalar. In msgpack mode they
// call the Decoder; in bytes mode they parse r.in, accepting exactly what
// the Decoder accepts (see its uint, int, bool, bytesLen, arrayLen and
// mapLen in msgpack v5).

// decUint reads an unsigned integer as msgpack's DecodeUint64 does: a
// signed encoding converts, nil is 0.
func (r *reader) decUint() (uint64, error) {
	if r.d != nil {
		return r.d.DecodeUint64()
	}
	return r.integer("uint64")
}

// decInt reads a signed integer as msgpack's DecodeInt64 does.
func (r *reader) decInt() (int64, error) {
	if r.d != nil {
		return r.d.DecodeInt64()
	}
	v, err := r.integer("int64")
	return int64(v), err
}

// integer reads any msgpack integer, or nil as 0, in bytes mode and
// returns its 64 bits, sign-extended from a signed encoding: the bits
// msgpack's DecodeUint64 and DecodeInt64 both return, as uint64 and int64.
func (r *reader) integer(what string) (uint64, error) {
	c, err := r.code()
	if err != nil {
		return 0, err
	}
	if c == msgpcode.Nil {
		return 0, nil
	}
	if msgpcode.IsFixedNum(c) {
		return uint64(int8(c)), nil
	}
	var n uint64
	switch c {
	case msgpcode.Uint8, msgpcode.Int8:
		n, err = r.fixed(1)
	case msgpcode.Uint16, msgpcode.Int16:
		n, err = r.fixed(2)
	case msgpcode.Uint32, msgpcode.Int32:
		n, err = r.fixed(4)
	case msgpcode.Uint64, msgpcode.Int64:
		n, err = r.fixed(8)
	default:
		return 0, fmt.Errorf("msgpack: invalid code=%x decoding %s", c, what)
	}
	switch c {
	case msgpcode.Int8:
		n = uint64(int8(n))
	case msgpcode.Int16:
		n = uint64(int16(n))
	case msgpcode.Int32:
		n = uint64(int32(n))
	}
	return n, err
}

// decBool reads a bool; nil is false.
func (r *reader) decBool() (bool, error) {
	if r.d != nil {
		return r.d.DecodeBool()
	}
	c, err := r.code()
	switch {
	case err != nil:
		return false, err
	case c == msgpcode.Nil || c == msgpcode.False:
		return false, nil
	case c == msgpcode.True:
		return true, nil
	}
	return false, fmt.Errorf("msgpack: invalid code=%x decoding bool", c)
}

// decBytesLen reads a str or bin header; nil gives -1.
func (r *reader) decBytesLen() (int, error) {
	if r.d != nil {
		return r.d.DecodeBytesLen()
	}
	c, err := r.code()
	if err != nil {
		return 0, err
	}
	if c == msgpcode.Nil {
		return -1, nil
	}
	if msgpcode.IsFixedString(c) {
		return int(c & msgpcode.FixedStrMask), nil
	}
	switch c {
	case msgpcode.Str8, msgpcode.Bin8:
		return r.length(1)
	case msgpcode.Str16, msgpcode.Bin16:
		return r.length(2)
	case msgpcode.Str32, msgpcode.Bin32:
		return r.length(4)
	}
	return 0, fmt.Errorf("msgpack: invalid code=%x decoding string/bytes length", c)
}

// decArrayLen reads an array header; nil gives -1.
func (r *reader) decArrayLen() (int, error) {
	if r.d != nil {
		return r.d.DecodeArrayLen()
	}
	return r.containerLen(msgpcode.IsFixedArray, msgpcode.FixedArrayMask, msgpcode.Array16, msgpcode.Array32, "array")
}

// decMapLen reads a map header; nil gives -1. Unlike msgpack's
// DecodeMapLen it refuses an ext header in front of the map.
func (r *reader) decMapLen() (int, error) {
	if r.d != nil {
		c, err := r.d.PeekCode()
		if err == nil && msgpcode.IsExt(c) {
			err = fmt.Errorf("msgpack: invalid code=%x decoding map length", c)
		}
		if err != nil {
			return 0, err
		}
		return r.d.DecodeMapLen()
	}
	return r.containerLen(msgpcode.IsFixedMap, msgpcode.FixedMapMask, msgpcode.Map16, msgpcode.Map32, "map")
}

// containerLen reads an array or map header in bytes mode; nil gives -1.
func (r *reader) containerLen(isFixed func(byte) bool, mask, c16, c32 byte, what string) (int, error) {
	c, err := r.code()
	if err != nil {
		return 0, err
	}
	switch {
	case c == msgpcode.Nil:
		return -1, nil
	case isFixed(c):
		return int(c & mask), nil
	case c == c16:
		return r.length(2)
	case c == c32:
		return r.length(4)
	}
	return 0, fmt.Errorf("msgpack: invalid code=%x decoding %s length", c, what)
}

// decExtHeader reads an ext header and returns its payload length.
func (r *reader) decExtHeader() (int, error) {
	if r.d != nil {
		_, n, err := r.d.DecodeExtHeader()
		return n, err
	}
	c, err := r.code()
	if err != nil {
		return 0, err
	}
	var n int
	switch c {
	case msgpcode.FixExt1:
		n = 1
	case msgpcode.FixExt2:
		n = 2
	case msgpcode.FixExt4:
		n = 4
	case msgpcode.FixExt8:
		n = 8
	case msgpcode.FixExt16:
		n = 16
	case msgpcode.Ext8:
		n, err = r.length(1)
	case msgpcode.Ext16:
		n, err = r.length(2)
	case msgpcode.Ext32:
		n, err = r.length(4)
	default:
		return 0, fmt.Errorf("msgpack: invalid code=%x decoding ext len", c)
	}
	if err != nil {
		return 0, err
	}
	_, err = r.code() // the ext type
	return n, err
}

// decSkipScalar skips nil, a bool or a number, as msgpack's Skip does.
func (r *reader) decSkipScalar() error {
	if r.d != nil {
		return r.d.Skip()
	}
	c, err := r.code()
	if err != nil {
		return err
	}
	var n int
	switch {
	case msgpcode.IsFixedNum(c), c == msgpcode.Nil, c == msgpcode.False, c == msgpcode.True:
		return nil
	case c == msgpcode.Uint8 || c == msgpcode.Int8:
		n = 1
	case c == msgpcode.Uint16 || c == msgpcode.Int16:
		n = 2
	case c == msgpcode.Uint32 || c == msgpcode.Int32 || c == msgpcode.Float:
		n = 4
	case c == msgpcode.Uint64 || c == msgpcode.Int64 || c == msgpcode.Double:
		n = 8
	default:
		return fmt.Errorf("msgpack: unknown code %x", c)
	}
	_, err = r.fixed(n)
	return err
}

// peekCode returns the next code without consuming it.
func (r *reader) peekCode() (byte, error) {
	if r.d != nil {
		return r.d.PeekCode()
	}
	if r.off >= len(r.in) {
		return 0, io.EOF
	}
	return r.in[r.off], nil
}

// code consumes one byte (bytes mode).
func (r *reader) code() (byte, error) {
	if r.off >= len(r.in) {
		return 0, io.EOF
	}
	c := r.in[r.off]
	r.off++
	return c, nil
}

// fixed consumes a big-endian unsigned integer of n bytes (1, 2, 4 or 8)
// in bytes mode.
func (r *reader) fixed(n int) (uint64, error) {
	if len(r.in)-r.off < n {
		r.off = len(r.in)
		return 0, io.ErrUnexpectedEOF
	}
	b := r.in[r.off : r.off+n]
	r.off += n
	switch n {
	case 1:
		return uint64(b[0]), nil
	case 2:
		return uint64(binary.BigEndian.Uint16(b)), nil
	case 4:
		return uint64(binary.BigEndian.Uint32(b)), nil
	}
	return binary.BigEndian.Uint64(b), nil
}

// length consumes a length field of n bytes (bytes mode).
func (r *reader) length(n int) (int, error) {
	v, err := r.fixed(n)
	return int(v), err
}

package codec

import (
	"encoding/binary"
	"math"
	"slices"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// writer encodes the fields of one record and keeps the first error, so
// the encode methods read as a plain list of fields.
//
// Like reader it has two modes. Append gives it the caller's buffer (out)
// and it appends the msgpack bytes itself; EncodeMsgpack, called by
// msgpack's own Encoder (e), writes through e. Both write the same bytes:
// the shortest msgpack encoding of each value, as msgpack's Encoder does
// (TestMsgpackAPI and FuzzDecode compare them).
type writer struct {
	out []byte           // bytes mode: the encoding so far
	e   *msgpack.Encoder // msgpack mode
	err error
}

// begin writes the record header: an array of fields+1 elements whose
// first element is version.
func (w *writer) begin(version uint64, fields int) {
	w.header(msgpcode.FixedArrayLow, msgpcode.Array16, msgpcode.Array32, fields+1)
	w.uint(version)
}

// keep records err if it is the first one.
func (w *writer) keep(err error) {
	if w.err == nil {
		w.err = err
	}
}

// uint writes v in the fewest bytes.
func (w *writer) uint(v uint64) {
	switch {
	case w.e != nil:
		w.keep(w.e.EncodeUint(v))
	case v <= math.MaxInt8:
		w.out = append(w.out, byte(v))
	case v <= math.MaxUint8:
		w.out = append(w.out, msgpcode.Uint8, byte(v))
	case v <= math.MaxUint16:
		w.out = binary.BigEndian.AppendUint16(append(w.out, msgpcode.Uint16), uint16(v))
	case v <= math.MaxUint32:
		w.out = binary.BigEndian.AppendUint32(append(w.out, msgpcode.Uint32), uint32(v))
	default:
		w.out = binary.BigEndian.AppendUint64(append(w.out, msgpcode.Uint64), v)
	}
}

// int writes v in the fewest bytes.
func (w *writer) int(v int64) {
	switch {
	case w.e != nil:
		w.keep(w.e.EncodeInt(v))
	case v >= 0:
		w.uint(uint64(v))
	case v >= -32: // negative fixint
		w.out = append(w.out, byte(v))
	case v >= math.MinInt8:
		w.out = append(w.out, msgpcode.Int8, byte(v))
	case v >= math.MinInt16:
		w.out = binary.BigEndian.AppendUint16(append(w.out, msgpcode.Int16), uint16(v))
	case v >= math.MinInt32:
		w.out = binary.BigEndian.AppendUint32(append(w.out, msgpcode.Int32), uint32(v))
	default:
		w.out = binary.BigEndian.AppendUint64(append(w.out, msgpcode.Int64), uint64(v))
	}
}

// bool writes v.
func (w *writer) bool(v bool) {
	switch {
	case w.e != nil:
		w.keep(w.e.EncodeBool(v))
	case v:
		w.out = append(w.out, msgpcode.True)
	default:
		w.out = append(w.out, msgpcode.False)
	}
}

// null writes msgpack nil.
func (w *writer) null() {
	if w.e != nil {
		w.keep(w.e.EncodeNil())
		return
	}
	w.out = append(w.out, msgpcode.Nil)
}

// str writes s as a msgpack string.
func (w *writer) str(s string) {
	if w.e != nil {
		w.keep(w.e.EncodeString(s))
		return
	}
	if n := len(s); n < 32 {
		w.out = append(w.out, msgpcode.FixedStrLow|byte(n))
	} else {
		w.sized(msgpcode.Str8, msgpcode.Str16, msgpcode.Str32, n)
	}
	w.out = append(w.out, s...)
}

// bytes writes b as msgpack bin; empty and nil both write nil.
func (w *writer) bytes(b []byte) {
	switch {
	case len(b) == 0:
		w.null()
	case w.e != nil:
		w.keep(w.e.EncodeBytes(b))
	default:
		w.sized(msgpcode.Bin8, msgpcode.Bin16, msgpcode.Bin32, len(b))
		w.out = append(w.out, b...)
	}
}

// strs writes s as an array of strings; empty and nil both write nil.
func (w *writer) strs(s []string) {
	if len(s) == 0 {
		w.null()
		return
	}
	w.header(msgpcode.FixedArrayLow, msgpcode.Array16, msgpcode.Array32, len(s))
	for _, v := range s {
		w.str(v)
	}
}

// custom writes m as a map with its keys in increasing order, so the same
// map always gives the same bytes; empty and nil both write nil.
func (w *writer) custom(m map[string][]byte) {
	if len(m) == 0 {
		w.null()
		return
	}
	var stack [16]string // no allocation for the usual few fields
	keys := stack[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	w.header(msgpcode.FixedMapLow, msgpcode.Map16, msgpcode.Map32, len(keys))
	for _, k := range keys {
		w.str(k)
		w.bytes(m[k])
	}
}

// header writes an array or map header for n elements: fixed when n < 16.
func (w *writer) header(fixed, c16, c32 byte, n int) {
	switch {
	case w.e != nil && fixed == msgpcode.FixedMapLow:
		w.keep(w.e.EncodeMapLen(n))
	case w.e != nil:
		w.keep(w.e.EncodeArrayLen(n))
	case n < 16:
		w.out = append(w.out, fixed|byte(n))
	case n <= math.MaxUint16:
		w.out = binary.BigEndian.AppendUint16(append(w.out, c16), uint16(n))
	default:
		w.out = binary.BigEndian.AppendUint32(append(w.out, c32), uint32(n))
	}
}

// sized writes a str or bin header for n bytes in bytes mode: 8-, 16- or
// 32-bit length.
func (w *writer) sized(c8, c16, c32 byte, n int) {
	switch {
	case n <= math.MaxUint8:
		w.out = append(w.out, c8, byte(n))
	case n <= math.MaxUint16:
		w.out = binary.BigEndian.AppendUint16(append(w.out, c16), uint16(n))
	default:
		w.out = binary.BigEndian.AppendUint32(append(w.out, c32), uint32(n))
	}
}

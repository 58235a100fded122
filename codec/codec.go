package codec

import (
	"fmt"

	"github.com/vmihailenco/msgpack/v5"
)

// Record is implemented by every stored value type, always through a
// pointer: *Profile, *FriendEdge, *Application, *BlockEdge, *Group,
// *Counters and *Event. Use Append and Decode rather than the msgpack
// methods directly.
type Record interface {
	msgpack.CustomEncoder
	msgpack.CustomDecoder
	encode(w *writer) error
	decode(r *reader) error
}

var (
	_ Record = (*Profile)(nil)
	_ Record = (*FriendEdge)(nil)
	_ Record = (*Application)(nil)
	_ Record = (*BlockEdge)(nil)
	_ Record = (*Group)(nil)
	_ Record = (*Counters)(nil)
	_ Record = (*Event)(nil)
)

// emptyRecord is the smallest valid record of any type: version 1 and no
// fields. Decoding it sets every field to its zero value.
var emptyRecord = []byte{0x91, 0x01}

// Append encodes r and appends the bytes to dst, returning the extended
// slice. It does not allocate when dst has room for the record (and a
// record has at most 16 custom fields). The returned slice is the
// caller's; Append keeps no reference to it or to r. The error is non-nil
// only if r is not one of this package's record types. r must not be nil.
func Append(dst []byte, r Record) ([]byte, error) {
	w := writer{out: dst}
	if err := encodeWith(r, &w); err != nil {
		return dst, err
	}
	return w.out, nil
}

// encodeWith calls r.encode through its concrete type, which keeps w on
// the caller's stack.
func encodeWith(r Record, w *writer) error {
	switch v := r.(type) {
	case *FriendEdge:
		return v.encode(w)
	case *Profile:
		return v.encode(w)
	case *Counters:
		return v.encode(w)
	case *Event:
		return v.encode(w)
	case *Application:
		return v.encode(w)
	case *BlockEdge:
		return v.encode(w)
	case *Group:
		return v.encode(w)
	}
	return fmt.Errorf("codec: Append of %T: not a record type of package codec", r)
}

// Decode decodes b, which must hold exactly one record, into r. It
// overwrites every field of r: fields absent from b (written by an older
// version) get their zero value, so a reused record is safe. Strings and
// byte slices in r do not alias b, which may be reused as soon as Decode
// returns: the strings of one record share one copy of b (one
// allocation, however many strings), and each byte slice is a copy of
// its own.
//
// Malformed, truncated or out-of-range input, trailing bytes and an
// unknown version give an error wrapping ErrCorrupt, and leave r zero.
// Decode never panics on bad input, and allocates at most in proportion to
// len(b). r must not be nil.
func Decode(b []byte, r Record) (err error) {
	defer func() {
		if p := recover(); p != nil {
			zero(r)
			err = corrupt(fmt.Errorf("decoder panic: %v", p))
		}
	}()
	rd := reader{in: b}
	if err := decodeWith(r, &rd); err != nil {
		return corrupt(err)
	}
	if rd.off != len(b) {
		zero(r)
		return corrupt(fmt.Errorf("%w: %d", errTrailing, len(b)-rd.off))
	}
	return nil
}

// decodeWith calls r.decode through its concrete type, which keeps rd on
// the caller's stack.
func decodeWith(r Record, rd *reader) error {
	switch v := r.(type) {
	case *FriendEdge:
		return v.decode(rd)
	case *Profile:
		return v.decode(rd)
	case *Counters:
		return v.decode(rd)
	case *Event:
		return v.decode(rd)
	case *Application:
		return v.decode(rd)
	case *BlockEdge:
		return v.decode(rd)
	case *Group:
		return v.decode(rd)
	}
	// A type embedding one of ours: decoding it through the interface
	// would cost every Decode a heap-allocated reader.
	return fmt.Errorf("codec: Decode of %T: not a record type of package codec", r)
}

// zero sets every field of r to its zero value.
func zero(r Record) {
	_ = decodeWith(r, &reader{in: emptyRecord})
}

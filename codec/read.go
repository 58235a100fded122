package codec

import (
	"bytes"
	"fmt"
	"io"
	"math"

	"github.com/vmihailenco/msgpack/v5"
)

// unknownRoomHint caps preallocation when the input length is unknown,
// which happens only with a decoder that is not one of ours.
const unknownRoomHint = 64

// reader decodes the fields of one record and keeps the first error, so
// the decode methods read as a plain list of fields. Each field method
// returns the zero value once the fields present in the data run out
// (an older writer) or after an error.
//
// It reads in one of two modes. Decode gives it the input bytes (in) and
// it parses msgpack itself: no decoder, no interface calls, and every
// string of the record shares one copy of the input, so decoding a record
// costs one allocation for its strings instead of one per string.
// DecodeMsgpack, called by msgpack's own Decoder (d), reads through d.
// The two modes accept exactly the same inputs (FuzzDecode compares them
// on every input), mirroring msgpack's Decoder: nil reads as a zero
// number, false, "" or an empty array or map, and any integer encoding
// is accepted where its value fits.
type reader struct {
	in    []byte // bytes mode: the whole input
	off   int    // bytes mode: the next unread byte
	whole string // bytes mode: string(in), made for the first string

	d *msgpack.Decoder // msgpack mode

	left int // fields present in the data and not yet read
	err  error
}

// begin reads the record header: the array length and the version, which
// must be between 1 and current.
func (r *reader) begin(current uint64) {
	n, err := r.decArrayLen()
	if err == nil && n < 1 {
		err = errNoHeader
	}
	if err == nil && !r.fits(n, 1) {
		err = errLength
	}
	if err != nil {
		r.fail(err)
		return
	}
	r.left = n - 1
	v, err := r.decUint()
	if err == nil && (v == 0 || v > current) {
		err = fmt.Errorf("%w %d", errVersion, v)
	}
	r.fail(err)
}

// end skips the fields a newer writer appended and returns the first
// error, wrapped in ErrCorrupt.
func (r *reader) end() error {
	r.skip(r.left)
	r.left = 0
	if r.err != nil {
		return corrupt(r.err)
	}
	return nil
}

// finish stores v in p if the record decoded cleanly and zeroes p if not.
func finish[T any](r *reader, p *T, v T) error {
	if err := r.end(); err != nil {
		var zero T
		*p = zero
		return err
	}
	*p = v
	return nil
}

// fail records err if it is the first one.
func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// next reports whether another known field is present, consuming it.
func (r *reader) next() bool {
	if r.err != nil || r.left == 0 {
		return false
	}
	r.left--
	return true
}

// room returns how many input bytes are left, if that is known.
func (r *reader) room() (n int, known bool) {
	if r.d == nil {
		return len(r.in) - r.off, true
	}
	if l, ok := r.d.Buffered().(interface{ Len() int }); ok {
		return l.Len(), true
	}
	return 0, false
}

// fits reports whether n values of at least size bytes each can still be
// in the input. It is what keeps allocation O(len(input)).
func (r *reader) fits(n, size int) bool {
	room, known := r.room()
	return !known || n <= room/size
}

// hint returns a capacity for n elements that fits has accepted.
func (r *reader) hint(n int) int {
	if _, known := r.room(); known {
		return n
	}
	return min(n, unknownRoomHint)
}

// uint reads an unsigned field no larger than max.
func (r *reader) uint(max uint64) uint64 {
	if !r.next() {
		return 0
	}
	v, err := r.decUint()
	if err == nil && v > max {
		err = fmt.Errorf("%w: %d > %d", errRange, v, max)
	}
	if err != nil {
		r.fail(err)
		return 0
	}
	return v
}

// uint8 reads a uint8 field.
func (r *reader) uint8() uint8 { return uint8(r.uint(math.MaxUint8)) }

// uint32 reads a uint32 field.
func (r *reader) uint32() uint32 { return uint32(r.uint(math.MaxUint32)) }

// uint64 reads a uint64 field.
func (r *reader) uint64() uint64 { return r.uint(math.MaxUint64) }

// int64 reads an int64 field.
func (r *reader) int64() int64 {
	if !r.next() {
		return 0
	}
	v, err := r.decInt()
	r.fail(err)
	return v
}

// bool reads a bool field.
func (r *reader) bool() bool {
	if !r.next() {
		return false
	}
	v, err := r.decBool()
	r.fail(err)
	return v
}

// str reads a string field.
func (r *reader) str() string {
	if !r.next() {
		return ""
	}
	return r.readStr()
}

// strs reads a []string field; an empty array gives nil.
func (r *reader) strs() []string {
	if !r.next() {
		return nil
	}
	n := r.arrayLen()
	if n <= 0 {
		return nil
	}
	s := make([]string, 0, r.hint(n))
	for range n {
		v := r.readStr()
		if r.err != nil {
			return nil
		}
		s = append(s, v)
	}
	return s
}

// custom reads a map[string][]byte field; an empty map gives nil.
func (r *reader) custom() map[string][]byte {
	if !r.next() {
		return nil
	}
	n := r.mapLen()
	if n <= 0 {
		return nil
	}
	m := make(map[string][]byte, r.hint(n))
	for range n {
		k, v := r.readStr(), r.readBytes()
		if _, dup := m[k]; dup && r.err == nil {
			r.fail(fmt.Errorf("%w %q", errDupKey, k))
		}
		if r.err != nil {
			return nil
		}
		m[k] = v
	}
	return m
}

// arrayLen reads an array header; nil gives 0.
func (r *reader) arrayLen() int {
	n, err := r.decArrayLen()
	if err == nil && !r.fits(n, 1) {
		err = errLength
	}
	if err != nil {
		r.fail(err)
		return 0
	}
	return n
}

// mapLen reads a map header; nil gives 0.
func (r *reader) mapLen() int {
	n, err := r.decMapLen()
	if err == nil && !r.fits(n, 2) {
		err = errLength
	}
	if err != nil {
		r.fail(err)
		return 0
	}
	return n
}

// readStr reads a string value (str or bin); nil gives "". The result
// does not alias the input: it is a copy, or in bytes mode a piece of the
// record's one shared copy.
func (r *reader) readStr() string {
	if r.err != nil {
		return ""
	}
	p := r.payload()
	if r.d != nil || len(p) == 0 {
		return string(p)
	}
	if r.whole == "" {
		r.whole = string(r.in)
	}
	end := r.off // payload just consumed p, which ends here
	return r.whole[end-len(p) : end]
}

// readBytes reads a bin value (or str) as a fresh slice; nil and empty
// give nil.
func (r *reader) readBytes() []byte {
	if r.err != nil {
		return nil
	}
	b := r.payload()
	if len(b) == 0 {
		return nil
	}
	return bytes.Clone(b)
}

// payload reads a str or bin header and returns its bytes. In bytes mode
// they alias the input: copy before keeping them.
func (r *reader) payload() []byte {
	n, err := r.decBytesLen()
	if err != nil {
		r.fail(err)
		return nil
	}
	return r.take(n)
}

// take consumes the next n raw bytes; n <= 0 takes none.
func (r *reader) take(n int) []byte {
	if n <= 0 || r.err != nil {
		return nil
	}
	if !r.fits(n, 1) {
		r.fail(errLength)
		return nil
	}
	if r.d == nil {
		b := r.in[r.off : r.off+n]
		r.off += n
		return b
	}
	b, err := io.ReadAll(io.LimitReader(r.d.Buffered(), int64(n)))
	if err == nil && len(b) < n {
		err = io.ErrUnexpectedEOF
	}
	r.fail(err)
	return b
}

// discard consumes the next n raw bytes without keeping them.
func (r *reader) discard(n int) {
	if r.d == nil || n <= 0 {
		r.take(n)
		return
	}
	_, err := io.CopyN(io.Discard, r.d.Buffered(), int64(n))
	r.fail(err)
}

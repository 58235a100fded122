package codec

import "github.com/vmihailenco/msgpack/v5/msgpcode"

// skip consumes n whole values, such as the fields a newer writer
// appended. It walks nested arrays and maps with a counter instead of
// recursion, so hostile nesting costs neither stack nor memory, and
// msgpack's own Skip, which may allocate a buffer as large as a declared
// (possibly bogus) length, is used only for fixed-size scalars.
func (r *reader) skip(n int) {
	for pending := n; pending > 0 && r.err == nil; pending-- {
		if !r.fits(pending, 1) {
			r.fail(errLength)
			return
		}
		pending += r.skipOne()
	}
}

// skipOne consumes one value's header and payload and returns how many
// nested values follow it.
func (r *reader) skipOne() int {
	c, err := r.peekCode()
	switch {
	case err != nil:
		r.fail(err)
	case isArray(c):
		n, err := r.decArrayLen()
		r.fail(err)
		return max(n, 0)
	case isMap(c):
		n, err := r.decMapLen()
		r.fail(err)
		return 2 * max(n, 0)
	case msgpcode.IsString(c) || msgpcode.IsBin(c):
		n, err := r.decBytesLen()
		r.fail(err)
		r.discard(n)
	case msgpcode.IsExt(c):
		n, err := r.decExtHeader()
		r.fail(err)
		r.discard(n)
	default: // nil, bool, numbers (at most 9 bytes) or an invalid code
		r.fail(r.decSkipScalar())
	}
	return 0
}

// isArray reports whether c starts an array.
func isArray(c byte) bool {
	return msgpcode.IsFixedArray(c) || c == msgpcode.Array16 || c == msgpcode.Array32
}

// isMap reports whether c starts a map.
func isMap(c byte) bool {
	return msgpcode.IsFixedMap(c) || c == msgpcode.Map16 || c == msgpcode.Map32
}

package codec

import (
	"slices"

	"github.com/vmihailenco/msgpack/v5"
)

// writer encodes the fields of one record and keeps the first error, so
// EncodeMsgpack methods read as a plain list of fields.
type writer struct {
	e   *msgpack.Encoder
	aw  *appendWriter // non-nil when e is a pooled encoder
	err error
}

// begin writes the record header: an array of fields+1 elements whose
// first element is version.
func (w *writer) begin(e *msgpack.Encoder, version uint64, fields int) {
	w.e = e
	w.aw, _ = e.Writer().(*appendWriter)
	w.keep(e.EncodeArrayLen(fields + 1))
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
	w.keep(w.e.EncodeUint(v))
}

// int writes v in the fewest bytes.
func (w *writer) int(v int64) {
	w.keep(w.e.EncodeInt(v))
}

// bool writes v.
func (w *writer) bool(v bool) {
	w.keep(w.e.EncodeBool(v))
}

// str writes s as a msgpack string.
func (w *writer) str(s string) {
	w.keep(w.e.EncodeString(s))
}

// bytes writes b as msgpack bin; empty and nil both write nil.
func (w *writer) bytes(b []byte) {
	if len(b) == 0 {
		w.keep(w.e.EncodeNil())
		return
	}
	w.keep(w.e.EncodeBytes(b))
}

// strs writes s as an array of strings; empty and nil both write nil.
func (w *writer) strs(s []string) {
	if len(s) == 0 {
		w.keep(w.e.EncodeNil())
		return
	}
	w.keep(w.e.EncodeArrayLen(len(s)))
	for _, v := range s {
		w.str(v)
	}
}

// custom writes m as a map with its keys in increasing order, so the same
// map always gives the same bytes; empty and nil both write nil.
func (w *writer) custom(m map[string][]byte) {
	if len(m) == 0 {
		w.keep(w.e.EncodeNil())
		return
	}
	keys := w.scratch()
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	w.keep(w.e.EncodeMapLen(len(keys)))
	for _, k := range keys {
		w.str(k)
		w.bytes(m[k])
	}
	w.release(keys)
}

// scratch returns an empty slice for map keys, reused when the encoder
// is a pooled one.
func (w *writer) scratch() []string {
	if w.aw == nil {
		return nil
	}
	return w.aw.keys[:0]
}

// release hands keys back to the pooled encoder, cleared so the pool
// does not pin the caller's strings.
func (w *writer) release(keys []string) {
	if w.aw == nil || cap(keys) > maxScratchKeys {
		return
	}
	clear(keys)
	w.aw.keys = keys[:0]
}

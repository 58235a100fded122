package codec

import (
	"sync"

	"github.com/vmihailenco/msgpack/v5"
)

// maxScratchKeys bounds the key scratch slice kept in a pooled encoder, so
// one huge map does not pin memory in the pool.
const maxScratchKeys = 256

// appendWriter is the io.Writer and io.ByteWriter behind a pooled encoder:
// it appends to b, the caller's buffer, and never fails.
type appendWriter struct {
	b []byte
	// keys is scratch space for sorting map keys.
	keys []string
}

// Write appends p to w.b.
func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// WriteByte appends c to w.b.
func (w *appendWriter) WriteByte(c byte) error {
	w.b = append(w.b, c)
	return nil
}

// encoderState is a pooled encoder writing into its own appendWriter.
type encoderState struct {
	w   appendWriter
	enc *msgpack.Encoder
}

var encoderPool = sync.Pool{New: func() any { return newEncoderState() }}

// newEncoderState returns an encoder bound to its writer once and for all;
// Append only swaps the buffer, so flags set here are never cleared.
func newEncoderState() *encoderState {
	s := &encoderState{enc: msgpack.NewEncoder(nil)}
	s.enc.UseCompactInts(true)
	s.enc.ResetWriter(&s.w)
	return s
}

// getEncoder returns a pooled encoder that appends to dst.
func getEncoder(dst []byte) *encoderState {
	s := encoderPool.Get().(*encoderState)
	s.w.b = dst
	return s
}

// putEncoder returns s to the pool without keeping the caller's buffer.
func putEncoder(s *encoderState) {
	s.w.b = nil
	encoderPool.Put(s)
}

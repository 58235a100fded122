// Package codec owns every value kith stores: the record types (Profile,
// FriendEdge, Application, BlockEdge, Group, Counters, Event) and their
// byte encoding. Package index owns the keys; codec owns what is stored
// under them.
//
// # Main calls
//
// Append encodes a record onto a caller's buffer, like
// binary.AppendUvarint; it does not allocate when the buffer has room. It
// writes the msgpack bytes itself (write.go), without msgpack's Encoder.
// Decode decodes exactly one record from a byte slice: it parses the
// msgpack itself (decode_bytes.go), without msgpack's Decoder, and gives
// all the strings of a record one shared allocation. Every record type
// implements Record through its pointer; its EncodeMsgpack and
// DecodeMsgpack, for msgpack's own Encoder and Decoder, write and read the
// same fields through them, and FuzzDecode checks that both paths agree
// on every input.
//
// # Wire format
//
// A record is a msgpack array. Its first element is the record version
// (an unsigned integer, ProfileVersion and so on, currently 1 for all),
// followed by the fields in the order of the struct declaration:
//
//	[version, field1, field2, ...]
//
// Integers use the shortest msgpack encoding. Strings are msgpack str;
// byte slices are msgpack bin. An empty or nil slice or map is written as
// msgpack nil and always decodes as nil. Map keys are written in
// increasing order, so encoding the same record always gives the same
// bytes. The encoding of one Profile and one FriendEdge is pinned by a
// golden test.
//
// # Compatibility
//
// Fields are only ever appended at the end of a record, never removed,
// reordered or retyped; a field no longer used keeps its slot. Adding a
// field does not change the version. So:
//
//   - a reader decodes data from an older writer: fields missing at the
//     end get their zero value;
//   - a reader decodes data from a newer writer: fields it does not know
//     are skipped.
//
// To add a field: append it to the struct, raise the record's field count
// in records_msgpack.go, append one line to its encode and
// decode methods, and choose a meaning for the zero value, which is what
// records written before the change decode to. TestFieldCount fails if the
// encoder misses the new field.
//
// The version changes only for a change that old readers must refuse;
// Decode rejects version 0 and any version above the one it knows with an
// error wrapping ErrCorrupt. The msgpack "as_array" struct tag and
// reflection-based encoding are never used: with them a single added
// field breaks old readers.
//
// # Errors
//
// Decode returns an error wrapping ErrCorrupt for any input that is not
// exactly one valid record: truncated or malformed msgpack, a value out of
// its field's range, a duplicate map key, trailing bytes, or an unknown
// version. It never panics on bad input and allocates at most in
// proportion to the input's length.
//
// # Concurrency
//
// Append and Decode are safe for concurrent use; they share no state. A
// record value itself is not synchronised.
//
// # Status
//
// codec is a building block with no compatibility promise of its own; use
// package engine, which re-exports the record types and ErrCorrupt.
package codec

package index

import "fmt"

// Key is a parsed key: the kind byte and the components, named by the role
// they play rather than by position so that callers need not remember which
// kind stores which user first. Fields a kind does not use stay zero, so two
// Keys of the same stored key compare equal with ==.
type Key struct {
	// Kind is the kind byte, one of the Kind constants.
	Kind byte
	// Owner is the first string component: the user whose lists the key
	// belongs to. For F it is the friend, for B the target, for a the
	// receiver ("to"), for A the sender ("from"), for z the meta name.
	Owner string
	// Peer is the other user: the second component of f, F, b, B, a and A,
	// and the third component (the friend) of m.
	Peer string
	// Group is the group name of g and m keys.
	Group string
	// Seq is the sequence number of e keys.
	Seq uint64
}

// field names one component of a key in the order it is stored.
type field uint8

const (
	fieldNone field = iota
	fieldOwner
	fieldPeer
	fieldGroup
	fieldSeq
)

// layout is the ordered list of components of one kind. It is a fixed array
// so that looking one up allocates nothing.
type layout [3]field

// layoutOf returns the components of kind, or false for an unknown kind.
// It is the single table Parse and Append share, so they cannot disagree.
func layoutOf(kind byte) (layout, bool) {
	switch kind {
	case KindProfile, KindCounters, KindMeta:
		return layout{fieldOwner}, true
	case KindFriend, KindFriendOf, KindBlock, KindBlockedBy, KindAppIn, KindAppOut:
		return layout{fieldOwner, fieldPeer}, true
	case KindGroup:
		return layout{fieldOwner, fieldGroup}, true
	case KindMember:
		return layout{fieldOwner, fieldGroup, fieldPeer}, true
	case KindEvent:
		return layout{fieldOwner, fieldSeq}, true
	}
	return layout{}, false
}

// Parse parses a whole key. It fails with an error wrapping ErrInvalidKey
// (use errors.Is) when the kind is unknown, a component is badly escaped or
// unterminated, the sequence number is short, or bytes follow the last
// component. It never panics, whatever the input. key is not retained; the
// strings of the result are copies.
func Parse(key []byte) (Key, error) {
	if len(key) == 0 {
		return Key{}, fmt.Errorf("%w: empty key", ErrInvalidKey)
	}
	k := Key{Kind: key[0]}
	lay, ok := layoutOf(k.Kind)
	if !ok {
		return Key{}, fmt.Errorf("%w: unknown kind %q in key %q", ErrInvalidKey, k.Kind, key)
	}
	rest := key[1:]
	for i, f := range lay {
		var err error
		if rest, err = k.read(f, rest); err != nil {
			return Key{}, fmt.Errorf("%w (kind %q, component %d, key %q)", err, k.Kind, i+1, key)
		}
	}
	if len(rest) != 0 {
		return Key{}, fmt.Errorf("%w: %d trailing bytes in key %q", ErrInvalidKey, len(rest), key)
	}
	return k, nil
}

// read decodes component f from the front of src into k.
func (k *Key) read(f field, src []byte) (rest []byte, err error) {
	switch f {
	case fieldOwner:
		k.Owner, rest, err = ReadString(src)
	case fieldPeer:
		k.Peer, rest, err = ReadString(src)
	case fieldGroup:
		k.Group, rest, err = ReadString(src)
	case fieldSeq:
		k.Seq, rest, err = readUint64(src)
	default:
		rest = src
	}
	return rest, err
}

// Append appends the encoding of k: the inverse of Parse, so that
// Append(Parse(b)) == b for every valid key b. Fields k's kind does not use
// are ignored. For a kind Parse would reject, Append appends nothing and
// returns dst unchanged rather than invent bytes that could not be read
// back.
func (k Key) Append(dst []byte) []byte {
	lay, ok := layoutOf(k.Kind)
	if !ok {
		return dst
	}
	dst = append(dst, k.Kind)
	for _, f := range lay {
		dst = k.write(f, dst)
	}
	return dst
}

// write appends component f of k.
func (k Key) write(f field, dst []byte) []byte {
	switch f {
	case fieldOwner:
		return AppendString(dst, k.Owner)
	case fieldPeer:
		return AppendString(dst, k.Peer)
	case fieldGroup:
		return AppendString(dst, k.Group)
	case fieldSeq:
		return AppendUint64(dst, k.Seq)
	}
	return dst
}

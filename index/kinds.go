package index

import "slices"

// Kind bytes. The first byte of every key says what the key is.
//
// These values are part of the on-disk format: never change or reuse one.
// They are pinned by TestKindBytesGolden. They are printable ASCII so that a
// raw key dump stays readable, and a lowercase/uppercase pair marks an edge
// and its reverse edge.
const (
	KindProfile   byte = 'p' // p/uid                    profile record
	KindFriend    byte = 'f' // f/owner/friend           owner's list holds friend
	KindFriendOf  byte = 'F' // F/friend/owner           reverse edge
	KindBlock     byte = 'b' // b/owner/target           owner blocked target
	KindBlockedBy byte = 'B' // B/target/owner           reverse block
	KindAppIn     byte = 'a' // a/to/from                pending application received by to
	KindAppOut    byte = 'A' // A/from/to                same application from sender's side
	KindGroup     byte = 'g' // g/owner/group            friend group
	KindMember    byte = 'm' // m/owner/group/friend     group membership
	KindCounters  byte = 'c' // c/owner                  counters
	KindEvent     byte = 'e' // e/owner/seq              per-user change log, seq 8-byte big-endian
	KindMeta      byte = 'z' // z/name                   store-wide metadata
)

// Profile appends the key of uid's profile record.
func Profile(dst []byte, uid string) []byte {
	return appendKey1(dst, KindProfile, uid)
}

// Friend appends the key of the directed edge "owner's list holds friend".
func Friend(dst []byte, owner, friend string) []byte {
	return appendKey2(dst, KindFriend, owner, friend)
}

// FriendOf appends the reverse of Friend(owner, friend). It is keyed by
// friend first so that "who holds me in their list" is one prefix scan.
func FriendOf(dst []byte, friend, owner string) []byte {
	return appendKey2(dst, KindFriendOf, friend, owner)
}

// Block appends the key of "owner blocked target".
func Block(dst []byte, owner, target string) []byte {
	return appendKey2(dst, KindBlock, owner, target)
}

// BlockedBy appends the reverse of Block(owner, target), keyed by target
// first so that "who blocked me" is one prefix scan.
func BlockedBy(dst []byte, target, owner string) []byte {
	return appendKey2(dst, KindBlockedBy, target, owner)
}

// AppIn appends the key of the pending application from "from", as listed
// by its receiver "to".
func AppIn(dst []byte, to, from string) []byte {
	return appendKey2(dst, KindAppIn, to, from)
}

// AppOut appends the key of the same application as AppIn, listed by its
// sender "from".
func AppOut(dst []byte, from, to string) []byte {
	return appendKey2(dst, KindAppOut, from, to)
}

// Group appends the key of owner's friend group named group.
func Group(dst []byte, owner, group string) []byte {
	return appendKey2(dst, KindGroup, owner, group)
}

// Member appends the key saying friend is in owner's group. The group comes
// before the friend so that one group's members are one prefix scan
// (GroupMembersPrefix).
func Member(dst []byte, owner, group, friend string) []byte {
	dst = slices.Grow(dst, 1+encodedLen(owner)+encodedLen(group)+encodedLen(friend))
	dst = append(dst, KindMember)
	dst = AppendString(dst, owner)
	dst = AppendString(dst, group)
	return AppendString(dst, friend)
}

// Counters appends the key of owner's counters record.
func Counters(dst []byte, owner string) []byte {
	return appendKey1(dst, KindCounters, owner)
}

// Event appends the key of owner's change-log entry number seq. Entries of
// one owner sort by seq because seq is fixed-width big-endian.
func Event(dst []byte, owner string, seq uint64) []byte {
	dst = slices.Grow(dst, 1+encodedLen(owner)+8)
	dst = append(dst, KindEvent)
	dst = AppendString(dst, owner)
	return AppendUint64(dst, seq)
}

// Meta appends the key of the store-wide metadata entry name.
func Meta(dst []byte, name string) []byte {
	return appendKey1(dst, KindMeta, name)
}

// appendKey1 appends a key made of kind and one string component.
func appendKey1(dst []byte, kind byte, a string) []byte {
	dst = slices.Grow(dst, 1+encodedLen(a))
	dst = append(dst, kind)
	return AppendString(dst, a)
}

// appendKey2 appends a key made of kind and two string components.
func appendKey2(dst []byte, kind byte, a, b string) []byte {
	dst = slices.Grow(dst, 1+encodedLen(a)+encodedLen(b))
	dst = append(dst, kind)
	dst = AppendString(dst, a)
	return AppendString(dst, b)
}

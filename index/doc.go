// Package index owns every KEY of kith: the kind bytes, the order-preserving
// encoding of key components, the constructors for each kind of key, the
// parser that turns a stored key back into its parts, and the prefix bounds
// used to scan one user's lists.
//
// # Building block
//
// index is a building block of package engine. It has no compatibility
// promise of its own: its Go API may change in any release. The bytes it
// produces are part of the on-disk format and are pinned by golden tests.
// Applications should use package engine.
//
// # Key layout
//
// Every key is one kind byte followed by its components (DESIGN.md §2):
//
//	p/uid                  profile record              (KindProfile)
//	f/owner/friend         owner's list holds friend   (KindFriend)
//	F/friend/owner         reverse edge                (KindFriendOf)
//	b/owner/target         owner blocked target        (KindBlock)
//	B/target/owner         reverse block               (KindBlockedBy)
//	a/to/from              application received by to  (KindAppIn)
//	A/from/to              the same, sent by from      (KindAppOut)
//	g/owner/group          friend group                (KindGroup)
//	m/owner/group/friend   group membership            (KindMember)
//	c/owner                counters                    (KindCounters)
//	e/owner/seq            per-user change log         (KindEvent)
//	z/name                 store-wide metadata         (KindMeta)
//
// The slashes above are for reading only; they are not stored.
//
// # Encoding
//
// A string component (user ID, group name, meta name) is written with every
// 0x00 byte replaced by 0x00 0xFF and is followed by the terminator 0x00 0x01.
// Any byte string, including the empty string and strings holding 0x00 or
// 0xFF, is therefore a legal component, and:
//
//   - bytes.Compare of two keys of one kind equals the lexicographic
//     comparison of their component tuples, so keys sort by (owner, peer);
//   - no encoded component is a prefix of another, so the prefix of one
//     owner never matches a key of a different owner (for example "ab" and
//     "a" followed by "b");
//   - every key has exactly one encoding, so Parse followed by Append gives
//     back the same bytes.
//
// An integer component (the event sequence number) is 8 bytes big-endian,
// which sorts like the number.
//
// # Buffers
//
// Every function that produces bytes appends to a caller's dst and returns
// the extended slice, like binary.AppendUvarint: nothing is allocated when
// dst has room. The caller owns dst and the result. Functions that take a
// byte slice (ReadString, Parse, PrefixEnd) never modify or retain it; the
// strings they return are copies.
//
// # Concurrency
//
// The package holds no state: every function is pure and safe for
// concurrent use.
package index

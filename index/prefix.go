package index

import "slices"

// Prefix appends kind followed by the encoded owner: the common prefix of
// every key of that kind whose first component is owner, e.g. all of
// owner's friends for KindFriend. Because string components are
// terminated, it matches no key of another owner, even one that owner is a
// prefix of. Use it as an iterator's LowerBound and PrefixEnd of it as the
// UpperBound.
func Prefix(dst []byte, kind byte, owner string) []byte {
	return appendKey1(dst, kind, owner)
}

// GroupMembersPrefix appends the common prefix of every m key of (owner,
// group): the members of one friend group.
func GroupMembersPrefix(dst []byte, owner, group string) []byte {
	return appendKey2(dst, KindMember, owner, group)
}

// PrefixEnd appends to dst the smallest key greater than every key that
// starts with prefix, for use as an iterator's exclusive UpperBound: prefix
// with its trailing 0xFF bytes dropped and the last remaining byte
// incremented. When prefix is empty or all 0xFF no such key exists and
// PrefixEnd returns nil, meaning "no upper bound"; dst is then left
// untouched. The keys of this package never hit that case, since every
// prefix starts with an ASCII kind byte. prefix is not modified.
func PrefixEnd(dst, prefix []byte) []byte {
	i := len(prefix) - 1
	for i >= 0 && prefix[i] == 0xFF {
		i--
	}
	if i < 0 {
		return nil
	}
	dst = slices.Grow(dst, i+1)
	dst = append(dst, prefix[:i]...)
	return append(dst, prefix[i]+1)
}

package index_test

import (
	"slices"
	"strings"

	"github.com/kithdb/kith/index"
)

// built is one key made by a constructor, with the Key that Parse must
// return for it.
type built struct {
	name string
	key  []byte
	want index.Key
}

// buildAll makes one key of every kind from the same arguments, each with
// its own constructor (not Key.Append, so that the two are checked against
// each other). owner is always the first string component. dst is clipped
// so that the keys never share memory.
func buildAll(dst []byte, owner, peer, group string, seq uint64) []built {
	dst = slices.Clip(dst)
	k := func(kind byte, p, g string, s uint64) index.Key {
		return index.Key{Kind: kind, Owner: owner, Peer: p, Group: g, Seq: s}
	}
	return []built{
		{"Profile", index.Profile(dst, owner), k(index.KindProfile, "", "", 0)},
		{"Friend", index.Friend(dst, owner, peer), k(index.KindFriend, peer, "", 0)},
		{"FriendOf", index.FriendOf(dst, owner, peer), k(index.KindFriendOf, peer, "", 0)},
		{"Block", index.Block(dst, owner, peer), k(index.KindBlock, peer, "", 0)},
		{"BlockedBy", index.BlockedBy(dst, owner, peer), k(index.KindBlockedBy, peer, "", 0)},
		{"AppIn", index.AppIn(dst, owner, peer), k(index.KindAppIn, peer, "", 0)},
		{"AppOut", index.AppOut(dst, owner, peer), k(index.KindAppOut, peer, "", 0)},
		{"Group", index.Group(dst, owner, group), k(index.KindGroup, "", group, 0)},
		{"Member", index.Member(dst, owner, group, peer), k(index.KindMember, peer, group, 0)},
		{"Counters", index.Counters(dst, owner), k(index.KindCounters, "", "", 0)},
		{"Event", index.Event(dst, owner, seq), k(index.KindEvent, "", "", seq)},
		{"Meta", index.Meta(dst, owner), k(index.KindMeta, "", "", 0)},
	}
}

// pairKinds are the kinds whose key is (owner, peer).
var pairKinds = []struct {
	name  string
	build func(dst []byte, owner, peer string) []byte
}{
	{"Friend", index.Friend},
	{"FriendOf", index.FriendOf},
	{"Block", index.Block},
	{"BlockedBy", index.BlockedBy},
	{"AppIn", index.AppIn},
	{"AppOut", index.AppOut},
	{"Group", index.Group},
	{"MemberGroupFriend", func(dst []byte, owner, peer string) []byte {
		return index.Member(dst, owner, peer, "")
	}},
}

// tricky are component values that stress the escape: empty, the escape
// and terminator bytes alone and combined, 0xFF, and prefixes of each other.
var tricky = []string{
	"", "\x00", "\x00\x00", "\x00\x01", "\x00\xff", "\x01", "\x01\x00",
	"a", "a\x00", "a\x00b", "a\x01", "ab", "b", "\xfe", "\xff", "\xff\x00", "\xff\xff",
}

// cmpTuple compares two tuples of strings lexicographically by bytes.
func cmpTuple(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if c := strings.Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return len(a) - len(b)
}

// sign maps a comparison result to -1, 0 or +1.
func sign(c int) int {
	switch {
	case c < 0:
		return -1
	case c > 0:
		return 1
	}
	return 0
}

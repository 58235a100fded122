package index_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/kithdb/kith/index"
)

// addStringSeeds seeds a fuzz target taking four strings with the
// interesting shapes of component values.
func addStringSeeds(f *testing.F) {
	f.Add("alice", "bob", "work", "carol")        // plain IDs
	f.Add("", "", "", "")                         // empty components
	f.Add("a", "a\x00", "ab", "a\x01")            // a prefix of the others, and escape bytes
	f.Add("\x00", "\x00\x01", "\x00\xff", "\x01") // raw escape and terminator sequences
	f.Add("\xff", "\xff\xff", "\xfe", "\xff\x00") // high bytes, near PrefixEnd
	f.Add("a\x00\x01b", "a", "a\x00\x01", "b")    // owner containing an encoded terminator
}

// FuzzRoundTrip: every constructor's key parses back to its components and
// re-encodes to the same bytes.
func FuzzRoundTrip(f *testing.F) {
	f.Add("alice", "bob", "work", uint64(1))       // plain
	f.Add("", "", "", uint64(0))                   // empty components, seq 0
	f.Add("a\x00", "\x00\x01", "\xff", ^uint64(0)) // escape bytes, max seq
	f.Add("\x00\xff", "\x01\x00", "g\x00\x00", uint64(1<<63))
	f.Fuzz(func(t *testing.T, owner, peer, group string, seq uint64) {
		for _, b := range buildAll(nil, owner, peer, group, seq) {
			checkRoundTrip(t, b)
		}
		s, rest, err := index.ReadString(index.AppendString(nil, owner))
		if err != nil || s != owner || len(rest) != 0 {
			t.Fatalf("ReadString(AppendString(%q)) = %q, %q, %v", owner, s, rest, err)
		}
		b, rest, err := index.ReadStringTo(nil, index.AppendString(nil, owner))
		if err != nil || string(b) != owner || len(rest) != 0 {
			t.Fatalf("ReadStringTo(AppendString(%q)) = %q, %q, %v", owner, b, rest, err)
		}
	})
}

// FuzzOrder: for every (owner, peer) kind, bytes.Compare of two keys equals
// the lexicographic comparison of their (owner, peer) tuples.
func FuzzOrder(f *testing.F) {
	addStringSeeds(f)
	f.Fuzz(func(t *testing.T, o1, p1, o2, p2 string) {
		want := sign(cmpTuple([]string{o1, p1}, []string{o2, p2}))
		for _, pk := range pairKinds {
			k1, k2 := pk.build(nil, o1, p1), pk.build(nil, o2, p2)
			if got := bytes.Compare(k1, k2); got != want {
				t.Fatalf("%s: Compare(%q, %q) = %d, tuple order %d", pk.name, k1, k2, got, want)
			}
		}
		want = sign(cmpTuple([]string{o1}, []string{o2}))
		if got := bytes.Compare(index.Profile(nil, o1), index.Profile(nil, o2)); got != want {
			t.Fatalf("Profile(%q) vs Profile(%q) = %d, want %d", o1, o2, got, want)
		}
	})
}

// FuzzParseGarbage: arbitrary bytes never panic Parse; a failure is
// ErrInvalidKey; a success re-encodes to exactly the input, so no key has
// two encodings.
func FuzzParseGarbage(f *testing.F) {
	f.Add([]byte(""))                          // empty
	f.Add([]byte("x"))                         // unknown kind
	f.Add(index.Friend(nil, "a", "b"))         // valid pair key
	f.Add(index.Member(nil, "o\x00", "g", "")) // valid three-component key
	f.Add(index.Event(nil, "u", 258))          // valid key with a seq
	f.Add([]byte("pa\x00\x02\x00\x01"))        // bad escape
	f.Add([]byte("pa\x00\x01x"))               // trailing byte
	f.Add([]byte("eu\x00\x01\x00\x00\x00"))    // short seq
	f.Add([]byte("fa\x00"))                    // cut terminator
	f.Fuzz(func(t *testing.T, data []byte) {
		in := bytes.Clone(data)
		k, err := index.Parse(data)
		if !bytes.Equal(in, data) {
			t.Fatalf("Parse modified its input")
		}
		if err != nil {
			if !errors.Is(err, index.ErrInvalidKey) {
				t.Fatalf("Parse(%q) error %v does not wrap ErrInvalidKey", data, err)
			}
			return
		}
		if re := k.Append(nil); !bytes.Equal(re, data) {
			t.Fatalf("Append(Parse(%q)) = %q", data, re)
		}
	})
}

// FuzzNoOwnerPrefix: the prefix of one owner matches no key of a different
// owner, and does match every key of its own owner, below PrefixEnd.
func FuzzNoOwnerPrefix(f *testing.F) {
	addStringSeeds(f)
	f.Fuzz(func(t *testing.T, a, b, peer, group string) {
		if a == b {
			return
		}
		for _, k := range buildAll(nil, b, peer, group, 7) {
			if p := index.Prefix(nil, k.want.Kind, a); bytes.HasPrefix(k.key, p) {
				t.Fatalf("Prefix(%q, %q) = %q is a prefix of %s key %q of %q", k.want.Kind, a, p, k.name, k.key, b)
			}
			own := index.Prefix(nil, k.want.Kind, b)
			if !bytes.HasPrefix(k.key, own) || bytes.Compare(k.key, index.PrefixEnd(nil, own)) >= 0 {
				t.Fatalf("%s key %q outside the bounds of its own owner %q", k.name, k.key, b)
			}
		}
		if p := index.GroupMembersPrefix(nil, a, group); bytes.HasPrefix(index.Member(nil, b, group, peer), p) {
			t.Fatalf("GroupMembersPrefix(%q, %q) matches a member key of %q", a, group, b)
		}
	})
}

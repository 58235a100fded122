package index_test

import (
	"bytes"
	"testing"

	"github.com/kithdb/kith/index"
)

// TestKindBytesGolden pins the kind bytes: they are part of the on-disk
// format and must never change.
func TestKindBytesGolden(t *testing.T) {
	golden := []struct {
		name string
		got  byte
		want byte
	}{
		{"KindProfile", index.KindProfile, 'p'},
		{"KindFriend", index.KindFriend, 'f'},
		{"KindFriendOf", index.KindFriendOf, 'F'},
		{"KindBlock", index.KindBlock, 'b'},
		{"KindBlockedBy", index.KindBlockedBy, 'B'},
		{"KindAppIn", index.KindAppIn, 'a'},
		{"KindAppOut", index.KindAppOut, 'A'},
		{"KindGroup", index.KindGroup, 'g'},
		{"KindMember", index.KindMember, 'm'},
		{"KindCounters", index.KindCounters, 'c'},
		{"KindEvent", index.KindEvent, 'e'},
		{"KindMeta", index.KindMeta, 'z'},
	}
	seen := map[byte]string{}
	for _, g := range golden {
		if g.got != g.want {
			t.Errorf("%s = %q, want %q (kind bytes are part of the format)", g.name, g.got, g.want)
		}
		if prev, ok := seen[g.got]; ok {
			t.Errorf("%s and %s share kind byte %q", prev, g.name, g.got)
		}
		seen[g.got] = g.name
	}
}

// TestKeyBytesGolden pins the exact bytes of a few keys: any change here is
// a change of the on-disk format.
func TestKeyBytesGolden(t *testing.T) {
	golden := []struct {
		name string
		got  []byte
		want []byte
	}{
		{"Friend", index.Friend(nil, "a", "b"), []byte{'f', 'a', 0, 1, 'b', 0, 1}},
		{"FriendOf", index.FriendOf(nil, "b", "a"), []byte{'F', 'b', 0, 1, 'a', 0, 1}},
		{"Block", index.Block(nil, "a", "b"), []byte{'b', 'a', 0, 1, 'b', 0, 1}},
		{"BlockedBy", index.BlockedBy(nil, "b", "a"), []byte{'B', 'b', 0, 1, 'a', 0, 1}},
		{"AppIn", index.AppIn(nil, "to", "fr"), []byte{'a', 't', 'o', 0, 1, 'f', 'r', 0, 1}},
		{"AppOut", index.AppOut(nil, "fr", "to"), []byte{'A', 'f', 'r', 0, 1, 't', 'o', 0, 1}},
		{"ProfileEmpty", index.Profile(nil, ""), []byte{'p', 0, 1}},
		{"ProfileZero", index.Profile(nil, "a\x00b"), []byte{'p', 'a', 0, 0xFF, 'b', 0, 1}},
		{"ProfileFF", index.Profile(nil, "\xff\x01"), []byte{'p', 0xFF, 1, 0, 1}},
		{"Group", index.Group(nil, "o", "g"), []byte{'g', 'o', 0, 1, 'g', 0, 1}},
		{"Member", index.Member(nil, "o", "g", "f"), []byte{'m', 'o', 0, 1, 'g', 0, 1, 'f', 0, 1}},
		{"Counters", index.Counters(nil, "o"), []byte{'c', 'o', 0, 1}},
		{"Event", index.Event(nil, "u", 0x0102), []byte{'e', 'u', 0, 1, 0, 0, 0, 0, 0, 0, 1, 2}},
		{"Meta", index.Meta(nil, "v"), []byte{'z', 'v', 0, 1}},
		{"Prefix", index.Prefix(nil, index.KindFriend, "a"), []byte{'f', 'a', 0, 1}},
		{"GroupMembersPrefix", index.GroupMembersPrefix(nil, "o", "g"), []byte{'m', 'o', 0, 1, 'g', 0, 1}},
		{"PrefixEnd", index.PrefixEnd(nil, []byte{'f', 'a', 0, 1}), []byte{'f', 'a', 0, 2}},
		{"AppendString", index.AppendString(nil, "\x00"), []byte{0, 0xFF, 0, 1}},
		{"AppendUint64", index.AppendUint64(nil, 1), []byte{0, 0, 0, 0, 0, 0, 0, 1}},
	}
	for _, g := range golden {
		if !bytes.Equal(g.got, g.want) {
			t.Errorf("%s = %q, want %q", g.name, g.got, g.want)
		}
	}
}

// TestConstructorsRoundTrip builds every kind from tricky components and
// checks that Parse recovers them and Key.Append gives the same bytes.
func TestConstructorsRoundTrip(t *testing.T) {
	seqs := []uint64{0, 1, 255, 256, 1<<63 - 1, 1 << 63, ^uint64(0)}
	for i, owner := range tricky {
		peer := tricky[(i+1)%len(tricky)]
		group := tricky[(i+5)%len(tricky)]
		seq := seqs[i%len(seqs)]
		for _, b := range buildAll(nil, owner, peer, group, seq) {
			checkRoundTrip(t, b)
		}
	}
}

// checkRoundTrip asserts Parse(b.key) == b.want and b.want.Append == b.key,
// also when appending after existing bytes.
func checkRoundTrip(t *testing.T, b built) {
	t.Helper()
	got, err := index.Parse(b.key)
	if err != nil {
		t.Fatalf("%s: Parse(%q): %v", b.name, b.key, err)
	}
	if got != b.want {
		t.Fatalf("%s: Parse(%q) = %+v, want %+v", b.name, b.key, got, b.want)
	}
	if re := got.Append(nil); !bytes.Equal(re, b.key) {
		t.Fatalf("%s: Append(Parse(%q)) = %q", b.name, b.key, re)
	}
	if re := got.Append([]byte("xy")); !bytes.Equal(re, append([]byte("xy"), b.key...)) {
		t.Fatalf("%s: Append after existing bytes = %q", b.name, re)
	}
}

// TestConstructorsAppend checks that constructors append to dst and keep
// what was there, as the encoders of binary do.
func TestConstructorsAppend(t *testing.T) {
	for _, b := range buildAll([]byte("xy"), "o", "p", "g", 7) {
		if !bytes.HasPrefix(b.key, []byte("xy")) {
			t.Fatalf("%s dropped dst: %q", b.name, b.key)
		}
		checkRoundTrip(t, built{b.name, b.key[2:], b.want})
	}
}

// TestConstructorsNoAlloc checks the hot-path promise: no allocation when
// dst has room.
func TestConstructorsNoAlloc(t *testing.T) {
	buf := make([]byte, 0, 256)
	const owner, peer, group = "owner\x00with zero", "peer", "group"
	key := index.Friend(nil, owner, peer)
	parsed, err := index.Parse(key)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]func(){
		"Profile":   func() { buf = index.Profile(buf[:0], owner) },
		"Friend":    func() { buf = index.Friend(buf[:0], owner, peer) },
		"FriendOf":  func() { buf = index.FriendOf(buf[:0], owner, peer) },
		"Block":     func() { buf = index.Block(buf[:0], owner, peer) },
		"BlockedBy": func() { buf = index.BlockedBy(buf[:0], owner, peer) },
		"AppIn":     func() { buf = index.AppIn(buf[:0], owner, peer) },
		"AppOut":    func() { buf = index.AppOut(buf[:0], owner, peer) },
		"Group":     func() { buf = index.Group(buf[:0], owner, group) },
		"Member":    func() { buf = index.Member(buf[:0], owner, group, peer) },
		"Counters":  func() { buf = index.Counters(buf[:0], owner) },
		"Event":     func() { buf = index.Event(buf[:0], owner, 42) },
		"Meta":      func() { buf = index.Meta(buf[:0], owner) },
		"Prefix":    func() { buf = index.Prefix(buf[:0], index.KindBlock, owner) },
		"GroupMembersPrefix": func() {
			buf = index.GroupMembersPrefix(buf[:0], owner, group)
		},
		"PrefixEnd":    func() { buf = index.PrefixEnd(buf[:0], key) },
		"AppendString": func() { buf = index.AppendString(buf[:0], owner) },
		"AppendUint64": func() { buf = index.AppendUint64(buf[:0], 42) },
		"Key.Append":   func() { buf = parsed.Append(buf[:0]) },
	}
	for name, f := range cases {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s: %v allocs per run with room in dst, want 0", name, n)
		}
	}
}

// TestConstructorsGrowOnce checks that a constructor given too small a dst
// grows it once, not once per component.
func TestConstructorsGrowOnce(t *testing.T) {
	var buf []byte
	n := testing.AllocsPerRun(100, func() {
		buf = index.Member(nil, "owner\x00\x00", "group\x00", "friend")
	})
	if n != 1 {
		t.Errorf("Member(nil, ...): %v allocs, want 1", n)
	}
	_ = buf
}

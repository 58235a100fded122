package engine

// White-box test: Import assembles keys from pre-encoded IDs instead of
// calling the constructors of package index; they must agree.

import (
	"bytes"
	"testing"

	"github.com/kithdb/kith/codec"
	"github.com/kithdb/kith/index"
)

func TestImportKeysMatchIndex(t *testing.T) {
	ids := []string{"a", "bob", "x\x00y", "\x00", "用户", "zz\x00\x00"}
	enc := func(s string) []byte { return index.AppendString(nil, s) }
	for _, a := range ids {
		for _, b := range ids {
			for _, c := range []struct {
				got, want []byte
			}{
				{importKey(nil, index.KindFriend, enc(a), enc(b)), index.Friend(nil, a, b)},
				{importKey(nil, index.KindFriendOf, enc(a), enc(b)), index.FriendOf(nil, a, b)},
				{importKey(nil, index.KindBlock, enc(a), enc(b)), index.Block(nil, a, b)},
				{importKey(nil, index.KindBlockedBy, enc(a), enc(b)), index.BlockedBy(nil, a, b)},
				{importKey(nil, index.KindAppIn, enc(a), enc(b)), index.AppIn(nil, a, b)},
				{importKey(nil, index.KindAppOut, enc(a), enc(b)), index.AppOut(nil, a, b)},
				{importKey(nil, index.KindGroup, enc(a), enc(b)), index.Group(nil, a, b)},
				{importKey(nil, index.KindMember, enc(a), enc(b), enc(a)), index.Member(nil, a, b, a)},
				{importKey(nil, index.KindProfile, enc(a)), index.Profile(nil, a)},
				{importKey(nil, index.KindCounters, enc(a)), index.Counters(nil, a)},
			} {
				if !bytes.Equal(c.got, c.want) {
					t.Errorf("key %q, index builds %q", c.got, c.want)
				}
			}
		}
	}
}

// TestArena checks that records come back whole across chunk boundaries.
func TestArena(t *testing.T) {
	var a recordArena
	var want [][]byte
	for i := range 30000 {
		e := &FriendEdge{Remark: string(bytes.Repeat([]byte{'r'}, i%97)), AddedAt: int64(i)}
		n, err := a.add(e)
		if err != nil || n != i {
			t.Fatalf("add %d: %d, %v", i, n, err)
		}
		b, _ := codec.Append(nil, e)
		want = append(want, b)
	}
	if len(a.chunks) < 2 {
		t.Fatalf("%d chunks: the test does not cross a boundary", len(a.chunks))
	}
	for i, w := range want {
		if got := a.get(i); !bytes.Equal(got, w) {
			t.Fatalf("record %d: %x, want %x", i, got, w)
		}
	}
}

package index_test

import (
	"bytes"
	"testing"

	"github.com/kithdb/kith/index"
)

func TestPrefixEnd(t *testing.T) {
	cases := []struct {
		prefix string
		want   []byte // nil: no upper bound
	}{
		{"", nil},
		{"\xff", nil},
		{"\xff\xff\xff", nil},
		{"a", []byte("b")},
		{"a\xff", []byte("b")},
		{"a\xff\xff", []byte("b")},
		{"\xfe\xff", []byte("\xff")},
		{"\x00", []byte("\x01")},
		{"fa\x00\x01", []byte("fa\x00\x02")},
		{"a\xfeb", []byte("a\xfec")},
	}
	for _, c := range cases {
		prefix := []byte(c.prefix)
		got := index.PrefixEnd(nil, prefix)
		if !bytes.Equal(got, c.want) || (got == nil) != (c.want == nil) {
			t.Errorf("PrefixEnd(%q) = %q, want %q", c.prefix, got, c.want)
		}
		if string(prefix) != c.prefix {
			t.Errorf("PrefixEnd modified its prefix to %q", prefix)
		}
		if c.want == nil {
			continue
		}
		withDst := index.PrefixEnd([]byte("xy"), prefix)
		if !bytes.Equal(withDst, append([]byte("xy"), c.want...)) {
			t.Errorf("PrefixEnd(%q, %q) = %q, want dst kept", "xy", c.prefix, withDst)
		}
	}
}

// TestPrefixBounds checks [Prefix, PrefixEnd) is exactly the set of keys of
// one owner: every key of owner is inside, and every key of another owner
// is outside, on the side its owner sorts to.
func TestPrefixBounds(t *testing.T) {
	for _, owner := range tricky {
		for _, other := range tricky {
			for _, b := range buildAll(nil, other, "peer\x00", "group\xff", 3) {
				kind := b.want.Kind
				lo := index.Prefix(nil, kind, owner)
				hi := index.PrefixEnd(nil, lo)
				in := bytes.Compare(lo, b.key) <= 0 && bytes.Compare(b.key, hi) < 0
				if in != (other == owner) {
					t.Fatalf("%s key %q of %q in [%q, %q) = %v", b.name, b.key, other, lo, hi, in)
				}
				switch {
				case other < owner && bytes.Compare(b.key, lo) >= 0:
					t.Fatalf("%s key %q of lower owner %q not below %q", b.name, b.key, other, lo)
				case other > owner && bytes.Compare(b.key, hi) < 0:
					t.Fatalf("%s key %q of higher owner %q not at or above %q", b.name, b.key, other, hi)
				}
			}
		}
	}
}

// TestGroupMembersPrefixBounds checks that one group's members fall inside
// the group's prefix bounds and members of other groups (including a group
// whose name extends this one) fall outside.
func TestGroupMembersPrefixBounds(t *testing.T) {
	for _, group := range tricky {
		lo := index.GroupMembersPrefix(nil, "o", group)
		hi := index.PrefixEnd(nil, lo)
		for _, other := range tricky {
			for _, friend := range tricky {
				k := index.Member(nil, "o", other, friend)
				in := bytes.Compare(lo, k) <= 0 && bytes.Compare(k, hi) < 0
				if in != (other == group) {
					t.Fatalf("Member(o, %q, %q) in group %q bounds = %v", other, friend, group, in)
				}
			}
		}
	}
}

package index_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/kithdb/kith/index"
)

func TestParseErrors(t *testing.T) {
	bad := []struct {
		name string
		key  string
	}{
		{"empty", ""},
		{"unknown kind", "xa\x00\x01"},
		{"unknown kind alone", "x"},
		{"kind only", "p"},
		{"no terminator", "pab"},
		{"cut terminator", "pa\x00"},
		{"bad escape", "pa\x00\x02\x00\x01"},
		{"double zero", "pa\x00\x00\x00\x01"},
		{"trailing byte", "pa\x00\x01x"},
		{"trailing terminator", "pa\x00\x01\x00\x01"},
		{"missing second component", "fa\x00\x01"},
		{"unterminated second component", "fa\x00\x01b"},
		{"missing third component", "mo\x00\x01g\x00\x01"},
		{"short seq", "eu\x00\x01\x00\x00\x00"},
		{"seq missing", "eu\x00\x01"},
		{"long seq", "eu\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x02"},
	}
	for _, b := range bad {
		k, err := index.Parse([]byte(b.key))
		if !errors.Is(err, index.ErrInvalidKey) {
			t.Errorf("%s: Parse(%q) = %+v, %v; want ErrInvalidKey", b.name, b.key, k, err)
		}
		if k != (index.Key{}) {
			t.Errorf("%s: Parse(%q) returned non-zero Key %+v with error", b.name, b.key, k)
		}
	}
}

// TestAppendIgnoresUnusedFields checks that fields a kind does not use do
// not leak into its key.
func TestAppendIgnoresUnusedFields(t *testing.T) {
	k := index.Key{Kind: index.KindProfile, Owner: "u", Peer: "p", Group: "g", Seq: 9}
	if got, want := k.Append(nil), index.Profile(nil, "u"); !bytes.Equal(got, want) {
		t.Errorf("Append = %q, want %q", got, want)
	}
}

func TestAppendUnknownKind(t *testing.T) {
	dst := []byte("xy")
	if got := (index.Key{Kind: 'x', Owner: "u"}).Append(dst); !bytes.Equal(got, dst) {
		t.Errorf("Append of unknown kind = %q, want dst unchanged", got)
	}
}

// TestKeyOrder checks that, within one kind, sorting keys by bytes sorts
// them by their component tuples.
func TestKeyOrder(t *testing.T) {
	for _, pk := range pairKinds {
		type entry struct {
			tuple []string
			key   []byte
		}
		var entries []entry
		for _, o := range tricky {
			for _, p := range tricky {
				entries = append(entries, entry{[]string{o, p}, pk.build(nil, o, p)})
			}
		}
		byKey := slices.Clone(entries)
		slices.SortFunc(byKey, func(a, b entry) int { return bytes.Compare(a.key, b.key) })
		slices.SortFunc(entries, func(a, b entry) int { return cmpTuple(a.tuple, b.tuple) })
		for i := range entries {
			if !slices.Equal(entries[i].tuple, byKey[i].tuple) {
				t.Fatalf("%s: position %d: tuple order %q, key order %q", pk.name, i, entries[i].tuple, byKey[i].tuple)
			}
		}
	}
}

// TestEventOrder checks that one owner's events sort by seq, and that all
// of them sort before the events of the next owner.
func TestEventOrder(t *testing.T) {
	seqs := []uint64{0, 1, 255, 256, 1 << 40, ^uint64(0)}
	var prev []byte
	for _, o := range []string{"", "\x00", "a", "a\x00", "ab"} {
		for _, s := range seqs {
			k := index.Event(nil, o, s)
			if prev != nil && bytes.Compare(prev, k) >= 0 {
				t.Errorf("Event(%q, %d) = %q does not sort after %q", o, s, k, prev)
			}
			prev = k
		}
	}
}

package index_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/kithdb/kith/index"
)

func TestStringRoundTrip(t *testing.T) {
	for _, s := range tricky {
		enc := index.AppendString(nil, s)
		rest := []byte("rest")
		got, tail, err := index.ReadString(append(enc, rest...))
		if err != nil {
			t.Fatalf("ReadString(%q): %v", enc, err)
		}
		if got != s || !bytes.Equal(tail, rest) {
			t.Fatalf("ReadString(%q) = %q, %q; want %q, %q", enc, got, tail, s, rest)
		}
		dst := []byte("dst:")
		into, tail, err := index.ReadStringTo(dst, append(enc, rest...))
		if err != nil || string(into) != "dst:"+s || !bytes.Equal(tail, rest) {
			t.Fatalf("ReadStringTo(%q, %q) = %q, %q, %v; want %q, %q", dst, enc, into, tail, err, "dst:"+s, rest)
		}
	}
}

func TestReadStringErrors(t *testing.T) {
	bad := []struct {
		name string
		src  []byte
	}{
		{"empty", nil},
		{"no terminator", []byte("abc")},
		{"lone escape byte at end", []byte("abc\x00")},
		{"escape then 0x00", []byte("a\x00\x00\x01")},
		{"escape then 0x02", []byte("a\x00\x02")},
		{"escape then data", []byte("a\x00b\x00\x01")},
		{"escaped zero without terminator", []byte("a\x00\xff")},
	}
	for _, b := range bad {
		s, rest, err := index.ReadString(b.src)
		if !errors.Is(err, index.ErrInvalidKey) {
			t.Errorf("%s: ReadString(%q) = %q, %q, %v; want ErrInvalidKey", b.name, b.src, s, rest, err)
		}
		into, rest, err := index.ReadStringTo(nil, b.src)
		if !errors.Is(err, index.ErrInvalidKey) {
			t.Errorf("%s: ReadStringTo(%q) = %q, %q, %v; want ErrInvalidKey", b.name, b.src, into, rest, err)
		}
	}
}

// TestStringOrder checks that encoded components sort like the raw strings,
// including around the escape and terminator bytes.
func TestStringOrder(t *testing.T) {
	for _, a := range tricky {
		for _, b := range tricky {
			want := sign(cmpTuple([]string{a}, []string{b}))
			got := bytes.Compare(index.AppendString(nil, a), index.AppendString(nil, b))
			if got != want {
				t.Errorf("order of %q vs %q: encoded %d, raw %d", a, b, got, want)
			}
		}
	}
}

func TestUint64Order(t *testing.T) {
	vals := []uint64{0, 1, 255, 256, 65535, 1 << 32, 1<<63 - 1, 1 << 63, ^uint64(0)}
	for i := 1; i < len(vals); i++ {
		a, b := index.AppendUint64(nil, vals[i-1]), index.AppendUint64(nil, vals[i])
		if len(a) != 8 || bytes.Compare(a, b) >= 0 {
			t.Errorf("AppendUint64(%d) = %x not below AppendUint64(%d) = %x", vals[i-1], a, vals[i], b)
		}
	}
}

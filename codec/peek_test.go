package codec_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kithdb/kith/codec"
)

func TestFriendRemark(t *testing.T) {
	for _, remark := range []string{"", "a", "ünïcödé", strings.Repeat("r", 31), strings.Repeat("r", 32),
		strings.Repeat("x", 255), strings.Repeat("y", 256), strings.Repeat("z", 70000)} {
		e := &codec.FriendEdge{Remark: remark, Groups: []string{"g"}, AddSource: "s", AddedAt: 7}
		b, err := codec.Append(nil, e)
		if err != nil {
			t.Fatal(err)
		}
		got, err := codec.FriendRemark(b)
		if err != nil || string(got) != remark {
			t.Errorf("FriendRemark of remark %d bytes = %d bytes, %v", len(remark), len(got), err)
		}
	}
	// Decode reads a string from a msgpack bin too: so does FriendRemark.
	for _, bin := range [][]byte{
		{0x92, 0x01, 0xc4, 0x02, 'h', 'i'},
		{0x92, 0x01, 0xc5, 0x00, 0x02, 'h', 'i'},
		{0x92, 0x01, 0xc6, 0x00, 0x00, 0x00, 0x02, 'h', 'i'},
	} {
		var e codec.FriendEdge
		if err := codec.Decode(bin, &e); err != nil || e.Remark != "hi" {
			t.Fatalf("Decode(%x) = %q, %v; want remark hi", bin, e.Remark, err)
		}
		if got, err := codec.FriendRemark(bin); err != nil || string(got) != "hi" {
			t.Errorf("FriendRemark(%x) = %q, %v; want hi", bin, got, err)
		}
	}
	for _, bad := range [][]byte{nil, {0x91}, {0x92, 0x01}, {0x92, 0x02, 0xa0}, {0x92, 0x01, 0xa3, 'a'}, {0x01}, {0x92, 0x01, 0x05},
		{0x92, 0x01, 0xc4, 0x03, 'a'}} {
		if _, err := codec.FriendRemark(bad); !errors.Is(err, codec.ErrCorrupt) {
			t.Errorf("FriendRemark(%x) = %v, want ErrCorrupt", bad, err)
		}
	}
}

// FuzzFriendRemark: wherever Decode accepts a FriendEdge, FriendRemark
// returns the same remark; it never panics.
func FuzzFriendRemark(f *testing.F) {
	b, _ := codec.Append(nil, &codec.FriendEdge{Remark: "seed", Groups: []string{"a", "b"}})
	f.Add(b)
	f.Add([]byte{0x91, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, perr := codec.FriendRemark(b)
		var e codec.FriendEdge
		if codec.Decode(b, &e) == nil && (perr != nil || string(got) != e.Remark) {
			t.Fatalf("Decode remark %q, FriendRemark %q %v", e.Remark, got, perr)
		}
	})
}

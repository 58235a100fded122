package codec_test

import (
	"testing"

	"github.com/kithdb/kith/codec"
)

// profileNoCustom returns fullProfile without custom fields, the common
// case.
func profileNoCustom() *codec.Profile {
	p := fullProfile()
	p.Custom = nil
	return p
}

func BenchmarkAppendProfile(b *testing.B) {
	b.Run("custom=0", func(b *testing.B) { benchAppend(b, profileNoCustom()) })
	b.Run("custom=2", func(b *testing.B) { benchAppend(b, fullProfile()) })
}

func BenchmarkAppendFriendEdge(b *testing.B) {
	benchAppend(b, fullFriendEdge())
}

func BenchmarkDecodeProfile(b *testing.B) {
	b.Run("custom=0", func(b *testing.B) { benchDecode(b, profileNoCustom()) })
	b.Run("custom=2", func(b *testing.B) { benchDecode(b, fullProfile()) })
}

func BenchmarkDecodeFriendEdge(b *testing.B) {
	benchDecode(b, fullFriendEdge())
}

// benchAppend measures encoding r into a reused buffer.
func benchAppend(b *testing.B, r codec.Record) {
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = codec.Append(buf[:0], r); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf)))
}

// benchDecode measures decoding r's encoding into a reused record.
func benchDecode(b *testing.B, r codec.Record) {
	enc := mustAppend(b, r)
	got := newLike(r)
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		if err := codec.Decode(enc, got); err != nil {
			b.Fatal(err)
		}
	}
}

package codec_test

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/kithdb/kith/codec"
	"github.com/vmihailenco/msgpack/v5"
)

// FuzzDecode feeds arbitrary bytes to Decode. The first byte picks the
// record type (modulo the number of types); the rest is the input.
// Decoding must never panic; a failure must wrap ErrCorrupt; a success
// must re-encode to bytes that decode to an equal record and re-encode to
// the same bytes. Decode parses the bytes itself; the record's
// DecodeMsgpack, driven by msgpack's own Decoder, must agree with it on
// every input: both fail, or both give the same record from all of it.
func FuzzDecode(f *testing.F) {
	// Seeds: every record fully set and zero, behind its type byte.
	for _, set := range [][]codec.Record{fullRecords(), zeroRecords()} {
		for i, r := range set {
			f.Add(append([]byte{byte(i)}, mustAppend(f, r)...))
		}
	}
	f.Add([]byte{0, 0x91, 0x01})                                     // Profile: version only
	f.Add([]byte{3, 0x93, 0x01, 0x05, 0x91, 0x91, 0xc0})             // BlockEdge: nested extra field
	f.Add([]byte{1, 0x93, 0x01, 0xa0, 0xdd, 0x7f, 0xff, 0xff, 0xff}) // FriendEdge: huge Groups
	f.Add([]byte{2, 0x92, 0x63, 0xa0})                               // Application: version 99
	f.Add([]byte{6, 0x92, 0x01, 0xd4, 0x01, 0x01})                   // Event: ext for Kind
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		set := zeroRecords()
		r := set[int(data[0])%len(set)]
		err := codec.Decode(data[1:], r)
		viaMsgpack := newLike(r)
		src := bytes.NewReader(data[1:])
		merr := viaMsgpack.DecodeMsgpack(msgpack.NewDecoder(src))
		if merr == nil && src.Len() > 0 {
			merr = errors.New("trailing bytes")
		}
		if (err == nil) != (merr == nil) {
			t.Fatalf("Decode: %v; msgpack Decoder: %v", err, merr)
		}
		if err != nil {
			if !errors.Is(err, codec.ErrCorrupt) {
				t.Fatalf("Decode error does not wrap ErrCorrupt: %v", err)
			}
			return
		}
		if !reflect.DeepEqual(r, viaMsgpack) {
			t.Fatalf("Decode and msgpack Decoder differ:\n%+v\n%+v", r, viaMsgpack)
		}
		checkStable(t, r)
	})
}

// checkStable checks that r encodes, decodes to an equal record, and
// re-encodes to the same bytes; and that Append, which writes the bytes
// itself, writes what msgpack's own Encoder writes through EncodeMsgpack.
func checkStable(t *testing.T, r codec.Record) {
	t.Helper()
	b1 := mustAppend(t, r)
	if viaMsgpack, err := msgpack.Marshal(r); err != nil || !bytes.Equal(b1, viaMsgpack) {
		t.Fatalf("Append and msgpack Encoder differ (%v):\n%x\n%x", err, b1, viaMsgpack)
	}
	r2 := newLike(r)
	if err := codec.Decode(b1, r2); err != nil {
		t.Fatalf("re-decode of %x: %v", b1, err)
	}
	if !reflect.DeepEqual(r, r2) {
		t.Fatalf("re-decode differs:\n got %+v\nwant %+v", r2, r)
	}
	if b2 := mustAppend(t, r2); !bytes.Equal(b1, b2) {
		t.Fatalf("re-encode not stable:\n%x\n%x", b1, b2)
	}
}

// FuzzRoundTripProfile builds a Profile from fuzz arguments and checks
// that it round-trips exactly.
func FuzzRoundTripProfile(f *testing.F) {
	// Seeds: a typical profile, a zero one, and extreme values.
	f.Add("alice", "https://x/a.png", uint8(2), "hi", uint8(1), uint32(20000101), "Paris",
		uint32(7), uint32(1), uint8(1), uint32(300), uint32(70000), "Tag_Profile_Custom_k", []byte("v"), uint64(42), int64(1700000000123456789))
	f.Add("", "", uint8(0), "", uint8(0), uint32(0), "", uint32(0), uint32(0), uint8(0), uint32(0), uint32(0), "", []byte(nil), uint64(0), int64(0))
	f.Add("\x00\xff", string(make([]byte, 70000)), uint8(255), "é", uint8(255), ^uint32(0), "x",
		^uint32(0), ^uint32(0), uint8(255), ^uint32(0), ^uint32(0), "", []byte{}, ^uint64(0), int64(-1<<63))
	f.Fuzz(func(t *testing.T, nick, face string, gender uint8, sig string, allow uint8, birthday uint32,
		loc string, lang, msg uint32, forbid uint8, level, role uint32, ck string, cv []byte, version uint64, updated int64) {
		want := &codec.Profile{
			Nick: nick, FaceURL: face, Gender: codec.Gender(gender), SelfSignature: sig,
			AllowType: codec.AllowType(allow), Birthday: birthday, Location: loc, Language: lang,
			MessageSettings: msg, AdminForbidType: codec.AdminForbidType(forbid), Level: level, Role: role,
			Version: version, UpdatedAt: updated,
		}
		if ck != "" {
			if len(cv) == 0 {
				cv = nil // an empty value decodes as nil
			}
			want.Custom = map[string][]byte{ck: cv, ck + "2": []byte(ck)}
		}
		got := new(codec.Profile)
		if err := codec.Decode(mustAppend(t, want), got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
		}
		checkStable(t, got)
	})
}

package codec_test

import (
	"encoding/hex"
	"testing"

	"github.com/kithdb/kith/codec"
)

// The golden encodings pin the wire format: if one of these tests fails,
// stored data would no longer decode the same way. Do not update the hex
// to make a test pass; fix the encoder instead.
func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		rec  codec.Record
		hex  string
	}{{
		name: "Profile",
		rec: &codec.Profile{
			Nick: "alice", FaceURL: "f", Gender: codec.GenderFemale, SelfSignature: "hi",
			AllowType: codec.NeedConfirm, Birthday: 20000101, Location: "Paris", Language: 7,
			MessageSettings: 1, AdminForbidType: codec.ForbidSendOut, Level: 300, Role: 70000,
			Custom:  map[string][]byte{"b": []byte("2"), "a": []byte("1")},
			Version: 42, UpdatedAt: 1700000000123456789,
		},
		hex: "dc0010" + // array16 of 16: version + 15 fields
			"01" + // version 1
			"a5616c696365" + // Nick "alice"
			"a166" + // FaceURL "f"
			"02" + // Gender female
			"a26869" + // SelfSignature "hi"
			"01" + // AllowType NeedConfirm
			"ce01312d65" + // Birthday 20000101 (uint32)
			"a55061726973" + // Location "Paris"
			"07" + // Language 7
			"01" + // MessageSettings 1
			"01" + // AdminForbidType ForbidSendOut
			"cd012c" + // Level 300 (uint16)
			"ce00011170" + // Role 70000 (uint32)
			"82" + "a161c40131" + "a162c40132" + // Custom: map of 2, keys sorted, values bin8
			"2a" + // Version 42
			"cf17979cfe3d85cd15", // UpdatedAt (uint64)
	}, {
		name: "FriendEdge",
		rec: &codec.FriendEdge{
			Remark: "bob", Groups: []string{"g1", "g2"}, AddSource: "web", AddWording: "hi",
			AddedAt: -1, Custom: map[string][]byte{"x": {0xff}},
		},
		hex: "97" + // fixarray of 7: version + 6 fields
			"01" + // version 1
			"a3626f62" + // Remark "bob"
			"92a26731a26732" + // Groups ["g1", "g2"]
			"a3776562" + // AddSource "web"
			"a26869" + // AddWording "hi"
			"ff" + // AddedAt -1 (negative fixint)
			"81a178c401ff", // Custom {"x": bin [ff]}
	}, {
		name: "emptyFriendEdge",
		rec:  &codec.FriendEdge{Groups: []string{}, Custom: map[string][]byte{}},
		hex:  "9701a0c0a0a000c0", // empty slices and maps are nil (c0)
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hex.EncodeToString(mustAppend(t, tt.rec)); got != tt.hex {
				t.Fatalf("encoding changed:\n got %s\nwant %s", got, tt.hex)
			}
			b, _ := hex.DecodeString(tt.hex)
			if err := codec.Decode(b, newLike(tt.rec)); err != nil {
				t.Fatalf("golden bytes no longer decode: %v", err)
			}
		})
	}
}

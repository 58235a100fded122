package codec_test

import (
	"reflect"

	"github.com/kithdb/kith/codec"
)

// fullProfile returns a Profile with every field set.
func fullProfile() *codec.Profile {
	return &codec.Profile{
		Nick:            "alice",
		FaceURL:         "https://example.com/a.png",
		Gender:          codec.GenderFemale,
		SelfSignature:   "hello, world",
		AllowType:       codec.NeedConfirm,
		Birthday:        20000101,
		Location:        "Paris",
		Language:        7,
		MessageSettings: 1,
		AdminForbidType: codec.ForbidSendOut,
		Level:           300,
		Role:            70000,
		Custom:          map[string][]byte{"Tag_Profile_Custom_b": []byte("2"), "Tag_Profile_Custom_a": []byte("one")},
		Version:         42,
		UpdatedAt:       1700000000123456789,
	}
}

// fullFriendEdge returns a FriendEdge with every field set.
func fullFriendEdge() *codec.FriendEdge {
	return &codec.FriendEdge{
		Remark:     "bob from work",
		Groups:     []string{"colleagues", "tennis"},
		AddSource:  "AddSource_Type_Android",
		AddWording: "hi, it's bob",
		AddedAt:    1700000000000000000,
		Custom:     map[string][]byte{"Tag_SNS_Custom_x": {0, 1, 2, 255}},
	}
}

// fullRecords returns one record of every type with every field set.
func fullRecords() []codec.Record {
	return []codec.Record{
		fullProfile(),
		fullFriendEdge(),
		&codec.Application{Wording: "let's be friends", Source: "AddSource_Type_Web", Remark: "carol", Group: "school", CreatedAt: -5, Read: true},
		&codec.BlockEdge{CreatedAt: 1700000000000000001},
		&codec.Group{CreatedAt: 1},
		&codec.Counters{Friends: 1, Blocked: 2, PendingIn: 3, PendingOut: 4, Unread: 5, Groups: 4294967295, Seq: 18446744073709551615},
		&codec.Event{Kind: 3, Peers: []string{"u1", "u2"}, Groups: []string{"old", "new"}, Reason: 255, At: -9223372036854775808},
	}
}

// zeroRecords returns one zero record of every type.
func zeroRecords() []codec.Record {
	var out []codec.Record
	for _, r := range fullRecords() {
		out = append(out, newLike(r))
	}
	return out
}

// newLike returns a new zero record of the same type as r.
func newLike(r codec.Record) codec.Record {
	return reflect.New(reflect.TypeOf(r).Elem()).Interface().(codec.Record)
}

// typeName returns the record type's name, for subtest names.
func typeName(r codec.Record) string {
	return reflect.TypeOf(r).Elem().Name()
}

// mustAppend encodes r or fails the test.
func mustAppend(t interface{ Fatal(...any) }, r codec.Record) []byte {
	b, err := codec.Append(nil, r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

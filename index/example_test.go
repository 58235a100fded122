package index_test

import (
	"fmt"

	"github.com/kithdb/kith/index"
)

func ExampleFriend() {
	key := index.Friend(nil, "alice", "bob")
	fmt.Printf("%q\n", key)
	// Output: "falice\x00\x01bob\x00\x01"
}

func ExampleParse() {
	k, err := index.Parse(index.Member(nil, "alice", "work", "bob"))
	if err != nil {
		panic(err)
	}
	fmt.Printf("kind=%c owner=%s group=%s peer=%s\n", k.Kind, k.Owner, k.Group, k.Peer)
	// Output: kind=m owner=alice group=work peer=bob
}

// ExamplePrefixEnd shows the bounds of a scan over one user's friend list,
// as passed to an iterator's LowerBound and UpperBound.
func ExamplePrefixEnd() {
	lower := index.Prefix(nil, index.KindFriend, "alice")
	upper := index.PrefixEnd(nil, lower)
	fmt.Printf("[%q, %q)\n", lower, upper)
	// Output: ["falice\x00\x01", "falice\x00\x02")
}

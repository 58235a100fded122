package engine_test

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/kithdb/kith/engine"
)

// Import a small social graph from JSON Lines: three users, a two-way
// friendship (two friend records), a one-way one, a group, a block and
// a pending application that contradicts the block, so the first
// Import is refused and writes nothing. Without it the input loads;
// Export dumps the store back in the same format.
func ExampleDB_Import() {
	db, err := engine.Open("db", memOptions())
	if err != nil {
		panic(err)
	}
	defer db.Close()

	input := `{"profile":{"id":"alice","nick":"Alice","allowType":"AllowAny","updateTime":1}}
{"profile":{"id":"bob","nick":"Bob","updateTime":1}}
{"profile":{"id":"carol","updateTime":1}}
{"group":{"owner":"alice","name":"work","createTime":2}}
{"friend":{"owner":"alice","friend":"bob","remark":"Bobby","groups":["work"],"addTime":2}}
{"friend":{"owner":"bob","friend":"alice","addTime":2}}
{"friend":{"owner":"carol","friend":"alice","addTime":3}}
{"block":{"owner":"bob","target":"carol","addTime":4}}
{"application":{"from":"bob","to":"carol","wording":"hi"}}
`
	_, err = db.Import(ctx, strings.NewReader(input))
	var ie *engine.ImportError
	if errors.As(err, &ie) {
		fmt.Println("refused line", ie.Line, ":", ie.Err)
	}

	// The application contradicts bob's block of carol: nothing was written.
	fmt.Println(db.Counts(ctx, "alice"))

	input = strings.Replace(input, `{"application":{"from":"bob","to":"carol","wording":"hi"}}`+"\n", "", 1)
	stats, err := db.Import(ctx, strings.NewReader(input))
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d users, %d friend edges, %d keys\n", stats.Users, stats.Friends, stats.Keys)

	rel, _ := db.CheckFriends(ctx, "alice", []string{"bob", "carol"}, engine.CheckBoth)
	fmt.Println(rel[0].Relation == engine.BothWay, rel[1].Relation == engine.InTheirList)
	counts, _ := db.Counts(ctx, "alice")
	fmt.Println("alice:", counts.Friends, "friends,", counts.Groups, "group")

	if err := db.Export(ctx, os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// refused line 9 : kith: invalid argument: conflicting records: application between "bob" and "carol", and a block (lines 8 and 9)
	// {0 0 0 0 0 0 0} kith: user not found
	// 3 users, 3 friend edges, 16 keys
	// true true
	// alice: 1 friends, 1 group
	// {"profile":{"id":"alice","nick":"Alice","allowType":"AllowAny","version":1,"updateTime":1}}
	// {"profile":{"id":"bob","nick":"Bob","allowType":"NeedConfirm","version":1,"updateTime":1}}
	// {"profile":{"id":"carol","allowType":"NeedConfirm","version":1,"updateTime":1}}
	// {"group":{"owner":"alice","name":"work","createTime":2}}
	// {"friend":{"owner":"alice","friend":"bob","remark":"Bobby","groups":["work"],"addTime":2}}
	// {"friend":{"owner":"bob","friend":"alice","addTime":2}}
	// {"friend":{"owner":"carol","friend":"alice","addTime":3}}
	// {"block":{"owner":"bob","target":"carol","addTime":4}}
}

package engine_test

import (
	"context"
	"fmt"
	"log"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/kithdb/kith/engine"
)

// openBlockExample opens an in-memory store where ann and bob are
// two-way friends and cid has asked ann to be friends.
func openBlockExample(opts engine.Options) *engine.DB {
	opts.FS = vfs.NewMem()
	db, err := engine.Open("example", &opts)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	for _, u := range []string{"ann", "bob", "cid"} {
		if _, err := db.UpdateProfile(ctx, u, engine.ProfileUpdate{Nick: new("nick of " + u)}); err != nil {
			log.Fatal(err)
		}
	}
	if _, err := db.AddFriends(ctx, "ann", []engine.AddFriendRequest{{UserID: "bob", Type: engine.AddSingle}}); err != nil {
		log.Fatal(err)
	}
	if _, err := db.AddFriends(ctx, "bob", []engine.AddFriendRequest{{UserID: "ann", Type: engine.AddSingle}}); err != nil {
		log.Fatal(err)
	}
	if _, err := db.AddFriends(ctx, "cid", []engine.AddFriendRequest{{UserID: "ann", Type: engine.AddBoth}}); err != nil {
		log.Fatal(err)
	}
	return db
}

func ExampleDB_Block() {
	db := openBlockExample(engine.Options{})
	defer db.Close()
	ctx := context.Background()

	// ann blocks her friend bob and cid, who asked to be her friend.
	res, err := db.Block(ctx, "ann", []string{"bob", "cid", "bob", "dan"})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range res {
		fmt.Printf("block %s: %v (code %d)\n", r.UserID, r.Err, engine.Code(r.Err))
	}

	// The friendship ended both ways and cid's request is gone.
	rel, _ := db.CheckFriends(ctx, "ann", []string{"bob"}, engine.CheckBoth)
	fmt.Println("ann and bob are friends:", rel[0].Relation != engine.NoRelation)
	apps, _ := db.ListApplications(ctx, "ann", engine.Incoming, engine.ListOptions{})
	fmt.Println("ann's pending requests:", len(apps.Items))

	// From bob's side, ann blocked him.
	blk, _ := db.CheckBlocked(ctx, "bob", []string{"ann"}, engine.CheckBoth)
	fmt.Println("bob sees ann's block:", blk[0].Relation == engine.InTheirList)

	// Neither side can send a friend request now.
	add, _ := db.AddFriends(ctx, "bob", []engine.AddFriendRequest{{UserID: "ann", Type: engine.AddBoth}})
	fmt.Printf("bob asks ann: %v (code %d)\n", add[0].Err, add[0].Code())

	page, _ := db.ListBlocked(ctx, "ann", engine.ListOptions{})
	for _, b := range page.Items {
		fmt.Println("ann blocked", b.UserID)
	}
	// Output:
	// block bob: <nil> (code 0)
	// block cid: <nil> (code 0)
	// block bob: kith: invalid argument: duplicate id in call (code 30001)
	// block dan: kith: user not found (code 30003)
	// ann and bob are friends: false
	// ann's pending requests: 0
	// bob sees ann's block: true
	// bob asks ann: kith: blocked by peer (code 30525)
	// ann blocked bob
	// ann blocked cid
}

func ExampleDB_CanSend() {
	db := openBlockExample(engine.Options{})
	defer db.Close()
	ctx := context.Background()

	if _, err := db.Block(ctx, "bob", []string{"ann"}); err != nil {
		log.Fatal(err)
	}
	// bob blocked ann: ann may not write to bob, bob may still write to ann.
	err := db.CanSend(ctx, "ann", "bob")
	fmt.Printf("ann -> bob: %v (code %d)\n", err, engine.Code(err))
	err = db.CanSend(ctx, "bob", "ann")
	fmt.Printf("bob -> ann: %v (code %d)\n", err, engine.Code(err))

	// With RequireFriendship, only two-way friends may write.
	strict := openBlockExample(engine.Options{RequireFriendship: true})
	defer strict.Close()
	for _, p := range [][2]string{{"ann", "bob"}, {"cid", "ann"}} {
		err := strict.CanSend(ctx, p[0], p[1])
		fmt.Printf("strict %s -> %s: %v (code %d)\n", p[0], p[1], err, engine.Code(err))
	}
	// Output:
	// ann -> bob: kith: send refused: blocked by peer (code 20007)
	// bob -> ann: <nil> (code 0)
	// strict ann -> bob: <nil> (code 0)
	// strict cid -> ann: kith: send refused: not friends (code 20009)
}

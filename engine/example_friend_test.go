package engine_test

import (
	"context"
	"fmt"
	"log"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/kithdb/kith/engine"
)

// openFriendExample opens an in-memory store with users ann (AllowAny),
// bob and cid (NeedConfirm, the default).
func openFriendExample() *engine.DB {
	db, err := engine.Open("example", &engine.Options{FS: vfs.NewMem()})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	for _, u := range []string{"ann", "bob", "cid"} {
		if _, err := db.UpdateProfile(ctx, u, engine.ProfileUpdate{Nick: new("nick of " + u)}); err != nil {
			log.Fatal(err)
		}
	}
	if _, err := db.UpdateProfile(ctx, "ann", engine.ProfileUpdate{AllowType: new(engine.AllowAny)}); err != nil {
		log.Fatal(err)
	}
	return db
}

func ExampleDB_AddFriends() {
	db := openFriendExample()
	defer db.Close()
	ctx := context.Background()

	res, err := db.AddFriends(ctx, "cid", []engine.AddFriendRequest{
		{UserID: "ann", Type: engine.AddBoth, Remark: "Ann", Group: "work"}, // AllowAny: added at once
		{UserID: "bob", Type: engine.AddBoth, Wording: "hi, it's cid"},      // NeedConfirm: pending
		{UserID: "dan", Type: engine.AddBoth},                               // no such user
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range res {
		switch {
		case r.Err != nil:
			fmt.Printf("%s: error %v (code %d)\n", r.UserID, r.Err, r.Code())
		case r.Outcome == engine.Added:
			fmt.Printf("%s: added (code %d)\n", r.UserID, r.Code())
		case r.Outcome == engine.Pending:
			fmt.Printf("%s: pending (code %d)\n", r.UserID, r.Code())
		}
	}
	page, _ := db.ListApplications(ctx, "bob", engine.Incoming, engine.ListOptions{})
	for _, it := range page.Items {
		fmt.Printf("bob received from %s: %q (unread %d)\n", it.From, it.Application.Wording, page.Unread)
	}
	// Output:
	// ann: added (code 0)
	// bob: pending (code 30539)
	// dan: error kith: user not found (code 30003)
	// bob received from cid: "hi, it's cid" (unread 1)
}

func ExampleDB_AcceptApplication() {
	db := openFriendExample()
	defer db.Close()
	ctx := context.Background()

	// cid asks bob, who needs to confirm; the remark and group are cid's.
	if _, err := db.AddFriends(ctx, "cid", []engine.AddFriendRequest{
		{UserID: "bob", Type: engine.AddBoth, Remark: "Bobby", Group: "school"},
	}); err != nil {
		log.Fatal(err)
	}
	// bob agrees and adds cid back, with a remark of his own.
	if err := db.AcceptApplication(ctx, "bob", "cid", engine.AcceptAgreeAndAdd, "Cid"); err != nil {
		log.Fatal(err)
	}
	for _, pair := range [][2]string{{"cid", "bob"}, {"bob", "cid"}} {
		fs, _ := db.GetFriends(ctx, pair[0], []string{pair[1]})
		fmt.Printf("%s holds %s: remark %q, groups %v\n", pair[0], pair[1], fs[0].Edge.Remark, fs[0].Edge.Groups)
	}
	// The application is gone; a second answer finds nothing.
	err := db.AcceptApplication(ctx, "bob", "cid", engine.AcceptAgree, "")
	fmt.Println(err, engine.Code(err))
	// Output:
	// cid holds bob: remark "Bobby", groups [school]
	// bob holds cid: remark "Cid", groups []
	// kith: application not found 30614
}

func ExampleDB_CheckFriends() {
	db := openFriendExample()
	defer db.Close()
	ctx := context.Background()

	// ann <-> cid both ways; cid -> bob one way.
	if _, err := db.AddFriends(ctx, "cid", []engine.AddFriendRequest{
		{UserID: "ann", Type: engine.AddBoth},
		{UserID: "bob", Type: engine.AddSingle},
	}); err != nil {
		log.Fatal(err)
	}
	names := map[engine.Relation]string{engine.NoRelation: "NoRelation", engine.InMyList: "InMyList",
		engine.InTheirList: "InTheirList", engine.BothWay: "BothWay"}
	// CheckSingle looks at bob's list only; CheckBoth at both lists.
	for _, c := range []struct {
		typ   engine.CheckType
		label string
	}{{engine.CheckSingle, "single"}, {engine.CheckBoth, "both"}} {
		res, err := db.CheckFriends(ctx, "bob", []string{"ann", "cid"}, c.typ)
		if err != nil {
			log.Fatal(err)
		}
		for _, r := range res {
			fmt.Printf("%s: bob/%s %s\n", c.label, r.UserID, names[r.Relation])
		}
	}
	res, _ := db.CheckFriends(ctx, "ann", []string{"cid"}, engine.CheckBoth)
	fmt.Printf("ann/cid %s\n", names[res[0].Relation])
	// Output:
	// single: bob/ann NoRelation
	// single: bob/cid NoRelation
	// both: bob/ann NoRelation
	// both: bob/cid InTheirList
	// ann/cid BothWay
}

func ExampleDB_ListFriends() {
	db := openFriendExample()
	defer db.Close()
	ctx := context.Background()

	for _, u := range []string{"eve", "dan", "fay", "gus", "hal"} {
		if _, err := db.UpdateProfile(ctx, u, engine.ProfileUpdate{AllowType: new(engine.AllowAny)}); err != nil {
			log.Fatal(err)
		}
		req := engine.AddFriendRequest{UserID: u, Type: engine.AddBoth}
		if u == "dan" || u == "gus" {
			req.Group = "close"
		}
		if _, err := db.AddFriends(ctx, "ann", []engine.AddFriendRequest{req}); err != nil {
			log.Fatal(err)
		}
	}
	// Pages of two, in friend-ID order; Next is "" on the last page.
	opts := engine.ListOptions{Limit: 2}
	for {
		page, err := db.ListFriends(ctx, "ann", opts)
		if err != nil {
			log.Fatal(err)
		}
		var ids []string
		for _, f := range page.Items {
			ids = append(ids, f.UserID)
		}
		fmt.Printf("%v next=%q\n", ids, page.Next)
		if page.Next == "" {
			break
		}
		opts.After = page.Next
	}
	page, _ := db.ListFriends(ctx, "ann", engine.ListOptions{Group: "close"})
	for _, f := range page.Items {
		fmt.Println("close:", f.UserID)
	}
	// Output:
	// [dan eve] next="eve"
	// [fay gus] next="gus"
	// [hal] next=""
	// close: dan
	// close: gus
}

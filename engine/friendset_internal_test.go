package engine

import (
	"context"
	"fmt"
	"testing"
)

// TestReaderFillsLongListAtSecondMiss: a relation check fills the set of
// a list longer than readerSetFill only when it misses that user's set
// for the second time (fillGhosts), and the set then answers as Pebble
// does.
func TestReaderFillsLongListAtSecondMiss(t *testing.T) {
	db := openMemDB(t)
	ctx := context.Background()
	n := readerSetFill + 4
	var reqs []AddFriendRequest
	for i := range n {
		p := fmt.Sprintf("p%02d", i)
		if _, err := db.UpdateProfile(ctx, p, ProfileUpdate{Nick: new(p)}); err != nil {
			t.Fatal(err)
		}
		reqs = append(reqs, AddFriendRequest{UserID: p, Type: AddSingle})
	}
	res, err := db.AddFriends(ctx, "hub", reqs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("hub adds %s: %v", r.UserID, r.Err)
		}
	}
	db.sets.Purge() // the txn kept hub's set; start from none

	check := func(peer string, want Relation) {
		t.Helper()
		got, err := db.CheckFriends(ctx, "hub", []string{peer}, CheckBoth)
		if err != nil {
			t.Fatal(err)
		}
		if got[0].Relation != want {
			t.Fatalf("CheckFriends(hub, %s) = %d, want %d", peer, got[0].Relation, want)
		}
	}
	check("p00", InMyList)
	if _, ok := db.sets.Get("hub"); ok {
		t.Fatalf("a first miss filled the set of a list of %d friends", n)
	}
	check("p01", InMyList)
	if got := cachedSetLen(db, "hub"); got != n {
		t.Fatalf("after a second miss: %d IDs in the cached set, want %d", got, n)
	}
	check("p02", InMyList)      // from the set
	check("nobody", NoRelation) // not in the set

	// Writes keep the filled set exact: p00 adds hub back, hub deletes p01.
	if res, err := db.AddFriends(ctx, "p00", []AddFriendRequest{{UserID: "hub", Type: AddSingle}}); err != nil || res[0].Err != nil {
		t.Fatalf("p00 adds hub: %v %v", err, res)
	}
	if res, err := db.DeleteFriends(ctx, "hub", []string{"p01"}, DeleteSingle); err != nil || res[0].Err != nil {
		t.Fatalf("hub deletes p01: %v %v", err, res)
	}
	check("p00", BothWay)
	check("p01", NoRelation)
	if got := cachedSetLen(db, "hub"); got != n-1 {
		t.Fatalf("after the writes: %d IDs in the cached set, want %d", got, n-1)
	}
}

// cachedSetLen returns the length of uid's cached friend set, -1 if none.
func cachedSetLen(db *DB, uid string) int {
	if s, ok := db.sets.Get(uid); ok {
		return len(s.ids)
	}
	return -1
}

func TestFillGhostsRememberOneMiss(t *testing.T) {
	var g fillGhosts
	g.init()
	if g.missedBefore("a") {
		t.Fatal("a first miss was remembered before it happened")
	}
	if !g.missedBefore("a") || !g.missedBefore("a") {
		t.Fatal("a repeated miss was not remembered")
	}
	if g.missedBefore("b") {
		t.Fatal("b's first miss counts as a second")
	}
}

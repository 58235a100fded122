package engine_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/kithdb/kith/engine"
)

// A write that met a user before it existed remembers its (zero)
// counters; Import then creates the user with friends. A later write
// must count from the imported counters, not from the remembered ones.
func TestCountersCacheAfterImport(t *testing.T) {
	db := openDB(t, nil)
	if _, err := db.UpdateProfile(ctx, "old", engine.ProfileUpdate{AllowType: new(engine.AllowAny)}); err != nil {
		t.Fatal(err)
	}
	// "new" does not exist yet; the call reads its counters all the same.
	res, err := db.DeleteFriends(ctx, "new", []string{"old"}, engine.DeleteSingle)
	if err != nil || !errors.Is(res[0].Err, engine.ErrNotFriends) {
		t.Fatalf("DeleteFriends(new, old) = %v %v, want ErrNotFriends", res, err)
	}
	impMustImport(t, db, impLines(impProfile("new"), impProfile("a"), impProfile("b"),
		impFriend("new", "a"), impFriend("new", "b")))
	add, err := db.AddFriends(ctx, "new", []engine.AddFriendRequest{{UserID: "old", Type: engine.AddSingle}})
	if err != nil || add[0].Err != nil {
		t.Fatalf("AddFriends(new, old): %v %v", err, add[0].Err)
	}
	c, err := db.Counts(ctx, "new")
	if err != nil || c.Friends != 3 {
		t.Errorf("Counts(new) = %+v, %v; want 3 friends", c, err)
	}
	mustCheck(t, db)
}

// A write reads the profiles it checks from the profile cache: a change
// of AllowType must reach the next AddFriends at once, and a deleted
// user must not be found there.
func TestWritesSeeProfileChanges(t *testing.T) {
	for _, cached := range []bool{true, false} {
		opts := &engine.Options{ProfileCache: engine.ProfileCacheOptions{Disabled: !cached}}
		db := openDB(t, opts)
		for _, u := range []string{"a", "b", "c"} {
			if _, err := db.UpdateProfile(ctx, u, engine.ProfileUpdate{AllowType: new(engine.AllowAny)}); err != nil {
				t.Fatal(err)
			}
		}
		add := func(from, to string) engine.AddFriendResult {
			t.Helper()
			res, err := db.AddFriends(ctx, from, []engine.AddFriendRequest{{UserID: to, Type: engine.AddBoth}})
			if err != nil {
				t.Fatal(err)
			}
			return res[0]
		}
		if r := add("a", "b"); r.Err != nil || r.Outcome != engine.Added {
			t.Fatalf("cache=%v: a adds b: %+v", cached, r)
		}
		if _, err := db.UpdateProfile(ctx, "c", engine.ProfileUpdate{AllowType: new(engine.DenyAny)}); err != nil {
			t.Fatal(err)
		}
		if r := add("a", "c"); !errors.Is(r.Err, engine.ErrPeerDeniesAll) {
			t.Errorf("cache=%v: a adds c after c denies all: %+v, want ErrPeerDeniesAll", cached, r)
		}
		if _, err := db.UpdateProfile(ctx, "c", engine.ProfileUpdate{AllowType: new(engine.NeedConfirm)}); err != nil {
			t.Fatal(err)
		}
		if r := add("a", "c"); r.Err != nil || r.Outcome != engine.Pending {
			t.Errorf("cache=%v: a adds c after c needs confirmation: %+v, want Pending", cached, r)
		}
		if err := db.DeleteUser(ctx, "b"); err != nil {
			t.Fatal(err)
		}
		if r := add("a", "b"); !errors.Is(r.Err, engine.ErrNotFound) {
			t.Errorf("cache=%v: a adds deleted b: %+v, want ErrNotFound", cached, r)
		}
		if c, err := db.Counts(ctx, "a"); err != nil || c.Friends != 0 || c.PendingOut != 1 {
			t.Errorf("cache=%v: Counts(a) = %+v, %v; want 0 friends, 1 pending out", cached, c, err)
		}
		mustCheck(t, db)
	}
}

// Lists and Counts take the owner's counters from the counters cache,
// and first pages from the page cache, when the owner's lock is free.
// Under concurrent writes the page and its Seq must still come from one
// view: here every write of "me" adds one friend and one event, so a page
// must hold exactly min(Seq - base, limit) of them, and Counts must say
// Friends == Seq - base.
func TestListSeqMatchesPageUnderWrites(t *testing.T) {
	for _, cached := range []bool{true, false} {
		db := openDB(t, &engine.Options{ProfileCache: engine.ProfileCacheOptions{Disabled: !cached}})
		const peers = 300
		ids := []string{"me"}
		for i := range peers {
			ids = append(ids, fmt.Sprintf("p%03d", i))
		}
		createUsers(t, db, engine.AllowAny, ids...)
		base := listSeq(t, db, "me")
		done := make(chan error, 1)
		go func() {
			for _, p := range ids[1:] {
				res, err := db.AddFriends(ctx, "me", []engine.AddFriendRequest{{UserID: p, Type: engine.AddSingle}})
				if err == nil {
					err = res[0].Err
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
		for finished := false; !finished; {
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
				finished = true
			default:
			}
			for _, limit := range []int{1000, 50} { // a whole list; a first page the page cache holds
				page, err := db.ListFriends(ctx, "me", engine.ListOptions{Limit: limit})
				if err != nil {
					t.Fatal(err)
				}
				if uint64(len(page.Items)) != min(page.Seq-base, uint64(limit)) || (page.Next == "") != (page.Seq-base <= uint64(limit)) {
					t.Fatalf("cache=%v: page of %d friends, next %q, with seq %d (base %d, limit %d)",
						cached, len(page.Items), page.Next, page.Seq, base, limit)
				}
			}
			c, err := db.Counts(ctx, "me")
			if err != nil {
				t.Fatal(err)
			}
			if uint64(c.Friends) != c.Seq-base {
				t.Fatalf("cache=%v: Counts %+v (base %d)", cached, c, base)
			}
		}
		if c, _ := db.Counts(ctx, "me"); c.Friends != peers {
			t.Errorf("cache=%v: %d friends at the end, want %d", cached, c.Friends, peers)
		}
	}
}

// Each UpdateProfile applies its fields to the profile the one before it
// committed, also when friend requests between them read the profile
// through the caches: no update may be lost, and the last one counts.
func TestUpdatesBuildOnTheLastProfile(t *testing.T) {
	db := openDB(t, nil)
	mustUpdate(t, db, "bob", engine.ProfileUpdate{Nick: new("Bob"), AllowType: new(engine.AllowAny)})
	mustUpdate(t, db, "amy", engine.ProfileUpdate{Nick: new("Amy")})
	mustAddFriend(t, db, "amy", engine.AddFriendRequest{UserID: "bob", Type: engine.AddSingle}, engine.Added)
	mustUpdate(t, db, "bob", engine.ProfileUpdate{Location: new("Oslo")})
	mustAddFriend(t, db, "amy", engine.AddFriendRequest{UserID: "bob", Type: engine.AddBoth}, engine.Added)
	mustUpdate(t, db, "bob", engine.ProfileUpdate{SelfSignature: new("hi"), AllowType: new(engine.DenyAny)})
	p := mustUpdate(t, db, "bob", engine.ProfileUpdate{Level: new(uint32(7))})
	got := mustProfile(t, db, "bob")
	for _, q := range []*engine.Profile{p, got} {
		if q.Nick != "Bob" || q.Location != "Oslo" || q.SelfSignature != "hi" || q.Level != 7 || q.AllowType != engine.DenyAny {
			t.Errorf("bob's profile lost an update: %+v", q)
		}
	}
	if _, err := db.DeleteFriends(ctx, "amy", []string{"bob"}, engine.DeleteBoth); err != nil {
		t.Fatal(err)
	}
	res, err := db.AddFriends(ctx, "amy", []engine.AddFriendRequest{{UserID: "bob", Type: engine.AddBoth}})
	if err != nil || !errors.Is(res[0].Err, engine.ErrPeerDeniesAll) {
		t.Errorf("amy adds bob, who denies all: %v %v, want ErrPeerDeniesAll", res, err)
	}
	mustCheck(t, db)
}

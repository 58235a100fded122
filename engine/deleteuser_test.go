package engine_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/kithdb/kith/engine"
)

func TestDeleteUserRemovesEveryEdge(t *testing.T) {
	db := openDB(t, nil)
	createUsers(t, db, engine.AllowAny, "u", "mutual", "held", "holder", "blocked", "blocker", "keeper")
	createUsers(t, db, engine.NeedConfirm, "asked", "asker")
	// mutual: friends both ways, in groups on both sides.
	mustAddFriend(t, db, "u", engine.AddFriendRequest{UserID: "mutual", Type: engine.AddBoth, Group: "ug"}, engine.Added)
	if _, err := db.CreateGroup(ctx, "mutual", "mg", []string{"u"}); err != nil {
		t.Fatal(err)
	}
	// held: only u holds it. holder: only holder holds u, in a group.
	mustAddFriend(t, db, "u", engine.AddFriendRequest{UserID: "held"}, engine.Added)
	mustAddFriend(t, db, "holder", engine.AddFriendRequest{UserID: "u", Group: "hg"}, engine.Added)
	// Applications both ways.
	mustAddFriend(t, db, "u", engine.AddFriendRequest{UserID: "asked", Type: engine.AddBoth}, engine.Pending)
	// asker befriends u while u is AllowAny; then u needs confirmation.
	mustAddFriend(t, db, "asker", engine.AddFriendRequest{UserID: "u", Type: engine.AddBoth}, engine.Added)
	setAllowType(t, db, "u", engine.NeedConfirm)
	createUsers(t, db, engine.NeedConfirm, "asker2")
	mustAddFriend(t, db, "asker2", engine.AddFriendRequest{UserID: "u", Type: engine.AddBoth}, engine.Pending)
	// Blocks both ways.
	blockUser(t, db, "u", "blocked")
	blockUser(t, db, "blocker", "u")
	// keeper is a friend of mutual: untouched by u's deletion.
	befriend(t, db, "keeper", "mutual")

	peers := []string{"mutual", "held", "holder", "asked", "asker", "asker2", "blocked", "blocker", "keeper"}
	seqs := map[string]uint64{}
	for _, p := range peers {
		seqs[p] = listSeq(t, db, p)
	}
	if err := db.DeleteUser(ctx, "u"); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, db)

	// Nothing of u is left anywhere.
	for _, p := range peers {
		if slices.Contains(friendsOf(t, db, p), "u") {
			t.Errorf("%s still holds u", p)
		}
		if slices.Contains(appsOf(t, db, p, engine.BothDirections).Peers, "u") {
			t.Errorf("%s still has an application with u", p)
		}
		wantFriendRelation(t, db, p, "u", engine.NoRelation)
		rs, err := db.CheckBlocked(ctx, p, []string{"u"}, engine.CheckBoth)
		if err != nil || rs[0].Relation != engine.NoRelation {
			t.Errorf("block relation %s/u: %v %+v", p, err, rs)
		}
		for g, members := range groupsOf(t, db, p) {
			if slices.Contains(members, "u") {
				t.Errorf("u still in %s's group %s", p, g)
			}
		}
	}
	if c := groupCounts(t, db, "mutual"); c["mg"] != 0 {
		t.Errorf("mutual's groups %v", c)
	}
	if c := groupCounts(t, db, "holder"); c["hg"] != 0 || len(c) != 1 {
		t.Errorf("holder's groups %v", c)
	}
	// The peers that lost something were told; keeper was not.
	for _, p := range peers {
		changed := listSeq(t, db, p) != seqs[p]
		if want := p != "keeper" && p != "held" && p != "blocked"; changed != want {
			t.Errorf("%s's seq moved %v, want %v", p, changed, want)
		}
	}
	wantIDs(t, "keeper's friends", friendsOf(t, db, "keeper"), []string{"mutual"})
	wantFriendRelation(t, db, "keeper", "mutual", engine.BothWay)
	// The applications' other sides are gone with their unread counts
	// (Check verifies every counter is exact).
	if a := appsOf(t, db, "asked", engine.Incoming); a.Unread != 0 || len(a.Peers) != 0 {
		t.Errorf("asked's incoming %+v", a)
	}
	wantIDs(t, "asker2's outgoing", outgoingOf(t, db, "asker2"), nil)

	// u is gone: no profile, no lists, not a target.
	ps, err := db.GetProfiles(ctx, "mutual", []string{"u"})
	if err != nil || !errors.Is(ps.Items[0].Err, engine.ErrNotFound) {
		t.Errorf("profile of u: %v %+v", err, ps.Items)
	}
	page, err := db.ListFriends(ctx, "u", engine.ListOptions{})
	if err != nil || len(page.Items) != 0 || page.Seq != 0 {
		t.Errorf("u's list: %v %+v", err, page)
	}
	if g := groupCounts(t, db, "u"); len(g) != 0 {
		t.Errorf("u's groups: %v", g)
	}
	if a := appsOf(t, db, "u", engine.BothDirections); len(a.Items) != 0 || a.Unread != 0 {
		t.Errorf("u's applications %+v", a)
	}
	wantAddErr(t, "add deleted user", addOne(t, db, "mutual", engine.AddFriendRequest{UserID: "u", Type: engine.AddBoth}), engine.ErrNotFound, 30003)
	if res, err := db.Block(ctx, "mutual", []string{"u"}); err != nil || !errors.Is(res[0].Err, engine.ErrNotFound) {
		t.Errorf("block deleted user: %v %+v", err, res)
	}

	// Idempotent.
	before := relSnapshot(t, db, append(peers, "u")...)
	if err := db.DeleteUser(ctx, "u"); err != nil {
		t.Errorf("second DeleteUser: %v", err)
	}
	if err := db.DeleteUser(ctx, "never-existed"); err != nil {
		t.Errorf("DeleteUser of an unknown user: %v", err)
	}
	wantUnchanged(t, db, "second DeleteUser", before, append(peers, "u")...)

	// A user of the same ID starts afresh.
	createUsers(t, db, engine.AllowAny, "u")
	wantIDs(t, "new u's friends", friendsOf(t, db, "u"), nil)
	mustAddFriend(t, db, "mutual", engine.AddFriendRequest{UserID: "u", Type: engine.AddBoth}, engine.Added)
	wantFriendRelation(t, db, "mutual", "u", engine.BothWay)
}

func TestDeleteUserPeersCountersStayExact(t *testing.T) {
	// Peers at their limits: after u's deletion each has exactly one
	// free slot, which a new relation can use; one more is refused.
	db := openDB(t, &engine.Options{Limits: engine.Limits{Friends: 2, PendingIn: 1}})
	createUsers(t, db, engine.AllowAny, "u", "p", "x", "y", "z")
	createUsers(t, db, engine.NeedConfirm, "q")
	befriend(t, db, "p", "u")
	befriend(t, db, "p", "x")                                                                             // p is full
	mustAddFriend(t, db, "u", engine.AddFriendRequest{UserID: "q", Type: engine.AddBoth}, engine.Pending) // q's pending is full
	wantAddErr(t, "p full", addOne(t, db, "p", engine.AddFriendRequest{UserID: "y"}), engine.ErrFriendLimit, 30010)
	wantAddErr(t, "q's pending full", addOne(t, db, "x", engine.AddFriendRequest{UserID: "q", Type: engine.AddBoth}), engine.ErrPendingLimit, 30012)

	if err := db.DeleteUser(ctx, "u"); err != nil {
		t.Fatal(err)
	}
	mustAddFriend(t, db, "p", engine.AddFriendRequest{UserID: "y"}, engine.Added)
	wantAddErr(t, "p full again", addOne(t, db, "p", engine.AddFriendRequest{UserID: "z"}), engine.ErrFriendLimit, 30010)
	mustAddFriend(t, db, "x", engine.AddFriendRequest{UserID: "q", Type: engine.AddBoth}, engine.Pending)
	if a := appsOf(t, db, "q", engine.Incoming); a.Unread != 1 || !slices.Equal(a.Peers, []string{"x"}) {
		t.Errorf("q's incoming %+v", a)
	}
}

func TestDeleteUserCallErrors(t *testing.T) {
	db := openDB(t, nil)
	if err := db.DeleteUser(ctx, ""); !errors.Is(err, engine.ErrInvalidUserID) {
		t.Errorf("empty id: %v", err)
	}
}

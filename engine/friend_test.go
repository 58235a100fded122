package engine_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/kithdb/kith/engine"
	"github.com/kithdb/kith/index"
)

// The TestAddFriendsCheck tests follow the rows of the AddFriends check
// table of SEMANTICS.md §2, in order. Each sets up a request that fails
// its own row AND later rows, to show the first failing check wins, and
// then reads back that nothing was written.

func TestAddFriendsCheck1InvalidArgument(t *testing.T) {
	db := openDB(t, &engine.Options{CustomFriendFields: []string{"tag"}})
	createUsers(t, db, engine.AllowAny, "me", "peer")
	// Later rows that would fail too: me is SendOut, peer blocked me and
	// denies all.
	blockUser(t, db, "peer", "me")
	setAllowType(t, db, "peer", engine.DenyAny)
	if _, err := db.UpdateProfile(ctx, "me", engine.ProfileUpdate{AdminForbidType: new(engine.ForbidSendOut)}); err != nil {
		t.Fatal(err)
	}
	before := relSnapshot(t, db, "me", "peer")
	x := strings.Repeat
	cases := []struct {
		name string
		req  engine.AddFriendRequest
		want error
	}{
		{"self", engine.AddFriendRequest{UserID: "me", Type: engine.AddBoth}, engine.ErrSelf},
		{"empty id", engine.AddFriendRequest{UserID: ""}, engine.ErrInvalidUserID},
		{"id of 33 bytes", engine.AddFriendRequest{UserID: x("p", 33)}, engine.ErrInvalidUserID},
		{"control char in id", engine.AddFriendRequest{UserID: "pe\ner"}, engine.ErrInvalidUserID},
		{"invalid utf-8 id", engine.AddFriendRequest{UserID: "pe\xffer"}, engine.ErrInvalidUserID},
		{"remark 97 bytes", engine.AddFriendRequest{UserID: "peer", Remark: x("r", 97)}, engine.ErrTooLong},
		{"wording 257 bytes", engine.AddFriendRequest{UserID: "peer", Type: engine.AddBoth, Wording: x("w", 257)}, engine.ErrTooLong},
		{"source 33 bytes", engine.AddFriendRequest{UserID: "peer", Source: x("s", 33)}, engine.ErrTooLong},
		{"group 31 bytes", engine.AddFriendRequest{UserID: "peer", Group: x("g", 31)}, engine.ErrTooLong},
		{"group with control char", engine.AddFriendRequest{UserID: "peer", Group: "g\x01"}, engine.ErrInvalidArgument},
		{"remark not UTF-8", engine.AddFriendRequest{UserID: "peer", Remark: "r\xff"}, engine.ErrInvalidArgument},
		{"wording not UTF-8", engine.AddFriendRequest{UserID: "peer", Type: engine.AddBoth, Wording: "\xc3"}, engine.ErrInvalidArgument},
		{"source not UTF-8", engine.AddFriendRequest{UserID: "peer", Source: "\xed\xa0\x80"}, engine.ErrInvalidArgument},
		{"unknown add type", engine.AddFriendRequest{UserID: "peer", Type: 7}, engine.ErrInvalidArgument},
		{"undeclared custom field", engine.AddFriendRequest{UserID: "peer", Custom: map[string][]byte{"nope": []byte("v")}}, engine.ErrInvalidArgument},
		{"custom value 501 bytes", engine.AddFriendRequest{UserID: "peer", Custom: map[string][]byte{"tag": []byte(x("v", 501))}}, engine.ErrInvalidArgument},
	}
	for _, c := range cases {
		r := addOne(t, db, "me", c.req)
		wantAddErr(t, c.name, r, c.want, 30001)
		wantErrIs(t, c.name, r.Err, engine.ErrInvalidArgument, 30001)
	}
	wantUnchanged(t, db, "invalid requests", before, "me", "peer")
}

func TestAddFriendsLengthLimitsInclusive(t *testing.T) {
	db := openDB(t, &engine.Options{CustomFriendFields: []string{"tag"}})
	createUsers(t, db, engine.AllowAny, "me", strings.Repeat("p", 32))
	x := strings.Repeat
	req := engine.AddFriendRequest{UserID: x("p", 32), Type: engine.AddBoth, Remark: x("r", 96),
		Wording: x("w", 256), Source: x("s", 32), Group: x("g", 30),
		Custom: map[string][]byte{"tag": []byte(x("v", 500))}}
	mustAddFriend(t, db, "me", req, engine.Added)
	e := edgeOf(t, db, "me", req.UserID)
	if e == nil || e.Remark != req.Remark || e.AddWording != req.Wording || e.AddSource != req.Source ||
		!slices.Equal(e.Groups, []string{req.Group}) || string(e.Custom["tag"]) != x("v", 500) {
		t.Fatalf("edge = %+v", e)
	}
}

func TestAddFriendsCheck2ForbiddenToAdd(t *testing.T) {
	db := openDB(t, nil)
	createUsers(t, db, engine.AllowAny, "me", "blocked", "blocker", "denier", "friend")
	befriend(t, db, "me", "friend")
	blockUser(t, db, "me", "blocked")
	blockUser(t, db, "blocker", "me")
	setAllowType(t, db, "denier", engine.DenyAny)
	if _, err := db.UpdateProfile(ctx, "me", engine.ProfileUpdate{AdminForbidType: new(engine.ForbidSendOut)}); err != nil {
		t.Fatal(err)
	}
	users := []string{"me", "blocked", "blocker", "denier", "friend"}
	before := relSnapshot(t, db, users...)
	for _, to := range []string{"blocked", "blocker", "denier", "friend"} {
		for _, typ := range []engine.AddType{engine.AddSingle, engine.AddBoth} {
			r := addOne(t, db, "me", engine.AddFriendRequest{UserID: to, Type: typ})
			wantAddErr(t, fmt.Sprintf("SendOut sender -> %s type %d", to, typ), r, engine.ErrForbiddenToAdd, 30009)
		}
	}
	wantUnchanged(t, db, "forbidden sender", before, users...)

	// Lifted, the same requests reach the later rows.
	if _, err := db.UpdateProfile(ctx, "me", engine.ProfileUpdate{AdminForbidType: new(engine.ForbidNone)}); err != nil {
		t.Fatal(err)
	}
	wantAddErr(t, "after lifting", addOne(t, db, "me", engine.AddFriendRequest{UserID: "blocked"}), engine.ErrBlockedByMe, 30515)
}

func TestAddFriendsCheck3BlockedByMe(t *testing.T) {
	// KeepFriendsOnBlock lets the pair stay friends, so that "already
	// friends" would fail too.
	db := openDB(t, &engine.Options{KeepFriendsOnBlock: true})
	createUsers(t, db, engine.AllowAny, "me", "x")
	befriend(t, db, "me", "x")
	blockUser(t, db, "me", "x")
	blockUser(t, db, "x", "me")
	setAllowType(t, db, "x", engine.DenyAny)
	before := relSnapshot(t, db, "me", "x")
	for _, typ := range []engine.AddType{engine.AddSingle, engine.AddBoth} {
		r := addOne(t, db, "me", engine.AddFriendRequest{UserID: "x", Type: typ})
		wantAddErr(t, fmt.Sprintf("type %d", typ), r, engine.ErrBlockedByMe, 30515)
	}
	wantUnchanged(t, db, "blocked by me", before, "me", "x")
}

func TestAddFriendsCheck4BlockedByPeer(t *testing.T) {
	db := openDB(t, &engine.Options{KeepFriendsOnBlock: true})
	createUsers(t, db, engine.AllowAny, "me", "x")
	befriend(t, db, "me", "x")
	blockUser(t, db, "x", "me")
	setAllowType(t, db, "x", engine.DenyAny)
	before := relSnapshot(t, db, "me", "x")
	for _, typ := range []engine.AddType{engine.AddSingle, engine.AddBoth} {
		r := addOne(t, db, "me", engine.AddFriendRequest{UserID: "x", Type: typ})
		wantAddErr(t, fmt.Sprintf("type %d", typ), r, engine.ErrBlockedByPeer, 30525)
	}
	wantUnchanged(t, db, "blocked by peer", before, "me", "x")

	// Without KeepFriendsOnBlock the block ended the friendship; the
	// refusal is the same.
	db2 := openDB(t, nil)
	createUsers(t, db2, engine.AllowAny, "me", "x")
	befriend(t, db2, "me", "x")
	blockUser(t, db2, "x", "me")
	wantFriendRelation(t, db2, "me", "x", engine.NoRelation)
	wantAddErr(t, "after block", addOne(t, db2, "me", engine.AddFriendRequest{UserID: "x", Type: engine.AddBoth}), engine.ErrBlockedByPeer, 30525)
	wantFriendRelation(t, db2, "me", "x", engine.NoRelation)
}

func TestAddFriendsCheck5PeerDeniesAll(t *testing.T) {
	db := openDB(t, &engine.Options{Limits: engine.Limits{Friends: 1}})
	createUsers(t, db, engine.AllowAny, "me", "x", "y")
	befriend(t, db, "me", "x") // me's list is now full
	setAllowType(t, db, "x", engine.DenyAny)
	setAllowType(t, db, "y", engine.DenyAny)
	before := relSnapshot(t, db, "me", "x", "y")
	for _, typ := range []engine.AddType{engine.AddSingle, engine.AddBoth} {
		// x: already friends would fail too; y: own list full would.
		for _, to := range []string{"x", "y"} {
			r := addOne(t, db, "me", engine.AddFriendRequest{UserID: to, Type: typ})
			wantAddErr(t, fmt.Sprintf("-> %s type %d", to, typ), r, engine.ErrPeerDeniesAll, 30516)
		}
	}
	wantUnchanged(t, db, "denied requests", before, "me", "x", "y")
	// DenyAny refuses a Single add too, though the target's list would
	// not change.
	db2 := openDB(t, nil)
	createUsers(t, db2, engine.AllowAny, "me")
	createUsers(t, db2, engine.DenyAny, "z")
	wantAddErr(t, "single to DenyAny", addOne(t, db2, "me", engine.AddFriendRequest{UserID: "z"}), engine.ErrPeerDeniesAll, 30516)
	wantIDs(t, "me's friends", friendsOf(t, db2, "me"), nil)
}

func TestAddFriendsCheck6AlreadyFriends(t *testing.T) {
	db := openDB(t, &engine.Options{Limits: engine.Limits{Friends: 2}})
	createUsers(t, db, engine.AllowAny, "me", "both", "one", "f1", "f2")
	befriend(t, db, "me", "both")
	mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "one"}, engine.Added) // me -> one only
	befriend(t, db, "one", "f1")
	befriend(t, db, "one", "f2") // one's list is full
	setAllowType(t, db, "both", engine.NeedConfirm)
	// me's list is full (2): own-list-full would fail each of these too.
	users := []string{"me", "both", "one", "f1", "f2"}
	before := relSnapshot(t, db, users...)
	for _, c := range []struct {
		to  string
		typ engine.AddType
	}{{"both", engine.AddSingle}, {"both", engine.AddBoth}, {"one", engine.AddSingle}} {
		r := addOne(t, db, "me", engine.AddFriendRequest{UserID: c.to, Type: c.typ})
		wantAddErr(t, fmt.Sprintf("-> %s type %d", c.to, c.typ), r, engine.ErrAlreadyFriends, 30001)
	}
	wantUnchanged(t, db, "already friends", before, users...)

	// Both where only me -> one exists is not "already friends": it goes
	// on to the peer-list row (one is full and AllowAny).
	r := addOne(t, db, "me", engine.AddFriendRequest{UserID: "one", Type: engine.AddBoth})
	wantAddErr(t, "both -> one-way friend with full list", r, engine.ErrPeerFriendLimit, 30014)
	// ... and, one being NeedConfirm, to a pending application (me's full
	// list does not matter: me's edge exists).
	setAllowType(t, db, "one", engine.NeedConfirm)
	r = addOne(t, db, "me", engine.AddFriendRequest{UserID: "one", Type: engine.AddBoth})
	if r.Err != nil || r.Outcome != engine.Pending || r.Code() != 30539 {
		t.Fatalf("both -> one-way friend, NeedConfirm: %+v", r)
	}
	wantIDs(t, "one's incoming", incomingOf(t, db, "one"), []string{"me"})
	wantFriendRelation(t, db, "me", "one", engine.InMyList)
}

func TestAddFriendsCheck7FriendLimit(t *testing.T) {
	db := openDB(t, &engine.Options{Limits: engine.Limits{Friends: 2}})
	createUsers(t, db, engine.AllowAny, "me", "f1", "f2", "t", "t1", "t2")
	createUsers(t, db, engine.NeedConfirm, "nc")
	befriend(t, db, "me", "f1")
	befriend(t, db, "me", "f2")
	befriend(t, db, "t", "t1")
	befriend(t, db, "t", "t2") // t is full too: peer-list-full would fail
	users := []string{"me", "t", "nc"}
	before := relSnapshot(t, db, users...)
	for _, c := range []struct {
		to  string
		typ engine.AddType
	}{{"t", engine.AddSingle}, {"t", engine.AddBoth}, {"nc", engine.AddSingle}, {"nc", engine.AddBoth}} {
		r := addOne(t, db, "me", engine.AddFriendRequest{UserID: c.to, Type: c.typ})
		wantAddErr(t, fmt.Sprintf("-> %s type %d", c.to, c.typ), r, engine.ErrFriendLimit, 30010)
	}
	wantUnchanged(t, db, "own list full", before, users...)

	// One friend fewer and the same request goes through.
	if res, err := db.DeleteFriends(ctx, "me", []string{"f2"}, engine.DeleteSingle); err != nil || res[0].Err != nil {
		t.Fatal(err, res)
	}
	mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "t"}, engine.Added)
	wantIDs(t, "me's friends", friendsOf(t, db, "me"), []string{"f1", "t"})
}

func TestAddFriendsCheck8PeerFriendLimit(t *testing.T) {
	db := openDB(t, &engine.Options{Limits: engine.Limits{Friends: 2}})
	createUsers(t, db, engine.AllowAny, "me", "t", "t1", "t2")
	befriend(t, db, "t", "t1")
	befriend(t, db, "t", "t2") // t's list is full
	users := []string{"me", "t"}
	before := relSnapshot(t, db, users...)
	r := addOne(t, db, "me", engine.AddFriendRequest{UserID: "t", Type: engine.AddBoth, Group: "g"})
	wantAddErr(t, "both -> full AllowAny", r, engine.ErrPeerFriendLimit, 30014)
	wantUnchanged(t, db, "peer list full", before, users...)

	// Single does not add the target's edge: the target's list is not checked.
	mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "t"}, engine.Added)
	wantFriendRelation(t, db, "me", "t", engine.InMyList)
	wantIDs(t, "t's friends", friendsOf(t, db, "t"), []string{"t1", "t2"})
	// Both again: me's edge exists, t's would be added: still refused.
	before = relSnapshot(t, db, users...)
	r = addOne(t, db, "me", engine.AddFriendRequest{UserID: "t", Type: engine.AddBoth})
	wantAddErr(t, "both -> full AllowAny, own edge exists", r, engine.ErrPeerFriendLimit, 30014)
	wantUnchanged(t, db, "peer list full", before, users...)

	// A NeedConfirm target's edge is not added now: the request is pending.
	setAllowType(t, db, "t", engine.NeedConfirm)
	r = addOne(t, db, "me", engine.AddFriendRequest{UserID: "t", Type: engine.AddBoth})
	if r.Err != nil || r.Outcome != engine.Pending {
		t.Fatalf("both -> full NeedConfirm: %+v", r)
	}

	// A crossing application would add the full target's edge: refused,
	// and the application stays.
	db2 := openDB(t, &engine.Options{Limits: engine.Limits{Friends: 2}})
	createUsers(t, db2, engine.AllowAny, "t", "t1", "t2")
	createUsers(t, db2, engine.NeedConfirm, "me")
	mustAddFriend(t, db2, "t", engine.AddFriendRequest{UserID: "me", Type: engine.AddBoth}, engine.Pending)
	befriend(t, db2, "t", "t1")
	befriend(t, db2, "t", "t2")
	before = relSnapshot(t, db2, users...)
	r = addOne(t, db2, "me", engine.AddFriendRequest{UserID: "t", Type: engine.AddBoth})
	wantAddErr(t, "crossing -> full target", r, engine.ErrPeerFriendLimit, 30014)
	wantUnchanged(t, db2, "crossing to full target", before, users...)
}

func TestAddFriendsSingle(t *testing.T) {
	db := openDB(t, nil)
	createUsers(t, db, engine.NeedConfirm, "me", "nc")
	createUsers(t, db, engine.AllowAny, "any")
	for _, to := range []string{"nc", "any"} {
		r := addOne(t, db, "me", engine.AddFriendRequest{UserID: to, Type: engine.AddSingle, Remark: "r-" + to, Wording: "hi"})
		if r.Err != nil || r.Outcome != engine.Added || r.Code() != 0 {
			t.Fatalf("single -> %s: %+v", to, r)
		}
		wantFriendRelation(t, db, "me", to, engine.InMyList)
		wantIDs(t, to+"'s friends", friendsOf(t, db, to), nil)
		wantIDs(t, to+"'s incoming", incomingOf(t, db, to), nil)
	}
	wantIDs(t, "me's friends", friendsOf(t, db, "me"), []string{"any", "nc"})
	wantIDs(t, "me's outgoing", outgoingOf(t, db, "me"), nil)
	if e := edgeOf(t, db, "me", "nc"); e.Remark != "r-nc" || e.AddWording != "hi" || e.AddedAt == 0 {
		t.Errorf("me's edge to nc = %+v", e)
	}
}

func TestAddFriendsBothAllowAny(t *testing.T) {
	db := openDB(t, &engine.Options{Clock: stepClock()})
	createUsers(t, db, engine.AllowAny, "me", "any")
	seq := listSeq(t, db, "me")
	r := addOne(t, db, "me", engine.AddFriendRequest{UserID: "any", Type: engine.AddBoth, Remark: "rem", Group: "work", Source: "search", Wording: "hello"})
	if r.Err != nil || r.Outcome != engine.Added || r.Code() != 0 {
		t.Fatalf("both -> AllowAny: %+v", r)
	}
	wantFriendRelation(t, db, "me", "any", engine.BothWay)
	mine, theirs := edgeOf(t, db, "me", "any"), edgeOf(t, db, "any", "me")
	// The request's remark and group are the sender's; source and wording
	// are on both edges.
	if mine.Remark != "rem" || !slices.Equal(mine.Groups, []string{"work"}) || mine.AddSource != "search" || mine.AddWording != "hello" {
		t.Errorf("sender's edge = %+v", mine)
	}
	if theirs.Remark != "" || len(theirs.Groups) != 0 || theirs.AddSource != "search" || theirs.AddWording != "hello" {
		t.Errorf("target's edge = %+v", theirs)
	}
	if mine.AddedAt == 0 || mine.AddedAt != theirs.AddedAt {
		t.Errorf("AddedAt %d / %d: want one non-zero time", mine.AddedAt, theirs.AddedAt)
	}
	// The named group was created on demand, for the sender only.
	if g := groupsOf(t, db, "me"); !slices.Equal(g["work"], []string{"any"}) || len(g) != 1 {
		t.Errorf("me's groups = %v", g)
	}
	if g := groupsOf(t, db, "any"); len(g) != 0 {
		t.Errorf("any's groups = %v", g)
	}
	if s := listSeq(t, db, "me"); s <= seq {
		t.Errorf("seq %d after an add, was %d", s, seq)
	}
}

func TestAddFriendsBothExistingGroupReused(t *testing.T) {
	db := openDB(t, &engine.Options{Limits: engine.Limits{Groups: 1}})
	createUsers(t, db, engine.AllowAny, "me", "a", "b")
	mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "a", Type: engine.AddBoth, Group: "g"}, engine.Added)
	// The group exists: no room is needed for it.
	mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "b", Group: "g"}, engine.Added)
	if g := groupsOf(t, db, "me"); !slices.Equal(g["g"], []string{"a", "b"}) {
		t.Errorf("me's groups = %v", g)
	}
}

func TestAddFriendsGroupLimitLeavesNoPartialWrite(t *testing.T) {
	db := openDB(t, &engine.Options{Limits: engine.Limits{Groups: 1}})
	createUsers(t, db, engine.AllowAny, "me", "a", "any")
	createUsers(t, db, engine.NeedConfirm, "old")
	mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "a", Group: "g1"}, engine.Added)
	// me has a pending application to any (sent while any needed
	// confirmation): a successful Both would remove it.
	setAllowType(t, db, "any", engine.NeedConfirm)
	mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "any", Type: engine.AddBoth}, engine.Pending)
	setAllowType(t, db, "any", engine.AllowAny)
	users := []string{"me", "a", "any"}
	before := relSnapshot(t, db, users...)
	for _, typ := range []engine.AddType{engine.AddSingle, engine.AddBoth} {
		r := addOne(t, db, "me", engine.AddFriendRequest{UserID: "any", Type: typ, Group: "g2"})
		wantAddErr(t, fmt.Sprintf("group over limit, type %d", typ), r, engine.ErrGroupLimit, 30011)
	}
	wantUnchanged(t, db, "group limit", before, users...)
	wantFriendRelation(t, db, "me", "any", engine.NoRelation)
	wantIDs(t, "any's incoming", incomingOf(t, db, "any"), []string{"me"})
}

func TestAddFriendsBothTargetHoldsSender(t *testing.T) {
	db := openDB(t, nil)
	createUsers(t, db, engine.NeedConfirm, "me", "nc")
	mustAddFriend(t, db, "nc", engine.AddFriendRequest{UserID: "me", Remark: "nc's remark"}, engine.Added)
	wantFriendRelation(t, db, "me", "nc", engine.InTheirList)
	mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "nc", Type: engine.AddBoth, Remark: "mine"}, engine.Added)
	wantFriendRelation(t, db, "me", "nc", engine.BothWay)
	// Only the missing edge was added: nc's edge is untouched.
	if e := edgeOf(t, db, "nc", "me"); e.Remark != "nc's remark" {
		t.Errorf("nc's edge = %+v", e)
	}
	if e := edgeOf(t, db, "me", "nc"); e.Remark != "mine" {
		t.Errorf("me's edge = %+v", e)
	}
	wantIDs(t, "nc's incoming", incomingOf(t, db, "nc"), nil)
}

func TestAddFriendsBothCrossingApplication(t *testing.T) {
	db := openDB(t, nil)
	createUsers(t, db, engine.NeedConfirm, "me", "nc")
	mustAddFriend(t, db, "nc", engine.AddFriendRequest{UserID: "me", Type: engine.AddBoth, Remark: "from nc", Group: "ncg"}, engine.Pending)
	wantIDs(t, "me's incoming", incomingOf(t, db, "me"), []string{"nc"})
	r := addOne(t, db, "me", engine.AddFriendRequest{UserID: "nc", Type: engine.AddBoth, Remark: "from me"})
	if r.Err != nil || r.Outcome != engine.Added {
		t.Fatalf("crossing: %+v", r)
	}
	wantFriendRelation(t, db, "me", "nc", engine.BothWay)
	for _, u := range []string{"me", "nc"} {
		all := appsOf(t, db, u, engine.BothDirections)
		if len(all.Items) != 0 || all.Unread != 0 {
			t.Errorf("%s's applications after crossing: %+v", u, all)
		}
	}
	if e := edgeOf(t, db, "me", "nc"); e.Remark != "from me" {
		t.Errorf("me's edge = %+v", e)
	}
}

func TestAddFriendsBothRemovesOwnStaleApplication(t *testing.T) {
	db := openDB(t, nil)
	createUsers(t, db, engine.NeedConfirm, "me", "t")
	mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "t", Type: engine.AddBoth}, engine.Pending)
	setAllowType(t, db, "t", engine.AllowAny)
	mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "t", Type: engine.AddBoth}, engine.Added)
	wantFriendRelation(t, db, "me", "t", engine.BothWay)
	if a := appsOf(t, db, "t", engine.Incoming); len(a.Peers) != 0 || a.Unread != 0 {
		t.Errorf("t's incoming after completion: %+v", a)
	}
	wantIDs(t, "me's outgoing", outgoingOf(t, db, "me"), nil)
}

func TestAddFriendsBothNeedConfirmPending(t *testing.T) {
	db := openDB(t, &engine.Options{Clock: stepClock()})
	createUsers(t, db, engine.NeedConfirm, "me", "nc")
	r := addOne(t, db, "me", engine.AddFriendRequest{UserID: "nc", Type: engine.AddBoth, Wording: "w1", Source: "s1", Remark: "r1", Group: "g1"})
	if r.Err != nil || r.Outcome != engine.Pending || r.Code() != 30539 {
		t.Fatalf("both -> NeedConfirm: %+v code %d", r, r.Code())
	}
	wantFriendRelation(t, db, "me", "nc", engine.NoRelation)
	in := appsOf(t, db, "nc", engine.Incoming)
	out := appsOf(t, db, "me", engine.Outgoing)
	wantIDs(t, "nc's incoming", in.Peers, []string{"me"})
	wantIDs(t, "me's outgoing", out.Peers, []string{"nc"})
	wantIDs(t, "nc's outgoing", outgoingOf(t, db, "nc"), nil)
	wantIDs(t, "me's incoming", incomingOf(t, db, "me"), nil)
	if in.Unread != 1 || out.Unread != 0 {
		t.Errorf("unread: target %d (want 1), sender %d (want 0)", in.Unread, out.Unread)
	}
	a := in.Items[0]
	if a.From != "me" || a.To != "nc" || out.Items[0].From != "me" || out.Items[0].To != "nc" {
		t.Errorf("items %+v / %+v", a, out.Items[0])
	}
	want := engine.Application{Wording: "w1", Source: "s1", Remark: "r1", Group: "g1", CreatedAt: a.Application.CreatedAt}
	if *a.Application != want || a.Application.CreatedAt == 0 {
		t.Errorf("application = %+v", *a.Application)
	}
	// The group waits for the acceptance: not created yet.
	if g := groupsOf(t, db, "me"); len(g) != 0 {
		t.Errorf("me's groups while pending = %v", g)
	}

	// Re-sending refreshes the same application.
	r = addOne(t, db, "me", engine.AddFriendRequest{UserID: "nc", Type: engine.AddBoth, Wording: "w2"})
	if r.Outcome != engine.Pending || r.Err != nil {
		t.Fatalf("re-send: %+v", r)
	}
	in = appsOf(t, db, "nc", engine.Incoming)
	wantIDs(t, "nc's incoming after re-send", in.Peers, []string{"me"})
	if got := in.Items[0].Application; got.Wording != "w2" || got.Remark != "" || got.CreatedAt <= a.Application.CreatedAt || in.Unread != 1 {
		t.Errorf("refreshed application = %+v, unread %d", *got, in.Unread)
	}
	// Read, then re-sent: unread again.
	if err := db.MarkApplicationsRead(ctx, "nc"); err != nil {
		t.Fatal(err)
	}
	if in = appsOf(t, db, "nc", engine.Incoming); in.Unread != 0 || !in.Items[0].Application.Read {
		t.Errorf("after MarkApplicationsRead: unread %d, %+v", in.Unread, *in.Items[0].Application)
	}
	mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "nc", Type: engine.AddBoth, Wording: "w3"}, engine.Pending)
	if in = appsOf(t, db, "nc", engine.Incoming); in.Unread != 1 || in.Items[0].Application.Read || len(in.Items) != 1 {
		t.Errorf("after re-send of a read application: unread %d, %+v", in.Unread, in.Items)
	}
}

func TestAddFriendsPendingLimit(t *testing.T) {
	db := openDB(t, &engine.Options{Limits: engine.Limits{PendingIn: 1}})
	createUsers(t, db, engine.NeedConfirm, "nc", "a", "b")
	mustAddFriend(t, db, "a", engine.AddFriendRequest{UserID: "nc", Type: engine.AddBoth}, engine.Pending)
	users := []string{"nc", "a", "b"}
	before := relSnapshot(t, db, users...)
	wantAddErr(t, "second sender", addOne(t, db, "b", engine.AddFriendRequest{UserID: "nc", Type: engine.AddBoth}), engine.ErrPendingLimit, 30012)
	wantUnchanged(t, db, "pending limit", before, users...)
	// A refresh needs no room.
	mustAddFriend(t, db, "a", engine.AddFriendRequest{UserID: "nc", Type: engine.AddBoth, Wording: "again"}, engine.Pending)
	// Single needs no application.
	mustAddFriend(t, db, "b", engine.AddFriendRequest{UserID: "nc"}, engine.Added)
	// The limit counts incoming applications only: nc may still send.
	mustAddFriend(t, db, "nc", engine.AddFriendRequest{UserID: "b", Type: engine.AddBoth}, engine.Added) // b holds nc
	wantIDs(t, "nc's incoming", incomingOf(t, db, "nc"), []string{"a"})
}

func TestAddFriendsResultsInRequestOrder(t *testing.T) {
	db := openDB(t, nil)
	createUsers(t, db, engine.AllowAny, "me", "any1", "any2")
	createUsers(t, db, engine.NeedConfirm, "nc")
	createUsers(t, db, engine.DenyAny, "deny")
	reqs := []engine.AddFriendRequest{
		{UserID: "nc", Type: engine.AddBoth},
		{UserID: "any2", Type: engine.AddBoth},
		{UserID: "me"},
		{UserID: "nobody"},
		{UserID: "deny"},
		{UserID: "any2"},
		{UserID: ""},
		{UserID: "any1", Remark: strings.Repeat("r", 97)},
		{UserID: "any1"},
	}
	res, err := db.AddFriends(ctx, "me", reqs)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		out  engine.AddOutcome
		err  error
		code int
	}{
		{engine.Pending, nil, 30539},
		{engine.Added, nil, 0},
		{0, engine.ErrSelf, 30001},
		{0, engine.ErrNotFound, 30003},
		{0, engine.ErrPeerDeniesAll, 30516},
		{0, engine.ErrDuplicateID, 30001},
		{0, engine.ErrInvalidUserID, 30001},
		{0, engine.ErrTooLong, 30001},
		{0, engine.ErrDuplicateID, 30001}, // any1's first occurrence was invalid, still an occurrence
	}
	if len(res) != len(reqs) {
		t.Fatalf("%d results for %d requests", len(res), len(reqs))
	}
	for i, w := range want {
		r := res[i]
		if r.UserID != reqs[i].UserID || r.Code() != w.code || (w.err == nil) != (r.Err == nil) ||
			(w.err != nil && !errors.Is(r.Err, w.err)) || (w.err == nil && r.Outcome != w.out) {
			t.Errorf("result %d = %+v (code %d), want outcome %d err %v code %d", i, r, r.Code(), w.out, w.err, w.code)
		}
	}
	wantIDs(t, "me's friends", friendsOf(t, db, "me"), []string{"any2"})
	wantFriendRelation(t, db, "me", "any2", engine.BothWay)
	wantFriendRelation(t, db, "me", "any1", engine.NoRelation)
	wantIDs(t, "nc's incoming", incomingOf(t, db, "nc"), []string{"me"})
}

func TestAddFriendsDuplicateIDs(t *testing.T) {
	db := openDB(t, nil)
	createUsers(t, db, engine.AllowAny, "me", "t")
	res, err := db.AddFriends(ctx, "me", []engine.AddFriendRequest{
		{UserID: "t", Type: engine.AddSingle},
		{UserID: "t", Type: engine.AddBoth},
		{UserID: "t", Type: engine.AddBoth},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || res[0].Outcome != engine.Added {
		t.Errorf("first occurrence: %+v", res[0])
	}
	for _, r := range res[1:] {
		wantAddErr(t, "later occurrence", r, engine.ErrDuplicateID, 30001)
	}
	// Only the first occurrence ran.
	wantFriendRelation(t, db, "me", "t", engine.InMyList)
}

func TestAddFriendsTooManyWritesNothing(t *testing.T) {
	db := openDB(t, &engine.Options{Limits: engine.Limits{IDsPerCall: 3}})
	users := []string{"me", "a", "b", "c", "d"}
	createUsers(t, db, engine.AllowAny, users...)
	var reqs []engine.AddFriendRequest
	for _, u := range users[1:] {
		reqs = append(reqs, engine.AddFriendRequest{UserID: u, Type: engine.AddBoth})
	}
	before := relSnapshot(t, db, users...)
	res, err := db.AddFriends(ctx, "me", reqs)
	wantErrIs(t, "4 requests, limit 3", err, engine.ErrTooMany, 30001)
	if res != nil {
		t.Errorf("results with a call error: %+v", res)
	}
	wantUnchanged(t, db, "too many", before, users...)
	// At the limit the call runs.
	if res, err := db.AddFriends(ctx, "me", reqs[:3]); err != nil || len(res) != 3 {
		t.Fatalf("3 requests: %v %+v", err, res)
	}
	wantIDs(t, "me's friends", friendsOf(t, db, "me"), []string{"a", "b", "c"})
}

func TestAddFriendsCallErrors(t *testing.T) {
	db := openDB(t, nil)
	createUsers(t, db, engine.AllowAny, "me", "t")
	req := []engine.AddFriendRequest{{UserID: "t", Type: engine.AddBoth}}
	if _, err := db.AddFriends(ctx, "", req); !errors.Is(err, engine.ErrInvalidUserID) {
		t.Errorf("empty sender: %v", err)
	}
	var nilCtx context.Context
	if _, err := db.AddFriends(nilCtx, "me", req); !errors.Is(err, engine.ErrNilContext) {
		t.Errorf("nil context: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := db.AddFriends(cancelled, "me", req); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
	if res, err := db.AddFriends(ctx, "me", nil); err != nil || len(res) != 0 {
		t.Errorf("no requests: %v %+v", err, res)
	}
	wantFriendRelation(t, db, "me", "t", engine.NoRelation)
}

func TestAddFriendsUnknownAndEdgeOnlyUsers(t *testing.T) {
	db := openDB(t, nil)
	createUsers(t, db, engine.AllowAny, "me", "x")
	r := addOne(t, db, "me", engine.AddFriendRequest{UserID: "nobody", Type: engine.AddBoth})
	wantAddErr(t, "unknown target", r, engine.ErrNotFound, 30003)
	r = addOne(t, db, "me", engine.AddFriendRequest{UserID: "nobody"})
	wantAddErr(t, "unknown target, single", r, engine.ErrNotFound, 30003)
	// A sender without a profile comes into being with its first edge ...
	mustAddFriend(t, db, "ghost", engine.AddFriendRequest{UserID: "x"}, engine.Added)
	wantFriendRelation(t, db, "ghost", "x", engine.InMyList)
	// ... and is then a target with the default AllowType (NeedConfirm).
	mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "ghost", Type: engine.AddBoth}, engine.Pending)
	wantIDs(t, "ghost's incoming", incomingOf(t, db, "ghost"), []string{"me"})
	ps, err := db.GetProfiles(ctx, "me", []string{"ghost", "nobody"})
	if err != nil || ps.Items[0].Err != nil || ps.Items[0].Profile.AllowType != engine.NeedConfirm || !errors.Is(ps.Items[1].Err, engine.ErrNotFound) {
		t.Errorf("profiles: %v %+v", err, ps)
	}
}

func TestAddFriendsCustomFields(t *testing.T) {
	db := openDB(t, &engine.Options{CustomFriendFields: []string{"tag", "level"}})
	createUsers(t, db, engine.AllowAny, "me", "t")
	mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "t", Type: engine.AddBoth,
		Custom: map[string][]byte{"tag": []byte("vip"), "level": nil}}, engine.Added)
	e := edgeOf(t, db, "me", "t")
	if string(e.Custom["tag"]) != "vip" || len(e.Custom) != 1 {
		t.Errorf("me's edge custom = %v (an empty value sets nothing)", e.Custom)
	}
	if e := edgeOf(t, db, "t", "me"); len(e.Custom) != 0 {
		t.Errorf("t's edge custom = %v", e.Custom)
	}
}

// ---- DeleteFriends ----

func TestDeleteFriendsSingle(t *testing.T) {
	db := openDB(t, nil)
	createUsers(t, db, engine.AllowAny, "me", "a", "b")
	mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "a", Type: engine.AddBoth, Group: "g"}, engine.Added)
	mustAddFriend(t, db, "b", engine.AddFriendRequest{UserID: "me"}, engine.Added) // b -> me only
	res, err := db.DeleteFriends(ctx, "me", []string{"a", "b"}, engine.DeleteSingle)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].UserID != "a" || res[0].Err != nil {
		t.Errorf("delete a: %+v", res[0])
	}
	// Single looks at me's edge only: b -> me does not count.
	wantErrIs(t, "delete b (only b holds me)", res[1].Err, engine.ErrNotFriends, 31704)
	wantFriendRelation(t, db, "me", "a", engine.InTheirList)
	wantFriendRelation(t, db, "me", "b", engine.InTheirList)
	// The membership left with the edge; the group stays.
	if g := groupCounts(t, db, "me"); len(g) != 1 || g["g"] != 0 {
		t.Errorf("me's groups = %v", g)
	}
	// Adding a back does not bring the old group back.
	mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "a"}, engine.Added)
	if e := edgeOf(t, db, "me", "a"); len(e.Groups) != 0 {
		t.Errorf("re-added edge = %+v", e)
	}
}

func TestDeleteFriendsBoth(t *testing.T) {
	db := openDB(t, nil)
	createUsers(t, db, engine.AllowAny, "me", "a", "b", "c", "d")
	befriend(t, db, "me", "a")
	mustAddFriend(t, db, "b", engine.AddFriendRequest{UserID: "me", Group: "bg"}, engine.Added) // b -> me only
	mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "c"}, engine.Added)              // me -> c only
	res, err := db.DeleteFriends(ctx, "me", []string{"a", "b", "c", "d"}, engine.DeleteBoth)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range []string{"a", "b", "c"} {
		if res[i].UserID != id || res[i].Err != nil {
			t.Errorf("delete %s: %+v", id, res[i])
		}
		wantFriendRelation(t, db, "me", id, engine.NoRelation)
	}
	wantErrIs(t, "delete d", res[3].Err, engine.ErrNotFriends, 31704)
	wantIDs(t, "me's friends", friendsOf(t, db, "me"), nil)
	// b's membership of me went with b's edge.
	if g := groupCounts(t, db, "b"); g["bg"] != 0 {
		t.Errorf("b's groups = %v", g)
	}
}

func TestDeleteFriendsPerItemAndLimits(t *testing.T) {
	db := openDB(t, nil)
	createUsers(t, db, engine.AllowAny, "me", "a")
	befriend(t, db, "me", "a")
	res, err := db.DeleteFriends(ctx, "me", []string{"a", "", "me", "a", "nobody"}, engine.DeleteBoth)
	if err != nil {
		t.Fatal(err)
	}
	wants := []error{nil, engine.ErrInvalidUserID, engine.ErrSelf, engine.ErrDuplicateID, engine.ErrNotFriends}
	for i, w := range wants {
		if (w == nil) != (res[i].Err == nil) || !errors.Is(res[i].Err, w) {
			t.Errorf("item %d (%q): %v, want %v", i, res[i].UserID, res[i].Err, w)
		}
	}
	wantFriendRelation(t, db, "me", "a", engine.NoRelation)

	befriend(t, db, "me", "a")
	before := relSnapshot(t, db, "me", "a")
	many := append(userIDs("x", 1000), "a")
	if res, err := db.DeleteFriends(ctx, "me", many, engine.DeleteBoth); !errors.Is(err, engine.ErrTooMany) || res != nil {
		t.Errorf("1001 ids: %v %d results", err, len(res))
	}
	if _, err := db.DeleteFriends(ctx, "me", []string{"a"}, engine.DeleteType(9)); !errors.Is(err, engine.ErrInvalidArgument) {
		t.Errorf("bad delete type: %v", err)
	}
	wantUnchanged(t, db, "refused DeleteFriends calls", before, "me", "a")
	// 1000 is allowed.
	res, err = db.DeleteFriends(ctx, "me", many[1:], engine.DeleteBoth)
	if err != nil || len(res) != 1000 || res[999].Err != nil {
		t.Fatalf("1000 ids: %v", err)
	}
	wantFriendRelation(t, db, "me", "a", engine.NoRelation)
}

// ---- CheckFriends ----

func TestCheckFriends(t *testing.T) {
	db := openDB(t, nil)
	createUsers(t, db, engine.AllowAny, "me", "mine", "theirs", "both", "none")
	mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "mine"}, engine.Added)
	mustAddFriend(t, db, "theirs", engine.AddFriendRequest{UserID: "me"}, engine.Added)
	befriend(t, db, "me", "both")
	// Request order differs from ID order on purpose.
	q := []string{"theirs", "none", "mine", "nobody", "both", "", "me", "mine"}
	single := []engine.Relation{engine.NoRelation, engine.NoRelation, engine.InMyList, engine.NoRelation, engine.InMyList}
	both := []engine.Relation{engine.InTheirList, engine.NoRelation, engine.InMyList, engine.NoRelation, engine.BothWay}
	itemErrs := []error{engine.ErrInvalidUserID, engine.ErrSelf, engine.ErrDuplicateID}
	for _, c := range []struct {
		typ  engine.CheckType
		want []engine.Relation
	}{{engine.CheckSingle, single}, {engine.CheckBoth, both}} {
		res, err := db.CheckFriends(ctx, "me", q, c.typ)
		if err != nil || len(res) != len(q) {
			t.Fatalf("CheckFriends type %d: %v %+v", c.typ, err, res)
		}
		for i, r := range res {
			if r.UserID != q[i] {
				t.Errorf("type %d item %d is %q, want %q", c.typ, i, r.UserID, q[i])
			}
			if i < len(c.want) {
				if r.Err != nil || r.Relation != c.want[i] {
					t.Errorf("type %d, %s: %s %v, want %s", c.typ, q[i], relName(r.Relation), r.Err, relName(c.want[i]))
				}
				continue
			}
			if w := itemErrs[i-len(c.want)]; !errors.Is(r.Err, w) || engine.Code(r.Err) != 30001 {
				t.Errorf("type %d, %q: err %v, want %v", c.typ, q[i], r.Err, w)
			}
		}
	}
	if _, err := db.CheckFriends(ctx, "me", userIDs("x", 1001), engine.CheckBoth); !errors.Is(err, engine.ErrTooMany) {
		t.Errorf("1001 ids: %v", err)
	}
	if res, err := db.CheckFriends(ctx, "me", userIDs("x", 1000), engine.CheckBoth); err != nil || len(res) != 1000 {
		t.Errorf("1000 ids: %v", err)
	}
	if _, err := db.CheckFriends(ctx, "me", q, engine.CheckType(5)); !errors.Is(err, engine.ErrInvalidArgument) {
		t.Errorf("bad check type: %v", err)
	}
	if _, err := db.CheckFriends(ctx, "", q, engine.CheckBoth); !errors.Is(err, engine.ErrInvalidUserID) {
		t.Errorf("bad owner: %v", err)
	}
}

// ---- GetFriends ----

func TestGetFriends(t *testing.T) {
	db := openDB(t, nil)
	createUsers(t, db, engine.AllowAny, "me", "mine", "both", "theirs")
	if _, err := db.UpdateProfile(ctx, "both", engine.ProfileUpdate{Nick: new("Bo")}); err != nil {
		t.Fatal(err)
	}
	mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "mine", Remark: "m"}, engine.Added)
	mustAddFriend(t, db, "theirs", engine.AddFriendRequest{UserID: "me"}, engine.Added)
	mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "both", Type: engine.AddBoth, Remark: "b", Group: "g"}, engine.Added)
	q := []string{"both", "theirs", "mine", "nobody", "", "both"}
	fs, err := db.GetFriends(ctx, "me", q)
	if err != nil || len(fs) != len(q) {
		t.Fatalf("GetFriends: %v %+v", err, fs)
	}
	for i, f := range fs {
		if f.UserID != q[i] {
			t.Errorf("item %d is %q, want %q", i, f.UserID, q[i])
		}
	}
	if f := fs[0]; f.Err != nil || f.Relation != engine.BothWay || f.Edge.Remark != "b" || !slices.Equal(f.Edge.Groups, []string{"g"}) ||
		f.Profile == nil || f.Profile.Nick != "Bo" {
		t.Errorf("both: %+v edge %+v profile %+v", f, f.Edge, f.Profile)
	}
	if f := fs[2]; f.Err != nil || f.Relation != engine.InMyList || f.Edge.Remark != "m" || f.Profile == nil {
		t.Errorf("mine: %+v", f)
	}
	wantErrIs(t, "theirs (holds me, not held)", fs[1].Err, engine.ErrNotFriends, 31704)
	wantErrIs(t, "nobody", fs[3].Err, engine.ErrNotFriends, 31704)
	wantErrIs(t, "empty id", fs[4].Err, engine.ErrInvalidUserID, 30001)
	wantErrIs(t, "duplicate", fs[5].Err, engine.ErrDuplicateID, 30001)
	for _, i := range []int{1, 3, 4, 5} {
		if fs[i].Edge != nil || fs[i].Profile != nil {
			t.Errorf("item %d with an error carries %+v", i, fs[i])
		}
	}
	if _, err := db.GetFriends(ctx, "me", userIDs("x", 101)); !errors.Is(err, engine.ErrTooMany) {
		t.Errorf("101 ids: %v", err)
	}
	if fs, err := db.GetFriends(ctx, "me", userIDs("x", 100)); err != nil || len(fs) != 100 {
		t.Errorf("100 ids: %v", err)
	}
}

// ---- ListFriends ----

func TestListFriendsPages(t *testing.T) {
	db := openDB(t, nil)
	friends := userIDs("f", 25)
	createUsers(t, db, engine.AllowAny, "me")
	createUsers(t, db, engine.AllowAny, friends...)
	// Added in reverse order: the list is in ID order whatever the order of adding.
	for _, f := range slices.Backward(friends) {
		mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: f, Remark: "r" + f}, engine.Added)
	}
	var got []string
	opts := engine.ListOptions{Limit: 10}
	wantSizes, wantNext := []int{10, 10, 5}, []string{friends[9], friends[19], ""}
	for i := range 3 {
		page, err := db.ListFriends(ctx, "me", opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != wantSizes[i] || page.Next != wantNext[i] {
			t.Errorf("page %d: %d items, Next %q; want %d, %q", i, len(page.Items), page.Next, wantSizes[i], wantNext[i])
		}
		for _, f := range page.Items {
			if f.Edge == nil || f.Edge.Remark != "r"+f.UserID {
				t.Errorf("page item %+v", f)
			}
			got = append(got, f.UserID)
		}
		opts.After = page.Next
	}
	wantIDs(t, "all pages", got, friends)
	// The default page holds them all; After the last one is empty.
	if page, err := db.ListFriends(ctx, "me", engine.ListOptions{}); err != nil || len(page.Items) != 25 || page.Next != "" {
		t.Errorf("default page: %v %d %q", err, len(page.Items), page.Next)
	}
	if page, err := db.ListFriends(ctx, "me", engine.ListOptions{After: friends[24]}); err != nil || len(page.Items) != 0 || page.Next != "" {
		t.Errorf("after the last: %v %+v", err, page)
	}
	// After need not be a friend: the page resumes after it in ID order.
	if page, err := db.ListFriends(ctx, "me", engine.ListOptions{After: "f0004x", Limit: 2}); err != nil ||
		len(page.Items) != 2 || page.Items[0].UserID != friends[5] || page.Next != friends[6] {
		t.Errorf("after a non-friend: %v %+v", err, page)
	}
	// A page of exactly the remaining items is the last one.
	if page, err := db.ListFriends(ctx, "me", engine.ListOptions{After: friends[19], Limit: 5}); err != nil || len(page.Items) != 5 || page.Next != "" {
		t.Errorf("exact last page: %v %d %q", err, len(page.Items), page.Next)
	}
	for _, lim := range []int{1001, -1} {
		if _, err := db.ListFriends(ctx, "me", engine.ListOptions{Limit: lim}); !errors.Is(err, engine.ErrInvalidArgument) {
			t.Errorf("Limit %d: %v", lim, err)
		}
	}
	if page, err := db.ListFriends(ctx, "me", engine.ListOptions{Limit: 1000}); err != nil || len(page.Items) != 25 {
		t.Errorf("Limit 1000: %v", err)
	}
	if page, err := db.ListFriends(ctx, "nobody", engine.ListOptions{}); err != nil || len(page.Items) != 0 || page.Seq != 0 {
		t.Errorf("unknown owner: %v %+v", err, page)
	}
}

func TestListFriendsGroupFilter(t *testing.T) {
	db := openDB(t, nil)
	friends := userIDs("f", 6)
	createUsers(t, db, engine.AllowAny, "me")
	createUsers(t, db, engine.AllowAny, friends...)
	for i, f := range friends {
		r := engine.AddFriendRequest{UserID: f}
		if i%2 == 1 {
			r.Group = "odd"
		}
		mustAddFriend(t, db, "me", r, engine.Added)
	}
	var got []string
	opts := engine.ListOptions{Group: "odd", Limit: 2}
	for {
		page, err := db.ListFriends(ctx, "me", opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range page.Items {
			got = append(got, f.UserID)
			if !slices.Equal(f.Edge.Groups, []string{"odd"}) {
				t.Errorf("edge of %s: %+v", f.UserID, f.Edge)
			}
		}
		if page.Next == "" {
			break
		}
		opts.After = page.Next
	}
	wantIDs(t, "group odd", got, []string{friends[1], friends[3], friends[5]})
	_, err := db.ListFriends(ctx, "me", engine.ListOptions{Group: "even"})
	wantErrIs(t, "unknown group", err, engine.ErrGroupNotFound, 30001)
	if _, err := db.ListFriends(ctx, "me", engine.ListOptions{Group: strings.Repeat("g", 31)}); !errors.Is(err, engine.ErrInvalidArgument) {
		t.Errorf("group name too long: %v", err)
	}
	// An empty group lists nothing.
	if _, err := db.CreateGroup(ctx, "me", "empty", nil); err != nil {
		t.Fatal(err)
	}
	if page, err := db.ListFriends(ctx, "me", engine.ListOptions{Group: "empty"}); err != nil || len(page.Items) != 0 || page.Next != "" {
		t.Errorf("empty group: %v %+v", err, page)
	}
}

func TestListFriendsSeq(t *testing.T) {
	db := openDB(t, nil)
	createUsers(t, db, engine.AllowAny, "me", "a")
	createUsers(t, db, engine.DenyAny, "deny")
	last := listSeq(t, db, "me")
	if last == 0 {
		t.Fatalf("seq 0 after the profile was created")
	}
	step := func(what string, changes bool, f func()) {
		t.Helper()
		f()
		s := listSeq(t, db, "me")
		switch {
		case changes && s <= last:
			t.Errorf("%s: seq %d, was %d: want it to grow", what, s, last)
		case !changes && s != last:
			t.Errorf("%s: seq %d, was %d: want it unchanged", what, s, last)
		}
		last = s
	}
	step("add both", true, func() {
		mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "a", Type: engine.AddBoth}, engine.Added)
	})
	step("reads", false, func() {
		friendsOf(t, db, "me")
		friendRelation(t, db, "me", "a")
		groupsOf(t, db, "me")
		appsOf(t, db, "me", engine.BothDirections)
	})
	step("refused add", false, func() {
		wantAddErr(t, "deny", addOne(t, db, "me", engine.AddFriendRequest{UserID: "deny"}), engine.ErrPeerDeniesAll, 30516)
		wantAddErr(t, "again", addOne(t, db, "me", engine.AddFriendRequest{UserID: "a", Type: engine.AddBoth}), engine.ErrAlreadyFriends, 30001)
	})
	step("update friend", true, func() {
		if _, err := db.UpdateFriend(ctx, "me", "a", engine.FriendUpdate{Remark: new("x")}); err != nil {
			t.Fatal(err)
		}
	})
	step("change on a's side only", false, func() {
		if _, err := db.UpdateFriend(ctx, "a", "me", engine.FriendUpdate{Remark: new("y")}); err != nil {
			t.Fatal(err)
		}
	})
	step("a deletes me both ways", true, func() {
		if _, err := db.DeleteFriends(ctx, "a", []string{"me"}, engine.DeleteBoth); err != nil {
			t.Fatal(err)
		}
	})
	step("delete of a non-friend", false, func() {
		if res, err := db.DeleteFriends(ctx, "me", []string{"a"}, engine.DeleteBoth); err != nil || res[0].Err == nil {
			t.Fatal(err, res)
		}
	})
	// Every page of one list reports the same seq as of its own read.
	gl, err := db.ListGroups(ctx, "me", false)
	if err != nil || gl.Seq != last {
		t.Errorf("ListGroups seq %d, ListFriends %d (%v)", gl.Seq, last, err)
	}
	ap, err := db.ListApplications(ctx, "me", engine.BothDirections, engine.ListOptions{})
	if err != nil || ap.Seq != last {
		t.Errorf("ListApplications seq %d, ListFriends %d (%v)", ap.Seq, last, err)
	}
}

// ---- UpdateFriend ----

func TestUpdateFriend(t *testing.T) {
	db := openDB(t, &engine.Options{CustomFriendFields: []string{"tag", "note"}})
	createUsers(t, db, engine.AllowAny, "me", "a", "b", "stranger")
	mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "a", Type: engine.AddBoth, Group: "g1", Remark: "old"}, engine.Added)
	mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "b", Group: "g1"}, engine.Added)
	mustAddFriend(t, db, "stranger", engine.AddFriendRequest{UserID: "me"}, engine.Added)

	e, err := db.UpdateFriend(ctx, "me", "a", engine.FriendUpdate{Remark: new("new")})
	if err != nil || e.Remark != "new" || !slices.Equal(e.Groups, []string{"g1"}) {
		t.Fatalf("remark: %v %+v", err, e)
	}
	if got := edgeOf(t, db, "me", "a"); got.Remark != "new" || got.AddedAt != e.AddedAt {
		t.Errorf("stored edge %+v", got)
	}
	if got := edgeOf(t, db, "a", "me"); got.Remark != "" {
		t.Errorf("a's edge changed: %+v", got)
	}

	// Groups replace the set; new ones are created on demand.
	e, err = db.UpdateFriend(ctx, "me", "a", engine.FriendUpdate{Groups: &[]string{"g3", "g2", "g3"}})
	if err != nil || !slices.Equal(e.Groups, []string{"g2", "g3"}) || e.Remark != "new" {
		t.Fatalf("groups: %v %+v", err, e)
	}
	if g := groupsOf(t, db, "me"); !slices.Equal(g["g1"], []string{"b"}) || !slices.Equal(g["g2"], []string{"a"}) || !slices.Equal(g["g3"], []string{"a"}) {
		t.Errorf("groups after replace = %v", g)
	}
	if c := groupCounts(t, db, "me"); c["g1"] != 1 || c["g2"] != 1 || c["g3"] != 1 || len(c) != 3 {
		t.Errorf("counts = %v", c)
	}
	// An empty set leaves every group; the groups stay.
	if e, err = db.UpdateFriend(ctx, "me", "a", engine.FriendUpdate{Groups: &[]string{}}); err != nil || len(e.Groups) != 0 {
		t.Fatalf("empty groups: %v %+v", err, e)
	}
	if c := groupCounts(t, db, "me"); c["g1"] != 1 || c["g2"] != 0 || c["g3"] != 0 {
		t.Errorf("counts = %v", c)
	}

	// Custom fields: set, merge, remove with an empty value.
	if e, err = db.UpdateFriend(ctx, "me", "a", engine.FriendUpdate{Custom: map[string][]byte{"tag": []byte("t1"), "note": []byte("n1")}}); err != nil {
		t.Fatal(err)
	}
	e, err = db.UpdateFriend(ctx, "me", "a", engine.FriendUpdate{Custom: map[string][]byte{"tag": nil, "note": []byte("n2")}})
	if err != nil || len(e.Custom) != 1 || string(e.Custom["note"]) != "n2" {
		t.Fatalf("custom: %v %+v", err, e)
	}
	if got := edgeOf(t, db, "me", "a"); len(got.Custom) != 1 || string(got.Custom["note"]) != "n2" || got.Remark != "new" {
		t.Errorf("stored edge %+v", got)
	}

	// Refused updates write nothing.
	users := []string{"me", "a", "b", "stranger"}
	before := relSnapshot(t, db, users...)
	_, err = db.UpdateFriend(ctx, "me", "a", engine.FriendUpdate{Custom: map[string][]byte{"undeclared": []byte("x")}})
	wantErrIs(t, "undeclared custom field", err, engine.ErrInvalidArgument, 30001)
	_, err = db.UpdateFriend(ctx, "me", "a", engine.FriendUpdate{Custom: map[string][]byte{"tag": make([]byte, 501)}})
	wantErrIs(t, "custom value 501 bytes", err, engine.ErrInvalidArgument, 30001)
	_, err = db.UpdateFriend(ctx, "me", "stranger", engine.FriendUpdate{Remark: new("x")})
	wantErrIs(t, "stranger holds me, not held", err, engine.ErrNotFriends, 31704)
	_, err = db.UpdateFriend(ctx, "me", "nobody", engine.FriendUpdate{Remark: new("x")})
	wantErrIs(t, "unknown user", err, engine.ErrNotFriends, 31704)
	_, err = db.UpdateFriend(ctx, "me", "a", engine.FriendUpdate{Remark: new(strings.Repeat("r", 97))})
	wantErrIs(t, "remark too long", err, engine.ErrTooLong, 30001)
	_, err = db.UpdateFriend(ctx, "me", "a", engine.FriendUpdate{Groups: &[]string{"ok", strings.Repeat("g", 31)}})
	wantErrIs(t, "group name too long", err, engine.ErrInvalidArgument, 30001)
	_, err = db.UpdateFriend(ctx, "me", "me", engine.FriendUpdate{Remark: new("x")})
	wantErrIs(t, "self", err, engine.ErrSelf, 30001)
	_, err = db.UpdateFriend(ctx, "me", "", engine.FriendUpdate{Remark: new("x")})
	wantErrIs(t, "empty friend", err, engine.ErrInvalidUserID, 30001)
	wantUnchanged(t, db, "refused updates", before, users...)
}

// TestUpdateFriendNamesNoField: an update that names no field is an
// invalid argument and writes nothing (no FriendUpdated event either), as
// UpdateProfile refuses an empty update.
func TestUpdateFriendNamesNoField(t *testing.T) {
	db := openDB(t, nil)
	createUsers(t, db, engine.AllowAny, "me", "a")
	mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "a"}, engine.Added)
	seq := func() uint64 {
		c, err := db.Counts(ctx, "me")
		if err != nil {
			t.Fatal(err)
		}
		return c.Seq
	}
	before := seq()
	for _, u := range []engine.FriendUpdate{{}, {Custom: map[string][]byte{}}} {
		_, err := db.UpdateFriend(ctx, "me", "a", u)
		wantErrIs(t, "UpdateFriend(no field)", err, engine.ErrInvalidArgument, 30001)
	}
	if after := seq(); after != before {
		t.Fatalf("seq moved from %d to %d", before, after)
	}
}

func TestUpdateFriendGroupLimit(t *testing.T) {
	db := openDB(t, &engine.Options{Limits: engine.Limits{Groups: 2}})
	createUsers(t, db, engine.AllowAny, "me", "a")
	mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "a", Group: "g1"}, engine.Added)
	before := relSnapshot(t, db, "me", "a")
	// g2 would fit, g3 not: neither is created, the edge is unchanged.
	_, err := db.UpdateFriend(ctx, "me", "a", engine.FriendUpdate{Groups: &[]string{"g1", "g2", "g3"}, Remark: new("x")})
	wantErrIs(t, "three groups, limit two", err, engine.ErrGroupLimit, 30011)
	if _, err := db.CreateGroup(ctx, "me", "g2", nil); err != nil {
		t.Fatal(err)
	}
	before = relSnapshot(t, db, "me", "a")
	_, err = db.UpdateFriend(ctx, "me", "a", engine.FriendUpdate{Groups: &[]string{"g2", "g3"}})
	wantErrIs(t, "new group over limit", err, engine.ErrGroupLimit, 30011)
	wantUnchanged(t, db, "group limit", before, "me", "a")
	// Existing groups need no room.
	if e, err := db.UpdateFriend(ctx, "me", "a", engine.FriendUpdate{Groups: &[]string{"g2", "g1"}}); err != nil || !slices.Equal(e.Groups, []string{"g1", "g2"}) {
		t.Fatalf("existing groups: %v %+v", err, e)
	}
}

func TestAddFriendsBatchFailedItemsRollBack(t *testing.T) {
	db := openDB(t, &engine.Options{Limits: engine.Limits{Groups: 2}})
	createUsers(t, db, engine.AllowAny, "me", "a", "b", "c", "d")
	createUsers(t, db, engine.NeedConfirm, "nc")
	// me has a pending application to b, sent while b needed confirmation:
	// a Both to b removes it, unless the item fails.
	setAllowType(t, db, "b", engine.NeedConfirm)
	mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "b", Type: engine.AddBoth}, engine.Pending)
	setAllowType(t, db, "b", engine.AllowAny)
	res, err := db.AddFriends(ctx, "me", []engine.AddFriendRequest{
		{UserID: "a", Type: engine.AddBoth, Group: "g1"},  // creates g1
		{UserID: "nc", Type: engine.AddBoth, Group: "g9"}, // pending: g9 not created yet
		{UserID: "c", Type: engine.AddBoth, Group: "g1"},  // g1 exists (staged by item 0)
		{UserID: "d", Type: engine.AddSingle, Group: "g2"},
		{UserID: "b", Type: engine.AddBoth, Group: "g3"}, // would drop the application, then fails
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{0, 30539, 0, 0, 30011} {
		if res[i].Code() != want {
			t.Errorf("item %d (%s): code %d err %v, want %d", i, res[i].UserID, res[i].Code(), res[i].Err, want)
		}
	}
	if g := groupsOf(t, db, "me"); len(g) != 2 || !slices.Equal(g["g1"], []string{"a", "c"}) || !slices.Equal(g["g2"], []string{"d"}) {
		t.Errorf("me's groups = %v", g)
	}
	wantIDs(t, "me's friends", friendsOf(t, db, "me"), []string{"a", "c", "d"})
	wantFriendRelation(t, db, "me", "b", engine.NoRelation)
	// The failed item's removal of the application was undone.
	wantIDs(t, "me's outgoing", outgoingOf(t, db, "me"), []string{"b", "nc"})
	if a := appsOf(t, db, "b", engine.Incoming); a.Unread != 1 || !slices.Equal(a.Peers, []string{"me"}) {
		t.Errorf("b's incoming %+v", a)
	}
	// The counters (checked at cleanup) allow exactly what is left.
	wantAddErr(t, "third group", addOne(t, db, "me", engine.AddFriendRequest{UserID: "b", Group: "g3"}), engine.ErrGroupLimit, 30011)
}

// A friend edge that does not decode makes ListFriends fail with a
// *CorruptError naming its key, on the first page (cached or not) and on
// a later one: never a page with an empty edge.
func TestListFriends_CorruptEdge(t *testing.T) {
	forEachCache(t, func(t *testing.T, opts engine.Options) {
		fs := vfs.NewMem()
		opts.FS = fs
		db := mustOpen(t, "db", &opts)
		createUsers(t, db, engine.AllowAny, "me", "a", "b", "c")
		for _, p := range []string{"a", "b", "c"} {
			mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: p, Type: engine.AddSingle}, engine.Added)
		}
		mustClose(t, db)
		key := index.Friend(nil, "me", "b")
		corruptKey(t, fs, key, []byte("garbage"))
		db = mustOpen(t, "db", &opts)
		defer mustClose(t, db)
		for _, o := range []engine.ListOptions{{}, {Limit: 2}, {After: "a"}, {Limit: 2}} {
			page, err := db.ListFriends(ctx, "me", o)
			if err == nil {
				t.Fatalf("ListFriends(%+v) = %s, nil; want ErrCorrupt", o, fmtPage(page))
			}
			wantCorrupt(t, err, key)
		}
	})
}

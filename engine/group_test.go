package engine_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/kithdb/kith/engine"
	"github.com/kithdb/kith/index"
)

// wantResults fails unless each result matches its wanted error (nil:
// success) and the results name ids in order.
func wantResults(t testing.TB, what string, res []engine.Result, ids []string, want ...error) {
	t.Helper()
	if len(res) != len(want) {
		t.Fatalf("%s: %d results, want %d: %+v", what, len(res), len(want), res)
	}
	for i, w := range want {
		if res[i].UserID != ids[i] {
			t.Errorf("%s: result %d names %q, want %q", what, i, res[i].UserID, ids[i])
		}
		if (w == nil) != (res[i].Err == nil) || !errors.Is(res[i].Err, w) {
			t.Errorf("%s: %q: %v, want %v", what, ids[i], res[i].Err, w)
		}
	}
}

// groupFriends makes owner friends (both ways) with each of friends.
func groupFriends(t testing.TB, db *engine.DB, owner string, friends ...string) {
	t.Helper()
	createUsers(t, db, engine.AllowAny, owner)
	createUsers(t, db, engine.AllowAny, friends...)
	for _, f := range friends {
		befriend(t, db, owner, f)
	}
}

func TestCreateGroup(t *testing.T) {
	db := openDB(t, nil)
	groupFriends(t, db, "me", "a", "b")
	createUsers(t, db, engine.AllowAny, "stranger", "fan")
	mustAddFriend(t, db, "fan", engine.AddFriendRequest{UserID: "me"}, engine.Added) // fan holds me, not held
	members := []string{"b", "a", "stranger", "fan", "nobody", "", "me", "a"}
	res, err := db.CreateGroup(ctx, "me", "work", members)
	if err != nil {
		t.Fatal(err)
	}
	wantResults(t, "CreateGroup", res, members, nil, nil, engine.ErrMemberNotFriend, engine.ErrMemberNotFriend,
		engine.ErrMemberNotFriend, engine.ErrInvalidUserID, engine.ErrSelf, engine.ErrDuplicateID)
	for _, i := range []int{2, 3, 4} {
		if c := engine.Code(res[i].Err); c != 32216 || !errors.Is(res[i].Err, engine.ErrNotFriends) {
			t.Errorf("%s: code %d, matches ErrNotFriends %v", members[i], c, errors.Is(res[i].Err, engine.ErrNotFriends))
		}
	}
	g := groupsOf(t, db, "me")
	if !slices.Equal(g["work"], []string{"a", "b"}) || len(g) != 1 {
		t.Errorf("groups = %v", g)
	}
	if e := edgeOf(t, db, "me", "a"); !slices.Equal(e.Groups, []string{"work"}) {
		t.Errorf("a's edge = %+v", e)
	}
	// The group is me's: the members' own lists do not change.
	if e := edgeOf(t, db, "a", "me"); len(e.Groups) != 0 {
		t.Errorf("a's own edge = %+v", e)
	}
	gl, err := db.ListGroups(ctx, "me", false)
	if err != nil || len(gl.Groups) != 1 || gl.Groups[0].CreatedAt == 0 || gl.Groups[0].Count != 2 {
		t.Errorf("ListGroups: %v %+v", err, gl)
	}

	// Existing name: the call fails and writes nothing.
	before := relSnapshot(t, db, "me", "a", "b")
	_, err = db.CreateGroup(ctx, "me", "work", []string{"a"})
	wantErrIs(t, "existing name", err, engine.ErrGroupExists, 30001)
	wantUnchanged(t, db, "existing name", before, "me", "a", "b")

	// An empty group.
	if res, err := db.CreateGroup(ctx, "me", "empty", nil); err != nil || len(res) != 0 {
		t.Fatalf("empty group: %v %+v", err, res)
	}
	if c := groupCounts(t, db, "me"); c["empty"] != 0 || c["work"] != 2 || len(c) != 2 {
		t.Errorf("counts = %v", c)
	}
}

func TestCreateGroupNames(t *testing.T) {
	db := openDB(t, nil)
	groupFriends(t, db, "me", "a")
	before := relSnapshot(t, db, "me")
	for _, name := range []string{"", strings.Repeat("g", 31), strings.Repeat("中", 11), "a\tb", "\xff"} {
		_, err := db.CreateGroup(ctx, "me", name, []string{"a"})
		wantErrIs(t, fmt.Sprintf("name %q", name), err, engine.ErrInvalidArgument, 30001)
	}
	wantUnchanged(t, db, "bad names", before, "me")
	for _, name := range []string{strings.Repeat("g", 30), strings.Repeat("中", 10), "x", "with space"} {
		if _, err := db.CreateGroup(ctx, "me", name, []string{"a"}); err != nil {
			t.Errorf("name %q (%d bytes): %v", name, len(name), err)
		}
	}
	if e := edgeOf(t, db, "me", "a"); len(e.Groups) != 4 {
		t.Errorf("a's groups = %q", e.Groups)
	}
	if _, err := db.CreateGroup(ctx, "", "g", nil); !errors.Is(err, engine.ErrInvalidUserID) {
		t.Errorf("bad owner: %v", err)
	}
}

func TestCreateGroupLimit(t *testing.T) {
	db := openDB(t, nil)
	groupFriends(t, db, "me", "a")
	for i := range 32 {
		if _, err := db.CreateGroup(ctx, "me", fmt.Sprintf("g%02d", i), []string{"a"}); err != nil {
			t.Fatalf("group %d: %v", i, err)
		}
	}
	before := relSnapshot(t, db, "me", "a")
	_, err := db.CreateGroup(ctx, "me", "g32", []string{"a"})
	wantErrIs(t, "33rd group", err, engine.ErrGroupLimit, 30011)
	// Nor can an add or an update create one.
	createUsers(t, db, engine.AllowAny, "b")
	wantAddErr(t, "add with new group", addOne(t, db, "me", engine.AddFriendRequest{UserID: "b", Group: "g32"}), engine.ErrGroupLimit, 30011)
	_, err = db.UpdateFriend(ctx, "me", "a", engine.FriendUpdate{Groups: &[]string{"g32"}})
	wantErrIs(t, "update with new group", err, engine.ErrGroupLimit, 30011)
	wantUnchanged(t, db, "group limit", before, "me", "a")
	if c := groupCounts(t, db, "me"); len(c) != 32 {
		t.Errorf("%d groups", len(c))
	}
	// Deleting one makes room.
	if res, err := db.DeleteGroups(ctx, "me", []string{"g00"}); err != nil || res[0].Err != nil {
		t.Fatal(err, res)
	}
	if _, err := db.CreateGroup(ctx, "me", "g32", []string{"a"}); err != nil {
		t.Errorf("after a delete: %v", err)
	}
}

func TestDeleteGroups(t *testing.T) {
	db := openDB(t, nil)
	groupFriends(t, db, "me", "a", "b", "c")
	for _, g := range []struct {
		name    string
		members []string
	}{{"g1", []string{"a", "b"}}, {"g2", []string{"a"}}, {"g3", []string{"c"}}} {
		if _, err := db.CreateGroup(ctx, "me", g.name, g.members); err != nil {
			t.Fatal(err)
		}
	}
	names := []string{"g1", "nope", "g3", "", "g1"}
	res, err := db.DeleteGroups(ctx, "me", names)
	if err != nil {
		t.Fatal(err)
	}
	wantResults(t, "DeleteGroups", res, names, nil, engine.ErrGroupNotFound, nil, engine.ErrInvalidArgument, engine.ErrDuplicateID)
	wantErrIs(t, "missing group", res[1].Err, engine.ErrGroupNotFound, 30001)
	// The friends stay friends; their edges lose the deleted groups.
	wantIDs(t, "me's friends", friendsOf(t, db, "me"), []string{"a", "b", "c"})
	for _, f := range []string{"a", "b", "c"} {
		wantFriendRelation(t, db, "me", f, engine.BothWay)
	}
	if e := edgeOf(t, db, "me", "a"); !slices.Equal(e.Groups, []string{"g2"}) {
		t.Errorf("a's groups %q", e.Groups)
	}
	for _, f := range []string{"b", "c"} {
		if e := edgeOf(t, db, "me", f); len(e.Groups) != 0 {
			t.Errorf("%s's groups %q", f, e.Groups)
		}
	}
	if g := groupsOf(t, db, "me"); len(g) != 1 || !slices.Equal(g["g2"], []string{"a"}) {
		t.Errorf("groups = %v", g)
	}
	_, err = db.ListFriends(ctx, "me", engine.ListOptions{Group: "g1"})
	wantErrIs(t, "list deleted group", err, engine.ErrGroupNotFound, 30001)
	// A name can be used again, empty.
	if _, err := db.CreateGroup(ctx, "me", "g1", nil); err != nil {
		t.Fatal(err)
	}
	if c := groupCounts(t, db, "me"); c["g1"] != 0 {
		t.Errorf("recreated g1 has %d members", c["g1"])
	}
	if _, err := db.DeleteGroups(ctx, "me", make([]string, 33)); !errors.Is(err, engine.ErrTooMany) {
		t.Errorf("33 names: %v", err)
	}
}

func TestRenameGroup(t *testing.T) {
	db := openDB(t, nil)
	groupFriends(t, db, "me", "a", "b", "c")
	if _, err := db.CreateGroup(ctx, "me", "old", []string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateGroup(ctx, "me", "other", []string{"a", "c"}); err != nil {
		t.Fatal(err)
	}
	gl, _ := db.ListGroups(ctx, "me", false)
	created := gl.Groups[0].CreatedAt
	if err := db.RenameGroup(ctx, "me", "old", "new"); err != nil {
		t.Fatal(err)
	}
	g := groupsOf(t, db, "me")
	if _, ok := g["old"]; ok || !slices.Equal(g["new"], []string{"a", "b"}) || !slices.Equal(g["other"], []string{"a", "c"}) {
		t.Errorf("groups after rename = %v", g)
	}
	if e := edgeOf(t, db, "me", "a"); !slices.Equal(e.Groups, []string{"new", "other"}) {
		t.Errorf("a's groups %q", e.Groups)
	}
	gl, _ = db.ListGroups(ctx, "me", false)
	if gl.Groups[0].Name != "new" || gl.Groups[0].CreatedAt != created {
		t.Errorf("renamed group %+v, created %d", gl.Groups[0], created)
	}

	before := relSnapshot(t, db, "me")
	wantErrIs(t, "name taken", db.RenameGroup(ctx, "me", "new", "other"), engine.ErrGroupExists, 30001)
	wantErrIs(t, "same name", db.RenameGroup(ctx, "me", "new", "new"), engine.ErrGroupExists, 30001)
	wantErrIs(t, "missing group", db.RenameGroup(ctx, "me", "old", "x"), engine.ErrGroupNotFound, 30001)
	wantErrIs(t, "bad new name", db.RenameGroup(ctx, "me", "new", strings.Repeat("n", 31)), engine.ErrInvalidArgument, 30001)
	wantErrIs(t, "bad old name", db.RenameGroup(ctx, "me", "", "x"), engine.ErrInvalidArgument, 30001)
	wantUnchanged(t, db, "refused renames", before, "me")
	// Back to the old name.
	if err := db.RenameGroup(ctx, "me", "new", "old"); err != nil {
		t.Fatal(err)
	}
	if g := groupsOf(t, db, "me"); !slices.Equal(g["old"], []string{"a", "b"}) || len(g) != 2 {
		t.Errorf("groups = %v", g)
	}
}

func TestAddToAndRemoveFromGroup(t *testing.T) {
	db := openDB(t, nil)
	groupFriends(t, db, "me", "a", "b", "c")
	createUsers(t, db, engine.AllowAny, "stranger")
	if _, err := db.CreateGroup(ctx, "me", "g", []string{"a"}); err != nil {
		t.Fatal(err)
	}
	ids := []string{"b", "a", "stranger", "", "c", "b"}
	res, err := db.AddToGroup(ctx, "me", "g", ids)
	if err != nil {
		t.Fatal(err)
	}
	wantResults(t, "AddToGroup", res, ids, nil, nil, engine.ErrMemberNotFriend, engine.ErrInvalidUserID, nil, engine.ErrDuplicateID)
	if engine.Code(res[2].Err) != 32216 {
		t.Errorf("non-friend code %d", engine.Code(res[2].Err))
	}
	if g := groupsOf(t, db, "me"); !slices.Equal(g["g"], []string{"a", "b", "c"}) {
		t.Errorf("after add: %v", g)
	}

	ids = []string{"a", "stranger", "c", "a"}
	res, err = db.RemoveFromGroup(ctx, "me", "g", ids)
	if err != nil {
		t.Fatal(err)
	}
	wantResults(t, "RemoveFromGroup", res, ids, nil, engine.ErrMemberNotFriend, nil, engine.ErrDuplicateID)
	if g := groupsOf(t, db, "me"); !slices.Equal(g["g"], []string{"b"}) {
		t.Errorf("after remove: %v", g)
	}
	// Removing a friend not in the group is a success that changes nothing.
	before := relSnapshot(t, db, "me")
	res, err = db.RemoveFromGroup(ctx, "me", "g", []string{"a"})
	wantResults(t, "remove non-member", res, []string{"a"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantUnchanged(t, db, "removing a non-member", before, "me")
	// Unknown group: the call fails.
	for _, f := range []func() ([]engine.Result, error){
		func() ([]engine.Result, error) { return db.AddToGroup(ctx, "me", "nope", []string{"a"}) },
		func() ([]engine.Result, error) { return db.RemoveFromGroup(ctx, "me", "nope", []string{"b"}) },
	} {
		res, err := f()
		wantErrIs(t, "unknown group", err, engine.ErrGroupNotFound, 30001)
		if res != nil {
			t.Errorf("results with a call error: %+v", res)
		}
	}
	wantUnchanged(t, db, "unknown group", before, "me")
	if groupCounts(t, db, "me")["nope"] != 0 {
		t.Errorf("AddToGroup created the group")
	}
}

func TestDeleteFriendLeavesGroups(t *testing.T) {
	db := openDB(t, nil)
	groupFriends(t, db, "me", "a", "b")
	if _, err := db.CreateGroup(ctx, "me", "g1", []string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateGroup(ctx, "me", "g2", []string{"a"}); err != nil {
		t.Fatal(err)
	}
	// a deletes me both ways: the membership in me's groups goes with me's edge.
	if res, err := db.DeleteFriends(ctx, "a", []string{"me"}, engine.DeleteBoth); err != nil || res[0].Err != nil {
		t.Fatal(err, res)
	}
	if c := groupCounts(t, db, "me"); c["g1"] != 1 || c["g2"] != 0 || len(c) != 2 {
		t.Errorf("counts = %v", c)
	}
	if g := groupsOf(t, db, "me"); !slices.Equal(g["g1"], []string{"b"}) {
		t.Errorf("groups = %v", g)
	}
	// Adding a back starts with no groups.
	mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "a", Type: engine.AddBoth}, engine.Added)
	if c := groupCounts(t, db, "me"); c["g1"] != 1 || c["g2"] != 0 {
		t.Errorf("counts after re-add = %v", c)
	}
}

// TestRenameGroupCorruptMembership plants a membership key whose friend
// edge is missing (a broken invariant, as bad bytes on disk would leave)
// and requires RenameGroup to report corruption, not to panic.
func TestRenameGroupCorruptMembership(t *testing.T) {
	fs := vfs.NewMem()
	db, err := engine.Open("db", &engine.Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	groupFriends(t, db, "me", "a")
	if _, err := db.CreateGroup(ctx, "me", "g", []string{"a"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	pdb, err := pebble.Open("db", &pebble.Options{FS: fs, Logger: quietPebble{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := pdb.Set(index.Member(nil, "me", "g", "ghost"), nil, pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if err := pdb.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = engine.Open("db", &engine.Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("RenameGroup panicked on a corrupt store: %v", p)
			}
		}()
		err = db.RenameGroup(ctx, "me", "g", "h")
	}()
	if !errors.Is(err, engine.ErrCorrupt) {
		t.Errorf("RenameGroup on a corrupt store: %v, want ErrCorrupt", err)
	}
	if c := groupCounts(t, db, "me"); len(c) != 1 || c["g"] != 2 {
		t.Errorf("groups after the refused rename: %v", c)
	}
}

// quietPebble discards the log lines of a raw Pebble open.
type quietPebble struct{}

func (quietPebble) Infof(string, ...any)  {}
func (quietPebble) Errorf(string, ...any) {}
func (quietPebble) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf(format, args...))
}

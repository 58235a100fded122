package engine_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kithdb/kith/engine"
)

// The helpers of the blocklist, CanSend, event and replay tests are
// prefixed bk so that they never collide with the helpers of other test
// files of the package.

// bkUsers creates each of ids with the given allow type.
func bkUsers(t testing.TB, db *engine.DB, allow engine.AllowType, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if _, err := db.UpdateProfile(ctx, id, engine.ProfileUpdate{AllowType: new(allow)}); err != nil {
			t.Fatalf("UpdateProfile(%s): %v", id, err)
		}
	}
}

// bkAdd runs AddFriends and fails the test on a call error.
func bkAdd(t testing.TB, db *engine.DB, from string, reqs ...engine.AddFriendRequest) []engine.AddFriendResult {
	t.Helper()
	res, err := db.AddFriends(ctx, from, reqs)
	if err != nil {
		t.Fatalf("AddFriends(%s): %v", from, err)
	}
	return res
}

// bkAddOK runs one AddFriends request that must end with want.
func bkAddOK(t testing.TB, db *engine.DB, from string, req engine.AddFriendRequest, want engine.AddOutcome) {
	t.Helper()
	res := bkAdd(t, db, from, req)
	if res[0].Err != nil || res[0].Outcome != want {
		t.Fatalf("AddFriends(%s -> %s) = %+v, want outcome %d", from, req.UserID, res[0], want)
	}
}

// bkBefriend makes a and b two-way friends, each putting the other in the
// group named (none if empty), whatever their allow types.
func bkBefriend(t testing.TB, db *engine.DB, a, b, groupA, groupB string) {
	t.Helper()
	bkAddOK(t, db, a, engine.AddFriendRequest{UserID: b, Type: engine.AddSingle, Group: groupA}, engine.Added)
	bkAddOK(t, db, b, engine.AddFriendRequest{UserID: a, Type: engine.AddSingle, Group: groupB}, engine.Added)
}

// bkWantResults checks per-item results against ids and the errors wanted
// (nil for success), in request order.
func bkWantResults(t testing.TB, what string, res []engine.Result, ids []string, want ...error) {
	t.Helper()
	if len(res) != len(ids) || len(want) != len(ids) {
		t.Fatalf("%s: %d results for %d ids (%d wanted)", what, len(res), len(ids), len(want))
	}
	for i, r := range res {
		if r.UserID != ids[i] {
			t.Errorf("%s: result %d is for %q, want %q", what, i, r.UserID, ids[i])
		}
		if (want[i] == nil) != (r.Err == nil) || (want[i] != nil && !errors.Is(r.Err, want[i])) {
			t.Errorf("%s: result %d (%s) = %v, want %v", what, i, ids[i], r.Err, want[i])
		}
	}
}

// bkBlock runs Block and fails the test on a call error.
func bkBlock(t testing.TB, db *engine.DB, owner string, ids ...string) []engine.Result {
	t.Helper()
	res, err := db.Block(ctx, owner, ids)
	if err != nil {
		t.Fatalf("Block(%s, %v): %v", owner, ids, err)
	}
	return res
}

// bkFriendIDs returns owner's friend list, read page by page.
func bkFriendIDs(t testing.TB, db *engine.DB, owner string) []string {
	t.Helper()
	var ids []string
	opts := engine.ListOptions{Limit: 2}
	for {
		page, err := db.ListFriends(ctx, owner, opts)
		if err != nil {
			t.Fatalf("ListFriends(%s): %v", owner, err)
		}
		for _, f := range page.Items {
			ids = append(ids, f.UserID)
		}
		if page.Next == "" {
			return ids
		}
		opts.After = page.Next
	}
}

// bkBlockedIDs returns owner's blocklist, read page by page.
func bkBlockedIDs(t testing.TB, db *engine.DB, owner string) []string {
	t.Helper()
	var ids []string
	opts := engine.ListOptions{Limit: 2}
	for {
		page, err := db.ListBlocked(ctx, owner, opts)
		if err != nil {
			t.Fatalf("ListBlocked(%s): %v", owner, err)
		}
		for _, b := range page.Items {
			ids = append(ids, b.UserID)
		}
		if page.Next == "" {
			return ids
		}
		opts.After = page.Next
	}
}

// bkApps returns uid's pending applications as "from>to" and its unread
// count.
func bkApps(t testing.TB, db *engine.DB, uid string) ([]string, uint32) {
	t.Helper()
	page, err := db.ListApplications(ctx, uid, engine.BothDirections, engine.ListOptions{Limit: 1000})
	if err != nil {
		t.Fatalf("ListApplications(%s): %v", uid, err)
	}
	var out []string
	for _, it := range page.Items {
		out = append(out, it.From+">"+it.To)
	}
	return out, page.Unread
}

// bkGroupCounts returns owner's groups as "name:count".
func bkGroupCounts(t testing.TB, db *engine.DB, owner string) []string {
	t.Helper()
	gl, err := db.ListGroups(ctx, owner, false)
	if err != nil {
		t.Fatalf("ListGroups(%s): %v", owner, err)
	}
	var out []string
	for _, g := range gl.Groups {
		out = append(out, fmt.Sprintf("%s:%d", g.Name, g.Count))
	}
	return out
}

// bkRelations returns a function that takes the results of CheckBlocked
// or CheckFriends and returns their relations, failing t on any error:
// bkRelations(t)(db.CheckBlocked(...)).
func bkRelations(t testing.TB) func([]engine.RelationResult, error) []engine.Relation {
	return func(res []engine.RelationResult, err error) []engine.Relation {
		t.Helper()
		if err != nil {
			t.Fatalf("check: %v", err)
		}
		out := make([]engine.Relation, len(res))
		for i, r := range res {
			if r.Err != nil {
				t.Fatalf("check %s: %v", r.UserID, r.Err)
			}
			out[i] = r.Relation
		}
		return out
	}
}

func bkWantStrings(t testing.TB, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

func TestBlock_ItemResultsInOrder(t *testing.T) {
	db := openDB(t, nil)
	bkUsers(t, db, engine.AllowAny, "a", "b", "c", "d")
	long := strings.Repeat("x", 33)
	ids := []string{"b", "a", "", long, "nobody", "b", "c"}
	res := bkBlock(t, db, "a", ids...)
	bkWantResults(t, "Block", res, ids, nil, engine.ErrSelf, engine.ErrInvalidUserID,
		engine.ErrInvalidUserID, engine.ErrNotFound, engine.ErrDuplicateID, nil)
	for i, want := range map[int]int{0: 0, 1: 30001, 2: 30001, 3: 30001, 5: 30001, 6: 0} {
		if got := engine.Code(res[i].Err); got != want {
			t.Errorf("Code(result %d: %v) = %d, want %d", i, res[i].Err, got, want)
		}
	}

	// Again: already blocked, and d for the first time.
	res = bkBlock(t, db, "a", "c", "d", "b")
	bkWantResults(t, "Block again", res, []string{"c", "d", "b"}, engine.ErrAlreadyBlocked, nil, engine.ErrAlreadyBlocked)
	if got := engine.Code(res[0].Err); got != 30001 {
		t.Errorf("Code(ErrAlreadyBlocked) = %d, want 30001", got)
	}

	bkWantStrings(t, "ListBlocked(a)", bkBlockedIDs(t, db, "a"), "b", "c", "d")
	for _, u := range []string{"b", "c", "d", "nobody"} {
		if got := bkBlockedIDs(t, db, u); len(got) != 0 {
			t.Errorf("ListBlocked(%s) = %q, want empty", u, got)
		}
	}
	rel := bkRelations(t)(db.CheckBlocked(ctx, "b", []string{"a", "c"}, engine.CheckBoth))
	if !slices.Equal(rel, []engine.Relation{engine.InTheirList, engine.NoRelation}) {
		t.Errorf("CheckBlocked(b) = %v", rel)
	}
	// The unknown user did not come into being.
	ps, err := db.GetProfiles(ctx, "a", []string{"nobody"})
	if err != nil || !errors.Is(ps.Items[0].Err, engine.ErrNotFound) {
		t.Errorf("GetProfiles(nobody) = %+v, %v; want ErrNotFound", ps.Items, err)
	}

	// Invalid owner or nil context: the call fails.
	if _, err := db.Block(ctx, "", []string{"b"}); !errors.Is(err, engine.ErrInvalidUserID) {
		t.Errorf("Block with empty owner: %v, want ErrInvalidUserID", err)
	}
}

func TestBlock_TooManyIDsWritesNothing(t *testing.T) {
	db := openDB(t, nil)
	bkUsers(t, db, engine.AllowAny, "a", "b")
	seq := bkSeq(t, db, "a")
	ids := []string{"b"}
	for i := range 1000 {
		ids = append(ids, fmt.Sprintf("u%d", i))
	}
	res, err := db.Block(ctx, "a", ids)
	if !errors.Is(err, engine.ErrTooMany) || res != nil {
		t.Fatalf("Block(1001 ids) = %v, %v; want nil, ErrTooMany", res, err)
	}
	if engine.Code(err) != 30001 {
		t.Errorf("Code(ErrTooMany) = %d, want 30001", engine.Code(err))
	}
	if got := bkBlockedIDs(t, db, "a"); len(got) != 0 {
		t.Errorf("ListBlocked(a) = %q after a refused call", got)
	}
	if got := bkSeq(t, db, "a"); got != seq {
		t.Errorf("seq of a moved from %d to %d after a refused call", seq, got)
	}
	// Exactly the limit is fine.
	res, err = db.Block(ctx, "a", ids[:1000])
	if err != nil || len(res) != 1000 || res[0].Err != nil {
		t.Fatalf("Block(1000 ids): %v, first %+v", err, res[0])
	}
}

func TestBlock_FullBlocklist(t *testing.T) {
	db := openDB(t, &engine.Options{Limits: engine.Limits{Blocked: 2}})
	bkUsers(t, db, engine.NeedConfirm, "a", "b", "c", "d", "e")
	bkBefriend(t, db, "a", "d", "ga", "gd")
	bkAddOK(t, db, "e", engine.AddFriendRequest{UserID: "a", Type: engine.AddBoth}, engine.Pending)
	seqA, seqD, seqE := bkSeq(t, db, "a"), bkSeq(t, db, "d"), bkSeq(t, db, "e")

	res := bkBlock(t, db, "a", "b", "c", "d", "e")
	bkWantResults(t, "Block", res, []string{"b", "c", "d", "e"}, nil, nil, engine.ErrBlockLimit, engine.ErrBlockLimit)
	if got := engine.Code(res[2].Err); got != 30013 {
		t.Errorf("Code(ErrBlockLimit) = %d, want 30013", got)
	}
	// Nothing of d's and e's items was written.
	bkWantStrings(t, "ListBlocked(a)", bkBlockedIDs(t, db, "a"), "b", "c")
	bkWantStrings(t, "ListFriends(a)", bkFriendIDs(t, db, "a"), "d")
	bkWantStrings(t, "ListFriends(d)", bkFriendIDs(t, db, "d"), "a")
	bkWantStrings(t, "ListGroups(a)", bkGroupCounts(t, db, "a"), "ga:1")
	bkWantStrings(t, "ListGroups(d)", bkGroupCounts(t, db, "d"), "gd:1")
	apps, unread := bkApps(t, db, "a")
	bkWantStrings(t, "ListApplications(a)", apps, "e>a")
	if unread != 1 {
		t.Errorf("Unread(a) = %d, want 1", unread)
	}
	rel := bkRelations(t)(db.CheckBlocked(ctx, "a", []string{"d", "e"}, engine.CheckBoth))
	if !slices.Equal(rel, []engine.Relation{engine.NoRelation, engine.NoRelation}) {
		t.Errorf("CheckBlocked(a, d e) = %v, want no relation", rel)
	}
	// a's log has the two BlockAdded only; d and e heard nothing.
	bkWantStrings(t, "events of a", bkEventsSince(t, db, "a", seqA), "BlockAdded b", "BlockAdded c")
	bkWantStrings(t, "events of d", bkEventsSince(t, db, "d", seqD))
	bkWantStrings(t, "events of e", bkEventsSince(t, db, "e", seqE))
	mustCheck(t, db)

	// After an unblock there is room again.
	if _, err := db.Unblock(ctx, "a", []string{"b"}); err != nil {
		t.Fatal(err)
	}
	res = bkBlock(t, db, "a", "d")
	bkWantResults(t, "Block d", res, []string{"d"}, nil)
}

func TestBlock_EndsFriendshipsAndApplications(t *testing.T) {
	db := openDB(t, nil)
	bkUsers(t, db, engine.NeedConfirm, "a", "b", "c", "d", "e")
	bkBefriend(t, db, "a", "b", "g1", "g2")
	bkBefriend(t, db, "a", "c", "g1", "")
	bkAddOK(t, db, "a", engine.AddFriendRequest{UserID: "d", Type: engine.AddBoth}, engine.Pending)
	bkAddOK(t, db, "e", engine.AddFriendRequest{UserID: "a", Type: engine.AddBoth}, engine.Pending)
	bkWantStrings(t, "ListGroups(a) before", bkGroupCounts(t, db, "a"), "g1:2")
	if _, u := bkApps(t, db, "d"); u != 1 {
		t.Fatalf("Unread(d) = %d before the block, want 1", u)
	}

	res := bkBlock(t, db, "a", "b", "d", "e")
	bkWantResults(t, "Block", res, []string{"b", "d", "e"}, nil, nil, nil)

	bkWantStrings(t, "ListFriends(a)", bkFriendIDs(t, db, "a"), "c")
	bkWantStrings(t, "ListFriends(b)", bkFriendIDs(t, db, "b"))
	bkWantStrings(t, "ListFriends(c)", bkFriendIDs(t, db, "c"), "a")
	bkWantStrings(t, "ListGroups(a)", bkGroupCounts(t, db, "a"), "g1:1") // groups stay, b left g1
	bkWantStrings(t, "ListGroups(b)", bkGroupCounts(t, db, "b"), "g2:0")
	rel := bkRelations(t)(db.CheckFriends(ctx, "a", []string{"b", "c"}, engine.CheckBoth))
	if !slices.Equal(rel, []engine.Relation{engine.NoRelation, engine.BothWay}) {
		t.Errorf("CheckFriends(a, b c) = %v", rel)
	}
	for _, u := range []string{"a", "d", "e"} {
		apps, unread := bkApps(t, db, u)
		if len(apps) != 0 || unread != 0 {
			t.Errorf("ListApplications(%s) = %q unread %d, want none", u, apps, unread)
		}
	}
	bkWantStrings(t, "ListBlocked(a)", bkBlockedIDs(t, db, "a"), "b", "d", "e")
	mustCheck(t, db)
}

func TestBlock_KeepFriendsOnBlock(t *testing.T) {
	db := openDB(t, &engine.Options{KeepFriendsOnBlock: true})
	bkUsers(t, db, engine.NeedConfirm, "a", "b", "c")
	bkBefriend(t, db, "a", "b", "g", "")
	bkAddOK(t, db, "c", engine.AddFriendRequest{UserID: "a", Type: engine.AddBoth}, engine.Pending)
	seqB := bkSeq(t, db, "b")

	bkWantResults(t, "Block", bkBlock(t, db, "a", "b", "c"), []string{"b", "c"}, nil, nil)
	bkWantStrings(t, "ListFriends(a)", bkFriendIDs(t, db, "a"), "b")
	bkWantStrings(t, "ListFriends(b)", bkFriendIDs(t, db, "b"), "a")
	bkWantStrings(t, "ListGroups(a)", bkGroupCounts(t, db, "a"), "g:1")
	bkWantStrings(t, "events of b", bkEventsSince(t, db, "b", seqB))
	// Applications still go.
	for _, u := range []string{"a", "c"} {
		if apps, unread := bkApps(t, db, u); len(apps) != 0 || unread != 0 {
			t.Errorf("ListApplications(%s) = %q unread %d, want none", u, apps, unread)
		}
	}
	// The friends may not re-add each other while blocked.
	res := bkAdd(t, db, "a", engine.AddFriendRequest{UserID: "b", Type: engine.AddBoth})
	if !errors.Is(res[0].Err, engine.ErrBlockedByMe) {
		t.Errorf("AddFriends(a -> b) = %v, want ErrBlockedByMe", res[0].Err)
	}
	mustCheck(t, db)
}

func TestBlock_NoFriendRequestsEitherWay(t *testing.T) {
	db := openDB(t, nil)
	bkUsers(t, db, engine.AllowAny, "a", "b")
	bkBlock(t, db, "a", "b")
	seqA, seqB := bkSeq(t, db, "a"), bkSeq(t, db, "b")
	for _, typ := range []engine.AddType{engine.AddSingle, engine.AddBoth} {
		res := bkAdd(t, db, "a", engine.AddFriendRequest{UserID: "b", Type: typ, Group: "g"})
		if !errors.Is(res[0].Err, engine.ErrBlockedByMe) || res[0].Code() != 30515 {
			t.Errorf("blocker adds (type %d): %v code %d, want ErrBlockedByMe 30515", typ, res[0].Err, res[0].Code())
		}
		res = bkAdd(t, db, "b", engine.AddFriendRequest{UserID: "a", Type: typ, Group: "g"})
		if !errors.Is(res[0].Err, engine.ErrBlockedByPeer) || res[0].Code() != 30525 {
			t.Errorf("blocked adds (type %d): %v code %d, want ErrBlockedByPeer 30525", typ, res[0].Err, res[0].Code())
		}
	}
	// Nothing written: no edges, no groups, no applications, no events.
	for _, u := range []string{"a", "b"} {
		if f := bkFriendIDs(t, db, u); len(f) != 0 {
			t.Errorf("ListFriends(%s) = %q", u, f)
		}
		if g := bkGroupCounts(t, db, u); len(g) != 0 {
			t.Errorf("ListGroups(%s) = %q", u, g)
		}
		if apps, _ := bkApps(t, db, u); len(apps) != 0 {
			t.Errorf("ListApplications(%s) = %q", u, apps)
		}
	}
	if s := bkSeq(t, db, "a"); s != seqA {
		t.Errorf("seq of a moved from %d to %d", seqA, s)
	}
	if s := bkSeq(t, db, "b"); s != seqB {
		t.Errorf("seq of b moved from %d to %d", seqB, s)
	}
}

func TestUnblock(t *testing.T) {
	db := openDB(t, nil)
	bkUsers(t, db, engine.AllowAny, "a", "b", "c")
	bkBefriend(t, db, "a", "b", "", "")
	bkBlock(t, db, "a", "b")

	ids := []string{"c", "b", "a", "", "b", "nobody"}
	res, err := db.Unblock(ctx, "a", ids)
	if err != nil {
		t.Fatal(err)
	}
	bkWantResults(t, "Unblock", res, ids, engine.ErrNotBlocked, nil, engine.ErrSelf,
		engine.ErrInvalidUserID, engine.ErrDuplicateID, engine.ErrNotBlocked)
	if got := engine.Code(res[0].Err); got != 30001 {
		t.Errorf("Code(ErrNotBlocked) = %d, want 30001", got)
	}
	bkWantStrings(t, "ListBlocked(a)", bkBlockedIDs(t, db, "a"))
	rel := bkRelations(t)(db.CheckBlocked(ctx, "a", []string{"b"}, engine.CheckBoth))
	if rel[0] != engine.NoRelation {
		t.Errorf("CheckBlocked after unblock = %v", rel[0])
	}
	// The friendship ended by the block does not come back...
	bkWantStrings(t, "ListFriends(a)", bkFriendIDs(t, db, "a"))
	bkWantStrings(t, "ListFriends(b)", bkFriendIDs(t, db, "b"))
	// ...but both sides may add each other again.
	bkAddOK(t, db, "b", engine.AddFriendRequest{UserID: "a", Type: engine.AddBoth}, engine.Added)
	bkWantStrings(t, "ListFriends(a)", bkFriendIDs(t, db, "a"), "b")
	bkWantStrings(t, "ListFriends(b)", bkFriendIDs(t, db, "b"), "a")
	// Unblocking again is an error for the item.
	res, err = db.Unblock(ctx, "a", []string{"b"})
	if err != nil || !errors.Is(res[0].Err, engine.ErrNotBlocked) {
		t.Errorf("second Unblock = %+v, %v; want ErrNotBlocked", res, err)
	}
	if _, err := db.Unblock(ctx, "a", make([]string, 1001)); !errors.Is(err, engine.ErrTooMany) {
		t.Errorf("Unblock(1001 ids): %v, want ErrTooMany", err)
	}
}

func TestListBlocked_PagesWithTimes(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1_000, 0)}
	db := openDB(t, &engine.Options{Clock: clk.Now})
	bkUsers(t, db, engine.AllowAny, "a", "u1", "u2", "u3", "u4", "u5")
	at := func(sec int64) int64 { return time.Unix(sec, 0).UnixNano() }
	// Blocked out of ID order, at known times; u2 and u4 in one call.
	clk.Set(time.Unix(2_000, 0))
	bkBlock(t, db, "a", "u3")
	clk.Set(time.Unix(3_000, 0))
	bkBlock(t, db, "a", "u4", "u2")
	clk.Set(time.Unix(4_000, 0))
	bkBlock(t, db, "a", "u5", "u1")
	want := []engine.Blocked{
		{UserID: "u1", CreatedAt: at(4_000)},
		{UserID: "u2", CreatedAt: at(3_000)},
		{UserID: "u3", CreatedAt: at(2_000)},
		{UserID: "u4", CreatedAt: at(3_000)},
		{UserID: "u5", CreatedAt: at(4_000)},
	}
	lastSeq := bkSeq(t, db, "a")

	var got []engine.Blocked
	var nexts []string
	opts := engine.ListOptions{Limit: 2}
	for {
		page, err := db.ListBlocked(ctx, "a", opts)
		if err != nil {
			t.Fatal(err)
		}
		if page.Seq != lastSeq {
			t.Errorf("page Seq = %d, want %d", page.Seq, lastSeq)
		}
		got = append(got, page.Items...)
		nexts = append(nexts, page.Next)
		if page.Next == "" {
			break
		}
		opts.After = page.Next
	}
	if !slices.Equal(got, want) {
		t.Errorf("ListBlocked pages = %+v\nwant %+v", got, want)
	}
	bkWantStrings(t, "Next cursors", nexts, "u2", "u4", "")

	// A page that ends exactly at the end has no Next.
	page, err := db.ListBlocked(ctx, "a", engine.ListOptions{After: "u3", Limit: 2})
	if err != nil || len(page.Items) != 2 || page.Next != "" {
		t.Errorf("last full page = %+v, %v; want u4 u5 and no Next", page, err)
	}
	// Bad options.
	if _, err := db.ListBlocked(ctx, "a", engine.ListOptions{Group: "g"}); !errors.Is(err, engine.ErrInvalidArgument) {
		t.Errorf("ListBlocked with a group: %v, want ErrInvalidArgument", err)
	}
	if _, err := db.ListBlocked(ctx, "a", engine.ListOptions{Limit: 1001}); !errors.Is(err, engine.ErrInvalidArgument) {
		t.Errorf("ListBlocked with limit 1001: %v, want ErrInvalidArgument", err)
	}
}

func TestCheckBlocked_Relations(t *testing.T) {
	db := openDB(t, nil)
	bkUsers(t, db, engine.AllowAny, "a", "b", "c", "d", "e")
	bkBlock(t, db, "a", "b", "d") // a blocked b; a and d block each other
	bkBlock(t, db, "c", "a")      // c blocked a
	bkBlock(t, db, "d", "a")
	ids := []string{"e", "d", "c", "b", "a", "b"}
	res, err := db.CheckBlocked(ctx, "a", ids, engine.CheckSingle)
	if err != nil {
		t.Fatal(err)
	}
	wantSingle := []engine.Relation{engine.NoRelation, engine.InMyList, engine.NoRelation, engine.InMyList}
	wantBoth := []engine.Relation{engine.NoRelation, engine.BothWay, engine.InTheirList, engine.InMyList}
	check := func(name string, res []engine.RelationResult, want []engine.Relation) {
		t.Helper()
		for i, r := range res[:4] {
			if r.UserID != ids[i] || r.Err != nil || r.Relation != want[i] {
				t.Errorf("%s %s = %+v, want relation %d", name, ids[i], r, want[i])
			}
		}
		if !errors.Is(res[4].Err, engine.ErrSelf) || !errors.Is(res[5].Err, engine.ErrDuplicateID) {
			t.Errorf("%s: self %v, duplicate %v", name, res[4].Err, res[5].Err)
		}
	}
	check("Single", res, wantSingle)
	res, err = db.CheckBlocked(ctx, "a", ids, engine.CheckBoth)
	if err != nil {
		t.Fatal(err)
	}
	check("Both", res, wantBoth)
	// The peer's view is the mirror.
	rel := bkRelations(t)(db.CheckBlocked(ctx, "c", []string{"a"}, engine.CheckBoth))
	if rel[0] != engine.InMyList {
		t.Errorf("CheckBlocked(c, a) = %d, want InMyList", rel[0])
	}
	if _, err := db.CheckBlocked(ctx, "a", ids, engine.CheckType(7)); !errors.Is(err, engine.ErrInvalidArgument) {
		t.Errorf("CheckBlocked with a bad type: %v", err)
	}
	if _, err := db.CheckBlocked(ctx, "a", make([]string, 1001), engine.CheckBoth); !errors.Is(err, engine.ErrTooMany) {
		t.Errorf("CheckBlocked(1001 ids): %v, want ErrTooMany", err)
	}
}

func TestBlock_DeleteUserRemovesBlocksBothWays(t *testing.T) {
	db := openDB(t, nil)
	bkUsers(t, db, engine.AllowAny, "a", "b", "c")
	bkBlock(t, db, "a", "b")
	bkBlock(t, db, "c", "a")
	seqB, seqC := bkSeq(t, db, "b"), bkSeq(t, db, "c")
	if err := db.DeleteUser(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	bkWantStrings(t, "ListBlocked(c)", bkBlockedIDs(t, db, "c"))
	bkWantStrings(t, "ListBlocked(a)", bkBlockedIDs(t, db, "a"))
	for _, u := range []string{"b", "c"} {
		rel := bkRelations(t)(db.CheckBlocked(ctx, u, []string{"a"}, engine.CheckBoth))
		if rel[0] != engine.NoRelation {
			t.Errorf("CheckBlocked(%s, a) = %d after DeleteUser(a)", u, rel[0])
		}
	}
	bkWantStrings(t, "events of c", bkEventsSince(t, db, "c", seqC), "BlockDeleted a")
	bkWantStrings(t, "events of b", bkEventsSince(t, db, "b", seqB))
	// a is gone: it cannot be blocked any more.
	res := bkBlock(t, db, "c", "a")
	bkWantResults(t, "Block deleted user", res, []string{"a"}, engine.ErrNotFound)
	mustCheck(t, db)
}

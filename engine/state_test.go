package engine_test

// Shared assertion helpers of the relation tests (friends, applications,
// groups, DeleteUser). Every helper reads through the public API only, so
// a test states an outcome and then the stored state it left behind.

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kithdb/kith/engine"
)

// stepClock returns a Clock that advances one second per call, so that
// every txn gets a distinct, predictable time.
func stepClock() func() time.Time {
	var n atomic.Int64
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time { return base.Add(time.Duration(n.Add(1)) * time.Second) }
}

// createUsers creates ids with the given AllowType.
func createUsers(t testing.TB, db *engine.DB, allow engine.AllowType, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if _, err := db.UpdateProfile(ctx, id, engine.ProfileUpdate{AllowType: new(allow)}); err != nil {
			t.Fatalf("UpdateProfile(%s): %v", id, err)
		}
	}
}

// setAllowType changes uid's AllowType.
func setAllowType(t testing.TB, db *engine.DB, uid string, allow engine.AllowType) {
	t.Helper()
	createUsers(t, db, allow, uid)
}

// addOne sends one friend request and returns its result; a call error fails
// the test.
func addOne(t testing.TB, db *engine.DB, from string, r engine.AddFriendRequest) engine.AddFriendResult {
	t.Helper()
	res, err := db.AddFriends(ctx, from, []engine.AddFriendRequest{r})
	if err != nil {
		t.Fatalf("AddFriends(%s -> %s): call error %v", from, r.UserID, err)
	}
	if len(res) != 1 || res[0].UserID != r.UserID {
		t.Fatalf("AddFriends(%s -> %s): results %+v", from, r.UserID, res)
	}
	return res[0]
}

// mustAddFriend sends one request and requires the given outcome.
func mustAddFriend(t testing.TB, db *engine.DB, from string, r engine.AddFriendRequest, want engine.AddOutcome) {
	t.Helper()
	got := addOne(t, db, from, r)
	if got.Err != nil || got.Outcome != want {
		t.Fatalf("AddFriends(%s -> %s): got outcome %d err %v, want outcome %d", from, r.UserID, got.Outcome, got.Err, want)
	}
}

// befriend makes a and b friends both ways, whatever their AllowType.
func befriend(t testing.TB, db *engine.DB, a, b string) {
	t.Helper()
	switch r := addOne(t, db, a, engine.AddFriendRequest{UserID: b, Type: engine.AddBoth}); {
	case r.Err != nil:
		t.Fatalf("befriend %s %s: %v", a, b, r.Err)
	case r.Outcome == engine.Pending:
		if err := db.AcceptApplication(ctx, b, a, engine.AcceptAgreeAndAdd, ""); err != nil {
			t.Fatalf("befriend %s %s: accept: %v", a, b, err)
		}
	}
}

// wantErrIs fails unless err matches want and has the result code code.
func wantErrIs(t testing.TB, what string, err, want error, code int) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: err = %v, want %v", what, err, want)
	}
	if got := engine.Code(err); got != code {
		t.Errorf("%s: Code(%v) = %d, want %d", what, err, got, code)
	}
}

// wantAddErr fails unless the AddFriendResult is the given error.
func wantAddErr(t testing.TB, what string, r engine.AddFriendResult, want error, code int) {
	t.Helper()
	wantErrIs(t, what, r.Err, want, code)
	if r.Code() != code {
		t.Errorf("%s: result Code() = %d, want %d", what, r.Code(), code)
	}
}

// friendsOf returns uid's whole friend list in order, paging through it.
func friendsOf(t testing.TB, db *engine.DB, uid string) []string {
	t.Helper()
	var out []string
	opts := engine.ListOptions{Limit: 7}
	for {
		page, err := db.ListFriends(ctx, uid, opts)
		if err != nil {
			t.Fatalf("ListFriends(%s): %v", uid, err)
		}
		for _, f := range page.Items {
			out = append(out, f.UserID)
		}
		if page.Next == "" {
			return out
		}
		opts.After = page.Next
	}
}

// edgeOf returns owner's edge to friend, nil when friend is not in the
// list (GetFriends answers ErrNotFriends).
func edgeOf(t testing.TB, db *engine.DB, owner, friend string) *engine.FriendEdge {
	t.Helper()
	fs, err := db.GetFriends(ctx, owner, []string{friend})
	if err != nil {
		t.Fatalf("GetFriends(%s, %s): %v", owner, friend, err)
	}
	if errors.Is(fs[0].Err, engine.ErrNotFriends) {
		return nil
	}
	if fs[0].Err != nil {
		t.Fatalf("GetFriends(%s, %s): item error %v", owner, friend, fs[0].Err)
	}
	return fs[0].Edge
}

// friendRelation returns CheckFriends(a, b, CheckBoth).
func friendRelation(t testing.TB, db *engine.DB, a, b string) engine.Relation {
	t.Helper()
	rs, err := db.CheckFriends(ctx, a, []string{b}, engine.CheckBoth)
	if err != nil || rs[0].Err != nil {
		t.Fatalf("CheckFriends(%s, %s): %v %v", a, b, err, rs)
	}
	return rs[0].Relation
}

// wantFriendRelation checks the relation both ways: b's view is the mirror of a's.
func wantFriendRelation(t testing.TB, db *engine.DB, a, b string, want engine.Relation) {
	t.Helper()
	if got := friendRelation(t, db, a, b); got != want {
		t.Errorf("relation %s->%s = %s, want %s", a, b, relName(got), relName(want))
	}
	mirror := map[engine.Relation]engine.Relation{engine.NoRelation: engine.NoRelation,
		engine.InMyList: engine.InTheirList, engine.InTheirList: engine.InMyList, engine.BothWay: engine.BothWay}
	if got := friendRelation(t, db, b, a); got != mirror[want] {
		t.Errorf("relation %s->%s = %s, want %s", b, a, relName(got), relName(mirror[want]))
	}
}

func relName(r engine.Relation) string {
	switch r {
	case engine.NoRelation:
		return "NoRelation"
	case engine.InMyList:
		return "InMyList"
	case engine.InTheirList:
		return "InTheirList"
	case engine.BothWay:
		return "BothWay"
	}
	return fmt.Sprintf("Relation(%d)", r)
}

// appList is what ListApplications shows a user in one direction.
type appList struct {
	Peers  []string // the other user of each application, in order
	Unread uint32
	Items  []engine.ApplicationItem
}

// appsOf returns uid's applications in dir, paging through them.
func appsOf(t testing.TB, db *engine.DB, uid string, dir engine.Direction) appList {
	t.Helper()
	var out appList
	opts := engine.ListOptions{Limit: 3}
	for {
		page, err := db.ListApplications(ctx, uid, dir, opts)
		if err != nil {
			t.Fatalf("ListApplications(%s, %d): %v", uid, dir, err)
		}
		out.Unread = page.Unread
		for _, it := range page.Items {
			peer := it.From
			if it.From == uid {
				peer = it.To
			}
			out.Peers = append(out.Peers, peer)
			out.Items = append(out.Items, it)
		}
		if page.Next == "" {
			return out
		}
		opts.After = page.Next
	}
}

// incomingOf and outgoingOf return the peers of uid's incoming / outgoing applications.
func incomingOf(t testing.TB, db *engine.DB, uid string) []string {
	t.Helper()
	return appsOf(t, db, uid, engine.Incoming).Peers
}

func outgoingOf(t testing.TB, db *engine.DB, uid string) []string {
	t.Helper()
	return appsOf(t, db, uid, engine.Outgoing).Peers
}

// appFromTo returns the pending application from -> to as the target
// lists it, or nil.
func appFromTo(t testing.TB, db *engine.DB, from, to string) *engine.Application {
	t.Helper()
	for _, it := range appsOf(t, db, to, engine.Incoming).Items {
		if it.From == from {
			return it.Application
		}
	}
	return nil
}

// groupsOf returns owner's groups with their members, checking that each
// group's Count matches its members and the Group filter of ListFriends.
func groupsOf(t testing.TB, db *engine.DB, owner string) map[string][]string {
	t.Helper()
	gl, err := db.ListGroups(ctx, owner, true)
	if err != nil {
		t.Fatalf("ListGroups(%s): %v", owner, err)
	}
	out := map[string][]string{}
	for _, g := range gl.Groups {
		if g.Count != len(g.Members) {
			t.Errorf("group %s/%s: Count %d, %d members", owner, g.Name, g.Count, len(g.Members))
		}
		out[g.Name] = append([]string{}, g.Members...)
		page, err := db.ListFriends(ctx, owner, engine.ListOptions{Group: g.Name, Limit: 1000})
		if err != nil {
			t.Fatalf("ListFriends(%s, group %s): %v", owner, g.Name, err)
		}
		var byFilter []string
		for _, f := range page.Items {
			byFilter = append(byFilter, f.UserID)
			if !slices.Contains(f.Edge.Groups, g.Name) {
				t.Errorf("group %s/%s lists %s whose edge has groups %v", owner, g.Name, f.UserID, f.Edge.Groups)
			}
		}
		if !slices.Equal(byFilter, g.Members) {
			t.Errorf("group %s/%s: ListGroups members %v, ListFriends filter %v", owner, g.Name, g.Members, byFilter)
		}
	}
	return out
}

// groupCounts returns owner's group names with their member counts
// (ListGroups without members).
func groupCounts(t testing.TB, db *engine.DB, owner string) map[string]int {
	t.Helper()
	gl, err := db.ListGroups(ctx, owner, false)
	if err != nil {
		t.Fatalf("ListGroups(%s): %v", owner, err)
	}
	out := map[string]int{}
	for _, g := range gl.Groups {
		if g.Members != nil {
			t.Errorf("ListGroups(%s, false) returned members of %s", owner, g.Name)
		}
		out[g.Name] = g.Count
	}
	return out
}

// listSeq returns uid's event seq as ListFriends reports it.
func listSeq(t testing.TB, db *engine.DB, uid string) uint64 {
	t.Helper()
	page, err := db.ListFriends(ctx, uid, engine.ListOptions{Limit: 1})
	if err != nil {
		t.Fatalf("ListFriends(%s): %v", uid, err)
	}
	return page.Seq
}

// relSnapshot renders everything the public API shows of users' relations:
// friend lists with edges, applications both ways with unread counts,
// groups with members, and event seqs. Two equal snapshots mean nothing
// was written in between (a written change always appends an event).
func relSnapshot(t testing.TB, db *engine.DB, users ...string) string {
	t.Helper()
	var b strings.Builder
	for _, u := range users {
		page, err := db.ListFriends(ctx, u, engine.ListOptions{Limit: 1000})
		if err != nil {
			t.Fatalf("ListFriends(%s): %v", u, err)
		}
		fmt.Fprintf(&b, "%s seq=%d\n", u, page.Seq)
		for _, f := range page.Items {
			fmt.Fprintf(&b, "  friend %s %+v\n", f.UserID, *f.Edge)
		}
		all := appsOf(t, db, u, engine.BothDirections)
		fmt.Fprintf(&b, "  unread=%d\n", all.Unread)
		for _, it := range all.Items {
			fmt.Fprintf(&b, "  app %s->%s %+v\n", it.From, it.To, *it.Application)
		}
		groups := groupsOf(t, db, u)
		for _, g := range slices.Sorted(maps.Keys(groups)) {
			fmt.Fprintf(&b, "  group %s %v\n", g, groups[g])
		}
	}
	return b.String()
}

// wantUnchanged fails when the state of users changed since before.
func wantUnchanged(t testing.TB, db *engine.DB, what, before string, users ...string) {
	t.Helper()
	if after := relSnapshot(t, db, users...); after != before {
		t.Errorf("%s wrote something:\nbefore:\n%s\nafter:\n%s", what, before, after)
	}
}

// wantIDs fails unless got equals want (nil and empty are equal).
func wantIDs(t testing.TB, what string, got, want []string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

// userIDs returns n user IDs prefix0000, prefix0001, … in sorted order.
func userIDs(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%04d", prefix, i)
	}
	return out
}

// blockUser makes owner block target.
func blockUser(t testing.TB, db *engine.DB, owner, target string) {
	t.Helper()
	res, err := db.Block(ctx, owner, []string{target})
	if err != nil || res[0].Err != nil {
		t.Fatalf("Block(%s, %s): %v %+v", owner, target, err, res)
	}
}

package engine_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kithdb/kith/engine"
)

var bkKindNames = map[engine.EventKind]string{
	engine.ProfileUpdated:       "ProfileUpdated",
	engine.FriendProfileChanged: "FriendProfileChanged",
	engine.FriendAdded:          "FriendAdded",
	engine.FriendDeleted:        "FriendDeleted",
	engine.FriendUpdated:        "FriendUpdated",
	engine.ApplicationAdded:     "ApplicationAdded",
	engine.ApplicationDeleted:   "ApplicationDeleted",
	engine.ApplicationsRead:     "ApplicationsRead",
	engine.BlockAdded:           "BlockAdded",
	engine.BlockDeleted:         "BlockDeleted",
	engine.GroupCreated:         "GroupCreated",
	engine.GroupDeleted:         "GroupDeleted",
	engine.GroupRenamed:         "GroupRenamed",
	engine.GroupMembersAdded:    "GroupMembersAdded",
	engine.GroupMembersRemoved:  "GroupMembersRemoved",
	engine.Gap:                  "Gap",
}

var bkReasonNames = map[engine.Reason]string{
	engine.ReasonAccepted: "accepted",
	engine.ReasonRefused:  "refused",
	engine.ReasonDeleted:  "deleted",
	engine.ReasonBlocked:  "blocked",
}

// bkFmt formats an event without its user, seq and time:
// "Kind peer,peer [group,group] reason".
func bkFmt(e engine.Event) string {
	s, ok := bkKindNames[e.Kind]
	if !ok {
		s = fmt.Sprintf("Kind(%d)", e.Kind)
	}
	if len(e.Peers) > 0 {
		s += " " + strings.Join(e.Peers, ",")
	}
	if len(e.Groups) > 0 {
		s += " [" + strings.Join(e.Groups, ",") + "]"
	}
	if e.Reason != engine.ReasonNone {
		s += " " + bkReasonNames[e.Reason]
	}
	return s
}

// bkSeq returns uid's last event seq.
func bkSeq(t testing.TB, db *engine.DB, uid string) uint64 {
	t.Helper()
	gl, err := db.ListGroups(ctx, uid, false)
	if err != nil {
		t.Fatalf("ListGroups(%s): %v", uid, err)
	}
	return gl.Seq
}

// bkChanges returns every event of uid's log after afterSeq, reading pages
// of limit events, and checks that the seqs follow each other without a
// gap, that each names uid and that Next and Seq are consistent.
func bkChanges(t testing.TB, db *engine.DB, uid string, afterSeq uint64, limit int) []engine.Event {
	t.Helper()
	var out []engine.Event
	for {
		page, err := db.Changes(ctx, uid, afterSeq, limit)
		if err != nil {
			t.Fatalf("Changes(%s, %d, %d): %v", uid, afterSeq, limit, err)
		}
		for _, ev := range page.Events {
			if ev.Seq != afterSeq+1 || ev.User != uid {
				t.Fatalf("Changes(%s): event %+v after seq %d", uid, ev, afterSeq)
			}
			if ev.Kind == engine.FriendProfileChanged || ev.Kind == engine.Gap {
				t.Errorf("Changes(%s): live-only event logged: %+v", uid, ev)
			}
			afterSeq = ev.Seq
		}
		out = append(out, page.Events...)
		if page.Next != afterSeq {
			t.Fatalf("Changes(%s): Next = %d, want %d", uid, page.Next, afterSeq)
		}
		if len(page.Events) == 0 {
			if page.Seq != afterSeq {
				t.Fatalf("Changes(%s): empty page at %d but Seq is %d", uid, afterSeq, page.Seq)
			}
			return out
		}
	}
}

// bkEventsSince returns uid's logged events after afterSeq, formatted.
func bkEventsSince(t testing.TB, db *engine.DB, uid string, afterSeq uint64) []string {
	t.Helper()
	var out []string
	for _, ev := range bkChanges(t, db, uid, afterSeq, 1000) {
		out = append(out, bkFmt(ev))
	}
	return out
}

// bkStep runs a mutating call and checks the events it logged for each of
// users: want[i] for users[i].
func bkStep(t *testing.T, db *engine.DB, name string, call func() error, users []string, want ...[]string) {
	t.Helper()
	marks := make([]uint64, len(users))
	for i, u := range users {
		marks[i] = bkSeq(t, db, u)
	}
	if err := call(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for i, u := range users {
		got := bkEventsSince(t, db, u, marks[i])
		if strings.Join(got, "\n") != strings.Join(want[i], "\n") {
			t.Errorf("%s: events of %s:\n  got  %q\n  want %q", name, u, got, want[i])
		}
	}
}

// bkEv is shorthand for a list of formatted events.
func bkEv(s ...string) []string { return s }

func TestChanges_EventsOfEachCall(t *testing.T) {
	clk := &fakeClock{t: time.Unix(5_000, 0)}
	db := openDB(t, &engine.Options{Clock: clk.Now})
	all := []string{"a", "b", "c", "d", "e"}
	none := bkEv()

	bkStep(t, db, "UpdateProfile", func() error {
		_, err := db.UpdateProfile(ctx, "a", engine.ProfileUpdate{AllowType: new(engine.AllowAny)})
		return err
	}, all, bkEv("ProfileUpdated"), none, none, none, none)
	if evs := bkChanges(t, db, "a", 0, 10); len(evs) != 1 || evs[0].Seq != 1 || evs[0].At != time.Unix(5_000, 0).UnixNano() {
		t.Errorf("first event of a = %+v, want seq 1 at the clock's time", evs)
	}
	bkUsers(t, db, engine.AllowAny, "b")
	bkUsers(t, db, engine.NeedConfirm, "c", "d", "e")

	add := func(from, to string, typ engine.AddType, group string, want engine.AddOutcome) func() error {
		return func() error {
			res, err := db.AddFriends(ctx, from, []engine.AddFriendRequest{{UserID: to, Type: typ, Group: group}})
			if err == nil && (res[0].Err != nil || res[0].Outcome != want) {
				err = fmt.Errorf("result %+v, want outcome %d", res[0], want)
			}
			return err
		}
	}
	bkStep(t, db, "AddFriends Both AllowAny", add("a", "b", engine.AddBoth, "g1", engine.Added), all,
		bkEv("GroupCreated [g1]", "FriendAdded b [g1]"), bkEv("FriendAdded a"), none, none, none)
	bkStep(t, db, "AddFriends Both pending", add("a", "c", engine.AddBoth, "g2", engine.Pending), all,
		bkEv("ApplicationAdded a,c"), none, bkEv("ApplicationAdded a,c"), none, none)
	bkStep(t, db, "AddFriends refresh", add("a", "c", engine.AddBoth, "g2", engine.Pending), all,
		bkEv("ApplicationAdded a,c"), none, bkEv("ApplicationAdded a,c"), none, none)
	bkStep(t, db, "AcceptApplication", func() error {
		return db.AcceptApplication(ctx, "c", "a", engine.AcceptAgreeAndAdd, "remark")
	}, all, bkEv("ApplicationDeleted a,c accepted", "GroupCreated [g2]", "FriendAdded c [g2]"), none,
		bkEv("ApplicationDeleted a,c accepted", "FriendAdded a"), none, none)
	bkStep(t, db, "AddFriends Single", add("d", "a", engine.AddSingle, "", engine.Added), all,
		none, none, none, bkEv("FriendAdded a"), none)
	bkStep(t, db, "AddFriends Both completing a one-way edge", add("a", "d", engine.AddBoth, "", engine.Added), all,
		bkEv("FriendAdded d"), none, none, none, none)

	bkStep(t, db, "AddFriends d -> c pending", add("d", "c", engine.AddBoth, "", engine.Pending), all,
		none, none, bkEv("ApplicationAdded d,c"), bkEv("ApplicationAdded d,c"), none)
	bkStep(t, db, "RefuseApplication", func() error { return db.RefuseApplication(ctx, "c", "d") }, all,
		none, none, bkEv("ApplicationDeleted d,c refused"), bkEv("ApplicationDeleted d,c refused"), none)

	bkStep(t, db, "AddFriends e -> c pending", add("e", "c", engine.AddBoth, "", engine.Pending), all,
		none, none, bkEv("ApplicationAdded e,c"), none, bkEv("ApplicationAdded e,c"))
	bkStep(t, db, "MarkApplicationsRead", func() error { return db.MarkApplicationsRead(ctx, "c") }, all,
		none, none, bkEv("ApplicationsRead"), none, none)
	bkStep(t, db, "MarkApplicationsRead with nothing unread", func() error { return db.MarkApplicationsRead(ctx, "c") }, all,
		none, none, none, none, none)
	bkStep(t, db, "DeleteApplications", func() error {
		res, err := db.DeleteApplications(ctx, "c", []string{"e", "d"}, engine.Incoming)
		if err == nil && (res[0].Err != nil || !errors.Is(res[1].Err, engine.ErrNoApplication)) {
			err = fmt.Errorf("results %+v", res)
		}
		return err
	}, all, none, none, bkEv("ApplicationDeleted e,c deleted"), none, bkEv("ApplicationDeleted e,c deleted"))
	bkStep(t, db, "AddFriends e -> c crossing", func() error {
		if err := add("c", "e", engine.AddBoth, "", engine.Pending)(); err != nil {
			return err
		}
		return add("e", "c", engine.AddBoth, "", engine.Added)()
	}, all, none, none,
		bkEv("ApplicationAdded c,e", "ApplicationDeleted c,e accepted", "FriendAdded e"), none,
		bkEv("ApplicationAdded c,e", "ApplicationDeleted c,e accepted", "FriendAdded c"))

	// Groups: only the owner hears of them.
	bkStep(t, db, "CreateGroup", func() error {
		res, err := db.CreateGroup(ctx, "a", "g3", []string{"b", "c", "e"})
		if err == nil && (res[0].Err != nil || res[1].Err != nil || !errors.Is(res[2].Err, engine.ErrMemberNotFriend)) {
			err = fmt.Errorf("results %+v", res)
		}
		return err
	}, all, bkEv("GroupCreated [g3]", "GroupMembersAdded b [g3]", "GroupMembersAdded c [g3]"), none, none, none, none)
	bkStep(t, db, "RenameGroup", func() error { return db.RenameGroup(ctx, "a", "g3", "g4") }, all,
		bkEv("GroupRenamed [g3,g4]"), none, none, none, none)
	bkStep(t, db, "RemoveFromGroup", func() error {
		_, err := db.RemoveFromGroup(ctx, "a", "g4", []string{"b", "d"})
		return err
	}, all, bkEv("GroupMembersRemoved b [g4]"), none, none, none, none)
	bkStep(t, db, "AddToGroup", func() error {
		_, err := db.AddToGroup(ctx, "a", "g4", []string{"b", "c"}) // c is in already: no event
		return err
	}, all, bkEv("GroupMembersAdded b [g4]"), none, none, none, none)
	bkStep(t, db, "DeleteGroups", func() error {
		_, err := db.DeleteGroups(ctx, "a", []string{"g4"})
		return err
	}, all, bkEv("GroupMembersRemoved b [g4]", "GroupMembersRemoved c [g4]", "GroupDeleted [g4]"), none, none, none, none)
	bkStep(t, db, "UpdateFriend", func() error {
		_, err := db.UpdateFriend(ctx, "a", "b", engine.FriendUpdate{Groups: &[]string{"g5", "g1"}})
		return err
	}, all, bkEv("GroupCreated [g5]", "FriendUpdated b [g1,g5]"), none, none, none, none)
	bkStep(t, db, "UpdateProfile of a friend", func() error {
		_, err := db.UpdateProfile(ctx, "b", engine.ProfileUpdate{Nick: new("bee")})
		return err
	}, all, none, bkEv("ProfileUpdated"), none, none, none)

	// Block: the blocker's log has BlockAdded, both sides lose the edges
	// and the applications.
	bkStep(t, db, "AddFriends a -> e pending", add("a", "e", engine.AddBoth, "", engine.Pending), all,
		bkEv("ApplicationAdded a,e"), none, none, none, bkEv("ApplicationAdded a,e"))
	bkStep(t, db, "Block", func() error {
		_, err := db.Block(ctx, "a", []string{"b", "e", "b"})
		return err
	}, all, bkEv("BlockAdded b", "FriendDeleted b", "BlockAdded e", "ApplicationDeleted a,e blocked"),
		bkEv("FriendDeleted a"), none, none, bkEv("ApplicationDeleted a,e blocked"))
	bkStep(t, db, "Block again", func() error {
		_, err := db.Block(ctx, "a", []string{"b"})
		return err
	}, all, none, none, none, none, none)
	bkStep(t, db, "Unblock", func() error {
		_, err := db.Unblock(ctx, "a", []string{"b", "c"})
		return err
	}, all, bkEv("BlockDeleted b"), none, none, none, none)
	bkStep(t, db, "DeleteFriends Both", func() error {
		_, err := db.DeleteFriends(ctx, "a", []string{"c"}, engine.DeleteBoth)
		return err
	}, all, bkEv("FriendDeleted c"), none, bkEv("FriendDeleted a"), none, none)
	bkStep(t, db, "DeleteFriends Single", func() error {
		_, err := db.DeleteFriends(ctx, "a", []string{"d"}, engine.DeleteSingle)
		return err
	}, all, bkEv("FriendDeleted d"), none, none, none, none)

	// DeleteUser: the peers hear; the user's own log is gone.
	bkStep(t, db, "AddFriends d -> e pending", add("d", "e", engine.AddBoth, "", engine.Pending), all,
		none, none, none, bkEv("ApplicationAdded d,e"), bkEv("ApplicationAdded d,e"))
	bkBlock(t, db, "b", "d")
	marks := map[string]uint64{}
	for _, u := range all {
		marks[u] = bkSeq(t, db, u)
	}
	if err := db.DeleteUser(ctx, "d"); err != nil {
		t.Fatal(err)
	}
	// d held a (one-way, a deleted its edge); b blocked d; d applied to e.
	wantAfter := map[string][]string{
		"a": none, "b": bkEv("BlockDeleted d"), "c": none, "e": bkEv("ApplicationDeleted d,e deleted"),
	}
	for u, want := range wantAfter {
		if got := bkEventsSince(t, db, u, marks[u]); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("DeleteUser: events of %s = %q, want %q", u, got, want)
		}
	}
	if s := bkSeq(t, db, "d"); s != 0 {
		t.Errorf("seq of a deleted user = %d, want 0", s)
	}
	if evs := bkChanges(t, db, "d", 0, 10); len(evs) != 0 {
		t.Errorf("log of a deleted user = %+v", evs)
	}
}

func TestChanges_FriendDeletedOnDeleteUser(t *testing.T) {
	db := openDB(t, nil)
	bkUsers(t, db, engine.NeedConfirm, "a", "b", "c")
	bkBefriend(t, db, "a", "b", "g", "")
	bkAddOK(t, db, "c", engine.AddFriendRequest{UserID: "a", Type: engine.AddSingle}, engine.Added)
	seqA, seqC := bkSeq(t, db, "a"), bkSeq(t, db, "c")
	if err := db.DeleteUser(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	bkWantStrings(t, "events of a", bkEventsSince(t, db, "a", seqA), "FriendDeleted b")
	bkWantStrings(t, "ListGroups(a)", bkGroupCounts(t, db, "a"), "g:0")
	if err := db.DeleteUser(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	bkWantStrings(t, "events of c", bkEventsSince(t, db, "c", seqC), "FriendDeleted a")
}

func TestChanges_SeqsAndPaging(t *testing.T) {
	db := openDB(t, nil)
	for i := range 7 {
		if _, err := db.UpdateProfile(ctx, "a", engine.ProfileUpdate{Level: new(uint32(i))}); err != nil {
			t.Fatal(err)
		}
	}
	type pageWant struct {
		after     uint64
		seqs      []uint64
		next, seq uint64
	}
	for _, w := range []pageWant{
		{0, []uint64{1, 2, 3}, 3, 7},
		{3, []uint64{4, 5, 6}, 6, 7},
		{6, []uint64{7}, 7, 7},
		{7, nil, 7, 7},
	} {
		page, err := db.Changes(ctx, "a", w.after, 3)
		if err != nil {
			t.Fatalf("Changes(a, %d, 3): %v", w.after, err)
		}
		var seqs []uint64
		for _, e := range page.Events {
			seqs = append(seqs, e.Seq)
		}
		if fmt.Sprint(seqs) != fmt.Sprint(w.seqs) || page.Next != w.next || page.Seq != w.seq {
			t.Errorf("Changes(a, %d, 3) = seqs %v next %d seq %d, want %v %d %d",
				w.after, seqs, page.Next, page.Seq, w.seqs, w.next, w.seq)
		}
	}
	if page, err := db.Changes(ctx, "a", 0, 0); err != nil || len(page.Events) != 7 {
		t.Errorf("Changes(limit 0) = %d events, %v; want the default page", len(page.Events), err)
	}
	for _, after := range []uint64{8, 1 << 40} {
		if _, err := db.Changes(ctx, "a", after, 10); !errors.Is(err, engine.ErrInvalidArgument) {
			t.Errorf("Changes(a, %d) past the last seq: %v, want ErrInvalidArgument", after, err)
		}
	}
	for _, limit := range []int{-1, 1001} {
		if _, err := db.Changes(ctx, "a", 0, limit); !errors.Is(err, engine.ErrInvalidArgument) {
			t.Errorf("Changes(limit %d): %v, want ErrInvalidArgument", limit, err)
		}
	}
	// An unknown user has an empty log at seq 0.
	if page, err := db.Changes(ctx, "nobody", 0, 10); err != nil || len(page.Events) != 0 || page.Seq != 0 || page.Next != 0 {
		t.Errorf("Changes(nobody) = %+v, %v", page, err)
	}
	if _, err := db.Changes(ctx, "nobody", 1, 10); !errors.Is(err, engine.ErrInvalidArgument) {
		t.Errorf("Changes(nobody, 1): %v, want ErrInvalidArgument", err)
	}
	if _, err := db.Changes(ctx, "", 0, 10); !errors.Is(err, engine.ErrInvalidUserID) {
		t.Errorf("Changes(\"\"): %v, want ErrInvalidUserID", err)
	}
}

func TestChanges_Retention(t *testing.T) {
	db := openDB(t, &engine.Options{EventRetention: 5})
	bkUsers(t, db, engine.AllowAny, "b", "c", "d", "e", "f", "g")
	for i := range 12 {
		if _, err := db.UpdateProfile(ctx, "a", engine.ProfileUpdate{Level: new(uint32(i))}); err != nil {
			t.Fatal(err)
		}
	}
	for _, after := range []uint64{0, 1, 6} {
		_, err := db.Changes(ctx, "a", after, 100)
		var re *engine.ResyncError
		if !errors.As(err, &re) || !errors.Is(err, engine.ErrResyncRequired) || re.Seq != 12 {
			t.Fatalf("Changes(a, %d) = %v, want *ResyncError{Seq: 12}", after, err)
		}
	}
	evs := bkChanges(t, db, "a", 7, 2)
	if len(evs) != 5 || evs[0].Seq != 8 || evs[4].Seq != 12 {
		t.Errorf("Changes(a, 7) = %+v, want seqs 8..12", evs)
	}
	// The resync round trip: reload, then follow from the lists' seq.
	if s := bkSeq(t, db, "a"); s != 12 {
		t.Errorf("ListGroups(a).Seq = %d, want 12", s)
	}
	if evs := bkChanges(t, db, "a", 12, 10); len(evs) != 0 {
		t.Errorf("Changes(a, 12) = %+v", evs)
	}

	// One batch that appends more events than the window keeps.
	res := bkBlock(t, db, "a", "b", "c", "d", "e", "f", "g")
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("Block: %+v", res)
		}
	}
	if _, err := db.Changes(ctx, "a", 12, 10); !errors.Is(err, engine.ErrResyncRequired) {
		t.Errorf("Changes(a, 12) after 6 more events: %v, want ErrResyncRequired", err)
	}
	bkWantStrings(t, "retained events of a", bkEventsSince(t, db, "a", 13),
		"BlockAdded c", "BlockAdded d", "BlockAdded e", "BlockAdded f", "BlockAdded g")
	mustCheck(t, db)
}

func TestChanges_ListSeqsMatchTheLog(t *testing.T) {
	db := openDB(t, nil)
	bkUsers(t, db, engine.NeedConfirm, "a", "b", "c", "d")
	bkBefriend(t, db, "a", "b", "g", "")
	bkAddOK(t, db, "c", engine.AddFriendRequest{UserID: "a", Type: engine.AddBoth}, engine.Pending)
	bkBlock(t, db, "a", "d")
	for _, u := range []string{"a", "b", "c", "d"} {
		evs := bkChanges(t, db, u, 0, 1000)
		last := evs[len(evs)-1].Seq
		fp, err1 := db.ListFriends(ctx, u, engine.ListOptions{})
		ap, err2 := db.ListApplications(ctx, u, engine.BothDirections, engine.ListOptions{})
		bp, err3 := db.ListBlocked(ctx, u, engine.ListOptions{})
		gl, err4 := db.ListGroups(ctx, u, true)
		cp, err5 := db.Changes(ctx, u, 0, 1)
		if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
			t.Fatal(err)
		}
		if fp.Seq != last || ap.Seq != last || bp.Seq != last || gl.Seq != last || cp.Seq != last {
			t.Errorf("%s: list seqs friends %d apps %d blocked %d groups %d changes %d, last event %d",
				u, fp.Seq, ap.Seq, bp.Seq, gl.Seq, cp.Seq, last)
		}
	}
}

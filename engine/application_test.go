package engine_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/kithdb/kith/engine"
)

// pendingApp makes from send a Both request to the NeedConfirm user to.
func pendingApp(t testing.TB, db *engine.DB, from, to string, r engine.AddFriendRequest) {
	t.Helper()
	r.UserID, r.Type = to, engine.AddBoth
	mustAddFriend(t, db, from, r, engine.Pending)
}

// wantNoApps fails if users hold any application either way.
func wantNoApps(t testing.TB, db *engine.DB, users ...string) {
	t.Helper()
	for _, u := range users {
		if a := appsOf(t, db, u, engine.BothDirections); len(a.Items) != 0 || a.Unread != 0 {
			t.Errorf("%s's applications: %v, unread %d", u, a.Peers, a.Unread)
		}
	}
}

func TestAcceptApplicationAgree(t *testing.T) {
	db := openDB(t, nil)
	createUsers(t, db, engine.NeedConfirm, "app", "acc")
	pendingApp(t, db, "app", "acc", engine.AddFriendRequest{Remark: "ra", Group: "ga", Wording: "hello", Source: "src"})
	if err := db.AcceptApplication(ctx, "acc", "app", engine.AcceptAgree, "ignored"); err != nil {
		t.Fatal(err)
	}
	// Only the applicant's list gains the acceptor.
	wantFriendRelation(t, db, "app", "acc", engine.InMyList)
	wantIDs(t, "acceptor's friends", friendsOf(t, db, "acc"), nil)
	e := edgeOf(t, db, "app", "acc")
	if e.Remark != "ra" || !slices.Equal(e.Groups, []string{"ga"}) || e.AddWording != "hello" || e.AddSource != "src" || e.AddedAt == 0 {
		t.Errorf("applicant's edge = %+v", e)
	}
	if g := groupsOf(t, db, "app"); !slices.Equal(g["ga"], []string{"acc"}) {
		t.Errorf("applicant's groups = %v", g)
	}
	wantNoApps(t, db, "app", "acc")
	// Answered once: a second answer finds nothing.
	err := db.AcceptApplication(ctx, "acc", "app", engine.AcceptAgree, "")
	wantErrIs(t, "second accept", err, engine.ErrNoApplication, 30614)
}

// TestAcceptApplicationDropsCustom: an application keeps wording, source,
// remark and group (SEMANTICS.md §2), not the request's custom fields, so
// the edge added on acceptance has none; one added at once keeps them.
func TestAcceptApplicationDropsCustom(t *testing.T) {
	db := openDB(t, &engine.Options{CustomFriendFields: []string{"tag"}})
	createUsers(t, db, engine.NeedConfirm, "app", "acc")
	custom := map[string][]byte{"tag": []byte("vip")}
	pendingApp(t, db, "app", "acc", engine.AddFriendRequest{Remark: "ra", Custom: custom})
	if err := db.AcceptApplication(ctx, "acc", "app", engine.AcceptAgree, ""); err != nil {
		t.Fatal(err)
	}
	if e := edgeOf(t, db, "app", "acc"); e.Remark != "ra" || len(e.Custom) != 0 {
		t.Errorf("edge added on acceptance = %+v, want remark ra and no custom field", e)
	}
	createUsers(t, db, engine.AllowAny, "open")
	mustAddFriend(t, db, "app", engine.AddFriendRequest{UserID: "open", Type: engine.AddBoth, Custom: custom}, engine.Added)
	if e := edgeOf(t, db, "app", "open"); string(e.Custom["tag"]) != "vip" {
		t.Errorf("edge added at once = %+v, want tag vip", e)
	}
}

func TestAcceptApplicationAgreeAndAdd(t *testing.T) {
	db := openDB(t, nil)
	createUsers(t, db, engine.NeedConfirm, "app", "acc")
	pendingApp(t, db, "app", "acc", engine.AddFriendRequest{Remark: "ra", Group: "ga", Wording: "hello", Source: "src"})
	if err := db.AcceptApplication(ctx, "acc", "app", engine.AcceptAgreeAndAdd, "rb"); err != nil {
		t.Fatal(err)
	}
	wantFriendRelation(t, db, "app", "acc", engine.BothWay)
	if e := edgeOf(t, db, "app", "acc"); e.Remark != "ra" || !slices.Equal(e.Groups, []string{"ga"}) {
		t.Errorf("applicant's edge = %+v", e)
	}
	if e := edgeOf(t, db, "acc", "app"); e.Remark != "rb" || len(e.Groups) != 0 {
		t.Errorf("acceptor's edge = %+v", e)
	}
	if g := groupsOf(t, db, "acc"); len(g) != 0 {
		t.Errorf("acceptor's groups = %v", g)
	}
	wantNoApps(t, db, "app", "acc")
}

func TestAcceptApplicationExistingEdges(t *testing.T) {
	db := openDB(t, nil)
	createUsers(t, db, engine.NeedConfirm, "app", "acc")
	// The applicant already holds the acceptor (a Single add), then asks
	// for both edges.
	mustAddFriend(t, db, "app", engine.AddFriendRequest{UserID: "acc", Remark: "first"}, engine.Added)
	pendingApp(t, db, "app", "acc", engine.AddFriendRequest{Remark: "second"})
	if err := db.AcceptApplication(ctx, "acc", "app", engine.AcceptAgreeAndAdd, "rb"); err != nil {
		t.Fatal(err)
	}
	wantFriendRelation(t, db, "app", "acc", engine.BothWay)
	// The existing edge is kept as it was.
	if e := edgeOf(t, db, "app", "acc"); e.Remark != "first" {
		t.Errorf("applicant's edge = %+v", e)
	}
	wantNoApps(t, db, "app", "acc")
}

func TestAcceptApplicationNoApplication(t *testing.T) {
	db := openDB(t, nil)
	createUsers(t, db, engine.NeedConfirm, "a", "b", "c")
	pendingApp(t, db, "a", "b", engine.AddFriendRequest{})
	users := []string{"a", "b", "c"}
	before := relSnapshot(t, db, users...)
	for _, c := range []struct{ uid, from string }{
		{"a", "b"}, // the other direction
		{"c", "a"}, // not to c
		{"b", "nobody"},
	} {
		for _, mode := range []engine.AcceptMode{engine.AcceptAgree, engine.AcceptAgreeAndAdd} {
			wantErrIs(t, c.uid+" accepts "+c.from, db.AcceptApplication(ctx, c.uid, c.from, mode, ""), engine.ErrNoApplication, 30614)
		}
		wantErrIs(t, c.uid+" refuses "+c.from, db.RefuseApplication(ctx, c.uid, c.from), engine.ErrNoApplication, 30614)
	}
	wantErrIs(t, "self", db.AcceptApplication(ctx, "b", "b", engine.AcceptAgree, ""), engine.ErrSelf, 30001)
	wantErrIs(t, "bad mode", db.AcceptApplication(ctx, "b", "a", engine.AcceptMode(9), ""), engine.ErrInvalidArgument, 30001)
	wantErrIs(t, "remark too long", db.AcceptApplication(ctx, "b", "a", engine.AcceptAgreeAndAdd, string(make([]byte, 97))), engine.ErrTooLong, 30001)
	wantErrIs(t, "bad id", db.RefuseApplication(ctx, "b", ""), engine.ErrInvalidUserID, 30001)
	wantUnchanged(t, db, "refused answers", before, users...)
}

func TestAcceptApplicationLimits(t *testing.T) {
	db := openDB(t, &engine.Options{Limits: engine.Limits{Friends: 2}})
	createUsers(t, db, engine.NeedConfirm, "app", "acc")
	createUsers(t, db, engine.AllowAny, "x1", "x2", "y1", "y2")
	pendingApp(t, db, "app", "acc", engine.AddFriendRequest{Group: "g"})

	// Applicant full: both modes refused with ErrPeerFriendLimit.
	befriend(t, db, "app", "x1")
	befriend(t, db, "app", "x2")
	users := []string{"app", "acc"}
	before := relSnapshot(t, db, users...)
	for _, mode := range []engine.AcceptMode{engine.AcceptAgree, engine.AcceptAgreeAndAdd} {
		wantErrIs(t, "applicant full", db.AcceptApplication(ctx, "acc", "app", mode, ""), engine.ErrPeerFriendLimit, 30014)
	}
	wantUnchanged(t, db, "applicant full", before, users...)
	wantIDs(t, "acceptor's incoming", incomingOf(t, db, "acc"), []string{"app"})
	if a := appsOf(t, db, "acc", engine.Incoming); a.Unread != 1 {
		t.Errorf("unread %d after refused accepts", a.Unread)
	}

	// Acceptor full: AgreeAndAdd refused with ErrFriendLimit ...
	if _, err := db.DeleteFriends(ctx, "app", []string{"x2"}, engine.DeleteBoth); err != nil {
		t.Fatal(err)
	}
	befriend(t, db, "acc", "y1")
	befriend(t, db, "acc", "y2")
	before = relSnapshot(t, db, users...)
	wantErrIs(t, "acceptor full", db.AcceptApplication(ctx, "acc", "app", engine.AcceptAgreeAndAdd, ""), engine.ErrFriendLimit, 30010)
	wantUnchanged(t, db, "acceptor full", before, users...)
	if a := appFromTo(t, db, "app", "acc"); a == nil || a.Group != "g" {
		t.Errorf("application after refused accept: %+v", a)
	}
	// ... while Agree, which adds only the applicant's edge, goes through.
	if err := db.AcceptApplication(ctx, "acc", "app", engine.AcceptAgree, ""); err != nil {
		t.Fatal(err)
	}
	wantFriendRelation(t, db, "app", "acc", engine.InMyList)
	wantNoApps(t, db, "app", "acc")
}

func TestAcceptApplicationApplicantGroupLimit(t *testing.T) {
	db := openDB(t, &engine.Options{Limits: engine.Limits{Groups: 1}})
	createUsers(t, db, engine.NeedConfirm, "app", "acc", "x")
	pendingApp(t, db, "app", "acc", engine.AddFriendRequest{Group: "wanted", Remark: "r"})
	if _, err := db.CreateGroup(ctx, "app", "full", nil); err != nil {
		t.Fatal(err)
	}
	// The applicant's group choice cannot block the answer: the edge comes
	// without the group.
	if err := db.AcceptApplication(ctx, "acc", "app", engine.AcceptAgree, ""); err != nil {
		t.Fatal(err)
	}
	if e := edgeOf(t, db, "app", "acc"); e == nil || e.Remark != "r" || len(e.Groups) != 0 {
		t.Errorf("applicant's edge = %+v", e)
	}
	if g := groupCounts(t, db, "app"); len(g) != 1 || g["full"] != 0 {
		t.Errorf("applicant's groups = %v", g)
	}
}

func TestRefuseApplication(t *testing.T) {
	db := openDB(t, nil)
	createUsers(t, db, engine.NeedConfirm, "a", "b", "c")
	pendingApp(t, db, "a", "c", engine.AddFriendRequest{})
	pendingApp(t, db, "b", "c", engine.AddFriendRequest{})
	if err := db.RefuseApplication(ctx, "c", "a"); err != nil {
		t.Fatal(err)
	}
	in := appsOf(t, db, "c", engine.Incoming)
	wantIDs(t, "c's incoming", in.Peers, []string{"b"})
	if in.Unread != 1 {
		t.Errorf("unread %d, want 1", in.Unread)
	}
	wantIDs(t, "a's outgoing", outgoingOf(t, db, "a"), nil)
	wantFriendRelation(t, db, "a", "c", engine.NoRelation)
	wantErrIs(t, "second refusal", db.RefuseApplication(ctx, "c", "a"), engine.ErrNoApplication, 30614)
	// Refused, a may ask again.
	pendingApp(t, db, "a", "c", engine.AddFriendRequest{})
	wantIDs(t, "c's incoming", incomingOf(t, db, "c"), []string{"a", "b"})
}

func TestDeleteApplications(t *testing.T) {
	db := openDB(t, nil)
	createUsers(t, db, engine.NeedConfirm, "me", "p1", "p2", "p3", "q1", "q2")
	for _, p := range []string{"p1", "p2", "p3"} {
		pendingApp(t, db, p, "me", engine.AddFriendRequest{})
	}
	for _, q := range []string{"q1", "q2"} {
		pendingApp(t, db, "me", q, engine.AddFriendRequest{})
	}
	check := func(what string, res []engine.Result, err error, want ...error) {
		t.Helper()
		if err != nil || len(res) != len(want) {
			t.Fatalf("%s: %v %+v", what, err, res)
		}
		for i, w := range want {
			if (w == nil) != (res[i].Err == nil) || !errors.Is(res[i].Err, w) {
				t.Errorf("%s item %d (%s): %v, want %v", what, i, res[i].UserID, res[i].Err, w)
			}
			if w == engine.ErrNoApplication && engine.Code(res[i].Err) != 30614 {
				t.Errorf("%s item %d: code %d", what, i, engine.Code(res[i].Err))
			}
		}
	}
	res, err := db.DeleteApplications(ctx, "me", []string{"p1", "q1"}, engine.Incoming)
	check("incoming", res, err, nil, engine.ErrNoApplication)
	wantIDs(t, "me's incoming", incomingOf(t, db, "me"), []string{"p2", "p3"})
	wantIDs(t, "p1's outgoing", outgoingOf(t, db, "p1"), nil)

	res, err = db.DeleteApplications(ctx, "me", []string{"q1", "p2"}, engine.Outgoing)
	check("outgoing", res, err, nil, engine.ErrNoApplication)
	wantIDs(t, "me's outgoing", outgoingOf(t, db, "me"), []string{"q2"})
	wantIDs(t, "q1's incoming", incomingOf(t, db, "q1"), nil)

	res, err = db.DeleteApplications(ctx, "me", []string{"p2", "q2", "p1", "", "me", "p2"}, engine.BothDirections)
	check("both", res, err, nil, nil, engine.ErrNoApplication, engine.ErrInvalidUserID, engine.ErrSelf, engine.ErrDuplicateID)
	wantIDs(t, "me's applications", appsOf(t, db, "me", engine.BothDirections).Peers, []string{"p3"})
	if a := appsOf(t, db, "me", engine.Incoming); a.Unread != 1 {
		t.Errorf("unread %d, want 1 (p3)", a.Unread)
	}
	// No relation came of any of it.
	wantIDs(t, "me's friends", friendsOf(t, db, "me"), nil)

	before := relSnapshot(t, db, "me", "p3")
	if _, err := db.DeleteApplications(ctx, "me", []string{"p3"}, engine.Direction(7)); !errors.Is(err, engine.ErrInvalidArgument) {
		t.Errorf("bad direction: %v", err)
	}
	if _, err := db.DeleteApplications(ctx, "me", append(userIDs("x", 1000), "p3"), engine.Incoming); !errors.Is(err, engine.ErrTooMany) {
		t.Errorf("1001 ids: %v", err)
	}
	wantUnchanged(t, db, "refused DeleteApplications", before, "me", "p3")
}

func TestMarkApplicationsRead(t *testing.T) {
	db := openDB(t, nil)
	createUsers(t, db, engine.NeedConfirm, "me", "a", "b", "c", "d")
	pendingApp(t, db, "a", "me", engine.AddFriendRequest{})
	pendingApp(t, db, "b", "me", engine.AddFriendRequest{})
	pendingApp(t, db, "me", "c", engine.AddFriendRequest{})
	if in := appsOf(t, db, "me", engine.Incoming); in.Unread != 2 {
		t.Fatalf("unread %d, want 2", in.Unread)
	}
	if err := db.MarkApplicationsRead(ctx, "me"); err != nil {
		t.Fatal(err)
	}
	in := appsOf(t, db, "me", engine.BothDirections)
	if in.Unread != 0 {
		t.Errorf("unread %d after MarkApplicationsRead", in.Unread)
	}
	for _, it := range in.Items {
		if read := it.To == "me"; it.Application.Read != read {
			t.Errorf("%s->%s Read = %v", it.From, it.To, it.Application.Read)
		}
	}
	// c's side is c's to mark.
	if a := appsOf(t, db, "c", engine.Incoming); a.Unread != 1 {
		t.Errorf("c's unread %d", a.Unread)
	}
	// Nothing unread: nothing written.
	before := relSnapshot(t, db, "me")
	if err := db.MarkApplicationsRead(ctx, "me"); err != nil {
		t.Fatal(err)
	}
	wantUnchanged(t, db, "second MarkApplicationsRead", before, "me")
	// A new application is unread; a read one that is removed leaves the count alone.
	pendingApp(t, db, "d", "me", engine.AddFriendRequest{})
	if err := db.RefuseApplication(ctx, "me", "a"); err != nil {
		t.Fatal(err)
	}
	if a := appsOf(t, db, "me", engine.Incoming); a.Unread != 1 || !slices.Equal(a.Peers, []string{"b", "d"}) {
		t.Errorf("after a new application: %v unread %d", a.Peers, a.Unread)
	}
	if err := db.MarkApplicationsRead(ctx, ""); !errors.Is(err, engine.ErrInvalidUserID) {
		t.Errorf("bad id: %v", err)
	}
	// A user with nothing at all.
	if err := db.MarkApplicationsRead(ctx, "nobody"); err != nil {
		t.Errorf("unknown user: %v", err)
	}
}

func TestListApplicationsPaging(t *testing.T) {
	db := openDB(t, nil)
	createUsers(t, db, engine.NeedConfirm, "m", "a1", "a2", "a3", "a4", "a5")
	// Incoming from a1, a3, a5; outgoing to a2, a4.
	for _, p := range []string{"a5", "a1", "a3"} {
		pendingApp(t, db, p, "m", engine.AddFriendRequest{Wording: "from " + p})
	}
	for _, p := range []string{"a4", "a2"} {
		pendingApp(t, db, "m", p, engine.AddFriendRequest{Wording: "to " + p})
	}
	type page struct {
		items []string
		next  string
	}
	read := func(dir engine.Direction, limit int) []page {
		t.Helper()
		var out []page
		opts := engine.ListOptions{Limit: limit}
		for {
			p, err := db.ListApplications(ctx, "m", dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			if p.Unread != 3 {
				t.Errorf("unread %d, want 3", p.Unread)
			}
			var items []string
			for _, it := range p.Items {
				switch {
				case it.To == "m" && it.Application.Wording == "from "+it.From:
					items = append(items, "<"+it.From)
				case it.From == "m" && it.Application.Wording == "to "+it.To:
					items = append(items, ">"+it.To)
				default:
					t.Errorf("item %+v %+v", it, *it.Application)
				}
			}
			out = append(out, page{items, p.Next})
			if p.Next == "" || len(out) > 10 {
				return out
			}
			opts.After = p.Next
		}
	}
	for _, c := range []struct {
		dir   engine.Direction
		limit int
		want  []page
	}{
		{engine.BothDirections, 2, []page{{[]string{"<a1", ">a2"}, "a2"}, {[]string{"<a3", ">a4"}, "a4"}, {[]string{"<a5"}, ""}}},
		{engine.BothDirections, 5, []page{{[]string{"<a1", ">a2", "<a3", ">a4", "<a5"}, ""}}},
		{engine.BothDirections, 4, []page{{[]string{"<a1", ">a2", "<a3", ">a4"}, "a4"}, {[]string{"<a5"}, ""}}},
		{engine.Incoming, 2, []page{{[]string{"<a1", "<a3"}, "a3"}, {[]string{"<a5"}, ""}}},
		{engine.Outgoing, 1, []page{{[]string{">a2"}, "a2"}, {[]string{">a4"}, ""}}},
		{engine.Incoming, 0, []page{{[]string{"<a1", "<a3", "<a5"}, ""}}},
	} {
		got := read(c.dir, c.limit)
		if len(got) != len(c.want) {
			t.Errorf("dir %d limit %d: pages %v, want %v", c.dir, c.limit, got, c.want)
			continue
		}
		for i := range got {
			if !slices.Equal(got[i].items, c.want[i].items) || got[i].next != c.want[i].next {
				t.Errorf("dir %d limit %d page %d: %v, want %v", c.dir, c.limit, i, got[i], c.want[i])
			}
		}
	}
	for _, opts := range []engine.ListOptions{{Limit: 1001}, {Group: "g"}, {Limit: -1}} {
		if _, err := db.ListApplications(ctx, "m", engine.BothDirections, opts); !errors.Is(err, engine.ErrInvalidArgument) {
			t.Errorf("options %+v: %v", opts, err)
		}
	}
	if _, err := db.ListApplications(ctx, "m", engine.Direction(3), engine.ListOptions{}); !errors.Is(err, engine.ErrInvalidArgument) {
		t.Errorf("bad direction: %v", err)
	}
}

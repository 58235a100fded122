package engine_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/kithdb/kith/engine"
)

// TestSmoke walks through one call of each main kind on three users and
// asserts each answer: a friend request added at once (b allows any) and
// one pending (c needs confirmation), refused items, the list, the
// application, its acceptance, the relations, the group, and the user
// deleted with every edge.
func TestSmoke(t *testing.T) {
	db := openDB(t, nil)
	for _, u := range []string{"a", "b", "c"} {
		if _, err := db.UpdateProfile(ctx, u, engine.ProfileUpdate{Nick: new("n-" + u)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.UpdateProfile(ctx, "b", engine.ProfileUpdate{AllowType: new(engine.AllowAny)}); err != nil {
		t.Fatal(err)
	}
	res, err := db.AddFriends(ctx, "a", []engine.AddFriendRequest{
		{UserID: "b", Type: engine.AddBoth, Group: "g1"},
		{UserID: "c", Type: engine.AddBoth},
		{UserID: "a"},
		{UserID: "zz"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || res[0].Outcome != engine.Added || res[1].Err != nil || res[1].Outcome != engine.Pending ||
		!errors.Is(res[2].Err, engine.ErrSelf) || !errors.Is(res[3].Err, engine.ErrNotFound) {
		t.Fatalf("AddFriends: %+v", res)
	}

	page, err := db.ListFriends(ctx, "a", engine.ListOptions{})
	if err != nil || len(page.Items) != 1 || page.Items[0].UserID != "b" || !slices.Equal(page.Items[0].Edge.Groups, []string{"g1"}) {
		t.Fatalf("ListFriends(a) = %+v, %v; want b in g1", page, err)
	}
	apps, err := db.ListApplications(ctx, "c", engine.BothDirections, engine.ListOptions{})
	if err != nil || len(apps.Items) != 1 || apps.Items[0].From != "a" || apps.Items[0].To != "c" || apps.Unread != 1 {
		t.Fatalf("ListApplications(c) = %+v, %v; want a's unread application", apps, err)
	}
	if err := db.AcceptApplication(ctx, "c", "a", engine.AcceptAgreeAndAdd, "r"); err != nil {
		t.Fatal(err)
	}
	rel, err := db.CheckFriends(ctx, "a", []string{"b", "c", "zz"}, engine.CheckBoth)
	if err != nil || rel[0].Relation != engine.BothWay || rel[1].Relation != engine.BothWay || rel[2].Relation != engine.NoRelation {
		t.Fatalf("CheckFriends(a; b, c, zz) = %+v, %v; want both ways, both ways, none", rel, err)
	}
	gl, err := db.ListGroups(ctx, "a", true)
	if err != nil || len(gl.Groups) != 1 || gl.Groups[0].Name != "g1" || !slices.Equal(gl.Groups[0].Members, []string{"b"}) {
		t.Fatalf("ListGroups(a) = %+v, %v; want g1 holding b", gl, err)
	}

	if err := db.DeleteUser(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	ps, err := db.GetProfiles(ctx, "a", []string{"a", "b", "c"})
	if err != nil || ps.Items[0].Err != nil || !errors.Is(ps.Items[1].Err, engine.ErrNotFound) || ps.Items[2].Err != nil {
		t.Fatalf("GetProfiles after b's deletion = %+v, %v; want b not found", ps, err)
	}
	page, err = db.ListFriends(ctx, "a", engine.ListOptions{})
	if err != nil || len(page.Items) != 1 || page.Items[0].UserID != "c" {
		t.Fatalf("ListFriends(a) after b's deletion = %+v, %v; want c only", page, err)
	}
	gl, err = db.ListGroups(ctx, "a", true)
	if err != nil || len(gl.Groups) != 1 || gl.Groups[0].Count != 0 {
		t.Fatalf("ListGroups(a) after b's deletion = %+v, %v; want g1 empty", gl, err)
	}
}

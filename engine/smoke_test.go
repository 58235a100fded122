package engine_test

import (
	"testing"

	"github.com/kithdb/kith/engine"
)

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
	t.Logf("%+v", res)
	page, err := db.ListFriends(ctx, "a", engine.ListOptions{})
	t.Logf("%+v %v", page, err)
	apps, err := db.ListApplications(ctx, "c", engine.BothDirections, engine.ListOptions{})
	t.Logf("%+v %v", apps, err)
	if err := db.AcceptApplication(ctx, "c", "a", engine.AcceptAgreeAndAdd, "r"); err != nil {
		t.Fatal(err)
	}
	rel, err := db.CheckFriends(ctx, "a", []string{"b", "c", "zz"}, engine.CheckBoth)
	t.Logf("%+v %v", rel, err)
	gl, err := db.ListGroups(ctx, "a", true)
	t.Logf("%+v %v", gl, err)
	if err := db.DeleteUser(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	ps, err := db.GetProfiles(ctx, "a", []string{"a", "b", "c"})
	t.Logf("%+v %v", ps, err)
}

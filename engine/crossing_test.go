package engine_test

import (
	"slices"
	"testing"

	"github.com/kithdb/kith/engine"
)

// A Both request that crosses the target's own pending application answers
// that application: each side's edge carries what its own request asked
// for (SEMANTICS.md §2: the remark and group of a request apply to its
// sender's edge, at once or on acceptance).
func TestAddFriends_CrossingKeepsBothRequests(t *testing.T) {
	db := openDB(t, nil)
	for _, u := range []string{"a", "b"} { // both NeedConfirm
		if _, err := db.UpdateProfile(ctx, u, engine.ProfileUpdate{Nick: new(u)}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := db.AddFriends(ctx, "b", []engine.AddFriendRequest{{UserID: "a", Type: engine.AddBoth,
		Remark: "b's name for a", Group: "b-group", Source: "b-src", Wording: "hi a"}})
	if err != nil || res[0].Outcome != engine.Pending {
		t.Fatalf("b -> a: %+v %v", res, err)
	}
	res, err = db.AddFriends(ctx, "a", []engine.AddFriendRequest{{UserID: "b", Type: engine.AddBoth,
		Remark: "a's name for b", Group: "a-group", Source: "a-src", Wording: "hi b"}})
	if err != nil || res[0].Outcome != engine.Added {
		t.Fatalf("a -> b (crossing): %+v %v", res, err)
	}
	got, err := db.GetFriends(ctx, "b", []string{"a"})
	if err != nil || got[0].Err != nil {
		t.Fatalf("GetFriends: %+v %v", got, err)
	}
	if e := got[0].Edge; e.Remark != "b's name for a" || !slices.Equal(e.Groups, []string{"b-group"}) || e.AddSource != "b-src" || e.AddWording != "hi a" {
		t.Errorf("b's edge to a = %+v, want b's own request", e)
	}
	got, _ = db.GetFriends(ctx, "a", []string{"b"})
	if e := got[0].Edge; e.Remark != "a's name for b" || !slices.Equal(e.Groups, []string{"a-group"}) {
		t.Errorf("a's edge to b = %+v, want a's request", e)
	}
	page, _ := db.ListApplications(ctx, "a", engine.BothDirections, engine.ListOptions{})
	if len(page.Items) != 0 {
		t.Errorf("applications left: %+v", page.Items)
	}
}

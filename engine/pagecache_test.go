package engine_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/kithdb/kith/engine"
)

// ListFriends serves first pages from a cache. Two stores, one with the
// caches and one without, get the same writes of every kind that changes
// a friend list; after each, the first pages of every user, for several
// limits, must be the same in both.
func TestFirstPagesFollowWrites(t *testing.T) {
	clock := func() time.Time { return time.Unix(1_700_000_000, 0) } // the same add times in both
	cached := openDB(t, &engine.Options{Clock: clock})
	plain := openDB(t, &engine.Options{Clock: clock, ProfileCache: engine.ProfileCacheOptions{Disabled: true}})
	users := []string{"a", "b", "c", "d", "e"}
	stores := []*engine.DB{cached, plain}
	for _, db := range stores {
		createUsers(t, db, engine.AllowAny, users...)
	}
	check := func(step string) {
		t.Helper()
		for _, u := range users {
			for _, limit := range []int{1, 2, 3, 100} {
				var pages [2]engine.FriendPage
				for i, db := range stores {
					p, err := db.ListFriends(ctx, u, engine.ListOptions{Limit: limit})
					if err != nil {
						t.Fatalf("%s: ListFriends(%s): %v", step, u, err)
					}
					pages[i] = p
				}
				if !reflect.DeepEqual(pages[0], pages[1]) {
					t.Fatalf("%s: first page of %s, limit %d:\ncached %s\nplain  %s", step, u, limit, fmtPage(pages[0]), fmtPage(pages[1]))
				}
			}
		}
	}
	steps := []struct {
		name string
		do   func(db *engine.DB) error
	}{
		{"a adds b c d", func(db *engine.DB) error {
			_, err := db.AddFriends(ctx, "a", []engine.AddFriendRequest{
				{UserID: "b", Type: engine.AddBoth}, {UserID: "c", Type: engine.AddBoth}, {UserID: "d", Type: engine.AddSingle}})
			return err
		}},
		{"remark", func(db *engine.DB) error {
			_, err := db.UpdateFriend(ctx, "a", "b", engine.FriendUpdate{Remark: new("bee")})
			return err
		}},
		{"group", func(db *engine.DB) error { _, err := db.CreateGroup(ctx, "a", "g", []string{"b", "c"}); return err }},
		{"rename group", func(db *engine.DB) error { return db.RenameGroup(ctx, "a", "g", "h") }},
		{"remove from group", func(db *engine.DB) error { _, err := db.RemoveFromGroup(ctx, "a", "h", []string{"c"}); return err }},
		{"delete group", func(db *engine.DB) error { _, err := db.DeleteGroups(ctx, "a", []string{"h"}); return err }},
		{"c blocks a", func(db *engine.DB) error { _, err := db.Block(ctx, "c", []string{"a"}); return err }},
		{"b deletes a", func(db *engine.DB) error {
			_, err := db.DeleteFriends(ctx, "b", []string{"a"}, engine.DeleteSingle)
			return err
		}},
		{"e adds a", func(db *engine.DB) error {
			_, err := db.AddFriends(ctx, "e", []engine.AddFriendRequest{{UserID: "a", Type: engine.AddBoth}})
			return err
		}},
		{"delete user d", func(db *engine.DB) error { return db.DeleteUser(ctx, "d") }},
		{"profile of a", func(db *engine.DB) error {
			_, err := db.UpdateProfile(ctx, "a", engine.ProfileUpdate{Nick: new("A")})
			return err
		}},
	}
	check("start")
	for _, s := range steps {
		for _, db := range stores {
			if err := s.do(db); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
		}
		check(s.name)
	}
	mustCheck(t, cached)
}

func fmtPage(p engine.FriendPage) string {
	s := fmt.Sprintf("seq %d next %q:", p.Seq, p.Next)
	for _, f := range p.Items {
		s += fmt.Sprintf(" %s%+v", f.UserID, *f.Edge)
	}
	return s
}

package engine_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/kithdb/kith/engine"
)

// ListFriends serves first pages from a cache; AddFriends and CheckFriends
// ask friend sets whether a list holds a user. Two stores, one with the
// caches and one without, get the same writes of every kind that changes
// a friend list; after each, the first pages of every user, for several
// limits, must be the same in both, and so must every relation and every
// user's counters.
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
			checkSameRelations(t, step, u, users, stores)
			c0, err0 := cached.Counts(ctx, u) // from the counters cache
			c1, err1 := plain.Counts(ctx, u)
			if c0 != c1 || fmt.Sprint(err0) != fmt.Sprint(err1) {
				t.Fatalf("%s: Counts(%s): cached %+v, %v; plain %+v, %v", step, u, c0, err0, c1, err1)
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
		{"b adds a again", func(db *engine.DB) error {
			return addOne(t, db, "b", engine.AddFriendRequest{UserID: "a", Type: engine.AddSingle}).Err
		}},
		{"e adds a", func(db *engine.DB) error {
			_, err := db.AddFriends(ctx, "e", []engine.AddFriendRequest{{UserID: "a", Type: engine.AddBoth}})
			return err
		}},
		{"delete user d", func(db *engine.DB) error { return db.DeleteUser(ctx, "d") }},
		{"d again, a adds d", func(db *engine.DB) error {
			createUsers(t, db, engine.AllowAny, "d")
			return addOne(t, db, "a", engine.AddFriendRequest{UserID: "d", Type: engine.AddBoth}).Err
		}},
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

// checkSameRelations fails t unless every store answers the same
// CheckFriends, Single and Both, of owner with each of peers alone and
// with all of them at once.
func checkSameRelations(t *testing.T, step, owner string, peers []string, stores []*engine.DB) {
	t.Helper()
	batches := [][]string{peers}
	for _, p := range peers {
		batches = append(batches, []string{p})
	}
	for _, typ := range []engine.CheckType{engine.CheckSingle, engine.CheckBoth} {
		for _, ids := range batches {
			var res [2][]engine.RelationResult
			for i, db := range stores {
				r, err := db.CheckFriends(ctx, owner, ids, typ)
				if err != nil {
					t.Fatalf("%s: CheckFriends(%s, %v): %v", step, owner, ids, err)
				}
				res[i] = r
			}
			if !reflect.DeepEqual(res[0], res[1]) {
				t.Fatalf("%s: CheckFriends(%s, %v, %d):\ncached %+v\nplain  %+v", step, owner, ids, typ, res[0], res[1])
			}
		}
	}
}

func fmtPage(p engine.FriendPage) string {
	s := fmt.Sprintf("seq %d next %q:", p.Seq, p.Next)
	for _, f := range p.Items {
		s += fmt.Sprintf(" %s%+v", f.UserID, *f.Edge)
	}
	return s
}

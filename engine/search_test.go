package engine_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kithdb/kith/engine"
)

// searchFixture: owner "o" holds friends with nicks and remarks chosen to
// tell the fields apart. "holder" holds o but o does not hold "holder".
func searchFixture(t *testing.T) *engine.DB {
	t.Helper()
	db := openDB(t, nil)
	users := map[string]string{ // id -> nick
		"o": "Owner", "alice": "Wonderland", "bob": "ÉCOLE Ünïcode", "carol": "Σίσυφος",
		"dave": "dave", "holder": "Alice Holder", "noprof": "",
	}
	for id, nick := range users {
		if id == "noprof" {
			continue
		}
		u := engine.ProfileUpdate{Nick: new(nick), AllowType: new(engine.AllowAny)}
		if _, err := db.UpdateProfile(ctx, id, u); err != nil {
			t.Fatal(err)
		}
	}
	// noprof exists through an edge of its own, without a profile.
	mustAdd(t, db, "noprof", engine.AddFriendRequest{UserID: "dave", Type: engine.AddSingle})
	mustAdd(t, db, "o",
		engine.AddFriendRequest{UserID: "alice", Type: engine.AddBoth, Remark: "sister"},
		engine.AddFriendRequest{UserID: "bob", Type: engine.AddSingle, Remark: "Neighbour"},
		engine.AddFriendRequest{UserID: "carol", Type: engine.AddSingle},
		engine.AddFriendRequest{UserID: "dave", Type: engine.AddBoth, Remark: "ALICE's friend"},
		engine.AddFriendRequest{UserID: "noprof", Type: engine.AddSingle, Remark: "ghost"},
	)
	mustAdd(t, db, "holder", engine.AddFriendRequest{UserID: "o", Type: engine.AddSingle})
	return db
}

func mustAdd(t *testing.T, db *engine.DB, from string, reqs ...engine.AddFriendRequest) {
	t.Helper()
	res, err := db.AddFriends(ctx, from, reqs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil || r.Outcome != engine.Added {
			t.Fatalf("AddFriends %s -> %s: %v %v", from, r.UserID, r.Outcome, r.Err)
		}
	}
}

func searchIDs(t *testing.T, db *engine.DB, o engine.SearchOptions) []string {
	t.Helper()
	page, err := db.SearchFriends(ctx, "o", o)
	if err != nil {
		t.Fatalf("SearchFriends(%+v): %v", o, err)
	}
	var ids []string
	for _, f := range page.Items {
		ids = append(ids, f.UserID)
	}
	return ids
}

func TestSearchFriends_Fields(t *testing.T) {
	db := searchFixture(t)
	for _, tc := range []struct {
		name string
		opts engine.SearchOptions
		want []string
	}{
		{"user id only", engine.SearchOptions{Keywords: []string{"ALI"}, InUserID: true}, []string{"alice"}},
		{"nick only", engine.SearchOptions{Keywords: []string{"wonder"}, InNick: true}, []string{"alice"}},
		{"remark only", engine.SearchOptions{Keywords: []string{"alice"}, InRemark: true}, []string{"dave"}},
		{"remark beats nick", engine.SearchOptions{Keywords: []string{"sister"}, InNick: true}, nil},
		{"remark found when chosen", engine.SearchOptions{Keywords: []string{"sister"}, InNick: true, InRemark: true}, []string{"alice"}},
		{"id and remark", engine.SearchOptions{Keywords: []string{"alice"}, InUserID: true, InRemark: true}, []string{"alice", "dave"}},
		{"any keyword", engine.SearchOptions{Keywords: []string{"bob", "carol"}, InUserID: true}, []string{"bob", "carol"}},
		{"all keywords", engine.SearchOptions{Keywords: []string{"dav", "friend"}, InUserID: true, InRemark: true, MatchAll: true}, []string{"dave"}},
		{"all keywords none", engine.SearchOptions{Keywords: []string{"bob", "carol"}, InUserID: true, MatchAll: true}, nil},
		{"non-ASCII fold", engine.SearchOptions{Keywords: []string{"école"}, InNick: true}, []string{"bob"}},
		{"non-ASCII fold upper", engine.SearchOptions{Keywords: []string{"ÜNÏ"}, InNick: true}, []string{"bob"}},
		{"greek final sigma", engine.SearchOptions{Keywords: []string{"ΣΊΣΥΦΟΣ"}, InNick: true}, []string{"carol"}},
		{"friend without profile", engine.SearchOptions{Keywords: []string{"ghost"}, InNick: true, InRemark: true}, []string{"noprof"}},
		{"holder of owner not searched", engine.SearchOptions{Keywords: []string{"holder"}, InUserID: true, InNick: true}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := searchIDs(t, db, tc.opts); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSearchFriends_Result(t *testing.T) {
	db := searchFixture(t)
	page, err := db.SearchFriends(ctx, "o", engine.SearchOptions{Keywords: []string{"a"}, InUserID: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]engine.Friend{}
	for _, f := range page.Items {
		got[f.UserID] = f
	}
	if f := got["alice"]; f.Relation != engine.BothWay || f.Profile == nil || f.Profile.Nick != "Wonderland" || f.Edge.Remark != "sister" {
		t.Errorf("alice: %+v", f)
	}
	if f := got["carol"]; f.Relation != engine.InMyList {
		t.Errorf("carol (one-way): relation %v", f.Relation)
	}
	if f := got["dave"]; f.Relation != engine.BothWay {
		t.Errorf("dave: relation %v", f.Relation)
	}
}

func TestSearchFriends_Paging(t *testing.T) {
	db := openDB(t, nil)
	var want []string
	var reqs []engine.AddFriendRequest
	for i := range 250 {
		id := fmt.Sprintf("f%03d", i)
		if _, err := db.UpdateProfile(ctx, id, engine.ProfileUpdate{Nick: new(fmt.Sprintf("Nick%d", i%3))}); err != nil {
			t.Fatal(err)
		}
		reqs = append(reqs, engine.AddFriendRequest{UserID: id, Type: engine.AddSingle})
		if i%3 == 1 {
			want = append(want, id)
		}
	}
	mustAdd(t, db, "o", reqs...)
	var got []string
	opts := engine.SearchOptions{Keywords: []string{"NICK1"}, InNick: true, Limit: 7}
	for pages := 0; ; pages++ {
		page, err := db.SearchFriends(ctx, "o", opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) > 7 {
			t.Fatalf("page of %d items, limit 7", len(page.Items))
		}
		for _, f := range page.Items {
			got = append(got, f.UserID)
		}
		if page.Next == "" {
			break
		}
		if pages > 100 {
			t.Fatal("paging does not end")
		}
		opts.After = page.Next
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged hits:\n got %v\nwant %v", got, want)
	}
}

func TestSearchFriends_BadInput(t *testing.T) {
	db := searchFixture(t)
	for _, o := range []engine.SearchOptions{
		{InNick: true},
		{Keywords: []string{"a", "b", "c", "d", "e", "f"}, InNick: true},
		{Keywords: []string{""}, InNick: true},
		{Keywords: []string{strings.Repeat("x", 101)}, InNick: true},
		{Keywords: []string{"a"}},
		{Keywords: []string{"a"}, InNick: true, Limit: 1001},
	} {
		if _, err := db.SearchFriends(ctx, "o", o); !errors.Is(err, engine.ErrInvalidArgument) || engine.Code(err) != 30001 {
			t.Errorf("SearchFriends(%+v) = %v, want ErrInvalidArgument", o, err)
		}
	}
	if _, err := db.SearchFriends(ctx, "o", engine.SearchOptions{Keywords: []string{strings.Repeat("x", 100)}, InNick: true}); err != nil {
		t.Errorf("100-byte keyword: %v", err)
	}
}

func ExampleDB_SearchFriends() {
	db, _ := engine.Open("db", memOptions())
	defer db.Close()
	for _, u := range []string{"ann", "bert", "cleo"} {
		db.UpdateProfile(ctx, u, engine.ProfileUpdate{Nick: new(strings.ToUpper(u)), AllowType: new(engine.AllowAny)})
	}
	db.AddFriends(ctx, "ann", []engine.AddFriendRequest{
		{UserID: "bert", Type: engine.AddBoth, Remark: "brother"},
		{UserID: "cleo", Type: engine.AddSingle},
	})
	page, _ := db.SearchFriends(ctx, "ann", engine.SearchOptions{Keywords: []string{"bro", "cle"}, InNick: true, InRemark: true})
	for _, f := range page.Items {
		fmt.Println(f.UserID, f.Profile.Nick, f.Relation == engine.BothWay)
	}
	// Output:
	// bert BERT true
	// cleo CLEO false
}

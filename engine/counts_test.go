package engine_test

import (
	"errors"
	"testing"

	"github.com/kithdb/kith/engine"
)

func TestCounts(t *testing.T) {
	db := openDB(t, nil)
	for _, id := range []string{"a", "b", "c"} {
		if _, err := db.UpdateProfile(ctx, id, engine.ProfileUpdate{AllowType: new(engine.AllowAny)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.UpdateProfile(ctx, "d", engine.ProfileUpdate{Nick: new("D")}); err != nil { // NeedConfirm
		t.Fatal(err)
	}
	res, err := db.AddFriends(ctx, "a", []engine.AddFriendRequest{
		{UserID: "b", Type: engine.AddBoth, Group: "g"},
		{UserID: "c", Type: engine.AddSingle},
		{UserID: "d", Type: engine.AddBoth},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("%s: %v", r.UserID, r.Err)
		}
	}
	if _, err := db.Block(ctx, "c", []string{"b"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		uid  string
		want engine.Counters
	}{
		{"a", engine.Counters{Friends: 2, PendingOut: 1, Groups: 1}},
		{"b", engine.Counters{Friends: 1}},
		{"c", engine.Counters{Blocked: 1}},
		{"d", engine.Counters{PendingIn: 1, Unread: 1}},
	} {
		got, err := db.Counts(ctx, c.uid)
		if err != nil {
			t.Fatalf("Counts(%s): %v", c.uid, err)
		}
		if got.Seq == 0 {
			t.Errorf("Counts(%s).Seq = 0, want the last event's seq", c.uid)
		}
		got.Seq = 0
		if got != c.want {
			t.Errorf("Counts(%s) = %+v, want %+v", c.uid, got, c.want)
		}
	}
	if _, err := db.Counts(ctx, "nobody"); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("Counts(nobody) = %v, want ErrNotFound", err)
	}
	if _, err := db.Counts(ctx, ""); !errors.Is(err, engine.ErrInvalidUserID) {
		t.Errorf("Counts(\"\") = %v, want ErrInvalidUserID", err)
	}
	if _, err := db.Counts(nil, "a"); !errors.Is(err, engine.ErrNilContext) { //nolint:staticcheck // a nil context is the case under test
		t.Errorf("Counts(nil ctx) = %v, want ErrNilContext", err)
	}
}

func TestCountsClosed(t *testing.T) {
	db, err := engine.Open("db", memOptions())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Counts(ctx, "a"); !errors.Is(err, engine.ErrClosed) {
		t.Errorf("Counts after Close = %v", err)
	}
}

package fuzz

import (
	"context"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/kithdb/kith/engine"
)

// FuzzOps decodes the input into friend, application, group and block
// calls among 6 users and asserts after each call that the store keeps
// every invariant of DESIGN.md §7 (db.Check).
func FuzzOps(f *testing.F) {
	f.Add([]byte{0, 1, 2, 1, 2, 0, 3, 0, 1, 4, 2, 1, 5, 1, 0})
	f.Add([]byte{1, 0, 1, 6, 1, 0, 2, 0, 1, 7, 1, 0, 8, 0, 1, 9, 2, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		db, err := engine.Open("db", &engine.Options{FS: vfs.NewMem(), NoSync: true,
			Limits: engine.Limits{Friends: 3, Blocked: 2, PendingIn: 2, Groups: 2}})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		users := []string{"u0", "u1", "u2", "u3", "u4", "u5"}
		for i, u := range users {
			allow := engine.AllowType(i % 3)
			if _, err := db.UpdateProfile(context.Background(), u, engine.ProfileUpdate{AllowType: &allow}); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; len(data) >= 3 && i < 64; i++ {
			op, a, b := data[0], users[int(data[1])%len(users)], users[int(data[2])%len(users)]
			data = data[3:]
			if err := apply(db, op, a, b); err != nil {
				t.Fatalf("op %d %s %s: %v", op, a, b, err)
			}
			rep, err := db.Check(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !rep.OK() {
				t.Fatalf("after op %d %s %s: %v", op, a, b, rep.Problems)
			}
		}
	})
}

// apply runs one decoded call. Per-item errors are expected outcomes; only
// call errors (I/O, internal) fail the target.
func apply(db *engine.DB, op byte, a, b string) error {
	ctx := context.Background()
	var err error
	switch op % 12 {
	case 0:
		_, err = db.AddFriends(ctx, a, []engine.AddFriendRequest{{UserID: b, Type: engine.AddBoth, Group: "g" + b[1:]}})
	case 1:
		_, err = db.AddFriends(ctx, a, []engine.AddFriendRequest{{UserID: b, Type: engine.AddSingle}})
	case 2:
		err = ignore(db.AcceptApplication(ctx, a, b, engine.AcceptAgreeAndAdd, "r"))
	case 3:
		err = ignore(db.AcceptApplication(ctx, a, b, engine.AcceptAgree, ""))
	case 4:
		_, err = db.DeleteFriends(ctx, a, []string{b}, engine.DeleteBoth)
	case 5:
		_, err = db.DeleteFriends(ctx, a, []string{b}, engine.DeleteSingle)
	case 6:
		_, err = db.Block(ctx, a, []string{b})
	case 7:
		_, err = db.Unblock(ctx, a, []string{b})
	case 8:
		_, err = db.CreateGroup(ctx, a, "g"+b[1:], []string{b})
	case 9:
		_, err = db.DeleteGroups(ctx, a, []string{"g" + b[1:]})
	case 10:
		err = ignore(db.RefuseApplication(ctx, a, b))
	case 11:
		err = db.DeleteUser(ctx, b)
	}
	return ignore(err)
}

// ignore drops the semantic errors of calls (they have a result code,
// like ErrGroupExists for a whole CreateGroup); what remains is a real
// failure.
func ignore(err error) error {
	if engine.Code(err) > 0 {
		return nil
	}
	return err
}

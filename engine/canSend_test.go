package engine_test

import (
	"errors"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/kithdb/kith/engine"
)

// bkWantSend checks CanSend(from, to) against want (nil: allowed) and the
// result code.
func bkWantSend(t testing.TB, db *engine.DB, from, to string, want error, code int) {
	t.Helper()
	err := db.CanSend(ctx, from, to)
	if (want == nil) != (err == nil) || (want != nil && !errors.Is(err, want)) {
		t.Errorf("CanSend(%s, %s) = %v, want %v", from, to, err, want)
	}
	if got := engine.Code(err); got != code {
		t.Errorf("Code(CanSend(%s, %s)) = %d, want %d", from, to, got, code)
	}
}

func TestCanSend_Blocks(t *testing.T) {
	db := openDB(t, nil)
	bkUsers(t, db, engine.AllowAny, "a", "b", "c")
	bkWantSend(t, db, "a", "b", nil, 0)
	bkWantSend(t, db, "b", "a", nil, 0)

	// b blocks a: a may not send to b, b may still send to a.
	bkBlock(t, db, "b", "a")
	bkWantSend(t, db, "a", "b", engine.ErrBlockedByPeer, 20007)
	bkWantSend(t, db, "a", "b", engine.ErrSendBlocked, 20007)
	bkWantSend(t, db, "b", "a", nil, 0)
	bkWantSend(t, db, "a", "c", nil, 0)

	// Both blocked each other: no conversation.
	bkBlock(t, db, "a", "b")
	bkWantSend(t, db, "a", "b", engine.ErrBlockedByPeer, 20007)
	bkWantSend(t, db, "b", "a", engine.ErrBlockedByPeer, 20007)

	// Unblocked again.
	for _, p := range [][2]string{{"a", "b"}, {"b", "a"}} {
		if _, err := db.Unblock(ctx, p[0], []string{p[1]}); err != nil {
			t.Fatal(err)
		}
	}
	bkWantSend(t, db, "a", "b", nil, 0)
	bkWantSend(t, db, "b", "a", nil, 0)

	// Bad calls.
	bkWantSend(t, db, "a", "a", engine.ErrSelf, 30001)
	bkWantSend(t, db, "", "a", engine.ErrInvalidUserID, 30001)
	bkWantSend(t, db, "a", "", engine.ErrInvalidUserID, 30001)
	//lint:ignore SA1012 a nil context is the point of the test
	if err := db.CanSend(nil, "a", "b"); !errors.Is(err, engine.ErrNilContext) {
		t.Errorf("CanSend(nil ctx) = %v, want ErrNilContext", err)
	}
}

func TestCanSend_RequireFriendship(t *testing.T) {
	db := openDB(t, &engine.Options{RequireFriendship: true})
	bkUsers(t, db, engine.NeedConfirm, "a", "b", "c")
	bkWantSend(t, db, "a", "b", engine.ErrNotFriends, 20009)
	bkWantSend(t, db, "a", "b", engine.ErrSendNotFriends, 20009)

	// One way: a holds b. Neither may send.
	bkAddOK(t, db, "a", engine.AddFriendRequest{UserID: "b", Type: engine.AddSingle}, engine.Added)
	bkWantSend(t, db, "a", "b", engine.ErrNotFriends, 20009)
	bkWantSend(t, db, "b", "a", engine.ErrNotFriends, 20009)

	// Two way.
	bkAddOK(t, db, "b", engine.AddFriendRequest{UserID: "a", Type: engine.AddSingle}, engine.Added)
	bkWantSend(t, db, "a", "b", nil, 0)
	bkWantSend(t, db, "b", "a", nil, 0)
	bkWantSend(t, db, "a", "c", engine.ErrNotFriends, 20009)

	// A block outranks friendship (KeepFriendsOnBlock is off, so the
	// friendship ends too, but the block code is the one reported).
	bkBlock(t, db, "b", "a")
	bkWantSend(t, db, "a", "b", engine.ErrBlockedByPeer, 20007)
	bkWantSend(t, db, "b", "a", engine.ErrNotFriends, 20009)
}

func TestCanSend_RequireFriendshipKeepFriends(t *testing.T) {
	db := openDB(t, &engine.Options{RequireFriendship: true, KeepFriendsOnBlock: true})
	bkUsers(t, db, engine.NeedConfirm, "a", "b")
	bkBefriend(t, db, "a", "b", "", "")
	bkBlock(t, db, "b", "a")
	bkWantSend(t, db, "a", "b", engine.ErrBlockedByPeer, 20007)
	bkWantSend(t, db, "b", "a", nil, 0) // still friends both ways; b's block does not stop b
}

func TestCanSend_Closed(t *testing.T) {
	db, err := engine.Open("db", &engine.Options{FS: vfs.NewMem()})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.CanSend(ctx, "a", "b"); !errors.Is(err, engine.ErrClosed) {
		t.Errorf("CanSend after Close = %v, want ErrClosed", err)
	}
	if _, err := db.Block(ctx, "a", []string{"b"}); !errors.Is(err, engine.ErrClosed) {
		t.Errorf("Block after Close = %v, want ErrClosed", err)
	}
	if _, err := db.Changes(ctx, "a", 0, 10); !errors.Is(err, engine.ErrClosed) {
		t.Errorf("Changes after Close = %v, want ErrClosed", err)
	}
}

package engine

// White-box tests of the write path's item rollback.

import (
	"context"
	"testing"

	"github.com/kithdb/kith/codec"
	"github.com/kithdb/kith/index"
)

func TestTxnTryUndoesCountersAndWrites(t *testing.T) {
	db := openMemDB(t)
	ctx := context.Background()
	err := db.update(ctx, []string{"a", "b"}, func(tx *txn) error {
		// item 1 succeeds: a.Friends = 1
		if ie, ce := tx.try(func() error {
			c, err := tx.counters("a")
			c.Friends++
			tx.set(index.Meta(nil, "item1"), nil)
			return err
		}); ie != nil || ce != nil {
			t.Fatalf("item 1: %v %v", ie, ce)
		}
		// item 2 changes a and b (b loaded only now), then fails
		ie, ce := tx.try(func() error {
			for _, u := range []string{"a", "b", "a"} {
				c, err := tx.counters(u)
				if err != nil {
					return err
				}
				c.Friends += 10
			}
			tx.set(index.Meta(nil, "item2"), nil)
			return ErrNotFriends
		})
		if ie != ErrNotFriends || ce != nil {
			t.Fatalf("item 2: %v %v", ie, ce)
		}
		for u, want := range map[string]uint32{"a": 1, "b": 0} {
			if c, _ := tx.peekCounters(u); c.Friends != want {
				t.Errorf("after rollback %s.Friends = %d, want %d", u, c.Friends, want)
			}
		}
		if ok, _ := tx.has(index.Meta(nil, "item2")); ok {
			t.Error("item 2's write survived its rollback")
		}
		if ok, _ := tx.has(index.Meta(nil, "item1")); !ok {
			t.Error("item 1's write was undone")
		}
		// item 3 changes a again after the rollback: its value must build
		// on item 1's.
		_, ce = tx.try(func() error {
			c, err := tx.counters("a")
			c.Friends++
			return err
		})
		return ce
	})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := db.newReader()
	defer r.close()
	var c Counters
	if _, err := r.getRecord(index.Counters(nil, "a"), &c); err != nil || c.Friends != 2 {
		t.Errorf("committed a.Friends = %d (%v), want 2", c.Friends, err)
	}
}

// TestTxnStartsClean: txns are recycled (txnPool); a txn that staged
// writes, counters and events and then failed leaves nothing to the next.
func TestTxnStartsClean(t *testing.T) {
	db := openMemDB(t)
	ctx := context.Background()
	for i := range 3 {
		failed := db.update(ctx, []string{"a", "b"}, func(tx *txn) error {
			if len(tx.ws.ops) != 0 || len(tx.users) != 0 || len(tx.events) != 0 ||
				len(tx.arena) != 0 || len(tx.undo) != 0 || tx.small.usersUsed != 0 || tx.r.r != nil {
				t.Fatalf("txn %d starts with %d writes, %d users, %d events, %d arena bytes, %d undo entries, %d users in place, reader %v",
					i, len(tx.ws.ops), len(tx.users), len(tx.events), len(tx.arena), len(tx.undo), tx.small.usersUsed, tx.r.r)
			}
			for _, u := range []string{"a", "b"} {
				c, err := tx.counters(u)
				if err != nil {
					return err
				}
				c.Friends++
				tx.emit(u, codec.Event{Kind: uint8(FriendAdded)})
			}
			if _, err := tx.has(index.Meta(nil, "x")); err != nil { // opens the reader
				return err
			}
			tx.set(index.Meta(nil, "x"), []byte("staged"))
			return ErrNotFriends
		})
		if failed != ErrNotFriends {
			t.Fatalf("txn %d: %v, want ErrNotFriends", i, failed)
		}
	}
	err := db.update(ctx, []string{"a"}, func(tx *txn) error {
		ok, err := tx.has(index.Meta(nil, "x"))
		if ok {
			t.Error("a failed txn's write is in the store")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

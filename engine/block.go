package engine

import (
	"context"
	"sync"

	"github.com/kithdb/kith/codec"
	"github.com/kithdb/kith/index"
)

// Errors of CanSend: the conditions of ErrBlockedByPeer and ErrNotFriends
// reported with the result codes of message sending.
var (
	// ErrSendBlocked is returned by CanSend when the recipient blocked the
	// sender (code 20007). It matches ErrBlockedByPeer.
	ErrSendBlocked error = &codedError{ErrBlockedByPeer, 20007, "kith: send refused: blocked by peer"}
	// ErrSendNotFriends is returned by CanSend, with RequireFriendship,
	// when the two users are not friends both ways (code 20009). It
	// matches ErrNotFriends.
	ErrSendNotFriends error = &codedError{ErrNotFriends, 20009, "kith: send refused: not friends"}
)

// Block adds ids to owner's blocklist, answering each in request order:
// ErrAlreadyBlocked, ErrBlockLimit (the list is full), ErrNotFound (no
// such user), or an invalid-ID error. In the same batch, blocking ends
// the friendship in both directions (unless Options.KeepFriendsOnBlock),
// with its group memberships, and removes pending applications in both
// directions. At most Limits.IDsPerCall IDs.
func (db *DB) Block(ctx context.Context, owner string, ids []string) ([]Result, error) {
	return db.forEachPeer(ctx, owner, ids, func(tx *txn, id string) error {
		if ok, err := tx.blocked(owner, id); err != nil || ok {
			return firstErr(err, ErrAlreadyBlocked)
		}
		if p, err := tx.profileOrDefault(id); err != nil || p == nil {
			return firstErr(err, ErrNotFound)
		}
		if err := tx.putBlock(owner, id); err != nil {
			return err
		}
		if err := tx.dropApplications(owner, id, ReasonBlocked); err != nil {
			return err
		}
		if tx.db.opts.KeepFriendsOnBlock {
			return nil
		}
		if _, err := tx.dropEdge(owner, id); err != nil {
			return err
		}
		_, err := tx.dropEdge(id, owner)
		return err
	})
}

// Unblock removes ids from owner's blocklist, answering each in request
// order (ErrNotBlocked if not blocked). Friendships ended by the block do
// not come back. At most Limits.IDsPerCall IDs.
func (db *DB) Unblock(ctx context.Context, owner string, ids []string) ([]Result, error) {
	return db.forEachPeer(ctx, owner, ids, func(tx *txn, id string) error {
		ok, err := tx.dropBlock(owner, id)
		if err != nil || !ok {
			return firstErr(err, ErrNotBlocked)
		}
		return nil
	})
}

// CheckBlocked returns the block relation between owner and each of ids,
// in request order. CheckSingle answers NoRelation or InMyList (owner
// blocked the peer); CheckBoth also InTheirList (the peer blocked owner)
// and BothWay. At most Limits.IDsPerCall IDs.
func (db *DB) CheckBlocked(ctx context.Context, owner string, ids []string, typ CheckType) ([]RelationResult, error) {
	return db.checkRelations(ctx, owner, ids, typ, index.Block, false)
}

// Blocked is one entry of a blocklist.
type Blocked struct {
	UserID    string
	CreatedAt int64 // when the block was added, Unix nanoseconds
}

// BlockPage is a page of ListBlocked.
type BlockPage struct {
	Items []Blocked // in user-ID order
	Next  string    // the After of the next page, or "" on the last page
	Seq   uint64    // owner's event seq as of this page
}

// ListBlocked returns a page of owner's blocklist in user-ID order, with
// the time of each block.
func (db *DB) ListBlocked(ctx context.Context, owner string, opts ListOptions) (BlockPage, error) {
	var page BlockPage
	if opts.Group != "" {
		return page, ErrInvalidArgument
	}
	err := db.list(ctx, owner, &opts, nil, func(r *reader, c *Counters) error {
		page.Seq = c.Seq
		var err error
		page.Next, err = scanPage(r, index.Prefix(nil, index.KindBlock, owner), opts, func(peer string, val, key []byte) error {
			var b codec.BlockEdge
			if err := decodeAt(key, val, &b); err != nil {
				return err
			}
			page.Items = append(page.Items, Blocked{UserID: peer, CreatedAt: b.CreatedAt})
			return nil
		})
		return err
	})
	return page, err
}

// CanSend reports whether from may send a message to to: nil when it may,
// ErrSendBlocked (code 20007) when to has blocked from, and, with
// Options.RequireFriendship, ErrSendNotFriends (code 20009) unless each
// holds the other. from blocking to does not stop from sending.
func (db *DB) CanSend(ctx context.Context, from, to string) error {
	if err := db.enter(ctx); err != nil {
		return err
	}
	defer db.leave()
	if err := db.checkPair(from, to); err != nil {
		return err
	}
	buf := keyBufs.Get().(*[]byte)
	defer keyBufs.Put(buf)
	*buf = index.Block((*buf)[:0], to, from)
	if ok, err := db.exists(*buf); err != nil || ok {
		return firstErr(err, ErrSendBlocked)
	}
	if !db.opts.RequireFriendship {
		return nil
	}
	*buf = index.Friend((*buf)[:0], from, to)
	if ok, err := db.exists(*buf); err != nil || !ok {
		return firstErr(err, ErrSendNotFriends)
	}
	*buf = index.Friend((*buf)[:0], to, from)
	if ok, err := db.exists(*buf); err != nil || !ok {
		return firstErr(err, ErrSendNotFriends)
	}
	return nil
}

// keyBufs recycles key buffers of point reads on hot paths (CanSend): a
// buffer handed to Pebble escapes, so a stack array would be allocated
// on every call.
var keyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 96); return &b }}

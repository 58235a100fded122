package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/kithdb/kith/index"
)

// maxPageSize is the largest page a List call returns.
const maxPageSize = 1000

// ListOptions selects a page of a List call.
type ListOptions struct {
	// After resumes after this user ID: pass the Next of the previous page.
	// Empty starts at the beginning.
	After string
	// Limit is the most items in the page. Zero means Limits.PageSize;
	// more than 1000 is an error.
	Limit int
	// Group lists only the friends in this group (ListFriends only).
	Group string
}

// FriendPage is a page of ListFriends.
type FriendPage struct {
	Items []ListedFriend // in friend-ID order
	// Next is the After of the next page, or "" when this page is the last.
	Next string
	// Seq is the owner's event seq as of this page: follow Changes from
	// it to miss nothing and repeat nothing.
	Seq uint64
}

// ListedFriend is an item of a FriendPage: a friend of the owner and the
// owner's edge to it. It is a Friend without the fields ListFriends never
// sets (Profile, Relation, Err): a page of 20 is one allocation of 480
// bytes instead of 1,152. ListFriends is the most frequent read of a
// social app, and its copies were half of what a read-heavy mix
// allocates, which sets how often the collector runs (docs/PERFORMANCE.md,
// tenth stop).
type ListedFriend struct {
	UserID string
	// Edge is the owner's edge to the friend. Read-only: ListFriends
	// shares the edges of a cached first page among its callers.
	Edge *FriendEdge
}

// ListFriends returns a page of owner's friend list in friend-ID order,
// optionally only the friends of one group (ErrGroupNotFound if it does
// not exist).
func (db *DB) ListFriends(ctx context.Context, owner string, opts ListOptions) (FriendPage, error) {
	var page FriendPage
	cached := func() (bool, error) { return db.cachedFirstPage(owner, &opts, &page) }
	err := db.list(ctx, owner, &opts, cached, func(r *reader, c *Counters) error {
		page.Seq = c.Seq
		if opts.Group != "" {
			return db.listGroupFriends(r, owner, &opts, &page)
		}
		return readFriendPage(r, owner, &opts, &page)
	})
	return page, err
}

// readFriendPage reads the page of owner's friend list that opts selects
// (not a group's) into page's Items and Next.
func readFriendPage(r *reader, owner string, opts *ListOptions, page *FriendPage) error {
	prefix := index.Prefix(nil, index.KindFriend, owner)
	page.Items = make([]ListedFriend, 0, min(opts.Limit, 64))
	var edges []FriendEdge // allocated a chunk at a time
	var err error
	page.Next, err = scanPage(r, prefix, *opts, func(peer string, val []byte, key []byte) error {
		if len(edges) == 0 {
			edges = make([]FriendEdge, min(opts.Limit-len(page.Items), 64))
		}
		e := &edges[0]
		edges = edges[1:]
		if err := decodeAt(key, val, e); err != nil {
			return err
		}
		page.Items = append(page.Items, ListedFriend{UserID: peer, Edge: e})
		return nil
	})
	return err
}

// listGroupFriends pages through the members of a group, reading each
// member's edge (in ascending key order, one iterator).
func (db *DB) listGroupFriends(r *reader, owner string, opts *ListOptions, page *FriendPage) error {
	if _, ok, err := r.get(index.Group(nil, owner, opts.Group)); err != nil || !ok {
		return firstErr(err, ErrGroupNotFound)
	}
	var peers []string
	next, err := scanPage(r, index.GroupMembersPrefix(nil, owner, opts.Group), *opts,
		func(peer string, _, _ []byte) error { peers = append(peers, peer); return nil })
	if err != nil {
		return err
	}
	page.Next = next
	for _, peer := range peers {
		key := index.Friend(nil, owner, peer)
		e := new(FriendEdge)
		ok, err := r.getRecord(key, e)
		if err != nil {
			return err
		}
		if !ok {
			return corrupt(key, fmt.Errorf("member of group %q without edge", opts.Group))
		}
		page.Items = append(page.Items, ListedFriend{UserID: peer, Edge: e})
	}
	return nil
}

// list runs the common part of every List call: checks, one reader, and
// the owner's counters (their Seq for the page) as of the reader's view.
// A non-nil cached runs after the checks and may answer the call from a
// cache instead (ok).
func (db *DB) list(ctx context.Context, owner string, opts *ListOptions,
	cached func() (ok bool, err error), fn func(r *reader, c *Counters) error) error {
	if err := db.enter(ctx); err != nil {
		return err
	}
	defer db.leave()
	if err := db.checkUserID(owner); err != nil {
		return err
	}
	if err := db.checkListOptions(opts); err != nil {
		return err
	}
	if cached != nil {
		if ok, err := cached(); ok || err != nil {
			return err
		}
	}
	r, c, err := db.readerWithCounters(owner)
	if err != nil {
		return err
	}
	defer r.close()
	return fn(r, &c)
}

// readerWithCounters opens a reader and returns owner's counters as of
// its view. When owner's lock is free it holds it (TryLock) while it
// opens the reader, so that no write of owner commits in between, and
// takes the counters from the counters cache (see txcache.go); else it
// reads them through the reader.
func (db *DB) readerWithCounters(owner string) (r *reader, c Counters, err error) {
	mu := db.tryLockUser(owner)
	if mu != nil {
		defer mu.Unlock()
	}
	if r, err = db.newReader(); err != nil {
		return nil, c, err
	}
	e, err := db.countersOf(owner, mu != nil, func(c *Counters) (bool, error) {
		return r.getRecord(index.Counters(nil, owner), c)
	})
	if err != nil {
		return nil, c, errors.Join(err, r.close())
	}
	return r, e.c, nil
}

func (db *DB) checkListOptions(o *ListOptions) error {
	if o.Limit < 0 || o.Limit > maxPageSize {
		return fmt.Errorf("%w: page limit %d not in 0..%d", ErrInvalidArgument, o.Limit, maxPageSize)
	}
	if o.Limit == 0 {
		o.Limit = db.opts.Limits.PageSize
	}
	if o.After != "" {
		if err := db.checkUserID(o.After); err != nil {
			return err
		}
	}
	if o.Group != "" {
		return db.checkGroupName(o.Group)
	}
	return nil
}

// scanPage visits up to opts.Limit keys under prefix whose last component
// (a user ID) sorts after opts.After, and returns the Next cursor: the
// last ID visited when more keys follow, else "".
func scanPage(r *reader, prefix []byte, opts ListOptions, fn func(peer string, val, key []byte) error) (string, error) {
	var after []byte
	if opts.After != "" {
		after = index.AppendString(append([]byte(nil), prefix...), opts.After)
	}
	n, last, more := 0, "", false
	err := r.scan(prefix, after, func(k, v []byte) (bool, error) {
		if n == opts.Limit {
			more = true
			return false, nil
		}
		peer, _, err := index.ReadString(k[len(prefix):])
		if err != nil {
			return false, corrupt(k, err)
		}
		n, last = n+1, peer
		return true, fn(peer, v, k)
	})
	if !more {
		last = ""
	}
	return last, err
}

package engine

import (
	"slices"

	"github.com/kithdb/kith/codec"
	"github.com/kithdb/kith/index"
)

// The primitives in this file are the only code that writes relation keys.
// Each keeps its invariants whole: an edge and its twin, the counters, the
// group memberships and the change-log events always change together.

// The readers below ask the owner's counters first: they are exact
// (invariant 4) and usually already loaded, and a zero count answers
// "no" without a read of the store.

// friendEdge returns owner's edge to friend, or nil if there is none.
func (tx *txn) friendEdge(owner, friend string) (*FriendEdge, error) {
	if c, err := tx.peekCounters(owner); err != nil || c.Friends == 0 {
		return nil, err
	}
	e := new(FriendEdge)
	ok, err := tx.getRecord(index.Friend(nil, owner, friend), e)
	if !ok {
		e = nil
	}
	return e, err
}

// isFriend reports whether owner's list holds friend.
func (tx *txn) isFriend(owner, friend string) (bool, error) {
	u, err := tx.loadCounters(owner)
	if err != nil || u.c.Friends == 0 {
		return false, err
	}
	var buf [64]byte
	if i, staged := tx.ws.latest(index.Friend(buf[:0], owner, friend)); staged {
		return !tx.ws.ops[i].del, nil
	}
	// Not staged: the committed list answers. The txn keeps the set it
	// read for its write-through (writeThroughLists).
	held, set, err := tx.db.holdsFriend(&tx.r, owner, friend, u.c.Friends, txnFill, u.set)
	u.set = set
	return held, err
}

// putEdge adds owner's edge to friend (which must not exist), with its
// twin, memberships (the groups must exist) and counter. It fails with
// ErrFriendLimit when owner's list is full.
func (tx *txn) putEdge(owner, friend string, e *FriendEdge) error {
	c, err := tx.counters(owner)
	if err != nil {
		return err
	}
	if int(c.Friends) >= tx.db.opts.Limits.Friends {
		return ErrFriendLimit
	}
	c.Friends++
	tx.key = index.Friend(tx.key[:0], owner, friend)
	if err := tx.setRecord(tx.key, e); err != nil {
		return err
	}
	tx.key = index.FriendOf(tx.key[:0], friend, owner)
	tx.set(tx.key, nil)
	for _, g := range e.Groups {
		tx.set(index.Member(nil, owner, g, friend), nil)
	}
	tx.emit(owner, codec.Event{Kind: uint8(FriendAdded), Peers: []string{friend}, Groups: e.Groups})
	return nil
}

// dropEdge removes owner's edge to friend with its twin, memberships and
// counter. It reports whether the edge existed.
func (tx *txn) dropEdge(owner, friend string) (bool, error) {
	e, err := tx.friendEdge(owner, friend)
	if err != nil || e == nil {
		return false, err
	}
	c, err := tx.counters(owner)
	if err != nil {
		return false, err
	}
	c.Friends--
	tx.key = index.Friend(tx.key[:0], owner, friend)
	tx.del(tx.key)
	tx.key = index.FriendOf(tx.key[:0], friend, owner)
	tx.del(tx.key)
	for _, g := range e.Groups {
		tx.del(index.Member(nil, owner, g, friend))
	}
	tx.emit(owner, codec.Event{Kind: uint8(FriendDeleted), Peers: []string{friend}})
	return true, nil
}

// rewriteEdge stores a changed edge, moving memberships from the groups
// of old to those of e (every group of e must exist).
func (tx *txn) rewriteEdge(owner, friend string, old, e *FriendEdge) error {
	for _, g := range old.Groups {
		if !slices.Contains(e.Groups, g) {
			tx.del(index.Member(nil, owner, g, friend))
		}
	}
	for _, g := range e.Groups {
		if !slices.Contains(old.Groups, g) {
			tx.set(index.Member(nil, owner, g, friend), nil)
		}
	}
	return tx.setRecord(index.Friend(nil, owner, friend), e)
}

// ensureGroups creates the groups of owner that do not exist yet, failing
// with ErrGroupLimit when there is no room for them.
func (tx *txn) ensureGroups(owner string, names []string) error {
	for _, g := range names {
		ok, err := tx.has(index.Group(nil, owner, g))
		if err != nil {
			return err
		}
		if !ok {
			if err := tx.putGroup(owner, g); err != nil {
				return err
			}
		}
	}
	return nil
}

// putGroup creates owner's group name, which must not exist.
func (tx *txn) putGroup(owner, name string) error {
	c, err := tx.counters(owner)
	if err != nil {
		return err
	}
	if int(c.Groups) >= tx.db.opts.Limits.Groups {
		return ErrGroupLimit
	}
	c.Groups++
	tx.emit(owner, codec.Event{Kind: uint8(GroupCreated), Groups: []string{name}})
	return tx.setRecord(index.Group(nil, owner, name), &codec.Group{CreatedAt: tx.now})
}

// application returns the pending application from -> to, or nil.
func (tx *txn) application(from, to string) (*Application, error) {
	if c, err := tx.peekCounters(to); err != nil || c.PendingIn == 0 {
		return nil, err
	}
	a := new(Application)
	ok, err := tx.getRecord(index.AppIn(nil, to, from), a)
	if !ok {
		a = nil
	}
	return a, err
}

// putApplication creates or refreshes the application from -> to. A new
// one fails with ErrPendingLimit when to has too many pending.
func (tx *txn) putApplication(from, to string, a *Application) error {
	old, err := tx.application(from, to)
	if err != nil {
		return err
	}
	cto, err := tx.counters(to)
	if err != nil {
		return err
	}
	switch {
	case old == nil:
		if int(cto.PendingIn) >= tx.db.opts.Limits.PendingIn {
			return ErrPendingLimit
		}
		cfrom, err := tx.counters(from)
		if err != nil {
			return err
		}
		cto.PendingIn++
		cto.Unread++
		cfrom.PendingOut++
		tx.set(index.AppOut(nil, from, to), nil)
	case old.Read:
		cto.Unread++ // a refreshed application is unread again
	}
	a.Read = false
	if err := tx.setRecord(index.AppIn(nil, to, from), a); err != nil {
		return err
	}
	ev := codec.Event{Kind: uint8(ApplicationAdded), Peers: []string{from, to}}
	tx.emit(from, ev)
	tx.emit(to, ev)
	return nil
}

// dropApplication removes the application from -> to, if any, and tells
// both sides why. It returns the removed application or nil.
func (tx *txn) dropApplication(from, to string, why Reason) (*Application, error) {
	a, err := tx.application(from, to)
	if err != nil || a == nil {
		return nil, err
	}
	cto, err := tx.counters(to)
	if err != nil {
		return nil, err
	}
	cfrom, err := tx.counters(from)
	if err != nil {
		return nil, err
	}
	cto.PendingIn--
	if !a.Read {
		cto.Unread--
	}
	cfrom.PendingOut--
	tx.del(index.AppIn(nil, to, from))
	tx.del(index.AppOut(nil, from, to))
	ev := codec.Event{Kind: uint8(ApplicationDeleted), Peers: []string{from, to}, Reason: uint8(why)}
	tx.emit(from, ev)
	tx.emit(to, ev)
	return a, nil
}

// dropApplications removes the applications between a and b both ways.
func (tx *txn) dropApplications(a, b string, why Reason) error {
	if _, err := tx.dropApplication(a, b, why); err != nil {
		return err
	}
	_, err := tx.dropApplication(b, a, why)
	return err
}

// blocked reports whether owner's blocklist holds target.
func (tx *txn) blocked(owner, target string) (bool, error) {
	if c, err := tx.peekCounters(owner); err != nil || c.Blocked == 0 {
		return false, err
	}
	return tx.has(index.Block(nil, owner, target))
}

// putBlock adds target to owner's blocklist (which must not hold it yet)
// with its twin and counter; ErrBlockLimit when the list is full.
func (tx *txn) putBlock(owner, target string) error {
	c, err := tx.counters(owner)
	if err != nil {
		return err
	}
	if int(c.Blocked) >= tx.db.opts.Limits.Blocked {
		return ErrBlockLimit
	}
	c.Blocked++
	if err := tx.setRecord(index.Block(nil, owner, target), &codec.BlockEdge{CreatedAt: tx.now}); err != nil {
		return err
	}
	tx.set(index.BlockedBy(nil, target, owner), nil)
	tx.emit(owner, codec.Event{Kind: uint8(BlockAdded), Peers: []string{target}})
	return nil
}

// dropBlock removes target from owner's blocklist with its twin and
// counter, reporting whether it was there.
func (tx *txn) dropBlock(owner, target string) (bool, error) {
	ok, err := tx.blocked(owner, target)
	if err != nil || !ok {
		return false, err
	}
	c, err := tx.counters(owner)
	if err != nil {
		return false, err
	}
	c.Blocked--
	tx.del(index.Block(nil, owner, target))
	tx.del(index.BlockedBy(nil, target, owner))
	tx.emit(owner, codec.Event{Kind: uint8(BlockDeleted), Peers: []string{target}})
	return true, nil
}

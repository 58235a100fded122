package engine

import (
	"errors"
	"math"
	"slices"
)

// A check of a few friend relations answers from the friend sets of the
// owner and the peers (friendset.go). The sets are exact only under their
// users' locks, so the check takes the locks of the owner and of every
// peer with TryLock and keeps them while it reads: no write of any of them
// commits in between, so both sides of every relation come from one
// state. When a lock is busy the check reads Pebble as a larger check
// does: a reader never waits.

// checkFriendsLocked sets res[i].Relation for each i of order from the
// friend sets; ok is false, and it did nothing, when the check is too
// large, there are no sets, or a lock is busy.
func (db *DB) checkFriendsLocked(owner string, ids []string, order []int, typ CheckType, res []RelationResult) (ok bool, err error) {
	if db.sets == nil || len(order) > fewProbes {
		return false, nil
	}
	var buf [fewProbes + 1]int
	ls, ok := db.tryLockUsers(buf[:0], owner, ids, order)
	if !ok {
		return false, nil
	}
	defer ls.unlock()
	lr := &lazyReader{db: db} // opened under the locks, on a miss only
	defer func() { err = errors.Join(err, lr.close()) }()
	for _, i := range order {
		mine, err := db.lockedHolds(lr, owner, ids[i])
		if err != nil {
			return false, err
		}
		theirs := false
		if typ == CheckBoth {
			if theirs, err = db.lockedHolds(lr, ids[i], owner); err != nil {
				return false, err
			}
		}
		res[i].Relation = relationOf(mine, theirs)
	}
	return true, nil
}

// lockedHolds reports whether u's list holds v, for a reader holding u's
// lock. It reads no counters: when u's are not cached, u's set is used if
// cached but not filled. A reader fills only the sets of very short lists
// (readerSetFill): it may well never see that user again, and reading a
// list costs more than the seeks it saves.
func (db *DB) lockedHolds(r *lazyReader, u, v string) (bool, error) {
	friends := uint32(math.MaxUint32) // unknown
	if e, ok := db.counters.Get(u); ok {
		friends = e.c.Friends
	}
	return db.holdsFriend(r, u, v, friends, readerSetFill)
}

// tryLockUsers takes the stripes of owner and of ids[i] for each i of
// order with TryLock, keeping the set's stripe numbers in buf; ok is
// false, and nothing is held, when one is busy.
func (db *DB) tryLockUsers(buf []int, owner string, ids []string, order []int) (ls lockSet, ok bool) {
	idx := append(buf, db.locks.stripe(owner))
	for _, i := range order {
		idx = append(idx, db.locks.stripe(ids[i]))
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	for n, s := range idx {
		if !db.locks.mu[s].TryLock() {
			for _, t := range idx[:n] {
				db.locks.mu[t].Unlock()
			}
			return lockSet{}, false
		}
	}
	return lockSet{s: &db.locks, idx: idx}, true
}

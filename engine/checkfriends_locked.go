package engine

import "errors"

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
	var ub [fewProbes + 1]string
	var sb [fewProbes + 1]int
	users := append(ub[:0], owner)
	for _, i := range order {
		users = append(users, ids[i])
	}
	ls, ok := db.locks.tryLock(sb[:0], users)
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
// lock. A reader fills the set of a short list at once, that of a long
// one only when it missed u's set before (readerFill): it may never see
// u again, and reading a long list costs more than the seeks it saves.
func (db *DB) lockedHolds(r *lazyReader, u, v string) (bool, error) {
	c, err := db.lockedCounters(r, u)
	if err != nil {
		return false, err
	}
	held, _, err := db.holdsFriend(r, u, v, c.Friends, db.readerFill, nil)
	return held, err
}

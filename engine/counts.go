package engine

import (
	"context"

	"github.com/kithdb/kith/index"
)

// Counts returns uid's counters: friends, blocked, pending applications
// in and out, unread applications, groups and the last event seq. They
// are exact (kept in the same batch as every change), and reading them
// costs at most one point read (none when the counters cache holds them):
// the cheap way to show "123 friends" without listing them. A user with
// no profile and no edge gets ErrNotFound.
func (db *DB) Counts(ctx context.Context, uid string) (Counters, error) {
	if err := db.enter(ctx); err != nil {
		return Counters{}, err
	}
	defer db.leave()
	if err := db.checkUserID(uid); err != nil {
		return Counters{}, err
	}
	buf := keyBufs.Get().(*[]byte)
	defer keyBufs.Put(buf)
	*buf = index.Counters((*buf)[:0], uid)
	read := func(c *Counters) (bool, error) { return db.getRecord(*buf, c) }
	mu := db.tryLockUser(uid)
	e, err := db.countersOf(uid, mu != nil, read)
	if mu != nil {
		mu.Unlock()
	}
	if err != nil || e.stored {
		return e.c, err
	}
	// No counters: a user with only a profile (possible when the change
	// log is off) has all counts zero.
	*buf = index.Profile((*buf)[:0], uid)
	if ok, err := db.exists(*buf); err != nil || !ok {
		return Counters{}, firstErr(err, ErrNotFound)
	}
	return Counters{}, nil
}

package engine

import (
	"sync"

	"github.com/kithdb/kith/cache"
	"github.com/kithdb/kith/index"
)

// A write reads the counters and the profiles of the users it locks, and
// each of those reads costs a Pebble seek. Holding a user's lock makes an
// in-memory copy of them exact: only a holder of the lock changes them.
// So writes read them from two caches:
//
//   - db.counters holds users' counters. Only txns change it, and only
//     for the users they hold: a txn reads an entry or fills it from its
//     own read, and writes the new value through after its commit, before
//     it unlocks. Nothing else writes counters but Import, which holds
//     every lock and purges the cache. So while a user's lock is free, its
//     entry equals its stored counters, and a reader that takes the lock
//     with TryLock may use it (tryLockUser); a reader never waits.
//   - db.profiles, the profile cache of GetProfiles, whose local entries
//     are exact under the same lock (see fillProfile and UpdateProfile).
//     A txn takes a local profile from it and fills it on a miss.
//
// Both are off with ProfileCache.Disabled, and sized by
// ProfileCache.Entries.

// countersEntry is an entry of the counters cache.
type countersEntry struct {
	c Counters
	// stored says the counters record exists; a user without one (no
	// edge yet, or no such user) reads as zero counters.
	stored bool
}

// newUserCache returns a cache keyed by user ID, sized like the profile
// cache (maxBytes 0: no byte bound), or nil when the profile cache is off.
func newUserCache[V any](o *Options, maxBytes int64) (*cache.Cache[V], error) {
	if o.ProfileCache.Disabled {
		return nil, nil
	}
	return cache.New[V](cache.Options{
		Entries:  o.ProfileCache.Entries,
		MaxBytes: maxBytes,
		Shards:   userCacheShards(o.ProfileCache.Entries),
	})
}

// purgeUserCaches empties the caches that writes keep exact under the
// users' locks (counters, first pages, friend sets), for a caller that
// changes the store without a txn (Import) or closes it.
func (db *DB) purgeUserCaches() {
	if db.counters == nil { // all on or all off, with the profile cache
		return
	}
	db.counters.Purge()
	db.pages.Purge()
	db.sets.Purge()
}

// tryLockUser takes uid's lock for a reader that wants its cached
// counters, and returns it; nil when uid's lock is busy (a reader never
// waits) or there is no counters cache. Hold it briefly: opening a reader
// and one read at most.
func (db *DB) tryLockUser(uid string) *sync.Mutex {
	if db.counters == nil {
		return nil
	}
	mu := &db.locks.mu[db.locks.stripe(uid)]
	if !mu.TryLock() {
		return nil
	}
	return mu
}

// countersOf returns uid's counters entry: when the caller holds uid's
// lock (locked), the cached entry, read and cached on a miss; otherwise,
// or without a cache, a fresh one from read. Only a txn changes a cached
// entry, under the lock (cacheCounters).
func (db *DB) countersOf(uid string, locked bool, read func(c *Counters) (stored bool, err error)) (countersEntry, error) {
	if locked && db.counters != nil {
		if e, ok := db.counters.Get(uid); ok {
			return e, nil
		}
	}
	var e countersEntry
	var err error
	if e.stored, err = read(&e.c); err != nil {
		return countersEntry{}, err
	}
	if locked && db.counters != nil {
		db.counters.Set(uid, e, 0, 0)
	}
	return e, nil
}

// lockedCounters returns uid's counters for a reader holding uid's lock:
// from the counters cache, or read through r and cached.
func (db *DB) lockedCounters(r *lazyReader, uid string) (Counters, error) {
	e, err := db.countersOf(uid, true, func(c *Counters) (bool, error) {
		rd, err := r.get()
		if err != nil {
			return false, err
		}
		return rd.getRecord(index.Counters(nil, uid), c)
	})
	if err != nil {
		return Counters{}, err
	}
	return e.c, nil
}

// cacheCounters writes the counters of a txn through to the cache once
// the txn has committed (ok), or drops those it changed if it failed. The
// txn holds the users' locks, so no one else changes their entries.
func (tx *txn) cacheCounters(ok bool) {
	if tx.db.counters == nil {
		return
	}
	for uid, c := range tx.users {
		switch {
		case !c.dirty && !c.deleted:
		case ok && !c.deleted:
			tx.db.counters.Set(uid, countersEntry{c: c.c, stored: true}, 0, 0)
		default: // failed, or the user is deleted
			tx.db.counters.Remove(uid)
		}
	}
}

// lockedProfile returns uid's profile as the txn sees it, for a txn
// holding uid's lock: from the profile cache when it holds it and the txn
// has not staged a change of it, else read (and filled). ok is false when
// uid has no profile. The profile is shared: read it, never change it.
func (tx *txn) lockedProfile(uid string) (p *Profile, ok bool, err error) {
	var buf [64]byte
	_, staged := tx.ws.latest(index.Profile(buf[:0], uid))
	if tx.db.profiles == nil || staged {
		p = new(Profile)
		ok, err = tx.getRecord(index.Profile(nil, uid), p)
		return p, ok, err
	}
	if v, hit := tx.db.profiles.Get(uid); hit && !v.remote && v.p != nil {
		return v.p, true, nil
	}
	tok := tx.db.profiles.Token(uid)
	p = new(Profile)
	if ok, err = tx.getRecord(index.Profile(nil, uid), p); err != nil || !ok {
		return nil, false, err
	}
	// No TryLock as in fillProfile: the writer it guards against would
	// hold uid's lock, which this txn holds.
	tx.db.profiles.Fill(uid, cachedProfile{p: p}, profileSize(p), 0, tok)
	return p, true, nil
}

package engine

import (
	"hash/maphash"
	"slices"
	"sync/atomic"

	"github.com/kithdb/kith/index"
)

// "Does u's list hold v" is the read of every friend request (both sides)
// and of every relation check, and in Pebble it is a seek that usually
// misses: through the memtable's skiplist and every level's bloom filter.
// db.sets keeps the friend lists of users as sorted sets of IDs, which
// answer it from memory. Like the counters cache (txcache.go) a set is
// exact because of its user's lock:
//
//   - only holders of u's lock read or fill u's set: txns, and readers
//     that took the lock with TryLock (a reader never waits);
//   - a txn that stages any key of u's friend list applies it to u's set
//     after its commit, before it unlocks, or drops the set if the commit
//     failed (writeThroughLists); Import holds every lock and purges the cache.
//
// A set is filled by reading u's whole list, keys only. That is worth it
// for lists read many times, and cheap for short ones: a txn fills the
// sets of lists of up to maxSetFill friends (its users are likely to be
// written again), a reader those of up to readerSetFill, and those of up
// to maxSet for a user it finds without a set for the second time in a
// short while (fillGhosts); a set that grows beyond maxSet is dropped.
// The cache is sized like the other per-user caches, ProfileCache.Entries
// sets and ProfileCache.MaxBytes of them.

const (
	// maxSetFill is the longest list a txn fills a set from.
	maxSetFill = 64
	// readerSetFill is the longest list a reader fills a set from at its
	// first miss.
	readerSetFill = 16
	// maxSet is the longest set kept up to date by writes, and filled by
	// a reader at a repeated miss.
	maxSet = 1024
	// ghostSlots is the size of fillGhosts' table.
	ghostSlots = 8192
)

// fillGhosts remembers the users whose sets readers recently missed, by
// hash, one per slot: a reader fills the set of a long list only at the
// second miss of its user while the first is remembered. A user checked
// again and again gets a set; a user checked once costs no fill (a fill
// of a long list costs more than the reads it saves for a user met once).
type fillGhosts struct {
	seed  maphash.Seed
	slots [ghostSlots]atomic.Uint64
}

func (g *fillGhosts) init() { g.seed = maphash.MakeSeed() }

// missedBefore reports whether uid's miss is remembered, and remembers
// it if not.
func (g *fillGhosts) missedBefore(uid string) bool {
	h := maphash.String(g.seed, uid) | 1 // never 0, an empty slot
	slot := &g.slots[h%ghostSlots]
	if slot.Load() == h {
		return true
	}
	slot.Store(h)
	return false
}

// txnFill is a txn's rule for filling the set of a list of n friends.
func txnFill(_ string, n uint32) bool { return n <= maxSetFill }

// readerFill is a reader's rule for filling uid's set, of n friends.
func (db *DB) readerFill(uid string, n uint32) bool {
	return n <= readerSetFill || n <= maxSet && db.ghosts.missedBefore(uid)
}

// friendSet is a user's whole friend list: the friends' IDs, sorted.
// Only holders of the user's lock read or change it, so writes change a
// cached set in place (writeThroughLists) without asking the cache again.
type friendSet struct{ ids []string }

func (s *friendSet) has(id string) bool {
	_, ok := slices.BinarySearch(s.ids, id)
	return ok
}

// apply adds id (add) or removes it, in place. It reports whether the
// set's array was replaced, which changes the set's memory (setSize).
func (s *friendSet) apply(id string, add bool) (moved bool) {
	i, found := slices.BinarySearch(s.ids, id)
	switch {
	case add && !found:
		old := cap(s.ids)
		s.ids = slices.Insert(s.ids, i, id)
		return cap(s.ids) != old
	case !add && found:
		s.ids = slices.Delete(s.ids, i, i+1)
	}
	return false
}

// setSize estimates the memory s holds: its array and, counted for every
// slot so that a set growing in place stays within its charge, the
// average length of its IDs.
func setSize(s *friendSet) int {
	n := 64 + 16*cap(s.ids)
	if len(s.ids) == 0 {
		return n
	}
	idBytes := 0
	for _, id := range s.ids {
		idBytes += len(id)
	}
	return n + idBytes*cap(s.ids)/len(s.ids)
}

// friendSetOf returns uid's friend set, from the cache or, when fill
// says so for its list of friends entries (from uid's counters), read
// through r and cached; ok is false otherwise. The caller holds uid's
// lock, and r's view includes every commit of uid's list.
func (db *DB) friendSetOf(r *lazyReader, uid string, friends uint32, fill func(uid string, n uint32) bool) (s *friendSet, ok bool, err error) {
	if db.sets == nil {
		return nil, false, nil
	}
	if s, ok := db.sets.Get(uid); ok {
		return s, true, nil
	}
	if !fill(uid, friends) {
		return nil, false, nil
	}
	rd, err := r.get()
	if err != nil {
		return nil, false, err
	}
	s = &friendSet{ids: make([]string, 0, friends)}
	prefix := index.Prefix(nil, index.KindFriend, uid)
	err = rd.scan(prefix, nil, func(key, _ []byte) (bool, error) {
		id, _, err := index.ReadString(key[len(prefix):])
		if err != nil {
			return false, corrupt(key, err)
		}
		s.ids = append(s.ids, id)
		return true, nil
	})
	if err != nil {
		return nil, false, err
	}
	db.sets.Set(uid, s, setSize(s), 0)
	return s, true, nil
}

// holdsFriend reports whether u's committed list, of friends entries,
// holds v: from u's friend set (filled by the rule fill), or read through
// r. A non-nil known is where the caller keeps u's set: used if set, set
// once read. The caller holds u's lock, and r's view includes every
// commit of u's list.
func (db *DB) holdsFriend(r *lazyReader, u, v string, friends uint32, fill func(uid string, n uint32) bool, known **friendSet) (bool, error) {
	if friends == 0 {
		return false, nil
	}
	if known != nil && *known != nil {
		return (*known).has(v), nil
	}
	s, ok, err := db.friendSetOf(r, u, friends, fill)
	if err != nil {
		return false, err
	}
	if ok {
		if known != nil {
			*known = s
		}
		return s.has(v), nil
	}
	rd, err := r.get()
	if err != nil {
		return false, err
	}
	_, ok, err = rd.get(index.Friend(nil, u, v))
	return ok, err
}

// writeThroughLists brings the caches of friend lists up to date once
// the txn has committed (ok) or failed: for each friend-list key it
// staged, it drops the owner's first page, and applies the write to the
// owner's friend set in place (drops the set if the commit failed). The
// set is the one the txn read (txUser.set) or the cached one: no one else
// fills the owner's set while the txn holds the owner's lock, so the
// set the txn read is the cached one, or was evicted since, and then
// changing it is harmless. The cache is told only when the set's memory
// changed (its array moved) or it is dropped.
func (tx *txn) writeThroughLists(ok bool) {
	pages, sets := tx.db.pages, tx.db.sets
	if pages == nil { // the per-user caches are all on or all off
		return
	}
	var buf [64]byte
	for _, op := range tx.ws.ops {
		if len(op.key) == 0 || op.key[0] != index.KindFriend {
			continue
		}
		ownerID, rest, err := index.ReadStringTo(buf[:0], op.key[1:])
		if err != nil { // not a key kith writes: forget every list
			pages.Purge()
			sets.Purge()
			return
		}
		owner, u := tx.user(ownerID)
		pages.Remove(owner)
		var s *friendSet
		if u != nil {
			s = u.set
		}
		if s == nil {
			var cached bool
			if s, cached = sets.Get(owner); !cached {
				continue
			}
		}
		friendID, _, err := index.ReadStringTo(buf[:0], rest)
		if err != nil || !ok {
			sets.Remove(owner)
			continue
		}
		friend, _ := tx.user(friendID)
		switch moved := s.apply(friend, !op.del); {
		case len(s.ids) > maxSet:
			sets.Remove(owner)
			s = nil
		case moved:
			sets.Set(owner, s, setSize(s), 0)
		}
		if u != nil {
			u.set = s
		}
	}
}

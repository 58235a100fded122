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
	// maxUserIDBytes bounds Limits.UserIDBytes (the reference's IDs have
	// at most 32 bytes), and so a set's bytes.
	maxUserIDBytes = 4096
	// minGhostSlots is the smallest fillGhosts table; it has one slot per
	// entry of the set cache otherwise.
	minGhostSlots = 8192
	// maxGhostSlots bounds it (16 MiB).
	maxGhostSlots = 1 << 21
)

// fillGhosts remembers the users whose sets readers recently missed, by
// hash, one per slot: a reader fills the set of a long list only at the
// second miss of its user while the first is remembered. A user checked
// again and again gets a set; a user checked once costs no fill (a fill
// of a long list costs more than the reads it saves for a user met once).
//
// The table has a slot per set the cache can hold (8 bytes each), so that
// a user's second miss is remembered while the cache turns over as many
// users as it holds: with a fixed 8192 slots, a store of a million users
// forgot most first misses before the second came.
type fillGhosts struct {
	seed  maphash.Seed
	slots []atomic.Uint64 // a power of two of them
}

// init sizes the table for a cache of entries sets.
func (g *fillGhosts) init(entries int) {
	g.seed = maphash.MakeSeed()
	n := minGhostSlots
	for n < entries && n < maxGhostSlots {
		n <<= 1
	}
	g.slots = make([]atomic.Uint64, n)
}

// missedBefore reports whether uid's miss is remembered, and remembers
// it if not.
func (g *fillGhosts) missedBefore(uid string) bool {
	h := maphash.String(g.seed, uid) | 1 // never 0, an empty slot
	slot := &g.slots[h&uint64(len(g.slots)-1)]
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

// friendSet is a user's whole friend list: the friends' IDs, sorted,
// back to back in one array, ends[i] being where the i-th ID ends (a
// uint32: maxSet IDs of at most maxUserIDBytes fit far below 4 GiB). An ID
// of 10 bytes costs 14 bytes (a []string costs 32 and a pointer for the
// garbage collector to follow, per ID), so the cache's byte budget holds
// twice as many sets and a lookup reads one array. Only holders of the
// user's lock read or change a set, so writes change a cached set in
// place (writeThroughLists) without asking the cache again.
type friendSet struct {
	data []byte
	ends []uint32
}

// len returns the number of IDs in s.
func (s *friendSet) len() int { return len(s.ends) }

// start returns where the i-th ID begins in s.data.
func (s *friendSet) start(i int) uint32 { return startOf(s.ends, i) }

// startOf returns where the i-th of pieces laid back to back begins,
// ends[i] being where it ends: a friend set's IDs, a cached page's.
func startOf(ends []uint32, i int) uint32 {
	if i == 0 {
		return 0
	}
	return ends[i-1]
}

// at returns the i-th ID, aliasing s.data.
func (s *friendSet) at(i int) []byte { return s.data[s.start(i):s.ends[i]] }

// search returns the index of id in s, or where it would be inserted.
func (s *friendSet) search(id string) (i int, found bool) {
	lo, hi := 0, len(s.ends)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if string(s.at(m)) < id { // compiled without a conversion
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(s.ends) && string(s.at(lo)) == id
}

func (s *friendSet) has(id string) bool {
	_, ok := s.search(id)
	return ok
}

// add appends id, which must sort after every ID of s: the fill, in key
// order.
func (s *friendSet) add(id []byte) {
	s.data = append(s.data, id...)
	s.ends = append(s.ends, uint32(len(s.data)))
}

// apply adds id (add) or removes it, in place. It reports whether one of
// the set's arrays was replaced, which changes the set's memory
// (setSize).
func (s *friendSet) apply(id string, add bool) (moved bool) {
	i, found := s.search(id)
	oldData, oldEnds := cap(s.data), cap(s.ends)
	switch {
	case add && !found:
		at, n := s.start(i), uint32(len(id))
		s.data = append(s.data, id...) // room for id at the end
		copy(s.data[at+n:], s.data[at:uint32(len(s.data))-n])
		copy(s.data[at:], id)
		s.ends = slices.Insert(s.ends, i, at)
		for j := i; j < len(s.ends); j++ {
			s.ends[j] += n
		}
	case !add && found:
		at, end := s.start(i), s.ends[i]
		s.data = append(s.data[:at], s.data[end:]...)
		s.ends = slices.Delete(s.ends, i, i+1)
		for j := i; j < len(s.ends); j++ {
			s.ends[j] -= end - at
		}
	}
	return cap(s.data) != oldData || cap(s.ends) != oldEnds
}

// setSize is the memory s holds: its arrays, by capacity, so that a set
// changed in place stays within its charge until an array moves.
func setSize(s *friendSet) int { return 64 + cap(s.data) + 4*cap(s.ends) }

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
	s = &friendSet{ends: make([]uint32, 0, friends)}
	prefix := index.Prefix(nil, index.KindFriend, uid)
	var buf [64]byte
	err = rd.scan(prefix, nil, func(key, _ []byte) (bool, error) {
		id, _, err := index.ReadStringTo(buf[:0], key[len(prefix):])
		if err != nil {
			return false, corrupt(key, err)
		}
		s.add(id)
		return true, nil
	})
	if err != nil {
		return nil, false, err
	}
	if cap(s.data) > len(s.data)+len(s.data)/4 { // append's doubling left more room than growth needs
		s.data = slices.Clone(s.data)
	}
	db.sets.Set(uid, s, setSize(s), 0)
	return s, true, nil
}

// holdsFriend reports whether u's committed list, of friends entries,
// holds v: from known (u's set, if the caller has it), from u's cached
// friend set (filled by the rule fill), or read through r. It returns the
// set it answered from, nil if none, for the caller to keep. The caller
// holds u's lock, and r's view includes every commit of u's list.
func (db *DB) holdsFriend(r *lazyReader, u, v string, friends uint32, fill func(uid string, n uint32) bool, known *friendSet) (held bool, set *friendSet, err error) {
	if friends == 0 {
		return false, known, nil
	}
	if known != nil {
		return known.has(v), known, nil
	}
	s, ok, err := db.friendSetOf(r, u, friends, fill)
	if err != nil {
		return false, nil, err
	}
	if ok {
		return s.has(v), s, nil
	}
	rd, err := r.get()
	if err != nil {
		return false, nil, err
	}
	_, held, err = rd.get(index.Friend(nil, u, v))
	return held, nil, err
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
		case s.len() > maxSet:
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

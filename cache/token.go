package cache

import (
	"time"
)

// slots is the number of generation counters. Keys share them by hash; a
// shared slot only makes a fill drop more often than needed, never keep a
// stale value.
const slots = 256

// Token is a fill token: the generation of a key's slot when it was taken.
// See Cache.Token and the package doc's # Consistency.
type Token uint64

// Token returns the fill token for key. Take it BEFORE reading the value's
// source, and pass it to Fill with the value read. It takes no lock.
func (c *Cache[V]) Token(key string) Token {
	return Token(c.gens[c.hash(key)%slots].Load())
}

// Fill adds v, read from the source after tok was taken, as a read-through
// fill, with the given size and ttl as in Set. If Set, Remove or Purge
// touched key's slot since tok was taken, v may be stale: Fill drops it and
// returns false. The check and the add happen under the lock of key's
// shard, the lock under which Set and Remove of key bump the slot. Fill
// also returns false if size alone exceeds Options.MaxBytes (per shard);
// otherwise it returns true.
func (c *Cache[V]) Fill(key string, v V, size int, ttl time.Duration, tok Token) bool {
	h := c.hash(key)
	s := c.shardAt(h)
	s.mu.Lock()
	defer s.mu.Unlock()
	if Token(c.gens[h%slots].Load()) != tok {
		return false
	}
	return s.storeLocked(key, h, v, size, ttl, c.clock())
}

// bumpAll invalidates every fill in flight. Called with every shard lock
// held.
func (c *Cache[V]) bumpAll() {
	for i := range c.gens {
		c.gens[i].Add(1)
	}
}

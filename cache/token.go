package cache

import (
	"hash/maphash"
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
	return Token(c.gens[c.slot(key)].Load())
}

// Fill adds v, read from the source after tok was taken, as a read-through
// fill, with the given size and ttl as in Set. If Set, Remove or Purge
// touched key's slot since tok was taken, v may be stale: Fill drops it and
// returns false. The check and the add happen under one lock. Fill also
// returns false if size alone exceeds Options.MaxBytes; otherwise it
// returns true.
func (c *Cache[V]) Fill(key string, v V, size int, ttl time.Duration, tok Token) bool {
	s := c.slot(key)
	c.mu.Lock()
	defer c.mu.Unlock()
	if Token(c.gens[s].Load()) != tok {
		return false
	}
	return c.storeLocked(key, v, size, ttl)
}

// slot returns the index of key's generation counter. It does not allocate.
func (c *Cache[V]) slot(key string) int {
	return int(maphash.String(c.seed, key) % slots)
}

// bumpAll invalidates every fill in flight. Called with c.mu held.
func (c *Cache[V]) bumpAll() {
	for i := range c.gens {
		c.gens[i].Add(1)
	}
}

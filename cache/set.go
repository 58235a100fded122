package cache

import "time"

// Set is the authoritative write-through: it stores v for key with the
// given size and ttl, making key the most recently used, and invalidates
// the fills in flight for key (see Token). A ttl <= 0 means v never
// expires. A negative size counts as 0. If size alone exceeds
// Options.MaxBytes (per shard: see Options.Shards), v is not stored and any
// older value for key is dropped.
//
// Call Set after the new value is durable in the source, and, for one key,
// in the order of the source's writes.
func (c *Cache[V]) Set(key string, v V, size int, ttl time.Duration) {
	h := c.hash(key)
	s := c.shardAt(h)
	s.mu.Lock()
	defer s.mu.Unlock()
	c.gens[h%slots].Add(1) // under key's shard lock: see Fill
	s.storeLocked(key, v, size, ttl, c.clock())
}

// Remove drops key, if present, and invalidates the fills in flight for it
// (see Token). It counts no eviction. Call it after the source changed.
func (c *Cache[V]) Remove(key string) {
	h := c.hash(key)
	s := c.shardAt(h)
	s.mu.Lock()
	defer s.mu.Unlock()
	c.gens[h%slots].Add(1) // under key's shard lock: see Fill
	s.removeLocked(key)
}

// storeLocked adds or replaces key's entry with s.mu held, then evicts to
// the byte bound. It reports whether v was stored: it is not when size
// alone exceeds maxBytes, and then any older entry for key is dropped.
func (s *shard[V]) storeLocked(key string, v V, size int, ttl time.Duration, clk lazyClock) bool {
	sz := max(int64(size), 0)
	if s.maxBytes > 0 && sz > s.maxBytes {
		s.dropOldLocked(key, &clk)
		return false
	}
	if old, ok := s.lru.Peek(key); ok {
		s.bytes -= old.size // Add replaces in place without the callback
		s.countExpiredLocked(&old, &clk)
	}
	s.lru.Add(key, entry[V]{v: v, size: sz, expires: clk.deadline(ttl), front: s.moves})
	s.moves++
	s.bytes += sz
	s.trimLocked()
	return true
}

// dropOldLocked removes key's entry, if any, counting an expiration if the
// entry had expired.
func (s *shard[V]) dropOldLocked(key string, clk *lazyClock) {
	if old, ok := s.lru.Peek(key); ok {
		s.countExpiredLocked(&old, clk)
		s.removeLocked(key)
	}
}

// countExpiredLocked counts an expiration if e, about to be replaced or
// dropped by a write, had expired.
func (s *shard[V]) countExpiredLocked(e *entry[V], clk *lazyClock) {
	if e.expired(clk) {
		s.stats.Expirations++
	}
}

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
	s.storeLocked(key, h, v, size, ttl, c.clock())
}

// Remove drops key, if present, and invalidates the fills in flight for it
// (see Token). It counts no eviction. Call it after the source changed.
func (c *Cache[V]) Remove(key string) {
	h := c.hash(key)
	s := c.shardAt(h)
	s.mu.Lock()
	defer s.mu.Unlock()
	c.gens[h%slots].Add(1) // under key's shard lock: see Fill
	if i := s.lru.find(key, h); i != 0 {
		s.dropLocked(i)
	}
}

// storeLocked adds or replaces key's entry (key's hash is h) with s.mu
// held, then evicts to the byte bound. It reports whether v was stored: it
// is not when size alone exceeds maxBytes, and then any older entry for
// key is dropped.
func (s *shard[V]) storeLocked(key string, h uint64, v V, size int, ttl time.Duration, clk lazyClock) bool {
	sz := max(int64(size), 0)
	i := s.lru.find(key, h)
	if i != 0 && s.lru.nodes[i].expired(&clk) {
		s.stats.Expirations++
	}
	if s.maxBytes > 0 && sz > s.maxBytes {
		if i != 0 {
			s.dropLocked(i)
		}
		return false
	}
	e := entry[V]{v: v, size: sz, expires: clk.deadline(ttl), front: s.moves}
	s.moves++
	if i != 0 {
		s.bytes -= s.lru.nodes[i].size
		s.lru.nodes[i].entry = e
		s.lru.toFront(i)
	} else {
		if s.lru.len() >= s.entries {
			s.evictLocked()
		}
		s.lru.push(key, h, e, s.entries)
	}
	s.bytes += sz
	s.trimLocked()
	return true
}

package cache

import "time"

// Set is the authoritative write-through: it stores v for key with the
// given size and ttl, making key the most recently used, and invalidates
// the fills in flight for key (see Token). A ttl <= 0 means v never
// expires. A negative size counts as 0. If size alone exceeds
// Options.MaxBytes, v is not stored and any older value for key is dropped.
//
// Call Set after the new value is durable in the source, and, for one key,
// in the order of the source's writes.
func (c *Cache[V]) Set(key string, v V, size int, ttl time.Duration) {
	s := c.slot(key)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gens[s].Add(1)
	c.storeLocked(key, v, size, ttl)
}

// Remove drops key, if present, and invalidates the fills in flight for it
// (see Token). It counts no eviction. Call it after the source changed.
func (c *Cache[V]) Remove(key string) {
	s := c.slot(key)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gens[s].Add(1)
	c.removeLocked(key)
}

// storeLocked adds or replaces key's entry with c.mu held, then evicts to
// the byte bound. It reports whether v was stored: it is not when size
// alone exceeds maxBytes, and then any older entry for key is dropped.
func (c *Cache[V]) storeLocked(key string, v V, size int, ttl time.Duration) bool {
	clk := c.clock()
	sz := max(int64(size), 0)
	if c.maxBytes > 0 && sz > c.maxBytes {
		c.dropOldLocked(key, &clk)
		return false
	}
	if old, ok := c.lru.Peek(key); ok {
		c.bytes -= old.size // Add replaces in place without the callback
		c.countExpiredLocked(&old, &clk)
	}
	c.lru.Add(key, entry[V]{v: v, size: sz, expires: clk.deadline(ttl)})
	c.bytes += sz
	c.trimLocked()
	return true
}

// dropOldLocked removes key's entry, if any, counting an expiration if the
// entry had expired.
func (c *Cache[V]) dropOldLocked(key string, clk *lazyClock) {
	if old, ok := c.lru.Peek(key); ok {
		c.countExpiredLocked(&old, clk)
		c.removeLocked(key)
	}
}

// countExpiredLocked counts an expiration if e, about to be replaced or
// dropped by a write, had expired.
func (c *Cache[V]) countExpiredLocked(e *entry[V], clk *lazyClock) {
	if e.expired(clk) {
		c.stats.Expirations++
	}
}

package cache

// Get returns the live value for key and reports whether there was one. A
// hit makes key the most recently used. An expired entry is removed and
// counted as an expiration and a miss.
func (c *Cache[V]) Get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	clk := c.clock()
	return c.getLocked(key, &clk)
}

// GetMany looks up keys under one lock acquisition and at most one clock
// read, calls hit(i, v) for each live entry, where i is the entry's index in
// keys, and returns the number of hits. Hits, misses and expirations are
// counted per key, as by Get. It does not allocate.
//
// hit is called with the cache's lock held: it must be quick and must not
// call methods of c. The caller keeps ownership of keys.
func (c *Cache[V]) GetMany(keys []string, hit func(i int, v V)) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	clk := c.clock()
	n := 0
	for i, key := range keys {
		if v, ok := c.getLocked(key, &clk); ok {
			hit(i, v)
			n++
		}
	}
	return n
}

// getLocked is Get with c.mu held and the call's clock.
func (c *Cache[V]) getLocked(key string, clk *lazyClock) (V, bool) {
	e, ok := c.lru.Get(key)
	if ok && e.expired(clk) {
		c.removeLocked(key)
		c.stats.Expirations++
		ok = false
	}
	if !ok {
		c.stats.Misses++
		var zero V
		return zero, false
	}
	c.stats.Hits++
	return e.v, true
}

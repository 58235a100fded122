package cache

// Stats is a snapshot of a cache's counters and size. The counters count
// from New; Purge does not reset them.
type Stats struct {
	// Hits counts the keys Get and GetMany found live.
	Hits uint64
	// Misses counts the keys Get and GetMany did not find live, expired
	// entries included.
	Misses uint64
	// Evictions counts the entries dropped to stay within Options.Entries or
	// Options.MaxBytes. Remove, Purge, expiry and replacement are not
	// evictions.
	Evictions uint64
	// Expirations counts the expired entries removed when a call met them:
	// a Get or GetMany, or a Set or Fill replacing them.
	Expirations uint64
	// Entries is the number of entries held, as by Len.
	Entries int
	// Bytes is the sum of the sizes of the entries held.
	Bytes int64
}

// Stats returns a consistent snapshot of c's counters and size.
func (c *Cache[V]) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Entries = c.lru.Len()
	s.Bytes = c.bytes
	return s
}

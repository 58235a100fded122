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

// Stats returns a consistent snapshot of c's counters and size, summed
// over its shards. It holds every shard's lock while it sums.
func (c *Cache[V]) Stats() Stats {
	c.lockAll()
	defer c.unlockAll()
	var sum Stats
	for _, s := range c.shards {
		sum.Hits += s.stats.Hits
		sum.Misses += s.stats.Misses
		sum.Evictions += s.stats.Evictions
		sum.Expirations += s.stats.Expirations
		sum.Entries += s.lru.len()
		sum.Bytes += s.bytes
	}
	return sum
}

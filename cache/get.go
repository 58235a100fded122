package cache

// Get returns the live value for key and reports whether there was one. A
// hit makes key the most recently used, or leaves it where it is while it
// is far from eviction (see the package doc). An expired entry is removed
// and counted as an expiration and a miss.
func (c *Cache[V]) Get(key string) (V, bool) {
	h := c.hash(key)
	s := c.shardAt(h)
	s.mu.Lock()
	defer s.mu.Unlock()
	clk := c.clock()
	return s.getLocked(key, h, &clk)
}

// GetMany looks up keys with at most one clock read, calls hit(i, v) for
// each live entry, where i is the entry's index in keys, and returns the
// number of hits. Hits, misses and expirations are counted per key, as by
// Get. It does not allocate.
//
// It takes each shard that holds some of keys once per 128 keys, looks up
// that shard's keys under its lock, and so calls hit grouped by shard, in
// the order of keys within a shard: with one shard (Options.Shards), in
// the order of keys. A GetMany is not atomic across shards, nor across
// groups of 128 keys, as separate Gets are not.
//
// hit is called with a shard's lock held: it must be quick and must not
// call methods of c. The caller keeps ownership of keys.
func (c *Cache[V]) GetMany(keys []string, hit func(i int, v V)) int {
	clk := c.clock()
	n := 0
	for base := 0; base < len(keys); base += groupKeys {
		n += c.getGroup(keys[base:min(base+groupKeys, len(keys))], base, hit, &clk)
	}
	return n
}

// groupKeys is how many keys GetMany groups by shard at a time, on the
// stack.
const groupKeys = 128

// getGroup is GetMany of up to groupKeys keys, keys[i] being key base+i
// of the caller. It sorts the keys' indices by shard (a counting sort on the
// stack), then visits each shard once: first the shards it can lock
// without waiting, starting from a shard that depends on keys, so that
// concurrent callers spread over the shards; then the rest.
func (c *Cache[V]) getGroup(keys []string, base int, hit func(i int, v V), clk *lazyClock) int {
	var (
		hashes  [groupKeys]uint64      // hash of keys[i]
		shardOf [groupKeys]uint8       // shard of keys[i]
		order   [groupKeys]uint8       // indices into keys, by shard
		start   [maxShards + 1]uint8   // shard s's indices: order[start[s]:start[s+1]]
		done    [maxShards / 64]uint64 // bit s: shard s visited
	)
	ns := len(c.shards)
	for i, key := range keys {
		hashes[i] = c.hash(key)
		s := uint8(hashes[i] >> c.shift)
		shardOf[i] = s
		start[int(s)+1]++
	}
	for s := 1; s <= ns; s++ {
		start[s] += start[s-1]
	}
	next := start
	for i := range keys {
		s := shardOf[i]
		order[next[s]] = uint8(i)
		next[s]++
	}
	n := 0
	first := int(shardOf[0])
	for pass := 0; pass < 2; pass++ {
		for k := range ns {
			s := (first + k) & (ns - 1)
			lo, hi := start[s], start[s+1]
			if lo == hi || done[s/64]&(1<<(s%64)) != 0 {
				continue
			}
			sh := c.shards[s]
			if pass == 0 && !sh.mu.TryLock() {
				continue // busy: come back to it in the second pass
			}
			if pass == 1 {
				sh.mu.Lock()
			}
			done[s/64] |= 1 << (s % 64)
			n += sh.getSomeUnlock(keys, hashes[:len(keys)], order[lo:hi], base, hit, clk)
		}
	}
	return n
}

// getSomeUnlock looks up keys[i], of hash hashes[i], for each i of idx,
// calling hit with base+i, with s.mu held by the caller, and unlocks s.mu,
// even if hit panics.
//
// It first reads each key's home slot, then each candidate node, then
// that node's key (lru.touch), and only then looks the keys up: in a cache
// larger than the CPU's, each of those reads is a miss, and reads that do
// not depend on one another are fetched at once, where a lookup's slot,
// then node, then key, then the next lookup's, would wait for each miss
// in turn. What the passes read is only a hint; the lookups find the same
// memory in the CPU cache.
func (s *shard[V]) getSomeUnlock(keys []string, hashes []uint64, idx []uint8, base int, hit func(i int, v V), clk *lazyClock) int {
	defer s.mu.Unlock()
	if len(idx) > 1 {
		s.lru.touch(hashes, idx)
	}
	n := 0
	for _, i := range idx {
		if v, ok := s.getLocked(keys[i], hashes[i], clk); ok {
			hit(base+int(i), v)
			n++
		}
	}
	return n
}

// getLocked is Get of key, of hash h, with s.mu held and the call's clock.
func (s *shard[V]) getLocked(key string, h uint64, clk *lazyClock) (V, bool) {
	i := s.lru.find(key, h)
	if i != 0 && s.lru.nodes[i].expired(clk) {
		s.dropLocked(i)
		s.stats.Expirations++
		i = 0
	}
	if i == 0 {
		s.stats.Misses++
		var zero V
		return zero, false
	}
	s.stats.Hits++
	s.promoteLocked(i)
	return s.lru.nodes[i].v, true
}

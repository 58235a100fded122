package cache

import (
	"fmt"
	"hash/maphash"
	"math/bits"
	"sync"
	"sync/atomic"
	"time"
)

// maxShards is the largest Options.Shards.
const maxShards = 256

// Options configures a Cache. Zero fields mean defaults.
type Options struct {
	// Entries is the capacity in entries. Adding an entry to a full cache
	// (or, with Shards > 1, to a full shard) evicts the least recently used
	// one. It must be > 0; there is no default, and New returns
	// ErrInvalidOptions otherwise.
	Entries int
	// MaxBytes is an approximate bound on the sum of entry sizes, as given
	// to Set and Fill. When an add takes the sum over MaxBytes, least
	// recently used entries are evicted until it is at most MaxBytes; an
	// entry larger than MaxBytes on its own is not stored. It must be >= 0.
	// The default, 0, is no byte bound. With Shards > 1 the bound applies
	// per shard, to MaxBytes/Shards bytes each.
	MaxBytes int64
	// Now is the clock used for expiry. Tests inject a fake clock. It is
	// called with a shard's lock held. The default is time.Now. Deadlines
	// count from its first reading, so its readings must stay within 292
	// years of that one (a time.Duration's span).
	Now func() time.Time
	// Shards is the number of shards the cache is split into: a power of
	// two from 1 to 256. The default is 1 (0 means 1): one lock, exact LRU
	// order, and GetMany takes the lock once per 128 keys.
	//
	// Each shard is an LRU with its own lock, Entries/Shards entries,
	// MaxBytes/Shards bytes and its own counters (Stats sums them); keys
	// are spread over shards by hash. Eviction is then LRU within a shard,
	// approximately LRU overall. If Entries, or a non-zero MaxBytes, is
	// smaller than Shards, New uses the largest power of two that leaves
	// every shard at least one entry and one byte.
	//
	// Raise it, to about two per CPU (4 on two CPUs), when several
	// goroutines read the cache at once on more than one CPU (GOMAXPROCS >
	// 1). With one shard, GetMany holds the single lock for its whole
	// batch (128 keys at a time), so concurrent batches queue and do not
	// scale; with more, concurrent GetManys lock different shards and
	// GetMany calls hit grouped by shard, not in key order. Many more shards than CPUs cost
	// a batch more locks and fewer keys looked up together in each. On one
	// CPU, or with one goroutine reading, keep 1: sharding then only adds
	// a lock per shard visited and a batch's grouping by shard. The package
	// doc's # Concurrency has the measurements
	// (BenchmarkCache_GetManyParallel, BenchmarkCache_GetMany10).
	Shards int
}

// Cache is a string-keyed LRU cache of values of type V with a per-entry
// time to live. It is safe for concurrent use; see the package doc for the
// consistency protocol of Token, Fill and Set.
type Cache[V any] struct {
	now    func() time.Time
	epoch  epoch // entries' deadlines count from it
	seed   maphash.Seed
	shift  uint        // shard of a key: its hash >> shift; 64 with one shard
	shards []*shard[V] // len is a power of two

	_    [cacheLine]byte      // keeps the writes to gens off the fields above
	gens [slots]atomic.Uint64 // per-slot write generations; see token.go
}

// shard is one LRU and its lock, bounds and counters. Every field but
// maxBytes is guarded by mu.
//
// A shard is three cache lines, allocated on its own so that it starts on
// one (TestShard_Layout): the first holds what every call on the shard
// writes (mu, stats, bytes), the other two what a hit mostly only reads
// (an insert or a removal writes the lru's counts too, and a GetMany of
// several of the shard's keys its touched). Goroutines
// on different CPUs working on different shards then share no cache line,
// and a call on a shard moves one line between CPUs, not two.
type shard[V any] struct {
	mu    sync.Mutex
	stats Stats // counters only; Entries and Bytes are filled in by Stats
	bytes int64 // sum of the sizes of the entries in lru

	lru      lru[V]
	maxBytes int64    // 0: no byte bound
	entries  int      // the entry bound
	moves    uint64   // entries put at the front of lru so far (see promoteLocked)
	_        [32]byte // to three whole cache lines (TestShard_Layout)
}

// cacheLine is the size of a CPU cache line, in bytes, on amd64 and arm64.
const cacheLine = 64

// New returns an empty cache configured by opts. It starts no goroutine, so
// a Cache needs no Close: drop it, or Purge it to free its entries early.
func New[V any](opts Options) (*Cache[V], error) {
	if opts.Entries <= 0 {
		return nil, fmt.Errorf("%w: Entries is %d, must be > 0", ErrInvalidOptions, opts.Entries)
	}
	if opts.MaxBytes < 0 {
		return nil, fmt.Errorf("%w: MaxBytes is %d, must be >= 0", ErrInvalidOptions, opts.MaxBytes)
	}
	n := opts.Shards
	if n == 0 {
		n = 1
	}
	if n < 0 || n > maxShards || n&(n-1) != 0 {
		return nil, fmt.Errorf("%w: Shards is %d, must be a power of two from 1 to %d",
			ErrInvalidOptions, opts.Shards, maxShards)
	}
	for n > opts.Entries || opts.MaxBytes > 0 && int64(n) > opts.MaxBytes {
		n /= 2 // leave every shard at least one entry and one byte
	}
	if opts.Entries/n >= maxNodes {
		return nil, fmt.Errorf("%w: Entries is %d, must be under %d a shard",
			ErrInvalidOptions, opts.Entries, maxNodes)
	}
	c := &Cache[V]{
		now:    opts.Now,
		seed:   maphash.MakeSeed(),
		shift:  uint(64 - bits.TrailingZeros(uint(n))),
		shards: make([]*shard[V], n),
	}
	if c.now == nil {
		c.now = time.Now
	}
	for i := range c.shards {
		// One allocation a shard: a size class of 192 bytes, whose
		// objects start on cache lines, where a slice of shards would
		// start wherever its malloc header ends.
		s := new(shard[V])
		c.shards[i] = s
		entries := opts.Entries / n
		if i < opts.Entries%n {
			entries++
		}
		s.maxBytes = opts.MaxBytes / int64(n)
		if int64(i) < opts.MaxBytes%int64(n) {
			s.maxBytes++
		}
		s.lru, s.entries = newLRU[V](), entries
	}
	return c, nil
}

// Len returns the number of entries held, including expired entries that
// no call has met yet.
func (c *Cache[V]) Len() int {
	c.lockAll()
	defer c.unlockAll()
	n := 0
	for _, s := range c.shards {
		n += s.lru.len()
	}
	return n
}

// Purge drops every entry and invalidates every fill in flight. It counts
// nothing as an eviction or an expiration.
func (c *Cache[V]) Purge() {
	c.lockAll()
	defer c.unlockAll()
	c.bumpAll()
	for _, s := range c.shards {
		s.lru, s.bytes = newLRU[V](), 0
	}
}

// lockAll locks every shard, in index order: the only order in which a
// call holds more than one shard lock.
func (c *Cache[V]) lockAll() {
	for _, s := range c.shards {
		s.mu.Lock()
	}
}

// unlockAll unlocks every shard locked by lockAll.
func (c *Cache[V]) unlockAll() {
	for _, s := range c.shards {
		s.mu.Unlock()
	}
}

// hash is key's hash: its low bits pick its generation slot (token.go),
// its high bits its shard.
func (c *Cache[V]) hash(key string) uint64 {
	return maphash.String(c.seed, key)
}

// shardAt returns the shard of a key of hash h.
func (c *Cache[V]) shardAt(h uint64) *shard[V] {
	return c.shards[h>>c.shift] // shift is 64 with one shard: index 0
}

// clock returns a lazy reading of the cache's clock for one call.
func (c *Cache[V]) clock() lazyClock {
	return lazyClock{now: c.now, epoch: &c.epoch}
}

// dropLocked removes node i, counting nothing.
func (s *shard[V]) dropLocked(i int32) {
	s.bytes -= s.lru.nodes[i].size
	s.lru.remove(i)
}

// evictLocked removes the least recently used entry, counting an
// eviction, and reports whether there was one.
func (s *shard[V]) evictLocked() bool {
	i := s.lru.oldest()
	if i == 0 {
		return false
	}
	s.dropLocked(i)
	s.stats.Evictions++
	return true
}

// promoteLocked makes a hit on node i, entry e, count as a use: it moves e
// to the front of the LRU only if e could be evicted soon. Moving an entry
// rewrites the list pointers of the entry, its neighbours and the list
// head, cache lines that are most likely cold, and it showed in profiles
// of kith's writes, which look up a few users in several caches.
//
// Fewer than age = moves - e.front entries went to the front after e, so
// at least Entries - 1 - age insertions come before e could be evicted
// for the entry bound: e moves when age reaches half of Entries. When the
// byte bound decides (the shard holds more than half of it), e moves when
// it is in the back half of the list: age reaches Len/2. Either way the
// order of recently used entries is approximate, and an entry hit more
// often than half the capacity is inserted is never evicted.
func (s *shard[V]) promoteLocked(i int32) {
	e := &s.lru.nodes[i]
	age, bound := s.moves-e.front, s.entries/2
	if s.maxBytes > 0 && s.bytes > s.maxBytes/2 {
		bound = s.lru.len() / 2
	}
	if age < uint64(bound) {
		return
	}
	e.front = s.moves
	s.moves++
	s.lru.toFront(i)
}

// trimLocked evicts least recently used entries until bytes is within
// maxBytes. Callers never store an entry larger than maxBytes, so the entry
// just added, being the most recent, is never the one evicted.
func (s *shard[V]) trimLocked() {
	for s.maxBytes > 0 && s.bytes > s.maxBytes {
		if !s.evictLocked() {
			return
		}
	}
}

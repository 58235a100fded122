package cache

import (
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// Options configures a Cache. Zero fields mean defaults.
type Options struct {
	// Entries is the capacity in entries. Adding an entry to a full cache
	// evicts the least recently used one. It must be > 0; there is no
	// default, and New returns ErrInvalidOptions otherwise.
	Entries int
	// MaxBytes is an approximate bound on the sum of entry sizes, as given
	// to Set and Fill. When an add takes the sum over MaxBytes, least
	// recently used entries are evicted until it is at most MaxBytes; an
	// entry larger than MaxBytes on its own is not stored. It must be >= 0.
	// The default, 0, is no byte bound.
	MaxBytes int64
	// Now is the clock used for expiry. Tests inject a fake clock. It is
	// called with the cache's lock held. The default is time.Now.
	Now func() time.Time
}

// Cache is a string-keyed LRU cache of values of type V with a per-entry
// time to live. It is safe for concurrent use; see the package doc for the
// consistency protocol of Token, Fill and Set.
type Cache[V any] struct {
	now      func() time.Time
	maxBytes int64
	seed     maphash.Seed
	gens     [slots]atomic.Uint64 // per-slot write generations; see token.go

	mu    sync.Mutex
	lru   *simplelru.LRU[string, entry[V]]
	bytes int64 // sum of the sizes of the entries in lru
	quiet bool  // set while the cache removes entries itself: not evictions
	stats Stats // counters only; Entries and Bytes are filled in by Stats
}

// New returns an empty cache configured by opts. It starts no goroutine, so
// a Cache needs no Close: drop it, or Purge it to free its entries early.
func New[V any](opts Options) (*Cache[V], error) {
	if opts.Entries <= 0 {
		return nil, fmt.Errorf("%w: Entries is %d, must be > 0", ErrInvalidOptions, opts.Entries)
	}
	if opts.MaxBytes < 0 {
		return nil, fmt.Errorf("%w: MaxBytes is %d, must be >= 0", ErrInvalidOptions, opts.MaxBytes)
	}
	c := &Cache[V]{now: opts.Now, maxBytes: opts.MaxBytes, seed: maphash.MakeSeed()}
	if c.now == nil {
		c.now = time.Now
	}
	lru, err := simplelru.NewLRU(opts.Entries, c.onEvict)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidOptions, err)
	}
	c.lru = lru
	return c, nil
}

// Len returns the number of entries held, including expired entries that
// no call has met yet.
func (c *Cache[V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// Purge drops every entry and invalidates every fill in flight. It counts
// nothing as an eviction or an expiration.
func (c *Cache[V]) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bumpAll()
	c.quiet = true
	c.lru.Purge()
	c.quiet = false
}

// clock returns a lazy reading of the cache's clock for one call.
func (c *Cache[V]) clock() lazyClock {
	return lazyClock{now: c.now}
}

// onEvict is the LRU's callback, run under c.mu for every entry that leaves
// the LRU, whatever the reason. It keeps bytes exact, and counts an eviction
// unless the cache itself is removing the entry (c.quiet).
func (c *Cache[V]) onEvict(_ string, e entry[V]) {
	c.bytes -= e.size
	if !c.quiet {
		c.stats.Evictions++
	}
}

// removeLocked drops key, if present, without counting an eviction.
func (c *Cache[V]) removeLocked(key string) {
	c.quiet = true
	c.lru.Remove(key)
	c.quiet = false
}

// trimLocked evicts least recently used entries until bytes is within
// maxBytes. Callers never store an entry larger than maxBytes, so the entry
// just added, being the most recent, is never the one evicted.
func (c *Cache[V]) trimLocked() {
	for c.maxBytes > 0 && c.bytes > c.maxBytes {
		if _, _, ok := c.lru.RemoveOldest(); !ok {
			return
		}
	}
}

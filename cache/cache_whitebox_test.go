package cache

// White-box tests: they read the cache's fields to recompute its invariants.

import (
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"
)

// checkInvariants fails t unless, in every shard of c, the byte count is
// the sum of the sizes of its entries and both bounds hold, and unless the
// shards together hold at most entries entries and c's MaxBytes (the sum of
// the shards' bounds) bytes.
func checkInvariants(t *testing.T, c *Cache[int], entries int) {
	t.Helper()
	c.lockAll()
	defer c.unlockAll()
	total, totalBytes, maxBytes := 0, int64(0), int64(0)
	for i, s := range c.shards {
		var sum int64
		keys := s.lru.keys()
		for _, k := range keys {
			e, ok := peek(c, k)
			if !ok {
				t.Fatalf("shard %d: key %q listed but absent", i, k)
			}
			if got := c.shardAt(c.hash(k)); got != s {
				t.Errorf("key %q in shard %d, not its own", k, i)
			}
			sum += e.size
		}
		if s.bytes != sum {
			t.Errorf("shard %d: bytes = %d, sum of entry sizes = %d", i, s.bytes, sum)
		}
		if s.lru.len() != len(keys) {
			t.Errorf("shard %d: Len = %d, %d keys", i, s.lru.len(), len(keys))
		}
		if s.maxBytes > 0 && s.bytes > s.maxBytes {
			t.Errorf("shard %d: bytes = %d over its MaxBytes = %d", i, s.bytes, s.maxBytes)
		}
		total += len(keys)
		totalBytes += s.bytes
		maxBytes += s.maxBytes
	}
	if total > entries {
		t.Errorf("%d entries in %d shards, Entries = %d", total, len(c.shards), entries)
	}
	if maxBytes > 0 && totalBytes > maxBytes {
		t.Errorf("%d bytes in %d shards, MaxBytes = %d", totalBytes, len(c.shards), maxBytes)
	}
}

// peek returns key's entry in c without counting or moving it; the caller
// holds the lock of key's shard.
func peek[V any](c *Cache[V], key string) (entry[V], bool) {
	h := c.hash(key)
	s := c.shardAt(h)
	if i := s.lru.find(key, h); i != 0 {
		return s.lru.nodes[i].entry, true
	}
	return entry[V]{}, false
}

// raceSource is the source a cache fronts: versions per key, written under
// a per-key writer lock as engine does, read without it. Versions only grow.
type raceSource struct {
	mu      sync.Mutex
	vals    map[string]int
	writers []sync.Mutex
	done    []atomic.Int64 // per key, the version of the last write the cache was told of
	next    atomic.Int64
}

func (s *raceSource) read(k string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.vals[k]
	return v, ok
}

// write stores a new version of key i in the source, then tells c.
func (s *raceSource) write(c *Cache[int], i int, k string, remove bool, ttl time.Duration) {
	s.writers[i].Lock()
	defer s.writers[i].Unlock()
	v := int(s.next.Add(1))
	s.mu.Lock()
	s.vals[k] = v
	s.mu.Unlock()
	runtime.Gosched() // let readers in between the source write and the cache write
	if remove {
		c.Remove(k)
	} else {
		c.Set(k, v, v%13+1, ttl)
	}
	s.done[i].Store(int64(v))
}

// checkHit fails t if v, a hit for key i in a lookup that started after
// floor was read from s.done, is older than a write the cache was told of.
func checkHit(t *testing.T, i, v int, floor int64) {
	t.Helper()
	if int64(v) < floor {
		t.Errorf("stale hit for key %d: %d, but version %d was Set or Removed before the lookup", i, v, floor)
	}
}

// TestCache_Concurrent runs Get, GetMany, Fill, Set and Remove from several
// goroutines (run it with -race), then checks the invariants and that no
// fill left a value older than the source's, with and without shards.
func TestCache_Concurrent(t *testing.T) {
	for _, shards := range []int{1, 4, 16} {
		t.Run("shards="+strconv.Itoa(shards), func(t *testing.T) { testConcurrent(t, shards) })
	}
}

func testConcurrent(t *testing.T, shards int) {
	const (
		entries = 24
		nkeys   = 32
		workers = 6
		ops     = 3000
	)
	var clock atomic.Int64
	c, err := New[int](Options{Entries: entries, MaxBytes: 150, Shards: shards, Now: func() time.Time {
		return time.Unix(0, clock.Load())
	}})
	if err != nil {
		t.Fatal(err)
	}
	src := &raceSource{
		vals:    map[string]int{},
		writers: make([]sync.Mutex, nkeys),
		done:    make([]atomic.Int64, nkeys),
	}
	keys := make([]string, nkeys)
	for i := range keys {
		keys[i] = "k" + strconv.Itoa(i)
	}
	var lookups atomic.Uint64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for range ops {
				runOp(t, c, src, keys, r, &lookups)
				if r.IntN(100) == 0 {
					clock.Add(int64(time.Millisecond))
				}
			}
		})
	}
	wg.Wait()
	checkInvariants(t, c, entries)
	checkNoStale(t, c, src, keys)
	if s := c.Stats(); s.Hits+s.Misses != lookups.Load() {
		t.Errorf("hits %d + misses %d != %d lookups", s.Hits, s.Misses, lookups.Load())
	}
}

// runOp runs one random operation on c.
func runOp(t *testing.T, c *Cache[int], src *raceSource, keys []string, r *rand.Rand, lookups *atomic.Uint64) {
	i := r.IntN(len(keys))
	k := keys[i]
	ttl := time.Duration(r.IntN(3)) * 5 * time.Millisecond
	switch op := r.IntN(10); {
	case op < 3:
		floor := src.done[i].Load()
		if v, ok := c.Get(k); ok {
			checkHit(t, i, v, floor)
		}
		lookups.Add(1)
	case op < 5:
		j := r.IntN(len(keys) - 8)
		var floors [8]int64
		for n := range floors {
			floors[n] = src.done[j+n].Load()
		}
		c.GetMany(keys[j:j+8], func(n, v int) { checkHit(t, j+n, v, floors[n]) })
		lookups.Add(8)
	case op < 8:
		tok := c.Token(k)
		if v, ok := src.read(k); ok {
			runtime.Gosched()
			c.Fill(k, v, v%13+1, ttl, tok)
		}
	default:
		src.write(c, i, k, op == 9 && r.IntN(2) == 0, ttl)
	}
}

// checkNoStale fails t if c holds, for some key, a value other than the
// source's latest.
func checkNoStale(t *testing.T, c *Cache[int], src *raceSource, keys []string) {
	t.Helper()
	for _, k := range keys {
		s := c.shardAt(c.hash(k))
		s.mu.Lock()
		e, ok := peek(c, k)
		s.mu.Unlock()
		if want, _ := src.read(k); ok && e.v != want {
			t.Errorf("cache holds %q = %d, source has %d", k, e.v, want)
		}
	}
}

// TestNew_ShardLayout checks how New splits Entries and MaxBytes over the
// shards, and how many shards it makes.
func TestNew_ShardLayout(t *testing.T) {
	for _, tc := range []struct {
		opts   Options
		shards int
	}{
		{Options{Entries: 10}, 1},
		{Options{Entries: 10, Shards: 1}, 1},
		{Options{Entries: 100, MaxBytes: 1000, Shards: 16}, 16},
		{Options{Entries: 100, MaxBytes: 1003, Shards: 256}, 64},
		{Options{Entries: 3, Shards: 16}, 2},
		{Options{Entries: 100, MaxBytes: 5, Shards: 16}, 4},
		{Options{Entries: 1, MaxBytes: 1, Shards: 8}, 1},
	} {
		c, err := New[int](tc.opts)
		if err != nil {
			t.Fatalf("New(%+v): %v", tc.opts, err)
		}
		if len(c.shards) != tc.shards {
			t.Errorf("New(%+v): %d shards, want %d", tc.opts, len(c.shards), tc.shards)
		}
		var maxBytes int64
		for i, s := range c.shards {
			if tc.opts.MaxBytes > 0 && s.maxBytes < 1 {
				t.Errorf("New(%+v): shard %d has MaxBytes %d", tc.opts, i, s.maxBytes)
			}
			maxBytes += s.maxBytes
		}
		if maxBytes != tc.opts.MaxBytes {
			t.Errorf("New(%+v): shards' MaxBytes add up to %d", tc.opts, maxBytes)
		}
		// Each shard takes entries up to its capacity: fill, then count.
		for i := range 100 * tc.opts.Entries {
			c.Set(strconv.Itoa(i), i, 0, 0)
		}
		for i := range c.shards {
			if c.shards[i].lru.len() < 1 {
				t.Errorf("New(%+v): shard %d holds nothing when full", tc.opts, i)
			}
		}
		if n := c.Len(); n != tc.opts.Entries {
			t.Errorf("New(%+v): full cache holds %d entries, want %d", tc.opts, n, tc.opts.Entries)
		}
		checkInvariants(t, c, tc.opts.Entries)
	}
}

// TestShard_Layout checks that a shard is three whole cache lines, the
// first holding the fields every call writes, and that New's shards each
// start on a cache line.
func TestShard_Layout(t *testing.T) {
	var s shard[int]
	if size := unsafe.Sizeof(s); size != 3*cacheLine {
		t.Errorf("shard is %d bytes, want %d", size, 3*cacheLine)
	}
	if off := unsafe.Offsetof(s.lru); off != cacheLine {
		t.Errorf("shard.lru at offset %d, want %d: mu, stats and bytes fill the first line", off, cacheLine)
	}
	for _, n := range []int{1, 2, 4, 16, 256} {
		c, err := New[int](Options{Entries: 1000, Shards: n})
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range c.shards {
			if p := uintptr(unsafe.Pointer(s)); p%cacheLine != 0 {
				t.Fatalf("Shards %d: shard %d at %#x, not on a cache line", n, i, p)
			}
		}
	}
}

// TestCache_GetManySkipsBusyShard holds one shard's lock while GetMany
// runs: GetMany answers the keys of the other shards first, then waits
// for the busy one, and answers it once it is free.
func TestCache_GetManySkipsBusyShard(t *testing.T) {
	c, err := New[int](Options{Entries: 1000, Shards: 4})
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 100)
	for i := range keys {
		keys[i] = "k" + strconv.Itoa(i)
		c.Set(keys[i], i, 1, 0)
	}
	busy := c.shardAt(c.hash(keys[0]))
	inBusy := 0
	for _, k := range keys {
		if c.shardAt(c.hash(k)) == busy {
			inBusy++
		}
	}
	var hits atomic.Int64
	busy.mu.Lock()
	done := make(chan int)
	go func() {
		done <- c.GetMany(keys, func(int, int) { hits.Add(1) })
	}()
	deadline := time.Now().Add(10 * time.Second)
	for hits.Load() < int64(len(keys)-inBusy) {
		if time.Now().After(deadline) {
			busy.mu.Unlock()
			t.Fatalf("%d hits while one shard was busy, want %d", hits.Load(), len(keys)-inBusy)
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case n := <-done:
		busy.mu.Unlock()
		t.Fatalf("GetMany returned %d while a shard it needs was locked", n)
	case <-time.After(10 * time.Millisecond):
	}
	busy.mu.Unlock()
	if n := <-done; n != len(keys) {
		t.Fatalf("GetMany = %d, want %d", n, len(keys))
	}
}

// TestCache_HitMovesOnlyNearEviction checks promoteLocked: on a full
// shard (by entries, or by bytes), a hit on an entry among the more
// recently used half leaves the LRU order as it is, a hit on an entry of
// the back half moves it to the front, and an entry hit between
// insertions is never evicted. On a shard far from full, no hit moves.
func TestCache_HitMovesOnlyNearEviction(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"full by entries", Options{Entries: 10}},
		{"full by bytes", Options{Entries: 1000, MaxBytes: 10}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tenEntries(t, tc.opts)
			c.Get("k9") // the newest
			c.Get("k7") // 2 entries went to the front after it, fewer than 10/2
			if got := lruOrder(c); got != "0123456789" {
				t.Fatalf("after hits on front-half entries: order %s, want 0123456789", got)
			}
			c.Get("k1") // 8 went to the front after it
			if got := lruOrder(c); got != "0234567891" {
				t.Fatalf("after a hit on a back-half entry: order %s, want 0234567891", got)
			}
			for i := 10; i < 100; i++ {
				if _, ok := c.Get("k1"); !ok {
					t.Fatalf("k1 evicted after %d insertions though hit before each", i-10)
				}
				c.Set("k"+strconv.Itoa(i), i, 1, 0)
			}
		})
	}
	t.Run("far from full", func(t *testing.T) {
		c := tenEntries(t, Options{Entries: 100})
		c.Get("k0")
		if got := lruOrder(c); got != "0123456789" {
			t.Fatalf("after a hit on the oldest of 10 entries of 100: order %s, want 0123456789", got)
		}
	})
}

// tenEntries returns a one-shard cache holding k0 to k9 of size 1, k0 the
// least recently used.
func tenEntries(t *testing.T, opts Options) *Cache[int] {
	t.Helper()
	c, err := New[int](opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		c.Set("k"+strconv.Itoa(i), i, 1, 0)
	}
	return c
}

// lruOrder returns the digits of the keys "k<digit>" of c's single shard,
// least recently used first.
func lruOrder(c *Cache[int]) string {
	s := ""
	for _, k := range c.shards[0].lru.keys() {
		s += k[1:]
	}
	return s
}

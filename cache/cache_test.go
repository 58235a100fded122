package cache_test

import (
	"errors"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/kithdb/kith/cache"
)

// fakeClock is a manual clock for one goroutine. It counts its reads.
type fakeClock struct {
	t     time.Time
	reads int
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (f *fakeClock) Now() time.Time {
	f.reads++
	return f.t
}

func (f *fakeClock) Advance(d time.Duration) { f.t = f.t.Add(d) }

// newCache returns a cache of ints on clk, with one shard.
func newCache(t testing.TB, entries int, maxBytes int64, clk *fakeClock) *cache.Cache[int] {
	t.Helper()
	return newShardedCache(t, entries, maxBytes, 1, clk)
}

// newShardedCache returns a cache of ints on clk with the given shards.
func newShardedCache(t testing.TB, entries int, maxBytes int64, shards int, clk *fakeClock) *cache.Cache[int] {
	t.Helper()
	c, err := cache.New[int](cache.Options{Entries: entries, MaxBytes: maxBytes, Now: clk.Now, Shards: shards})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// testShards are the shard counts of the tests whose outcome does not
// depend on sharding: those that fill no shard, so LRU order and byte
// bounds do not come in.
var testShards = []int{1, 2, 16}

// forShards runs f as a subtest for each of testShards.
func forShards(t *testing.T, f func(t *testing.T, shards int)) {
	t.Helper()
	for _, n := range testShards {
		t.Run("shards="+strconv.Itoa(n), func(t *testing.T) { f(t, n) })
	}
}

// wantStats fails t unless c's stats equal want.
func wantStats(t *testing.T, c *cache.Cache[int], want cache.Stats) {
	t.Helper()
	if got := c.Stats(); got != want {
		t.Fatalf("Stats() = %+v, want %+v", got, want)
	}
}

// wantKeys fails t unless exactly the keys of want are live with their values.
func wantKeys(t *testing.T, c *cache.Cache[int], want map[string]int, absent ...string) {
	t.Helper()
	for k, v := range want {
		if got, ok := c.Get(k); !ok || got != v {
			t.Errorf("Get(%q) = %d, %v; want %d, true", k, got, ok, v)
		}
	}
	for _, k := range absent {
		if got, ok := c.Get(k); ok {
			t.Errorf("Get(%q) = %d, true; want a miss", k, got)
		}
	}
}

func TestNew_RejectsBadOptions(t *testing.T) {
	for _, opts := range []cache.Options{
		{Entries: 0},
		{Entries: -1},
		{Entries: 1, MaxBytes: -1},
		{Entries: 1, Shards: -1},
		{Entries: 100, Shards: 3},
		{Entries: 100, Shards: 12},
		{Entries: 1000, Shards: 512},
	} {
		c, err := cache.New[int](opts)
		if !errors.Is(err, cache.ErrInvalidOptions) || c != nil {
			t.Errorf("New(%+v) = %v, %v; want nil, ErrInvalidOptions", opts, c, err)
		}
	}
	if _, err := cache.New[int](cache.Options{Entries: 1}); err != nil {
		t.Errorf("New(Entries: 1, Now: nil) = %v", err)
	}
}

func TestCache_EvictsOldestAtCapacity(t *testing.T) {
	c := newCache(t, 3, 0, newFakeClock())
	c.Set("a", 1, 1, 0)
	c.Set("b", 2, 1, 0)
	c.Set("c", 3, 1, 0)
	c.Set("d", 4, 1, 0)
	wantKeys(t, c, map[string]int{"b": 2, "c": 3, "d": 4}, "a")
	wantStats(t, c, cache.Stats{Hits: 3, Misses: 1, Evictions: 1, Entries: 3, Bytes: 3})
}

func TestCache_GetRefreshesRecency(t *testing.T) {
	c := newCache(t, 3, 0, newFakeClock())
	c.Set("a", 1, 1, 0)
	c.Set("b", 2, 1, 0)
	c.Set("c", 3, 1, 0)
	c.Get("a") // b is now the oldest
	c.Set("d", 4, 1, 0)
	wantKeys(t, c, map[string]int{"a": 1, "c": 3, "d": 4}, "b")
}

func TestCache_SetReplaceRefreshesRecency(t *testing.T) {
	c := newCache(t, 2, 0, newFakeClock())
	c.Set("a", 1, 1, 0)
	c.Set("b", 2, 1, 0)
	c.Set("a", 10, 1, 0) // replaces, b is now the oldest
	c.Set("c", 3, 1, 0)
	wantKeys(t, c, map[string]int{"a": 10, "c": 3}, "b")
	if s := c.Stats(); s.Evictions != 1 {
		t.Fatalf("Evictions = %d, want 1", s.Evictions)
	}
}

func TestCache_ByteBound(t *testing.T) {
	c := newCache(t, 100, 10, newFakeClock())
	c.Set("a", 1, 4, 0)
	c.Set("b", 2, 4, 0)
	c.Set("c", 3, 4, 0) // 12 > 10: a goes
	wantStats(t, c, cache.Stats{Evictions: 1, Entries: 2, Bytes: 8})
	c.Get("b")          // c is now the oldest
	c.Set("d", 4, 7, 0) // 15 > 10: c goes, then 11 > 10: b goes
	wantKeys(t, c, map[string]int{"d": 4}, "a", "b", "c")
	if s := c.Stats(); s.Evictions != 3 || s.Bytes != 7 || s.Entries != 1 {
		t.Fatalf("Stats() = %+v, want 3 evictions, 1 entry, 7 bytes", s)
	}
}

func TestCache_OversizeNotStored(t *testing.T) {
	c := newCache(t, 100, 10, newFakeClock())
	c.Set("a", 1, 4, 0)
	c.Set("b", 2, 4, 0)
	c.Set("b", 20, 11, 0) // too big alone: not stored, old b dropped, a kept
	wantKeys(t, c, map[string]int{"a": 1}, "b")
	if ok := c.Fill("c", 3, 11, 0, c.Token("c")); ok {
		t.Errorf("Fill of an oversize value = true, want false")
	}
	if s := c.Stats(); s.Evictions != 0 || s.Bytes != 4 || s.Entries != 1 {
		t.Fatalf("Stats() = %+v, want 0 evictions, 1 entry, 4 bytes", s)
	}
}

func TestCache_BytesExact(t *testing.T) { forShards(t, testBytesExact) }

func testBytesExact(t *testing.T, shards int) {
	clk := newFakeClock()
	c := newShardedCache(t, 100, 0, shards, clk)
	steps := []struct {
		name  string
		do    func()
		bytes int64
		n     int
	}{
		{"set a", func() { c.Set("a", 1, 10, 0) }, 10, 1},
		{"set b", func() { c.Set("b", 2, 20, time.Second) }, 30, 2},
		{"replace a bigger", func() { c.Set("a", 1, 15, 0) }, 35, 2},
		{"replace a smaller", func() { c.Set("a", 1, 5, 0) }, 25, 2},
		{"fill c", func() { c.Fill("c", 3, 7, 0, c.Token("c")) }, 32, 3},
		{"negative size", func() { c.Set("d", 4, -9, 0) }, 32, 4},
		{"remove a", func() { c.Remove("a") }, 27, 3},
		{"remove absent", func() { c.Remove("zz") }, 27, 3},
		{"expire b", func() { clk.Advance(time.Second); c.Get("b") }, 7, 2},
		{"purge", c.Purge, 0, 0},
		{"set after purge", func() { c.Set("a", 1, 3, 0) }, 3, 1},
	}
	for _, s := range steps {
		s.do()
		st := c.Stats()
		if st.Bytes != s.bytes || st.Entries != s.n || c.Len() != s.n {
			t.Fatalf("after %s: Bytes = %d, Entries = %d, Len = %d; want %d, %d",
				s.name, st.Bytes, st.Entries, c.Len(), s.bytes, s.n)
		}
		if st.Evictions != 0 {
			t.Fatalf("after %s: Evictions = %d, want 0", s.name, st.Evictions)
		}
	}
}

func TestCache_PurgeCountsNothing(t *testing.T) {
	forShards(t, func(t *testing.T, shards int) {
		c := newShardedCache(t, 10, 0, shards, newFakeClock())
		c.Set("a", 1, 1, 0)
		c.Get("a")
		c.Purge()
		wantStats(t, c, cache.Stats{Hits: 1})
	})
}

func TestNew_StartsNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	caches := make([]*cache.Cache[int], 100)
	for i := range caches {
		c, err := cache.New[int](cache.Options{Entries: 10, Shards: 4})
		if err != nil {
			t.Fatal(err)
		}
		c.Set(strconv.Itoa(i), i, 1, time.Millisecond)
		c.Get(strconv.Itoa(i))
		c.Purge()
		caches[i] = c
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Fatalf("goroutines: %d before, %d after 100 New+Set+Purge", before, after)
	}
	runtime.KeepAlive(caches)
}

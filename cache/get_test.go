package cache_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/kithdb/kith/cache"
)

func TestCache_HitMissCounting(t *testing.T) { forShards(t, testHitMissCounting) }

func testHitMissCounting(t *testing.T, shards int) {
	c := newShardedCache(t, 100, 0, shards, newFakeClock())
	if _, ok := c.Get("a"); ok {
		t.Fatal("Get on an empty cache hit")
	}
	c.Set("a", 1, 1, 0)
	if v, ok := c.Get("a"); !ok || v != 1 {
		t.Fatalf("Get(a) = %d, %v; want 1, true", v, ok)
	}
	c.Get("a")
	c.Get("b")
	wantStats(t, c, cache.Stats{Hits: 2, Misses: 2, Entries: 1, Bytes: 1})
}

func TestCache_TTL(t *testing.T) { forShards(t, testTTL) }

func testTTL(t *testing.T, shards int) {
	const ttl = time.Minute
	tests := []struct {
		name    string
		elapsed time.Duration
		live    bool
	}{
		{"just before", ttl - time.Nanosecond, true},
		{"at", ttl, false},
		{"after", ttl + time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock()
			c := newShardedCache(t, 100, 0, shards, clk)
			c.Set("a", 1, 5, ttl)
			clk.Advance(tt.elapsed)
			if _, ok := c.Get("a"); ok != tt.live {
				t.Fatalf("Get after %v: ok = %v, want %v", tt.elapsed, ok, tt.live)
			}
			want := cache.Stats{Hits: 1, Entries: 1, Bytes: 5}
			if !tt.live {
				want = cache.Stats{Misses: 1, Expirations: 1}
			}
			wantStats(t, c, want)
		})
	}
}

func TestCache_FillTTL(t *testing.T) { forShards(t, testFillTTL) }

func testFillTTL(t *testing.T, shards int) {
	clk := newFakeClock()
	c := newShardedCache(t, 100, 0, shards, clk)
	c.Fill("a", 1, 1, time.Second, c.Token("a"))
	clk.Advance(time.Second)
	if _, ok := c.Get("a"); ok {
		t.Fatal("filled entry alive at its deadline")
	}
}

func TestCache_ClockBackAndForth(t *testing.T) { forShards(t, testClockBackAndForth) }

// testClockBackAndForth checks that deadlines, kept as durations since the
// clock's first reading, hold when the clock goes back before that reading
// and forward again, and that a ttl too long to add still stores a live
// entry.
func testClockBackAndForth(t *testing.T, shards int) {
	clk := newFakeClock()
	c := newShardedCache(t, 100, 0, shards, clk)
	c.Set("a", 1, 1, time.Second) // the epoch: deadline 1s
	clk.Advance(-time.Hour)
	c.Set("b", 2, 1, time.Minute) // deadline 59m before the epoch
	wantKeys(t, c, map[string]int{"a": 1, "b": 2})
	clk.Advance(time.Hour + time.Second/2) // half a second after the epoch
	c.Set("forever", 3, 1, time.Duration(1<<63-1))
	wantKeys(t, c, map[string]int{"a": 1, "forever": 3}, "b")
	clk.Advance(time.Second / 2) // a's deadline
	wantKeys(t, c, map[string]int{"forever": 3}, "a")
	clk.Advance(100 * 365 * 24 * time.Hour)
	wantKeys(t, c, map[string]int{"forever": 3})
}

func TestCache_NonPositiveTTLNeverExpires(t *testing.T) { forShards(t, testNonPositiveTTLNeverExpires) }

func testNonPositiveTTLNeverExpires(t *testing.T, shards int) {
	clk := newFakeClock()
	c := newShardedCache(t, 100, 0, shards, clk)
	c.Set("zero", 1, 1, 0)
	c.Set("neg", 2, 1, -time.Second)
	clk.Advance(100 * 365 * 24 * time.Hour)
	wantKeys(t, c, map[string]int{"zero": 1, "neg": 2})
	if clk.reads != 0 {
		t.Errorf("clock read %d times with no deadline anywhere, want 0", clk.reads)
	}
}

func TestCache_SetOverExpiredCountsExpiration(t *testing.T) {
	forShards(t, testSetOverExpiredCountsExpiration)
}

func testSetOverExpiredCountsExpiration(t *testing.T, shards int) {
	clk := newFakeClock()
	c := newShardedCache(t, 100, 0, shards, clk)
	c.Set("a", 1, 3, time.Second)
	c.Set("b", 2, 3, time.Second)
	clk.Advance(time.Second)
	c.Set("a", 10, 4, 0)
	c.Fill("b", 20, 5, 0, c.Token("b"))
	wantStats(t, c, cache.Stats{Expirations: 2, Entries: 2, Bytes: 9})
	wantKeys(t, c, map[string]int{"a": 10, "b": 20})
}

func TestCache_GetMany(t *testing.T) { forShards(t, testGetMany) }

func testGetMany(t *testing.T, shards int) {
	clk := newFakeClock()
	c := newShardedCache(t, 100, 0, shards, clk)
	c.Set("a", 1, 1, 0)
	c.Set("b", 2, 1, time.Second)
	c.Set("c", 3, 1, time.Minute)
	clk.Advance(time.Second) // b expires
	clk.reads = 0

	keys := []string{"a", "b", "c", "x", "a"}
	got := make([]int, len(keys))
	n := c.GetMany(keys, func(i, v int) { got[i] = v })
	if want := []int{1, 0, 3, 0, 1}; n != 3 || !equal(got, want) {
		t.Fatalf("GetMany = %d, %v; want 3, %v", n, got, want)
	}
	if clk.reads != 1 {
		t.Errorf("GetMany read the clock %d times, want 1", clk.reads)
	}
	wantStats(t, c, cache.Stats{Hits: 3, Misses: 2, Expirations: 1, Entries: 2, Bytes: 2})
	if n := c.GetMany(nil, func(int, int) { t.Fatal("hit on no keys") }); n != 0 {
		t.Fatalf("GetMany(nil) = %d", n)
	}
}

// TestCache_GetManyLargeBatch checks GetMany against Get on batches of
// more than one group of keys (groupKeys, 128), with misses and repeated
// keys: each hit reports its own index and value, once.
func TestCache_GetManyLargeBatch(t *testing.T) { forShards(t, testGetManyLargeBatch) }

func testGetManyLargeBatch(t *testing.T, shards int) {
	c := newShardedCache(t, 1000, 0, shards, newFakeClock())
	for i := range 500 {
		c.Set(key(i), i, 1, time.Hour)
	}
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 2, 127, 128, 129, 300} {
		keys := make([]string, n)
		for i := range keys {
			keys[i] = key(r.IntN(800))
		}
		got := make([]int, n)
		seen := make([]int, n)
		hits := c.GetMany(keys, func(i, v int) { got[i] = v; seen[i]++ })
		want := 0
		for i, k := range keys {
			v, ok := c.Get(k)
			if ok {
				want++
			}
			if wantSeen := map[bool]int{true: 1}[ok]; seen[i] != wantSeen || ok && got[i] != v {
				t.Fatalf("batch of %d: key %d (%s): hit %d times with %d; Get gives %d, %v", n, i, k, seen[i], got[i], v, ok)
			}
		}
		if hits != want {
			t.Fatalf("batch of %d: GetMany = %d hits, Get finds %d", n, hits, want)
		}
	}
}

func TestCache_GetManyDoesNotAllocate(t *testing.T) { forShards(t, testGetManyDoesNotAllocate) }

func testGetManyDoesNotAllocate(t *testing.T, shards int) {
	c := newShardedCache(t, 1000, 0, shards, newFakeClock())
	keys := make([]string, 100)
	for i := range keys {
		keys[i] = key(i)
		if i%2 == 0 {
			c.Set(keys[i], i, 1, time.Hour)
		}
	}
	sum := 0
	hit := func(_ int, v int) { sum += v }
	if a := testing.AllocsPerRun(100, func() { c.GetMany(keys, hit) }); a != 0 {
		t.Fatalf("GetMany allocated %v times per run, want 0", a)
	}
	if a := testing.AllocsPerRun(100, func() { c.Get(keys[0]) }); a != 0 {
		t.Fatalf("Get allocated %v times per run, want 0", a)
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

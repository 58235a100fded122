package cache_test

import (
	"testing"
	"time"

	"github.com/kithdb/kith/cache"
)

// TestCache_ShardedCapacity fills a sharded cache far past Entries, with
// Entries not a multiple of Shards: the shards' capacities add up to
// Entries exactly, never more.
func TestCache_ShardedCapacity(t *testing.T) {
	for _, tc := range []struct{ entries, shards int }{
		{100, 16}, {64, 16}, {7, 4}, {3, 16}, {1, 256},
	} {
		c := newShardedCache(t, tc.entries, 0, tc.shards, newFakeClock())
		const sets = 2000
		for i := range sets {
			c.Set(key(i), i, 1, 0)
			if n := c.Len(); n > tc.entries {
				t.Fatalf("Entries %d, Shards %d: Len = %d after %d sets", tc.entries, tc.shards, n, i+1)
			}
		}
		// 2000 keys over at most 16 shards fill every shard.
		s := c.Stats()
		if s.Entries != tc.entries || c.Len() != tc.entries {
			t.Errorf("Entries %d, Shards %d: Stats().Entries = %d, Len = %d, want %d",
				tc.entries, tc.shards, s.Entries, c.Len(), tc.entries)
		}
		if s.Evictions != uint64(sets-tc.entries) || s.Bytes != int64(tc.entries) {
			t.Errorf("Entries %d, Shards %d: Stats() = %+v, want %d evictions and %d bytes",
				tc.entries, tc.shards, s, sets-tc.entries, tc.entries)
		}
	}
}

// TestCache_ShardedByteBound checks that the shards together stay within
// MaxBytes, each within its share, and that an entry over a shard's share
// is not stored.
func TestCache_ShardedByteBound(t *testing.T) {
	const maxBytes = 1000
	c := newShardedCache(t, 10_000, maxBytes, 4, newFakeClock()) // 250 bytes a shard
	for i := range 2000 {
		c.Set(key(i), i, 10+i%41, 0)
		if s := c.Stats(); s.Bytes > maxBytes {
			t.Fatalf("Bytes = %d over MaxBytes %d after %d sets", s.Bytes, maxBytes, i+1)
		}
	}
	if s := c.Stats(); s.Bytes < maxBytes/2 || s.Evictions == 0 {
		t.Errorf("Stats() = %+v: want the shards near full and evicting", s)
	}

	c = newShardedCache(t, 100, maxBytes, 4, newFakeClock())
	c.Set("a", 1, 250, 0) // a shard's share: stored
	if _, ok := c.Get("a"); !ok {
		t.Fatal("entry of a shard's share of MaxBytes not stored")
	}
	c.Set("a", 2, 251, 0) // over it: not stored, old a dropped
	if _, ok := c.Get("a"); ok {
		t.Fatal("entry over a shard's share of MaxBytes stored")
	}
	if c.Fill("b", 3, 251, 0, c.Token("b")) {
		t.Fatal("Fill over a shard's share of MaxBytes = true")
	}
	if s := c.Stats(); s.Bytes != 0 || s.Entries != 0 || s.Evictions != 0 {
		t.Fatalf("Stats() = %+v, want empty, no evictions", s)
	}
}

// TestCache_ShardedSmallBounds: with fewer entries or bytes than shards,
// New uses fewer shards, so that every shard holds something.
func TestCache_ShardedSmallBounds(t *testing.T) {
	c := newShardedCache(t, 100, 3, 16, newFakeClock()) // 2 shards, 1 and 2 bytes
	c.Set("a", 1, 1, 0)
	if _, ok := c.Get("a"); !ok {
		t.Fatal("1-byte entry not stored with MaxBytes 3, Shards 16")
	}
	for i := range 100 {
		c.Set(key(i), i, 1, 0)
		if s := c.Stats(); s.Bytes > 3 {
			t.Fatalf("Bytes = %d over MaxBytes 3", s.Bytes)
		}
	}
}

// TestCache_ShardedStatsSum spreads hits, misses, expirations and evictions
// over the shards and checks that Stats adds them all up.
func TestCache_ShardedStatsSum(t *testing.T) {
	clk := newFakeClock()
	c := newShardedCache(t, 1000, 0, 16, clk)
	for i := range 400 {
		ttl := time.Duration(0)
		if i%4 == 0 {
			ttl = time.Second // 100 of them expire
		}
		c.Set(key(i), i, 3, ttl)
	}
	clk.Advance(time.Second)
	keys := make([]string, 500) // 400 stored, 100 never stored
	for i := range keys {
		keys[i] = key(i)
	}
	if n := c.GetMany(keys[:100], func(int, int) {}); n != 75 {
		t.Fatalf("GetMany hits = %d, want 75", n)
	}
	for _, k := range keys[100:] {
		c.Get(k)
	}
	// Hits: 300 live. Misses: 100 expired + 100 never stored.
	wantStats(t, c, cache.Stats{Hits: 300, Misses: 200, Expirations: 100, Entries: 300, Bytes: 900})
	c.Remove(key(1))
	c.Purge()
	wantStats(t, c, cache.Stats{Hits: 300, Misses: 200, Expirations: 100})
}

// TestCache_ShardedFillProtocol runs the Token, Fill, Set and Remove
// protocol on keys of every shard, and checks that a write to one key
// leaves fills of keys in other slots alone.
func TestCache_ShardedFillProtocol(t *testing.T) {
	c := newShardedCache(t, 10_000, 0, 16, newFakeClock())
	const n = 512 // more keys than slots and shards
	toks := make([]cache.Token, n)
	for i := range n {
		toks[i] = c.Token(key(i))
	}
	for i := 0; i < n; i += 2 { // writers touch the even keys
		if i%4 == 0 {
			c.Set(key(i), -i, 1, 0)
		} else {
			c.Remove(key(i))
		}
	}
	for i := range n {
		filled := c.Fill(key(i), i, 1, 0, toks[i])
		moved := c.Token(key(i)) != toks[i]
		if i%2 == 0 && filled {
			t.Fatalf("Fill(%q) with a token from before its write = true", key(i))
		}
		if filled == moved {
			t.Fatalf("Fill(%q) = %v, but its slot moved = %v", key(i), filled, moved)
		}
		v, ok := c.Get(key(i))
		switch {
		case filled && (!ok || v != i):
			t.Fatalf("Get(%q) = %d, %v after a fill of %d", key(i), v, ok, i)
		case !filled && i%4 == 0 && (!ok || v != -i):
			t.Fatalf("Get(%q) = %d, %v, want the Set value %d", key(i), v, ok, -i)
		case !filled && i%4 == 2 && ok:
			t.Fatalf("Get(%q) = %d after Remove and a dropped fill", key(i), v)
		}
	}
	c.Purge() // invalidates the fills of every shard
	for i := range n {
		tok := toks[i]
		if c.Fill(key(i), i, 1, 0, tok) {
			t.Fatalf("Fill(%q) with a token from before Purge = true", key(i))
		}
	}
}

// TestCache_GetManyPanicReleasesLock: a hit callback that panics leaves
// no shard locked.
func TestCache_GetManyPanicReleasesLock(t *testing.T) {
	forShards(t, func(t *testing.T, shards int) {
		c := newShardedCache(t, 1000, 0, shards, newFakeClock())
		keys := make([]string, 50)
		for i := range keys {
			keys[i] = key(i)
			c.Set(keys[i], i, 1, 0)
		}
		for _, at := range []int{0, 25, 49} {
			func() {
				defer func() {
					if recover() == nil {
						t.Fatal("hit's panic did not reach the caller")
					}
				}()
				c.GetMany(keys, func(i, _ int) {
					if i == at {
						panic("hit")
					}
				})
			}()
			if n := c.GetMany(keys, func(int, int) {}); n != len(keys) { // would deadlock
				t.Fatalf("GetMany after a panic = %d hits, want %d", n, len(keys))
			}
		}
	})
}

// TestCache_ShardedGetManyLong looks up more keys than GetMany groups at a
// time, with hits, misses and repeats, and checks each index's answer.
func TestCache_ShardedGetManyLong(t *testing.T) {
	forShards(t, func(t *testing.T, shards int) {
		c := newShardedCache(t, 10_000, 0, shards, newFakeClock())
		keys := make([]string, 1000)
		for i := range keys {
			keys[i] = key(i % 400) // each key 2 or 3 times
			if i < 400 && i%3 != 0 {
				c.Set(keys[i], i, 1, 0)
			}
		}
		got := make([]int, len(keys))
		calls := 0
		n := c.GetMany(keys, func(i, v int) {
			got[i] = v + 1
			calls++
		})
		want := 0
		for i := range keys {
			j := i % 400
			switch {
			case j%3 != 0 && got[i] != j+1:
				t.Fatalf("index %d (%s): got %d, want %d", i, keys[i], got[i]-1, j)
			case j%3 == 0 && got[i] != 0:
				t.Fatalf("index %d (%s): hit %d, want a miss", i, keys[i], got[i]-1)
			}
			if j%3 != 0 {
				want++
			}
		}
		if n != want || calls != want {
			t.Fatalf("GetMany = %d, %d calls; want %d", n, calls, want)
		}
		if s := c.Stats(); s.Hits != uint64(want) || s.Misses != uint64(len(keys)-want) {
			t.Fatalf("Stats() = %+v, want %d hits, %d misses", s, want, len(keys)-want)
		}
	})
}

package cache_test

import (
	"strconv"
	"testing"

	"github.com/kithdb/kith/cache"
)

// key returns the i-th test key.
func key(i int) string { return "user-" + strconv.Itoa(i) }

func TestCache_FillAccepted(t *testing.T) {
	forShards(t, testFillAccepted)
}

func testFillAccepted(t *testing.T, shards int) {
	c := newShardedCache(t, 10, 0, shards, newFakeClock())
	tok := c.Token("a")
	if !c.Fill("a", 1, 1, 0, tok) {
		t.Fatal("Fill with a fresh token = false")
	}
	// The token stays valid: a fill does not bump the generation.
	if !c.Fill("a", 2, 1, 0, tok) {
		t.Fatal("second Fill with the same token = false")
	}
	wantKeys(t, c, map[string]int{"a": 2})
}

func TestCache_FillDroppedAfterWrite(t *testing.T) {
	writes := []struct {
		name  string
		write func(c *cache.Cache[int])
	}{
		{"set", func(c *cache.Cache[int]) { c.Set("a", 2, 1, 0) }},
		{"remove", func(c *cache.Cache[int]) { c.Remove("a") }},
		{"purge", func(c *cache.Cache[int]) { c.Purge() }},
	}
	forShards(t, func(t *testing.T, shards int) {
		for _, w := range writes {
			t.Run(w.name, func(t *testing.T) {
				c := newShardedCache(t, 10, 0, shards, newFakeClock())
				c.Set("a", 0, 1, 0)
				tok := c.Token("a") // reader takes its token, then reads 1 from the source
				w.write(c)          // writer writes the source, then the cache
				if c.Fill("a", 1, 1, 0, tok) {
					t.Fatal("Fill after a write = true, want false")
				}
				if v, ok := c.Get("a"); ok && v != 2 {
					t.Fatalf("Get(a) = %d after a dropped fill, want 2 or a miss", v)
				}
			})
		}
	})
}

func TestCache_FillAcceptedAfterEarlierWrite(t *testing.T) {
	forShards(t, testFillAcceptedAfterEarlierWrite)
}

func testFillAcceptedAfterEarlierWrite(t *testing.T, shards int) {
	c := newShardedCache(t, 10, 0, shards, newFakeClock())
	c.Set("a", 1, 1, 0)
	c.Remove("a")
	tok := c.Token("a") // taken after the writes: the read sees them
	if !c.Fill("a", 3, 1, 0, tok) {
		t.Fatal("Fill with a token taken after the writes = false")
	}
	wantKeys(t, c, map[string]int{"a": 3})
}

func TestCache_WriteLeavesOtherSlotsValid(t *testing.T) {
	forShards(t, testWriteLeavesOtherSlotsValid)
}

func testWriteLeavesOtherSlotsValid(t *testing.T, shards int) {
	c := newShardedCache(t, 10, 0, shards, newFakeClock())
	// Find a key in another slot than "a": its token does not move.
	for i := 0; ; i++ {
		other := key(i)
		tok := c.Token(other)
		c.Set("a", 1, 1, 0)
		if c.Token(other) != tok {
			continue // shares a's slot
		}
		if !c.Fill(other, 2, 1, 0, tok) {
			t.Fatalf("Fill(%q) dropped after a write to another slot", other)
		}
		return
	}
}

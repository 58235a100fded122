package cache_test

import (
	"testing"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/kithdb/kith/cache"
)

const benchKeys = 1024 // a power of two: key i&(benchKeys-1)

// benchCache returns a real-clock cache holding benchKeys keys with ttl.
func benchCache(b *testing.B, ttl time.Duration) (*cache.Cache[int], []string) {
	c, err := cache.New[int](cache.Options{Entries: 2 * benchKeys})
	if err != nil {
		b.Fatal(err)
	}
	keys := make([]string, benchKeys)
	for i := range keys {
		keys[i] = key(i)
		c.Set(keys[i], i, 100, ttl)
	}
	return c, keys
}

func BenchmarkCache_Get(b *testing.B) {
	for _, ttl := range []struct {
		name string
		d    time.Duration
	}{{"none", 0}, {"1h", time.Hour}} {
		b.Run("ttl="+ttl.name+"/mode=serial", func(b *testing.B) {
			c, keys := benchCache(b, ttl.d)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				c.Get(keys[i&(benchKeys-1)])
			}
		})
		b.Run("ttl="+ttl.name+"/mode=parallel", func(b *testing.B) {
			c, keys := benchCache(b, ttl.d)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for i := 0; pb.Next(); i++ {
					c.Get(keys[i&(benchKeys-1)])
				}
			})
		})
	}
}

func BenchmarkCache_GetMany(b *testing.B) {
	c, keys := benchCache(b, time.Hour)
	batch := make([]string, 100)
	for i := range batch {
		batch[i] = keys[i*7%benchKeys]
	}
	sum := 0
	hit := func(_ int, v int) { sum += v }
	b.Run("keys=100", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.GetMany(batch, hit)
		}
	})
}

// BenchmarkLRUBaseline_Get is golang-lru's thread-safe lru.Cache (one
// mutex, no TTL, no clock): the floor for BenchmarkCache_Get.
func BenchmarkLRUBaseline_Get(b *testing.B) {
	c, err := lru.New[string, int](2 * benchKeys)
	if err != nil {
		b.Fatal(err)
	}
	keys := make([]string, benchKeys)
	for i := range keys {
		keys[i] = key(i)
		c.Add(keys[i], i)
	}
	b.Run("mode=serial", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			c.Get(keys[i&(benchKeys-1)])
		}
	})
	b.Run("mode=parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for i := 0; pb.Next(); i++ {
				c.Get(keys[i&(benchKeys-1)])
			}
		})
	})
}

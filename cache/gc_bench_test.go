package cache_test

import (
	"runtime"
	"strconv"
	"testing"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/kithdb/kith/cache"
)

// gcRecord stands for a cached value: a pointer to a record of its own,
// as the engine caches a decoded profile.
type gcRecord struct {
	id   int
	name string
}

// gcEntries is how many entries the collection benchmarks hold: a cache of
// a 1M-user store.
const gcEntries = 1_000_000

// BenchmarkCache_GC is the time of one full collection (runtime.GC) while
// a 16-shard cache holds gcEntries records, beside BenchmarkLRUBaseline_GC:
// what the collector pays for each cache on every cycle. Both have room
// for twice the records, as shards fill unevenly. Run it on its
// own (-bench 'GC$'): a collection marks whatever else the process holds,
// such as the fixtures of other benchmarks.
func BenchmarkCache_GC(b *testing.B) {
	c, err := cache.New[*gcRecord](cache.Options{Entries: 2 * gcEntries, Shards: 16})
	if err != nil {
		b.Fatal(err)
	}
	for i := range gcEntries {
		c.Set(key(i), &gcRecord{id: i, name: strconv.Itoa(i)}, 100, time.Hour)
	}
	benchGC(b)
	if c.Len() != gcEntries {
		b.Fatalf("cache holds %d entries, want %d", c.Len(), gcEntries)
	}
}

// BenchmarkLRUBaseline_GC is BenchmarkCache_GC with golang-lru's
// lru.Cache holding the same records.
func BenchmarkLRUBaseline_GC(b *testing.B) {
	l, err := lru.New[string, *gcRecord](2 * gcEntries)
	if err != nil {
		b.Fatal(err)
	}
	for i := range gcEntries {
		l.Add(key(i), &gcRecord{id: i, name: strconv.Itoa(i)})
	}
	benchGC(b)
	if l.Len() != gcEntries {
		b.Fatalf("lru holds %d entries, want %d", l.Len(), gcEntries)
	}
}

// benchGC times runtime.GC, once per iteration, and reports the heap's
// live objects after the last one.
func benchGC(b *testing.B) {
	runtime.GC()
	b.ResetTimer()
	for b.Loop() {
		runtime.GC()
	}
	b.StopTimer()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapObjects), "heap-objects")
}

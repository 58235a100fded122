package cache_test

import (
	"math/rand/v2"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
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

// The GetMany benchmarks read batches of manyBatch random keys out of
// manyKeys (or hotKeys) cached ones, as engine's GetProfiles does on cache
// hits.
const (
	manyKeys  = 100_000
	hotKeys   = 10_000 // as many as bench's social graph has users
	manyBatch = 100
	manySeq   = 1 << 17 // random key sequence the batches are windows of
)

var manyShards = []int{1, 4, 16}

// manyFixture is, for one key count, a filled cache per shard count, a
// filled lru.Cache, and a random key sequence.
type manyFixture struct {
	seq    []string // manySeq+manyBatch random picks from the keys
	caches map[int]*cache.Cache[int]
	lru    *lru.Cache[string, int]
}

// manyFixtures are built once per test binary and key count: benchmark
// functions run several times (b.N ramp, -cpu, -count).
var manyFixtures sync.Map // nkeys -> func() *manyFixture

func loadManyFixture(b *testing.B, nkeys int) *manyFixture {
	once, _ := manyFixtures.LoadOrStore(nkeys, sync.OnceValue(func() *manyFixture {
		return newManyFixture(nkeys)
	}))
	f := once.(func() *manyFixture)()
	b.ResetTimer()
	return f
}

func newManyFixture(nkeys int) *manyFixture {
	keys := make([]string, nkeys)
	for i := range keys {
		keys[i] = key(i)
	}
	f := &manyFixture{seq: make([]string, manySeq+manyBatch), caches: map[int]*cache.Cache[int]{}}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range f.seq {
		f.seq[i] = keys[r.IntN(nkeys)]
	}
	for _, n := range manyShards {
		// Twice the keys: shards fill unevenly, and every key must stay.
		c, err := cache.New[int](cache.Options{Entries: 2 * nkeys, Shards: n})
		if err != nil {
			panic(err)
		}
		for i, k := range keys {
			c.Set(k, i, 100, time.Hour)
		}
		f.caches[n] = c
	}
	l, err := lru.New[string, int](2 * nkeys)
	if err != nil {
		panic(err)
	}
	for i, k := range keys {
		l.Add(k, i)
	}
	f.lru = l
	return f
}

// manyStart spreads the goroutines of one benchmark over the sequence.
var manyStart atomic.Uint64

func startOffset() int {
	return int(manyStart.Add(1) * 7919 * manyBatch % manySeq)
}

// next returns the batch at *off and advances *off.
func (f *manyFixture) next(off *int) []string {
	batch := f.seq[*off : *off+manyBatch]
	*off += manyBatch
	if *off >= manySeq {
		*off -= manySeq
	}
	return batch
}

// checkHits fails b unless every key of a batch hit.
func checkHits(b *testing.B, n int) {
	if n != manyBatch {
		b.Errorf("%d hits in a batch, want %d", n, manyBatch)
	}
}

// BenchmarkCache_GetManyParallel is GetMany of 100 random keys out of 100k
// cached ones from every goroutine at once. Run it with -cpu=1,2: at
// -cpu=1 it is one goroutine, and ns/op(-cpu=1) / ns/op(-cpu=2) is the
// scaling.
func BenchmarkCache_GetManyParallel(b *testing.B) { benchGetManyParallel(b, manyKeys) }

// BenchmarkCache_GetManyParallelHot is BenchmarkCache_GetManyParallel on
// 10k keys, a working set that mostly fits in the CPU caches.
func BenchmarkCache_GetManyParallelHot(b *testing.B) { benchGetManyParallel(b, hotKeys) }

// BenchmarkCache_GetManySerial is BenchmarkCache_GetManyParallel from one
// goroutine, whatever -cpu.
func BenchmarkCache_GetManySerial(b *testing.B) {
	for _, n := range manyShards {
		b.Run("shards="+strconv.Itoa(n), func(b *testing.B) {
			f := loadManyFixture(b, manyKeys)
			getManySerial(b, f, f.caches[n])
		})
	}
}

// getManySerial runs GetMany on c over f's batches, one per iteration.
func getManySerial(b *testing.B, f *manyFixture, c *cache.Cache[int]) {
	b.ReportAllocs()
	off := startOffset()
	hit := func(int, int) {}
	for b.Loop() {
		if got := c.GetMany(f.next(&off), hit); got != manyBatch {
			checkHits(b, got)
		}
	}
}

func benchGetManyParallel(b *testing.B, nkeys int) {
	for _, n := range manyShards {
		b.Run("shards="+strconv.Itoa(n), func(b *testing.B) {
			f := loadManyFixture(b, nkeys)
			c := f.caches[n]
			b.ReportAllocs()
			u := readUsage()
			b.RunParallel(func(pb *testing.PB) {
				off := startOffset()
				hit := func(int, int) {}
				for pb.Next() {
					if got := c.GetMany(f.next(&off), hit); got != manyBatch {
						checkHits(b, got)
					}
				}
			})
			reportUsage(b, u)
		})
	}
}

// BenchmarkCache_GetMany10 is engine's GetProfiles of the tao mix on a
// 1M-user store: GetMany of 10 random keys out of 1M cached ones, from one
// goroutine and from every goroutine at once, per shard count. With keys
// spread over gigabytes, what a batch costs is its cache misses, and how
// many of them wait for one another (see getSomeUnlock).
func BenchmarkCache_GetMany10(b *testing.B) {
	const batch = 10
	for _, mode := range []string{"serial", "parallel"} {
		for _, n := range manyShards {
			b.Run(mode+"/shards="+strconv.Itoa(n), func(b *testing.B) {
				f := loadManyFixture(b, 1_000_000)
				c := f.caches[n]
				b.ReportAllocs()
				loop := func(next func() bool) {
					off := startOffset()
					hit := func(int, int) {}
					for next() {
						if got := c.GetMany(f.next(&off)[:batch], hit); got != batch {
							b.Errorf("%d hits in a batch, want %d", got, batch)
						}
					}
				}
				if mode == "serial" {
					loop(b.Loop)
					return
				}
				b.RunParallel(func(pb *testing.PB) { loop(pb.Next) })
			})
		}
	}
}

// BenchmarkCache_GetManyScaling is BenchmarkCache_GetManySerial with 16
// shards (the engine's profile cache) over 10k, 100k and 1M cached keys,
// beside BenchmarkLRUBaseline_GetManyScaling: how much a hit costs more
// once the cache outgrows the CPU caches, which is most of what a 1M-user
// store pays more than a 100k one per call (docs/PERFORMANCE.md).
func BenchmarkCache_GetManyScaling(b *testing.B) {
	for _, nkeys := range scalingKeys {
		b.Run("keys="+strconv.Itoa(nkeys), func(b *testing.B) {
			f := loadManyFixture(b, nkeys)
			getManySerial(b, f, f.caches[16])
		})
	}
}

// BenchmarkLRUBaseline_GetManyScaling is golang-lru's lru.Cache, one Get
// per key, over the key counts of BenchmarkCache_GetManyScaling.
func BenchmarkLRUBaseline_GetManyScaling(b *testing.B) {
	for _, nkeys := range scalingKeys {
		b.Run("keys="+strconv.Itoa(nkeys), func(b *testing.B) { lruGetSerial(b, loadManyFixture(b, nkeys)) })
	}
}

var scalingKeys = []int{hotKeys, manyKeys, 1_000_000}

// BenchmarkLRUBaseline_GetMany is the same 100 reads as GetMany, one Get
// each, through golang-lru's lru.Cache (one mutex, no TTL, no clock).
func BenchmarkLRUBaseline_GetMany(b *testing.B) { benchLRUGetMany(b, manyKeys) }

// BenchmarkLRUBaseline_GetManyHot is BenchmarkLRUBaseline_GetMany on 10k
// keys.
func BenchmarkLRUBaseline_GetManyHot(b *testing.B) { benchLRUGetMany(b, hotKeys) }

// lruGetBatch Gets each key of batch from c and returns the hits.
func lruGetBatch(c *lru.Cache[string, int], batch []string) int {
	n := 0
	for _, k := range batch {
		if _, ok := c.Get(k); ok {
			n++
		}
	}
	return n
}

// lruGetSerial runs lruGetBatch on f's lru over f's batches, one per
// iteration.
func lruGetSerial(b *testing.B, f *manyFixture) {
	b.ReportAllocs()
	off := startOffset()
	for b.Loop() {
		if got := lruGetBatch(f.lru, f.next(&off)); got != manyBatch {
			checkHits(b, got)
		}
	}
}

func benchLRUGetMany(b *testing.B, nkeys int) {
	b.Run("mode=serial", func(b *testing.B) { lruGetSerial(b, loadManyFixture(b, nkeys)) })
	b.Run("mode=parallel", func(b *testing.B) {
		f := loadManyFixture(b, nkeys)
		b.ReportAllocs()
		u := readUsage()
		b.RunParallel(func(pb *testing.PB) {
			off := startOffset()
			for pb.Next() {
				if got := lruGetBatch(f.lru, f.next(&off)); got != manyBatch {
					checkHits(b, got)
				}
			}
		})
		reportUsage(b, u)
	})
}

// usage is what a parallel benchmark consumed besides wall time.
type usage struct {
	cpu     time.Duration // process CPU time
	cpuOK   bool
	mutexNs float64 // time goroutines spent blocked on mutexes
}

var mutexWait = []metrics.Sample{{Name: "/sync/mutex/wait/total:seconds"}}

func readUsage() usage {
	var u usage
	u.cpu, u.cpuOK = processCPU()
	metrics.Read(mutexWait)
	if mutexWait[0].Value.Kind() == metrics.KindFloat64 {
		u.mutexNs = mutexWait[0].Value.Float64() * 1e9
	}
	return u
}

// reportUsage reports, per op since start, the process's CPU time
// (cpu-ns/op) and the time goroutines spent blocked on a mutex
// (mutexwait-ns/op). On a machine shared with other work, ns/op at -cpu=2
// depends on what the neighbours run; these two say whether the cache
// itself costs more per op (cpu-ns/op up) or serialises (mutexwait-ns/op
// up) when goroutines run in parallel.
func reportUsage(b *testing.B, start usage) {
	end := readUsage()
	if end.cpuOK && start.cpuOK {
		b.ReportMetric(float64(end.cpu-start.cpu)/float64(b.N), "cpu-ns/op")
	}
	b.ReportMetric((end.mutexNs-start.mutexNs)/float64(b.N), "mutexwait-ns/op")
}

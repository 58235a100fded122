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
)

// checkInvariants fails t unless c's byte count is the sum of the sizes of
// its entries and both bounds hold.
func checkInvariants(t *testing.T, c *Cache[int], entries int) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	var sum int64
	keys := c.lru.Keys()
	for _, k := range keys {
		e, ok := c.lru.Peek(k)
		if !ok {
			t.Fatalf("key %q listed but absent", k)
		}
		sum += e.size
	}
	if c.bytes != sum {
		t.Errorf("bytes = %d, sum of entry sizes = %d", c.bytes, sum)
	}
	if len(keys) > entries || c.lru.Len() != len(keys) {
		t.Errorf("Len = %d, %d keys, Entries = %d", c.lru.Len(), len(keys), entries)
	}
	if c.maxBytes > 0 && c.bytes > c.maxBytes {
		t.Errorf("bytes = %d over MaxBytes = %d", c.bytes, c.maxBytes)
	}
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
// fill left a value older than the source's.
func TestCache_Concurrent(t *testing.T) {
	const (
		entries = 24
		nkeys   = 32
		workers = 6
		ops     = 3000
	)
	var clock atomic.Int64
	c, err := New[int](Options{Entries: entries, MaxBytes: 150, Now: func() time.Time {
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
		c.mu.Lock()
		e, ok := c.lru.Peek(k)
		c.mu.Unlock()
		if want, _ := src.read(k); ok && e.v != want {
			t.Errorf("cache holds %q = %d, source has %d", k, e.v, want)
		}
	}
}

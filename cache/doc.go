// Package cache is a string-keyed LRU cache with a per-entry time to live,
// checked lazily. Package engine keeps decoded, immutable profiles in it.
//
// # What it owns
//
// A Cache owns its entries and the LRU order over them (an array of
// nodes linked by index: see lru.go for why not golang-lru's simplelru,
// which its benchmarks keep as a baseline; table.go finds a key's node),
// a byte count, hit, miss, eviction and
// expiration counters, and 256 write generations used as fill tokens. It
// knows nothing of kith: V is any value type, stored and returned as is,
// never copied deeply or modified. Give it immutable values (or pointers to
// them): a value returned by Get is shared with every other reader.
//
// Capacity is Options.Entries entries and, optionally, Options.MaxBytes
// bytes as sized by the caller. Past either, the least recently used
// entries are evicted.
//
// With Options.Shards > 1 the cache is that many independent LRUs, each
// with its own lock, Entries/Shards entries, MaxBytes/Shards bytes and
// counters; a key's hash picks its shard. Eviction is then LRU within a
// shard and only approximately LRU overall, an entry larger than
// MaxBytes/Shards is not stored, and Stats and Len add the shards up. The
// fill tokens and expiry work per key exactly as without shards.
//
// # Expiry
//
// Set and Fill take a ttl; ttl <= 0 means the entry never expires. An entry
// stored at time t is live while now < t+ttl and expired from t+ttl on.
// Expiry is lazy: no goroutine reaps entries. An expired entry is removed
// when Get or GetMany meets it (an expiration and a miss), or when Set or
// Fill replaces it (an expiration); until then it counts in Len and may be
// evicted like any other entry. The clock is Options.Now, read at most once
// per call (GetMany included, whatever the shards it visits) and only when
// the call meets or stores an entry with a deadline.
//
// # Consistency
//
// A read-through fill must not overwrite a newer write-through value. A
// reader that read v1 from the source, then lost the CPU while a writer
// wrote v2 to the source and Set it, must not put v1 back in the cache.
// Fill tokens prevent it:
//
//  1. Reader: tok := c.Token(key), then read v from the source, then
//     c.Fill(key, v, size, ttl, tok).
//  2. Writer: write v2 to the source (durably), then c.Set(key, v2, ...);
//     or, if the cache should just forget key, c.Remove(key).
//
// Each key hashes (hash/maphash, per-cache seed) to one of 256 slots, each
// holding a generation counter; the same hash, computed once per call,
// picks the key's shard (its low bits the slot, its high bits the shard).
// Token is an atomic load of the slot's generation and takes no lock. Set
// and Remove increment it under the lock of the key's shard before they
// store or remove; Purge, holding every shard's lock, increments all of
// them. Fill compares the slot's generation with tok under the lock of the
// key's shard and drops v on a mismatch.
//
// Why no stale value survives: the lock of the key's shard orders the
// writer's Set or Remove (S) and the reader's Fill (F). Let T be the reader's Token load and R its source
// read, so T < R < F.
//   - S before T (T sees the bumped generation): the writer's source write
//     happened before S, so before R: v is at least as new as v2, and F
//     stores it legitimately.
//   - T before S, S before F: F sees a generation other than tok and drops
//     v. The cache keeps v2.
//   - F before S: v goes in first, then S replaces it with v2 (or removes
//     it).
//
// In every order the cache ends with v2, a newer value, or nothing. Two keys sharing
// a slot, in one shard or in two, only make a fill drop needlessly: the
// counters only grow, so a bump by another key can fail a check but never
// make a stale one pass. The next read fills again. The counters are 64-bit
// and do not wrap in practice.
//
// The protocol assumes the writer calls Set after its source write is
// visible to readers, and that Sets of one key come in the order of the
// source's writes (the caller holds the key's write lock across both). Set
// is authoritative: it checks no token.
//
// # Concurrency
//
// A Cache is safe for concurrent use by multiple goroutines. Each shard
// has a sync.Mutex that guards its entries, LRU order, byte count and
// counters, and every method except Token takes it: even Get, since a hit
// moves the entry to the front of the shard's LRU list. Len, Stats and
// Purge take every shard's lock, in shard order, and so see a consistent
// snapshot. No call waits for one shard's lock while it holds another's.
// The GetMany callback runs with a shard's lock held and must not call
// back into the cache.
//
// GetMany sorts a batch's key indices by shard on its stack, 128 keys at
// a time, and takes each shard it needs once: first those it can lock
// without waiting, then the rest. It calls hit grouped by shard; with one
// shard, that is one lock per 128 keys, in the order of keys.
//
// When to shard: with one shard (the default) a GetMany of 100 keys holds
// the lock for its whole batch, so concurrent batches queue and a second
// CPU adds nothing. Measured on the 2-core VM kith targets
// (BenchmarkCache_GetManyParallel and ...Hot: 100 random keys of 100k or
// 10k cached ones; medians over 173 interleaved rounds, since single runs
// vary by half on this shared machine), throughput from 1 to 2 goroutines:
//
//	keys   shards=1   4      8      16     lru.Cache, 100 Gets
//	10k    0.73x      1.36x  1.53x  1.56x  0.78x
//	100k   0.95x      1.56x  2.05x  2.29x  0.79x
//
// At 2 goroutines, 16 shards serve 1.2x (10k keys) and 2.6x (100k) the
// batches of golang-lru's single-mutex lru.Cache. On one goroutine they
// cost 1.3x one shard on 10k keys (hashing each key to its shard and
// grouping the batch), about the same on 100k (memory-bound).
//
// Those were measured before a shard looked its keys up together. Since
// the eleventh stop it reads the keys' slots, then their nodes, then
// their keys' bytes, each in one pass, and only then looks them up, so
// that the cache misses of a batch's keys in one shard overlap instead of
// waiting for one another. A batch then gains from finding several of its
// keys in each shard it visits, and fewer shards serve more: GetMany of
// 10 keys out of 1M from 2 goroutines (BenchmarkCache_GetMany10) took
// 1.23–1.31 µs with 4 shards, 1.52–2.00 with 16 and 1.58–1.64 with one,
// where before the change it took 1.69–2.52, 2.00–2.77 and 3.97–5.69;
// 100 keys out of 100k (GetManyParallel) 2.31–3.26 µs with 4 shards,
// 3.38–4.47 with 16. So use about two shards per CPU reading the cache
// concurrently (4 on two CPUs; engine uses at most 16), and 1 on one CPU.
//
// What caps the scaling on a working set that fits the CPU caches is the
// LRU itself: a hit that moves its entry to the front rewrites the list
// pointers of the entry, its neighbours and the shard's list head, cache
// lines that the other CPU most likely wrote last. Grouping a batch by
// shard makes that one visit per shard and batch instead of about six.
// And a hit moves its entry only when the entry could be evicted soon
// (half the shard's capacity went to the front since the entry last did,
// or, when the byte bound decides, it is in the back half of the list):
// the order among recently used entries is approximate, and an entry used
// more often than half the capacity is inserted is never evicted. Measured
// alternating with the strict LRU in one session (10k keys, half the
// capacity, batches of 100): GetManyParallel/shards=16 14.2–19.9 µs per
// batch before, 7.6–13.0 after; GetManySerial/shards=16 43–64 before,
// 27–34 after; a single Get is unchanged (54–58 ns before, 56–67 after).
//
// Those figures were measured when each shard was a golang-lru simplelru.
// With its own array LRU (lru.go), in three runs alternating with the
// simplelru build: GetManyParallel/shards=16 3.4–3.8 µs per batch against
// 5.9–10.7 µs, shards=1 7.0–7.9 against 11.4–19.2; a single Get 36–37 ns
// against 51–55. And a full collection while 1M entries are held
// (BenchmarkCache_GC) takes 16.5–17.1 ms against 138–152 ms: the
// collector follows an entry's key and value and nothing else.
//
// The cache starts no goroutine, so it needs no Close. It does not use
// golang-lru/v2/expirable, whose v2.0.7 starts a reaper goroutine per cache
// that never exits.
//
// # Status
//
// A building block of kith with no compatibility promise; use package
// engine.
package cache

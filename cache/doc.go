// Package cache is a string-keyed LRU cache with a per-entry time to live,
// checked lazily. Package engine keeps decoded, immutable profiles in it.
//
// # What it owns
//
// A Cache owns its entries and the LRU order over them
// (golang-lru/v2 simplelru), a byte count, hit, miss, eviction and
// expiration counters, and 256 write generations used as fill tokens. It
// knows nothing of kith: V is any value type, stored and returned as is,
// never copied deeply or modified. Give it immutable values (or pointers to
// them): a value returned by Get is shared with every other reader.
//
// Capacity is Options.Entries entries and, optionally, Options.MaxBytes
// bytes as sized by the caller. Past either, the least recently used
// entries are evicted.
//
// # Expiry
//
// Set and Fill take a ttl; ttl <= 0 means the entry never expires. An entry
// stored at time t is live while now < t+ttl and expired from t+ttl on.
// Expiry is lazy: no goroutine reaps entries. An expired entry is removed
// when Get or GetMany meets it (an expiration and a miss), or when Set or
// Fill replaces it (an expiration); until then it counts in Len and may be
// evicted like any other entry. The clock is Options.Now, read at most once
// per call and only when the call meets or stores an entry with a deadline.
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
// holding a generation counter. Token is an atomic load of the slot's
// generation and takes no lock. Set and Remove increment it under the lock
// before they store or remove; Purge increments all of them. Fill compares
// the slot's generation with tok under the lock and drops v on a mismatch.
//
// Why no stale value survives: the lock orders the writer's Set or Remove
// (S) and the reader's Fill (F). Let T be the reader's Token load and R its source
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
// a slot only make a fill drop needlessly; the next read fills again. The
// counters are 64-bit and do not wrap in practice.
//
// The protocol assumes the writer calls Set after its source write is
// visible to readers, and that Sets of one key come in the order of the
// source's writes (the caller holds the key's write lock across both). Set
// is authoritative: it checks no token.
//
// # Concurrency
//
// A Cache is safe for concurrent use by multiple goroutines. One
// sync.Mutex guards every method except Token: even Get takes it, since a
// hit moves the entry to the front of the LRU list. The GetMany callback
// runs with the lock held and must not call back into the cache.
//
// The cache is not sharded. On the 2-core machine kith targets, a 16-shard
// wrapper around golang-lru measured slower than one mutex (194 ns/op
// against 112 ns/op for parallel Get; notes/dependencies.md §4): with two
// cores there is little contention to split, and every call would pay for
// the shard pick. A hit (about 0.1 µs) is still 20 times cheaper than a
// profile read from Pebble, so the lock is not the bottleneck. Shard only
// when a mutex profile on a larger machine shows contention.
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

package cache

import "time"

// lazyClock reads the cache's clock at most once, and only when asked: a
// call that meets no entry with a deadline and stores none never reads it.
// It lives on the stack of one call.
type lazyClock struct {
	now  func() time.Time
	t    time.Time
	read bool
}

// get returns the time of the first call to get.
func (k *lazyClock) get() time.Time {
	if !k.read {
		k.t = k.now()
		k.read = true
	}
	return k.t
}

// deadline returns the expiry time of an entry stored now with ttl, or the
// zero Time (never expires) when ttl <= 0.
func (k *lazyClock) deadline(ttl time.Duration) time.Time {
	if ttl <= 0 {
		return time.Time{}
	}
	return k.get().Add(ttl)
}

// entry is what the LRU holds for a key.
type entry[V any] struct {
	v       V
	size    int64
	expires time.Time // zero: never expires
	front   uint64    // the shard's moves when the entry last went to the front
}

// expired reports whether e is past its deadline. An entry is live while
// now is before its deadline and expired from the deadline on.
func (e *entry[V]) expired(k *lazyClock) bool {
	return !e.expires.IsZero() && !k.get().Before(e.expires)
}

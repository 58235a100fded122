package cache

import (
	"math"
	"sync"
	"time"
)

// epoch is the first reading of a cache's clock. Deadlines are durations
// since it, so that an entry's deadline holds no pointer (a time.Time holds
// its Location) and, with time.Now, follows the monotonic clock. A
// Duration spans 292 years each way: a clock read further from the epoch
// than that (only a fake one can be) reads as the span's end, and an entry
// stored then never expires.
type epoch struct {
	once sync.Once
	t    time.Time
}

// since returns t's distance from the epoch, which is t if unset.
func (e *epoch) since(t time.Time) time.Duration {
	e.once.Do(func() { e.t = t })
	return t.Sub(e.t)
}

// lazyClock reads the cache's clock at most once, and only when asked: a
// call that meets no entry with a deadline and stores none never reads it.
// It lives on the stack of one call.
type lazyClock struct {
	now   func() time.Time
	epoch *epoch
	t     time.Duration // since the epoch
	read  bool
}

// never is the deadline of an entry that does not expire.
const never = time.Duration(math.MaxInt64)

// get returns the time of the first call to get, since the epoch.
func (k *lazyClock) get() time.Duration {
	if !k.read {
		k.t = k.epoch.since(k.now())
		k.read = true
	}
	return k.t
}

// deadline returns the expiry time of an entry stored now with ttl, or
// never when ttl <= 0 or the deadline is past what a Duration holds.
func (k *lazyClock) deadline(ttl time.Duration) time.Duration {
	if ttl <= 0 {
		return never
	}
	now := k.get()
	if now > never-ttl {
		return never
	}
	return now + ttl
}

// entry is what the LRU holds for a key.
type entry[V any] struct {
	v       V
	size    int64
	expires time.Duration // since the epoch; never: does not expire
	front   uint64        // the shard's moves when the entry last went to the front
}

// expired reports whether e is past its deadline. An entry is live while
// now is before its deadline and expired from the deadline on.
func (e *entry[V]) expired(k *lazyClock) bool {
	return e.expires != never && k.get() >= e.expires
}

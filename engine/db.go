package engine

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"

	"github.com/kithdb/kith/cache"
)

// DB is an open kith store. It is safe for concurrent use by many
// goroutines. Close it when done.
type DB struct {
	dir   string // the store's directory on opts.FS (Import stages its SSTables under it)
	opts  *Options
	pdb   *pebble.DB
	wopts *pebble.WriteOptions
	locks stripes

	profiles *cache.Cache[cachedProfile] // nil when Options.ProfileCache.Disabled
	counters *cache.Cache[countersEntry] // for writes; nil when Options.ProfileCache.Disabled (txcache.go)
	pages    *cache.Cache[cachedPage]    // first friend pages; nil when Options.ProfileCache.Disabled (pagecache.go)
	sets     *cache.Cache[*friendSet]    // friend lists as ID sets; nil when Options.ProfileCache.Disabled (friendset.go)
	ghosts   fillGhosts                  // users whose sets readers missed (friendset.go)
	loads    *loads                      // nil without Options.ProfileLoader

	subs subscribers

	// noEventLog turns the change log off; only the benchmark that
	// measures what logging costs sets it.
	noEventLog bool
	// testHookCommitted, set by white-box tests only, runs in a txn
	// between its commit and its cache write-through.
	testHookCommitted func()

	customProfile map[string]bool
	customFriend  map[string]bool

	// gate lets calls run concurrently (read side) and lets Close wait for
	// them and turn later calls away (write side).
	gate   sync.RWMutex
	closed bool
	// failure is set once Pebble reported a fatal write error: every
	// later call returns it (see commitBatch).
	failure atomic.Pointer[error]

	// closing is set by Close before it cancels the subscribers;
	// Subscribe reads it under subs.mu, so none is added after that.
	closing atomic.Bool
}

// Open opens the kith store in dir, creating it if it does not exist.
// A nil opts means the defaults.
func Open(dir string, opts *Options) (*DB, error) {
	o := opts.clone()
	retentionSet := o.EventRetention != 0 // before the default fills it in
	o.EnsureDefaults()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	db := &DB{
		dir:           dir,
		opts:          o,
		wopts:         pebble.Sync,
		customProfile: setOf(o.CustomProfileFields),
		customFriend:  setOf(o.CustomFriendFields),
	}
	db.locks.init()
	db.ghosts.init(o.ProfileCache.Entries)
	if o.NoSync {
		db.wopts = pebble.NoSync
	}
	if !o.ProfileCache.Disabled {
		c, err := cache.New[cachedProfile](cache.Options{
			Entries:  o.ProfileCache.Entries,
			MaxBytes: o.ProfileCache.MaxBytes,
			Shards:   userCacheShards(o.ProfileCache.Entries),
			Now:      o.Clock,
		})
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidOptions, err)
		}
		db.profiles = c
	}
	var err error
	if db.counters, err = newUserCache[countersEntry](o, 0); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidOptions, err)
	}
	// The pages and the sets get the profiles' byte budget again.
	if db.pages, err = newUserCache[cachedPage](o, o.ProfileCache.MaxBytes); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidOptions, err)
	}
	if db.sets, err = newUserCache[*friendSet](o, o.ProfileCache.MaxBytes); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidOptions, err)
	}
	if o.ProfileLoader != nil {
		db.loads = newLoads(o.ProfileLoader)
	}
	pdb, err := openPebble(dir, o)
	if err != nil {
		return nil, err
	}
	db.pdb = pdb
	if err := db.checkFormat(); err != nil {
		return nil, errors.Join(err, pdb.Close())
	}
	if err := db.checkRetention(retentionSet); err != nil {
		return nil, errors.Join(err, pdb.Close())
	}
	if err := db.checkKeepFriends(); err != nil {
		return nil, errors.Join(err, pdb.Close())
	}
	return db, nil
}

// Close waits for the calls in flight, then flushes and closes the store.
// Calls made after Close return ErrClosed (or, first, the error of an
// invalid argument). Close may be called more than once; later calls
// return nil.
func (db *DB) Close() error {
	// Stop the subscribers before taking the gate: a callback in progress
	// may be inside a DB call, and closeAll waits for it to return.
	db.closing.Store(true)
	db.subs.closeAll()
	if db.loads != nil {
		db.loads.close()
	}
	db.gate.Lock()
	defer db.gate.Unlock()
	if db.closed {
		return nil
	}
	db.closed = true
	if db.profiles != nil {
		db.profiles.Purge()
	}
	db.purgeUserCaches()
	return db.pdb.Close()
}

// enter admits a call, or returns ErrClosed (or the context's error).
// Every public method pairs it with leave.
func (db *DB) enter(ctx context.Context) error {
	if ctx == nil {
		return ErrNilContext
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	db.gate.RLock()
	if db.closed {
		db.gate.RUnlock()
		return ErrClosed
	}
	if f := db.failure.Load(); f != nil {
		db.gate.RUnlock()
		return *f
	}
	return nil
}

// fail records a fatal storage error; the DB answers every later call
// with it until it is closed and reopened.
func (db *DB) fail(msg string) error {
	err := fmt.Errorf("%w: %s", ErrFailed, msg)
	db.failure.CompareAndSwap(nil, &err)
	return *db.failure.Load()
}

func (db *DB) leave() { db.gate.RUnlock() }

// now returns the current time in Unix nanoseconds.
func (db *DB) now() int64 { return db.opts.Clock().UnixNano() }

func setOf(names []string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// userCacheShards splits a large per-user cache into LRUs with their
// own locks, two per CPU (GOMAXPROCS), at most 16: with one lock, two
// cores reading cached profiles in parallel were no faster than one. More
// shards than that cost a batch more: GetMany takes each shard that holds
// some of its keys once, and looks a shard's keys up together, so that
// their cache misses overlap (cache's getSomeUnlock). On the 2-core
// development machine, 4 shards served GetMany of 10 keys out of 1M from
// two goroutines in 1.23–1.31 µs, 16 shards in 1.52–2.00 µs, one shard
// in 1.58–1.64 µs (BenchmarkCache_GetMany10; docs/PERFORMANCE.md,
// eleventh stop). A small cache stays whole so that its LRU order is
// exact, and so does any cache on one CPU.
func userCacheShards(entries int) int {
	procs := runtime.GOMAXPROCS(0)
	if entries < 16*1024 || procs < 2 {
		return 1
	}
	n := 4
	for n < 2*procs && n < 16 {
		n *= 2
	}
	return n
}

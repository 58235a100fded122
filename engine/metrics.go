package engine

import "github.com/kithdb/kith/cache"

// CacheStats counts a cache's hits, misses, evictions and expirations,
// and holds its size.
type CacheStats = cache.Stats

// Metrics is a snapshot of the DB's internal counters.
type Metrics struct {
	// ProfileCache holds the profile cache's hits, misses, evictions,
	// expirations and size; zero when the cache is disabled.
	ProfileCache CacheStats
	// CountersCache, PageCache and FriendSetCache are the same for the
	// caches of users' counters, first friend pages and friend lists as
	// ID sets (see ProfileCacheOptions); zero when disabled.
	CountersCache, PageCache, FriendSetCache CacheStats
	// BlockCache is Pebble's block cache: its hits and misses (a miss
	// reads the block from the file and checks and decompresses it), the
	// blocks it holds (Entries) and their bytes. Evictions and
	// Expirations stay zero: Pebble does not count them.
	BlockCache CacheStats
	// Pebble is Pebble's own metrics report (levels, compactions, block
	// cache, write amplification), as text.
	Pebble string
	// DiskBytes is the space the store uses on disk.
	DiskBytes uint64
	// WriteAmp is Pebble's write amplification since Open: the bytes it
	// wrote (WAL, flushes, compactions, ingested tables) over the bytes
	// that came in (WAL and ingested tables), the "w-amp" of the total
	// row of Pebble's report. 0 before the first write.
	WriteAmp float64
	// ProfileLoads counts the calls of the ProfileLoader, and
	// ProfileLoadErrors those that failed (error, panic, cancelled).
	ProfileLoads, ProfileLoadErrors uint64
}

// Metrics returns a snapshot of the DB's metrics. After Close it returns
// the zero Metrics.
func (db *DB) Metrics() Metrics {
	db.gate.RLock()
	defer db.gate.RUnlock()
	if db.closed {
		return Metrics{}
	}
	var m Metrics
	if db.profiles != nil {
		m.ProfileCache = db.profiles.Stats()
		m.CountersCache = db.counters.Stats()
		m.PageCache = db.pages.Stats()
		m.FriendSetCache = db.sets.Stats()
	}
	if db.loads != nil {
		m.ProfileLoads, m.ProfileLoadErrors = db.loads.count.Load(), db.loads.errors.Load()
	}
	pm := db.pdb.Metrics()
	m.Pebble = pm.String()
	bc := pm.BlockCache
	m.BlockCache = CacheStats{Hits: uint64(bc.Hits), Misses: uint64(bc.Misses), Entries: int(bc.Count), Bytes: bc.Size}
	m.DiskBytes = pm.DiskSpaceUsage()
	total := pm.Total()
	m.WriteAmp = total.WriteAmp()
	return m
}

package engine_test

import (
	"testing"

	"github.com/kithdb/kith/engine"
)

// TestMetricsBlockCache reads a profile from an imported SSTable with
// kith's caches off: the first read misses Pebble's block cache and
// fills it, the second hits it.
func TestMetricsBlockCache(t *testing.T) {
	db := openDB(t, &engine.Options{ProfileCache: engine.ProfileCacheOptions{Disabled: true}})
	impMustImport(t, db, impLines(impProfile("alice")))
	get := func() engine.CacheStats {
		t.Helper()
		if _, err := db.GetProfiles(ctx, "alice", []string{"alice"}); err != nil {
			t.Fatal(err)
		}
		return db.Metrics().BlockCache
	}
	first := get()
	if first.Misses == 0 || first.Entries == 0 || first.Bytes == 0 {
		t.Fatalf("after the first read: %+v, want misses and blocks held", first)
	}
	second := get()
	if second.Hits <= first.Hits || second.Misses != first.Misses {
		t.Fatalf("the second read: %+v after %+v, want hits only", second, first)
	}
}

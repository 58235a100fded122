package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/kithdb/kith/engine"
)

// BenchmarkDB_GetProfilesParallel reads cached profiles (batches of 100)
// from every goroutine of b.RunParallel: run it with -cpu=1,2 to see how
// cache hits scale with cores. The single-mutex golang-lru baseline of
// the same reads is cache's BenchmarkLRUBaseline_GetMany.
func BenchmarkDB_GetProfilesParallel(b *testing.B) {
	for _, batch := range []int{1, 100} {
		b.Run(fmt.Sprintf("batch=%d/cache=on", batch), func(b *testing.B) {
			db := openDB(b, social.path(b), nil)
			reqs := profileRequests(batch)
			for _, ids := range reqs { // fill the cache
				if err := getAll(ctx, db, ids); err != nil {
					b.Fatal(err)
				}
			}
			var next atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				n := int(next.Add(7919)) // each goroutine its own walk
				for pb.Next() {
					if _, err := db.GetProfiles(ctx, listOwner, reqs[n%len(reqs)]); err != nil {
						b.Error(err)
						return
					}
					n++
				}
			})
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "profiles/s")
		})
	}
}

// BenchmarkDB_GetProfilesLoader measures the miss path through a
// ProfileLoader: every op asks for 100 users never seen before, which the
// loader answers from memory in one batched call.
func BenchmarkDB_GetProfilesLoader(b *testing.B) {
	b.Run("batch=100/miss", func(b *testing.B) {
		var calls atomic.Int64
		loader := engine.LoaderFunc(func(_ context.Context, ids []string) (map[string]*engine.Profile, error) {
			calls.Add(1)
			out := make(map[string]*engine.Profile, len(ids))
			for _, id := range ids {
				out[id] = &engine.Profile{Nick: id}
			}
			return out, nil
		})
		db := openDB(b, "db", &engine.Options{FS: vfs.NewMem(), ProfileLoader: loader})
		ids := make([]string, 100)
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			for i := range ids {
				ids[i] = fmt.Sprintf("remote-%d-%d", n, i)
			}
			res, err := db.GetProfiles(ctx, "viewer", ids)
			if err != nil || res.Items[99].Err != nil {
				b.Fatal(err, res.Items[99].Err)
			}
			n++
		}
		if calls.Load() != int64(n) {
			b.Fatalf("%d loads for %d calls", calls.Load(), n)
		}
		reportOps(b, n)
	})
}

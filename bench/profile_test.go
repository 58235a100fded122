package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/kithdb/kith/codec"
	"github.com/kithdb/kith/engine"
	"github.com/kithdb/kith/index"
)

// profileRequests splits a permutation of every social user into requests
// of batch IDs: one pass over them reads every profile once.
func profileRequests(batch int) [][]string {
	return chunks(shuffled(userIDs(socialUsers)), batch)
}

func BenchmarkDB_GetProfiles(b *testing.B) {
	dir := social.path(b)
	for _, batch := range []int{1, 100} {
		for _, cacheOn := range []bool{true, false} {
			b.Run(fmt.Sprintf("batch=%d/cache=%s", batch, onOff(cacheOn)), func(b *testing.B) {
				opts := &engine.Options{ProfileCache: engine.ProfileCacheOptions{Disabled: !cacheOn}}
				benchGetProfiles(b, openDB(b, dir, opts), profileRequests(batch))
			})
		}
	}
}

// benchGetProfiles reads reqs round-robin after one pass over all of them,
// which fills the profile cache (when on) and Pebble's block cache.
func benchGetProfiles(b *testing.B, db *engine.DB, reqs [][]string) {
	for _, ids := range reqs {
		if err := getAll(ctx, db, ids); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if _, err := db.GetProfiles(ctx, listOwner, reqs[n%len(reqs)]); err != nil {
			b.Fatal(err)
		}
		n++
	}
	reportOps(b, n)
}

func BenchmarkRaw_GetProfiles(b *testing.B) {
	dir := social.path(b)
	for _, batch := range []int{1, 100} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			db := openRaw(b, dir, nil)
			reqs := profileRequests(batch)
			out := make([]*codec.Profile, batch)
			for _, ids := range reqs { // warm the block cache
				if err := rawGetProfiles(db, ids, out); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				if err := rawGetProfiles(db, reqs[n%len(reqs)], out); err != nil {
					b.Fatal(err)
				}
				n++
			}
			reportOps(b, n)
		})
	}
}

// rawGetProfiles reads the profiles of ids the plain way: one Get and one
// Decode per key, in request order.
func rawGetProfiles(db *pebble.DB, ids []string, out []*codec.Profile) error {
	var key []byte
	for i, id := range ids {
		key = index.Profile(key[:0], id)
		val, closer, err := db.Get(key)
		if err != nil {
			return fmt.Errorf("get %s: %w", id, err)
		}
		p := new(codec.Profile)
		err = codec.Decode(val, p)
		closer.Close()
		if err != nil {
			return err
		}
		out[i] = p
	}
	return nil
}

// updateUsers is how many users the profile-update benchmarks rotate over.
const updateUsers = 1000

// The two signatures an update alternates between.
var updateSignatures = [2]string{"back from holidays, slowly catching up", "offline until monday, ping me if urgent"}

func BenchmarkDB_UpdateProfile(b *testing.B) {
	for _, sync := range []bool{false, true} {
		b.Run("sync="+fmt.Sprint(sync), func(b *testing.B) {
			dir := b.TempDir()
			loadUsers(b, dir, updateUsers)
			db := openDB(b, dir, &engine.Options{NoSync: !sync})
			ids := userIDs(updateUsers)
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				u := engine.ProfileUpdate{SelfSignature: &updateSignatures[n&1]}
				if _, err := db.UpdateProfile(ctx, ids[n%len(ids)], u); err != nil {
					b.Fatal(err)
				}
				n++
			}
			reportOps(b, n)
		})
	}
}

func BenchmarkRaw_SetProfile(b *testing.B) {
	for _, sync := range []bool{false, true} {
		b.Run("sync="+fmt.Sprint(sync), func(b *testing.B) {
			dir := b.TempDir()
			loadUsers(b, dir, updateUsers)
			db := openRaw(b, dir, nil)
			ids := userIDs(updateUsers)
			profiles := make([]*codec.Profile, len(ids))
			if err := rawGetProfiles(db, ids, profiles); err != nil {
				b.Fatal(err)
			}
			wo := pebble.NoSync
			if sync {
				wo = pebble.Sync
			}
			var key, val []byte
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				p := profiles[n%len(ids)]
				p.SelfSignature = updateSignatures[n&1]
				p.Version++
				p.UpdatedAt = time.Now().UnixNano()
				key = index.Profile(key[:0], ids[n%len(ids)])
				val, _ = codec.Append(val[:0], p)
				if err := db.Set(key, val, wo); err != nil {
					b.Fatal(err)
				}
				n++
			}
			reportOps(b, n)
		})
	}
}

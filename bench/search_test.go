package main

import (
	"fmt"
	"testing"

	"github.com/kithdb/kith/engine"
)

// BenchmarkDB_SearchFriends searches the 3,000 friends of listOwner (the
// friend limit) by nickname and remark, as search-as-you-type would.
// cache=on serves the profiles from the profile cache; cache=off reads
// them from Pebble.
func BenchmarkDB_SearchFriends(b *testing.B) {
	for _, cache := range []string{"on", "off"} {
		b.Run(fmt.Sprintf("friends=%d/keywords=1/cache=%s", listFriends, cache), func(b *testing.B) {
			db := openDB(b, social.path(b), &engine.Options{ProfileCache: engine.ProfileCacheOptions{Disabled: cache == "off"}})
			opts := engine.SearchOptions{Keywords: []string{"qz"}, InNick: true, InRemark: true, Limit: 1000}
			if _, err := db.SearchFriends(ctx, listOwner, opts); err != nil { // warm up
				b.Fatal(err)
			}
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				if _, err := db.SearchFriends(ctx, listOwner, opts); err != nil {
					b.Fatal(err)
				}
				n++
			}
			reportOps(b, n)
		})
	}
}

package engine

// White-box benchmark: it needs the internal switch that turns the change
// log off, to measure what logging costs (issue: ≤ 25 % on AddFriends).

import (
	"context"
	"fmt"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
)

func BenchmarkDB_AddFriendsEventCost(b *testing.B) {
	for _, log := range []string{"on", "off"} {
		b.Run("type=both/sync=false/log="+log, func(b *testing.B) {
			db, err := Open("db", &Options{FS: vfs.NewMem(), NoSync: true})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			db.noEventLog = log == "off"
			ctx := context.Background()
			const users = 20_000
			for i := range users {
				if _, err := db.UpdateProfile(ctx, benchUser(i), ProfileUpdate{AllowType: new(AllowAny)}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				// a new pair each time: user i befriends user i+1+k
				i, k := n%users, n/users
				req := []AddFriendRequest{{UserID: benchUser((i + 1 + k) % users), Type: AddBoth}}
				if _, err := db.AddFriends(ctx, benchUser(i), req); err != nil {
					b.Fatal(err)
				}
				n++
			}
		})
	}
}

func benchUser(i int) string { return fmt.Sprintf("u%06d", i) }

package engine_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/kithdb/kith/engine"
)

// bkRaceOp is one random call of the block race: blocks and unblocks
// against friend requests and answers, the calls whose checks race.
func bkRaceOp(r *rand.Rand, db *engine.DB, users []string) (string, error) {
	u, v := bkPick(r, users), bkPick(r, users)
	switch n := r.IntN(100); {
	case n < 15:
		ids := bkSome(r, users, 2)
		return fmt.Sprintf("block %s %v", u, ids), bkOutcome2(db.Block(ctx, u, ids))
	case n < 35:
		ids := bkSome(r, users, 4)
		return fmt.Sprintf("unblock %s %v", u, ids), bkOutcome2(db.Unblock(ctx, u, ids))
	case n < 65:
		req := engine.AddFriendRequest{UserID: v, Type: engine.AddType(r.IntN(4) / 3), Group: bkPick(r, []string{"", "g"})}
		return fmt.Sprintf("add %s %+v", u, req), bkOutcome2(db.AddFriends(ctx, u, []engine.AddFriendRequest{req}))
	case n < 85:
		mode := engine.AcceptMode(r.IntN(2))
		return fmt.Sprintf("accept %s from %s", u, v), bkOutcome(db.AcceptApplication(ctx, u, v, mode, ""))
	case n < 90:
		return fmt.Sprintf("refuse %s from %s", u, v), bkOutcome(db.RefuseApplication(ctx, u, v))
	case n < 95:
		return fmt.Sprintf("delfriends %s %s", u, v), bkOutcome2(db.DeleteFriends(ctx, u, []string{v}, engine.DeleteBoth))
	case n < 99:
		allow := engine.AllowType(r.IntN(2)) // AllowAny or NeedConfirm
		return fmt.Sprintf("profile %s", u), bkOutcome2(db.UpdateProfile(ctx, u, engine.ProfileUpdate{AllowType: &allow}))
	default:
		return fmt.Sprintf("deluser %s", u), bkOutcome(db.DeleteUser(ctx, u))
	}
}

func TestBlock_Race(t *testing.T) {
	const goroutines, opsEach = 8, 250
	users := bkUserIDs(20)
	for _, seed := range bkSeeds(2) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			db := openDB(t, nil)
			for i, u := range users {
				bkUsers(t, db, engine.AllowType(i%2), u)
			}
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Go(func() {
					r := rand.New(rand.NewPCG(seed, uint64(g)))
					for range opsEach {
						if name, err := bkRaceOp(r, db, users); err != nil {
							t.Errorf("seed %d goroutine %d: %s: %v", seed, g, name, err)
							return
						}
					}
				})
			}
			wg.Wait()
			mustCheck(t, db)

			// The block rules, through the API: a block leaves no friend
			// edge and no application between the two.
			for _, u := range users {
				others := slices.DeleteFunc(slices.Clone(users), func(x string) bool { return x == u })
				rels := bkRelations(t)(db.CheckBlocked(ctx, u, others, engine.CheckSingle))
				apps, _ := bkApps(t, db, u)
				for i, rel := range rels {
					if rel != engine.InMyList {
						continue
					}
					v := others[i]
					if f := bkRelations(t)(db.CheckFriends(ctx, u, []string{v}, engine.CheckBoth)); f[0] != engine.NoRelation {
						t.Errorf("%s blocked %s but their friend relation is %d", u, v, f[0])
					}
					if slices.Contains(apps, u+">"+v) || slices.Contains(apps, v+">"+u) {
						t.Errorf("%s blocked %s but an application remains: %q", u, v, apps)
					}
				}
			}
			// Each log still replays to its user's lists.
			bkCheckReplay(t, db, users, 1000)
			if testing.Verbose() {
				friends, blocked := 0, 0
				for _, u := range users {
					friends += len(bkFriendIDs(t, db, u))
					blocked += len(bkBlockedIDs(t, db, u))
				}
				t.Logf("at the end: %d friend edges, %d blocks", friends, blocked)
			}
		})
	}
}

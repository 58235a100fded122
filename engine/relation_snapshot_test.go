package engine_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/kithdb/kith/engine"
)

// CheckFriends reads the owner's side and the peers' side of relations in
// two passes. Both must come from one state: here friends are only ever
// added and deleted both ways at once, so a check must never see one side
// without the other, while other readers keep the caches full
// (ListFriends, Counts).
func TestCheckFriendsSeesWholeRelations(t *testing.T) {
	db := openDB(t, nil)
	users := make([]string, 4)
	for i := range users {
		users[i] = fmt.Sprintf("u%d", i)
	}
	createUsers(t, db, engine.AllowAny, users...)
	pair := func(rng *rand.Rand) (string, string) {
		a := rng.IntN(len(users))
		b := (a + 1 + rng.IntN(len(users)-1)) % len(users)
		return users[a], users[b]
	}
	const writes = 1000
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	stop := make(chan struct{})
	for w := range 2 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(1, uint64(w)))
			for range writes {
				a, b := pair(rng)
				var err error
				if rng.IntN(2) == 0 {
					_, err = db.AddFriends(ctx, a, []engine.AddFriendRequest{{UserID: b, Type: engine.AddBoth}})
				} else {
					_, err = db.DeleteFriends(ctx, a, []string{b}, engine.DeleteBoth)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	var readers sync.WaitGroup
	for r := range 2 {
		readers.Go(func() {
			rng := rand.New(rand.NewPCG(2, uint64(r)))
			for {
				select {
				case <-stop:
					return
				default:
				}
				owner := users[rng.IntN(len(users))]
				if _, err := db.ListFriends(ctx, owner, engine.ListOptions{Limit: 1 + rng.IntN(3)}); err != nil {
					errs <- err
					return
				}
				if _, err := db.Counts(ctx, owner); err != nil {
					errs <- err
					return
				}
				a, b := pair(rng)
				ids := []string{b}
				if c := users[rng.IntN(len(users))]; c != a && c != b {
					ids = append(ids, c)
				}
				res, err := db.CheckFriends(ctx, a, ids, engine.CheckBoth)
				if err != nil {
					errs <- err
					return
				}
				for _, it := range res {
					if it.Err != nil || it.Relation == engine.InMyList || it.Relation == engine.InTheirList {
						errs <- fmt.Errorf("CheckFriends(%s, %s) = %d, %v: half a relation", a, it.UserID, it.Relation, it.Err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	mustCheck(t, db)
}

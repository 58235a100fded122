package engine_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/kithdb/kith/engine"
)

// Crash tests: run random operations on a crashable in-memory FS, take a
// crash clone while the DB is open, reopen the clone and compare it with
// the states recorded after each acknowledged call.

// bkSnapshot is the state of users as the List calls see it, with each
// user's seq, in one comparable string.
func bkSnapshot(t testing.TB, db *engine.DB, users []string) string {
	t.Helper()
	s, err := bkTrySnapshot(t, db, users)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// bkTrySnapshot is bkSnapshot for goroutines other than the test's.
func bkTrySnapshot(t testing.TB, db *engine.DB, users []string) (string, error) {
	var b strings.Builder
	for _, u := range users {
		s, seq, err := bkListed(t, db, u)
		if err != nil {
			return "", fmt.Errorf("lists of %s: %w", u, err)
		}
		fmt.Fprintf(&b, "%s@%d: %s\n", u, seq, s)
	}
	return b.String(), nil
}

// bkOpenCrashed opens the store left on a crash clone. openDB runs Check
// at cleanup; the tests run it at once too.
func bkOpenCrashed(t *testing.T, fs vfs.FS) *engine.DB {
	t.Helper()
	db := openDB(t, &engine.Options{FS: fs})
	mustCheck(t, db)
	return db
}

func TestCrash_SyncKeepsEveryAcknowledgedCall(t *testing.T) {
	users := bkUserIDs(6)
	for _, seed := range bkSeeds(20) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 0xc7a5))
			fs := vfs.NewCrashableMem()
			db, err := engine.Open("db", &engine.Options{FS: fs})
			if err != nil {
				t.Fatal(err)
			}
			n := 40 + r.IntN(80)
			crashAt := r.IntN(n + 1)
			var hist bkHistory
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("seed %d, crash after %d of %d ops (rerun with -kith.seed=%d):\n%s", seed, crashAt, n, seed, hist)
				}
			})
			var crashed *vfs.MemFS
			var want string
			for i := 0; i <= n; i++ {
				if i == crashAt {
					// Every call so far returned: all of them are durable.
					crashed = fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: 0})
					want = bkSnapshot(t, db, users)
				}
				if i == n {
					break
				}
				op := bkRandomOp(r, users)
				hist = append(hist, op.name)
				if err := op.run(db); err != nil {
					t.Fatalf("op %d %s: %v", i, op.name, err)
				}
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			db2 := bkOpenCrashed(t, crashed)
			if got := bkSnapshot(t, db2, users); got != want {
				t.Fatalf("after the crash:\n%s\nacknowledged before it:\n%s", got, want)
			}
			bkCheckReplay(t, db2, users, 1000)
			// The recovered store takes writes and keeps its invariants.
			for range 20 {
				op := bkRandomOp(r, users)
				if err := op.run(db2); err != nil {
					t.Fatalf("after recovery: %s: %v", op.name, err)
				}
			}
			bkCheckReplay(t, db2, users, 1000)
		})
	}
}

// With concurrent writers, the clone holds every call acknowledged before
// it and possibly the calls in flight. Each writer works on users of its
// own, so that its part of the store moves only with its own calls.
func TestCrash_SyncConcurrentWriters(t *testing.T) {
	const parts, perPart, opsPerWriter = 3, 3, 60
	for _, seed := range bkSeeds(6) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			fs := vfs.NewCrashableMem()
			db, err := engine.Open("db", &engine.Options{FS: fs})
			if err != nil {
				t.Fatal(err)
			}
			users := make([][]string, parts)
			snaps := make([][]string, parts) // snaps[p][k]: part p after k calls
			acked := make([]atomic.Int64, parts)
			for p := range parts {
				for i := range perPart {
					users[p] = append(users[p], fmt.Sprintf("p%d-%d", p, i))
				}
				snaps[p] = []string{bkSnapshot(t, db, users[p])}
			}
			var wg sync.WaitGroup
			for p := range parts {
				wg.Go(func() {
					r := rand.New(rand.NewPCG(seed, uint64(p)))
					for range opsPerWriter {
						op := bkRandomOp(r, users[p])
						if err := op.run(db); err != nil {
							t.Errorf("part %d: %s: %v", p, op.name, err)
							return
						}
						snap, err := bkTrySnapshot(t, db, users[p])
						if err != nil {
							t.Error(err)
							return
						}
						snaps[p] = append(snaps[p], snap)
						acked[p].Add(1)
					}
				})
			}
			time.Sleep(time.Duration(rand.New(rand.NewPCG(seed, 1)).IntN(20_000)) * time.Microsecond)
			before := make([]int64, parts)
			for p := range parts {
				before[p] = acked[p].Load()
			}
			crashed := fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: 0})
			after := make([]int64, parts)
			for p := range parts {
				after[p] = acked[p].Load()
			}
			wg.Wait()
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			db2 := bkOpenCrashed(t, crashed)
			for p := range parts {
				got := bkSnapshot(t, db2, users[p])
				match := -1
				for k := before[p]; k <= min(after[p]+1, int64(len(snaps[p])-1)); k++ {
					if snaps[p][k] == got {
						match = int(k)
					}
				}
				if match < 0 {
					t.Errorf("part %d: the crashed store matches no state between call %d (acknowledged) and %d:\n%s\nstate after call %d:\n%s",
						p, before[p], after[p]+1, got, before[p], snaps[p][before[p]])
				}
				t.Logf("part %d: acknowledged %d..%d at the crash, recovered %d", p, before[p], after[p], match)
				bkCheckReplay(t, db2, users[p], 1000)
			}
		})
	}
}

// With NoSync a crash may lose the newest calls but never half of one:
// the recovered store is the state after some prefix of the calls.
func TestCrash_NoSyncKeepsAPrefix(t *testing.T) {
	users := bkUserIDs(6)
	matched := map[string]int{}
	for _, seed := range bkSeeds(20) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 0x5a5a))
			fs := vfs.NewCrashableMem()
			db, err := engine.Open("db", &engine.Options{FS: fs, NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			n := 40 + r.IntN(80)
			crashAt := r.IntN(n + 1)
			var hist bkHistory
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("seed %d, crash after %d of %d ops (rerun with -kith.seed=%d):\n%s", seed, crashAt, n, seed, hist)
				}
			})
			snaps := []string{bkSnapshot(t, db, users)} // snaps[k]: after k calls
			var crashed *vfs.MemFS
			for i := 0; i <= n; i++ {
				if i == crashAt {
					crashed = fs.CrashClone(vfs.CrashCloneCfg{
						UnsyncedDataPercent: 50, RNG: rand.New(rand.NewPCG(seed, 50))})
				}
				if i == n {
					break
				}
				op := bkRandomOp(r, users)
				hist = append(hist, op.name)
				if err := op.run(db); err != nil {
					t.Fatalf("op %d %s: %v", i, op.name, err)
				}
				if i < crashAt {
					snaps = append(snaps, bkSnapshot(t, db, users))
				}
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			db2, err := engine.Open("db", &engine.Options{FS: crashed, NoSync: true})
			if err != nil {
				t.Fatalf("open after the crash: %v", err)
			}
			t.Cleanup(func() { db2.Close() })
			mustCheck(t, db2)
			got := bkSnapshot(t, db2, users)
			match := -1
			for k := len(snaps) - 1; k >= 0 && match < 0; k-- {
				if snaps[k] == got {
					match = k
				}
			}
			if match < 0 {
				t.Fatalf("the crashed store is the state after no prefix of the %d calls:\n%s\nlast state:\n%s",
					crashAt, got, snaps[len(snaps)-1])
			}
			switch {
			case match == crashAt:
				matched["all"]++
			case match == 0:
				matched["none"]++
			default:
				matched["some"]++
			}
			bkCheckReplay(t, db2, users, 1000)
		})
	}
	t.Logf("calls kept by the crash: %v", matched)
}

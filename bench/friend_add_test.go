package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/kithdb/kith/codec"
	"github.com/kithdb/kith/engine"
	"github.com/kithdb/kith/index"
)

// addPool is how many users (with AllowAny profiles) the AddFriends
// benchmarks pair up: enough for about 2 million distinct pairs.
const addPool = 2000

var errPairsExhausted = errors.New("bench: pair pool exhausted; raise addPool")

// pairSeq hands out distinct unordered pairs of users [0, n), safe for
// concurrent use: the k-th pair is (a, (a+d) mod n) with a = perm[k mod n]
// and d = 1 + k/n, distinct from all others while d < n/2. The random
// permutation keeps consecutive pairs (which concurrent writers take) on
// unrelated users, as in real traffic. After round d each user holds
// about 2d friends.
type pairSeq struct {
	perm []int
	next atomic.Int64
}

func newPairSeq(n int) *pairSeq {
	rng := rand.New(rand.NewPCG(benchSeed, uint64(n)))
	return &pairSeq{perm: rng.Perm(n)}
}

func (s *pairSeq) pair() (a, b, d int, err error) {
	n := len(s.perm)
	k := int(s.next.Add(1) - 1)
	a, d = s.perm[k%n], 1+k/n
	if d >= n/2 {
		return 0, 0, 0, errPairsExhausted
	}
	return a, (a + d) % n, d, nil
}

// addCase is one configuration of the AddFriends benchmarks.
type addCase struct {
	sync    bool
	writers int // concurrent writers; >1 runs b.RunParallel
}

var addCases = []addCase{{sync: false, writers: 1}, {sync: true, writers: 1}, {sync: true, writers: 16}}

func (c addCase) String() string { return fmt.Sprintf("sync=%v/writers=%d", c.sync, c.writers) }

func BenchmarkDB_AddFriends(b *testing.B) {
	for _, c := range addCases {
		b.Run("type=both/"+c.String(), func(b *testing.B) {
			dir := b.TempDir()
			loadUsers(b, dir, addPool)
			fs := newWALSyncFS()
			db := openDB(b, dir, &engine.Options{FS: fs, NoSync: !c.sync})
			ids, seq := userIDs(addPool), newPairSeq(addPool)
			runWriters(b, c, fs.syncs, func() func() error {
				reqs := make([]engine.AddFriendRequest, 1)
				return func() error { return addPair(db, ids, seq, reqs) }
			})
		})
	}
}

// addPair makes the next pair of users friends both ways.
func addPair(db *engine.DB, ids []string, seq *pairSeq, reqs []engine.AddFriendRequest) error {
	a, b, _, err := seq.pair()
	if err != nil {
		return err
	}
	reqs[0] = engine.AddFriendRequest{UserID: ids[b], Type: engine.AddBoth, Source: addSource, Wording: addWording}
	res, err := db.AddFriends(ctx, ids[a], reqs)
	if err != nil {
		return err
	}
	if res[0].Err != nil || res[0].Outcome != engine.Added {
		return fmt.Errorf("%s adds %s: outcome %d, %v", ids[a], ids[b], res[0].Outcome, res[0].Err)
	}
	return nil
}

func BenchmarkRaw_AddFriendsBatch(b *testing.B) {
	for _, c := range addCases {
		b.Run(c.String(), func(b *testing.B) {
			dir := b.TempDir()
			loadUsers(b, dir, addPool)
			fs := newWALSyncFS()
			db := openRaw(b, dir, fs)
			ids, seq := userIDs(addPool), newPairSeq(addPool)
			wo := pebble.NoSync
			if c.sync {
				wo = pebble.Sync
			}
			runWriters(b, c, fs.syncs, func() func() error {
				r := &rawAdder{db: db, ids: ids, wo: wo}
				return func() error {
					a, bb, d, err := seq.pair()
					if err != nil {
						return err
					}
					return r.add(a, bb, d)
				}
			})
		})
	}
}

// runWriters times c.writers goroutines, each running the op that newOp
// returns it, and reports ops/s and, for Sync writes, commits/sync.
func runWriters(b *testing.B, c addCase, syncs *atomic.Int64, newOp func() func() error) {
	b.ReportAllocs()
	var n int
	var start int64
	if c.writers == 1 {
		op := newOp()
		start = syncs.Load()
		for b.Loop() {
			if err := op(); err != nil {
				b.Fatal(err)
			}
			n++
		}
	} else {
		b.SetParallelism(max(1, c.writers/runtime.GOMAXPROCS(0)))
		b.ResetTimer()
		start = syncs.Load()
		b.RunParallel(func(pb *testing.PB) {
			op := newOp()
			for pb.Next() {
				if err := op(); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.StopTimer()
		n = b.N
	}
	reportOps(b, n)
	if s := syncs.Load() - start; c.sync && s > 0 {
		b.ReportMetric(float64(n)/float64(s), "commits/sync")
	}
}

// rawAdder writes what AddFriends writes for a Both request that is
// accepted at once, as one Pebble batch: for each side, the edge (a
// FriendEdge), its empty reverse twin, a FriendAdded event and the
// counters. It skips every read and check the engine does.
type rawAdder struct {
	db       *pebble.DB
	ids      []string
	wo       *pebble.WriteOptions
	key, val []byte
}

// add befriends users a and b, the pair of round d of a pairSeq.
func (r *rawAdder) add(a, b, d int) error {
	now := time.Now().UnixNano()
	batch := r.db.NewBatch()
	defer batch.Close()
	edge := &codec.FriendEdge{AddSource: addSource, AddWording: addWording, AddedAt: now}
	seq := uint64(2*d + 1) // the profile's event, then two adds per round
	for _, side := range [2][2]int{{a, b}, {b, a}} {
		owner, friend := r.ids[side[0]], r.ids[side[1]]
		ev := &codec.Event{Kind: uint8(engine.FriendAdded), Peers: []string{friend}, At: now}
		cnt := &codec.Counters{Friends: uint32(2 * d), Seq: seq}
		r.key = index.Friend(r.key[:0], owner, friend)
		if err := r.setRecord(batch, edge); err != nil {
			return err
		}
		r.key = index.FriendOf(r.key[:0], friend, owner)
		if err := batch.Set(r.key, nil, nil); err != nil {
			return err
		}
		r.key = index.Event(r.key[:0], owner, seq)
		if err := r.setRecord(batch, ev); err != nil {
			return err
		}
		r.key = index.Counters(r.key[:0], owner)
		if err := r.setRecord(batch, cnt); err != nil {
			return err
		}
	}
	return batch.Commit(r.wo)
}

// setRecord adds r.key = the encoding of rec to batch (which copies both).
func (r *rawAdder) setRecord(batch *pebble.Batch, rec codec.Record) error {
	var err error
	if r.val, err = codec.Append(r.val[:0], rec); err != nil {
		return err
	}
	return batch.Set(r.key, r.val, nil)
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/kithdb/kith/codec"
	"github.com/kithdb/kith/engine"
	"github.com/kithdb/kith/index"
)

// The graph of the workload benchmarks: 20,000 users with 50 friends on
// average (about a million directed edges), loaded with Import.
const (
	mixUsers  = 20_000
	mixDegree = 50
)

var mixGraph = sync.OnceValue(func() *graph { return newGraph(mixUsers, mixDegree, benchSeed) })

var mixData = &dataset{name: "mixgraph", build: func(db *engine.DB) error {
	_, err := db.ImportRecords(ctx, mixGraph().records())
	return err
}}

// BenchmarkDB_Workload runs each mix of the workload tool on
// GOMAXPROCS goroutines (b.RunParallel), one operation per iteration,
// and reports ops/s and the latency percentiles over all operations.
// Mixes with writes run on a checkpoint of the data set, so that every
// benchmark starts from the same graph.
func BenchmarkDB_Workload(b *testing.B) {
	for _, name := range mixNames {
		b.Run("mix="+name, func(b *testing.B) {
			dir := mixData.path(b)
			if name != "tao" {
				dir = checkpointOf(b, dir)
			}
			db := openDB(b, dir, &engine.Options{NoSync: true})
			m, err := newMix(name)
			if err != nil {
				b.Fatal(err)
			}
			runMixParallel(b, m, func(id int) func() error {
				w := newWorker(context.Background(), id, db, mixGraph(), m, benchSeed)
				return func() error {
					i := m.pick(w.rng)
					err := m.ops[i].run(w)
					if engine.Code(err) > 0 {
						return nil // a refusal is an outcome
					}
					return err
				}
			})
		})
	}
}

// checkpointOf returns a checkpoint of the data set in dir, in a temp dir
// removed when b ends.
func checkpointOf(b *testing.B, dir string) string {
	b.Helper()
	db, err := engine.Open(dir, &engine.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	cp := filepath.Join(b.TempDir(), "cp")
	err = db.Checkpoint(ctx, cp)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatal(err)
	}
	return cp
}

// runMixParallel runs newOp's operations on GOMAXPROCS goroutines and
// reports ops/s, p50, p99 and p99.9 in µs.
func runMixParallel(b *testing.B, m *mix, newOp func(id int) func() error) {
	var (
		ids   atomic.Int64
		mu    sync.Mutex
		total hist
	)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		op := newOp(int(ids.Add(1)))
		var h hist
		for pb.Next() {
			start := time.Now()
			if err := op(); err != nil {
				b.Error(err)
				return
			}
			h.record(time.Since(start))
		}
		mu.Lock()
		total.merge(&h)
		mu.Unlock()
	})
	b.StopTimer()
	b.ReportMetric(float64(total.n)/b.Elapsed().Seconds(), "ops/s")
	for _, q := range []struct {
		name string
		q    float64
	}{{"p50-µs", 0.5}, {"p99-µs", 0.99}, {"p99.9-µs", 0.999}} {
		b.ReportMetric(float64(total.quantile(q.q))/1e3, q.name)
	}
}

// BenchmarkRaw_Workload is the tao mix done the plain way on raw Pebble,
// on the same store: iterators for the lists, db.Get and Decode for the
// records and counters, a Set for the writes. No validation, cache,
// locks or change log.
func BenchmarkRaw_Workload(b *testing.B) {
	b.Run("mix=tao", func(b *testing.B) {
		db := openRaw(b, mixData.path(b), nil)
		m, err := newMix("tao")
		if err != nil {
			b.Fatal(err)
		}
		g := mixGraph()
		runMixParallel(b, m, func(id int) func() error {
			r := &rawWorker{db: db, w: newWorker(context.Background(), id, nil, g, m, benchSeed)}
			return r.op
		})
	})
}

// rawWorker runs the tao mix on raw Pebble, choosing users as worker does.
type rawWorker struct {
	db      *pebble.DB
	w       *worker
	key     []byte
	friends []engine.ListedFriend
	profs   []*codec.Profile
}

func (r *rawWorker) op() error {
	w := r.w
	switch w.mix.ops[w.mix.pick(w.rng)].name {
	case "ListFriends/20":
		return r.list(index.KindFriend, w.uid(w.user()), taoPage)
	case "GetProfiles/10":
		w.profileScreen()
		r.profs = append(r.profs[:0], make([]*codec.Profile, len(w.ids))...)
		return rawGetProfiles(r.db, w.ids, r.profs)
	case "CheckFriends":
		u := w.user()
		peer := w.other(u)
		if w.rng.IntN(2) == 0 {
			if f := w.friendOf(u); f != u {
				peer = f
			}
		}
		var out [1]engine.Relation
		return rawCheckFriends(r.db, w.uid(u), []string{w.uid(peer)}, out[:])
	case "Counts":
		var c codec.Counters
		r.key = index.Counters(r.key[:0], w.uid(w.user()))
		return rawGetRecord(r.db, r.key, &c)
	case "ListApplications":
		return r.list(index.KindAppIn, w.uid(w.user()), taoPage)
	default: // the writes: a profile update, as one Set
		p := &codec.Profile{Nick: "n", Level: uint32(w.rng.IntN(100)), Version: 2}
		val, err := codec.Append(nil, p)
		if err != nil {
			return err
		}
		return r.db.Set(index.Profile(nil, w.uid(w.user())), val, pebble.NoSync)
	}
}

// list reads up to limit keys of kind under owner with a bounded
// iterator, decoding each value as a FriendEdge or an Application.
func (r *rawWorker) list(kind byte, owner string, limit int) error {
	prefix := index.Prefix(nil, kind, owner)
	it, err := r.db.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: index.PrefixEnd(nil, prefix)})
	if err != nil {
		return err
	}
	n := 0
	for valid := it.First(); valid && n < limit; valid = it.Next() {
		if _, _, err := index.ReadString(it.Key()[len(prefix):]); err != nil {
			return err
		}
		var rec codec.Record = new(codec.FriendEdge)
		if kind == index.KindAppIn {
			rec = new(codec.Application)
		}
		if err := codec.Decode(it.Value(), rec); err != nil {
			return err
		}
		n++
	}
	return it.Close()
}

// TestGraphDeterministic pins that a seed gives the same graph, and that
// the generated graph imports cleanly (every rule of Import holds).
func TestGraphDeterministic(t *testing.T) {
	a, b := newGraph(3000, 30, 7), newGraph(3000, 30, 7)
	if !bytes.Equal(u32Bytes(a.friends), u32Bytes(b.friends)) || fmt.Sprint(a.blocks, a.apps) != fmt.Sprint(b.blocks, b.apps) {
		t.Fatal("newGraph is not deterministic")
	}
	if mean := float64(a.edges()) / float64(a.n); mean < 25 || mean > 35 {
		t.Errorf("mean friend list %.1f, want about 30", mean)
	}
	if a.maxList() > maxDegree || a.maxList() < 100 {
		t.Errorf("longest list %d: not a power law under the cap", a.maxList())
	}
	db, err := engine.Open(t.TempDir(), &engine.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := db.ImportRecords(ctx, a.records())
	if err != nil {
		t.Fatal(err)
	}
	if st.Friends != a.edges() || st.Users != a.n || st.Blocks != len(a.blocks) || st.Applications != len(a.apps) {
		t.Errorf("stats %+v", st)
	}
	rep, err := db.Check(ctx)
	if err != nil || !rep.OK() {
		t.Errorf("Check: %v %v", err, rep.Problems)
	}
}

func u32Bytes(s []uint32) []byte {
	out := make([]byte, 0, 4*len(s))
	for _, v := range s {
		out = append(out, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
	}
	return out
}

// TestHist checks the histogram's quantiles against exact ones.
func TestHist(t *testing.T) {
	var h hist
	rng := rand.New(rand.NewPCG(1, 2))
	vals := make([]time.Duration, 100_000)
	for i := range vals {
		vals[i] = time.Duration(rng.ExpFloat64() * 5000)
		h.record(vals[i])
	}
	slices.Sort(vals)
	for _, q := range []float64{0.5, 0.99, 0.999} {
		exact := vals[int(q*float64(len(vals)))-1]
		got := h.quantile(q)
		if d := float64(got-exact) / float64(exact); d > 0.02 || d < -0.02 {
			t.Errorf("q%.3f = %v, exact %v", q, got, exact)
		}
	}
	if h.n != uint64(len(vals)) {
		t.Errorf("n = %d", h.n)
	}
}

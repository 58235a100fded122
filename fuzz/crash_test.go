package fuzz

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"

	"github.com/kithdb/kith/engine"
)

var crashSeeds = flag.Int("crashseeds", 0, "consecutive seeds each crash and fault test runs, from -seed (0: 100, or 15 under -race)")

// hookFS is an errorfs injector that calls a settable hook before every
// file system operation; the hook may inject an error or just look.
type hookFS struct {
	mu   sync.Mutex
	hook func(errorfs.Op) error
}

func (h *hookFS) String() string { return "hook" }

func (h *hookFS) MaybeError(op errorfs.Op) error {
	h.mu.Lock()
	f := h.hook
	h.mu.Unlock()
	if f == nil {
		return nil
	}
	return f(op)
}

func (h *hookFS) set(f func(errorfs.Op) error) {
	h.mu.Lock()
	h.hook = f
	h.mu.Unlock()
}

func isWAL(path string) bool { return strings.HasSuffix(path, ".log") }

// isWALWrite reports whether op puts data into a WAL or syncs it.
func isWALWrite(op errorfs.Op) bool {
	switch op.Kind {
	case errorfs.OpFileWrite, errorfs.OpFileWriteAt, errorfs.OpFileSync, errorfs.OpFileSyncData, errorfs.OpFileSyncTo:
		return isWAL(op.Path)
	}
	return false
}

// forEachSeed runs fn as a subtest for *crashSeeds consecutive seeds.
func forEachSeed(t *testing.T, fn func(t *testing.T, seed uint64)) {
	first := testSeed(t)
	n := *crashSeeds
	if n == 0 {
		n = 100
		if raceEnabled {
			n = 15
		}
	}
	for i := range uint64(n) {
		seed := first + i
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("rerun with: go test ./fuzz -run '^%s$' -seed=%d -crashseeds=1", t.Name()[:strings.IndexByte(t.Name(), '/')], seed)
				}
			})
			fn(t, seed)
		})
	}
}

// crashPoint is a crash clone of the store's file system.
type crashPoint struct {
	fs       *vfs.MemFS
	calls    int  // calls that had returned when it was taken
	inFlight bool // taken inside a call (at a WAL write or sync)
	pct      int  // CrashCloneCfg.UnsyncedDataPercent
}

func (c crashPoint) String() string {
	where := "between calls"
	if c.inFlight {
		where = "inside the next call"
	}
	return fmt.Sprintf("crash after %d calls, %s, %d%% of unsynced data kept", c.calls, where, c.pct)
}

// TestCrashSync: with Sync on (the default), random calls run on a
// crashable in-memory FS; crash clones are taken between calls and inside
// calls (at the WAL write or sync of a commit). Reopened, every clone
// passes Check and holds exactly the calls that had returned — plus,
// when unsynced data may survive, possibly the call in flight, whole.
// After one of the crashes the run goes on on the recovered store.
func TestCrashSync(t *testing.T) {
	forEachSeed(t, func(t *testing.T, seed uint64) { crashRun(t, seed, false) })
}

// TestCrashNoSync: with Options.NoSync a crash (keeping half of the
// unsynced data, at random) may lose the newest calls but never half of
// one: the reopened store equals the model after some prefix of the
// calls.
func TestCrashNoSync(t *testing.T) {
	forEachSeed(t, func(t *testing.T, seed uint64) { crashRun(t, seed, true) })
}

func crashRun(t *testing.T, seed uint64, noSync bool) {
	r := rand.New(rand.NewPCG(seed, 0xc4a5))
	cfg := config(r.IntN(256)) &^ cfgPreset // the presets run below, as calls
	mem := vfs.NewCrashableMem()
	hook := &hookFS{}
	h := newHarness(t, cfg, errorfs.Wrap(mem, hook), fuzzUsers, noSync)
	h.checkEvery = 5
	g := &gen{r: r, nUsers: len(fuzzUsers), users: fuzzUsers, m: h.m}
	calls := 20 + r.IntN(30)
	if noSync {
		// Pebble writes a NoSync WAL to its file in 32 KB blocks only:
		// bigger and more calls, so that some of them reach the file.
		g.big, calls = true, 60+r.IntN(60)
	}
	ops := append(presetOps(), make([]op, calls)...)
	n := len(ops)
	prefix := [][]string{h.m.dump(h.users)} // prefix[k]: the state after k calls
	var (
		mu      sync.Mutex
		crashes []crashPoint
		done    atomic.Int64
		events  atomic.Int64
	)
	clone := func(pct int, inFlight bool, rngSeed uint64) {
		c := crashPoint{calls: int(done.Load()), inFlight: inFlight, pct: pct}
		c.fs = mem.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: pct, RNG: rand.New(rand.NewPCG(seed, rngSeed))})
		mu.Lock()
		crashes = append(crashes, c)
		mu.Unlock()
	}
	pcts := []int{0, 50, 100}
	if noSync {
		pcts = []int{50}
	}
	// Crash inside about one call in eight, at one of its WAL operations.
	hook.set(func(op errorfs.Op) error {
		if isWALWrite(op) {
			e := events.Add(1)
			if rand.New(rand.NewPCG(seed, uint64(e))).IntN(16) == 0 {
				clone(pcts[int(e)%len(pcts)], true, uint64(e))
			}
		}
		return nil
	})
	for i := range n {
		if r.IntN(n) < 4 { // about four crashes between calls per run
			clone(pcts[r.IntN(len(pcts))], false, uint64(1000+i))
		}
		if i >= len(presetOps()) {
			ops[i] = g.op()
		}
		h.apply(ops[i])
		done.Store(int64(i + 1))
		prefix = append(prefix, h.m.dump(h.users))
	}
	clone(pcts[r.IntN(len(pcts))], false, 2000)
	hook.set(nil)
	h.close()

	mu.Lock()
	defer mu.Unlock()
	resumeAt := r.IntN(len(crashes))
	for ci, c := range crashes {
		db, err := engine.Open("db", cfg.options(c.fs, h.clock, noSync))
		if err != nil {
			h.fatalf("%s: Open: %v", c, err)
		}
		checkDB(t, h.ctx, db, func(format string, args ...any) { h.fatalf("%s: "+format, append([]any{c}, args...)...) })
		got, err := dumpDB(h.ctx, db, h.m.o, h.users)
		if err != nil {
			h.fatalf("%s: reading the state: %v", c, err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		// The states the recovered store may be in.
		lo, hi := c.calls, c.calls
		switch {
		case noSync:
			lo = 0
			if c.inFlight {
				hi = min(c.calls+1, n)
			}
		case c.inFlight && c.pct > 0:
			hi = min(c.calls+1, n)
		}
		match := -1
		for k := hi; k >= lo && match < 0; k-- {
			if diffLines(prefix[k], got) == "" {
				match = k
			}
		}
		if match < 0 {
			h.fatalf("%s: the recovered store is none of the states after %d..%d calls; against the state after %d:\n%s",
				c, lo, hi, c.calls, diffLines(prefix[c.calls], got))
		}
		if testing.Verbose() {
			t.Logf("%s: recovered the state after %d calls", c, match)
		}
		if ci == resumeAt {
			// The recovered store takes more calls, in step with the model.
			h2 := resume(t, cfg, c.fs, h.users, noSync, h.ops[:match])
			g2 := &gen{r: r, nUsers: len(fuzzUsers), users: fuzzUsers, m: h2.m}
			for range 10 {
				h2.apply(g2.op())
			}
			h2.verify()
			h2.close()
		}
	}
}

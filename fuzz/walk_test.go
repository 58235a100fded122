package fuzz

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
)

var (
	seedFlag       = flag.Uint64("seed", 0, "seed of TestRandomWalk and the crash and fault tests (0: time-based, printed)")
	walkOps        = flag.Int("walk.ops", 10000, "calls per TestRandomWalk configuration")
	walkCheckEvery = flag.Int("walk.check", 0, "TestRandomWalk runs db.Check after every n-th call (0: 10, or 50 under -race)")
)

// testSeed returns -seed or a time-based seed, and logs how to rerun
// with it if the test fails.
func testSeed(t *testing.T) uint64 {
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("rerun with: go test ./fuzz -run '^%s$' -seed=%d", t.Name(), seed)
		}
	})
	return seed
}

// weighted op kinds of the random generator: friend requests dominate,
// so that lists fill up and the limits are reached.
var opWeights = []struct {
	kind opKind
	w    int
}{
	{opAddFriends, 22}, {opUpdateProfile, 6}, {opAccept, 8}, {opRefuse, 3}, {opDeleteApps, 3},
	{opDeleteFriends, 6}, {opUpdateFriend, 5}, {opCreateGroup, 4}, {opDeleteGroups, 2},
	{opRenameGroup, 2}, {opAddToGroup, 4}, {opRemoveFromGroup, 3}, {opBlock, 4}, {opUnblock, 4},
	{opMarkRead, 3}, {opDeleteUser, 1}, {opCanSend, 2}, {opBadContext, 1},
}

var opWeightSum = func() int {
	s := 0
	for _, w := range opWeights {
		s += w.w
	}
	return s
}()

// gen draws ops at random over nUsers users: mostly well-formed, with a
// few percent of invalid IDs, names and values so every error path runs.
type gen struct {
	r      *rand.Rand
	nUsers int
	users  []string // the IDs of user indices, for hints
	// big makes half the calls profile updates with a 480-byte field,
	// to fill Pebble's 32 KB WAL blocks.
	big bool
	// m, if set, is the model of the store the ops go to: most of the
	// time the peer of a call that needs an application, a friend or a
	// block is drawn from what exists, so the deep paths run often.
	m *model
}

// hint returns the index of a user related to actor by rel, if any.
func (g *gen) hint(actor uint8, rel func(a, b string) bool) (uint8, bool) {
	if g.m == nil || actor == invalidUser || !g.chance(75) {
		return 0, false
	}
	a := g.users[int(actor)%len(g.users)]
	var cands []uint8
	for i, b := range g.users {
		if rel(a, b) {
			cands = append(cands, uint8(i))
		}
	}
	if len(cands) == 0 {
		return 0, false
	}
	return cands[g.r.IntN(len(cands))], true
}

// pair returns, most of the time, a pair of users related by rel.
func (g *gen) pair(rel func(a, b string) bool) (uint8, uint8, bool) {
	if g.m == nil || !g.chance(75) {
		return 0, 0, false
	}
	var cands [][2]uint8
	for i, a := range g.users {
		for j, b := range g.users {
			if rel(a, b) {
				cands = append(cands, [2]uint8{uint8(i), uint8(j)})
			}
		}
	}
	if len(cands) == 0 {
		return 0, 0, false
	}
	c := cands[g.r.IntN(len(cands))]
	return c[0], c[1], true
}

// peer returns a user related to actor by rel, or a random one.
func (g *gen) peer(actor uint8, rel func(a, b string) bool) uint8 {
	if u, ok := g.hint(actor, rel); ok {
		return u
	}
	return g.user()
}

func (g *gen) applicant(a, b string) bool { return g.m.app(b, a) != nil }
func (g *gen) related(a, b string) bool {
	return g.m.app(b, a) != nil || g.m.app(a, b) != nil || g.m.isFriend(a, b) || g.m.isFriend(b, a)
}

func (g *gen) chance(pct float64) bool { return g.r.Float64()*100 < pct }

func (g *gen) user() uint8 {
	if g.chance(0.5) {
		return invalidUser
	}
	return uint8(g.r.IntN(g.nUsers))
}

func (g *gen) count() int {
	switch x := g.r.IntN(1000); {
	case x < 600:
		return 1
	case x < 850:
		return 2
	case x < 950:
		return 3
	case x < 980:
		return 0
	case x < 995:
		return 4
	}
	return 5
}

func (g *gen) group() uint8 {
	if g.chance(3) {
		return uint8(4 + g.r.IntN(3)) // "", too long, control character
	}
	return uint8(g.r.IntN(4))
}

// pick returns choices[i] with weight weights[i].
func (g *gen) pick(weights ...int) uint8 {
	sum := 0
	for _, w := range weights {
		sum += w
	}
	x := g.r.IntN(sum)
	for i, w := range weights {
		if x < w {
			return uint8(i)
		}
		x -= w
	}
	panic("unreachable")
}

func (g *gen) isFriend(a, b string) bool { return g.m.isFriend(a, b) }
func (g *gen) blocks(a, b string) bool   { return g.m.blocks(a, b) }

// peers returns items of users, most of them related to actor by rel.
func (g *gen) peers(actor uint8, rel func(a, b string) bool) []item {
	its := make([]item, g.count())
	for i := range its {
		its[i] = item{U: g.peer(actor, rel)}
	}
	return its
}

func (g *gen) op() op {
	x := g.r.IntN(opWeightSum)
	var kind opKind
	for _, w := range opWeights {
		if x < w.w {
			kind = w.kind
			break
		}
		x -= w.w
	}
	o := op{Kind: kind, Actor: g.user()}
	if g.big && g.chance(50) {
		o.Kind, o.P = opUpdateProfile, [4]uint8{64 | 1<<g.r.IntN(6), uint8(g.r.IntN(3)), 0, 1}
		return o
	}
	switch kind {
	case opUpdateProfile:
		if !g.chance(3) {
			o.P[0] = 1 << g.pick(40, 10, 20, 10, 10, 10)
		}
		o.P[1] = g.pick(33, 33, 32, 2)
		o.P[2] = g.pick(75, 24, 1)
		o.P[3] = g.pick(10, 44, 44, 2) | g.pick(60, 30, 5, 5)<<2 | g.pick(33, 33, 32, 2)<<4
	case opAddFriends:
		for range g.count() {
			f := g.pick(40, 60)
			if g.chance(50) {
				f |= (g.group() + 1) << 1
			}
			if g.chance(30) {
				f |= 16
			}
			f |= g.pick(85, 10, 0, 0, 0, 2, 2, 1) << 5
			o.Items = append(o.Items, item{U: g.user(), F: f})
		}
	case opAccept:
		o.Items = []item{{U: g.peer(o.Actor, g.applicant)}}
		if a, b, ok := g.pair(g.applicant); ok {
			o.Actor, o.Items[0].U = a, b
		}
		o.P[0], o.P[1] = g.pick(45, 53, 2), g.pick(40, 30, 28, 2)
	case opRefuse:
		o.Items = []item{{U: g.peer(o.Actor, g.applicant)}}
		if a, b, ok := g.pair(g.applicant); ok && g.chance(50) {
			o.Actor, o.Items[0].U = a, b
		}
	case opCanSend:
		o.Items = []item{{U: g.user()}}
	case opDeleteApps:
		o.Items, o.P[0] = g.peers(o.Actor, g.related), g.pick(40, 30, 28, 2)
	case opDeleteFriends:
		o.Items, o.P[0] = g.peers(o.Actor, g.related), g.pick(55, 43, 2)
	case opUpdateFriend:
		o.Items = []item{{U: g.peer(o.Actor, g.isFriend)}}
		if a, b, ok := g.pair(g.isFriend); ok && g.chance(50) {
			o.Actor, o.Items[0].U = a, b
		}
		o.P[0] = uint8(1 + g.r.IntN(7))
		o.P[1] = g.pick(40, 30, 28, 2)
		for i := range 4 {
			if g.chance(30) {
				o.P[2] |= 1 << i
			}
		}
		if g.chance(3) {
			o.P[2] |= 1 << (4 + g.r.IntN(3))
		}
		if g.chance(5) {
			o.P[2] |= 128
		}
		o.P[3] = g.pick(60, 35, 5)
	case opCreateGroup, opAddToGroup, opRemoveFromGroup:
		o.Items, o.P[0] = g.peers(o.Actor, g.isFriend), g.group()
	case opDeleteGroups:
		for range g.count() {
			o.Items = append(o.Items, item{U: g.group()})
		}
	case opRenameGroup:
		o.P[0], o.P[1] = g.group(), g.group()
	case opBadContext:
		o.P[0] = uint8(g.r.IntN(2))
	case opBlock:
		o.Items = g.peers(o.Actor, g.related)
	case opUnblock:
		o.Items = g.peers(o.Actor, g.blocks)
	}
	return o
}

// TestRandomWalk runs long random call sequences (seeded, see -seed)
// against the engine and the model: every answer is compared; the whole
// observable state is compared, and Check run, every 500 calls and at the
// end; Check also runs every 10 calls (every 50 under -race, where it is
// 20 times slower; -walk.check=1 checks after every call); the store is
// reopened every 2500 calls. It runs once with the profile cache on and
// once with it off, each with other options drawn from the seed.
func TestRandomWalk(t *testing.T) {
	seed := testSeed(t)
	n := *walkOps
	if testing.Short() {
		n = min(n, 1000)
	}
	for _, cache := range []config{0, cfgNoCache} {
		t.Run(fmt.Sprintf("cache=%v", cache == 0), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, uint64(cache)))
			// Random options, the cache bit aside; half the runs preset users.
			cfg := config(r.IntN(256))&^(cfgNoCache|cfgTinyCache) | cache
			if cache == 0 && r.IntN(2) == 0 {
				cfg |= cfgTinyCache
			}
			h := newHarness(t, cfg, vfs.NewMem(), fuzzUsers, true)
			defer h.close()
			h.checkEvery = *walkCheckEvery
			h.verifyBadCtx = false
			if h.checkEvery == 0 {
				h.checkEvery = 10
				if raceEnabled {
					h.checkEvery = 50
				}
			}
			g := &gen{r: r, nUsers: len(fuzzUsers), users: fuzzUsers, m: h.m}
			for i := 1; i <= n; i++ {
				switch {
				case i%2500 == 0:
					h.apply(op{Kind: opReopen})
				case i%500 == 0:
					h.apply(op{Kind: opVerify})
				default:
					h.apply(g.op())
				}
			}
			h.verify()
			t.Logf("%s: %d calls", cfg, n)
			if testing.Verbose() {
				for k := range numOps {
					if h.codes[k] != nil {
						t.Logf("  %-20s %v", k, h.codes[k])
					}
				}
			}
		})
	}
}

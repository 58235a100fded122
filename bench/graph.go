package main

import (
	"cmp"
	"iter"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/kithdb/kith/engine"
)

// graph is a generated social graph, the same for the same (users, mean
// degree, seed): users 0..n-1 (userID), friend lists with a power-law
// (Pareto, exponent 2.5) size distribution, most friendships two-way,
// some blocks and pending applications that respect kith's rules.
type graph struct {
	n    int
	seed uint64
	ids  []string
	// User i's friend list is friends[start[i]:start[i+1]], ascending.
	start   []uint32
	friends []uint32
	blocks  [][2]uint32 // (owner, target), ascending
	apps    [][2]uint32 // (from, to), ascending
}

// Graph shape. The numbers are part of the data set: changing one changes
// every measurement.
const (
	paretoAlpha  = 2.5  // exponent of the friend-count distribution
	oneWayShare  = 0.05 // share of friendships held by one side only
	maxDegree    = 3000 // engine.DefaultLimits.Friends
	blockerShare = 0.01 // users who block 1–3 strangers
	appShare     = 0.10 // users with 1–5 pending incoming applications
)

// newGraph generates the graph of n users whose friend lists hold
// meanDegree friends on average.
func newGraph(n, meanDegree int, seed uint64) *graph {
	g := &graph{n: n, seed: seed, ids: userIDs(n)}
	rng := rand.New(rand.NewPCG(seed, 0x6b697468))
	pairs := pairUp(rng, degrees(rng, n, meanDegree))
	g.buildLists(rng, pairs)
	g.addBlocks(rng)
	g.addApps(rng)
	return g
}

// degrees draws each user's target number of friendships from a Pareto
// distribution scaled so that the friend lists average meanDegree.
func degrees(rng *rand.Rand, n, meanDegree int) []int {
	capDeg := min(maxDegree, n-1)
	raw := make([]float64, n)
	for i := range raw {
		raw[i] = math.Pow(1-rng.Float64(), -1/(paretoAlpha-1)) // ≥ 1
	}
	// A one-way friendship adds one list entry, a two-way one two: the
	// friendships a user takes part in must average meanDegree/(1-share/2).
	target := float64(meanDegree) / (1 - oneWayShare/2)
	d := make([]int, n)
	scale := target / 3 // the Pareto(2.5) mean is 3
	for range 4 {       // re-scale for the mass the cap cuts off
		sum := 0
		for i, r := range raw {
			d[i] = min(capDeg, int(r*scale+0.5))
			sum += d[i]
		}
		if sum == 0 {
			break
		}
		scale *= target * float64(n) / float64(sum)
	}
	return d
}

// pairUp pairs up the users' friendship stubs at random (configuration
// model) and returns the distinct pairs (a < b), ascending.
func pairUp(rng *rand.Rand, deg []int) []uint64 {
	var stubs []uint32
	for i, d := range deg {
		for range d {
			stubs = append(stubs, uint32(i))
		}
	}
	rng.Shuffle(len(stubs), func(i, j int) { stubs[i], stubs[j] = stubs[j], stubs[i] })
	pairs := make([]uint64, 0, len(stubs)/2)
	for i := 0; i+1 < len(stubs); i += 2 {
		a, b := stubs[i], stubs[i+1]
		if a != b {
			pairs = append(pairs, uint64(min(a, b))<<32|uint64(max(a, b)))
		}
	}
	slices.Sort(pairs)
	return slices.Compact(pairs)
}

// buildLists turns friendships into friend lists: two-way for most,
// one-way (either direction) for oneWayShare of them.
func (g *graph) buildLists(rng *rand.Rand, pairs []uint64) {
	type edge struct{ owner, friend uint32 }
	edges := make([]edge, 0, 2*len(pairs))
	for _, p := range pairs {
		a, b := uint32(p>>32), uint32(p)
		switch r := rng.Float64(); {
		case r < oneWayShare/2:
			edges = append(edges, edge{a, b})
		case r < oneWayShare:
			edges = append(edges, edge{b, a})
		default:
			edges = append(edges, edge{a, b}, edge{b, a})
		}
	}
	g.start = make([]uint32, g.n+1)
	for _, e := range edges {
		g.start[e.owner+1]++
	}
	for i := 1; i <= g.n; i++ {
		g.start[i] += g.start[i-1]
	}
	g.friends = make([]uint32, len(edges))
	pos := slices.Clone(g.start[:g.n])
	for _, e := range edges {
		g.friends[pos[e.owner]] = e.friend
		pos[e.owner]++
	}
	for i := range g.n {
		slices.Sort(g.list(i))
	}
}

// list returns user i's friends, ascending.
func (g *graph) list(i int) []uint32 { return g.friends[g.start[i]:g.start[i+1]] }

// isFriend reports whether a's list holds b.
func (g *graph) isFriend(a, b uint32) bool {
	_, ok := slices.BinarySearch(g.list(int(a)), b)
	return ok
}

// strangers reports whether neither of a and b holds the other.
func (g *graph) strangers(a, b uint32) bool { return a != b && !g.isFriend(a, b) && !g.isFriend(b, a) }

// addBlocks makes blockerShare of the users block 1–3 strangers.
func (g *graph) addBlocks(rng *rand.Rand) {
	seen := map[[2]uint32]bool{}
	for range int(float64(g.n) * blockerShare) {
		owner := uint32(rng.IntN(g.n))
		for range 1 + rng.IntN(3) {
			t := uint32(rng.IntN(g.n))
			if p := [2]uint32{owner, t}; g.strangers(owner, t) && !seen[p] {
				seen[p] = true
				g.blocks = append(g.blocks, p)
			}
		}
	}
	slices.SortFunc(g.blocks, cmpPair)
}

func cmpPair(x, y [2]uint32) int { return cmp.Or(cmp.Compare(x[0], y[0]), cmp.Compare(x[1], y[1])) }

// blocked reports whether a blocked b or b blocked a.
func (g *graph) blocked(a, b uint32) bool {
	_, ab := slices.BinarySearchFunc(g.blocks, [2]uint32{a, b}, cmpPair)
	_, ba := slices.BinarySearchFunc(g.blocks, [2]uint32{b, a}, cmpPair)
	return ab || ba
}

// addApps gives appShare of the users 1–5 pending applications from
// strangers they have not blocked (and who have not blocked them), never
// both ways between two users.
func (g *graph) addApps(rng *rand.Rand) {
	seen := map[[2]uint32]bool{}
	for range int(float64(g.n) * appShare) {
		to := uint32(rng.IntN(g.n))
		for range 1 + rng.IntN(5) {
			from := uint32(rng.IntN(g.n))
			p := [2]uint32{from, to}
			if g.strangers(from, to) && !g.blocked(from, to) && !seen[p] && !seen[[2]uint32{to, from}] {
				seen[p] = true
				g.apps = append(g.apps, p)
			}
		}
	}
	slices.SortFunc(g.apps, cmpPair)
}

// edges returns the number of directed friend edges.
func (g *graph) edges() int { return len(g.friends) }

// Generated edge attributes: a few add sources, some remarks and groups.
var (
	addSources = []string{"search", "qrcode", "group", "contacts"}
	groupNames = []string{"family", "work", "school"}
)

// hash3 hashes (seed, a, b) into 64 well-mixed bits (splitmix64).
func hash3(seed uint64, a, b uint32) uint64 {
	z := seed*0x9e3779b97f4a7c15 ^ (uint64(a)<<32 | uint64(b))
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// baseTime is the generated "add time" origin: 2024-01-01 UTC.
const baseTime = int64(1704067200) * 1e9

// allowType is user i's generated AllowType: 75 % AllowAny, 20 %
// NeedConfirm, 5 % DenyAny.
func (g *graph) allowType(i int) string {
	switch hash3(g.seed, uint32(i), 0xa110) % 20 {
	case 0:
		return "DenyAny"
	case 1, 2, 3, 4:
		return "NeedConfirm"
	}
	return "AllowAny"
}

// records yields the graph as import records: the profiles, then each
// user's friend edges, then the blocks and applications. The records
// are reused from one yield to the next (ImportRecords copies them).
func (g *graph) records() iter.Seq[engine.ImportRecord] {
	return func(yield func(engine.ImportRecord) bool) {
		var (
			pr engine.ProfileRecord
			fr engine.FriendRecord
			br engine.BlockRecord
			ar engine.ApplicationRecord
			at int64
		)
		for i := range g.n {
			g.profile(i, &pr)
			if !yield(engine.ImportRecord{Profile: &pr}) {
				return
			}
		}
		for i := range g.n {
			for _, f := range g.list(i) {
				g.friend(uint32(i), f, &fr, &at)
				if !yield(engine.ImportRecord{Friend: &fr}) {
					return
				}
			}
		}
		for _, b := range g.blocks {
			at = baseTime + int64(hash3(g.seed, b[0], b[1])%(365*86400))*1e9
			br = engine.BlockRecord{Owner: g.ids[b[0]], Target: g.ids[b[1]], AddTime: &at}
			if !yield(engine.ImportRecord{Block: &br}) {
				return
			}
		}
		for _, a := range g.apps {
			at = baseTime + int64(hash3(g.seed, a[0], a[1])%(365*86400))*1e9
			ar = engine.ApplicationRecord{From: g.ids[a[0]], To: g.ids[a[1]], Wording: "hi, it's me", Source: "search", AddTime: &at}
			if !yield(engine.ImportRecord{Application: &ar}) {
				return
			}
		}
	}
}

// profile fills pr with user i's generated profile.
func (g *graph) profile(i int, pr *engine.ProfileRecord) {
	u := profileUpdate(g.seed, i)
	genders := []string{"", "Male", "Female"}
	*pr = engine.ProfileRecord{ID: g.ids[i], Nick: *u.Nick, FaceURL: *u.FaceURL, Gender: genders[*u.Gender],
		SelfSignature: *u.SelfSignature, AllowType: g.allowType(i), Birthday: *u.Birthday,
		Language: *u.Language, Level: *u.Level}
}

// friend fills fr with the generated edge owner -> friend.
func (g *graph) friend(owner, friend uint32, fr *engine.FriendRecord, at *int64) {
	h := hash3(g.seed, owner, friend)
	*at = baseTime + int64(h%(365*86400))*1e9
	*fr = engine.FriendRecord{Owner: g.ids[owner], Friend: g.ids[friend],
		AddSource: addSources[h>>32%uint64(len(addSources))], AddTime: at}
	if k := h >> 40 % 10; k < uint64(len(groupNames)) {
		fr.Groups = groupNames[k : k+1]
	}
	if h>>48%10 == 0 {
		fr.Remark = "r" + g.ids[friend][1:]
	}
}

// recordCount is the number of records records yields.
func (g *graph) recordCount() int { return g.n + g.edges() + len(g.blocks) + len(g.apps) }

// maxList returns the longest friend list.
func (g *graph) maxList() int {
	m := 0
	for i := range g.n {
		m = max(m, len(g.list(i)))
	}
	return m
}

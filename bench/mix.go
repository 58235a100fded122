package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kithdb/kith/engine"
)

// op is one operation of a workload mix.
type op struct {
	name   string
	weight float64 // percent of the calls
	run    func(w *worker) error
}

// mix is a named set of operations with their shares.
type mix struct {
	name string
	ops  []op
	cum  []float64 // cumulative weights, for picking
}

// Page sizes and batch sizes of the mixes.
const (
	taoPage      = 20  // "a page of 20 friends", as a friend list screen shows
	taoProfiles  = 10  // profiles per GetProfiles: the visible rows of a chat list
	linkListPage = 100 // LinkBench's get_link_list, capped at kith's default page
)

// mixNames lists the mixes of -workload.
var mixNames = []string{"tao", "linkbench", "social"}

// newMix returns the mix named name.
//
//   - tao: the read-mostly mix of Facebook's TAO paper (USENIX ATC '13,
//     table 2): 99.8 % reads — 41 % assoc_range (a page of friends), 29 %
//     obj_get (profiles), 16 % assoc_get (a relation check), 12 %
//     assoc_count (Counts), 2 % recent applications — and 0.2 % writes.
//   - linkbench: the operation mix of LinkBench (SIGMOD '13, table 3),
//     69 % reads / 31 % writes, nodes being users and links friend edges.
//   - social: what an IM client does around friend requests: requests,
//     accepts, refusals, blocks, unblocks, profile updates, deletes.
func newMix(name string) (*mix, error) {
	var ops []op
	switch name {
	case "tao":
		ops = []op{
			{"ListFriends/20", 41, (*worker).listFriends20},
			{"GetProfiles/10", 29, (*worker).getProfiles10},
			{"CheckFriends", 16, (*worker).checkFriends},
			{"Counts", 12, (*worker).counts},
			{"ListApplications", 2, (*worker).listApplications},
			{"UpdateProfile", 0.1, (*worker).updateProfile},
			{"AddFriends/both", 0.1, (*worker).requestFriend},
		}
	case "linkbench":
		ops = []op{
			{"GetProfiles/1", 12.9, (*worker).getProfile1},      // get_node
			{"UpdateProfile/new", 2.6, (*worker).addNode},       // add_node
			{"UpdateProfile", 7.4, (*worker).updateProfile},     // update_node
			{"DeleteUser", 1.0, (*worker).deleteNode},           // delete_node
			{"CheckFriends", 0.5, (*worker).checkFriends},       // get_link
			{"Counts", 4.9, (*worker).counts},                   // count_link
			{"ListFriends/100", 50.7, (*worker).listFriends100}, // get_link_list
			{"AddFriends/single", 9.0, (*worker).addLink},       // add_link
			{"DeleteFriends/single", 3.0, (*worker).deleteLink}, // delete_link
			{"UpdateFriend", 8.0, (*worker).updateLink},         // update_link
		}
	case "social":
		ops = []op{
			{"AddFriends/both", 25, (*worker).requestFriend},
			{"AcceptApplication", 15, (*worker).accept},
			{"RefuseApplication", 5, (*worker).refuse},
			{"ListApplications", 10, (*worker).listApplications},
			{"Block", 8, (*worker).block},
			{"Unblock", 4, (*worker).unblock},
			{"UpdateProfile", 20, (*worker).updateProfile},
			{"DeleteFriends/both", 8, (*worker).unfriend},
			{"ListFriends/20", 5, (*worker).listFriends20},
		}
	default:
		return nil, fmt.Errorf("unknown workload %q (want one of %s)", name, strings.Join(mixNames, ", "))
	}
	m := &mix{name: name, ops: ops}
	sum := 0.0
	for _, o := range ops {
		sum += o.weight
		m.cum = append(m.cum, sum)
	}
	return m, nil
}

// pick returns the index of a random operation, by weight.
func (m *mix) pick(rng *rand.Rand) int {
	x := rng.Float64() * m.cum[len(m.cum)-1]
	return min(sort.SearchFloat64s(m.cum, x), len(m.ops)-1)
}

// worker runs a mix on one goroutine. Its choices are deterministic for
// a seed and worker number; how many calls it makes depends on speed.
type worker struct {
	id   int
	ctx  context.Context
	db   *engine.DB
	g    *graph
	mix  *mix
	rng  *rand.Rand
	zipf *rand.Zipf
	mul  uint64 // a multiplier coprime with the user count: hot users spread over the key space

	hists   []hist   // latency per op
	refused []uint64 // calls answered with a result code (ErrNotFriends, ErrFriendLimit, ...)
	calls   atomic.Uint64

	ids     []string    // scratch
	pending [][2]string // applications this worker sent: (from, to)
	blocks  [][2]string // blocks this worker made: (owner, target)
	nodes   []string    // users this worker created (linkbench add_node)
	seq     int
}

// zipfS is the skew of user popularity: s = 1.1 over ranks, the hot
// users spread over the ID space by a fixed permutation.
const zipfS = 1.1

func newWorker(ctx context.Context, id int, db *engine.DB, g *graph, m *mix, seed uint64) *worker {
	rng := rand.New(rand.NewPCG(seed, uint64(id)+1))
	w := &worker{id: id, ctx: ctx, db: db, g: g, mix: m, rng: rng,
		zipf:    rand.NewZipf(rng, zipfS, 1, uint64(g.n-1)),
		mul:     coprimeMultiplier(uint64(g.n)),
		hists:   make([]hist, len(m.ops)),
		refused: make([]uint64, len(m.ops)),
	}
	return w
}

// coprimeMultiplier returns a large odd number coprime with n.
func coprimeMultiplier(n uint64) uint64 {
	gcd := func(a, b uint64) uint64 {
		for b != 0 {
			a, b = b, a%b
		}
		return a
	}
	m := uint64(2654435761)
	for gcd(m, n) != 1 {
		m += 2
	}
	return m
}

// run calls random operations until the deadline or ctx is done. Calls
// answered with a result code count as refused; any other error ends the
// run, except the cancellation of ctx.
func (w *worker) run(deadline time.Time) error {
	for {
		i := w.mix.pick(w.rng)
		start := time.Now()
		if !start.Before(deadline) || w.ctx.Err() != nil {
			return nil
		}
		err := w.mix.ops[i].run(w)
		w.hists[i].record(time.Since(start))
		w.calls.Add(1)
		if err != nil {
			switch {
			case w.ctx.Err() != nil:
				return nil
			case engine.Code(err) > 0:
				w.refused[i]++
			default:
				return fmt.Errorf("%s: %w", w.mix.ops[i].name, err)
			}
		}
	}
}

// reset forgets the calls counted so far (the warm-up's), keeping the
// worker's state (its random stream, the applications and blocks it made).
func (w *worker) reset() {
	clear(w.hists)
	clear(w.refused)
	w.calls.Store(0)
}

// user returns a random user, popular ones more often.
func (w *worker) user() uint32 {
	return uint32(w.zipf.Uint64() * w.mul % uint64(w.g.n))
}

func (w *worker) uid(u uint32) string { return w.g.ids[u] }

// friendOf returns a generated friend of u (which may since have been
// deleted), or a random user when u has none.
func (w *worker) friendOf(u uint32) uint32 {
	l := w.g.list(int(u))
	if len(l) == 0 {
		return w.user()
	}
	return l[w.rng.IntN(len(l))]
}

// other returns a random user other than u.
func (w *worker) other(u uint32) uint32 {
	for {
		if v := w.user(); v != u || w.g.n == 1 {
			return v
		}
	}
}

func (w *worker) listFriends(limit int) error {
	_, err := w.db.ListFriends(w.ctx, w.uid(w.user()), engine.ListOptions{Limit: limit})
	return err
}

func (w *worker) listFriends20() error  { return w.listFriends(taoPage) }
func (w *worker) listFriends100() error { return w.listFriends(linkListPage) }

// getProfiles10 reads the profiles of up to 10 consecutive friends of a
// user (a screen of its friend list), topped up with popular users.
func (w *worker) getProfiles10() error {
	viewer := w.profileScreen()
	return w.getProfiles(viewer, w.ids)
}

// profileScreen fills w.ids with a screen of profiles to read, as
// getProfiles10 describes, and returns the viewer.
func (w *worker) profileScreen() string {
	u := w.user()
	l := w.g.list(int(u))
	w.ids = w.ids[:0]
	if len(l) > 0 {
		from := w.rng.IntN(len(l))
		for _, f := range l[from:min(from+taoProfiles, len(l))] {
			w.ids = append(w.ids, w.uid(f))
		}
	}
	for len(w.ids) < taoProfiles {
		w.ids = append(w.ids, w.uid(w.user()))
	}
	return w.uid(u)
}

func (w *worker) getProfile1() error {
	w.ids = append(w.ids[:0], w.uid(w.user()))
	return w.getProfiles(w.ids[0], w.ids)
}

func (w *worker) getProfiles(viewer string, ids []string) error {
	res, err := w.db.GetProfiles(w.ctx, viewer, ids)
	if err != nil {
		return err
	}
	for _, it := range res.Items {
		if it.Err != nil {
			return it.Err
		}
	}
	return nil
}

// checkFriends checks a user's relation with a friend or, half the time,
// with a random user.
func (w *worker) checkFriends() error {
	u := w.user()
	peer := w.other(u)
	if w.rng.IntN(2) == 0 {
		if f := w.friendOf(u); f != u {
			peer = f
		}
	}
	res, err := w.db.CheckFriends(w.ctx, w.uid(u), []string{w.uid(peer)}, engine.CheckBoth)
	if err != nil {
		return err
	}
	return res[0].Err
}

func (w *worker) counts() error {
	_, err := w.db.Counts(w.ctx, w.uid(w.user()))
	return err
}

func (w *worker) listApplications() error {
	_, err := w.db.ListApplications(w.ctx, w.uid(w.user()), engine.Incoming, engine.ListOptions{Limit: taoPage})
	return err
}

func (w *worker) updateProfile() error {
	_, err := w.db.UpdateProfile(w.ctx, w.uid(w.user()), engine.ProfileUpdate{Level: new(uint32(w.rng.IntN(100)))})
	return err
}

// requestFriend sends a two-way friend request to a random user; a
// pending one is remembered for accept and refuse.
func (w *worker) requestFriend() error {
	u := w.user()
	from, to := w.uid(u), w.uid(w.other(u))
	res, err := w.db.AddFriends(w.ctx, from, []engine.AddFriendRequest{
		{UserID: to, Type: engine.AddBoth, Source: "search", Wording: "hi, we met at the meetup"}})
	if err != nil {
		return err
	}
	if res[0].Err == nil && res[0].Outcome == engine.Pending {
		w.pending = appendRing(w.pending, [2]string{from, to})
	}
	return res[0].Err
}

// ringSize bounds the remembered applications, blocks and nodes.
const ringSize = 1024

func appendRing[T any](s []T, v T) []T {
	if len(s) == ringSize {
		s = slices.Delete(s, 0, 1)
	}
	return append(s, v)
}

// takePending returns an application to answer: one this worker sent,
// else the first incoming one of a random user.
func (w *worker) takePending() (from, to string, ok bool, err error) {
	if n := len(w.pending); n > 0 {
		p := w.pending[n-1]
		w.pending = w.pending[:n-1]
		return p[0], p[1], true, nil
	}
	uid := w.uid(w.user())
	page, err := w.db.ListApplications(w.ctx, uid, engine.Incoming, engine.ListOptions{Limit: 1})
	if err != nil || len(page.Items) == 0 {
		return "", "", false, err
	}
	return page.Items[0].From, uid, true, nil
}

func (w *worker) accept() error {
	from, to, ok, err := w.takePending()
	if !ok {
		return err
	}
	return w.db.AcceptApplication(w.ctx, to, from, engine.AcceptAgreeAndAdd, "")
}

func (w *worker) refuse() error {
	from, to, ok, err := w.takePending()
	if !ok {
		return err
	}
	return w.db.RefuseApplication(w.ctx, to, from)
}

func (w *worker) block() error {
	u := w.user()
	owner, target := w.uid(u), w.uid(w.other(u))
	res, err := w.db.Block(w.ctx, owner, []string{target})
	if err != nil {
		return err
	}
	if res[0].Err == nil {
		w.blocks = appendRing(w.blocks, [2]string{owner, target})
	}
	return res[0].Err
}

// unblock lifts a block this worker made, else a random user's first.
func (w *worker) unblock() error {
	var owner, target string
	if n := len(w.blocks); n > 0 {
		owner, target = w.blocks[n-1][0], w.blocks[n-1][1]
		w.blocks = w.blocks[:n-1]
	} else {
		owner = w.uid(w.user())
		page, err := w.db.ListBlocked(w.ctx, owner, engine.ListOptions{Limit: 1})
		if err != nil || len(page.Items) == 0 {
			return err
		}
		target = page.Items[0].UserID
	}
	res, err := w.db.Unblock(w.ctx, owner, []string{target})
	if err != nil {
		return err
	}
	return res[0].Err
}

// unfriend ends a generated friendship both ways.
func (w *worker) unfriend() error { return w.deleteGenerated(engine.DeleteBoth) }

// deleteGenerated deletes a generated edge of a random user, one way or
// both.
func (w *worker) deleteGenerated(typ engine.DeleteType) error {
	u := w.user()
	f := w.friendOf(u)
	if f == u {
		return nil
	}
	res, err := w.db.DeleteFriends(w.ctx, w.uid(u), []string{w.uid(f)}, typ)
	if err != nil {
		return err
	}
	return res[0].Err
}

// addNode creates a new user (LinkBench add_node).
func (w *worker) addNode() error {
	w.seq++
	uid := fmt.Sprintf("n%d-%d", w.id, w.seq)
	_, err := w.db.UpdateProfile(w.ctx, uid, engine.ProfileUpdate{Nick: new("new user"), AllowType: new(engine.AllowAny)})
	if err == nil {
		w.nodes = appendRing(w.nodes, uid)
	}
	return err
}

// deleteNode deletes a user this worker created (LinkBench delete_node;
// deleting generated users would wear the graph down over a long run).
func (w *worker) deleteNode() error {
	n := len(w.nodes)
	if n == 0 {
		return nil
	}
	uid := w.nodes[n-1]
	w.nodes = w.nodes[:n-1]
	return w.db.DeleteUser(w.ctx, uid)
}

// addLink adds a one-way edge to a random user (LinkBench add_link).
func (w *worker) addLink() error {
	u := w.user()
	res, err := w.db.AddFriends(w.ctx, w.uid(u), []engine.AddFriendRequest{{UserID: w.uid(w.other(u)), Type: engine.AddSingle}})
	if err != nil {
		return err
	}
	return res[0].Err
}

// deleteLink removes a generated edge (LinkBench delete_link).
func (w *worker) deleteLink() error { return w.deleteGenerated(engine.DeleteSingle) }

// updateLink changes the remark of a generated edge (LinkBench update_link).
func (w *worker) updateLink() error {
	u := w.user()
	f := w.friendOf(u)
	if f == u {
		return nil
	}
	_, err := w.db.UpdateFriend(w.ctx, w.uid(u), w.uid(f), engine.FriendUpdate{Remark: new(fmt.Sprintf("r%d", w.rng.IntN(1000)))})
	return err
}

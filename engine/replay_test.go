package engine_test

import (
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/kithdb/kith/engine"
)

// The replay test drives the DB with random operations and checks that
// each user's change log alone rebuilds what the List calls return: the
// friend list with the groups of every edge, the groups, the blocklist,
// the applications both ways with their unread flags, and the profile
// version. If the events are not enough to rebuild the state, clients
// that sync through Changes drift, which is an engine bug.

var bkSeedFlag = flag.Uint64("kith.seed", 0, "run the random replay, crash and race tests with this seed only")

// bkSeeds returns the seeds a random test runs: the -kith.seed flag, or
// 1..n.
func bkSeeds(n int) []uint64 {
	if *bkSeedFlag != 0 {
		return []uint64{*bkSeedFlag}
	}
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = uint64(i + 1)
	}
	return seeds
}

// bkState is what one user sees of the store.
type bkState struct {
	Friends map[string][]string // peer -> the edge's groups, sorted
	Groups  map[string]bool
	Blocked map[string]bool
	In      map[string]bool // sender -> unread
	Out     map[string]bool // targets
	Version uint64          // profile version
}

func newBkState() *bkState {
	return &bkState{Friends: map[string][]string{}, Groups: map[string]bool{},
		Blocked: map[string]bool{}, In: map[string]bool{}, Out: map[string]bool{}}
}

func (s *bkState) unread() int {
	n := 0
	for _, u := range s.In {
		if u {
			n++
		}
	}
	return n
}

// String is a canonical form: two states are equal when their strings are.
func (s *bkState) String() string {
	var b strings.Builder
	b.WriteString("friends:")
	for _, p := range slices.Sorted(maps.Keys(s.Friends)) {
		fmt.Fprintf(&b, " %s%v", p, s.Friends[p])
	}
	b.WriteString("; groups:")
	for _, g := range slices.Sorted(maps.Keys(s.Groups)) {
		b.WriteString(" " + g)
	}
	b.WriteString("; blocked:")
	for _, p := range slices.Sorted(maps.Keys(s.Blocked)) {
		b.WriteString(" " + p)
	}
	b.WriteString("; in:")
	for _, p := range slices.Sorted(maps.Keys(s.In)) {
		b.WriteString(" " + p)
		if s.In[p] {
			b.WriteString("*")
		}
	}
	fmt.Fprintf(&b, " (unread %d); out:", s.unread())
	for _, p := range slices.Sorted(maps.Keys(s.Out)) {
		b.WriteString(" " + p)
	}
	fmt.Fprintf(&b, "; version %d", s.Version)
	return b.String()
}

// apply applies one logged event of uid. It fails on an event that does
// not fit the state rebuilt so far.
func (s *bkState) apply(uid string, ev engine.Event) error {
	peer := func() (string, error) {
		if len(ev.Peers) != 1 {
			return "", fmt.Errorf("want one peer")
		}
		return ev.Peers[0], nil
	}
	group := func(n int) error {
		if len(ev.Groups) != n {
			return fmt.Errorf("want %d groups", n)
		}
		return nil
	}
	var err error
	switch ev.Kind {
	case engine.ProfileUpdated:
		s.Version++
	case engine.FriendAdded, engine.FriendUpdated:
		var p string
		if p, err = peer(); err != nil {
			break
		}
		if _, ok := s.Friends[p]; ok == (ev.Kind == engine.FriendAdded) {
			err = fmt.Errorf("friend %s present: %v", p, ok)
			break
		}
		for _, g := range ev.Groups {
			if !s.Groups[g] {
				err = fmt.Errorf("edge in missing group %q", g)
			}
		}
		s.Friends[p] = slices.Sorted(slices.Values(ev.Groups))
	case engine.FriendDeleted:
		var p string
		if p, err = peer(); err == nil {
			if _, ok := s.Friends[p]; !ok {
				err = fmt.Errorf("no friend %s", p)
			}
			delete(s.Friends, p)
		}
	case engine.GroupCreated, engine.GroupDeleted:
		if err = group(1); err != nil {
			break
		}
		g := ev.Groups[0]
		if s.Groups[g] == (ev.Kind == engine.GroupCreated) {
			err = fmt.Errorf("group %q exists: %v", g, s.Groups[g])
		}
		for p, gs := range s.Friends {
			if ev.Kind == engine.GroupDeleted && slices.Contains(gs, g) {
				err = fmt.Errorf("deleted group %q still holds %s", g, p)
			}
		}
		if ev.Kind == engine.GroupCreated {
			s.Groups[g] = true
		} else {
			delete(s.Groups, g)
		}
	case engine.GroupRenamed:
		if err = group(2); err != nil {
			break
		}
		from, to := ev.Groups[0], ev.Groups[1]
		if !s.Groups[from] || s.Groups[to] {
			err = fmt.Errorf("rename %q (exists %v) to %q (exists %v)", from, s.Groups[from], to, s.Groups[to])
		}
		delete(s.Groups, from)
		s.Groups[to] = true
		for p, gs := range s.Friends {
			if i := slices.Index(gs, from); i >= 0 {
				gs = slices.Delete(slices.Clone(gs), i, i+1)
				s.Friends[p] = slices.Sorted(slices.Values(append(gs, to)))
			}
		}
	case engine.GroupMembersAdded, engine.GroupMembersRemoved:
		if err = group(1); err != nil {
			break
		}
		g := ev.Groups[0]
		if !s.Groups[g] {
			err = fmt.Errorf("no group %q", g)
		}
		for _, p := range ev.Peers {
			gs, ok := s.Friends[p]
			in := slices.Contains(gs, g)
			switch {
			case !ok:
				err = fmt.Errorf("member %s is no friend", p)
			case in == (ev.Kind == engine.GroupMembersAdded):
				err = fmt.Errorf("member %s in %q: %v", p, g, in)
			case ev.Kind == engine.GroupMembersAdded:
				s.Friends[p] = slices.Sorted(slices.Values(append(slices.Clone(gs), g)))
			default:
				s.Friends[p] = slices.DeleteFunc(slices.Clone(gs), func(x string) bool { return x == g })
			}
		}
	case engine.BlockAdded, engine.BlockDeleted:
		var p string
		if p, err = peer(); err != nil {
			break
		}
		if s.Blocked[p] == (ev.Kind == engine.BlockAdded) {
			err = fmt.Errorf("blocked %s: %v", p, s.Blocked[p])
		}
		if ev.Kind == engine.BlockAdded {
			s.Blocked[p] = true
		} else {
			delete(s.Blocked, p)
		}
	case engine.ApplicationAdded, engine.ApplicationDeleted:
		if len(ev.Peers) != 2 || (ev.Peers[0] == uid) == (ev.Peers[1] == uid) {
			err = fmt.Errorf("application peers %v", ev.Peers)
			break
		}
		from, to := ev.Peers[0], ev.Peers[1]
		added := ev.Kind == engine.ApplicationAdded
		if (ev.Reason != engine.ReasonNone) == added {
			err = fmt.Errorf("reason %d", ev.Reason)
		}
		if from == uid {
			if !added && !s.Out[to] {
				err = fmt.Errorf("no outgoing application to %s", to)
			}
			if added {
				s.Out[to] = true
			} else {
				delete(s.Out, to)
			}
		} else {
			if _, ok := s.In[from]; !added && !ok {
				err = fmt.Errorf("no incoming application from %s", from)
			}
			if added {
				s.In[from] = true // new or refreshed: unread
			} else {
				delete(s.In, from)
			}
		}
	case engine.ApplicationsRead:
		for p := range s.In {
			s.In[p] = false
		}
	default:
		err = fmt.Errorf("unexpected kind")
	}
	if err != nil {
		return fmt.Errorf("event %d %s of %s: %w", ev.Seq, bkFmt(ev), uid, err)
	}
	return nil
}

// bkReplayed rebuilds uid's state from its change log alone, read in
// pages of limit events.
func bkReplayed(t testing.TB, db *engine.DB, uid string, limit int) (*bkState, uint64, error) {
	t.Helper()
	s := newBkState()
	evs := bkChanges(t, db, uid, 0, limit)
	for _, ev := range evs {
		if err := s.apply(uid, ev); err != nil {
			return s, 0, err
		}
	}
	var seq uint64
	if len(evs) > 0 {
		seq = evs[len(evs)-1].Seq
	}
	return s, seq, nil
}

// bkListed reads uid's state through the List calls and GetProfiles,
// page by page, and returns it with the seq the lists report (the same
// for all of them, or an error).
func bkListed(t testing.TB, db *engine.DB, uid string) (*bkState, uint64, error) {
	t.Helper()
	s := newBkState()
	seqs := map[uint64]bool{}
	opts := engine.ListOptions{Limit: 3}
	for {
		page, err := db.ListFriends(ctx, uid, opts)
		if err != nil {
			return nil, 0, err
		}
		seqs[page.Seq] = true
		for _, f := range page.Items {
			s.Friends[f.UserID] = slices.Clone(f.Edge.Groups)
			if !slices.IsSorted(f.Edge.Groups) {
				return nil, 0, fmt.Errorf("groups of %s->%s not sorted: %v", uid, f.UserID, f.Edge.Groups)
			}
		}
		if opts.After = page.Next; page.Next == "" {
			break
		}
	}
	gl, err := db.ListGroups(ctx, uid, true)
	if err != nil {
		return nil, 0, err
	}
	seqs[gl.Seq] = true
	for _, g := range gl.Groups {
		s.Groups[g.Name] = true
		for _, m := range g.Members {
			if !slices.Contains(s.Friends[m], g.Name) {
				return nil, 0, fmt.Errorf("ListGroups(%s): member %s of %q, edge groups %v", uid, m, g.Name, s.Friends[m])
			}
		}
	}
	opts = engine.ListOptions{Limit: 3}
	for {
		page, err := db.ListBlocked(ctx, uid, opts)
		if err != nil {
			return nil, 0, err
		}
		seqs[page.Seq] = true
		for _, b := range page.Items {
			s.Blocked[b.UserID] = true
		}
		if opts.After = page.Next; page.Next == "" {
			break
		}
	}
	opts = engine.ListOptions{Limit: 3}
	var unread uint32
	for {
		page, err := db.ListApplications(ctx, uid, engine.BothDirections, opts)
		if err != nil {
			return nil, 0, err
		}
		seqs[page.Seq] = true
		unread = page.Unread
		for _, it := range page.Items {
			if it.From == uid {
				s.Out[it.To] = true
			} else {
				s.In[it.From] = !it.Application.Read
			}
		}
		if opts.After = page.Next; page.Next == "" {
			break
		}
	}
	if int(unread) != s.unread() {
		return nil, 0, fmt.Errorf("ListApplications(%s): Unread %d, but %d items unread", uid, unread, s.unread())
	}
	ps, err := db.GetProfiles(ctx, uid, []string{uid})
	if err != nil {
		return nil, 0, err
	}
	if p := ps.Items[0].Profile; p != nil {
		s.Version = p.Version
	}
	if len(seqs) != 1 {
		return nil, 0, fmt.Errorf("lists of %s report different seqs %v", uid, slices.Sorted(maps.Keys(seqs)))
	}
	var seq uint64
	for q := range seqs {
		seq = q
	}
	return s, seq, nil
}

// bkCheckReplay checks, for each of users, that the change log replays
// to the state the List calls return, at the seq they report.
func bkCheckReplay(t testing.TB, db *engine.DB, users []string, limit int) {
	t.Helper()
	for _, u := range users {
		listed, lseq, err := bkListed(t, db, u)
		if err != nil {
			t.Fatalf("lists of %s: %v", u, err)
		}
		replayed, rseq, err := bkReplayed(t, db, u, limit)
		if err != nil {
			t.Fatalf("replay: %v\nlog of %s: %q", err, u, bkEventsSince(t, db, u, 0))
		}
		if listed.String() != replayed.String() || lseq != rseq {
			t.Fatalf("user %s: the log does not replay to the lists\n  lists  (seq %d): %s\n  replay (seq %d): %s\nlog: %q",
				u, lseq, listed, rseq, replayed, bkEventsSince(t, db, u, 0))
		}
	}
}

// bkOp is one random operation: its description and its call. run
// returns only unexpected errors: item errors and call errors with a
// result code (ErrGroupExists, ErrNoApplication, ...) are outcomes.
type bkOp struct {
	name string
	run  func(db *engine.DB) error
}

// bkOutcome maps an error with a result code to nil.
func bkOutcome(err error) error {
	if err == nil || engine.Code(err) > 0 {
		return nil
	}
	return err
}

func bkOutcome2[T any](_ T, err error) error { return bkOutcome(err) }

var bkGroupNames = []string{"g1", "g2", "g3"}

func bkPick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// bkSome returns 1 to n distinct elements of xs.
func bkSome[T any](r *rand.Rand, xs []T, n int) []T {
	p := r.Perm(len(xs))
	out := make([]T, 1+r.IntN(n))
	for i := range out {
		out[i] = xs[p[i]]
	}
	return out
}

// bkRandomOp returns a random operation among users.
func bkRandomOp(r *rand.Rand, users []string) bkOp {
	u := bkPick(r, users)
	v := bkPick(r, users) // may equal u: the call answers ErrSelf
	g, h := bkPick(r, bkGroupNames), bkPick(r, bkGroupNames)
	ops := []struct {
		weight int
		op     func() bkOp
	}{
		{6, func() bkOp {
			allow := []engine.AllowType{engine.AllowAny, engine.NeedConfirm, engine.NeedConfirm, engine.DenyAny}[r.IntN(4)]
			return bkOp{fmt.Sprintf("profile %s allow=%d", u, allow), func(db *engine.DB) error {
				return bkOutcome2(db.UpdateProfile(ctx, u, engine.ProfileUpdate{AllowType: &allow}))
			}}
		}},
		{24, func() bkOp {
			var reqs []engine.AddFriendRequest
			for _, p := range bkSome(r, users, 2) {
				req := engine.AddFriendRequest{UserID: p, Type: engine.AddType(r.IntN(3) / 2)}
				if r.IntN(2) == 0 {
					req.Group = bkPick(r, bkGroupNames)
				}
				reqs = append(reqs, req)
			}
			return bkOp{fmt.Sprintf("add %s %+v", u, reqs), func(db *engine.DB) error {
				return bkOutcome2(db.AddFriends(ctx, u, reqs))
			}}
		}},
		{10, func() bkOp {
			mode := engine.AcceptMode(r.IntN(2))
			return bkOp{fmt.Sprintf("accept %s from %s mode=%d", u, v, mode), func(db *engine.DB) error {
				return bkOutcome(db.AcceptApplication(ctx, u, v, mode, "r"))
			}}
		}},
		{3, func() bkOp {
			return bkOp{fmt.Sprintf("refuse %s from %s", u, v), func(db *engine.DB) error {
				return bkOutcome(db.RefuseApplication(ctx, u, v))
			}}
		}},
		{3, func() bkOp {
			dir := engine.Direction(r.IntN(3))
			return bkOp{fmt.Sprintf("delapps %s %s dir=%d", u, v, dir), func(db *engine.DB) error {
				return bkOutcome2(db.DeleteApplications(ctx, u, []string{v}, dir))
			}}
		}},
		{3, func() bkOp {
			return bkOp{fmt.Sprintf("read %s", u), func(db *engine.DB) error {
				return bkOutcome(db.MarkApplicationsRead(ctx, u))
			}}
		}},
		{5, func() bkOp {
			typ := engine.DeleteType(r.IntN(2))
			return bkOp{fmt.Sprintf("delfriends %s %s type=%d", u, v, typ), func(db *engine.DB) error {
				return bkOutcome2(db.DeleteFriends(ctx, u, []string{v}, typ))
			}}
		}},
		{5, func() bkOp {
			groups := bkSome(r, bkGroupNames, 3)[r.IntN(2):] // sometimes none
			return bkOp{fmt.Sprintf("updfriend %s %s groups=%v", u, v, groups), func(db *engine.DB) error {
				return bkOutcome2(db.UpdateFriend(ctx, u, v, engine.FriendUpdate{Groups: &groups}))
			}}
		}},
		{4, func() bkOp {
			ids := bkSome(r, users, 2)[r.IntN(2):]
			if len(ids) == 0 {
				ids = []string{v}
			}
			return bkOp{fmt.Sprintf("block %s %v", u, ids), func(db *engine.DB) error {
				return bkOutcome2(db.Block(ctx, u, ids))
			}}
		}},
		{7, func() bkOp {
			return bkOp{fmt.Sprintf("unblock %s %s", u, v), func(db *engine.DB) error {
				return bkOutcome2(db.Unblock(ctx, u, []string{v}))
			}}
		}},
		{3, func() bkOp {
			members := bkSome(r, users, 3)[r.IntN(2):]
			return bkOp{fmt.Sprintf("mkgroup %s %s %v", u, g, members), func(db *engine.DB) error {
				return bkOutcome2(db.CreateGroup(ctx, u, g, members))
			}}
		}},
		{2, func() bkOp {
			return bkOp{fmt.Sprintf("rename %s %s %s", u, g, h), func(db *engine.DB) error {
				return bkOutcome(db.RenameGroup(ctx, u, g, h))
			}}
		}},
		{4, func() bkOp {
			members := bkSome(r, users, 3)
			return bkOp{fmt.Sprintf("addtogroup %s %s %v", u, g, members), func(db *engine.DB) error {
				return bkOutcome2(db.AddToGroup(ctx, u, g, members))
			}}
		}},
		{3, func() bkOp {
			members := bkSome(r, users, 3)
			return bkOp{fmt.Sprintf("rmfromgroup %s %s %v", u, g, members), func(db *engine.DB) error {
				return bkOutcome2(db.RemoveFromGroup(ctx, u, g, members))
			}}
		}},
		{2, func() bkOp {
			names := bkSome(r, bkGroupNames, 2)
			return bkOp{fmt.Sprintf("delgroups %s %v", u, names), func(db *engine.DB) error {
				return bkOutcome2(db.DeleteGroups(ctx, u, names))
			}}
		}},
		{1, func() bkOp {
			return bkOp{fmt.Sprintf("deluser %s", u), func(db *engine.DB) error {
				return bkOutcome(db.DeleteUser(ctx, u))
			}}
		}},
	}
	total := 0
	for _, o := range ops {
		total += o.weight
	}
	n := r.IntN(total)
	for _, o := range ops {
		if n < o.weight {
			return o.op()
		}
		n -= o.weight
	}
	panic("unreachable")
}

// bkHistory keeps the operations run so far, for failure messages.
type bkHistory []string

func (h bkHistory) String() string {
	if len(h) > 40 {
		return fmt.Sprintf("... %d earlier ops\n  %s", len(h)-40, strings.Join(h[len(h)-40:], "\n  "))
	}
	return "  " + strings.Join(h, "\n  ")
}

func bkUserIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("u%d", i)
	}
	return ids
}

func TestReplay_ChangesRebuildTheLists(t *testing.T) {
	users := bkUserIDs(6)
	for _, seed := range bkSeeds(20) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 0x6b697468))
			opts := &engine.Options{ProfileCache: engine.ProfileCacheOptions{Disabled: seed%2 == 0}}
			db := openDB(t, opts)
			var hist bkHistory
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("seed %d (rerun with -kith.seed=%d); ops:\n%s", seed, seed, hist)
				}
			})
			for i := range 250 {
				op := bkRandomOp(r, users)
				hist = append(hist, op.name)
				if err := op.run(db); err != nil {
					t.Fatalf("op %d %s: %v", i, op.name, err)
				}
				if i%25 == 24 {
					bkCheckReplay(t, db, users, bkPick(r, []int{1, 4, 1000}))
					mustCheck(t, db)
				}
			}
			bkCheckReplay(t, db, users, 1000)
			if testing.Verbose() {
				for _, u := range users {
					s, seq, _ := bkListed(t, db, u)
					t.Logf("%s at seq %d: %s", u, seq, s)
				}
			}
		})
	}
}

// TestReplay_Apply checks the replay model itself on a hand-made log, so
// that a pass of the random test means something.
func TestReplay_Apply(t *testing.T) {
	log := []engine.Event{
		{Kind: engine.GroupCreated, Groups: []string{"g"}},
		{Kind: engine.FriendAdded, Peers: []string{"b"}, Groups: []string{"g"}},
		{Kind: engine.GroupRenamed, Groups: []string{"g", "h"}},
		{Kind: engine.ApplicationAdded, Peers: []string{"c", "a"}},
		{Kind: engine.ApplicationAdded, Peers: []string{"a", "d"}},
		{Kind: engine.BlockAdded, Peers: []string{"e"}},
	}
	build := func() *bkState {
		s := newBkState()
		for _, ev := range log {
			if err := s.apply("a", ev); err != nil {
				t.Fatal(err)
			}
		}
		return s
	}
	s := build()
	want := "friends: b[h]; groups: h; blocked: e; in: c* (unread 1); out: d; version 0"
	if s.String() != want {
		t.Errorf("state = %s\nwant    %s", s, want)
	}
	for _, bad := range []engine.Event{
		{Kind: engine.FriendAdded, Peers: []string{"b"}},
		{Kind: engine.FriendDeleted, Peers: []string{"x"}},
		{Kind: engine.GroupMembersAdded, Peers: []string{"b"}, Groups: []string{"h"}},
		{Kind: engine.GroupDeleted, Groups: []string{"h"}},
		{Kind: engine.ApplicationDeleted, Peers: []string{"x", "a"}, Reason: engine.ReasonRefused},
		{Kind: engine.BlockDeleted, Peers: []string{"x"}},
	} {
		if err := build().apply("a", bad); err == nil {
			t.Errorf("apply(%s) accepted an event that does not fit", bkFmt(bad))
		}
	}
}

package engine_test

import (
	"errors"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kithdb/kith/engine"
)

var raceSeed = flag.Uint64("relation.seed", 0, "seed of TestRelationRace (0: from the clock)")

// TestRelationRace runs random relation calls from 8 goroutines among 20
// users and then requires every invariant to hold (counters exact, twins,
// memberships, logs) and the read calls to agree with each other. Small
// limits make the limit paths run often. Replay a failure with
// -relation.seed=N (the seed is logged when the test fails); the
// interleaving differs from run to run, the calls do not.
func TestRelationRace(t *testing.T) {
	seed := *raceSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Cleanup(func() { // registered first: runs after openDB's Check
		if t.Failed() {
			t.Logf("seed %d (rerun with -relation.seed=%d)", seed, seed)
		}
	})
	db := openDB(t, &engine.Options{
		NoSync: true,
		Limits: engine.Limits{Friends: 8, PendingIn: 3, Groups: 3},
	})
	users := userIDs("u", 20)
	for i, u := range users {
		allow := engine.AllowAny
		if i%2 == 1 {
			allow = engine.NeedConfirm
		}
		createUsers(t, db, allow, u)
	}
	const workers, opsPerWorker = 8, 400
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	stats := &raceStats{n: map[string]int{}}
	for w := range workers {
		wg.Go(func() {
			r := &raceRunner{db: db, users: users, rng: rand.New(rand.NewPCG(seed, uint64(w))), stats: stats}
			for i := range opsPerWorker {
				if err := r.step(); err != nil {
					errs <- fmt.Errorf("worker %d op %d: %w", w, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	mustCheck(t, db)
	raceCrossCheck(t, db, users)
	for _, k := range slices.Sorted(maps.Keys(stats.n)) {
		t.Logf("%5d %s", stats.n[k], k)
	}
}

// raceCrossCheck requires the read calls to tell one story: ListFriends
// against CheckFriends both ways, GetFriends, and ListGroups against the
// edges (groupsOf checks the group filter).
func raceCrossCheck(t *testing.T, db *engine.DB, users []string) {
	t.Helper()
	lists := map[string][]string{}
	for _, u := range users {
		lists[u] = friendsOf(t, db, u)
	}
	for _, u := range users {
		others := slices.DeleteFunc(slices.Clone(users), func(x string) bool { return x == u })
		rs, err := db.CheckFriends(ctx, u, others, engine.CheckBoth)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			mine, theirs := slices.Contains(lists[u], r.UserID), slices.Contains(lists[r.UserID], u)
			want := map[[2]bool]engine.Relation{{false, false}: engine.NoRelation, {true, false}: engine.InMyList,
				{false, true}: engine.InTheirList, {true, true}: engine.BothWay}[[2]bool{mine, theirs}]
			if r.Err != nil || r.Relation != want {
				t.Errorf("CheckFriends %s/%s = %s %v, lists say %s", u, r.UserID, relName(r.Relation), r.Err, relName(want))
			}
		}
		inGroups := map[string][]string{}
		for g, members := range groupsOf(t, db, u) {
			for _, m := range members {
				inGroups[m] = append(inGroups[m], g)
			}
		}
		for _, f := range lists[u] {
			e := edgeOf(t, db, u, f)
			slices.Sort(inGroups[f])
			if e == nil || !slices.Equal(e.Groups, inGroups[f]) && len(e.Groups)+len(inGroups[f]) > 0 {
				t.Errorf("edge %s->%s = %+v, groups list it in %v", u, f, e, inGroups[f])
			}
		}
		for _, it := range appsOf(t, db, u, engine.BothDirections).Items {
			if it.From != u && it.To != u {
				t.Errorf("%s lists application %s->%s", u, it.From, it.To)
			}
		}
	}
}

type raceRunner struct {
	db    *engine.DB
	users []string
	rng   *rand.Rand
	stats *raceStats
}

// raceStats counts what the random calls did, to show they reach the
// interesting paths (logged with -v).
type raceStats struct {
	mu sync.Mutex
	n  map[string]int
}

func (s *raceStats) add(what string, err error) {
	if err != nil {
		what += " " + err.Error()
	}
	s.mu.Lock()
	s.n[what]++
	s.mu.Unlock()
}

func (r *raceRunner) user() string { return r.users[r.rng.IntN(len(r.users))] }

func (r *raceRunner) peers(n int) []string {
	out := make([]string, 1+r.rng.IntN(n))
	for i := range out {
		out[i] = r.user()
	}
	return out
}

func (r *raceRunner) group() string { return fmt.Sprintf("g%d", r.rng.IntN(5)) }

// itemErr accepts an item error that is an answer (it has a result code)
// and rejects anything else.
func itemErr(what string, err error) error {
	if err != nil && engine.Code(err) <= 0 {
		return fmt.Errorf("%s: error without a result code: %w", what, err)
	}
	return nil
}

// callErr accepts a nil error or one of the answers a call may give.
func callErr(what string, err error, answers ...error) error {
	if err == nil {
		return nil
	}
	for _, a := range answers {
		if errors.Is(err, a) {
			return nil
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}

func (r *raceRunner) results(what string, res []engine.Result, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	for _, x := range res {
		r.stats.add(what, x.Err)
		if err := itemErr(what, x.Err); err != nil {
			return err
		}
	}
	return nil
}

func (r *raceRunner) step() error {
	db, u := r.db, r.user()
	switch op := r.rng.IntN(100); {
	case op < 30:
		var reqs []engine.AddFriendRequest
		for _, p := range r.peers(3) {
			req := engine.AddFriendRequest{UserID: p, Type: engine.AddType(r.rng.IntN(2)), Wording: "hi"}
			if r.rng.IntN(3) == 0 {
				req.Group = r.group()
			}
			reqs = append(reqs, req)
		}
		res, err := db.AddFriends(ctx, u, reqs)
		if err != nil {
			return fmt.Errorf("AddFriends: %w", err)
		}
		for _, x := range res {
			if err := itemErr("AddFriends", x.Err); err != nil {
				return err
			}
			r.stats.add(fmt.Sprintf("AddFriends code %d", x.Code()), nil)
			if x.Err == nil && x.Outcome != engine.Added && x.Outcome != engine.Pending {
				return fmt.Errorf("AddFriends: outcome %d without error", x.Outcome)
			}
		}
	case op < 40:
		res, err := db.DeleteFriends(ctx, u, r.peers(3), engine.DeleteType(r.rng.IntN(2)))
		return r.results("DeleteFriends", res, err)
	case op < 52:
		from := r.user()
		if page, err := db.ListApplications(ctx, u, engine.Incoming, engine.ListOptions{Limit: 1}); err == nil && len(page.Items) > 0 && r.rng.IntN(4) > 0 {
			from = page.Items[0].From
		}
		if from == u {
			return nil
		}
		err := db.AcceptApplication(ctx, u, from, engine.AcceptMode(r.rng.IntN(2)), "r")
		r.stats.add("AcceptApplication", err)
		return callErr("AcceptApplication", err,
			engine.ErrNoApplication, engine.ErrFriendLimit, engine.ErrPeerFriendLimit)
	case op < 58:
		from := r.user()
		if page, err := db.ListApplications(ctx, u, engine.Incoming, engine.ListOptions{Limit: 1}); err == nil && len(page.Items) > 0 {
			from = page.Items[0].From
		}
		if from == u {
			return nil
		}
		err := db.RefuseApplication(ctx, u, from)
		r.stats.add("RefuseApplication", err)
		return callErr("RefuseApplication", err, engine.ErrNoApplication)
	case op < 62:
		res, err := db.DeleteApplications(ctx, u, r.peers(2), engine.Direction(r.rng.IntN(3)))
		return r.results("DeleteApplications", res, err)
	case op < 64:
		return callErr("MarkApplicationsRead", db.MarkApplicationsRead(ctx, u))
	case op < 72:
		res, err := db.CreateGroup(ctx, u, r.group(), r.peers(3))
		if err := callErr("CreateGroup", err, engine.ErrGroupExists, engine.ErrGroupLimit); err != nil || res == nil {
			return err
		}
		return r.results("CreateGroup", res, nil)
	case op < 78:
		res, err := db.AddToGroup(ctx, u, r.group(), r.peers(3))
		if err := callErr("AddToGroup", err, engine.ErrGroupNotFound); err != nil || res == nil {
			return err
		}
		return r.results("AddToGroup", res, nil)
	case op < 80:
		res, err := db.RemoveFromGroup(ctx, u, r.group(), r.peers(3))
		if err := callErr("RemoveFromGroup", err, engine.ErrGroupNotFound); err != nil || res == nil {
			return err
		}
		return r.results("RemoveFromGroup", res, nil)
	case op < 82:
		return callErr("RenameGroup", db.RenameGroup(ctx, u, r.group(), r.group()), engine.ErrGroupExists, engine.ErrGroupNotFound)
	case op < 84:
		res, err := db.DeleteGroups(ctx, u, []string{r.group()})
		return r.results("DeleteGroups", res, err)
	case op < 92:
		groups := []string{}
		for range r.rng.IntN(3) {
			groups = append(groups, r.group())
		}
		p := r.user()
		if p == u {
			return nil
		}
		_, err := db.UpdateFriend(ctx, u, p, engine.FriendUpdate{Groups: &groups, Remark: new("x")})
		r.stats.add("UpdateFriend", err)
		return callErr("UpdateFriend", err, engine.ErrNotFriends, engine.ErrGroupLimit)
	case op < 96:
		res, err := db.Block(ctx, u, r.peers(1))
		if err := r.results("Block", res, err); err != nil {
			return err
		}
		res, err = db.Unblock(ctx, u, r.peers(2))
		return r.results("Unblock", res, err)
	case op < 98:
		r.stats.add("DeleteUser", nil)
		if err := db.DeleteUser(ctx, u); err != nil {
			return fmt.Errorf("DeleteUser: %w", err)
		}
		if r.rng.IntN(2) == 0 { // come back, or stay an edge-only user if someone adds u first
			_, err := db.UpdateProfile(ctx, u, engine.ProfileUpdate{Nick: new("back")})
			return callErr("UpdateProfile", err)
		}
	default:
		_, err := db.UpdateProfile(ctx, u, engine.ProfileUpdate{AllowType: new(engine.AllowType(r.rng.IntN(2)))})
		return callErr("UpdateProfile", err)
	}
	return nil
}

// TestRelationModel runs random relation calls one at a time among 6
// users with small limits, predicts each answer with a plain-Go model of
// SEMANTICS.md §2–§5, and compares every user's lists with the model after
// every call. Reproduce with -relation.seed=N (logged on failure).
func TestRelationModel(t *testing.T) {
	seed := *raceSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("seed %d (rerun with -relation.seed=%d)", seed, seed)
		}
	})
	lim := engine.Limits{Friends: 3, PendingIn: 2, Groups: 2, Blocked: 2}
	db := openDB(t, &engine.Options{NoSync: true, Limits: lim})
	m := newRelModel(lim)
	rng := rand.New(rand.NewPCG(seed, 99))
	users := userIDs("m", 6)
	for _, u := range users {
		allow := engine.AllowType(rng.IntN(3))
		createUsers(t, db, allow, u)
		m.exists[u], m.allow[u] = true, allow
	}
	for i := range 1200 {
		what, err := m.step(db, rng, users)
		if err != nil {
			t.Fatalf("op %d %s: %v", i, what, err)
		}
		if err := m.compare(db, users); err != nil {
			t.Fatalf("after op %d %s: %v", i, what, err)
		}
	}
}

type mApp struct {
	read  bool
	group string
}

// relModel is the reference model: directed edges with their groups,
// applications, groups, blocks, and who exists.
type relModel struct {
	lim    engine.Limits
	exists map[string]bool
	allow  map[string]engine.AllowType // absent: the default, NeedConfirm
	edges  map[[2]string][]string      // (owner, friend) -> sorted groups
	apps   map[[2]string]*mApp         // (from, to)
	groups map[[2]string]bool          // (owner, name)
	blocks map[[2]string]bool          // (owner, target)
}

func newRelModel(lim engine.Limits) *relModel {
	return &relModel{lim: lim, exists: map[string]bool{}, allow: map[string]engine.AllowType{},
		edges: map[[2]string][]string{}, apps: map[[2]string]*mApp{}, groups: map[[2]string]bool{}, blocks: map[[2]string]bool{}}
}

func countOwned[V any](m map[[2]string]V, owner string, side int) int {
	n := 0
	for k := range m {
		if k[side] == owner {
			n++
		}
	}
	return n
}

func (m *relModel) allowOf(u string) engine.AllowType {
	if a, ok := m.allow[u]; ok {
		return a
	}
	return engine.NeedConfirm
}

func (m *relModel) hasEdge(a, b string) bool { _, ok := m.edges[[2]string{a, b}]; return ok }

func (m *relModel) putEdge(owner, friend, group string) {
	var gs []string
	if group != "" {
		gs = []string{group}
		m.groups[[2]string{owner, group}] = true
	}
	m.edges[[2]string{owner, friend}] = gs
}

// roomForGroup reports whether owner may use group (exists, or fits).
func (m *relModel) roomForGroup(owner, group string) bool {
	return group == "" || m.groups[[2]string{owner, group}] || countOwned(m.groups, owner, 0) < m.lim.Groups
}

func (m *relModel) dropApps(a, b string) {
	delete(m.apps, [2]string{a, b})
	delete(m.apps, [2]string{b, a})
}

func (m *relModel) addFriend(from string, r engine.AddFriendRequest) (engine.AddOutcome, error) {
	to := r.UserID
	switch {
	case !m.exists[to]:
		return 0, engine.ErrNotFound
	case m.blocks[[2]string{from, to}]:
		return 0, engine.ErrBlockedByMe
	case m.blocks[[2]string{to, from}]:
		return 0, engine.ErrBlockedByPeer
	case m.allowOf(to) == engine.DenyAny:
		return 0, engine.ErrPeerDeniesAll
	}
	hasTo, hasFrom := m.hasEdge(from, to), m.hasEdge(to, from)
	switch {
	case hasTo && (r.Type == engine.AddSingle || hasFrom):
		return 0, engine.ErrAlreadyFriends
	case !hasTo && countOwned(m.edges, from, 0) >= m.lim.Friends:
		return 0, engine.ErrFriendLimit
	}
	if r.Type == engine.AddSingle {
		if !m.roomForGroup(from, r.Group) {
			return 0, engine.ErrGroupLimit
		}
		m.putEdge(from, to, r.Group)
		m.exists[from] = true
		return engine.Added, nil
	}
	if crossing := m.apps[[2]string{to, from}]; m.allowOf(to) == engine.AllowAny || hasFrom || crossing != nil {
		switch {
		case !hasFrom && countOwned(m.edges, to, 0) >= m.lim.Friends:
			return 0, engine.ErrPeerFriendLimit
		case !hasTo && !m.roomForGroup(from, r.Group):
			return 0, engine.ErrGroupLimit
		}
		m.dropApps(from, to)
		if !hasTo {
			m.putEdge(from, to, r.Group)
		}
		if !hasFrom {
			g := "" // a crossing answers the target's own application: its group applies
			if crossing != nil && m.roomForGroup(to, crossing.group) {
				g = crossing.group
			}
			m.putEdge(to, from, g)
		}
		m.exists[from] = true
		return engine.Added, nil
	}
	if a := m.apps[[2]string{from, to}]; a != nil {
		a.read, a.group = false, r.Group
		return engine.Pending, nil
	}
	if countOwned(m.apps, to, 1) >= m.lim.PendingIn {
		return 0, engine.ErrPendingLimit
	}
	m.apps[[2]string{from, to}] = &mApp{group: r.Group}
	m.exists[from] = true
	return engine.Pending, nil
}

func (m *relModel) accept(uid, from string, mode engine.AcceptMode) error {
	a := m.apps[[2]string{from, uid}]
	switch {
	case a == nil:
		return engine.ErrNoApplication
	case !m.hasEdge(from, uid) && countOwned(m.edges, from, 0) >= m.lim.Friends:
		return engine.ErrPeerFriendLimit
	case mode == engine.AcceptAgreeAndAdd && !m.hasEdge(uid, from) && countOwned(m.edges, uid, 0) >= m.lim.Friends:
		return engine.ErrFriendLimit
	}
	delete(m.apps, [2]string{from, uid})
	if !m.hasEdge(from, uid) {
		g := a.group
		if !m.roomForGroup(from, g) {
			g = ""
		}
		m.putEdge(from, uid, g)
	}
	if mode == engine.AcceptAgreeAndAdd && !m.hasEdge(uid, from) {
		m.putEdge(uid, from, "")
	}
	return nil
}

// member changes friend's membership of owner's existing group.
func (m *relModel) member(owner, group, friend string, in bool) error {
	gs, ok := m.edges[[2]string{owner, friend}]
	if !ok {
		return engine.ErrMemberNotFriend
	}
	gs = slices.DeleteFunc(slices.Clone(gs), func(g string) bool { return g == group })
	if in {
		gs = append(gs, group)
		slices.Sort(gs)
	}
	m.edges[[2]string{owner, friend}] = gs
	return nil
}

func (m *relModel) renameInEdges(owner, old, new string) {
	for k, gs := range m.edges {
		if k[0] == owner && slices.Contains(gs, old) {
			gs = slices.DeleteFunc(slices.Clone(gs), func(g string) bool { return g == old })
			if new != "" {
				gs = append(gs, new)
				slices.Sort(gs)
			}
			m.edges[k] = gs
		}
	}
}

func (m *relModel) deleteUser(u string) {
	for k := range m.edges {
		if k[0] == u || k[1] == u {
			delete(m.edges, k)
		}
	}
	for k := range m.apps {
		if k[0] == u || k[1] == u {
			delete(m.apps, k)
		}
	}
	for k := range m.blocks {
		if k[0] == u || k[1] == u {
			delete(m.blocks, k)
		}
	}
	for k := range m.groups {
		if k[0] == u {
			delete(m.groups, k)
		}
	}
	delete(m.exists, u)
	delete(m.allow, u)
}

// batch answers ids in order: ErrSelf and ErrDuplicateID first, then f
// with the item's index.
func batch(self string, ids []string, f func(i int) error) []error {
	out := make([]error, len(ids))
	seen := map[string]bool{}
	for i, id := range ids {
		switch {
		case id == self:
			out[i] = engine.ErrSelf
		case seen[id]:
			out[i] = engine.ErrDuplicateID
		default:
			seen[id] = true
			out[i] = f(i)
		}
	}
	return out
}

func sameErr(got, want error) bool {
	if want == nil {
		return got == nil
	}
	return errors.Is(got, want)
}

func compareResults(res []engine.Result, err error, want []error) error {
	if err != nil {
		return fmt.Errorf("call error %w", err)
	}
	for i, w := range want {
		if !sameErr(res[i].Err, w) {
			return fmt.Errorf("item %d (%s): got %v, model says %v", i, res[i].UserID, res[i].Err, w)
		}
	}
	return nil
}

// step runs one random call on db and the model and compares the answers.
func (m *relModel) step(db *engine.DB, rng *rand.Rand, users []string) (string, error) {
	u := users[rng.IntN(len(users))]
	pick := func() string { return users[rng.IntN(len(users))] }
	picks := func() []string {
		out := []string{pick()}
		if rng.IntN(3) == 0 {
			out = append(out, pick())
		}
		return out
	}
	group := func() string { return []string{"ga", "gb", "gc"}[rng.IntN(3)] }
	switch op := rng.IntN(100); {
	case op < 30:
		var reqs []engine.AddFriendRequest
		for _, p := range picks() {
			r := engine.AddFriendRequest{UserID: p, Type: engine.AddType(rng.IntN(2))}
			if rng.IntN(2) == 0 {
				r.Group = group()
			}
			reqs = append(reqs, r)
		}
		what := fmt.Sprintf("AddFriends(%s, %+v)", u, reqs)
		res, err := db.AddFriends(ctx, u, reqs)
		if err != nil {
			return what, err
		}
		ids := make([]string, len(reqs))
		for i, r := range reqs {
			ids[i] = r.UserID
		}
		outcomes := make([]engine.AddOutcome, len(reqs))
		want := batch(u, ids, func(k int) error {
			var err error
			outcomes[k], err = m.addFriend(u, reqs[k])
			return err
		})
		for k, r := range res {
			if !sameErr(r.Err, want[k]) || (r.Err == nil && r.Outcome != outcomes[k]) {
				return what, fmt.Errorf("item %d: got %d %v, model says %d %v", k, r.Outcome, r.Err, outcomes[k], want[k])
			}
		}
		return what, nil
	case op < 40:
		ids, typ := picks(), engine.DeleteType(rng.IntN(2))
		what := fmt.Sprintf("DeleteFriends(%s, %v, %d)", u, ids, typ)
		res, err := db.DeleteFriends(ctx, u, ids, typ)
		return what, compareResults(res, err, batch(u, ids, func(i int) error {
			id := ids[i]
			mine, theirs := m.hasEdge(u, id), typ == engine.DeleteBoth && m.hasEdge(id, u)
			if !mine && !theirs {
				return engine.ErrNotFriends
			}
			delete(m.edges, [2]string{u, id})
			if theirs {
				delete(m.edges, [2]string{id, u})
			}
			return nil
		}))
	case op < 52:
		from, mode := pick(), engine.AcceptMode(rng.IntN(2))
		for k := range m.apps { // mostly accept a real one
			if k[1] == u && rng.IntN(2) == 0 {
				from = k[0]
				break
			}
		}
		what := fmt.Sprintf("AcceptApplication(%s, %s, %d)", u, from, mode)
		if from == u {
			return what, nil
		}
		got, want := db.AcceptApplication(ctx, u, from, mode, ""), m.accept(u, from, mode)
		if !sameErr(got, want) {
			return what, fmt.Errorf("got %v, model says %v", got, want)
		}
		return what, nil
	case op < 56:
		from := pick()
		what := fmt.Sprintf("RefuseApplication(%s, %s)", u, from)
		if from == u {
			return what, nil
		}
		var want error = engine.ErrNoApplication
		if m.apps[[2]string{from, u}] != nil {
			want = nil
			delete(m.apps, [2]string{from, u})
		}
		if got := db.RefuseApplication(ctx, u, from); !sameErr(got, want) {
			return what, fmt.Errorf("got %v, model says %v", got, want)
		}
		return what, nil
	case op < 60:
		ids, dir := picks(), engine.Direction(rng.IntN(3))
		what := fmt.Sprintf("DeleteApplications(%s, %v, %d)", u, ids, dir)
		res, err := db.DeleteApplications(ctx, u, ids, dir)
		return what, compareResults(res, err, batch(u, ids, func(i int) error {
			id := ids[i]
			in, out := [2]string{id, u}, [2]string{u, id}
			found := dir != engine.Outgoing && m.apps[in] != nil || dir != engine.Incoming && m.apps[out] != nil
			if !found {
				return engine.ErrNoApplication
			}
			if dir != engine.Outgoing {
				delete(m.apps, in)
			}
			if dir != engine.Incoming {
				delete(m.apps, out)
			}
			return nil
		}))
	case op < 63:
		for k, a := range m.apps {
			if k[1] == u {
				a.read = true
			}
		}
		return "MarkApplicationsRead(" + u + ")", db.MarkApplicationsRead(ctx, u)
	case op < 70:
		name, members := group(), picks()
		what := fmt.Sprintf("CreateGroup(%s, %s, %v)", u, name, members)
		res, err := db.CreateGroup(ctx, u, name, members)
		var want error
		switch {
		case m.groups[[2]string{u, name}]:
			want = engine.ErrGroupExists
		case countOwned(m.groups, u, 0) >= m.lim.Groups:
			want = engine.ErrGroupLimit
		}
		if want != nil || err != nil {
			if !sameErr(err, want) {
				return what, fmt.Errorf("got %v, model says %v", err, want)
			}
			return what, nil
		}
		m.groups[[2]string{u, name}] = true
		m.exists[u] = true
		return what, compareResults(res, nil, batch(u, members, func(i int) error { return m.member(u, name, members[i], true) }))
	case op < 78:
		name, members, in := group(), picks(), rng.IntN(3) > 0
		what := fmt.Sprintf("AddToGroup/RemoveFromGroup(%s, %s, %v, in=%v)", u, name, members, in)
		f := db.RemoveFromGroup
		if in {
			f = db.AddToGroup
		}
		res, err := f(ctx, u, name, members)
		if !m.groups[[2]string{u, name}] {
			if !sameErr(err, engine.ErrGroupNotFound) {
				return what, fmt.Errorf("got %v, model says ErrGroupNotFound", err)
			}
			return what, nil
		}
		return what, compareResults(res, err, batch(u, members, func(i int) error { return m.member(u, name, members[i], in) }))
	case op < 81:
		name := group()
		what := fmt.Sprintf("DeleteGroups(%s, %s)", u, name)
		res, err := db.DeleteGroups(ctx, u, []string{name})
		var want error = engine.ErrGroupNotFound
		if m.groups[[2]string{u, name}] {
			want = nil
			delete(m.groups, [2]string{u, name})
			m.renameInEdges(u, name, "")
		}
		return what, compareResults(res, err, []error{want})
	case op < 84:
		old, new := group(), group()
		what := fmt.Sprintf("RenameGroup(%s, %s, %s)", u, old, new)
		var want error
		switch {
		case !m.groups[[2]string{u, old}]:
			want = engine.ErrGroupNotFound
		case m.groups[[2]string{u, new}]:
			want = engine.ErrGroupExists
		default:
			delete(m.groups, [2]string{u, old})
			m.groups[[2]string{u, new}] = true
			m.renameInEdges(u, old, new)
		}
		if got := db.RenameGroup(ctx, u, old, new); !sameErr(got, want) {
			return what, fmt.Errorf("got %v, model says %v", got, want)
		}
		return what, nil
	case op < 90:
		friend := pick()
		var gs []string
		for range rng.IntN(3) {
			gs = append(gs, group())
		}
		what := fmt.Sprintf("UpdateFriend(%s, %s, groups %v)", u, friend, gs)
		if friend == u {
			return what, nil
		}
		_, got := db.UpdateFriend(ctx, u, friend, engine.FriendUpdate{Groups: &gs})
		uniq := slices.Compact(slices.Sorted(slices.Values(gs)))
		missing := 0
		for _, g := range uniq {
			if !m.groups[[2]string{u, g}] {
				missing++
			}
		}
		var want error
		switch {
		case !m.hasEdge(u, friend):
			want = engine.ErrNotFriends
		case countOwned(m.groups, u, 0)+missing > m.lim.Groups:
			want = engine.ErrGroupLimit
		default:
			for _, g := range uniq {
				m.groups[[2]string{u, g}] = true
			}
			if len(uniq) == 0 {
				uniq = nil
			}
			m.edges[[2]string{u, friend}] = uniq
		}
		if !sameErr(got, want) {
			return what, fmt.Errorf("got %v, model says %v", got, want)
		}
		return what, nil
	case op < 95:
		ids, block := picks(), rng.IntN(3) > 0
		what := fmt.Sprintf("Block/Unblock(%s, %v, block=%v)", u, ids, block)
		if !block {
			res, err := db.Unblock(ctx, u, ids)
			return what, compareResults(res, err, batch(u, ids, func(i int) error {
				id := ids[i]
				if !m.blocks[[2]string{u, id}] {
					return engine.ErrNotBlocked
				}
				delete(m.blocks, [2]string{u, id})
				return nil
			}))
		}
		res, err := db.Block(ctx, u, ids)
		return what, compareResults(res, err, batch(u, ids, func(i int) error {
			id := ids[i]
			switch {
			case m.blocks[[2]string{u, id}]:
				return engine.ErrAlreadyBlocked
			case !m.exists[id]:
				return engine.ErrNotFound
			case countOwned(m.blocks, u, 0) >= m.lim.Blocked:
				return engine.ErrBlockLimit
			}
			m.blocks[[2]string{u, id}] = true
			m.dropApps(u, id)
			delete(m.edges, [2]string{u, id})
			delete(m.edges, [2]string{id, u})
			m.exists[u] = true
			return nil
		}))
	case op < 97:
		m.deleteUser(u)
		return "DeleteUser(" + u + ")", db.DeleteUser(ctx, u)
	default:
		allow := engine.AllowType(rng.IntN(3))
		m.exists[u], m.allow[u] = true, allow
		_, err := db.UpdateProfile(ctx, u, engine.ProfileUpdate{AllowType: &allow})
		return fmt.Sprintf("UpdateProfile(%s, allow %d)", u, allow), err
	}
}

// compare reads every user's lists through the public API and compares
// them with the model.
func (m *relModel) compare(db *engine.DB, users []string) error {
	for _, u := range users {
		var want, got []string
		for k, gs := range m.edges {
			if k[0] == u {
				want = append(want, fmt.Sprintf("%s%v", k[1], gs))
			}
		}
		page, err := db.ListFriends(ctx, u, engine.ListOptions{Limit: 1000})
		if err != nil {
			return err
		}
		for _, f := range page.Items {
			got = append(got, fmt.Sprintf("%s%v", f.UserID, f.Edge.Groups))
		}
		if err := sameSet(u+"'s friends", got, want); err != nil {
			return err
		}

		want, got = nil, nil
		var unread uint32
		for k, a := range m.apps {
			if k[0] == u || k[1] == u {
				want = append(want, fmt.Sprintf("%s->%s read=%v group=%q", k[0], k[1], a.read, a.group))
			}
			if k[1] == u && !a.read {
				unread++
			}
		}
		ap, err := db.ListApplications(ctx, u, engine.BothDirections, engine.ListOptions{Limit: 1000})
		if err != nil {
			return err
		}
		for _, it := range ap.Items {
			got = append(got, fmt.Sprintf("%s->%s read=%v group=%q", it.From, it.To, it.Application.Read, it.Application.Group))
		}
		if err := sameSet(u+"'s applications", got, want); err != nil {
			return err
		}
		if ap.Unread != unread {
			return fmt.Errorf("%s's unread %d, model says %d", u, ap.Unread, unread)
		}

		want, got = nil, nil
		for k := range m.groups {
			if k[0] == u {
				var members []string
				for e, gs := range m.edges {
					if e[0] == u && slices.Contains(gs, k[1]) {
						members = append(members, e[1])
					}
				}
				slices.Sort(members)
				want = append(want, fmt.Sprintf("%s%v", k[1], members))
			}
		}
		gl, err := db.ListGroups(ctx, u, true)
		if err != nil {
			return err
		}
		for _, g := range gl.Groups {
			got = append(got, fmt.Sprintf("%s%v", g.Name, g.Members))
		}
		if err := sameSet(u+"'s groups", got, want); err != nil {
			return err
		}

		want, got = nil, nil
		for k := range m.blocks {
			if k[0] == u {
				want = append(want, k[1])
			}
		}
		bp, err := db.ListBlocked(ctx, u, engine.ListOptions{Limit: 1000})
		if err != nil {
			return err
		}
		for _, b := range bp.Items {
			got = append(got, b.UserID)
		}
		if err := sameSet(u+"'s blocklist", got, want); err != nil {
			return err
		}

		ps, err := db.GetProfiles(ctx, u, []string{u})
		if err != nil {
			return err
		}
		switch it := ps.Items[0]; {
		case m.exists[u] != (it.Err == nil):
			return fmt.Errorf("%s exists: %v (%v), model says %v", u, it.Err == nil, it.Err, m.exists[u])
		case it.Err == nil && it.Profile.AllowType != m.allowOf(u):
			return fmt.Errorf("%s's AllowType %d, model says %d", u, it.Profile.AllowType, m.allowOf(u))
		}
	}
	return nil
}

func sameSet(what string, got, want []string) error {
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		return fmt.Errorf("%s: got %q, model says %q", what, got, want)
	}
	return nil
}

package fuzz

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/kithdb/kith/engine"
)

// TestConcurrentStress runs 8 writer goroutines making random calls over
// 30 users (and 2 readers reading lists meanwhile), then checks:
//   - no call failed without a result code, and Check passes (counters
//     equal the counts of their keys, twins, blocks, groups, logs);
//   - every user's change log, replayed from the start, rebuilds exactly
//     the user's final friend list (with groups), groups, blocklist,
//     applications both ways and unread count: each change and its
//     events were committed together, in order, whatever interleaving;
//   - relations read from both sides agree (CheckFriends / CheckBlocked
//     against the lists);
//   - a subscriber saw each user's events in increasing seq order.
func TestConcurrentStress(t *testing.T) {
	seed := testSeed(t)
	const writers, nUsers = 8, 30
	opsPer := 3000
	if raceEnabled || testing.Short() {
		opsPer = 600
	}
	users := make([]string, nUsers)
	for i := range users {
		users[i] = fmt.Sprintf("s%d", i) // "s1" is a prefix of "s10".."s19"
	}
	o := config(0).options(vfs.NewMem(), time.Now, true)
	o.Limits = engine.Limits{Friends: 8, Blocked: 4, PendingIn: 4, Groups: 3, IDsPerCall: 4, PageSize: 1000}
	o.EventRetention = 1 << 30
	db, err := engine.Open("db", o)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()

	// A subscriber: per user, seqs must increase.
	var subMu sync.Mutex
	lastSeq := map[string]uint64{}
	var subErrs []string
	cancel := db.Subscribe(func(ev engine.Event) {
		if ev.Kind == engine.Gap || ev.Seq == 0 {
			return
		}
		subMu.Lock()
		defer subMu.Unlock()
		if ev.Seq == 1 {
			lastSeq[ev.User] = 0 // a user created again after DeleteUser
		}
		if ev.Seq <= lastSeq[ev.User] && len(subErrs) < 10 {
			subErrs = append(subErrs, fmt.Sprintf("%s: seq %d after %d", ev.User, ev.Seq, lastSeq[ev.User]))
		}
		lastSeq[ev.User] = ev.Seq
	})

	var wg sync.WaitGroup
	errs := make(chan string, writers+2)
	stop := make(chan struct{})
	for w := range writers {
		wg.Go(func() {
			g := &gen{r: rand.New(rand.NewPCG(seed, uint64(w))), nUsers: nUsers}
			for i := range opsPer {
				o := g.op()
				if o.Kind == opDeleteUser && g.r.IntN(4) != 0 {
					continue // rarer: it empties a user
				}
				c := build(o, users)
				if _, err := runEngine(ctx, db, c); err != nil {
					errs <- fmt.Sprintf("writer %d call %d %s: %v", w, i, c, err)
					return
				}
			}
		})
	}
	var readers sync.WaitGroup
	for rd := range 2 {
		readers.Go(func() {
			r := rand.New(rand.NewPCG(seed, uint64(100+rd)))
			for {
				select {
				case <-stop:
					return
				default:
				}
				u := users[r.IntN(nUsers)]
				if _, err := db.ListFriends(ctx, u, engine.ListOptions{}); engine.Code(err) < 0 {
					errs <- fmt.Sprintf("reader: ListFriends: %v", err)
					return
				}
				if _, err := db.CheckFriends(ctx, u, users[:8], engine.CheckBoth); engine.Code(err) < 0 {
					errs <- fmt.Sprintf("reader: CheckFriends: %v", err)
					return
				}
				if _, err := db.GetProfiles(ctx, u, users[:10]); engine.Code(err) < 0 {
					errs <- fmt.Sprintf("reader: GetProfiles: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	cancel()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	checkDB(t, ctx, db, t.Fatalf)
	subMu.Lock()
	for _, e := range subErrs {
		t.Errorf("subscriber: %s", e)
	}
	subMu.Unlock()

	friends := map[[2]string]bool{}
	blocks := map[[2]string]bool{}
	for _, u := range users {
		got, want, err := replayLog(ctx, db, u)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		if diff := diffLines(want, got); diff != "" {
			t.Errorf("%s: the change log replayed (-) differs from the lists (+):\n%s", u, diff)
		}
		for _, line := range got {
			var a, b string
			if n, _ := fmt.Sscanf(line, "friend %s %s", &a, &b); n == 2 {
				friends[[2]string{a, b}] = true
			}
			if n, _ := fmt.Sscanf(line, "blocked %s", &b); n == 1 {
				blocks[[2]string{u, b}] = true
			}
		}
	}
	// Both sides agree on every relation.
	for _, u := range users {
		for k := 0; k < nUsers; k += 4 {
			ids := users[k:min(k+4, nUsers)]
			fr, err := db.CheckFriends(ctx, u, ids, engine.CheckBoth)
			if err != nil {
				t.Fatal(err)
			}
			br, err := db.CheckBlocked(ctx, u, ids, engine.CheckBoth)
			if err != nil {
				t.Fatal(err)
			}
			for i, id := range ids {
				if id == u {
					continue
				}
				if want := relation(friends[[2]string{u, id}], friends[[2]string{id, u}]); fr[i].Relation != want {
					t.Errorf("CheckFriends(%s, %s) = %s, lists say %s", u, id, relName(fr[i].Relation), relName(want))
				}
				if want := relation(blocks[[2]string{u, id}], blocks[[2]string{id, u}]); br[i].Relation != want {
					t.Errorf("CheckBlocked(%s, %s) = %s, lists say %s", u, id, relName(br[i].Relation), relName(want))
				}
			}
		}
	}
	t.Logf("%d writers x %d calls over %d users: %d friend edges, %d blocks", writers, opsPer, nUsers, len(friends), len(blocks))
}

// replayLog rebuilds u's lists from its change log (want) and reads them
// from the store (got), in the same text form.
func replayLog(ctx context.Context, db *engine.DB, u string) (got, want []string, err error) {
	friends := map[string][]string{} // friend -> groups
	groups := map[string]bool{}
	blocked := map[string]bool{}
	in := map[string]bool{} // sender -> unread
	out := map[string]bool{}
	for after := uint64(0); ; {
		p, err := db.Changes(ctx, u, after, 1000)
		if err != nil {
			return nil, nil, err
		}
		if len(p.Events) == 0 {
			break
		}
		for _, e := range p.Events {
			peer := ""
			if len(e.Peers) > 0 {
				peer = e.Peers[0]
			}
			switch e.Kind {
			case engine.FriendAdded, engine.FriendUpdated:
				friends[peer] = slices.Clone(e.Groups)
			case engine.FriendDeleted:
				delete(friends, peer)
			case engine.GroupMembersAdded:
				friends[peer] = withGroup(friends[peer], e.Groups[0], true)
			case engine.GroupMembersRemoved:
				friends[peer] = withGroup(friends[peer], e.Groups[0], false)
			case engine.GroupCreated:
				groups[e.Groups[0]] = true
			case engine.GroupDeleted:
				delete(groups, e.Groups[0])
			case engine.GroupRenamed:
				delete(groups, e.Groups[0])
				groups[e.Groups[1]] = true
				for f, gs := range friends {
					if slices.Contains(gs, e.Groups[0]) {
						friends[f] = withGroup(withGroup(gs, e.Groups[0], false), e.Groups[1], true)
					}
				}
			case engine.BlockAdded:
				blocked[peer] = true
			case engine.BlockDeleted:
				delete(blocked, peer)
			case engine.ApplicationAdded, engine.ApplicationDeleted:
				from, to := e.Peers[0], e.Peers[1]
				added := e.Kind == engine.ApplicationAdded
				switch {
				case to == u && added:
					in[from] = true
				case to == u:
					delete(in, from)
				case added:
					out[to] = true
				default:
					delete(out, to)
				}
			case engine.ApplicationsRead:
				for f := range in {
					in[f] = false
				}
			}
		}
		after = p.Next
	}
	unread := 0
	for _, f := range slices.Sorted(maps.Keys(friends)) {
		want = append(want, fmt.Sprintf("friend %s %s %q", u, f, friends[f]))
	}
	want = append(want, "groups "+strings.Join(slices.Sorted(maps.Keys(groups)), " "))
	for _, b := range slices.Sorted(maps.Keys(blocked)) {
		want = append(want, "blocked "+b)
	}
	for _, f := range slices.Sorted(maps.Keys(in)) {
		want = append(want, "in "+f)
		if in[f] {
			unread++
		}
	}
	for _, f := range slices.Sorted(maps.Keys(out)) {
		want = append(want, "out "+f)
	}
	want = append(want, fmt.Sprintf("unread %d", unread))

	fp, err := db.ListFriends(ctx, u, engine.ListOptions{Limit: 1000})
	if err != nil {
		return nil, nil, err
	}
	for _, f := range fp.Items {
		got = append(got, fmt.Sprintf("friend %s %s %q", u, f.UserID, f.Edge.Groups))
	}
	gl, err := db.ListGroups(ctx, u, false)
	if err != nil {
		return nil, nil, err
	}
	var names []string
	for _, g := range gl.Groups {
		names = append(names, g.Name)
	}
	got = append(got, "groups "+strings.Join(names, " "))
	bp, err := db.ListBlocked(ctx, u, engine.ListOptions{Limit: 1000})
	if err != nil {
		return nil, nil, err
	}
	for _, b := range bp.Items {
		got = append(got, "blocked "+b.UserID)
	}
	ap, err := db.ListApplications(ctx, u, engine.Incoming, engine.ListOptions{Limit: 1000})
	if err != nil {
		return nil, nil, err
	}
	for _, it := range ap.Items {
		got = append(got, "in "+it.From)
	}
	op, err := db.ListApplications(ctx, u, engine.Outgoing, engine.ListOptions{Limit: 1000})
	if err != nil {
		return nil, nil, err
	}
	for _, it := range op.Items {
		got = append(got, "out "+it.To)
	}
	got = append(got, fmt.Sprintf("unread %d", ap.Unread))
	return got, want, nil
}

package engine_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/kithdb/kith/engine"
)

// bkCollector records the events a subscriber receives.
type bkCollector struct {
	mu   sync.Mutex
	evs  []engine.Event
	errs []string
}

func (c *bkCollector) add(ev engine.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.evs = append(c.evs, ev)
}

func (c *bkCollector) fail(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errs = append(c.errs, fmt.Sprintf(format, args...))
}

func (c *bkCollector) events() []engine.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.evs)
}

// waitFor polls until cond holds on the events received, or fails t
// after timeout.
func (c *bkCollector) waitFor(t testing.TB, timeout time.Duration, what string, cond func([]engine.Event) bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond(c.events()) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; got %d events", what, len(c.events()))
		}
		time.Sleep(time.Millisecond)
	}
}

// bkLastSeqs returns the last seq each user's log reached, as the
// subscriber saw it.
func bkLastSeqs(evs []engine.Event) map[string]uint64 {
	m := map[string]uint64{}
	for _, ev := range evs {
		if ev.Seq > 0 {
			m[ev.User] = max(m[ev.User], ev.Seq)
		}
	}
	return m
}

// bkWaitGoroutines polls until the number of goroutines is back to at
// most base, or fails t after 2 seconds.
func bkWaitGoroutines(t testing.TB, base int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Fatalf("%d goroutines, %d before Open:\n%s", runtime.NumGoroutine(), base, buf[:n])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSubscribe_AfterCommitInSeqOrder(t *testing.T) {
	db := openDB(t, nil)
	users := bkUserIDs(6)
	c := &bkCollector{}
	cancel := db.Subscribe(func(ev engine.Event) {
		if ev.Seq > 0 {
			// Committed before delivery: the log already holds it.
			page, err := db.Changes(ctx, ev.User, ev.Seq-1, 1)
			if err != nil || len(page.Events) != 1 || bkFmt(page.Events[0]) != bkFmt(ev) {
				c.fail("event %+v delivered but the log has %+v, %v", ev, page.Events, err)
			}
		}
		c.add(ev)
	})
	defer cancel()

	// Concurrent writers, without DeleteUser (it restarts a user's seqs).
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for range 60 {
				op := bkRandomOp(r, users)
				for strings.HasPrefix(op.name, "deluser") {
					op = bkRandomOp(r, users)
				}
				if err := op.run(db); err != nil {
					t.Errorf("%s: %v", op.name, err)
				}
			}
		})
	}
	wg.Wait()
	final := map[string]uint64{}
	for _, u := range users {
		if s := bkSeq(t, db, u); s > 0 {
			final[u] = s
		}
	}
	c.waitFor(t, 5*time.Second, "every logged event", func(evs []engine.Event) bool {
		got := bkLastSeqs(evs)
		for u, s := range final {
			if got[u] != s {
				return false
			}
		}
		return true
	})
	for _, e := range c.errs {
		t.Error(e)
	}
	// Per user, the logged events arrive exactly as the log holds them.
	got := map[string][]string{}
	for _, ev := range c.events() {
		switch ev.Kind {
		case engine.Gap:
			t.Fatalf("unexpected Gap: %+v", ev)
		case engine.FriendProfileChanged:
			if ev.Seq != 0 {
				t.Errorf("live-only event with a seq: %+v", ev)
			}
		default:
			got[ev.User] = append(got[ev.User], fmt.Sprintf("%d %s", ev.Seq, bkFmt(ev)))
		}
	}
	for _, u := range users {
		var want []string
		for _, ev := range bkChanges(t, db, u, 0, 1000) {
			want = append(want, fmt.Sprintf("%d %s", ev.Seq, bkFmt(ev)))
		}
		if !slices.Equal(got[u], want) {
			t.Errorf("user %s: delivered\n  %q\nlog\n  %q", u, got[u], want)
		}
	}
}

func TestSubscribe_FriendProfileChanged(t *testing.T) {
	db := openDB(t, nil)
	bkUsers(t, db, engine.NeedConfirm, "a", "b", "c", "d", "e", "z")
	bkAddOK(t, db, "a", engine.AddFriendRequest{UserID: "b", Type: engine.AddSingle}, engine.Added) // a holds b
	bkBefriend(t, db, "b", "c", "", "")                                                             // c holds b
	bkAddOK(t, db, "b", engine.AddFriendRequest{UserID: "e", Type: engine.AddSingle}, engine.Added) // e does not hold b
	bkAddOK(t, db, "d", engine.AddFriendRequest{UserID: "b", Type: engine.AddBoth}, engine.Pending) // d only applied

	c := &bkCollector{}
	defer db.Subscribe(c.add)()
	if _, err := db.UpdateProfile(ctx, "b", engine.ProfileUpdate{Nick: new("bee")}); err != nil {
		t.Fatal(err)
	}
	// A later change on another user: once it is delivered, so is
	// everything before it.
	if _, err := db.UpdateProfile(ctx, "z", engine.ProfileUpdate{Nick: new("zed")}); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, 5*time.Second, "the sentinel", func(evs []engine.Event) bool {
		return slices.ContainsFunc(evs, func(ev engine.Event) bool { return ev.User == "z" })
	})
	var got []string
	for _, ev := range c.events() {
		if ev.Kind == engine.FriendProfileChanged && ev.Seq != 0 {
			t.Errorf("FriendProfileChanged with seq: %+v", ev)
		}
		got = append(got, ev.User+": "+bkFmt(ev))
	}
	slices.Sort(got)
	bkWantStrings(t, "delivered", got,
		"a: FriendProfileChanged b", "b: ProfileUpdated", "c: FriendProfileChanged b", "z: ProfileUpdated")
	// Never logged.
	for _, u := range []string{"a", "c"} {
		for _, e := range bkEventsSince(t, db, u, 0) {
			if strings.HasPrefix(e, "FriendProfileChanged") {
				t.Errorf("%s's log holds %s", u, e)
			}
		}
	}
}

func TestSubscribe_StuckSubscriberDoesNotBlockWriters(t *testing.T) {
	db := openDB(t, nil)
	release := make(chan struct{})
	var once sync.Once
	c := &bkCollector{}
	defer db.Subscribe(func(ev engine.Event) {
		once.Do(func() { <-release })
		c.add(ev)
	})()

	// 5000 logged events over 20 users (250 each, inside the retained
	// window), from 4 writers, while the subscriber is stuck.
	const writers, perWriter = 4, 1250
	done := make(chan struct{})
	go func() {
		defer close(done)
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := range perWriter {
					uid := fmt.Sprintf("w%d-%d", w, i%5)
					if _, err := db.UpdateProfile(ctx, uid, engine.ProfileUpdate{Level: new(uint32(i))}); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		close(release)
		t.Fatal("writers blocked behind a stuck subscriber")
	}

	// Unstuck, the subscriber drains what was buffered and then learns
	// that it missed events, without any further write.
	close(release)
	c.waitFor(t, 5*time.Second, "a Gap event", func(evs []engine.Event) bool {
		return slices.ContainsFunc(evs, func(ev engine.Event) bool { return ev.Kind == engine.Gap })
	})
	evs := c.events()
	gap := slices.IndexFunc(evs, func(ev engine.Event) bool { return ev.Kind == engine.Gap })
	if gap < 4096 || gap >= writers*perWriter {
		t.Errorf("Gap after %d events; want it after the 4096 buffered ones and before all %d", gap, writers*perWriter)
	}
	// Before the Gap, each user's events come in seq order without holes;
	// catching up with Changes from the last seq seen yields the rest.
	seen := map[string]uint64{}
	for _, ev := range evs[:gap] {
		if ev.Seq != seen[ev.User]+1 {
			t.Fatalf("user %s: event seq %d after %d", ev.User, ev.Seq, seen[ev.User])
		}
		seen[ev.User] = ev.Seq
	}
	total := 0
	for w := range writers {
		for i := range 5 {
			uid := fmt.Sprintf("w%d-%d", w, i)
			rest := bkChanges(t, db, uid, seen[uid], 1000)
			total += int(seen[uid]) + len(rest)
			if n := seen[uid] + uint64(len(rest)); n != perWriter/5 {
				t.Errorf("user %s: %d seen + %d caught up, want %d", uid, seen[uid], len(rest), perWriter/5)
			}
		}
	}
	if total != writers*perWriter {
		t.Errorf("%d events in all, want %d", total, writers*perWriter)
	}
}

func TestSubscribe_GapThenLiveEvents(t *testing.T) {
	db := openDB(t, nil)
	release := make(chan struct{})
	var once sync.Once
	c := &bkCollector{}
	defer db.Subscribe(func(ev engine.Event) {
		once.Do(func() { <-release })
		c.add(ev)
	})()
	for i := range 4200 {
		uid := fmt.Sprintf("u%d", i%10)
		if _, err := db.UpdateProfile(ctx, uid, engine.ProfileUpdate{Level: new(uint32(i))}); err != nil {
			t.Fatal(err)
		}
	}
	close(release)
	c.waitFor(t, 5*time.Second, "a Gap event", func(evs []engine.Event) bool {
		return slices.ContainsFunc(evs, func(ev engine.Event) bool { return ev.Kind == engine.Gap })
	})
	// Live delivery resumes after the Gap.
	if _, err := db.UpdateProfile(ctx, "late", engine.ProfileUpdate{Level: new(uint32(1))}); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, 5*time.Second, "the event after the Gap", func(evs []engine.Event) bool {
		return len(evs) > 0 && evs[len(evs)-1].User == "late"
	})
	gaps := 0
	for _, ev := range c.events() {
		if ev.Kind == engine.Gap {
			gaps++
		}
	}
	if gaps != 1 {
		t.Errorf("%d Gap events, want 1", gaps)
	}
}

func TestSubscribe_CancelStopsDelivery(t *testing.T) {
	db := openDB(t, nil)
	first, second := &bkCollector{}, &bkCollector{}
	cancel := db.Subscribe(first.add)
	defer db.Subscribe(second.add)()
	bkUsers(t, db, engine.AllowAny, "a")
	first.waitFor(t, 5*time.Second, "the first event", func(evs []engine.Event) bool { return len(evs) == 1 })
	cancel()
	cancel() // twice is fine
	bkUsers(t, db, engine.AllowAny, "b", "c")
	second.waitFor(t, 5*time.Second, "three events", func(evs []engine.Event) bool { return len(evs) == 3 })
	if evs := first.events(); len(evs) != 1 {
		t.Errorf("cancelled subscriber got %d events, want 1: %+v", len(evs), evs)
	}
}

func TestSubscribe_CloseStopsDeliveryAndLeaksNothing(t *testing.T) {
	base := runtime.NumGoroutine()
	db, err := engine.Open("db", &engine.Options{FS: vfs.NewMem()})
	if err != nil {
		t.Fatal(err)
	}
	var cs []*bkCollector
	for range 3 {
		c := &bkCollector{}
		cs = append(cs, c)
		db.Subscribe(c.add)
	}
	bkUsers(t, db, engine.AllowAny, "a", "b")
	bkBefriend(t, db, "a", "b", "", "")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// Close waited for the delivery goroutines: nothing arrives later.
	counts := make([]int, len(cs))
	for i, c := range cs {
		counts[i] = len(c.events())
	}
	late := db.Subscribe(func(engine.Event) { t.Error("a subscriber added after Close was called") })
	late()
	time.Sleep(20 * time.Millisecond)
	for i, c := range cs {
		if n := len(c.events()); n != counts[i] {
			t.Errorf("subscriber %d got %d events after Close returned", i, n-counts[i])
		}
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	bkWaitGoroutines(t, base)
}

// A subscriber that reads the DB (as a Gap tells it to) must not make a
// concurrent Close hang.
func TestSubscribe_CloseWhileSubscriberReads(t *testing.T) {
	base := runtime.NumGoroutine()
	db, err := engine.Open("db", &engine.Options{FS: vfs.NewMem()})
	if err != nil {
		t.Fatal(err)
	}
	inFn, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	db.Subscribe(func(ev engine.Event) {
		once.Do(func() {
			close(inFn)
			<-release
			_, _ = db.Changes(ctx, ev.User, 0, 10) // ErrClosed is fine; hanging is not
		})
	})
	bkUsers(t, db, engine.AllowAny, "a")
	<-inFn
	closed := make(chan error)
	go func() { closed <- db.Close() }()
	time.Sleep(50 * time.Millisecond) // let Close start waiting
	close(release)
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs while a subscriber calls the DB")
	}
	bkWaitGoroutines(t, base)
}

// Events buffered for a slow subscriber are not delivered once it is
// cancelled: cancel stops delivery, except for a call of fn in progress.
func TestSubscribe_CancelDropsBufferedEvents(t *testing.T) {
	db := openDB(t, nil)
	inFn, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	c := &bkCollector{}
	cancel := db.Subscribe(func(ev engine.Event) {
		once.Do(func() {
			close(inFn)
			<-release
		})
		c.add(ev)
	})
	bkUsers(t, db, engine.AllowAny, "a")
	<-inFn
	bkUsers(t, db, engine.AllowAny, "b", "c", "d") // buffered behind the call in progress
	cancel()
	close(release)
	c.waitFor(t, 5*time.Second, "the call in progress", func(evs []engine.Event) bool { return len(evs) >= 1 })
	time.Sleep(50 * time.Millisecond)
	if evs := c.events(); len(evs) != 1 {
		var got []string
		for _, ev := range evs {
			got = append(got, ev.User+": "+bkFmt(ev))
		}
		t.Errorf("after cancel, fn was called for %d events: %q", len(evs), got)
	}
}

package engine_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kithdb/kith/engine"
)

// fakeLoader serves remote profiles and records every Load call.
type fakeLoader struct {
	mu     sync.Mutex
	nicks  map[string]string // the remote service's profiles
	calls  [][]string
	err    error
	panic  bool
	block  chan struct{} // if set, Load waits for it (ignoring ctx)
	extras bool          // answer an ID that was not asked
}

func newFakeLoader(ids ...string) *fakeLoader {
	l := &fakeLoader{nicks: map[string]string{}}
	for _, id := range ids {
		l.nicks[id] = "nick-" + id
	}
	return l
}

func (l *fakeLoader) Load(ctx context.Context, ids []string) (map[string]*engine.Profile, error) {
	l.mu.Lock()
	l.calls = append(l.calls, slices.Sorted(slices.Values(ids)))
	block, err, panics := l.block, l.err, l.panic
	out := map[string]*engine.Profile{}
	for _, id := range ids {
		if n, ok := l.nicks[id]; ok {
			out[id] = &engine.Profile{Nick: n}
		}
	}
	if l.extras {
		out["not-asked"] = &engine.Profile{Nick: "intruder"}
	}
	l.mu.Unlock()
	if block != nil {
		<-block
	}
	if panics {
		panic("loader exploded")
	}
	return out, err
}

func (l *fakeLoader) setNick(id, nick string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.nicks[id] = nick
}

func (l *fakeLoader) callCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.calls)
}

// loaderDB opens a DB with the loader and a fake clock; "me" is a local
// user.
func loaderDB(t *testing.T, l *fakeLoader, mod func(*engine.Options)) (*engine.DB, *fakeClock) {
	t.Helper()
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	opts := &engine.Options{ProfileLoader: l, Clock: clk.Now}
	if mod != nil {
		mod(opts)
	}
	db := openDB(t, opts)
	if _, err := db.UpdateProfile(ctx, "me", engine.ProfileUpdate{Nick: new("Me")}); err != nil {
		t.Fatal(err)
	}
	return db, clk
}

func loadedNick(t *testing.T, db *engine.DB, viewer, id string) (string, error) {
	t.Helper()
	res, err := db.GetProfiles(ctx, viewer, []string{id})
	if err != nil {
		t.Fatal(err)
	}
	if it := res.Items[0]; it.Err != nil {
		return "", it.Err
	}
	return res.Items[0].Profile.Nick, nil
}

func TestLoader_LocalFirstThenLoader(t *testing.T) {
	l := newFakeLoader("r1")
	db, _ := loaderDB(t, l, nil)
	if n, err := loadedNick(t, db, "me", "me"); err != nil || n != "Me" {
		t.Fatalf("local profile: %q %v", n, err)
	}
	if l.callCount() != 0 {
		t.Fatalf("local read called the loader: %v", l.calls)
	}
	if n, err := loadedNick(t, db, "me", "r1"); err != nil || n != "nick-r1" {
		t.Fatalf("remote profile: %q %v", n, err)
	}
	if _, err := loadedNick(t, db, "me", "nobody"); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("unknown remote user: %v", err)
	}
	if m := db.Metrics(); m.ProfileLoads != 2 || m.ProfileLoadErrors != 0 {
		t.Errorf("metrics: loads %d errors %d", m.ProfileLoads, m.ProfileLoadErrors)
	}
}

func TestLoader_StrangerTTL(t *testing.T) {
	l := newFakeLoader("r1")
	db, clk := loaderDB(t, l, nil)
	loadedNick(t, db, "me", "r1")
	l.setNick("r1", "renamed")
	clk.Set(clk.Now().Add(10*time.Minute - time.Second))
	if n, _ := loadedNick(t, db, "me", "r1"); n != "nick-r1" || l.callCount() != 1 {
		t.Fatalf("within StrangerTTL: %q after %d loads, want the cached value and 1 load", n, l.callCount())
	}
	clk.Set(clk.Now().Add(2 * time.Second))
	if n, _ := loadedNick(t, db, "me", "r1"); n != "renamed" || l.callCount() != 2 {
		t.Fatalf("after StrangerTTL: %q after %d loads, want a reload", n, l.callCount())
	}
}

func TestLoader_FriendTTL(t *testing.T) {
	l := newFakeLoader("r1")
	db, clk := loaderDB(t, l, nil)
	// r1 exists locally through an edge of its own, without a profile.
	if _, err := db.AddFriends(ctx, "r1", []engine.AddFriendRequest{{UserID: "me", Type: engine.AddSingle}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateProfile(ctx, "stranger", engine.ProfileUpdate{Nick: new("S")}); err != nil {
		t.Fatal(err)
	}
	if res, err := db.AddFriends(ctx, "me", []engine.AddFriendRequest{{UserID: "r1", Type: engine.AddSingle}}); err != nil || res[0].Err != nil {
		t.Fatalf("me adds r1: %v %+v", err, res)
	}
	loadedNick(t, db, "me", "r1")
	l.setNick("r1", "renamed")
	clk.Set(clk.Now().Add(2 * time.Minute))
	// A stranger still gets the cached value (StrangerTTL is 10 minutes)…
	if n, _ := loadedNick(t, db, "stranger", "r1"); n != "nick-r1" {
		t.Fatalf("stranger after 2 min: %q, want cached", n)
	}
	// …a friend gets a fresh one (FriendTTL is 1 minute).
	if n, _ := loadedNick(t, db, "me", "r1"); n != "renamed" {
		t.Fatalf("friend after 2 min: %q, want reloaded", n)
	}
}

func TestLoader_NegativeTTL(t *testing.T) {
	l := newFakeLoader()
	db, clk := loaderDB(t, l, nil)
	loadedNick(t, db, "me", "late")
	l.setNick("late", "now here")
	clk.Set(clk.Now().Add(4 * time.Second))
	if _, err := loadedNick(t, db, "me", "late"); !errors.Is(err, engine.ErrNotFound) || l.callCount() != 1 {
		t.Fatalf("within NegativeTTL: %v after %d loads", err, l.callCount())
	}
	clk.Set(clk.Now().Add(2 * time.Second))
	if n, err := loadedNick(t, db, "me", "late"); err != nil || n != "now here" {
		t.Fatalf("after NegativeTTL: %q %v", n, err)
	}
}

func TestLoader_OneBatchPerCall(t *testing.T) {
	var ids []string
	for i := range 100 {
		ids = append(ids, fmt.Sprintf("r%03d", i))
	}
	l := newFakeLoader(ids...)
	db, _ := loaderDB(t, l, nil)
	res, err := db.GetProfiles(ctx, "me", append(ids[:99:99], "me"))
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range res.Items[:99] {
		if it.Err != nil || it.Profile.Nick != "nick-"+ids[i] {
			t.Fatalf("item %d: %+v", i, it)
		}
	}
	if l.callCount() != 1 || len(l.calls[0]) != 99 {
		t.Fatalf("loads: %d calls, first of %d ids; want one call of 99", l.callCount(), len(l.calls[0]))
	}
}

func TestLoader_SingleFlight(t *testing.T) {
	l := newFakeLoader("r1")
	l.block = make(chan struct{})
	db, _ := loaderDB(t, l, nil)
	var wg sync.WaitGroup
	var ok atomic.Int32
	for range 100 {
		wg.Go(func() {
			res, err := db.GetProfiles(ctx, "me", []string{"r1"})
			if err == nil && res.Items[0].Err == nil && res.Items[0].Profile.Nick == "nick-r1" {
				ok.Add(1)
			}
		})
	}
	// Let the callers pile up on the one flight, then land it.
	for l.callCount() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	close(l.block)
	wg.Wait()
	if ok.Load() != 100 {
		t.Errorf("%d of 100 callers got the profile", ok.Load())
	}
	if n := l.callCount(); n != 1 {
		t.Errorf("%d loads for 100 concurrent callers, want 1", n)
	}
}

func TestLoader_ErrorsPerItemNotCached(t *testing.T) {
	l := newFakeLoader("r1")
	l.err = errors.New("service down")
	db, _ := loaderDB(t, l, nil)
	res, err := db.GetProfiles(ctx, "me", []string{"me", "r1"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Items[0].Err != nil || res.Items[0].Profile.Nick != "Me" {
		t.Errorf("local item hit by the loader's error: %+v", res.Items[0])
	}
	if e := res.Items[1].Err; !errors.Is(e, engine.ErrLoad) || !errors.Is(e, l.err) {
		t.Errorf("remote item: %v, want ErrLoad wrapping the loader's error", e)
	}
	l.err = nil
	if n, err := loadedNick(t, db, "me", "r1"); err != nil || n != "nick-r1" {
		t.Errorf("after recovery: %q %v (errors must not be cached)", n, err)
	}
	if m := db.Metrics(); m.ProfileLoadErrors != 1 {
		t.Errorf("load errors metric %d, want 1", m.ProfileLoadErrors)
	}
}

func TestLoader_BadLoaders(t *testing.T) {
	t.Run("panic", func(t *testing.T) {
		l := newFakeLoader("r1")
		l.panic = true
		db, _ := loaderDB(t, l, nil)
		if _, err := loadedNick(t, db, "me", "r1"); !errors.Is(err, engine.ErrLoad) {
			t.Fatalf("panicking loader: %v, want ErrLoad", err)
		}
	})
	t.Run("hang past ctx", func(t *testing.T) {
		l := newFakeLoader("r1")
		l.block = make(chan struct{})
		db, _ := loaderDB(t, l, nil)
		c, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
		res, err := db.GetProfiles(c, "me", []string{"me", "r1"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Items[0].Err != nil || !errors.Is(res.Items[1].Err, context.DeadlineExceeded) || !errors.Is(res.Items[1].Err, engine.ErrLoad) {
			t.Fatalf("items: %+v", res.Items)
		}
		close(l.block) // the load lands late and still fills the cache
		for i := 0; ; i++ {
			if n, err := loadedNick(t, db, "me", "r1"); err == nil && n == "nick-r1" {
				break
			}
			if i > 1000 {
				t.Fatal("late load never served")
			}
			time.Sleep(time.Millisecond)
		}
	})
	t.Run("answers not asked", func(t *testing.T) {
		l := newFakeLoader("r1")
		l.extras = true
		db, _ := loaderDB(t, l, nil)
		loadedNick(t, db, "me", "r1")
		if _, err := loadedNick(t, db, "me", "not-asked"); err != nil || l.callCount() != 2 {
			t.Fatalf("an answer not asked was cached: %v after %d loads", err, l.callCount())
		}
	})
}

func TestLoader_Invalidate(t *testing.T) {
	l := newFakeLoader("r1")
	db, _ := loaderDB(t, l, nil)
	loadedNick(t, db, "me", "r1")
	l.setNick("r1", "pushed")
	if err := db.InvalidateProfiles([]string{"r1"}); err != nil {
		t.Fatal(err)
	}
	if n, _ := loadedNick(t, db, "me", "r1"); n != "pushed" {
		t.Fatalf("after InvalidateProfiles: %q", n)
	}
}

func TestLoader_LocalWriteWins(t *testing.T) {
	l := newFakeLoader("r1")
	db, _ := loaderDB(t, l, nil)
	loadedNick(t, db, "me", "r1")
	if _, err := db.UpdateProfile(ctx, "r1", engine.ProfileUpdate{Nick: new("local")}); err != nil {
		t.Fatal(err)
	}
	if n, _ := loadedNick(t, db, "me", "r1"); n != "local" {
		t.Fatalf("local write not served: %q", n)
	}
}

func TestLoader_EvictionAtCapacity(t *testing.T) {
	l := newFakeLoader("r1", "r2", "r3")
	db, _ := loaderDB(t, l, func(o *engine.Options) { o.ProfileCache.Entries = 2 })
	for _, id := range []string{"r1", "r2", "r3"} {
		loadedNick(t, db, "me", id)
	}
	if m := db.Metrics().ProfileCache; m.Entries > 2 || m.Evictions == 0 {
		t.Fatalf("cache: %+v, want at most 2 entries and an eviction", m)
	}
	before := l.callCount()
	loadedNick(t, db, "me", "r1") // evicted: loaded again
	if l.callCount() != before+1 {
		t.Errorf("evicted entry was not reloaded")
	}
}

func TestLoader_Race(t *testing.T) {
	var ids []string
	for i := range 20 {
		ids = append(ids, fmt.Sprintf("r%02d", i))
	}
	l := newFakeLoader(ids...)
	db, _ := loaderDB(t, l, func(o *engine.Options) { o.Clock = nil; o.ProfileCache.Entries = 8 })
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			for i := range 300 {
				id := ids[(g*7+i)%len(ids)]
				switch i % 4 {
				case 0:
					db.InvalidateProfiles([]string{id})
				case 1:
					if _, err := db.UpdateProfile(ctx, id, engine.ProfileUpdate{Level: new(uint32(i))}); err != nil {
						t.Error(err)
					}
				default:
					if _, err := db.GetProfiles(ctx, "me", ids[:5+i%15]); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	// Every user was written locally: a read must serve the local
	// profile, never a remote one the cache kept.
	res, err := db.GetProfiles(ctx, "me", ids)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range res.Items {
		if it.Err != nil || it.Profile.Version == 0 {
			t.Errorf("%s: %+v, want the local profile", it.UserID, it)
		}
	}
}

// TestLoader_FlightContextReleased: a load's context ends when the load
// does, not only at Close: until then the DB's lifetime context held it,
// and through it the context of the call that started it, one per load
// for as long as the DB stayed open.
func TestLoader_FlightContextReleased(t *testing.T) {
	ctxs := make(chan context.Context, 4)
	loader := engine.LoaderFunc(func(ctx context.Context, ids []string) (map[string]*engine.Profile, error) {
		ctxs <- ctx
		return map[string]*engine.Profile{}, nil
	})
	db := openDB(t, &engine.Options{ProfileLoader: loader})
	for _, id := range []string{"s1", "s2"} {
		if _, err := db.GetProfiles(ctx, "v", []string{id}); err != nil {
			t.Fatal(err)
		}
		fc := <-ctxs
		select {
		case <-fc.Done():
		case <-time.After(10 * time.Second): // a hang guard, not a timing assertion
			t.Fatalf("load of %s: its context was not released after the load", id)
		}
	}
}

// TestLoader_FriendProfileErrors: GetFriends and SearchFriends report a
// friend's failed profile load per item, as GetProfiles does, instead of
// a friend with neither profile nor error; the edge is still there.
func TestLoader_FriendProfileErrors(t *testing.T) {
	l := newFakeLoader()
	l.err = errors.New("remote down")
	db, _ := loaderDB(t, l, nil)
	// r1 exists only through its edges: its profile goes to the loader.
	mustAddFriend(t, db, "r1", engine.AddFriendRequest{UserID: "me"}, engine.Added)
	mustAddFriend(t, db, "me", engine.AddFriendRequest{UserID: "r1"}, engine.Added)
	fs, err := db.GetFriends(ctx, "me", []string{"r1"})
	if err != nil {
		t.Fatal(err)
	}
	if f := fs[0]; !errors.Is(f.Err, engine.ErrLoad) || f.Edge == nil || f.Profile != nil {
		t.Fatalf("GetFriends(r1) = %+v, want the edge and an error matching ErrLoad", f)
	}
	page, err := db.SearchFriends(ctx, "me", engine.SearchOptions{Keywords: []string{"r1"}, InUserID: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || !errors.Is(page.Items[0].Err, engine.ErrLoad) || page.Items[0].Edge == nil {
		t.Fatalf("SearchFriends(r1) = %+v, want the hit with an error matching ErrLoad", page.Items)
	}
}

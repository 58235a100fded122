package engine_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/kithdb/kith/engine"
)

// mustOpen opens dir with opts and fails the test on error. Unlike openDB
// it registers no cleanup: tests that close and reopen use it.
func mustOpen(t *testing.T, dir string, opts *engine.Options) *engine.DB {
	t.Helper()
	db, err := engine.Open(dir, opts)
	if err != nil {
		t.Fatalf("Open(%q): %v", dir, err)
	}
	return db
}

func mustClose(t *testing.T, db *engine.DB) {
	t.Helper()
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// nickOf returns uid's nick, failing the test if uid has no profile.
func nickOf(t *testing.T, db *engine.DB, uid string) string {
	t.Helper()
	ps, err := db.GetProfiles(ctx, uid, []string{uid})
	if err != nil {
		t.Fatalf("GetProfiles(%q): %v", uid, err)
	}
	if it := ps.Items[0]; it.Err != nil {
		t.Fatalf("GetProfiles(%q): item error %v", uid, it.Err)
	}
	return ps.Items[0].Profile.Nick
}

func TestOpen_NilOptionsOnDiskReopens(t *testing.T) {
	dir := t.TempDir()
	db := mustOpen(t, dir, nil)
	if _, err := db.UpdateProfile(ctx, "ann", engine.ProfileUpdate{Nick: new("Ann")}); err != nil {
		t.Fatalf("UpdateProfile: %v", err)
	}
	mustCheck(t, db)
	mustClose(t, db)

	db = mustOpen(t, dir, nil)
	defer mustClose(t, db)
	if got := nickOf(t, db, "ann"); got != "Ann" {
		t.Fatalf("after reopen nick = %q, want %q", got, "Ann")
	}
	mustCheck(t, db)
}

func TestOpen_MemFSReopens(t *testing.T) {
	fs := vfs.NewMem()
	db := mustOpen(t, "db", &engine.Options{FS: fs})
	for i := range 5 {
		uid := fmt.Sprintf("u%d", i)
		if _, err := db.UpdateProfile(ctx, uid, engine.ProfileUpdate{Nick: new("n" + uid)}); err != nil {
			t.Fatalf("UpdateProfile(%s): %v", uid, err)
		}
	}
	mustClose(t, db)

	db = mustOpen(t, "db", &engine.Options{FS: fs})
	defer mustClose(t, db)
	for i := range 5 {
		uid := fmt.Sprintf("u%d", i)
		if got := nickOf(t, db, uid); got != "n"+uid {
			t.Errorf("after reopen nick of %s = %q, want %q", uid, got, "n"+uid)
		}
	}
	mustCheck(t, db)
}

// cloneOptions deep-copies the fields of o that Open could mutate.
func cloneOptions(o *engine.Options) *engine.Options {
	c := *o
	c.CustomProfileFields = append([]string(nil), o.CustomProfileFields...)
	c.CustomFriendFields = append([]string(nil), o.CustomFriendFields...)
	if o.DefaultAllowType != nil {
		c.DefaultAllowType = new(*o.DefaultAllowType)
	}
	return &c
}

func TestOpen_DoesNotMutateOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts *engine.Options
	}{
		{"zero", &engine.Options{}},
		{"set", &engine.Options{
			NoSync:              true,
			CacheSize:           1, // below the minimum: Open raises its own copy
			ProfileCache:        engine.ProfileCacheOptions{Entries: 10},
			Limits:              engine.Limits{Friends: 7},
			CustomProfileFields: []string{"b", "a"},
			CustomFriendFields:  []string{"x"},
			DefaultAllowType:    new(engine.AllowAny),
			EventRetention:      3,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := cloneOptions(tc.opts)
			allowPtr := tc.opts.DefaultAllowType
			db := mustOpen(t, t.TempDir(), tc.opts)
			defer mustClose(t, db)
			if !reflect.DeepEqual(before, tc.opts) {
				t.Fatalf("Open changed the caller's options:\nbefore %+v\nafter  %+v", before, tc.opts)
			}
			if tc.opts.DefaultAllowType != allowPtr {
				t.Fatalf("Open replaced the DefaultAllowType pointer")
			}
		})
	}
}

// Open must copy what it keeps: changing the caller's struct after Open
// must not change the open DB.
func TestOpen_CallerMayReuseOptions(t *testing.T) {
	opts := &engine.Options{
		FS:                  vfs.NewMem(),
		CustomProfileFields: []string{"tag"},
		DefaultAllowType:    new(engine.AllowAny),
	}
	db := mustOpen(t, "db", opts)
	defer mustClose(t, db)
	opts.CustomProfileFields[0] = "other"
	*opts.DefaultAllowType = engine.DenyAny

	p, err := db.UpdateProfile(ctx, "u", engine.ProfileUpdate{Custom: map[string][]byte{"tag": []byte("v")}})
	if err != nil {
		t.Fatalf("UpdateProfile with the field declared at Open: %v", err)
	}
	if p.AllowType != engine.AllowAny {
		t.Fatalf("AllowType = %d, want AllowAny (the value at Open)", p.AllowType)
	}
	if _, err := db.UpdateProfile(ctx, "u", engine.ProfileUpdate{Custom: map[string][]byte{"other": []byte("v")}}); !errors.Is(err, engine.ErrUnknownField) {
		t.Fatalf("UpdateProfile with a field added after Open: err = %v, want ErrUnknownField", err)
	}
}

func TestOpen_InvalidOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts engine.Options
	}{
		{"negative Limits.UserIDBytes", engine.Options{Limits: engine.Limits{UserIDBytes: -1}}},
		{"negative Limits.StringBytes", engine.Options{Limits: engine.Limits{StringBytes: -1}}},
		{"negative Limits.ProfilesPerCall", engine.Options{Limits: engine.Limits{ProfilesPerCall: -1}}},
		{"negative Limits.Friends", engine.Options{Limits: engine.Limits{Friends: -1}}},
		{"negative Limits.IDsPerCall", engine.Options{Limits: engine.Limits{IDsPerCall: -5}}},
		{"negative Limits.Blocked", engine.Options{Limits: engine.Limits{Blocked: -1}}},
		{"negative Limits.PageSize", engine.Options{Limits: engine.Limits{PageSize: -1}}},
		{"Limits.PageSize over 1000", engine.Options{Limits: engine.Limits{PageSize: 1001}}},
		{"Limits.UserIDBytes over 4096", engine.Options{Limits: engine.Limits{UserIDBytes: 4097}}},
		{"negative ProfileCache.Entries", engine.Options{ProfileCache: engine.ProfileCacheOptions{Entries: -1}}},
		{"negative ProfileCache.MaxBytes", engine.Options{ProfileCache: engine.ProfileCacheOptions{MaxBytes: -1}}},
		{"negative EventRetention", engine.Options{EventRetention: -1}},
		{"profile field with dash", engine.Options{CustomProfileFields: []string{"a-b"}}},
		{"profile field of 17 chars", engine.Options{CustomProfileFields: []string{strings.Repeat("a", 17)}}},
		{"empty profile field", engine.Options{CustomProfileFields: []string{""}}},
		{"profile field with space", engine.Options{CustomProfileFields: []string{"a b"}}},
		{"profile field non-ASCII", engine.Options{CustomProfileFields: []string{"é"}}},
		{"duplicate profile field", engine.Options{CustomProfileFields: []string{"a", "b", "a"}}},
		{"friend field with dash", engine.Options{CustomFriendFields: []string{"a-b"}}},
		{"friend field of 17 chars", engine.Options{CustomFriendFields: []string{strings.Repeat("z", 17)}}},
		{"duplicate friend field", engine.Options{CustomFriendFields: []string{"x", "x"}}},
		{"DefaultAllowType 3", engine.Options{DefaultAllowType: new(engine.AllowType(3))}},
		{"DefaultAllowType 255", engine.Options{DefaultAllowType: new(engine.AllowType(255))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := vfs.NewMem()
			tc.opts.FS = fs
			db, err := engine.Open("db", &tc.opts)
			if !errors.Is(err, engine.ErrInvalidOptions) {
				if db != nil {
					db.Close()
				}
				t.Fatalf("Open = %v, want ErrInvalidOptions", err)
			}
			if db != nil {
				t.Fatalf("Open returned a DB with error %v", err)
			}
			if names, _ := fs.List(""); len(names) != 0 {
				t.Fatalf("Open with invalid options created files: %v", names)
			}
		})
	}
}

func TestOpen_ValidBoundaryOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts engine.Options
	}{
		{"field of 16 chars", engine.Options{CustomProfileFields: []string{strings.Repeat("a", 16)}}},
		{"all field chars", engine.Options{CustomProfileFields: []string{"azAZ09_"}, CustomFriendFields: []string{"azAZ09_"}}},
		{"same name for profile and friend", engine.Options{CustomProfileFields: []string{"x"}, CustomFriendFields: []string{"x"}}},
		{"PageSize 1000", engine.Options{Limits: engine.Limits{PageSize: 1000}}},
		{"UserIDBytes 4096", engine.Options{Limits: engine.Limits{UserIDBytes: 4096}}},
		{"DefaultAllowType DenyAny", engine.Options{DefaultAllowType: new(engine.DenyAny)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.FS = vfs.NewMem()
			db := mustOpen(t, "db", &tc.opts)
			mustClose(t, db)
		})
	}
}

// callAll calls the public methods named in the brief and returns each
// one's error by name; a panic is reported as an error, not a crash.
func callAll(c context.Context, db *engine.DB) map[string]error {
	errs := map[string]error{}
	call := func(name string, f func() error) {
		defer func() {
			if r := recover(); r != nil {
				errs[name] = fmt.Errorf("panic: %v", r)
			}
		}()
		errs[name] = f()
	}
	call("GetProfiles", func() error { _, err := db.GetProfiles(c, "a", []string{"a", "b"}); return err })
	call("UpdateProfile", func() error {
		_, err := db.UpdateProfile(c, "a", engine.ProfileUpdate{Nick: new("x")})
		return err
	})
	call("DeleteUser", func() error { return db.DeleteUser(c, "a") })
	call("AddFriends", func() error {
		_, err := db.AddFriends(c, "a", []engine.AddFriendRequest{{UserID: "b", Type: engine.AddSingle}})
		return err
	})
	call("CheckFriends", func() error { _, err := db.CheckFriends(c, "a", []string{"b"}, engine.CheckBoth); return err })
	call("ListFriends", func() error { _, err := db.ListFriends(c, "a", engine.ListOptions{}); return err })
	call("Check", func() error { _, err := db.Check(c); return err })
	return errs
}

func TestClose_LaterCallsReturnErrClosed(t *testing.T) {
	fs := vfs.NewMem()
	db := mustOpen(t, "db", &engine.Options{FS: fs})
	for _, u := range []string{"a", "b"} {
		if _, err := db.UpdateProfile(ctx, u, engine.ProfileUpdate{Nick: new(u)}); err != nil {
			t.Fatal(err)
		}
	}
	mustClose(t, db)
	for name, err := range callAll(ctx, db) {
		if !errors.Is(err, engine.ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
		if engine.Code(err) != -1 {
			t.Errorf("Code(%s after Close) = %d, want -1", name, engine.Code(err))
		}
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second Close = %v, want nil", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("third Close = %v, want nil", err)
	}
	// None of the calls above reached the store.
	db = mustOpen(t, "db", &engine.Options{FS: fs})
	defer mustClose(t, db)
	if got := nickOf(t, db, "a"); got != "a" {
		t.Fatalf("nick of a = %q after calls on a closed DB, want %q", got, "a")
	}
	rel, err := db.CheckFriends(ctx, "a", []string{"b"}, engine.CheckBoth)
	if err != nil || rel[0].Relation != engine.NoRelation {
		t.Fatalf("CheckFriends = %+v, %v; want NoRelation", rel, err)
	}
	mustCheck(t, db)
}

// Close must wait for the calls in flight: a call returns nil only if its
// write is in the store, and ErrClosed only if it wrote nothing.
func TestClose_WaitsForInFlightCalls(t *testing.T) {
	fs := vfs.NewMem()
	db := mustOpen(t, "db", &engine.Options{FS: fs})

	const workers, perWorker = 8, 2000
	var (
		okCount atomic.Int64
		wg      sync.WaitGroup
		mu      sync.Mutex
		written = map[string]string{} // uid -> nick, for calls that returned nil
		refused []string              // uids whose call returned ErrClosed
		bad     []error
	)
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				uid := fmt.Sprintf("w%d-%d", w, i)
				nick := "nick-" + uid
				_, err := db.UpdateProfile(ctx, uid, engine.ProfileUpdate{Nick: &nick})
				mu.Lock()
				switch {
				case err == nil:
					written[uid] = nick
					okCount.Add(1)
				case errors.Is(err, engine.ErrClosed):
					refused = append(refused, uid)
				default:
					bad = append(bad, fmt.Errorf("%s: %w", uid, err))
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	for deadline := time.Now().Add(time.Minute); okCount.Load() < 50; {
		if time.Now().After(deadline) {
			t.Fatalf("only %d updates succeeded in a minute", okCount.Load())
		}
		time.Sleep(time.Millisecond)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	wg.Wait()
	for _, err := range bad {
		t.Errorf("UpdateProfile racing Close: %v (want nil or ErrClosed)", err)
	}
	if len(refused) == 0 {
		t.Fatalf("no call returned ErrClosed: Close came too late to test anything")
	}

	db = mustOpen(t, "db", &engine.Options{FS: fs})
	defer mustClose(t, db)
	for uid, nick := range written {
		if got := nickOf(t, db, uid); got != nick {
			t.Errorf("%s: nick %q after reopen, want %q", uid, got, nick)
		}
	}
	ps, err := db.GetProfiles(ctx, "a", refused[:min(len(refused), 100)])
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range ps.Items {
		if !errors.Is(it.Err, engine.ErrNotFound) {
			t.Errorf("%s: call returned ErrClosed but the user exists (%+v, %v)", it.UserID, it.Profile, it.Err)
		}
	}
	mustCheck(t, db)
}

// settledGoroutines returns the goroutine count once it stops changing.
func settledGoroutines() int {
	n := runtime.NumGoroutine()
	for range 20 {
		time.Sleep(10 * time.Millisecond)
		m := runtime.NumGoroutine()
		if m == n {
			return n
		}
		n = m
	}
	return n
}

// waitGoroutines polls until at most want goroutines run, for up to 2 s,
// and returns the last count.
func waitGoroutines(want int) int {
	deadline := time.Now().Add(2 * time.Second)
	n := runtime.NumGoroutine()
	for n > want && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}

func TestClose_NoGoroutineLeak(t *testing.T) {
	for _, tc := range []struct {
		name string
		dir  func(t *testing.T) (string, *engine.Options)
		subs int // subscribers left subscribed at Close
	}{
		{"disk", func(t *testing.T) (string, *engine.Options) { return t.TempDir(), nil }, 0},
		{"mem", func(t *testing.T) (string, *engine.Options) { return "db", &engine.Options{FS: vfs.NewMem()} }, 0},
		{"mem-nocache", func(t *testing.T) (string, *engine.Options) {
			return "db", &engine.Options{FS: vfs.NewMem(), ProfileCache: engine.ProfileCacheOptions{Disabled: true}}
		}, 0},
		{"mem-subscribers", func(t *testing.T) (string, *engine.Options) { return "db", &engine.Options{FS: vfs.NewMem()} }, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, opts := tc.dir(t)
			base := settledGoroutines()
			db := mustOpen(t, dir, opts)
			for range tc.subs {
				db.Subscribe(func(engine.Event) {})
			}
			for i := range 20 {
				uid := fmt.Sprintf("u%d", i)
				if _, err := db.UpdateProfile(ctx, uid, engine.ProfileUpdate{Nick: new(uid)}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.AddFriends(ctx, "u0", []engine.AddFriendRequest{{UserID: "u1", Type: engine.AddSingle}}); err != nil {
				t.Fatal(err)
			}
			if _, err := db.GetProfiles(ctx, "u0", []string{"u1", "u2", "zz"}); err != nil {
				t.Fatal(err)
			}
			mustCheck(t, db)
			mustClose(t, db)
			if n := waitGoroutines(base); n > base {
				buf := make([]byte, 1<<20)
				buf = buf[:runtime.Stack(buf, true)]
				t.Fatalf("%d goroutines after Close, %d before Open:\n%s", n, base, buf)
			}
		})
	}
}

func TestNilContext(t *testing.T) {
	db := openDB(t, nil)
	if _, err := db.UpdateProfile(ctx, "b", engine.ProfileUpdate{Nick: new("b")}); err != nil {
		t.Fatal(err)
	}
	var nilCtx context.Context
	for name, err := range callAll(nilCtx, db) {
		if !errors.Is(err, engine.ErrNilContext) || !errors.Is(err, engine.ErrInvalidArgument) {
			t.Errorf("%s(nil ctx) = %v, want ErrNilContext (an ErrInvalidArgument)", name, err)
		}
		if got := engine.Code(err); got != 30001 {
			t.Errorf("Code(%s(nil ctx)) = %d, want 30001", name, got)
		}
	}
	// Nothing written: "a" was never created, b is unchanged.
	ps, err := db.GetProfiles(ctx, "b", []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(ps.Items[0].Err, engine.ErrNotFound) {
		t.Errorf("a after nil-context calls: %+v, want ErrNotFound", ps.Items[0])
	}
	if p := ps.Items[1].Profile; p == nil || p.Version != 1 {
		t.Errorf("b after nil-context calls: %+v, want version 1", ps.Items[1])
	}
}

func TestCancelledContext(t *testing.T) {
	db := openDB(t, nil)
	if _, err := db.UpdateProfile(ctx, "b", engine.ProfileUpdate{Nick: new("b")}); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, err := range callAll(cctx, db) {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s(cancelled ctx) = %v, want context.Canceled", name, err)
		}
	}
	dctx, cancel2 := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel2()
	if _, err := db.UpdateProfile(dctx, "b", engine.ProfileUpdate{Nick: new("late")}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("UpdateProfile(expired ctx) = %v, want context.DeadlineExceeded", err)
	}

	ps, err := db.GetProfiles(ctx, "b", []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(ps.Items[0].Err, engine.ErrNotFound) {
		t.Errorf("a after cancelled calls: %+v, want ErrNotFound", ps.Items[0])
	}
	if p := ps.Items[1].Profile; p == nil || p.Version != 1 || p.Nick != "b" {
		t.Errorf("b after cancelled calls: %+v, want version 1, nick b", ps.Items[1])
	}
	rel, err := db.CheckFriends(ctx, "b", []string{"a"}, engine.CheckBoth)
	if err != nil || rel[0].Relation != engine.NoRelation {
		t.Errorf("CheckFriends after cancelled AddFriends = %+v, %v; want NoRelation", rel, err)
	}
}

// With the default Sync, a call that returned is durable: a crash right
// after it (a clone of the synced state only) keeps it.
func TestSync_ReturnedCallsSurviveCrash(t *testing.T) {
	fs := vfs.NewCrashableMem()
	db := mustOpen(t, "db", &engine.Options{FS: fs})
	defer mustClose(t, db)
	for i := range 10 {
		uid := fmt.Sprintf("u%d", i)
		if _, err := db.UpdateProfile(ctx, uid, engine.ProfileUpdate{Nick: new("n" + uid)}); err != nil {
			t.Fatal(err)
		}
	}
	crashed := fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: 0})
	db2 := mustOpen(t, "db", &engine.Options{FS: crashed})
	defer mustClose(t, db2)
	for i := range 10 {
		uid := fmt.Sprintf("u%d", i)
		if got := nickOf(t, db2, uid); got != "n"+uid {
			t.Fatalf("after crash: nick of %s = %q, want %q", uid, got, "n"+uid)
		}
	}
	mustCheck(t, db2)
}

// With NoSync, a crash may lose recent calls, but a clean Close makes
// everything durable: a crash after Close loses nothing.
func TestClose_NoSyncMakesWritesDurable(t *testing.T) {
	fs := vfs.NewCrashableMem()
	db := mustOpen(t, "db", &engine.Options{FS: fs, NoSync: true})
	for i := range 10 {
		uid := fmt.Sprintf("u%d", i)
		if _, err := db.UpdateProfile(ctx, uid, engine.ProfileUpdate{Nick: new("n" + uid)}); err != nil {
			t.Fatal(err)
		}
	}
	mustClose(t, db)
	crashed := fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: 0})
	db = mustOpen(t, "db", &engine.Options{FS: crashed})
	defer mustClose(t, db)
	for i := range 10 {
		uid := fmt.Sprintf("u%d", i)
		if got := nickOf(t, db, uid); got != "n"+uid {
			t.Fatalf("crash after Close: nick of %s = %q, want %q", uid, got, "n"+uid)
		}
	}
	mustCheck(t, db)
}

// TestOpen_EventRetentionIsFixed: the first Open stores the retention;
// a later Open with 0 adopts it, one with a different value is refused
// and leaves the store as it was. A changed window would let Changes
// skip trimmed events without a ResyncError (found in review).
func TestOpen_EventRetentionIsFixed(t *testing.T) {
	fs := vfs.NewMem()
	db := mustOpen(t, "db", &engine.Options{FS: fs, EventRetention: 3})
	for i := range 5 {
		mustUpdate(t, db, "u", engine.ProfileUpdate{Level: new(uint32(i))})
	}
	mustClose(t, db)

	for _, r := range []int{10, 2, 1000} {
		db, err := engine.Open("db", &engine.Options{FS: fs, EventRetention: r})
		if !errors.Is(err, engine.ErrInvalidOptions) || db != nil {
			t.Fatalf("Open with EventRetention %d over a store of 3: err %v, db returned %t; want ErrInvalidOptions", r, err, db != nil)
		}
	}
	// Left 0, the store's 3 applies: events 1 and 2 are trimmed, so a
	// client after seq 0 must resync, and one after seq 2 reads 3..5.
	db = mustOpen(t, "db", &engine.Options{FS: fs})
	var re *engine.ResyncError
	if _, err := db.Changes(ctx, "u", 0, 0); !errors.As(err, &re) || re.Seq != 5 {
		t.Fatalf("Changes(u, 0) = %v, want *ResyncError{Seq: 5}", err)
	}
	page, err := db.Changes(ctx, "u", 2, 0)
	if err != nil || len(page.Events) != 3 || page.Events[0].Seq != 3 {
		t.Fatalf("Changes(u, 2) = %+v, %v; want seqs 3..5", page, err)
	}
	mustUpdate(t, db, "u", engine.ProfileUpdate{Level: new(uint32(9))}) // trims seq 3
	mustCheck(t, db)
	mustClose(t, db)
	// The same value, given explicitly, opens.
	db = mustOpen(t, "db", &engine.Options{FS: fs, EventRetention: 3})
	defer mustClose(t, db)
	mustCheck(t, db)
}

// TestOpen_KeepFriendsOnBlockSticks: a store opened with
// KeepFriendsOnBlock may keep friendships across blocks, so it opens only
// with the option from then on (found in review: reopened without it,
// Check reported a store every call had kept valid).
func TestOpen_KeepFriendsOnBlockSticks(t *testing.T) {
	fs := vfs.NewMem()
	db := mustOpen(t, "db", &engine.Options{FS: fs}) // never with it yet: may turn it on
	mustClose(t, db)
	db = mustOpen(t, "db", &engine.Options{FS: fs, KeepFriendsOnBlock: true})
	createUsers(t, db, engine.AllowAny, "a", "b")
	mustAddFriend(t, db, "a", engine.AddFriendRequest{UserID: "b", Type: engine.AddBoth}, engine.Added)
	if res := bkBlock(t, db, "a", "b"); res[0].Err != nil {
		t.Fatalf("Block(a, b): %v", res[0].Err)
	}
	wantFriendRelation(t, db, "a", "b", engine.BothWay) // kept
	mustClose(t, db)

	if db, err := engine.Open("db", &engine.Options{FS: fs}); !errors.Is(err, engine.ErrInvalidOptions) || db != nil {
		t.Fatalf("Open without KeepFriendsOnBlock: err %v, db returned %t; want ErrInvalidOptions", err, db != nil)
	}
	db = mustOpen(t, "db", &engine.Options{FS: fs, KeepFriendsOnBlock: true})
	defer mustClose(t, db)
	mustCheck(t, db)
	wantFriendRelation(t, db, "a", "b", engine.BothWay)
}

package fuzz

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/kithdb/kith/engine"
)

// config is the first byte of a fuzz input: the engine options one run
// uses. Both the engine and the model get them.
type config uint8

const (
	cfgNoCache       config = 1 << 0 // ProfileCache.Disabled
	cfgTinyCache     config = 1 << 1 // a 2-entry profile cache (evictions)
	cfgShortLog      config = 1 << 2 // EventRetention 8 (trimming, resync)
	cfgKeepFriends   config = 1 << 3 // KeepFriendsOnBlock
	cfgRequireFriend config = 1 << 4 // RequireFriendship (CanSend 20009)
	cfgAllowShift           = 5      // bits 5-6: DefaultAllowType (3: unset, NeedConfirm)
	cfgPreset        config = 1 << 7 // users 0..5 start with profiles (see presetAllow)
)

func (c config) String() string {
	var parts []string
	for _, f := range []struct {
		bit  config
		name string
	}{{cfgNoCache, "nocache"}, {cfgTinyCache, "tinycache"}, {cfgShortLog, "shortlog"},
		{cfgKeepFriends, "keepfriends"}, {cfgRequireFriend, "requirefriends"}, {cfgPreset, "preset"}} {
		if c&f.bit != 0 {
			parts = append(parts, f.name)
		}
	}
	parts = append(parts, fmt.Sprintf("defaultallow=%d", (c>>cfgAllowShift)&3))
	return fmt.Sprintf("config(0x%02x: %s)", uint8(c), strings.Join(parts, " "))
}

// testLimits are small, so that every limit is reached often.
var testLimits = engine.Limits{
	UserIDBytes: 32, StringBytes: 500, ProfilesPerCall: 5, Friends: 3, IDsPerCall: 4,
	GetFriendsPerCall: 3, RemarkBytes: 96, AddSourceBytes: 32, AddWordingBytes: 256,
	PendingIn: 2, Groups: 2, GroupNameBytes: 30, Blocked: 2, PageSize: 2,
}

func (c config) modelOptions() modelOptions {
	o := modelOptions{limits: testLimits, defaultAllow: engine.NeedConfirm, retention: 1000,
		keepFriendsOnBlock: c&cfgKeepFriends != 0, requireFriendship: c&cfgRequireFriend != 0,
		customProfile: []string{"Tag"}, customFriend: []string{"Fx"}}
	if a := (c >> cfgAllowShift) & 3; a < 3 {
		o.defaultAllow = engine.AllowType(a)
	}
	if c&cfgShortLog != 0 {
		o.retention = 8
	}
	return o
}

func (c config) options(fs vfs.FS, clock func() time.Time, noSync bool) *engine.Options {
	mo := c.modelOptions()
	o := &engine.Options{FS: fs, NoSync: noSync, Limits: testLimits, Clock: clock,
		EventRetention: mo.retention, KeepFriendsOnBlock: mo.keepFriendsOnBlock,
		RequireFriendship:   mo.requireFriendship,
		CustomProfileFields: mo.customProfile, CustomFriendFields: mo.customFriend}
	if a := (c >> cfgAllowShift) & 3; a < 3 {
		o.DefaultAllowType = ptr(engine.AllowType(a))
	}
	switch {
	case c&cfgNoCache != 0:
		o.ProfileCache.Disabled = true
	case c&cfgTinyCache != 0:
		o.ProfileCache.Entries = 2
	}
	return o
}

// fuzzUsers is the user universe of FuzzOps: ≤ 8 users, so that calls
// collide often. Some IDs are prefixes of others ("u" of all, "u1" of
// "u10") and one is not ASCII, so that a scan of one user's keys that
// strays into another's shows.
var fuzzUsers = []string{"u0", "u1", "u10", "u3", "u4", "ü5", "u6", "u"}

// presetAllow is the AllowType cfgPreset gives users 0..5: two of each
// kind (users 6 and 7 stay unknown).
var presetAllow = []engine.AllowType{engine.AllowAny, engine.NeedConfirm, engine.DenyAny,
	engine.AllowAny, engine.NeedConfirm, engine.AllowAny}

// presetOps are the calls cfgPreset runs first.
func presetOps() []op {
	var ops []op
	for i, a := range presetAllow {
		ops = append(ops, op{Kind: opUpdateProfile, Actor: uint8(i), P: [4]uint8{1, uint8(a)}})
	}
	return ops
}

// baseTime is the clock at step 0; each step advances it by 1µs.
const baseTime = int64(1_700_000_000) * 1e9

// harness runs ops against an engine store and the model side by side.
type harness struct {
	t      testing.TB
	ctx    context.Context
	cfg    config
	users  []string
	fs     vfs.FS
	noSync bool
	db     *engine.DB
	m      *model
	now    atomic.Int64
	steps  int
	ops    []op // every op applied, presets included (for replay)
	hist   []string
	// checkEvery runs db.Check after every checkEvery-th call.
	checkEvery int
	// codes counts the result codes seen, per op kind.
	codes map[opKind]map[int]int
	// checkLive compares what a subscriber hears with the model (off in
	// TestFaultWAL, where a call dies half way).
	checkLive bool
	liveMu    sync.Mutex
	live      map[string][]string // heard since the last comparison, per user
	gaps      int
	// badCtx is the context the next call runs with when set by
	// opBadContext: 1 nil, 2 cancelled.
	badCtx uint8
	// verifyBadCtx compares the whole state after a call with a bad
	// context (else the next periodic Verify finds a stray write).
	verifyBadCtx bool
}

func newHarness(t testing.TB, cfg config, fs vfs.FS, users []string, noSync bool) *harness {
	h := &harness{t: t, ctx: context.Background(), cfg: cfg, users: users, fs: fs, noSync: noSync,
		m: newModel(cfg.modelOptions()), checkEvery: 1, codes: map[opKind]map[int]int{}, checkLive: true,
		verifyBadCtx: true}
	h.now.Store(baseTime)
	h.db = h.open(fs)
	if cfg&cfgPreset != 0 {
		for _, o := range presetOps() {
			h.apply(o)
		}
	}
	return h
}

// resume continues a run on a store recovered from fs whose state is the
// model's after ops (the ops of an earlier harness, presets included).
func resume(t testing.TB, cfg config, fs vfs.FS, users []string, noSync bool, ops []op) *harness {
	h := &harness{t: t, ctx: context.Background(), cfg: cfg, users: users, fs: fs, noSync: noSync,
		m: replayModel(cfg, users, ops), checkEvery: 1, codes: map[opKind]map[int]int{},
		steps: len(ops), ops: slices.Clone(ops), checkLive: true}
	clear(h.m.live)
	h.hist = append(h.hist, fmt.Sprintf("(recovered after %d calls)", len(ops)))
	h.now.Store(baseTime + int64(h.steps)*1000)
	h.db = h.open(fs)
	return h
}

// replayModel returns the model after ops, run at the times a harness
// runs them.
func replayModel(cfg config, users []string, ops []op) *model {
	m := newModel(cfg.modelOptions())
	r := replayer{m: m, users: users}
	for i, o := range ops {
		m.now = baseTime + int64(i+1)*1000
		r.step(o)
	}
	return m
}

// replayer applies ops to a model as a harness does: store-only ops
// change nothing, and the call after opBadContext is not applied.
type replayer struct {
	m      *model
	users  []string
	badCtx bool
}

// step applies o; ok is false when o is not a call the model answers.
func (r *replayer) step(o op) (out outcome, ok bool) {
	switch o.Kind {
	case opReopen, opVerify, opCrash:
		return out, false
	case opBadContext:
		r.badCtx = true
		return out, false
	}
	if r.badCtx {
		r.badCtx = false
		return out, false
	}
	return runModel(r.m, build(o, r.users)), true
}

func (h *harness) clock() time.Time { return time.Unix(0, h.now.Load()) }

func (h *harness) open(fs vfs.FS) *engine.DB {
	db, err := engine.Open("db", h.cfg.options(fs, h.clock, h.noSync))
	if err != nil {
		h.fatalf("Open: %v", err)
	}
	db.Subscribe(func(ev engine.Event) {
		h.liveMu.Lock()
		defer h.liveMu.Unlock()
		if ev.Kind == engine.Gap {
			h.gaps++
			return
		}
		if h.live == nil {
			h.live = map[string][]string{}
		}
		h.live[ev.User] = append(h.live[ev.User], fmtLive(ev))
	})
	return db
}

func fmtLive(e engine.Event) string {
	return fmt.Sprintf("kind=%d peers=%q groups=%q reason=%d seq=%d at=%d", e.Kind, e.Peers, e.Groups, e.Reason, e.Seq, e.At)
}

// compareLive waits until the subscriber has heard what the model says it
// should (delivery is asynchronous), compares, and starts afresh.
func (h *harness) compareLive() {
	h.t.Helper()
	want := map[string][]string{}
	n := 0
	for u, evs := range h.m.live {
		for _, e := range evs {
			want[u] = append(want[u], fmtLive(e))
			n++
		}
	}
	clear(h.m.live)
	if !h.checkLive {
		return
	}
	var got map[string][]string
	var gaps int
	for start := time.Now(); ; {
		h.liveMu.Lock()
		got, gaps = h.live, h.gaps
		heard := 0
		for _, evs := range got {
			heard += len(evs)
		}
		if heard >= n || gaps > 0 || time.Since(start) > 5*time.Second {
			h.live, h.gaps = nil, 0
			h.liveMu.Unlock()
			break
		}
		h.liveMu.Unlock()
		time.Sleep(50 * time.Microsecond)
	}
	if gaps > 0 {
		h.t.Logf("the subscriber fell behind (%d gaps): live events not compared", gaps)
		return
	}
	var wl, gl []string
	for _, u := range slices.Sorted(maps.Keys(want)) {
		for _, e := range want[u] {
			wl = append(wl, u+" "+e)
		}
	}
	for _, u := range slices.Sorted(maps.Keys(got)) {
		for _, e := range got[u] {
			gl = append(gl, u+" "+e)
		}
	}
	if diff := diffLines(wl, gl); diff != "" {
		h.fatalf("live events differ from the model (- model, + subscriber):\n%s", diff)
	}
}

func (h *harness) close() {
	if h.db != nil {
		h.compareLive()
		if err := h.db.Close(); err != nil {
			h.t.Errorf("Close: %v", err)
		}
		h.db = nil
	}
}

// fatalf fails the test with the history of calls so far.
func (h *harness) fatalf(format string, args ...any) {
	h.t.Helper()
	hist := h.hist
	if len(hist) > 80 {
		hist = hist[len(hist)-80:]
		h.t.Logf("(the first %d calls are not shown)", len(h.hist)-80)
	}
	h.t.Fatalf("%s, %d calls:\n%s\n\n%s", h.cfg, len(h.hist), strings.Join(hist, "\n"), fmt.Sprintf(format, args...))
}

// tick advances the clock for the next call.
func (h *harness) tick() {
	h.steps++
	h.now.Store(baseTime + int64(h.steps)*1000)
	h.m.now = h.now.Load()
}

// apply runs o on both sides and compares the answers, then runs Check.
func (h *harness) apply(o op) {
	h.t.Helper()
	h.tick()
	h.ops = append(h.ops, o)
	c := build(o, h.users)
	switch o.Kind {
	case opReopen, opCrash:
		h.hist = append(h.hist, fmt.Sprintf("%3d %s", h.steps, c))
		mem, crashable := h.fs.(*vfs.MemFS)
		if o.Kind == opCrash && crashable && !h.noSync {
			// Every call so far returned, so all of them are durable.
			h.fs = mem.CrashClone(vfs.CrashCloneCfg{})
		}
		h.close()
		h.db = h.open(h.fs)
		h.check()
		return
	case opVerify:
		h.hist = append(h.hist, fmt.Sprintf("%3d %s", h.steps, c))
		h.verify()
		return
	case opBadContext:
		h.hist = append(h.hist, fmt.Sprintf("%3d %s", h.steps, c))
		h.badCtx = 1 + o.P[0]%2
		return
	}
	if h.badCtx != 0 {
		h.applyBadContext(c)
		return
	}
	got, err := runEngine(h.ctx, h.db, c)
	if err != nil {
		h.hist = append(h.hist, fmt.Sprintf("%3d %s", h.steps, c))
		h.fatalf("%s: error without a result code: %v", c, err)
	}
	want := runModel(h.m, c)
	h.hist = append(h.hist, fmt.Sprintf("%3d %s = %s", h.steps, c, got))
	if got.String() != want.String() {
		h.fatalf("%s:\n engine: %s\n model:  %s", c, got, want)
	}
	if h.codes[o.Kind] == nil {
		h.codes[o.Kind] = map[int]int{}
	}
	for _, code := range codesOf(got) {
		h.codes[o.Kind][code]++
	}
	if h.steps%h.checkEvery == 0 {
		h.check()
	}
}

// applyBadContext runs c with a nil or cancelled context: the call must
// fail (ErrNilContext, context.Canceled, or a validation error found
// first) and write nothing, which the model, left alone, checks.
func (h *harness) applyBadContext(c *call) {
	h.t.Helper()
	ctx, what := context.Context(nil), "a nil context"
	if h.badCtx == 2 {
		cctx, cancel := context.WithCancel(h.ctx)
		cancel()
		ctx, what = cctx, "a cancelled context"
	}
	h.badCtx = 0
	got, err := runEngine(ctx, h.db, c)
	h.hist = append(h.hist, fmt.Sprintf("%3d %s with %s = %s %v", h.steps, c, what, got, err))
	switch {
	case err != nil && !errors.Is(err, context.Canceled):
		h.fatalf("%s with %s: %v", c, what, err)
	case err == nil && got.code == cOK:
		h.fatalf("%s with %s succeeded: %s", c, what, got)
	}
	if h.verifyBadCtx {
		h.verify()
	}
}

// check fails the test if the store breaks an invariant.
func (h *harness) check() {
	h.t.Helper()
	checkDB(h.t, h.ctx, h.db, func(format string, args ...any) { h.fatalf(format, args...) })
}

func checkDB(t testing.TB, ctx context.Context, db *engine.DB, fatalf func(string, ...any)) {
	t.Helper()
	rep, err := db.Check(ctx)
	if err != nil {
		fatalf("Check: %v", err)
	}
	if !rep.OK() {
		fatalf("Check:\n%s", strings.Join(rep.Problems, "\n"))
	}
}

// verify runs Check and compares the whole observable state with the
// model's.
func (h *harness) verify() {
	h.t.Helper()
	h.check()
	h.compareLive()
	got, err := dumpDB(h.ctx, h.db, h.m.o, h.users)
	if err != nil {
		h.fatalf("reading the state: %v", err)
	}
	if diff := diffLines(h.m.dump(h.users), got); diff != "" {
		h.fatalf("state differs from the model (- model, + engine):\n%s", diff)
	}
}

// FuzzOps decodes its input into a configuration and up to 64 calls over
// 8 users, covering every mutating call, plus Reopen (WAL replay) and
// Crash (a crash clone keeping only synced data, reopened: with Sync on,
// as here, every acknowledged call must survive). After each call the engine's
// answers (the call's code, every item's ID and code, the returned
// record) must equal the model's and db.Check must pass; at the end, and
// at every Verify op, every read answer and every change log must equal
// the model's. The seeds (seedCorpus, testdata/fuzz/FuzzOps) reach every
// op and every result code: TestSeedCorpusCoverage checks it.
func FuzzOps(f *testing.F) {
	for _, s := range seedCorpus() {
		f.Add(s.input())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, ops := decodeInput(data)
		h := newHarness(t, cfg, vfs.NewCrashableMem(), fuzzUsers, false)
		defer h.close()
		for _, o := range ops {
			h.apply(o)
		}
		h.verify()
	})
}

package main

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRun runs the workload tool on a small graph with each mix, after a
// warm-up: every section must show in the report, and the temp dir must
// be gone.
func TestRun(t *testing.T) {
	for _, mixName := range mixNames {
		t.Run(mixName, func(t *testing.T) {
			cfg := config{users: 2000, friends: 20, workload: mixName, duration: 300 * time.Millisecond,
				warmup: 100 * time.Millisecond, concurrency: 2, cacheMiB: 64, profileCache: 1000, seed: 3}
			var out, logs bytes.Buffer
			if err := run(ctx, cfg, &out, &logs); err != nil {
				t.Fatalf("run: %v\n%s", err, logs.String())
			}
			m, _ := newMix(mixName)
			want := []string{"graph  2,000 users", "load   Import of", "warmup " + mixName + " mix for", "run    " + mixName, "total",
				"hits and misses of the measured run", "profile cache", "block cache    hit ratio", " evictions; ", "disk", "peak Go heap", "write amplification", "wall time"}
			for _, o := range m.ops {
				if o.weight >= 1 {
					want = append(want, o.name)
				}
			}
			for _, w := range want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("report lacks %q:\n%s", w, out.String())
				}
			}
			if !strings.Contains(logs.String(), "load: all") {
				t.Errorf("no final load progress line:\n%s", logs.String())
			}
			_, rest, ok := strings.Cut(logs.String(), "records into ")
			dir, _, _ := strings.Cut(rest, "\n")
			if _, err := os.Stat(dir); !ok || !os.IsNotExist(err) {
				t.Errorf("temp dir %q not removed: %v", dir, err)
			}
		})
	}
}

// TestRunKeptDir: with -dir the store is kept, and a second run reuses it
// without loading.
func TestRunKeptDir(t *testing.T) {
	cfg := config{users: 500, friends: 10, workload: "tao", duration: 50 * time.Millisecond,
		concurrency: 1, cacheMiB: 64, profileCache: 1000, seed: 5, dir: t.TempDir()}
	for i, want := range []string{"load   Import of", "load   skipped"} {
		var out, logs bytes.Buffer
		if err := run(ctx, cfg, &out, &logs); err != nil {
			t.Fatalf("run %d: %v\n%s", i, err, logs.String())
		}
		if !strings.Contains(out.String(), want) {
			t.Errorf("run %d: report lacks %q:\n%s", i, want, out.String())
		}
	}
	// Another graph in the same dir is refused, not run on the wrong store;
	// so is one whose marker is gone but whose last user the store lacks.
	for _, other := range []config{{users: 600}, {seed: 6}, {friends: 12}} {
		c := cfg
		c.users, c.seed, c.friends = cmp.Or(other.users, c.users), cmp.Or(other.seed, c.seed), cmp.Or(other.friends, c.friends)
		var out, logs bytes.Buffer
		if err := run(ctx, c, &out, &logs); err == nil || !strings.Contains(err.Error(), "use another -dir") {
			t.Errorf("run of %+v on the kept dir of another graph: %v, want it refused", other, err)
		}
	}
	if err := os.Remove(filepath.Join(cfg.dir, graphFile)); err != nil {
		t.Fatal(err)
	}
	c := cfg
	c.users = 600
	var out, logs bytes.Buffer
	if err := run(ctx, c, &out, &logs); err == nil || !strings.Contains(err.Error(), "use another -dir") {
		t.Errorf("run of 600 users on a kept dir of 500 without its marker: %v, want it refused", err)
	}
}

// TestRunInterrupted: a cancelled run (Ctrl-C) still prints its report.
func TestRunInterrupted(t *testing.T) {
	cctx, cancel := context.WithCancel(ctx)
	cfg := config{users: 2000, friends: 20, workload: "tao", duration: time.Hour,
		concurrency: 2, cacheMiB: 64, profileCache: 1000, seed: 3}
	time.AfterFunc(1500*time.Millisecond, cancel)
	var out, logs bytes.Buffer
	if err := run(cctx, cfg, &out, &logs); err != nil {
		t.Fatalf("run: %v\n%s", err, logs.String())
	}
	if !strings.Contains(out.String(), "INTERRUPTED") || !strings.Contains(out.String(), "wall time") {
		t.Errorf("no report of an interrupted run:\n%s", out.String())
	}
}

func TestParseFlags(t *testing.T) {
	for _, args := range [][]string{{"-users", "1"}, {"-friends", "-1"}, {"-friends", "3001"}, {"-workload", "ycsb"},
		{"-duration", "0s"}, {"-concurrency", "0"}, {"-cache", "-1"}, {"-profile-cache", "-1"}, {"-profile-cache-mib", "-1"}, {"-warmup", "-1s"}, {"stray"},
		{"-users", "100000001"}, {"-users", "5000000", "-friends", "500"}, {"-concurrency", "4097"},
		{"-cache", "1048577"}, {"-cache", "8796093022208"}, {"-profile-cache-mib", "17592186044416"}} {
		if _, err := parseFlags(args); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
	for _, args := range [][]string{{"-users", "100000000", "-friends", "21"}, {"-concurrency", "4096"}, {"-cache", "1048576"}} {
		if _, err := parseFlags(args); err != nil {
			t.Errorf("parseFlags(%q) = %v, want accepted (a bound itself)", args, err)
		}
	}
	cfg, err := parseFlags(nil)
	if err != nil || cfg.users != 100_000 || cfg.friends != 50 || cfg.workload != "tao" ||
		cfg.duration != 10*time.Second || cfg.warmup != defaultWarmup || cfg.cacheMiB != defaultCacheMiB || cfg.dir != "" || cfg.sync {
		t.Errorf("defaults: %+v, %v", cfg, err)
	}
}

// TestPairSeq checks that the AddFriends benchmarks never ask for a pair
// twice, and stop before they would.
func TestPairSeq(t *testing.T) {
	const n = 20
	seq := newPairSeq(n)
	seen := map[[2]int]bool{}
	for {
		a, b, _, err := seq.pair()
		if err != nil {
			break
		}
		p := [2]int{min(a, b), max(a, b)}
		if a == b || seen[p] {
			t.Fatalf("pair %v repeated or self", p)
		}
		seen[p] = true
	}
	if len(seen) != n*(n/2-1) {
		t.Errorf("%d pairs, want %d", len(seen), n*(n/2-1))
	}
}

// TestProfileUpdateDeterministic pins that a seed gives the same data.
func TestProfileUpdateDeterministic(t *testing.T) {
	a, b := profileUpdate(9, 123), profileUpdate(9, 123)
	if *a.Nick != *b.Nick || *a.FaceURL != *b.FaceURL || *a.SelfSignature != *b.SelfSignature {
		t.Errorf("profileUpdate is not deterministic")
	}
	if n := len(*a.FaceURL); n < 50 || n > 70 {
		t.Errorf("face URL of %d bytes, want about 60", n)
	}
}

// TestRunProfiles: -cpuprofile and -memprofile each leave a profile
// (pprof's format, a gzipped protocol buffer), -trace an execution trace.
func TestRunProfiles(t *testing.T) {
	dir := t.TempDir()
	cpu, heap, tr := filepath.Join(dir, "cpu.prof"), filepath.Join(dir, "heap.prof"), filepath.Join(dir, "run.trace")
	cfg := config{users: 500, friends: 10, workload: "tao", duration: 50 * time.Millisecond,
		concurrency: 1, cacheMiB: 64, profileCache: 1000, seed: 5, cpuProfile: cpu, memProfile: heap, traceFile: tr}
	var out, logs bytes.Buffer
	if err := run(ctx, cfg, &out, &logs); err != nil {
		t.Fatalf("run: %v\n%s", err, logs.String())
	}
	for _, path := range []string{cpu, heap} {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("%s: no gzip stream: %v", path, err)
		}
		if n, err := io.Copy(io.Discard, zr); err != nil || n == 0 {
			t.Errorf("%s: %d bytes of profile, %v", path, n, err)
		}
	}
	// An execution trace starts with its format's header, "go 1.N trace".
	b, err := os.ReadFile(tr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("go 1.")) || !bytes.Contains(b[:min(len(b), 16)], []byte(" trace")) || len(b) < 1000 {
		t.Errorf("%s: %d bytes, starting %q: not an execution trace", tr, len(b), b[:min(len(b), 16)])
	}
}

// TestCacheOptions: -profile-cache and -profile-cache-mib size the
// engine's per-user caches; 0 entries turns them off.
func TestCacheOptions(t *testing.T) {
	c := config{profileCache: 10, userCacheMiB: 3}
	if o := c.options(); o.ProfileCache.Disabled || o.ProfileCache.Entries != 10 || o.ProfileCache.MaxBytes != 3<<20 {
		t.Errorf("options: %+v", o.ProfileCache)
	}
	c.profileCache = 0
	if o := c.options(); !o.ProfileCache.Disabled {
		t.Errorf("-profile-cache 0: %+v", o.ProfileCache)
	}
}

// TestCachesDesc: the report's header gives the cache sizes the engine
// uses, its defaults and floor applied, not the flags' values.
func TestCachesDesc(t *testing.T) {
	for _, tc := range []struct {
		c    config
		want string
	}{
		{config{cacheMiB: 256, profileCache: 100_000}, "block cache 256 MiB; profile cache 100,000 entries, 64 MiB"},
		{config{cacheMiB: 0, profileCache: 10, userCacheMiB: 3}, "block cache 128 MiB; profile cache 10 entries, 3 MiB"},
		{config{cacheMiB: 1, profileCache: 0}, "block cache 80 MiB; profile cache off"},
	} {
		if got := cachesDesc(tc.c); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.c, got, tc.want)
		}
	}
}

// TestWorkerReset: the warm-up's calls are not counted in the run.
func TestWorkerReset(t *testing.T) {
	m, err := newMix("tao")
	if err != nil {
		t.Fatal(err)
	}
	w := newWorker(ctx, 0, nil, newGraph(10, 2, 1), m, 1)
	w.hists[0].record(time.Microsecond)
	w.refused[1]++
	w.calls.Add(1)
	w.reset()
	if s := summarizeRun(m, []*worker{w}, time.Second).total(); s.h.n != 0 || s.refused != 0 || w.calls.Load() != 0 {
		t.Errorf("after reset: %d calls recorded, %d refused, calls %d", s.h.n, s.refused, w.calls.Load())
	}
}

func TestTHPMode(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"always [madvise] never\n", "madvise"},
		{"[always] madvise never\n", "always"},
		{"always madvise [never]", "never"},
		{"always madvise never", ""},
		{"]odd[", ""},
		{"", ""},
	} {
		if got := thpMode(tc.in); got != tc.want {
			t.Errorf("thpMode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

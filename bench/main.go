package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"time"
)

// defaultCacheMiB is the tool's Pebble block cache: the engine's default
// (128 MiB) is a library's modest share of a service's memory, while the
// default graph's store (100,000 users, 213 MiB of SSTables) needs this
// much to be read from the cache rather than decompressed again from the
// OS page cache at every miss; the tao mix ran 272-280 k ops/s with 128
// and 328-332 k with 256 in alternating runs. Peak RSS stays under 1 GiB.
const defaultCacheMiB = 256

// defaultWarmup is how long the mix runs before it is measured. A store
// opened after its import starts with every cache empty, and the first
// seconds of the tao mix are spent filling them (their rate climbs for
// about 6 s); a service runs warm. The report prints the warm-up's rate
// too, and -warmup 0 measures from the cold start.
const defaultWarmup = 5 * time.Second

// config holds the command-line settings of the workload tool.
type config struct {
	users        int
	friends      int // mean friend-list size
	workload     string
	duration     time.Duration
	warmup       time.Duration // the mix runs this long first, not counted
	concurrency  int
	sync         bool
	cacheMiB     int64 // Pebble block cache
	profileCache int   // profile cache entries; 0 turns it off
	userCacheMiB int64 // byte budget of each per-user cache; 0: the engine's default
	dir          string
	seed         uint64
	cpuProfile   string // write a CPU profile of the run phase here
	traceFile    string // write an execution trace of the run phase here
	memProfile   string // write a heap profile at the end of the run here
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	// Ctrl-C cancels the run: the report of what ran so far is printed and
	// a temp dir is still removed.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err = run(ctx, cfg, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: error:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.IntVar(&cfg.users, "users", 100_000, "number of users of the generated graph")
	fs.IntVar(&cfg.friends, "friends", 50, "mean friend-list size (power-law distributed, at most 3000)")
	fs.StringVar(&cfg.workload, "workload", "tao", "operation mix: "+strings.Join(mixNames, ", "))
	fs.DurationVar(&cfg.duration, "duration", 10*time.Second, "how long the mix runs, and is measured")
	fs.DurationVar(&cfg.warmup, "warmup", defaultWarmup, "how long the mix runs first, not counted, to fill the caches (0: measure from a cold start)")
	fs.IntVar(&cfg.concurrency, "concurrency", runtime.GOMAXPROCS(0), "goroutines running the mix")
	fs.BoolVar(&cfg.sync, "sync", false, "sync every write to disk before it returns (the engine's default; off here as most benchmarks of embedded stores)")
	fs.Int64Var(&cfg.cacheMiB, "cache", defaultCacheMiB, "Pebble block cache in MiB (the default holds the default graph's 213 MiB store; 0: the engine's default, 128; the engine raises less than 80 to 80)")
	fs.IntVar(&cfg.profileCache, "profile-cache", 100_000, "profile cache entries (0: off); the counters, first-page and friend-set caches get as many")
	fs.Int64Var(&cfg.userCacheMiB, "profile-cache-mib", 0, "byte budget in MiB of the profile cache, and again of the first-page and friend-set caches (0: the engine's default, 64)")
	fs.StringVar(&cfg.dir, "dir", "", "keep the store in this directory; a store already holding the graph is reused, one holding another graph refused (default: a temp dir removed at exit)")
	fs.Uint64Var(&cfg.seed, "seed", 1, "seed of the graph and of the operations")
	fs.StringVar(&cfg.cpuProfile, "cpuprofile", "", "write a CPU profile of the run phase (not the load) to this file, for go tool pprof")
	fs.StringVar(&cfg.traceFile, "trace", "", "write an execution trace of the run phase to this file, for go tool trace (with -cpuprofile it holds the CPU samples too, with their times: what runs while the collector marks)")
	fs.StringVar(&cfg.memProfile, "memprofile", "", "write a heap profile at the end of the run (after a GC: what the caches hold) to this file, for go tool pprof")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	return cfg, cfg.validate()
}

// Upper bounds of the flags: the graph numbers users and list offsets in
// 32 bits, and a size in MiB must not overflow when turned into bytes.
const (
	maxUsers       = 100_000_000
	maxEdges       = 1 << 31
	maxConcurrency = 4096
	maxMiB         = 1 << 20 // 1 TiB
)

func (c config) validate() error {
	switch {
	case c.users < 2 || c.users > maxUsers:
		return fmt.Errorf("-users must be in 2..%d, got %d", maxUsers, c.users)
	case c.friends < 0 || c.friends > 3000:
		return fmt.Errorf("-friends must be in 0..3000, got %d", c.friends)
	case int64(c.users)*int64(c.friends) > maxEdges:
		return fmt.Errorf("-users %d × -friends %d is over %d friend edges, more than the graph's 32-bit indexes hold", c.users, c.friends, maxEdges)
	case !slices.Contains(mixNames, c.workload):
		return fmt.Errorf("-workload must be one of %s, got %q", strings.Join(mixNames, ", "), c.workload)
	case c.duration <= 0:
		return fmt.Errorf("-duration must be positive, got %v", c.duration)
	case c.warmup < 0:
		return fmt.Errorf("-warmup must not be negative, got %v", c.warmup)
	case c.concurrency < 1 || c.concurrency > maxConcurrency:
		return fmt.Errorf("-concurrency must be in 1..%d, got %d", maxConcurrency, c.concurrency)
	case c.cacheMiB < 0 || c.cacheMiB > maxMiB:
		return fmt.Errorf("-cache must be in 0..%d MiB, got %d", maxMiB, c.cacheMiB)
	case c.profileCache < 0:
		return fmt.Errorf("-profile-cache must not be negative, got %d", c.profileCache)
	case c.userCacheMiB < 0 || c.userCacheMiB > maxMiB:
		return fmt.Errorf("-profile-cache-mib must be in 0..%d MiB, got %d", maxMiB, c.userCacheMiB)
	}
	return nil
}

// run executes the tool: the report goes to out, progress and logs to
// logw. An interrupted run (ctx cancelled) still prints its report.
func run(ctx context.Context, cfg config, out, logw io.Writer) (err error) {
	start := time.Now()
	dir := cfg.dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "kith-bench-"); err != nil {
			return err
		}
		defer func() { err = errors.Join(err, os.RemoveAll(dir)) }()
	}
	w := &workload{cfg: cfg, dir: dir, log: logw, term: isTerminal(logw)}
	rep := &report{cfg: cfg, dir: dir}
	w.heap.start()
	err = w.run(ctx, rep)
	w.heap.stop()
	if err != nil {
		return err
	}
	rep.peakHeap = w.heap.peak()
	rep.peakRSS = peakRSS()
	if rep.diskBytes, err = dirSize(dir); err != nil {
		return err
	}
	rep.wall = time.Since(start)
	return rep.print(out)
}

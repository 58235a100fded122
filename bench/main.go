package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

// config holds the command-line settings of the workload tool.
type config struct {
	users    int
	batch    int
	dir      string
	seed     uint64
	duration time.Duration // per read phase
	workers  int           // load goroutines
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
	if err := run(context.Background(), cfg, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench: error:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.IntVar(&cfg.users, "users", 100_000, "number of user profiles to create")
	fs.IntVar(&cfg.batch, "batch", 100, "profiles per GetProfiles call (at most 100, the engine's limit)")
	fs.StringVar(&cfg.dir, "dir", "", "keep the store in this directory (default: a temp dir removed at exit)")
	fs.Uint64Var(&cfg.seed, "seed", 1, "seed of the generated profiles and of the read order")
	fs.DurationVar(&cfg.duration, "duration", 2*time.Second, "how long each read phase runs")
	fs.IntVar(&cfg.workers, "workers", 2, "goroutines that load profiles")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	return cfg, cfg.validate()
}

func (c config) validate() error {
	switch {
	case c.users < 1:
		return fmt.Errorf("-users must be at least 1, got %d", c.users)
	case c.batch < 1 || c.batch > 100:
		return fmt.Errorf("-batch must be in 1..100, got %d", c.batch)
	case c.duration <= 0:
		return fmt.Errorf("-duration must be positive, got %v", c.duration)
	case c.workers < 1:
		return fmt.Errorf("-workers must be at least 1, got %d", c.workers)
	}
	return nil
}

// run executes the workload and prints its report to out and its
// progress to logw.
func run(ctx context.Context, cfg config, out, logw io.Writer) (err error) {
	dir := cfg.dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "kith-bench-"); err != nil {
			return err
		}
		defer func() { err = errors.Join(err, os.RemoveAll(dir)) }()
	}
	w := &workload{cfg: cfg, dir: dir, log: logw}
	w.heap.start()
	rep, err := w.run(ctx)
	w.heap.stop()
	if err != nil {
		return err
	}
	rep.peakHeap = w.heap.peak()
	return rep.print(out)
}

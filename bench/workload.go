package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kithdb/kith/engine"
)

// workload runs the tool against one store directory: generate the graph,
// load it with Import, run the mix, and fill the report.
type workload struct {
	cfg  config
	dir  string
	log  io.Writer
	term bool // log is a terminal
	heap heapSampler
}

// run fills rep as it goes, so that an interrupted run still has a report
// of what it did. A cancelled ctx ends it early without an error.
func (w *workload) run(ctx context.Context, rep *report) (err error) {
	m, err := newMix(w.cfg.workload)
	if err != nil {
		return err
	}
	start := time.Now()
	w.logf("graph: generating %s users, mean %d friends, seed %d", count(w.cfg.users), w.cfg.friends, w.cfg.seed)
	g := newGraph(w.cfg.users, w.cfg.friends, w.cfg.seed)
	rep.graph = summarize(g, time.Since(start))
	w.logf("graph: %s", rep.graph)
	db, err := engine.Open(w.dir, w.cfg.options())
	if err != nil {
		return err
	}
	defer func() {
		rep.metrics = db.Metrics()
		err = errors.Join(err, db.Close())
	}()
	if err := w.load(ctx, db, g, rep); err != nil || ctx.Err() != nil {
		return err
	}
	return w.runMix(ctx, db, g, m, rep)
}

// options are the engine's options for the flags in c.
func (c config) options() *engine.Options {
	o := &engine.Options{NoSync: !c.sync, CacheSize: c.cacheMiB << 20}
	if c.profileCache == 0 {
		o.ProfileCache.Disabled = true
	} else {
		o.ProfileCache.Entries = c.profileCache
		o.ProfileCache.MaxBytes = c.userCacheMiB << 20
	}
	return o
}

// load imports the graph, unless the store (a kept -dir) already has it.
func (w *workload) load(ctx context.Context, db *engine.DB, g *graph, rep *report) error {
	if _, err := db.Counts(ctx, g.ids[0]); err == nil {
		if err := w.checkKeptGraph(ctx, db, g); err != nil {
			return err
		}
		w.logf("load: %s already holds %s: skipping the load", w.dir, g.ids[0])
		rep.load.skipped = true
		return nil
	}
	total := int64(g.recordCount())
	var done atomic.Int64
	counted := func(yield func(engine.ImportRecord) bool) {
		for rec := range g.records() {
			if !yield(rec) {
				return
			}
			done.Add(1)
		}
	}
	w.logf("load: importing %s records into %s", count(total), w.dir)
	p := startProgress(w.log, w.term, func(el time.Duration) string {
		if d := done.Load(); d < total {
			return rateETA("load: read", d, total, el)
		}
		return fmt.Sprintf("load: all %s records read; sorting, writing and ingesting SSTables (%v)", count(total), el.Round(100*time.Millisecond))
	})
	start := time.Now()
	st, err := db.ImportRecords(ctx, iter.Seq[engine.ImportRecord](counted))
	rep.load.wall = time.Since(start)
	rep.load.stats = st
	p.stop()
	if ctx.Err() != nil {
		rep.interrupted = "during the load"
		return nil
	}
	runtime.GC() // the import's memory is garbage now: collect it before the run, not during
	if err != nil {
		return err
	}
	return w.writeGraphFile()
}

// graphFile, in a store the tool loaded, says which graph it holds, so
// that a kept -dir is not reused for another one.
const graphFile = "kith-bench-graph"

// graphLine is the content of graphFile for c's graph.
func (c config) graphLine() string {
	return fmt.Sprintf("users=%d friends=%d seed=%d\n", c.users, c.friends, c.seed)
}

// checkKeptGraph refuses a kept store that holds another graph than the
// one asked for. A store loaded before graphFile existed must hold the
// graph's last user; it then gets the file.
func (w *workload) checkKeptGraph(ctx context.Context, db *engine.DB, g *graph) error {
	path := filepath.Join(w.dir, graphFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil && string(b) != w.cfg.graphLine():
		return fmt.Errorf("%s holds the graph %q, not %q: use another -dir", w.dir,
			strings.TrimSpace(string(b)), strings.TrimSpace(w.cfg.graphLine()))
	case err == nil:
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	if _, err := db.Counts(ctx, g.ids[g.n-1]); err != nil {
		return fmt.Errorf("%s holds another graph (no user %s: %w): use another -dir", w.dir, g.ids[g.n-1], err)
	}
	return w.writeGraphFile()
}

// writeGraphFile records in the store's directory the graph it holds.
func (w *workload) writeGraphFile() error {
	return os.WriteFile(filepath.Join(w.dir, graphFile), []byte(w.cfg.graphLine()), 0o644)
}

// runMix runs the mix on cfg.concurrency workers: cfg.warmup first, not
// counted, then cfg.duration, which the report covers.
func (w *workload) runMix(ctx context.Context, db *engine.DB, g *graph, m *mix, rep *report) error {
	workers := make([]*worker, w.cfg.concurrency)
	for i := range workers {
		workers[i] = newWorker(ctx, i, db, g, m, w.cfg.seed)
	}
	if w.cfg.warmup > 0 {
		var err error
		rep.warmup, err = w.phase(workers, "warm-up", w.cfg.warmup, "", "")
		if err != nil || ctx.Err() != nil {
			if ctx.Err() != nil {
				rep.interrupted = "during the warm-up"
			}
			return err
		}
		rep.warmMetrics = db.Metrics()
		for _, wk := range workers {
			wk.reset()
		}
	}
	var err error
	rep.run, err = w.phase(workers, "run", w.cfg.duration, w.cfg.cpuProfile, w.cfg.traceFile)
	if ctx.Err() != nil {
		rep.interrupted = "during the run"
	}
	return errors.Join(err, writeHeapProfile(w.cfg.memProfile))
}

// writeHeapProfile writes a heap profile to path after a GC, so that its
// in-use figures are the live heap: the caches, the graph, Pebble's Go
// state. No path, no profile.
func writeHeapProfile(path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	return errors.Join(pprof.Lookup("heap").WriteTo(f, 0), f.Close())
}

// phase runs the workers for d with a live progress line named name,
// under a CPU profile and an execution trace written to the files
// cpuProfile and traceFile name, if any, and returns the phase's summary.
func (w *workload) phase(workers []*worker, name string, d time.Duration, cpuProfile, traceFile string) (runSummary, error) {
	calls := func() (n uint64) {
		for _, wk := range workers {
			n += wk.calls.Load()
		}
		return n
	}
	mixName := workers[0].mix.name
	w.logf("%s: %s mix on %d goroutines for %v", name, mixName, len(workers), d)
	var last struct {
		at    time.Duration
		calls uint64
	}
	p := startProgress(w.log, w.term, func(el time.Duration) string {
		n := calls()
		rate := perSecond(n-last.calls, el-last.at)
		last.at, last.calls = el, n
		return fmt.Sprintf("%s: %s %v/%v  %s ops/s  %s calls", name, mixName, el.Round(100*time.Millisecond), d, si(rate), count(n))
	})
	stopProfile, err := startCPUProfile(cpuProfile)
	if err != nil {
		p.stop()
		return runSummary{}, err
	}
	stopTrace, err := startTrace(traceFile)
	if err != nil {
		p.stop()
		return runSummary{}, errors.Join(err, stopProfile())
	}
	deadline := time.Now().Add(d)
	start := time.Now()
	errs := make([]error, len(workers))
	var wg sync.WaitGroup
	for i, wk := range workers {
		wg.Go(func() { errs[i] = wk.run(deadline) })
	}
	wg.Wait()
	s := summarizeRun(workers[0].mix, workers, time.Since(start))
	p.stop()
	return s, errors.Join(append(errs, stopTrace(), stopProfile())...)
}

// startTrace starts an execution trace written to path, and returns the
// function that ends it; no path, no trace.
func startTrace(path string) (stop func() error, err error) {
	return startRecording(path, trace.Start, trace.Stop)
}

// startCPUProfile starts a CPU profile written to path, and returns the
// function that ends it; no path, no profile.
func startCPUProfile(path string) (stop func() error, err error) {
	return startRecording(path, pprof.StartCPUProfile, pprof.StopCPUProfile)
}

// startRecording creates the file path names and calls start to record
// into it; the function it returns calls end and closes the file. No path:
// nothing to record, and a stop that does nothing.
func startRecording(path string, start func(io.Writer) error, end func()) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := start(f); err != nil {
		return nil, errors.Join(err, f.Close())
	}
	return func() error {
		end()
		return f.Close()
	}, nil
}

func (w *workload) logf(format string, args ...any) {
	fmt.Fprintf(w.log, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05.000")}, args...)...)
}

// getAll reads the profiles of ids and fails unless every one is found.
func getAll(ctx context.Context, db *engine.DB, ids []string) error {
	res, err := db.GetProfiles(ctx, ids[0], ids)
	if err != nil {
		return fmt.Errorf("GetProfiles: %w", err)
	}
	if len(res.Items) != len(ids) {
		return fmt.Errorf("GetProfiles: %d results for %d ids", len(res.Items), len(ids))
	}
	for _, it := range res.Items {
		if it.Err != nil || it.Profile == nil {
			return fmt.Errorf("GetProfiles: %s: no profile (%v)", it.UserID, it.Err)
		}
	}
	return nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

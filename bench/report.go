package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/kithdb/kith/engine"
)

// report is everything the tool prints at the end.
type report struct {
	cfg         config
	dir         string
	interrupted string // "during the load", "during the run", or ""
	graph       graphSummary
	load        loadSummary
	warmup      runSummary     // the warm-up phase, not counted in run
	run         runSummary     // the measured phase
	warmMetrics engine.Metrics // the DB's metrics at the end of the warm-up
	metrics     engine.Metrics // and at the end
	diskBytes   int64
	peakHeap    uint64
	peakRSS     uint64 // 0 when unknown
	wall        time.Duration
}

type graphSummary struct {
	users, edges, maxList, blocks, apps int
	gen                                 time.Duration
}

func summarize(g *graph, gen time.Duration) graphSummary {
	return graphSummary{users: g.n, edges: g.edges(), maxList: g.maxList(), blocks: len(g.blocks), apps: len(g.apps), gen: gen}
}

func (s graphSummary) String() string {
	return fmt.Sprintf("%s users, %s friend edges (mean %.1f, longest list %d), %s blocks, %s applications; generated in %v",
		count(s.users), count(s.edges), float64(s.edges)/float64(max(s.users, 1)), s.maxList, count(s.blocks), count(s.apps),
		s.gen.Round(time.Millisecond))
}

type loadSummary struct {
	skipped bool
	wall    time.Duration
	stats   engine.ImportStats
}

// runSummary is the outcome of the mix: one row per operation.
type runSummary struct {
	mix  string
	wall time.Duration
	ops  []opSummary
}

type opSummary struct {
	name    string
	h       hist
	refused uint64
}

func summarizeRun(m *mix, workers []*worker, wall time.Duration) runSummary {
	s := runSummary{mix: m.name, wall: wall, ops: make([]opSummary, len(m.ops))}
	for i, o := range m.ops {
		s.ops[i].name = o.name
		for _, w := range workers {
			s.ops[i].h.merge(&w.hists[i])
			s.ops[i].refused += w.refused[i]
		}
	}
	return s
}

func (s runSummary) total() opSummary {
	t := opSummary{name: "total"}
	for i := range s.ops {
		t.h.merge(&s.ops[i].h)
		t.refused += s.ops[i].refused
	}
	return t
}

var runColumns = []string{"operation", "calls", "share", "ops/s", "mean µs", "p50 µs", "p99 µs", "p99.9 µs", "max µs", "refused"}

func (s runSummary) rows() [][]string {
	rows := [][]string{runColumns}
	total := s.total()
	for _, o := range append(s.ops, total) {
		rows = append(rows, []string{
			o.name,
			count(o.h.n),
			fmt.Sprintf("%.1f%%", 100*float64(o.h.n)/float64(max(total.h.n, 1))),
			count(int64(perSecond(o.h.n, s.wall))),
			micros(o.h.mean()), micros(o.h.quantile(0.50)), micros(o.h.quantile(0.99)),
			micros(o.h.quantile(0.999)), micros(o.h.max),
			count(o.refused),
		})
	}
	return rows
}

// print writes the report.
func (r *report) print(w io.Writer) error {
	var b strings.Builder
	c := r.cfg
	fmt.Fprintf(&b, "\nkith workload %s: %s users, mean %d friends, seed %d; %d goroutines for %v after a %v warm-up; sync=%v; %s\n",
		c.workload, count(c.users), c.friends, c.seed, c.concurrency, c.duration, c.warmup, c.sync, cachesDesc(c))
	fmt.Fprintf(&b, "%s %s/%s, GOMAXPROCS=%d, %d CPUs%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH,
		runtime.GOMAXPROCS(0), runtime.NumCPU(), hugePagesDesc())
	if r.interrupted != "" {
		fmt.Fprintf(&b, "INTERRUPTED %s: the numbers below cover what ran until then\n", r.interrupted)
	}
	fmt.Fprintf(&b, "\ngraph  %s\n", r.graph)
	r.printLoad(&b)
	if t := r.warmup.total(); len(r.warmup.ops) > 0 {
		fmt.Fprintf(&b, "warmup %s mix for %v from cold caches, not counted below: %s calls, %s ops/s, p50 %s µs, p99 %s µs\n",
			r.warmup.mix, r.warmup.wall.Round(time.Millisecond), count(t.h.n),
			count(int64(perSecond(t.h.n, r.warmup.wall))), micros(t.h.quantile(0.5)), micros(t.h.quantile(0.99)))
	}
	if len(r.run.ops) > 0 {
		fmt.Fprintf(&b, "\nrun    %s mix for %v:\n\n", r.run.mix, r.run.wall.Round(time.Millisecond))
		writeTable(&b, r.run.rows())
		b.WriteString("refused: calls answered with a result code (not friends, list full, blocked, …): outcomes, not failures\n")
	}
	r.printResources(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

func (r *report) printLoad(b *strings.Builder) {
	switch st := r.load.stats; {
	case r.load.skipped:
		fmt.Fprintf(b, "load   skipped: %s already held the graph\n", r.dir)
	case st.Records > 0:
		fmt.Fprintf(b, "load   Import of %s records (%s users, %s friend edges) in %v = %s edges/s; %s keys, %s of SSTables in %d files\n",
			count(st.Records), count(st.Users), count(st.Friends), r.load.wall.Round(time.Millisecond),
			count(int64(perSecond(st.Friends, r.load.wall))), count(st.Keys), humanBytes(uint64(st.Bytes)), st.Files)
	}
}

// printCache prints a cache's hit ratio.
func printCache(b *strings.Builder, name string, st engine.CacheStats) {
	lookups := st.Hits + st.Misses
	if lookups == 0 {
		fmt.Fprintf(b, "%s no lookups\n", name)
		return
	}
	fmt.Fprintf(b, "%s hit ratio %.1f%% (%s hits, %s misses, %s evictions; %s entries, %s)\n",
		name, 100*float64(st.Hits)/float64(lookups), count(st.Hits), count(st.Misses),
		count(st.Evictions), count(st.Entries), humanBytes(uint64(max(st.Bytes, 0))))
}

// since returns st's hits, misses and evictions since before (its entries
// and bytes as of st).
func since(st, before engine.CacheStats) engine.CacheStats {
	st.Hits -= before.Hits
	st.Misses -= before.Misses
	st.Evictions -= before.Evictions
	return st
}

func (r *report) printResources(b *strings.Builder) {
	m, w := r.metrics, r.warmMetrics
	if len(r.warmup.ops) > 0 && len(r.run.ops) > 0 {
		b.WriteString("\ncaches: hits and misses of the measured run\n")
	} else {
		b.WriteString("\ncaches: hits and misses since open\n")
		w = engine.Metrics{}
	}
	printCache(b, "profile cache ", since(m.ProfileCache, w.ProfileCache))
	printCache(b, "counters cache", since(m.CountersCache, w.CountersCache))
	printCache(b, "page cache    ", since(m.PageCache, w.PageCache))
	printCache(b, "friend sets   ", since(m.FriendSetCache, w.FriendSetCache))
	printCache(b, "block cache   ", since(m.BlockCache, w.BlockCache))
	fmt.Fprintf(b, "disk           %s (%s B) in %s\n", humanBytes(uint64(r.diskBytes)), count(r.diskBytes), r.dir)
	rss := "n/a"
	if r.peakRSS > 0 {
		rss = humanBytes(r.peakRSS)
	}
	fmt.Fprintf(b, "memory         peak Go heap %s (sampled every %v), peak RSS %s (Pebble's cgo block cache and memtables count in RSS only)\n",
		humanBytes(r.peakHeap), heapSampleEvery, rss)
	fmt.Fprintf(b, "Pebble         write amplification %.2f since open (an imported store starts near 1)\n", r.metrics.WriteAmp)
	fmt.Fprintf(b, "wall time      %v end to end\n", r.wall.Round(time.Millisecond))
}

// cachesDesc describes the caches the engine opens with for c: the sizes
// it uses, defaults and floors applied, not the flags' values.
func cachesDesc(c config) string {
	o := c.options()
	o.EnsureDefaults()
	desc := fmt.Sprintf("block cache %d MiB; profile cache ", o.CacheSize>>20)
	if o.ProfileCache.Disabled {
		return desc + "off"
	}
	return desc + fmt.Sprintf("%s entries, %d MiB", count(o.ProfileCache.Entries), o.ProfileCache.MaxBytes>>20)
}

// writeTable writes rows with the first column left-aligned and the
// others right-aligned, each as wide as its widest cell.
func writeTable(b *strings.Builder, rows [][]string) {
	width := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	for _, row := range rows {
		for i, c := range row {
			pad := strings.Repeat(" ", width[i]-len([]rune(c)))
			if i == 0 {
				b.WriteString(c + pad)
			} else {
				b.WriteString("  " + pad + c)
			}
		}
		b.WriteString("\n")
	}
}

func micros(d time.Duration) string {
	return fmt.Sprintf("%.2f", float64(d)/float64(time.Microsecond))
}

func humanBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// dirSize returns the bytes of the regular files under dir.
func dirSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		n += info.Size()
		return nil
	})
	return n, err
}

// peakRSS returns the process's peak resident set size (VmHWM) on Linux,
// or 0.
func peakRSS() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

package main

import (
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// phase is the measured outcome of one phase of the workload.
type phase struct {
	name     string
	calls    int
	perCall  int           // profiles per call
	wall     time.Duration // wall time of the phase
	mean     time.Duration // mean latency of a call
	p50, p99 time.Duration
}

// newPhase summarises the call latencies of a phase.
func newPhase(name string, perCall int, lats []time.Duration, wall time.Duration) phase {
	ph := phase{name: name, calls: len(lats), perCall: perCall, wall: wall}
	if len(lats) == 0 {
		return ph
	}
	var sum time.Duration
	for _, l := range lats {
		sum += l
	}
	ph.mean = sum / time.Duration(len(lats))
	slices.Sort(lats)
	ph.p50 = percentile(lats, 0.50)
	ph.p99 = percentile(lats, 0.99)
	return ph
}

// percentile returns the q-quantile of sorted (nearest rank).
func percentile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// report is everything the tool prints at the end.
type report struct {
	cfg       config
	dir       string
	phases    []phase
	diskBytes int64
	peakHeap  uint64
}

var columns = []string{"phase", "calls", "calls/s", "profiles/s", "µs/call", "µs/profile", "p50 µs", "p99 µs"}

// print writes the report as an aligned table.
func (r *report) print(w io.Writer) error {
	rows := [][]string{columns}
	for _, ph := range r.phases {
		rows = append(rows, ph.row())
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nkith workload: users=%d batch=%d seed=%d GOMAXPROCS=%d %s\n\n",
		r.cfg.users, r.cfg.batch, r.cfg.seed, runtime.GOMAXPROCS(0), runtime.Version())
	writeTable(&b, rows)
	fmt.Fprintf(&b, "\nbytes on disk: %s (%d B, %.0f B/user) in %s\n",
		humanBytes(uint64(r.diskBytes)), r.diskBytes, float64(r.diskBytes)/float64(r.cfg.users), r.dir)
	fmt.Fprintf(&b, "peak Go heap:  %s (HeapAlloc sampled every %v; Pebble's cgo block cache and memtables not included)\n",
		humanBytes(r.peakHeap), heapSampleEvery)
	fmt.Fprintf(&b, "µs/call, p50, p99: latency of one call (one UpdateProfile while loading, one GetProfiles batch while reading)\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func (ph phase) row() []string {
	secs := ph.wall.Seconds()
	return []string{
		ph.name,
		fmt.Sprint(ph.calls),
		fmt.Sprintf("%.0f", float64(ph.calls)/secs),
		fmt.Sprintf("%.0f", float64(ph.calls*ph.perCall)/secs),
		micros(ph.mean),
		micros(ph.mean / time.Duration(ph.perCall)),
		micros(ph.p50),
		micros(ph.p99),
	}
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

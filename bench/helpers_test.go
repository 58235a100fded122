package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/kithdb/kith/engine"
)

var ctx = context.Background()

// dataRoot holds the data sets shared by the benchmarks of one process.
var dataRoot string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kith-bench-data-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dataRoot = dir
	code := m.Run()
	if err := os.RemoveAll(dir); err != nil && code == 0 {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

// benchSeed seeds every generated profile and request order, so that
// every run measures the same data.
const benchSeed = 42

// dataset is a store directory built once per process through the engine
// (NoSync), then flushed and compacted, so that the engine and the raw
// baseline open the same keys, values and LSM shape.
type dataset struct {
	name  string
	build func(db *engine.DB) error

	once sync.Once
	dir  string
	err  error
}

// path returns the directory of the data set, building it on first use.
// Call it before the timed part of a benchmark.
func (d *dataset) path(b *testing.B) string {
	b.Helper()
	d.once.Do(func() {
		d.dir = filepath.Join(dataRoot, d.name)
		d.err = buildDir(d.dir, d.build)
	})
	if d.err != nil {
		b.Fatalf("data set %s: %v", d.name, d.err)
	}
	return d.dir
}

// buildDir opens dir with NoSync, runs build, closes, and compacts.
func buildDir(dir string, build func(db *engine.DB) error) (err error) {
	db, err := engine.Open(dir, &engine.Options{NoSync: true})
	if err != nil {
		return err
	}
	if err := build(db); err != nil {
		return errors.Join(err, db.Close())
	}
	if err := db.Close(); err != nil {
		return err
	}
	return compactDir(dir)
}

// compactDir flushes dir's memtable and compacts every key into the last
// level. All kith keys start with an ASCII kind byte, inside [0x00, 0xff).
func compactDir(dir string) (err error) {
	db, err := openRawPebble(dir, nil)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	if err := db.Flush(); err != nil {
		return err
	}
	return db.Compact(ctx, []byte{0x00}, []byte{0xff}, true)
}

// openDB opens dir through the engine and closes it when b ends.
func openDB(b *testing.B, dir string, opts *engine.Options) *engine.DB {
	b.Helper()
	db, err := engine.Open(dir, opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := db.Close(); err != nil {
			b.Error(err)
		}
	})
	return db
}

// openRaw opens dir as raw Pebble with the engine's options and closes it
// when b ends. A nil fs means the OS file system.
func openRaw(b *testing.B, dir string, fs vfs.FS) *pebble.DB {
	b.Helper()
	db, err := openRawPebble(dir, fs)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := db.Close(); err != nil {
			b.Error(err)
		}
	})
	return db
}

// loadUsers creates the generated profiles of users [0, n) in dir.
func loadUsers(b *testing.B, dir string, n int) {
	b.Helper()
	err := buildDir(dir, func(db *engine.DB) error {
		_, err := loadProfiles(ctx, db, n, benchSeed, 2, nil)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
}

// shuffled returns a deterministic permutation of ids.
func shuffled(ids []string) []string {
	out := append([]string(nil), ids...)
	rng := rand.New(rand.NewPCG(benchSeed, uint64(len(ids))))
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// chunks splits ids into requests of size n.
func chunks(ids []string, n int) [][]string {
	var out [][]string
	for len(ids) > 0 {
		k := min(n, len(ids))
		out = append(out, ids[:k:k])
		ids = ids[k:]
	}
	return out
}

// reportOps reports the throughput of n operations over the timed part.
func reportOps(b *testing.B, n int) {
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ops/s")
}

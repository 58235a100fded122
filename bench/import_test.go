package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/objstorage/objstorageprovider"
	"github.com/cockroachdb/pebble/v2/sstable"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/kithdb/kith/engine"
	"github.com/kithdb/kith/index"
)

// importDegree is the mean friend-list size of the Import benchmarks'
// graphs.
const importDegree = 50

// importGraphOf returns a graph of about n directed friend edges (at
// least 100 users), generated once per size.
func importGraphOf(n int) *graph {
	users := max(n/importDegree, 100)
	importGraphs.mu.Lock()
	defer importGraphs.mu.Unlock()
	if importGraphs.m == nil {
		importGraphs.m = map[int]*graph{}
	}
	g := importGraphs.m[users]
	if g == nil {
		g = newGraph(users, importDegree, benchSeed)
		importGraphs.m[users] = g
	}
	return g
}

var importGraphs struct {
	mu sync.Mutex
	m  map[int]*graph
}

// graphJSON returns g as JSON Lines, as Import reads it.
func graphJSON(g *graph) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for rec := range g.records() {
		if err := enc.Encode(rec); err != nil {
			panic(err)
		}
	}
	return buf.Bytes()
}

// BenchmarkDB_Import loads a graph of about b.N directed friend edges
// (mean 50 per user) into a new store on disk, from typed records
// (ImportRecords: the engine's own cost) and from JSON Lines (Import:
// plus JSON decoding). One op is one directed edge, written with its
// reverse key, its share of the counters, memberships and profiles;
// edges/s is the headline number.
func BenchmarkDB_Import(b *testing.B) {
	for _, format := range []string{"records", "json"} {
		b.Run("format="+format, func(b *testing.B) {
			g := importGraphOf(b.N)
			var data []byte
			if format == "json" {
				data = graphJSON(g)
			}
			db, err := engine.Open(filepath.Join(b.TempDir(), "db"), &engine.Options{NoSync: true})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			b.ReportAllocs()
			b.ResetTimer()
			var st engine.ImportStats
			if format == "json" {
				st, err = db.Import(ctx, bytes.NewReader(data))
			} else {
				st, err = db.ImportRecords(ctx, g.records())
			}
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			if st.Friends != g.edges() {
				b.Fatalf("imported %d edges, want %d", st.Friends, g.edges())
			}
			b.ReportMetric(float64(g.edges())/b.Elapsed().Seconds(), "edges/s")
		})
	}
}

// graphKeys returns every key and value of g imported through the engine
// (store-wide metadata excluded), in key order: the exact content the raw
// baseline writes.
func graphKeys(g *graph) ([][2][]byte, error) {
	dir, err := os.MkdirTemp(dataRoot, "import-keys-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	db, err := engine.Open(dir, &engine.Options{NoSync: true})
	if err != nil {
		return nil, err
	}
	if _, err := db.ImportRecords(ctx, g.records()); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	if err := db.Close(); err != nil {
		return nil, err
	}
	raw, err := openRawPebble(dir, nil)
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	it, err := raw.NewIter(&pebble.IterOptions{UpperBound: []byte{index.KindMeta}})
	if err != nil {
		return nil, err
	}
	var kvs [][2][]byte
	for it.First(); it.Valid(); it.Next() {
		kvs = append(kvs, [2][]byte{bytes.Clone(it.Key()), bytes.Clone(it.Value())})
	}
	return kvs, errors.Join(it.Error(), it.Close())
}

// BenchmarkRaw_Import is the floor of BenchmarkDB_Import: the same keys
// and values, already sorted and encoded in memory, written into
// SSTables (one per key kind, with the engine's writer options) and
// ingested into raw Pebble, on one goroutine. The engine adds validation,
// numbering, sorting, encoding and the derivation of the reverse keys,
// memberships and counters.
func BenchmarkRaw_Import(b *testing.B) {
	b.Run("format=records", func(b *testing.B) {
		g := importGraphOf(b.N)
		kvs, err := graphKeys(g)
		if err != nil {
			b.Fatal(err)
		}
		dir := filepath.Join(b.TempDir(), "db")
		db := openRaw(b, dir, nil)
		b.ReportAllocs()
		b.ResetTimer()
		if err := rawIngest(db, dir, kvs); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		b.ReportMetric(float64(g.edges())/b.Elapsed().Seconds(), "edges/s")
	})
}

// rawIngest writes kvs into one SSTable per key kind under dir and
// ingests them into db.
func rawIngest(db *pebble.DB, dir string, kvs [][2][]byte) error {
	po := rawPebbleOptions(vfs.Default)
	po.EnsureDefaults()
	wo := po.MakeWriterOptions(0, db.TableFormat())
	var paths []string
	var w *sstable.Writer
	for i, kv := range kvs {
		if i == 0 || kv[0][0] != kvs[i-1][0][0] {
			if w != nil {
				if err := w.Close(); err != nil {
					return err
				}
			}
			path := filepath.Join(dir, fmt.Sprintf("raw-%02x.sst", kv[0][0]))
			f, err := vfs.Default.Create(path, vfs.WriteCategoryUnspecified)
			if err != nil {
				return err
			}
			w = sstable.NewWriter(objstorageprovider.NewFileWritable(f), wo)
			paths = append(paths, path)
		}
		if err := w.Set(kv[0], kv[1]); err != nil {
			return err
		}
	}
	if w != nil {
		if err := w.Close(); err != nil {
			return err
		}
	}
	return db.Ingest(ctx, paths)
}

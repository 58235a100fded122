package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/objstorage/objstorageprovider"
	"github.com/cockroachdb/pebble/v2/sstable"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/kithdb/kith/codec"
	"github.com/kithdb/kith/index"
)

// This file holds the Pebble calls of the bulk operations, as store.go
// does for the others: writing SSTables and ingesting them (Import),
// probing users (Import's checks against the store) and checkpoints. They
// are Pebble-only capabilities (DESIGN.md §9).

// sstTargetSize is the size at which an SSTable being written is closed
// and the next one started: about Pebble's target for its L5/L6 files, so
// that ingested tables neither crowd L0 with small files nor make one
// compaction rewrite gigabytes.
const sstTargetSize = 64 << 20

// importSeq makes the staging directories of concurrent Imports distinct.
var importSeq atomic.Uint64

// sstStage is a directory under the store's directory where one Import
// writes its SSTables before ingesting them. Ingest hard-links them into
// the store, so remove always deletes the directory.
type sstStage struct {
	fs   vfs.FS
	dir  string
	opts sstable.WriterOptions
}

// newStage creates the staging directory and the writer options: those
// Pebble uses for its own tables (pebbleOptions), in the DB's table format.
func (db *DB) newStage() (*sstStage, error) {
	po := pebbleOptions(db.opts)
	po.EnsureDefaults()
	name := "kith-import-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "-" + strconv.FormatUint(importSeq.Add(1), 10)
	st := &sstStage{
		fs:   db.opts.FS,
		dir:  db.opts.FS.PathJoin(db.dir, name),
		opts: po.MakeWriterOptions(0, db.pdb.TableFormat()),
	}
	if err := st.fs.MkdirAll(st.dir, 0o755); err != nil {
		return nil, fmt.Errorf("kith: import: %w", err)
	}
	return st, nil
}

func (st *sstStage) remove() error { return st.fs.RemoveAll(st.dir) }

// sstSink writes keys given in strictly ascending order into a run of
// SSTables of the stage, starting a new one at sstTargetSize.
type sstSink struct {
	st    *sstStage
	name  string // file name prefix
	w     *sstable.Writer
	paths []string
	keys  int64
	bytes int64
	inCur int64 // keys in the current table
}

func (st *sstStage) sink(name string) *sstSink { return &sstSink{st: st, name: name} }

// set adds key = val. Neither slice is retained.
func (s *sstSink) set(key, val []byte) error {
	if s.w == nil {
		if err := s.open(); err != nil {
			return err
		}
	}
	if err := s.w.Set(key, val); err != nil {
		return err
	}
	s.keys++
	s.inCur++
	if s.inCur%1024 == 0 && s.w.Raw().EstimatedSize() >= sstTargetSize {
		return s.closeTable()
	}
	return nil
}

func (s *sstSink) open() error {
	path := s.st.fs.PathJoin(s.st.dir, fmt.Sprintf("%s-%04d.sst", s.name, len(s.paths)))
	f, err := s.st.fs.Create(path, vfs.WriteCategoryUnspecified)
	if err != nil {
		return err
	}
	s.w = sstable.NewWriter(objstorageprovider.NewFileWritable(f), s.st.opts)
	s.paths = append(s.paths, path)
	s.inCur = 0
	return nil
}

// closeTable finishes (and syncs) the current table.
func (s *sstSink) closeTable() error {
	if s.w == nil {
		return nil
	}
	w := s.w
	s.w = nil
	if err := w.Close(); err != nil {
		return err
	}
	md, err := w.Metadata()
	if err != nil {
		return err
	}
	s.bytes += int64(md.Size)
	return nil
}

// ingest adds the tables at paths to the store in one atomic step: after
// it every key of every table is visible, before it none is. Not guarded
// by catchFatal: when an ingest overlaps the memtable, Pebble writes to
// the WAL holding its own mutexes, and a fatal error there cannot unwind
// cleanly (Pebble expects the process to stop).
func (db *DB) ingest(ctx context.Context, paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	return db.pdb.Ingest(ctx, paths)
}

// hasUserKeys reports whether the store holds any key other than the
// store-wide metadata (kind z).
func (db *DB) hasUserKeys() (bool, error) {
	it, err := db.pdb.NewIter(&pebble.IterOptions{UpperBound: []byte{index.KindMeta}})
	if err != nil {
		return false, err
	}
	found := it.First()
	return found, firstErr(it.Error(), it.Close())
}

// probeUsers calls found(i) for each of users (sorted ascending) that has
// a key of one of kinds whose first component is the user. One iterator
// walks each kind in ascending order, so Pebble mostly steps forward.
func (db *DB) probeUsers(ctx context.Context, users []string, kinds []byte, found func(i int)) error {
	it, err := db.pdb.NewIter(nil)
	if err != nil {
		return err
	}
	var prefix []byte
	for _, kind := range kinds {
		for i, u := range users {
			if i%1024 == 0 && ctx.Err() != nil {
				return firstErr(ctx.Err(), it.Close())
			}
			prefix = index.Prefix(prefix[:0], kind, u)
			if it.SeekGE(prefix) && bytes.HasPrefix(it.Key(), prefix) {
				found(i)
			}
		}
	}
	return firstErr(it.Error(), it.Close())
}

// checkpoint writes a consistent copy of the store to dir on the DB's
// file system, after syncing the WAL. A failed WAL sync is a Pebble fatal
// error, as in a commit: ErrFailed, and the store serves nothing more.
func (db *DB) checkpoint(dir string) (err error) {
	defer db.catchFatal(&err)
	return db.pdb.Checkpoint(dir, pebble.WithFlushedWAL())
}

// clone returns a second reader on the same consistent view as r, for
// point reads while r scans.
func (r *reader) clone() (*reader, error) {
	it, err := r.it.Clone(pebble.CloneOptions{})
	if err != nil {
		return nil, err
	}
	return &reader{it: it}, nil
}

// getRecord decodes the record stored under key into rec with one point
// read (no iterator); ok is false when the key is absent.
func (db *DB) getRecord(key []byte, rec codec.Record) (ok bool, err error) {
	val, closer, err := db.pdb.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer closer.Close()
	if err := decodeAt(key, val, rec); err != nil {
		return false, err
	}
	return true, nil
}

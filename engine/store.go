package engine

import (
	"bytes"
	"errors"
	"fmt"
	"math"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"

	"github.com/kithdb/kith/codec"
	"github.com/kithdb/kith/index"
)

// This file and txn.go are the only places that call Pebble for reads and
// writes: the semantics code sees point reads, ordered scans and one write
// set per operation (DESIGN.md §9).

// formatVersion is the version of kith's key and value layout, stored under
// index.Meta("format"). Part of the format: never change a released value.
//
// The store-wide metadata (index.Meta, each an 8-byte big-endian number,
// written by Open): "format" (checkFormat), "retention" (checkRetention)
// and "keep-friends-on-block" (checkKeepFriends). A store without the
// last two, written before they existed, gets them at its next Open.
const formatVersion = 1

func openPebble(dir string, o *Options) (*pebble.DB, error) {
	pdb, err := pebble.Open(dir, pebbleOptions(o))
	if err != nil {
		return nil, fmt.Errorf("kith: open %s: %w", dir, err)
	}
	return pdb, nil
}

// pebbleOptions returns the Pebble options kith opens a store with. Import
// also derives its SSTable writer options from them (bulk.go), so that
// ingested tables are written exactly as Pebble writes its own.
func pebbleOptions(o *Options) *pebble.Options {
	popts := &pebble.Options{
		FS:                          o.FS,
		CacheSize:                   o.CacheSize,
		MemTableSize:                memTableSize,
		MemTableStopWritesThreshold: memTableStopWrites,
		FormatMajorVersion:          pebble.FormatNewest,
		Logger:                      pebbleLogger{o.Logger},
	}
	for i := range popts.Levels {
		popts.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
		popts.Levels[i].FilterType = pebble.TableFilter
	}
	return popts
}

// checkFormat stamps a new store with formatVersion and refuses a store
// written in a format this code does not know.
func (db *DB) checkFormat() error {
	v, err := db.metaUint64("format", formatVersion)
	if err != nil {
		return err
	}
	if v != formatVersion {
		return fmt.Errorf("kith: store format %d, this build reads %d", v, formatVersion)
	}
	return nil
}

// checkRetention keeps a store's EventRetention what it was when the store
// was created: the first Open stores it under index.Meta("retention"),
// later ones adopt it, and refuse an Options.EventRetention (set, not
// left 0) that differs. The window cannot change under existing logs:
// stageEvents trims one event per append, and Changes and Check take the
// window from the option, so a raised retention would let Changes skip
// events trimmed under the old one without a ResyncError, and a lowered
// one would leave events that are never trimmed. A store written before
// the retention was stored takes the one it is opened with: its logs were
// trimmed with the retention of each open.
func (db *DB) checkRetention(set bool) error {
	stored, err := db.metaUint64("retention", uint64(db.opts.EventRetention))
	if err != nil {
		return err
	}
	if stored == 0 || stored > math.MaxInt {
		return corrupt(index.Meta(nil, "retention"), fmt.Errorf("retention %d", stored))
	}
	if set && stored != uint64(db.opts.EventRetention) {
		return fmt.Errorf("%w: EventRetention is %d, but the store in %s keeps %d events per user: the retention is fixed when a store is created",
			ErrInvalidOptions, db.opts.EventRetention, db.dir, stored)
	}
	db.opts.EventRetention = int(stored)
	return nil
}

// checkKeepFriends records under index.Meta("keep-friends-on-block")
// that the store was opened with Options.KeepFriendsOnBlock, and refuses
// to open such a store without it: its blocks may have kept friendships,
// which the option's absence forbids (Check would report them, and Import
// would refuse to add more next to them).
func (db *DB) checkKeepFriends() error {
	const name = "keep-friends-on-block"
	var want uint64
	if db.opts.KeepFriendsOnBlock {
		want = 1
	}
	stored, err := db.metaUint64(name, want)
	switch {
	case err != nil:
		return err
	case stored == 1 && want == 0:
		return fmt.Errorf("%w: the store in %s was opened with KeepFriendsOnBlock and may hold friendships across blocks: open it with KeepFriendsOnBlock",
			ErrInvalidOptions, db.dir)
	case stored == 0 && want == 1:
		return db.setMetaUint64(name, 1)
	case stored > 1:
		return corrupt(index.Meta(nil, name), fmt.Errorf("value %d", stored))
	}
	return nil
}

// metaUint64 returns the store-wide number under index.Meta(name), storing
// (and returning) init first if the store has none.
func (db *DB) metaUint64(name string, init uint64) (uint64, error) {
	key := index.Meta(nil, name)
	val, closer, err := db.pdb.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return init, db.setMetaUint64(name, init)
	}
	if err != nil {
		return 0, err
	}
	defer closer.Close()
	if len(val) != 8 {
		return 0, corrupt(key, fmt.Errorf("%s value of %d bytes", name, len(val)))
	}
	return beUint64(val), nil
}

// setMetaUint64 stores v under index.Meta(name), synced.
func (db *DB) setMetaUint64(name string, v uint64) error {
	return db.pdb.Set(index.Meta(nil, name), index.AppendUint64(nil, v), pebble.Sync)
}

func beUint64(b []byte) uint64 {
	var v uint64
	for _, c := range b[:8] {
		v = v<<8 | uint64(c)
	}
	return v
}

// pebbleLogger forwards Pebble's log lines to the user's Logger, or drops
// them. Pebble calls Fatalf only for unrecoverable states (a failed WAL or
// MANIFEST write) and expects it not to return; kith never exits the
// process, so it panics with a *pebbleFatal, which commitBatch turns into
// ErrFailed for the caller.
type pebbleLogger struct{ l Logger }

// logErrorf sends a line of kith's own to Options.Logger, if set: an
// error that does not fail the call that met it.
func (db *DB) logErrorf(format string, args ...any) {
	pebbleLogger{db.opts.Logger}.Errorf(format, args...)
}

// pebbleFatal is the panic value of pebbleLogger.Fatalf.
type pebbleFatal struct{ msg string }

func (p pebbleLogger) Infof(format string, args ...any) {
	if p.l != nil {
		p.l.Infof(format, args...)
	}
}

func (p pebbleLogger) Errorf(format string, args ...any) {
	if p.l != nil {
		p.l.Errorf(format, args...)
	}
}

func (p pebbleLogger) Fatalf(format string, args ...any) {
	p.Errorf(format, args...)
	panic(&pebbleFatal{msg: fmt.Sprintf(format, args...)})
}

// reader reads a consistent view of the store through one iterator, reused
// for every read of one call (iterator creation costs more than a read).
// It is not safe for concurrent use. Slices it returns are valid until its
// next call.
type reader struct {
	it *pebble.Iterator
}

func (db *DB) newReader() (*reader, error) {
	it, err := db.pdb.NewIter(&pebble.IterOptions{UseL6Filters: true})
	if err != nil {
		return nil, err
	}
	return &reader{it: it}, nil
}

func (r *reader) close() error { return r.it.Close() }

// get returns the value stored under key. SeekPrefixGE lets Pebble consult
// the bloom filters of every level, which makes a miss cheap.
func (r *reader) get(key []byte) (val []byte, ok bool, err error) {
	if !r.it.SeekPrefixGE(key) {
		return nil, false, r.it.Error()
	}
	if !bytes.Equal(r.it.Key(), key) {
		return nil, false, nil
	}
	val, err = r.it.ValueAndErr()
	return val, err == nil, err
}

// seek returns the value under key for a caller that reads keys in
// ascending order: SeekGE then lets Pebble step forward instead of
// searching from the top (try-seek-using-next).
func (r *reader) seek(key []byte) (val []byte, ok bool, err error) {
	if !r.it.SeekGE(key) || !bytes.Equal(r.it.Key(), key) {
		return nil, false, r.it.Error()
	}
	val, err = r.it.ValueAndErr()
	return val, err == nil, err
}

// scan calls fn for every key with prefix that sorts after `after` (nil:
// from the start), in key order, until fn returns false.
func (r *reader) scan(prefix, after []byte, fn func(key, val []byte) (bool, error)) error {
	r.it.SetBounds(prefix, index.PrefixEnd(nil, prefix))
	defer r.it.SetBounds(nil, nil)
	var valid bool
	if after == nil {
		valid = r.it.First()
	} else if valid = r.it.SeekGE(after); valid && bytes.Equal(r.it.Key(), after) {
		valid = r.it.Next()
	}
	for ; valid; valid = r.it.Next() {
		val, err := r.it.ValueAndErr()
		if err != nil {
			return err
		}
		more, err := fn(r.it.Key(), val)
		if err != nil || !more {
			return err
		}
	}
	return r.it.Error()
}

// getRecord decodes the record under key into rec; ok is false when the
// key is absent.
func (r *reader) getRecord(key []byte, rec codec.Record) (ok bool, err error) {
	val, ok, err := r.get(key)
	if err != nil || !ok {
		return false, err
	}
	if err := decodeAt(key, val, rec); err != nil {
		return false, err
	}
	return true, nil
}

// decodeAt decodes the value stored under key into rec; a value that does
// not decode is a *CorruptError naming key.
func decodeAt(key, val []byte, rec codec.Record) error {
	if err := codec.Decode(val, rec); err != nil {
		return corrupt(key, err)
	}
	return nil
}

// commitOps commits the latest write of every key of a write set as one
// Pebble batch.
func (db *DB) commitOps(ws *writeSet) error {
	if len(ws.ops) == 0 {
		return nil
	}
	b := db.pdb.NewBatch()
	for i, op := range ws.ops {
		if !ws.isLatest(i) {
			continue // overwritten later in the same txn
		}
		var err error
		if op.del {
			err = b.Delete(op.key, nil)
		} else {
			err = b.Set(op.key, op.val, nil)
		}
		if err != nil {
			return errors.Join(err, b.Close())
		}
	}
	if err := db.commitBatch(b); err != nil {
		return err // a batch whose commit failed is not reused
	}
	return b.Close()
}

// commitBatch commits b. A WAL write or sync that fails is fatal to
// Pebble (it panics through pebbleLogger.Fatalf, and the batch may
// already be in the memtable); kith answers the call with ErrFailed and
// fails the DB, so that nobody reads the unacknowledged change.
func (db *DB) commitBatch(b *pebble.Batch) (err error) {
	defer db.catchFatal(&err)
	return b.Commit(db.wopts)
}

// catchFatal, deferred by a call into Pebble, turns a Pebble fatal error
// (pebbleLogger.Fatalf's panic) into ErrFailed in *err and marks the
// store failed. Other panics go on.
func (db *DB) catchFatal(err *error) {
	if r := recover(); r != nil {
		f, ok := r.(*pebbleFatal)
		if !ok {
			panic(r)
		}
		*err = db.fail(f.msg)
	}
}

// exists reports whether key is stored, with one point read.
func (db *DB) exists(key []byte) (bool, error) {
	_, closer, err := db.pdb.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, closer.Close()
}

// lazyReader opens a reader on its first use, for a call that the caches
// may answer without one.
type lazyReader struct {
	db *DB
	r  *reader
}

func (l *lazyReader) get() (*reader, error) {
	if l.r == nil {
		r, err := l.db.newReader()
		if err != nil {
			return nil, err
		}
		l.r = r
	}
	return l.r, nil
}

// close closes the reader if it was opened.
func (l *lazyReader) close() error {
	if l.r == nil {
		return nil
	}
	return l.r.close()
}

package main

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// The Pebble settings of engine/options.go and engine/store.go. A baseline
// that ran Pebble any other way would measure the options, not the engine.
// Keep these in step with openPebble there.
const (
	rawCacheSize          = 128 << 20 // engine defaultCacheSize
	rawMemTableSize       = 8 << 20   // engine memTableSize
	rawMemTableStopWrites = 4         // engine memTableStopWrites
)

// openRawPebble opens dir exactly as engine.Open opens its Pebble store
// with default Options: newest format, a 10-bit bloom filter on every
// level, 8 MiB memtables, 128 MiB block cache, no log output. A nil fs
// means the OS file system. The caller closes the DB.
func openRawPebble(dir string, fs vfs.FS) (*pebble.DB, error) {
	if fs == nil {
		fs = vfs.Default
	}
	db, err := pebble.Open(dir, rawPebbleOptions(fs))
	if err != nil {
		return nil, fmt.Errorf("bench: open raw pebble %s: %w", dir, err)
	}
	return db, nil
}

// rawPebbleOptions returns the options of openRawPebble.
func rawPebbleOptions(fs vfs.FS) *pebble.Options {
	opts := &pebble.Options{
		FS:                          fs,
		CacheSize:                   rawCacheSize,
		MemTableSize:                rawMemTableSize,
		MemTableStopWritesThreshold: rawMemTableStopWrites,
		FormatMajorVersion:          pebble.FormatNewest,
		Logger:                      silentLogger{},
	}
	for i := range opts.Levels {
		opts.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
		opts.Levels[i].FilterType = pebble.TableFilter
	}
	return opts
}

// silentLogger drops Pebble's log lines, as the engine does when
// Options.Logger is nil.
type silentLogger struct{}

func (silentLogger) Infof(string, ...any)  {}
func (silentLogger) Errorf(string, ...any) {}

func (silentLogger) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf("bench: pebble: "+format, args...))
}

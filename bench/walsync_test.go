package main

import (
	"strings"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// walSyncFS counts the syncs of WAL files (*.log), so that a benchmark can
// tell how many commits shared one fsync (group commit) without access to
// the engine's Pebble metrics.
type walSyncFS struct {
	vfs.FS
	syncs *atomic.Int64
}

func newWALSyncFS() walSyncFS { return walSyncFS{FS: vfs.Default, syncs: new(atomic.Int64)} }

func (fs walSyncFS) Create(name string, cat vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := fs.FS.Create(name, cat)
	return fs.wrap(name, f, err)
}

func (fs walSyncFS) ReuseForWrite(oldname, newname string, cat vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := fs.FS.ReuseForWrite(oldname, newname, cat)
	return fs.wrap(newname, f, err)
}

func (fs walSyncFS) OpenReadWrite(name string, cat vfs.DiskWriteCategory, opts ...vfs.OpenOption) (vfs.File, error) {
	f, err := fs.FS.OpenReadWrite(name, cat, opts...)
	return fs.wrap(name, f, err)
}

func (fs walSyncFS) wrap(name string, f vfs.File, err error) (vfs.File, error) {
	if err != nil || !strings.HasSuffix(name, ".log") {
		return f, err
	}
	return walSyncFile{File: f, syncs: fs.syncs}, nil
}

type walSyncFile struct {
	vfs.File
	syncs *atomic.Int64
}

func (f walSyncFile) Sync() error {
	f.syncs.Add(1)
	return f.File.Sync()
}

func (f walSyncFile) SyncData() error {
	f.syncs.Add(1)
	return f.File.SyncData()
}

func (f walSyncFile) SyncTo(length int64) (bool, error) {
	full, err := f.File.SyncTo(length)
	if full {
		f.syncs.Add(1)
	}
	return full, err
}

package engine

import (
	"context"
	"fmt"
)

// Checkpoint writes a consistent online backup of the store to dir, which
// must not exist yet, on the store's file system (Options.FS). Calls keep
// running while it works; the backup holds every operation that committed
// before Checkpoint started and no part of any later one (each operation
// is one Pebble batch, and the write-ahead log is synced first).
//
// The backup is a kith store: open it with Open(dir, opts) using the same
// Options as the original. Its files are hard links to the store's where
// the file system allows, so a checkpoint is cheap at first and costs
// disk space as the store compacts its files away; copy the directory
// elsewhere to keep it.
func (db *DB) Checkpoint(ctx context.Context, dir string) error {
	if err := db.enter(ctx); err != nil {
		return err
	}
	defer db.leave()
	if dir == "" {
		return fmt.Errorf("%w: empty checkpoint directory", ErrInvalidArgument)
	}
	if err := db.checkpoint(dir); err != nil {
		return fmt.Errorf("kith: checkpoint %s: %w", dir, err)
	}
	return nil
}

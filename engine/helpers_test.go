package engine_test

import (
	"context"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/kithdb/kith/engine"
)

// openDB opens an in-memory DB; at cleanup it runs Check and fails the
// test on any broken invariant, then closes the DB.
func openDB(t testing.TB, opts *engine.Options) *engine.DB {
	t.Helper()
	if opts == nil {
		opts = &engine.Options{}
	}
	o := *opts
	if o.FS == nil {
		o.FS = vfs.NewMem()
	}
	db, err := engine.Open("db", &o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		mustCheck(t, db)
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

// mustCheck fails the test if the store breaks an invariant.
func mustCheck(t testing.TB, db *engine.DB) {
	t.Helper()
	rep, err := db.Check(context.Background())
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	for _, p := range rep.Problems {
		t.Errorf("invariant: %s", p)
	}
}

var ctx = context.Background()

// memOptions returns options for an in-memory store (for examples).
func memOptions() *engine.Options { return &engine.Options{FS: vfs.NewMem()} }

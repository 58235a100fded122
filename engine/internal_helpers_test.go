package engine

import (
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// openMemDB opens a store in memory for a white-box test and closes it
// when the test ends.
func openMemDB(t testing.TB) *DB {
	t.Helper()
	db, err := Open("db", &Options{FS: vfs.NewMem()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

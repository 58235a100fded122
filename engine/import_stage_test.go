package engine_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/kithdb/kith/engine"
)

// keepStageFS fails the removal of an import's staging directory.
type keepStageFS struct{ vfs.FS }

func (fs keepStageFS) RemoveAll(name string) error {
	if strings.Contains(name, "kith-import-") {
		return errors.New("injected: cannot remove")
	}
	return fs.FS.RemoveAll(name)
}

// errorLog records the Errorf lines of a Logger.
type errorLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *errorLog) Infof(string, ...any) {}

func (l *errorLog) Errorf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

// TestImportStageLeftBehind: once the tables are ingested the import has
// happened; failing to remove the staging directory afterwards is logged,
// not returned (an error would tell the caller nothing was written, and a
// retry would find every user existing).
func TestImportStageLeftBehind(t *testing.T) {
	log := &errorLog{}
	db := openDB(t, &engine.Options{FS: keepStageFS{vfs.NewMem()}, Logger: log})
	st := impMustImport(t, db, impLines(impProfile("a"), impProfile("b"), impFriend("a", "b")))
	if st.Users != 2 {
		t.Fatalf("stats = %+v, want 2 users", st)
	}
	wantFriendRelation(t, db, "a", "b", engine.InMyList)
	log.mu.Lock()
	defer log.mu.Unlock()
	if len(log.lines) != 1 || !strings.Contains(log.lines[0], "kith-import-") || !strings.Contains(log.lines[0], "injected") {
		t.Fatalf("logged %q, want one line about the staging directory", log.lines)
	}
}

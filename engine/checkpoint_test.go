package engine_test

import (
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/kithdb/kith/engine"
)

// TestCheckpointUnderWrites takes checkpoints while writers make and end
// friendships and update profiles: every checkpoint opens as a kith store
// that passes Check and holds everything committed before it started.
func TestCheckpointUnderWrites(t *testing.T) {
	for _, disk := range []bool{false, true} {
		t.Run(fmt.Sprintf("disk=%v", disk), func(t *testing.T) {
			opts := &engine.Options{NoSync: !disk}
			root := "/"
			if disk {
				opts.FS, root = vfs.Default, t.TempDir()
			} else {
				opts.FS = vfs.NewMem()
			}
			db, err := engine.Open(filepath.Join(root, "db"), opts)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			in, _ := impGraph(100)
			impMustImport(t, db, in)
			stop, written := startCheckpointWriters(t, db)
			for i := range 4 {
				marker := fmt.Sprintf("marker%d", i)
				if _, err := db.UpdateProfile(ctx, marker, engine.ProfileUpdate{Nick: new("m")}); err != nil {
					t.Fatal(err)
				}
				for written.Load() < int64(20*(i+1)) && !t.Failed() { // let the writers run between checkpoints
					time.Sleep(time.Millisecond)
				}
				dir := filepath.Join(root, fmt.Sprintf("cp%d", i))
				if err := db.Checkpoint(ctx, dir); err != nil {
					t.Fatal(err)
				}
				openCheckpoint(t, dir, opts, marker)
			}
			stop()
			mustCheck(t, db)
			if err := db.Checkpoint(ctx, filepath.Join(root, "cp0")); err == nil {
				t.Errorf("Checkpoint into an existing directory succeeded")
			}
			if err := db.Checkpoint(ctx, ""); err == nil {
				t.Errorf("Checkpoint into \"\" succeeded")
			}
		})
	}
}

// startCheckpointWriters runs two writers on db until stop is called;
// written counts their calls.
func startCheckpointWriters(t *testing.T, db *engine.DB) (stop func(), written *atomic.Int64) {
	var wg sync.WaitGroup
	var quit atomic.Bool
	written = new(atomic.Int64)
	for w := range 2 {
		wg.Go(func() {
			for i := 0; !quit.Load(); i++ {
				a, b := fmt.Sprintf("user%04d", (w*50+i)%100), fmt.Sprintf("user%04d", (w*50+i+50)%100)
				var err error
				switch i % 3 {
				case 0:
					_, err = db.AddFriends(ctx, a, []engine.AddFriendRequest{{UserID: b, Type: engine.AddBoth}})
				case 1:
					_, err = db.DeleteFriends(ctx, a, []string{b}, engine.DeleteBoth)
				default:
					_, err = db.UpdateProfile(ctx, a, engine.ProfileUpdate{Level: new(uint32(i))})
				}
				if err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				written.Add(1)
			}
		})
	}
	return func() { quit.Store(true); wg.Wait() }, written
}

// openCheckpoint opens the checkpoint in dir, checks it and that it holds
// the marker user.
func openCheckpoint(t *testing.T, dir string, opts *engine.Options, marker string) {
	t.Helper()
	cp, err := engine.Open(dir, opts)
	if err != nil {
		t.Fatalf("open checkpoint %s: %v", dir, err)
	}
	defer cp.Close()
	mustCheck(t, cp)
	res, err := cp.GetProfiles(ctx, marker, []string{marker})
	if err != nil || res.Items[0].Err != nil {
		t.Errorf("checkpoint %s lacks %s: %v %v", dir, marker, err, res.Items[0].Err)
	}
	if c, err := cp.Counts(ctx, "user0000"); err != nil || c.Friends == 0 {
		t.Errorf("checkpoint %s: Counts(user0000) = %+v, %v", dir, c, err)
	}
}

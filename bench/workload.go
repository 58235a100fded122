package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/kithdb/kith/engine"
)

// workload runs the phases of the tool against one store directory.
type workload struct {
	cfg  config
	dir  string
	log  io.Writer
	heap heapSampler
	ids  []string // userID(0 .. users-1)
}

// run loads the profiles, then reads them with the profile cache warm and
// disabled, each phase on a freshly opened store.
func (w *workload) run(ctx context.Context) (*report, error) {
	w.ids = userIDs(w.cfg.users)
	rep := &report{cfg: w.cfg, dir: w.dir}
	ph, err := w.loadPhase(ctx)
	if err != nil {
		return nil, err
	}
	rep.phases = append(rep.phases, ph)
	for _, cacheOn := range []bool{true, false} {
		ph, err := w.readPhase(ctx, cacheOn)
		if err != nil {
			return nil, err
		}
		rep.phases = append(rep.phases, ph)
	}
	if rep.diskBytes, err = dirSize(w.dir); err != nil {
		return nil, err
	}
	return rep, nil
}

// loadPhase creates the profiles with NoSync and closes the store.
func (w *workload) loadPhase(ctx context.Context) (ph phase, err error) {
	db, err := engine.Open(w.dir, &engine.Options{NoSync: true})
	if err != nil {
		return ph, err
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	w.logf("load: %d profiles on %d goroutines (NoSync) into %s", w.cfg.users, w.cfg.workers, w.dir)
	step := max(w.cfg.users/10, loadChunk)
	progress := func(done int) {
		if done%step < loadChunk || done == w.cfg.users {
			w.logf("load: %d/%d", done, w.cfg.users)
		}
	}
	start := time.Now()
	lats, err := loadProfiles(ctx, db, w.cfg.users, w.cfg.seed, w.cfg.workers, progress)
	if err != nil {
		return ph, err
	}
	return newPhase("load UpdateProfile", 1, lats, time.Since(start)), nil
}

// readPhase opens the store with the profile cache on or off, warms it
// with one pass over every user, then reads random batches for the
// configured duration.
func (w *workload) readPhase(ctx context.Context, cacheOn bool) (ph phase, err error) {
	opts := &engine.Options{NoSync: true, ProfileCache: engine.ProfileCacheOptions{Disabled: !cacheOn}}
	db, err := engine.Open(w.dir, opts)
	if err != nil {
		return ph, err
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	name := fmt.Sprintf("GetProfiles cache=%s", onOff(cacheOn))
	w.logf("%s: warm-up pass over %d users", name, len(w.ids))
	if err := w.warm(ctx, db); err != nil {
		return ph, err
	}
	w.logf("%s: random batches of %d for %v", name, w.cfg.batch, w.cfg.duration)
	lats, wall, err := w.readRandom(ctx, db)
	if err != nil {
		return ph, err
	}
	return newPhase(name, w.cfg.batch, lats, wall), nil
}

// warm reads every user once, in ID order, batch by batch.
func (w *workload) warm(ctx context.Context, db *engine.DB) error {
	for from := 0; from < len(w.ids); from += w.cfg.batch {
		batch := w.ids[from:min(from+w.cfg.batch, len(w.ids))]
		if err := getAll(ctx, db, batch); err != nil {
			return err
		}
	}
	return nil
}

// readRandom reads random batches until the phase's time is up and
// returns the latency of each call and the wall time.
func (w *workload) readRandom(ctx context.Context, db *engine.DB) ([]time.Duration, time.Duration, error) {
	rng := rand.New(rand.NewPCG(w.cfg.seed, uint64(w.cfg.batch)))
	batch := make([]string, w.cfg.batch)
	lats := make([]time.Duration, 0, 1<<16)
	start := time.Now()
	for time.Since(start) < w.cfg.duration {
		for i := range batch {
			batch[i] = w.ids[rng.IntN(len(w.ids))]
		}
		t := time.Now()
		if err := getAll(ctx, db, batch); err != nil {
			return nil, 0, err
		}
		lats = append(lats, time.Since(t))
	}
	return lats, time.Since(start), nil
}

// getAll reads the profiles of ids and fails unless every one is found.
func getAll(ctx context.Context, db *engine.DB, ids []string) error {
	res, err := db.GetProfiles(ctx, ids[0], ids)
	if err != nil {
		return fmt.Errorf("GetProfiles: %w", err)
	}
	if len(res.Items) != len(ids) {
		return fmt.Errorf("GetProfiles: %d results for %d ids", len(res.Items), len(ids))
	}
	for _, it := range res.Items {
		if it.Err != nil || it.Profile == nil {
			return fmt.Errorf("GetProfiles: %s: no profile (%v)", it.UserID, it.Err)
		}
	}
	return nil
}

func (w *workload) logf(format string, args ...any) {
	fmt.Fprintf(w.log, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05.000")}, args...)...)
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

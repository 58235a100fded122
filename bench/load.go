package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kithdb/kith/engine"
)

// loadChunk is how many consecutive users a load worker takes at a time.
const loadChunk = 1000

// loader creates generated profiles through UpdateProfile.
type loader struct {
	db      *engine.DB
	seed    uint64
	n       int // users [0, n)
	workers int
	// progress, if set, is called after each chunk with the number of
	// users loaded so far; it may be called from several goroutines.
	progress func(done int)

	next atomic.Int64 // first user of the next chunk
	done atomic.Int64
}

// loadProfiles creates the profiles of users [0, n) on workers goroutines
// and returns the latency of every UpdateProfile call, in no particular
// order. It stops at the first error.
func loadProfiles(ctx context.Context, db *engine.DB, n int, seed uint64, workers int, progress func(int)) ([]time.Duration, error) {
	l := &loader{db: db, seed: seed, n: n, workers: max(workers, 1), progress: progress}
	return l.run(ctx)
}

func (l *loader) run(ctx context.Context) ([]time.Duration, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lats := make([][]time.Duration, l.workers)
	errs := make([]error, l.workers)
	var wg sync.WaitGroup
	for w := range l.workers {
		wg.Go(func() {
			lats[w], errs[w] = l.work(ctx)
			if errs[w] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	var all []time.Duration
	for w := range l.workers {
		if errs[w] != nil {
			return nil, errs[w]
		}
		all = append(all, lats[w]...)
	}
	return all, nil
}

// work loads chunks until none is left.
func (l *loader) work(ctx context.Context) ([]time.Duration, error) {
	lats := make([]time.Duration, 0, l.n/l.workers+loadChunk)
	for {
		from := int(l.next.Add(loadChunk)) - loadChunk
		if from >= l.n {
			return lats, nil
		}
		to := min(from+loadChunk, l.n)
		for i := from; i < to; i++ {
			start := time.Now()
			if _, err := l.db.UpdateProfile(ctx, userID(i), profileUpdate(l.seed, i)); err != nil {
				return nil, fmt.Errorf("load profile of %s: %w", userID(i), err)
			}
			lats = append(lats, time.Since(start))
		}
		done := l.done.Add(int64(to - from))
		if l.progress != nil {
			l.progress(int(done))
		}
	}
}

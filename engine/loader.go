package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// ProfileLoader loads the profiles that are not stored locally, for
// example from the service that owns them. Set it in Options.
type ProfileLoader interface {
	// Load returns the profiles of ids that exist; an ID missing from the
	// map does not exist. An error fails every ID of the call. Profiles
	// returned for IDs not asked are ignored. Load must honour ctx.
	Load(ctx context.Context, ids []string) (map[string]*Profile, error)
}

// LoaderFunc adapts a function to a ProfileLoader.
type LoaderFunc func(ctx context.Context, ids []string) (map[string]*Profile, error)

// Load calls f.
func (f LoaderFunc) Load(ctx context.Context, ids []string) (map[string]*Profile, error) {
	return f(ctx, ids)
}

// ErrLoad is matched by the per-item error of a profile whose load
// failed: the loader's error, a panic in the loader, or a context that
// ended before the load did. Load errors are never cached.
var ErrLoad = errors.New("kith: profile load failed")

// loadError wraps a loader failure so that it matches ErrLoad and the
// cause.
type loadError struct{ cause error }

func (e *loadError) Error() string   { return "kith: profile load failed: " + e.cause.Error() }
func (e *loadError) Unwrap() []error { return []error{ErrLoad, e.cause} }

// flight is one load of one user in progress; callers missing the same
// user wait on it instead of loading again (single flight).
type flight struct {
	done chan struct{}
	p    *Profile // nil: not found
	err  error
}

// loads runs the loader: at most one load per user at a time, the misses
// of one call batched into one Load.
type loads struct {
	loader ProfileLoader
	mu     sync.Mutex
	flying map[string]*flight

	// life is cancelled by Close, which then waits for the loads in
	// flight (wg): no loader goroutine outlives the DB.
	life   context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	count, errors atomic.Uint64 // Load calls, and those that failed
}

// load returns, for each of ids, the loaded profile (nil if not found) or
// an error wrapping ErrLoad, or ErrClosed once close has begun. onLoaded
// runs once per user this call loaded itself (not for users another call
// was already loading), before the flight lands, so that the cache is
// filled before waiters return; it gets the fill token token(id) taken
// before the load began.
func (l *loads) load(ctx context.Context, ids []string, token func(string) cacheToken,
	onLoaded func(id string, p *Profile, tok cacheToken)) ([]*Profile, []error) {
	mine, all := l.join(ids)
	if all == nil { // closed
		errs := make([]error, len(ids))
		for i := range errs {
			errs[i] = ErrClosed
		}
		return make([]*Profile, len(ids)), errs
	}
	if len(mine) > 0 {
		toks := make(map[string]cacheToken, len(mine))
		for id := range mine {
			toks[id] = token(id) // before the load: see cache.Fill
		}
		go func() { // join counted it in l.wg
			defer l.wg.Done()
			fc, release := l.flightContext(ctx)
			defer release()
			l.fly(fc, mine, func(id string, p *Profile) { onLoaded(id, p, toks[id]) })
		}()
	}
	profiles := make([]*Profile, len(ids))
	errs := make([]error, len(ids))
	for i, f := range all {
		select {
		case <-f.done:
			profiles[i], errs[i] = f.p, f.err
		case <-ctx.Done():
			errs[i] = &loadError{ctx.Err()}
		}
	}
	return profiles, errs
}

// join returns the flights of ids, starting new ones for the users no
// call is loading yet (mine), and counts the load of mine in l.wg. Once
// close has begun it starts none and returns nil: the check and the count
// are under l.mu, as close's cancel is, so that close's wait sees every
// load that started.
func (l *loads) join(ids []string) (mine map[string]*flight, all []*flight) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.life.Err() != nil {
		return nil, nil
	}
	mine = make(map[string]*flight)
	all = make([]*flight, len(ids))
	for i, id := range ids {
		f, ok := l.flying[id]
		if !ok {
			f = &flight{done: make(chan struct{})}
			l.flying[id] = f
			mine[id] = f
		}
		all[i] = f
	}
	if len(mine) > 0 {
		l.wg.Add(1)
	}
	return mine, all
}

// fly runs one Load for the flights of mine and lands them. It runs on a
// goroutine of its own so that a caller can give up at its deadline even
// if the loader ignores ctx; the load itself is not cut short (its
// result still serves the other waiters and the cache).
func (l *loads) fly(ctx context.Context, mine map[string]*flight, onLoaded func(string, *Profile)) {
	ids := make([]string, 0, len(mine))
	for id := range mine {
		ids = append(ids, id)
	}
	got, err := l.call(ctx, ids)
	l.count.Add(1)
	if err != nil {
		l.errors.Add(1)
		err = &loadError{err}
	}
	for id, f := range mine {
		f.err = err
		if err == nil {
			f.p = got[id]
			onLoaded(id, f.p)
		}
	}
	l.mu.Lock()
	for id, f := range mine {
		delete(l.flying, id)
		close(f.done)
	}
	l.mu.Unlock()
}

// call runs the loader, turning a panic into an error.
func (l *loads) call(ctx context.Context, ids []string) (got map[string]*Profile, err error) {
	defer func() {
		if r := recover(); r != nil {
			got, err = nil, fmt.Errorf("loader panicked: %v", r)
		}
	}()
	return l.loader.Load(ctx, ids)
}

func newLoads(loader ProfileLoader) *loads {
	l := &loads{loader: loader, flying: map[string]*flight{}}
	l.life, l.cancel = context.WithCancel(context.Background())
	return l
}

// flightContext is the context of a load: the values of the call that
// started it, but cancelled only by Close, since the load also serves
// other callers, who may wait longer than the first. release must be
// called when the load ends: until then l.life holds the flight's
// context, and with it the caller's.
func (l *loads) flightContext(ctx context.Context) (fc context.Context, release func()) {
	fc, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(l.life, cancel)
	return fc, func() {
		stop()
		cancel()
	}
}

// close cancels the loads in flight and waits for them. A loader that
// ignores its context makes Close wait for it.
func (l *loads) close() {
	l.mu.Lock()
	l.cancel() // under l.mu: join starts no load after this
	l.mu.Unlock()
	l.wg.Wait()
}

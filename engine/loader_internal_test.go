package engine

import (
	"context"
	"errors"
	"testing"
)

// TestLoads_NoLoadAfterClose: once close has begun no load starts (it
// would outlive Close, which waited for the loads before it); the
// callers get ErrClosed.
func TestLoads_NoLoadAfterClose(t *testing.T) {
	called := false
	l := newLoads(LoaderFunc(func(context.Context, []string) (map[string]*Profile, error) {
		called = true
		return nil, nil
	}))
	l.close()
	ps, errs := l.load(context.Background(), []string{"a", "b"},
		func(string) (tok cacheToken) { return tok },
		func(string, *Profile, cacheToken) { t.Error("onLoaded called after close") })
	if called {
		t.Fatal("the loader ran after close")
	}
	if len(ps) != 2 || len(errs) != 2 || !errors.Is(errs[0], ErrClosed) || !errors.Is(errs[1], ErrClosed) {
		t.Fatalf("load after close = %v, %v; want ErrClosed for both", ps, errs)
	}
	if len(l.flying) != 0 {
		t.Fatalf("flights left after close: %v", l.flying)
	}
}

package engine

import (
	"context"
	"testing"
)

// TestSubscribe_NilFunc: a nil callback subscribes nothing (called on the
// delivery goroutine, it would crash the process at the next event);
// writes go on, and its cancel is harmless.
func TestSubscribe_NilFunc(t *testing.T) {
	db := openMemDB(t)
	cancel := db.Subscribe(nil)
	if db.subs.active() {
		t.Fatal("Subscribe(nil) registered a subscriber")
	}
	if _, err := db.UpdateProfile(context.Background(), "u", ProfileUpdate{Nick: new("n")}); err != nil {
		t.Fatal(err)
	}
	cancel()
	cancel()
}

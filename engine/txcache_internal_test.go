package engine

import (
	"context"
	"runtime"
	"testing"
)

// A reader that meets a writer between its commit and its cache
// write-through must not pair the committed page with the cached, older
// counters, nor serve the cached, older first page, nor answer a relation
// check from them: the writer holds the owner's lock then, so the reader
// reads through its own view.
func TestReaderBetweenCommitAndWriteThrough(t *testing.T) {
	db := openMemDB(t)
	ctx := context.Background()
	for _, u := range []string{"me", "a", "b"} {
		if _, err := db.UpdateProfile(ctx, u, ProfileUpdate{AllowType: new(AllowAny)}); err != nil {
			t.Fatal(err)
		}
	}
	add := func(peer string) error {
		res, err := db.AddFriends(ctx, "me", []AddFriendRequest{{UserID: peer, Type: AddSingle}})
		if err == nil {
			err = res[0].Err
		}
		return err
	}
	if err := add("a"); err != nil {
		t.Fatal(err)
	}
	before, err := db.Counts(ctx, "me") // counters cached now
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ListFriends(ctx, "me", ListOptions{}); err != nil { // first page cached now
		t.Fatal(err)
	}
	if _, err := db.CheckFriends(ctx, "me", []string{"a", "b"}, CheckBoth); err != nil { // friend sets cached now
		t.Fatal(err)
	}
	if _, ok := db.sets.Get("me"); !ok {
		t.Fatal("CheckFriends cached no friend set of me")
	}
	committed, release := make(chan struct{}), make(chan struct{})
	db.testHookCommitted = func() {
		db.testHookCommitted = nil
		close(committed)
		<-release
	}
	done := make(chan error)
	go func() { done <- add("b") }()
	<-committed
	page, err := db.ListFriends(ctx, "me", ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c, cerr := db.Counts(ctx, "me")
	mine, merr := db.CheckFriends(ctx, "me", []string{"b"}, CheckSingle)
	theirs, terr := db.CheckFriends(ctx, "b", []string{"me"}, CheckBoth)
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{cerr, merr, terr} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if mine[0].Relation != InMyList || theirs[0].Relation != InTheirList {
		t.Errorf("CheckFriends: me has b: %d, b has me: %d; want %d, %d", mine[0].Relation, theirs[0].Relation, InMyList, InTheirList)
	}
	if len(page.Items) != 2 || page.Seq != before.Seq+1 {
		t.Errorf("page of %d friends at seq %d, want 2 at seq %d", len(page.Items), page.Seq, before.Seq+1)
	}
	if c.Friends != 2 || c.Seq != before.Seq+1 {
		t.Errorf("Counts = %+v, want 2 friends at seq %d", c, before.Seq+1)
	}
}

// TestProfileCacheShards checks the shard rule of the per-user caches:
// one LRU for a small cache or one CPU, else two per CPU, from 4 to 16.
func TestProfileCacheShards(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, tc := range []struct{ procs, entries, want int }{
		{2, 16*1024 - 1, 1},
		{1, 1 << 20, 1},
		{2, 16 * 1024, 4},
		{2, 1 << 20, 4},
		{3, 1 << 20, 8},
		{4, 1 << 20, 8},
		{8, 1 << 20, 16},
		{64, 1 << 20, 16},
	} {
		runtime.GOMAXPROCS(tc.procs)
		if got := userCacheShards(tc.entries); got != tc.want {
			t.Errorf("GOMAXPROCS %d, %d entries: %d shards, want %d", tc.procs, tc.entries, got, tc.want)
		}
	}
}

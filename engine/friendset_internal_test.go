package engine

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestReaderFillsLongListAtSecondMiss: a relation check fills the set of
// a list longer than readerSetFill only when it misses that user's set
// for the second time (fillGhosts), and the set then answers as Pebble
// does.
func TestReaderFillsLongListAtSecondMiss(t *testing.T) {
	db := openMemDB(t)
	ctx := context.Background()
	n := readerSetFill + 4
	var reqs []AddFriendRequest
	for i := range n {
		p := fmt.Sprintf("p%02d", i)
		if _, err := db.UpdateProfile(ctx, p, ProfileUpdate{Nick: new(p)}); err != nil {
			t.Fatal(err)
		}
		reqs = append(reqs, AddFriendRequest{UserID: p, Type: AddSingle})
	}
	res, err := db.AddFriends(ctx, "hub", reqs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("hub adds %s: %v", r.UserID, r.Err)
		}
	}
	db.sets.Purge() // the txn kept hub's set; start from none

	check := func(peer string, want Relation) {
		t.Helper()
		got, err := db.CheckFriends(ctx, "hub", []string{peer}, CheckBoth)
		if err != nil {
			t.Fatal(err)
		}
		if got[0].Relation != want {
			t.Fatalf("CheckFriends(hub, %s) = %d, want %d", peer, got[0].Relation, want)
		}
	}
	check("p00", InMyList)
	if _, ok := db.sets.Get("hub"); ok {
		t.Fatalf("a first miss filled the set of a list of %d friends", n)
	}
	check("p01", InMyList)
	if got := cachedSetLen(db, "hub"); got != n {
		t.Fatalf("after a second miss: %d IDs in the cached set, want %d", got, n)
	}
	check("p02", InMyList)      // from the set
	check("nobody", NoRelation) // not in the set

	// Writes keep the filled set exact: p00 adds hub back, hub deletes p01.
	if res, err := db.AddFriends(ctx, "p00", []AddFriendRequest{{UserID: "hub", Type: AddSingle}}); err != nil || res[0].Err != nil {
		t.Fatalf("p00 adds hub: %v %v", err, res)
	}
	if res, err := db.DeleteFriends(ctx, "hub", []string{"p01"}, DeleteSingle); err != nil || res[0].Err != nil {
		t.Fatalf("hub deletes p01: %v %v", err, res)
	}
	check("p00", BothWay)
	check("p01", NoRelation)
	if got := cachedSetLen(db, "hub"); got != n-1 {
		t.Fatalf("after the writes: %d IDs in the cached set, want %d", got, n-1)
	}
}

// cachedSetLen returns the length of uid's cached friend set, -1 if none.
func cachedSetLen(db *DB, uid string) int {
	if s, ok := db.sets.Get(uid); ok {
		return s.len()
	}
	return -1
}

func TestFillGhostsRememberOneMiss(t *testing.T) {
	var g fillGhosts
	g.init(0)
	if g.missedBefore("a") {
		t.Fatal("a first miss was remembered before it happened")
	}
	if !g.missedBefore("a") || !g.missedBefore("a") {
		t.Fatal("a repeated miss was not remembered")
	}
	if g.missedBefore("b") {
		t.Fatal("b's first miss counts as a second")
	}
}

// TestFriendSetApply applies random adds and removes of IDs of varied
// lengths to a set and to a map: after each, the set holds exactly the
// map's IDs, in order, and answers has as the map does.
func TestFriendSetApply(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	s, want := &friendSet{}, map[string]bool{}
	for step := range 3000 {
		id := strings.Repeat("x", rng.IntN(3)) + fmt.Sprint(rng.IntN(200))
		add := rng.IntN(3) > 0
		s.apply(id, add)
		if add {
			want[id] = true
		} else {
			delete(want, id)
		}
		ids := slices.Sorted(maps.Keys(want))
		if s.len() != len(ids) {
			t.Fatalf("step %d: %d IDs, want %d", step, s.len(), len(ids))
		}
		for i, w := range ids {
			if got := string(s.at(i)); got != w {
				t.Fatalf("step %d: ID %d is %q, want %q", step, i, got, w)
			}
		}
		probe := strings.Repeat("x", rng.IntN(3)) + fmt.Sprint(rng.IntN(200))
		if s.has(probe) != want[probe] {
			t.Fatalf("step %d: has(%q) = %v, want %v", step, probe, s.has(probe), want[probe])
		}
	}
}

// TestFriendSetSize: setSize follows the arrays' capacity, and apply
// reports exactly the changes that moved an array.
func TestFriendSetSize(t *testing.T) {
	s := &friendSet{}
	for i := range 100 {
		before := setSize(s)
		moved := s.apply(fmt.Sprintf("u%03d", i), true)
		if moved != (setSize(s) != before) {
			t.Fatalf("add %d: moved %v, size %d -> %d", i, moved, before, setSize(s))
		}
	}
	if got, want := setSize(s), 64+cap(s.data)+4*cap(s.ends); got != want || cap(s.data) < 400 {
		t.Fatalf("setSize = %d, want %d (data cap %d)", got, want, cap(s.data))
	}
	if s.apply("u050", false) {
		t.Fatal("a remove moved an array")
	}
}

func TestFriendSetHasDoesNotAllocate(t *testing.T) {
	s := &friendSet{}
	for i := range 50 {
		s.apply(fmt.Sprintf("user-%d", i), true)
	}
	if n := testing.AllocsPerRun(100, func() { s.has("user-17") }); n != 0 {
		t.Fatalf("has allocates %v times", n)
	}
}

func TestFillGhostsSize(t *testing.T) {
	for _, c := range []struct{ entries, slots int }{
		{0, minGhostSlots}, {100, minGhostSlots}, {100_000, 1 << 17}, {1 << 17, 1 << 17}, {1 << 40, maxGhostSlots},
	} {
		var g fillGhosts
		g.init(c.entries)
		if len(g.slots) != c.slots {
			t.Errorf("init(%d): %d slots, want %d", c.entries, len(g.slots), c.slots)
		}
	}
}

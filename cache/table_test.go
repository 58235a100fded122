package cache

import (
	"math/rand/v2"
	"testing"
)

// checkTable checks t's invariants: at most half full, n counting its
// occupied slots, and every occupied slot reachable by a probe from its
// home (no empty slot between them).
func checkTable(tb testing.TB, t *table) {
	tb.Helper()
	mask := uint64(len(t.slots) - 1)
	if len(t.slots) < minSlots || len(t.slots)&(len(t.slots)-1) != 0 {
		tb.Fatalf("table of %d slots, want a power of two >= %d", len(t.slots), minSlots)
	}
	if 2*t.n > len(t.slots) {
		tb.Fatalf("table of %d slots holds %d, more than half", len(t.slots), t.n)
	}
	n := 0
	for p, s := range t.slots {
		if s == 0 {
			continue
		}
		n++
		for q := home(s, mask); q != uint64(p); q = (q + 1) & mask {
			if t.slots[q] == 0 {
				tb.Fatalf("slot %d (node %d, home %d) is cut off by the empty slot %d", p, nodeOf(s), home(s, mask), q)
			}
		}
	}
	if n != t.n {
		tb.Fatalf("table counts %d slots, holds %d", t.n, n)
	}
}

// TestTable_Model inserts and deletes random nodes with few distinct
// homes, through growth and runs that wrap around the end, against a map,
// and checks after every step that each live node is found from its home
// and that no deleted one is.
func TestTable_Model(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	tab := newTable()
	live := map[int32]uint64{} // node -> hash
	find := func(h uint64, i int32) bool {
		mask := uint64(len(tab.slots) - 1)
		for p := home(slotOf(h, i), mask); tab.slots[p] != 0; p = (p + 1) & mask {
			if tab.slots[p] == slotOf(h, i) {
				return true
			}
		}
		return false
	}
	for step := range 20000 {
		i := int32(1 + r.IntN(200))
		if h, ok := live[i]; ok {
			tab.delete(h, i)
			delete(live, i)
			if find(h, i) {
				t.Fatalf("step %d: deleted node %d still found", step, i)
			}
		} else {
			// Hashes whose low bits are near the end of any table, or its
			// start, and a high half that must not matter.
			h := uint64(r.Uint32())<<32 | uint64(uint32(r.IntN(6)-3))
			tab.insert(h, i)
			live[i] = h
		}
		checkTable(t, &tab)
		if tab.n != len(live) {
			t.Fatalf("step %d: table holds %d, want %d", step, tab.n, len(live))
		}
		for j, h := range live {
			if !find(h, j) {
				t.Fatalf("step %d: live node %d not found", step, j)
			}
		}
	}
}

// TestTable_Grows checks that inserts double the table before it is more
// than half full, and that every node is found after each growth.
func TestTable_Grows(t *testing.T) {
	tab := newTable()
	l := lru[int]{nodes: make([]node[int], 1), index: tab}
	for i := range 1000 {
		k := string(rune('a'+i%26)) + string(rune(i))
		l.push(k, uint64(i)*0x9E3779B97F4A7C15, entry[int]{v: i}, 2000)
	}
	checkTable(t, &l.index)
	if got := len(l.index.slots); got != 2048 {
		t.Errorf("1000 entries in %d slots, want 2048", got)
	}
	for i := 1; i < len(l.nodes); i++ {
		if got := l.find(l.nodes[i].key, l.nodes[i].hash); got != int32(i) {
			t.Fatalf("find(%q) = %d, want %d", l.nodes[i].key, got, i)
		}
	}
}

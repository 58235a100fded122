package cache

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// keys returns l's keys from the least recently used to the most.
func (l *lru[V]) keys() []string {
	keys := make([]string, 0, l.n)
	for i := l.nodes[0].newer; i != 0; i = l.nodes[i].newer {
		keys = append(keys, l.nodes[i].key)
	}
	return keys
}

// TestLRU_Model runs random pushes, finds, moves to the front and removals
// on an lru and on a plain slice in LRU order, and compares them after
// every step. Keys have one of four hashes, so most share their hash with
// others, and two of the hashes' homes are the table's last slots, so the
// runs of slots wrap around its end; removals shift them back across it.
func TestLRU_Model(t *testing.T) {
	const capacity = 16
	r := rand.New(rand.NewPCG(1, 2))
	l := newLRU[int]()
	var model []string // least recently used first
	hashOf := func(k string) uint64 { n, _ := strconv.Atoi(k); return uint64(uint32(n%4 - 2)) }
	for step := range 20000 {
		k := strconv.Itoa(r.IntN(40))
		h := hashOf(k)
		i := l.find(k, h)
		at := slices.Index(model, k)
		if (i != 0) != (at >= 0) {
			t.Fatalf("step %d: find(%s) = %d, model has it at %d", step, k, i, at)
		}
		switch op := r.IntN(3); {
		case i == 0 && len(model) < capacity:
			i = l.push(k, h, entry[int]{v: step}, capacity)
			model = append(model, k)
		case i == 0:
			old := l.oldest()
			if got := l.nodes[old].key; got != model[0] {
				t.Fatalf("step %d: oldest is %s, want %s", step, got, model[0])
			}
			l.remove(old)
			model = model[1:]
		case op == 0:
			l.toFront(i)
			model = append(slices.Delete(model, at, at+1), k)
		case op == 1:
			l.remove(i)
			if l.nodes[i].key != "" || l.nodes[i].hash != 0 {
				t.Fatalf("step %d: removed node %d keeps its key or hash", step, i)
			}
			model = slices.Delete(model, at, at+1)
		default:
			if l.nodes[i].hash != h {
				t.Fatalf("step %d: node %d of %q has hash %d, want %d", step, i, k, l.nodes[i].hash, h)
			}
		}
		if got := l.keys(); !slices.Equal(got, model) {
			t.Fatalf("step %d: keys %v, want %v", step, got, model)
		}
		if l.len() != len(model) {
			t.Fatalf("step %d: len %d, want %d", step, l.len(), len(model))
		}
		if len(l.nodes) > capacity+1 {
			t.Fatalf("step %d: %d nodes for a capacity of %d", step, len(l.nodes), capacity)
		}
		// The table indexes exactly the live keys.
		for _, k := range model {
			if i := l.find(k, hashOf(k)); i == 0 || l.nodes[i].key != k {
				t.Fatalf("step %d: find(%s) = %d after the step", step, k, i)
			}
		}
		if l.index.n != len(model) {
			t.Fatalf("step %d: table holds %d slots, want %d", step, l.index.n, len(model))
		}
		checkTable(t, &l.index)
	}
}

// TestNew_RejectsTooManyEntries checks that a shard's entries must fit
// the lru's int32 indices.
func TestNew_RejectsTooManyEntries(t *testing.T) {
	if _, err := New[int](Options{Entries: maxNodes - 1}); err != nil {
		t.Errorf("New with %d entries: %v", maxNodes-1, err)
	}
	if _, err := New[int](Options{Entries: maxNodes}); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("New with %d entries: %v, want ErrInvalidOptions", maxNodes, err)
	}
	if _, err := New[int](Options{Entries: 4 * maxNodes, Shards: 8}); err != nil {
		t.Errorf("New with %d entries in 8 shards: %v", 4*maxNodes, err)
	}
}

// TestLRU_GrowsToCapacity checks that the nodes grow as entries arrive, to
// capacity+1 at most, and that freed nodes are reused before growing.
func TestLRU_GrowsToCapacity(t *testing.T) {
	l := newLRU[int]()
	for i := range 100 {
		l.push(strconv.Itoa(i), uint64(i), entry[int]{}, 100)
	}
	if len(l.nodes) != 101 || cap(l.nodes) != 101 {
		t.Fatalf("100 entries in %d nodes, capacity %d; want 101", len(l.nodes), cap(l.nodes))
	}
	l.remove(l.oldest())
	l.remove(l.find("50", 50))
	l.push("x", 1000, entry[int]{}, 100)
	l.push("y", 1001, entry[int]{}, 100)
	if len(l.nodes) != 101 || l.free != 0 {
		t.Errorf("after two removes and two pushes: %d nodes, free %d; want 101 and 0", len(l.nodes), l.free)
	}
}

package cache

// table is an lru's index from a key's hash to its node: open addressing
// with linear probing over a power-of-two array of slots, at most half
// full. A slot holds a node's index in its low 32 bits and the low 32 bits
// of the node's hash (its tag) in its high 32; 0 is an empty slot, as node
// 0, the sentinel, is never indexed.
//
// It replaced a Go map[uint64]int32, for what a lookup reads. A large Go
// map is a directory of tables of groups; a lookup in a shard of 62,500
// entries follows three dependent loads to a group before it reads the
// node, and with a cache of gigabytes each load is likely a miss of the
// CPU caches and of the TLB. Here a lookup reads one slot, usually in the
// line it starts on, then the node whose tag matches: two random reads
// where there were four or five (docs/PERFORMANCE.md, "Eleventh stop").
// The slots hold no pointer, so the garbage collector does not scan them.
//
// The tag also gives a slot's home, tag & mask, so a removal shifts the
// slots that follow it back without reading their nodes (Knuth's
// Algorithm R), and no slot is ever marked deleted.
type table struct {
	slots []uint64 // len is a power of two, at least minSlots
	n     int      // occupied slots
}

// minSlots is the size of an empty table.
const minSlots = 8

// newTable returns an empty table.
func newTable() table { return table{slots: make([]uint64, minSlots)} }

// tagOf returns the tag of a key of hash h: its low 32 bits.
func tagOf(h uint64) uint64 { return uint64(uint32(h)) }

// slotOf returns the slot of node i, whose hash is h.
func slotOf(h uint64, i int32) uint64 { return tagOf(h)<<32 | uint64(uint32(i)) }

// nodeOf returns the node index held by slot s.
func nodeOf(s uint64) int32 { return int32(uint32(s)) }

// home returns where slot s's probe sequence starts, for a mask.
func home(s, mask uint64) uint64 { return s >> 32 & mask }

// insert indexes node i of hash h. i must not be indexed yet.
func (t *table) insert(h uint64, i int32) {
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	t.place(slotOf(h, i))
	t.n++
}

// place puts slot s in the first empty slot of its probe sequence.
func (t *table) place(s uint64) {
	mask := uint64(len(t.slots) - 1)
	p := home(s, mask)
	for t.slots[p] != 0 {
		p = (p + 1) & mask
	}
	t.slots[p] = s
}

// grow doubles the slots and places every slot again.
func (t *table) grow() {
	old := t.slots
	t.slots = make([]uint64, 2*len(old))
	for _, s := range old {
		if s != 0 {
			t.place(s)
		}
	}
}

// delete removes node i, of hash h, which must be indexed.
func (t *table) delete(h uint64, i int32) {
	mask := uint64(len(t.slots) - 1)
	s := slotOf(h, i)
	p := home(s, mask)
	for t.slots[p] != s {
		p = (p + 1) & mask
	}
	// Close the gap at p: a later slot of the run moves back into it
	// unless its home lies cyclically in (p, q], where a probe for it
	// starts after the gap and would not pass it.
	for q := (p + 1) & mask; t.slots[q] != 0; q = (q + 1) & mask {
		h := home(t.slots[q], mask)
		if (q-h)&mask >= (q-p)&mask {
			t.slots[p] = t.slots[q]
			p = q
		}
	}
	t.slots[p] = 0
	t.n--
}

package cache

// lru is one shard's entries and their order of use: an array of nodes
// linked by index, and a table from a key's hash to its node (table.go).
//
// It is kith's own and not golang-lru's simplelru, for the garbage
// collector. simplelru keeps each entry as a heap object pointing at its
// two neighbours and its list, and a map from key to entry: seven
// pointers an entry besides the value's, each one a lookup of a random
// span for the collector's marking. Four caches of a million users made
// the marking of a 1M-user store the larger part of its CPU time (see
// docs/PERFORMANCE.md, "Ninth stop"). Here the links are int32 indices
// and the table holds no pointer, so the collector does not scan it: an
// entry's pointers are its key's and its value's.
//
// Node 0 is the list's sentinel: nodes[0].older is the most recently used
// node and nodes[0].newer the least; a node's older leads, from the most
// recent, to the least and then back to node 0. A removed node joins the
// free chain, linked by older, and is reused before the array grows. An
// lru is not safe for concurrent use: its shard's lock guards it.
type lru[V any] struct {
	nodes []node[V]
	index table // a key's hash to its node
	free  int32 // first free node; 0: none
	n     int32 // nodes in the list

	touched int32 // a sum of what touch read, stored so that the compiler keeps the reads
}

// node is an entry, its key and its links.
type node[V any] struct {
	entry[V]
	key          string
	hash         uint64
	newer, older int32 // neighbours in the list
}

// maxNodes is the most entries an lru holds, as its indices are int32.
const maxNodes = 1<<31 - 2

// newLRU returns an empty lru. It allocates its nodes as entries arrive
// (see push for the bound).
func newLRU[V any]() lru[V] {
	return lru[V]{nodes: make([]node[V], 1), index: newTable()}
}

// len returns the number of entries.
func (l *lru[V]) len() int { return int(l.n) }

// find returns the node of key, whose hash is h; 0 when key is absent. It
// is table's lookup, written here so that it compares keys without a
// call.
func (l *lru[V]) find(key string, h uint64) int32 {
	slots := l.index.slots
	mask := uint64(len(slots) - 1)
	tag := tagOf(h)
	for p := tag & mask; ; p = (p + 1) & mask {
		s := slots[p]
		if s == 0 {
			return 0
		}
		if s>>32 == tag {
			if i := nodeOf(s); l.nodes[i].key == key {
				return i
			}
		}
	}
}

// touch reads, for each hashes[i] with i in idx, the key's home slot,
// then the node of each slot whose tag matches, then that node's key, in
// three passes, so that the misses of a batch of lookups overlap (see
// getSomeUnlock). It changes nothing but l.touched.
func (l *lru[V]) touch(hashes []uint64, idx []uint8) {
	var (
		homes [groupKeys]uint64
		keys  [groupKeys]string
	)
	slots := l.index.slots
	mask := uint64(len(slots) - 1)
	for j, i := range idx {
		homes[j] = slots[tagOf(hashes[i])&mask]
	}
	for j, i := range idx {
		if s := homes[j]; s>>32 == tagOf(hashes[i]) {
			keys[j] = l.nodes[nodeOf(s)].key
		}
	}
	var sum int32
	for _, k := range keys[:len(idx)] {
		if k != "" {
			sum += int32(k[0])
		}
	}
	l.touched = sum
}

// oldest returns the least recently used node; 0 when l is empty.
func (l *lru[V]) oldest() int32 { return l.nodes[0].newer }

// push adds key, absent from l, with hash h and entry e, as the most
// recently used node, and returns it. The array grows by doubling, up to
// capacity+1 nodes: the caller keeps l.len() < capacity before a push.
// It may move the nodes, so no pointer into them survives it.
func (l *lru[V]) push(key string, h uint64, e entry[V], capacity int) int32 {
	i := l.free
	if i != 0 {
		l.free = l.nodes[i].older
	} else {
		if len(l.nodes) == cap(l.nodes) {
			grown := make([]node[V], len(l.nodes), min(2*len(l.nodes), capacity+1))
			copy(grown, l.nodes)
			l.nodes = grown
		}
		i = int32(len(l.nodes))
		l.nodes = l.nodes[:i+1]
	}
	l.nodes[i] = node[V]{entry: e, key: key, hash: h}
	l.index.insert(h, i)
	l.link(i)
	l.n++
	return i
}

// remove takes node i out of l and frees it. It zeroes the node, so that
// its key and value can be collected.
func (l *lru[V]) remove(i int32) {
	l.unlink(i)
	l.index.delete(l.nodes[i].hash, i)
	l.nodes[i] = node[V]{older: l.free}
	l.free = i
	l.n--
}

// toFront makes node i the most recently used.
func (l *lru[V]) toFront(i int32) {
	l.unlink(i)
	l.link(i)
}

// link puts node i, not in the list, at its front.
func (l *lru[V]) link(i int32) {
	front := l.nodes[0].older
	l.nodes[i].newer, l.nodes[i].older = 0, front
	l.nodes[front].newer = i
	l.nodes[0].older = i
}

// unlink takes node i out of the list; it stays in the map.
func (l *lru[V]) unlink(i int32) {
	n := &l.nodes[i]
	l.nodes[n.newer].older = n.older
	l.nodes[n.older].newer = n.newer
}

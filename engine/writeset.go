package engine

import "bytes"

// smallWriteSet is the most writes a writeSet indexes by scanning them:
// a friend request stages 8 keys, and scanning a few beats a map whose
// every insert copies its key into a string.
const smallWriteSet = 32

// writeSet is a txn's staged writes in staging order, with an index from
// a key to its latest write: a backwards scan while the set is small, a
// map from then on.
type writeSet struct {
	ops []writeOp
	at  map[string]int // nil while len(ops) <= smallWriteSet
}

type writeOp struct {
	key, val []byte
	del      bool
}

// add stages op after the others.
func (w *writeSet) add(op writeOp) {
	w.ops = append(w.ops, op)
	switch {
	case w.at != nil:
		w.at[string(op.key)] = len(w.ops) - 1
	case len(w.ops) > smallWriteSet:
		w.reindex()
	}
}

// truncate drops the writes staged after the first n.
func (w *writeSet) truncate(n int) {
	w.ops = w.ops[:n]
	w.reindex()
}

func (w *writeSet) reindex() {
	if len(w.ops) <= smallWriteSet {
		w.at = nil
		return
	}
	w.at = make(map[string]int, len(w.ops))
	for i, op := range w.ops {
		w.at[string(op.key)] = i
	}
}

// latest returns the index in ops of key's latest write.
func (w *writeSet) latest(key []byte) (int, bool) {
	if w.at != nil {
		i, ok := w.at[string(key)]
		return i, ok
	}
	for i := len(w.ops) - 1; i >= 0; i-- {
		if bytes.Equal(w.ops[i].key, key) {
			return i, true
		}
	}
	return 0, false
}

// isLatest reports whether ops[i] is the latest write of its key: only
// those are committed.
func (w *writeSet) isLatest(i int) bool {
	j, _ := w.latest(w.ops[i].key)
	return j == i
}

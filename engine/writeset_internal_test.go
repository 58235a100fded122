package engine

import (
	"fmt"
	"testing"
)

// The write set answers latest and isLatest the same way below and above
// smallWriteSet, and after truncating back across it.
func TestWriteSetIndex(t *testing.T) {
	var w writeSet
	var model []string // keys in staging order
	check := func(when string) {
		t.Helper()
		if (w.at != nil) != (len(w.ops) > smallWriteSet) {
			t.Fatalf("%s: %d writes, map index %v", when, len(w.ops), w.at != nil)
		}
		for k := range 12 {
			key := fmt.Sprintf("k%d", k)
			want, found := -1, false
			for i, m := range model {
				if m == key {
					want, found = i, true
				}
			}
			got, ok := w.latest([]byte(key))
			if ok != found || found && got != want {
				t.Fatalf("%s: latest(%s) = %d %v, want %d %v", when, key, got, ok, want, found)
			}
		}
		for i := range w.ops {
			last := true
			for _, m := range model[i+1:] {
				if m == model[i] {
					last = false
				}
			}
			if w.isLatest(i) != last {
				t.Fatalf("%s: isLatest(%d) = %v, want %v", when, i, !last, last)
			}
		}
	}
	for i := range 3 * smallWriteSet {
		key := fmt.Sprintf("k%d", (i*7)%11) // repeats, never k11
		w.add(writeOp{key: []byte(key)})
		model = append(model, key)
		check(fmt.Sprintf("after %d adds", i+1))
	}
	for _, n := range []int{2 * smallWriteSet, smallWriteSet + 1, smallWriteSet, 5, 0} {
		w.truncate(n)
		model = model[:n]
		check(fmt.Sprintf("truncated to %d", n))
	}
}

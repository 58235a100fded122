package engine

import (
	"runtime"
	"strconv"
	"testing"
	"unsafe"
)

// gcPages is how many cached first pages BenchmarkFirstPages_GC holds: a
// quarter of what a 1M-user run caches with 1400 MiB budgets.
const gcPages = 100_000

// BenchmarkFirstPages_GC is the time of one full collection (runtime.GC)
// while gcPages compacted first pages of 20 friends are held, as the page
// cache holds them, beside the same pages with every string emptied (the
// pointers into their text gone, the structs kept) and beside as many
// bytes without pointers. It says where a 1M run's collections go: into
// scanning the pages' item and edge structs, not into following their
// strings. Run it on its own (-bench 'FirstPages_GC').
func BenchmarkFirstPages_GC(b *testing.B) {
	b.Run("pages", func(b *testing.B) {
		benchHeldGC(b, func(i int) any { page, _ := compactPage(gcTestPage(i)); return page })
	})
	b.Run("pages-without-strings", func(b *testing.B) {
		benchHeldGC(b, func(i int) any {
			page, _ := compactPage(gcTestPage(i))
			for j := range page {
				page[j].UserID = ""
				e := page[j].Edge
				e.Remark, e.AddSource, e.AddWording, e.Groups = "", "", "", nil
			}
			return page
		})
	})
	b.Run("same-bytes-no-pointers", func(b *testing.B) {
		size := 20 * int(unsafe.Sizeof(Friend{})+unsafe.Sizeof(FriendEdge{}))
		benchHeldGC(b, func(int) any { return make([]byte, size) })
	})
}

// gcTestPage returns a first page of 20 friends shaped like the workload
// tool's: an add source on every edge, a group on a third, a remark on a
// tenth.
func gcTestPage(n int) []Friend {
	items := make([]Friend, 20)
	for i := range items {
		e := &FriendEdge{AddedAt: int64(i), AddSource: "AddSource_Type_Search"}
		if i%10 == 0 {
			e.Remark = "r" + strconv.Itoa(n)
		}
		if i%3 == 0 {
			e.Groups = []string{"family"}
		}
		items[i] = Friend{UserID: "u" + strconv.Itoa(n*20+i), Edge: e}
	}
	return items
}

// benchHeldGC holds gcPages values made by mk and times runtime.GC, once
// per iteration.
func benchHeldGC(b *testing.B, mk func(i int) any) {
	held := make([]any, gcPages)
	for i := range held {
		held[i] = mk(i)
	}
	runtime.GC()
	b.ResetTimer()
	for b.Loop() {
		runtime.GC()
	}
	runtime.KeepAlive(held)
}

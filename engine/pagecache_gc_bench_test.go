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
// cache holds them ("pages"), beside:
//
//   - the same pages with every string emptied: the pointers into their
//     text gone, the edges kept;
//   - each page held as the ninth stop held it: a []Friend, each item's
//     Edge pointing into the page's edges, its strings into the page's
//     text. Those Friend structs cost the collector as much as the edges
//     again;
//   - as many bytes as the ninth stop's layout, without pointers.
//
// It says where a 1M run's collections go: into scanning the pages'
// structs, not into following their strings. Run it on its own (-bench
// 'FirstPages_GC').
func BenchmarkFirstPages_GC(b *testing.B) {
	b.Run("pages", func(b *testing.B) {
		benchHeldGC(b, func(i int) any { page, _ := compactPage(gcTestPage(i)); return page })
	})
	b.Run("pages-without-strings", func(b *testing.B) {
		benchHeldGC(b, func(i int) any {
			page, _ := compactPage(gcTestPage(i))
			page.text = ""
			for j := range page.edges {
				e := &page.edges[j]
				e.Remark, e.AddSource, e.AddWording, e.Groups = "", "", "", nil
			}
			return page
		})
	})
	b.Run("ninth-stop-layout", func(b *testing.B) {
		benchHeldGC(b, func(i int) any {
			page, _ := compactPage(gcTestPage(i))
			items := make([]Friend, len(page.edges))
			for j := range items {
				items[j] = Friend{UserID: page.id(j), Edge: &page.edges[j]}
			}
			return items
		})
	})
	b.Run("same-bytes-no-pointers", func(b *testing.B) {
		size := gcPageItems * int(unsafe.Sizeof(Friend{})+unsafe.Sizeof(FriendEdge{}))
		benchHeldGC(b, func(int) any { return make([]byte, size) })
	})
}

// gcPageItems is the length of a gcTestPage.
const gcPageItems = 20

// gcTestPage returns a first page of 20 friends shaped like the workload
// tool's: an add source on every edge, a group on a third, a remark on a
// tenth.
func gcTestPage(n int) []ListedFriend {
	items := make([]ListedFriend, gcPageItems)
	for i := range items {
		e := &FriendEdge{AddedAt: int64(i), AddSource: "AddSource_Type_Search"}
		if i%10 == 0 {
			e.Remark = "r" + strconv.Itoa(n)
		}
		if i%3 == 0 {
			e.Groups = []string{"family"}
		}
		items[i] = ListedFriend{UserID: "u" + strconv.Itoa(n*gcPageItems+i), Edge: e}
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

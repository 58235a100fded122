package engine

import (
	"fmt"
	"reflect"
	"testing"
	"unsafe"
)

// testPage is a page with every kind of string a cached page holds,
// empty ones included.
func testPage() []ListedFriend {
	items := make([]ListedFriend, 20)
	for i := range items {
		e := &FriendEdge{AddedAt: int64(i), AddSource: "AddSource_Type_Search"}
		if i%2 == 0 {
			e.Remark = fmt.Sprintf("remark %d", i)
			e.Groups = []string{"family", fmt.Sprintf("group %d", i)}
		}
		if i%5 == 0 {
			e.AddWording = "hello"
			e.Custom = map[string][]byte{"Tag_SNS_Custom_Note": []byte("n")}
		}
		items[i] = ListedFriend{UserID: fmt.Sprintf("user%03d", i), Edge: e}
	}
	return items
}

// compacted returns the items of the cached page compactPage makes of
// items.
func compacted(items []ListedFriend) []ListedFriend {
	p, _ := compactPage(items)
	p.complete = true
	got, _, _ := p.page(len(items))
	return got
}

// A compacted page reads the same as the page, shares no edge and no
// group array with it, and keeps its text in one string.
func TestCompactPage(t *testing.T) {
	items := testPage()
	want := testPage()
	got := compacted(items)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("compactPage changed the page:\ngot  %+v\nwant %+v", got, want)
	}
	items[0].Edge.Remark = "changed"
	items[0].Edge.Groups[0] = "changed"
	if got[0].Edge.Remark != want[0].Edge.Remark || got[0].Edge.Groups[0] != want[0].Edge.Groups[0] {
		t.Fatal("the compacted page shares an edge or a group array with its source")
	}
	// A custom key is copied: the one decoded with the edge is a piece of
	// the whole record, which the cache must not keep.
	record := "Tag_SNS_Custom_Note and the rest of a decoded record"
	src := testPage()
	src[0].Edge.Custom = map[string][]byte{record[:19]: []byte("n")}
	for k := range compacted(src)[0].Edge.Custom {
		if unsafe.StringData(k) == unsafe.StringData(record) {
			t.Fatal("a cached custom key shares its decoded record's memory")
		}
	}
	// Every non-empty string lies inside one block of text as long as
	// the sum of their lengths; an empty one points nowhere.
	lo, hi, total := ^uintptr(0), uintptr(0), 0
	for i := range got {
		visit := func(s *string) {
			if *s == "" {
				if unsafe.StringData(*s) != nil {
					t.Errorf("item %d: an empty string points into the page's text", i)
				}
				return
			}
			p := uintptr(unsafe.Pointer(unsafe.StringData(*s)))
			lo, hi, total = min(lo, p), max(hi, p+uintptr(len(*s))), total+len(*s)
		}
		visit(&got[i].UserID)
		eachString(got[i].Edge, visit)
	}
	if int(hi-lo) != total {
		t.Fatalf("the page's strings span %d bytes, hold %d: not one block of text", hi-lo, total)
	}
	// A group array has no room to grow into its neighbour's groups.
	if g := got[0].Edge.Groups; cap(g) != len(g) {
		t.Fatalf("groups of item 0: len %d, cap %d", len(g), cap(g))
	}
}

// A compacted page with groups and no custom fields is four allocations
// however many items it has: ID ends, edges, group names and text.
func TestCompactPageAllocations(t *testing.T) {
	items := testPage()
	for i := range items {
		items[i].Edge.Custom = nil
	}
	if n := testing.AllocsPerRun(10, func() { compactPage(items) }); n != 4 {
		t.Fatalf("compactPage made %v allocations, want 4", n)
	}
}

// compactPage's size counts what the copy keeps.
func TestPageSize(t *testing.T) {
	one := []ListedFriend{{UserID: "ab", Edge: &FriendEdge{Remark: "cde", Groups: []string{"fg"}}}}
	want := 64 + int(unsafe.Sizeof(uint32(0))+unsafe.Sizeof(FriendEdge{})) + int(unsafe.Sizeof("")) + len("ab"+"cde"+"fg")
	if _, got := compactPage(one); got != want {
		t.Fatalf("compactPage's size = %d, want %d", got, want)
	}
}

package engine

import (
	"errors"
	"strings"
	"unsafe"
)

// The first page of a friend list is what a client shows most (TAO's
// assoc_range): db.pages keeps it decoded, by owner. Like the counters
// cache (txcache.go) it is exact because of the owner's lock:
//
//   - a txn that stages any key of owner's friend list (kind f) drops
//     owner's page after its commit, before it unlocks
//     (writeThroughLists); Import holds every lock and purges the cache;
//   - ListFriends uses or fills a page only while it holds owner's lock
//     (TryLock; a reader never waits), so no write of owner can commit
//     in between. The page's Seq comes from the counters cache, under
//     the same lock.
//
// Only first pages (no After, no Group) of at most maxCachedPage items
// are cached: a miss reads the page under the lock, which writers of
// that lock's users wait for. The cache holds ProfileCache.Entries pages
// and ProfileCache.MaxBytes of them at most (as compactPage counts them).

const (
	// maxCachedPage bounds the items of a cached page, and so how long a
	// miss holds the owner's lock.
	maxCachedPage = 100
)

// cachedPage is the start of a friend list: its first items, and whether
// they are all of it. It keeps no ListedFriend: item i is built on each
// hit from its ID, text[ends[i-1]:ends[i]], and a pointer to edges[i].
// Kept items would be two more pointer words per item for the collector
// to scan on every cycle, one of them pointing into the edges, and with a
// million users' pages cached that scan was most of a cycle
// (docs/PERFORMANCE.md, tenth stop).
type cachedPage struct {
	text     string       // the items' IDs, in order, then their edges' strings
	ends     []uint32     // ends[i] is where item i's ID ends in text (maxCachedPage IDs of maxUserIDBytes fit)
	edges    []FriendEdge // read-only: shared with callers through ListedFriend.Edge
	complete bool
}

// id returns the ID of item i.
func (p *cachedPage) id(i int) string { return p.text[startOf(p.ends, i):p.ends[i]] }

// page answers a first page of limit items from p, if p holds enough.
// The items are new; their edges are p's.
func (p *cachedPage) page(limit int) (items []ListedFriend, next string, ok bool) {
	n := len(p.edges)
	switch {
	case n > limit:
		n, next = limit, p.id(limit-1)
	case n == limit && !p.complete:
		next = p.id(limit - 1)
	case !p.complete:
		return nil, "", false
	}
	items = make([]ListedFriend, n)
	for i := range items {
		items[i] = ListedFriend{UserID: p.id(i), Edge: &p.edges[i]}
	}
	return items, next, true
}

// compactPage copies items into the four allocations a cached page keeps
// for as long as it stays cached: the ends of the IDs, one array of
// edges, one of group names, and one string holding every ID, remark,
// source, wording and group name. size is the memory the copy holds, to
// charge against the page cache's byte budget: those four and the custom
// fields (their maps counted at a rough 48 bytes a field). Decoded, a
// page of 20 friends is about 50 heap objects, most of them strings of a
// few bytes each rounded up to a size class; with a million users' first
// pages cached, those were 19 M of the heap's 25 M objects
// (docs/PERFORMANCE.md, eighth stop). An edge's custom fields get a new
// map whose keys are copies: a decoded key is a piece of its whole
// record's string and would keep that alive. Their values are the
// decoder's own copies, shared.
func compactPage(items []ListedFriend) (page cachedPage, size int) {
	page.ends = make([]uint32, len(items))
	groups, textLen := 0, 0
	for i, f := range items {
		groups += len(f.Edge.Groups)
		textLen += len(f.UserID)
		page.ends[i] = uint32(textLen)
	}
	idsLen := textLen
	page.edges = make([]FriendEdge, len(items))
	names := make([]string, 0, groups)
	size = 64 + len(items)*int(unsafe.Sizeof(uint32(0))+unsafe.Sizeof(FriendEdge{})) + groups*int(unsafe.Sizeof(""))
	for i, f := range items {
		e := &page.edges[i]
		*e = *f.Edge
		if f.Edge.Custom != nil {
			e.Custom = make(map[string][]byte, len(f.Edge.Custom))
			for k, v := range f.Edge.Custom {
				e.Custom[strings.Clone(k)] = v
				size += 48 + len(k) + len(v)
			}
		}
		if g := f.Edge.Groups; len(g) > 0 {
			names = append(names, g...)
			e.Groups = names[len(names)-len(g) : len(names) : len(names)]
		}
		eachString(e, func(s *string) { textLen += len(*s) })
	}
	var text strings.Builder
	text.Grow(textLen)
	for _, f := range items {
		text.WriteString(f.UserID)
	}
	for i := range page.edges {
		eachString(&page.edges[i], func(s *string) { text.WriteString(*s) })
	}
	// Take the strings back from text in the order they were written. An
	// empty one stays the zero string, whose nil pointer the collector
	// skips; a piece of text, even empty, is a pointer it would follow.
	page.text = text.String()
	rest := page.text[idsLen:]
	for i := range page.edges {
		eachString(&page.edges[i], func(s *string) {
			if n := len(*s); n > 0 {
				*s, rest = rest[:n], rest[n:]
			} else {
				*s = ""
			}
		})
	}
	return page, size + textLen
}

// eachString calls fn with each string of e, always in the same order.
func eachString(e *FriendEdge, fn func(s *string)) {
	fn(&e.Remark)
	fn(&e.AddSource)
	fn(&e.AddWording)
	for i := range e.Groups {
		fn(&e.Groups[i])
	}
}

// cachedFirstPage answers ListFriends from the page cache, or reads the
// page and caches it, while it holds owner's lock. ok is false when it
// did neither (lock busy, no cache, or not a cacheable page): the caller
// reads the page the usual way.
func (db *DB) cachedFirstPage(owner string, opts *ListOptions, page *FriendPage) (ok bool, err error) {
	if db.pages == nil || opts.After != "" || opts.Group != "" || opts.Limit > maxCachedPage {
		return false, nil
	}
	mu := db.tryLockUser(owner)
	if mu == nil {
		return false, nil
	}
	defer mu.Unlock()
	lr := &lazyReader{db: db} // opened on a miss only
	defer func() { err = errors.Join(err, lr.close()) }()
	c, err := db.lockedCounters(lr, owner)
	if err != nil {
		return false, err
	}
	page.Seq = c.Seq
	if p, hit := db.pages.Get(owner); hit {
		if items, next, ok := p.page(opts.Limit); ok {
			page.Items, page.Next = items, next
			return true, nil
		}
	}
	r, err := lr.get()
	if err != nil {
		return false, err
	}
	if err := readFriendPage(r, owner, opts, page); err != nil {
		return false, err
	}
	p, size := compactPage(page.Items)
	p.complete = page.Next == ""
	db.pages.Set(owner, p, size, 0)
	return true, nil
}

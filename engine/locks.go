package engine

import (
	"hash/maphash"
	"slices"
	"sync"
)

// numStripes is the number of per-user write locks. Users hash onto
// stripes; a write locks the stripes of every user it reads or changes.
const numStripes = 1024

// stripes serialises writers per user (DESIGN.md §5). Read-check-write
// rules (limits, blocks, allowType) need the users' state to stay put
// between the read and the commit. Readers never wait for a stripe; they
// may TryLock one to use a cache entry it keeps exact (txcache.go).
type stripes struct {
	seed maphash.Seed
	mu   [numStripes]sync.Mutex
}

func (s *stripes) init() { s.seed = maphash.MakeSeed() }

func (s *stripes) stripe(uid string) int {
	return int(maphash.String(s.seed, uid) % numStripes)
}

// lockSet is a set of held stripes, released by unlock.
type lockSet struct {
	s   *stripes
	idx []int
}

// lock acquires the stripes of users in ascending order, each once, so
// that two writers locking overlapping sets cannot deadlock.
func (s *stripes) lock(users []string) lockSet {
	idx := s.stripesOf(make([]int, 0, len(users)), users)
	for _, i := range idx {
		s.mu[i].Lock()
	}
	return lockSet{s: s, idx: idx}
}

// tryLock is lock for a reader, which never waits: it takes the stripes
// of users with TryLock, keeping their numbers in buf, and ok is false,
// with nothing held, when one is busy.
func (s *stripes) tryLock(buf []int, users []string) (ls lockSet, ok bool) {
	idx := s.stripesOf(buf, users)
	for n, i := range idx {
		if !s.mu[i].TryLock() {
			for _, j := range idx[:n] {
				s.mu[j].Unlock()
			}
			return lockSet{}, false
		}
	}
	return lockSet{s: s, idx: idx}, true
}

// stripesOf appends the stripes of users to dst, ascending, each once.
func (s *stripes) stripesOf(dst []int, users []string) []int {
	for _, u := range users {
		dst = append(dst, s.stripe(u))
	}
	slices.Sort(dst)
	return slices.Compact(dst)
}

func (l lockSet) unlock() {
	for i := len(l.idx) - 1; i >= 0; i-- {
		l.s.mu[l.idx[i]].Unlock()
	}
}

// holds reports whether uid's stripe is in the set.
func (l lockSet) holds(uid string) bool {
	_, ok := slices.BinarySearch(l.idx, l.s.stripe(uid))
	return ok
}

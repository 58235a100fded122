package engine

import (
	"context"
	"fmt"
	"slices"

	"github.com/kithdb/kith/codec"
	"github.com/kithdb/kith/index"
)

// Report is the result of Check.
type Report struct {
	Keys     int      // keys read
	Problems []string // one line per broken invariant; empty when the store is sound
}

// OK reports whether Check found no problem.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// maxProblems bounds the problems one Check reports.
const maxProblems = 100

// Check reads the whole store and verifies the invariants of DESIGN.md §7.
// It holds no lock: run it on a quiet store (tests, tooling), or expect
// problems caused by writes made while it runs. The error is for I/O
// failures only; broken invariants are in the Report.
func (db *DB) Check(ctx context.Context) (Report, error) {
	if err := db.enter(ctx); err != nil {
		return Report{}, err
	}
	defer db.leave()
	s := newCheckState(db)
	r, err := db.newReader()
	if err != nil {
		return Report{}, err
	}
	defer r.close()
	err = r.scan(nil, nil, func(k, v []byte) (bool, error) {
		s.rep.Keys++
		s.visit(k, v)
		return ctx.Err() == nil, nil
	})
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return Report{}, err
	}
	s.verify()
	return s.rep, nil
}

// checkState collects what one pass over the store saw.
type checkState struct {
	db       *DB
	rep      Report
	set      map[string]bool // keys seen, by kind-specific identity: "f a b" etc.
	friends  map[[2]string]*FriendEdge
	apps     map[[2]string]*Application // (to, from)
	members  map[[3]string]bool         // (owner, group, friend)
	groups   map[[2]string]bool
	counters map[string]*Counters
	count    map[string]*Counters // counts rebuilt from the keys
	events   map[string][]uint64
}

func newCheckState(db *DB) *checkState {
	return &checkState{db: db,
		set:      map[string]bool{},
		friends:  map[[2]string]*FriendEdge{},
		apps:     map[[2]string]*Application{},
		members:  map[[3]string]bool{},
		groups:   map[[2]string]bool{},
		counters: map[string]*Counters{},
		count:    map[string]*Counters{},
		events:   map[string][]uint64{},
	}
}

func (s *checkState) problem(format string, args ...any) {
	if len(s.rep.Problems) < maxProblems {
		s.rep.Problems = append(s.rep.Problems, fmt.Sprintf(format, args...))
	}
}

func (s *checkState) counted(uid string) *Counters {
	c, ok := s.count[uid]
	if !ok {
		c = &Counters{}
		s.count[uid] = c
	}
	return c
}

// decode decodes v into rec, reporting a corrupt value (invariant 7).
func (s *checkState) decode(k, v []byte, rec codec.Record) bool {
	if err := codec.Decode(v, rec); err != nil {
		s.problem("corrupt value under %q: %v", k, err)
		return false
	}
	return true
}

func (s *checkState) visit(k, v []byte) {
	key, err := index.Parse(k)
	if err != nil {
		s.problem("unparsable key %q: %v", k, err)
		return
	}
	if key.Peer != "" && key.Peer == key.Owner {
		s.problem("self edge %q", k)
	}
	s.set[string(k)] = true
	switch key.Kind {
	case index.KindProfile:
		s.decode(k, v, &Profile{})
	case index.KindFriend:
		e := &FriendEdge{}
		if s.decode(k, v, e) {
			s.friends[[2]string{key.Owner, key.Peer}] = e
		}
		s.counted(key.Owner).Friends++
	case index.KindBlock:
		s.decode(k, v, &codec.BlockEdge{})
		s.counted(key.Owner).Blocked++
	case index.KindAppIn:
		a := &Application{}
		if s.decode(k, v, a) {
			s.apps[[2]string{key.Owner, key.Peer}] = a
			if !a.Read {
				s.counted(key.Owner).Unread++
			}
		}
		s.counted(key.Owner).PendingIn++
	case index.KindAppOut:
		s.counted(key.Owner).PendingOut++
	case index.KindGroup:
		s.decode(k, v, &codec.Group{})
		s.groups[[2]string{key.Owner, key.Group}] = true
		s.counted(key.Owner).Groups++
	case index.KindMember:
		s.members[[3]string{key.Owner, key.Group, key.Peer}] = true
	case index.KindCounters:
		c := &Counters{}
		if s.decode(k, v, c) {
			s.counters[key.Owner] = c
		}
	case index.KindEvent:
		s.decode(k, v, &codec.Event{})
		s.events[key.Owner] = append(s.events[key.Owner], key.Seq)
	}
}

// verify checks the invariants that relate keys to each other.
func (s *checkState) verify() {
	s.verifyTwins()
	s.verifyBlocks()
	s.verifyMembers()
	s.verifyCounters()
	s.verifyEvents()
}

// verifyTwins checks invariant 1: every edge has its reverse key.
func (s *checkState) verifyTwins() {
	twin := map[byte]func(owner, peer string) []byte{
		index.KindFriend:    func(o, p string) []byte { return index.FriendOf(nil, p, o) },
		index.KindFriendOf:  func(o, p string) []byte { return index.Friend(nil, p, o) },
		index.KindBlock:     func(o, p string) []byte { return index.BlockedBy(nil, p, o) },
		index.KindBlockedBy: func(o, p string) []byte { return index.Block(nil, p, o) },
		index.KindAppIn:     func(o, p string) []byte { return index.AppOut(nil, p, o) },
		index.KindAppOut:    func(o, p string) []byte { return index.AppIn(nil, p, o) },
	}
	for k := range s.set {
		key, _ := index.Parse([]byte(k))
		if f, ok := twin[key.Kind]; ok && !s.set[string(f(key.Owner, key.Peer))] {
			s.problem("%q has no twin %q", k, f(key.Owner, key.Peer))
		}
	}
}

// verifyBlocks checks invariant 3: a block leaves no friendship (unless
// the options keep them) and no application between the two users.
func (s *checkState) verifyBlocks() {
	for k := range s.set {
		key, _ := index.Parse([]byte(k))
		if key.Kind != index.KindBlock {
			continue
		}
		a, b := key.Owner, key.Peer
		if !s.db.opts.KeepFriendsOnBlock && (s.friends[[2]string{a, b}] != nil || s.friends[[2]string{b, a}] != nil) {
			s.problem("%s blocked %s but a friend edge between them remains", a, b)
		}
		if s.apps[[2]string{a, b}] != nil || s.apps[[2]string{b, a}] != nil {
			s.problem("%s blocked %s but an application between them remains", a, b)
		}
	}
}

// verifyMembers checks invariant 5: memberships match edges and groups.
func (s *checkState) verifyMembers() {
	for m := range s.members {
		owner, group, friend := m[0], m[1], m[2]
		e := s.friends[[2]string{owner, friend}]
		switch {
		case e == nil:
			s.problem("member %s/%s/%s is not a friend", owner, group, friend)
		case !slices.Contains(e.Groups, group):
			s.problem("member %s/%s/%s: edge does not list the group", owner, group, friend)
		case !s.groups[[2]string{owner, group}]:
			s.problem("member %s/%s/%s: group does not exist", owner, group, friend)
		}
	}
	for pair, e := range s.friends {
		for _, g := range e.Groups {
			if !s.members[[3]string{pair[0], g, pair[1]}] {
				s.problem("edge %s->%s lists group %q without membership key", pair[0], pair[1], g)
			}
		}
	}
}

// verifyCounters checks invariant 4: counters equal the counts of their
// prefixes and respect the limits.
func (s *checkState) verifyCounters() {
	l := s.db.opts.Limits
	for uid, got := range s.count {
		c := s.counters[uid]
		if c == nil {
			s.problem("user %s has keys but no counters", uid)
			continue
		}
		want := *got
		want.Seq = c.Seq
		if *c != want {
			s.problem("counters of %s are %+v, keys say %+v", uid, *c, want)
		}
		if int(c.Friends) > l.Friends || int(c.Blocked) > l.Blocked || int(c.PendingIn) > l.PendingIn || int(c.Groups) > l.Groups {
			s.problem("counters of %s over a limit: %+v", uid, *c)
		}
	}
	for uid, c := range s.counters {
		if s.count[uid] == nil && (*c != Counters{Seq: c.Seq}) {
			s.problem("counters of %s are %+v but the user has no keys", uid, *c)
		}
	}
}

// verifyEvents checks invariant 6: each log is gap-free up to the counter.
func (s *checkState) verifyEvents() {
	for uid, seqs := range s.events {
		c := s.counters[uid]
		if c == nil {
			s.problem("user %s has events but no counters", uid)
			continue
		}
		for i := 1; i < len(seqs); i++ {
			if seqs[i] != seqs[i-1]+1 {
				s.problem("log of %s jumps from %d to %d", uid, seqs[i-1], seqs[i])
			}
		}
		if last := seqs[len(seqs)-1]; last != c.Seq {
			s.problem("log of %s ends at %d, counter says %d", uid, last, c.Seq)
		}
		if keep := uint64(s.db.opts.EventRetention); uint64(len(seqs)) > keep {
			s.problem("log of %s holds %d events, retention is %d", uid, len(seqs), keep)
		}
	}
	for uid, c := range s.counters {
		if c.Seq > 0 && len(s.events[uid]) == 0 {
			s.problem("counter of %s says seq %d but the log is empty", uid, c.Seq)
		}
	}
}

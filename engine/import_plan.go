package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/kithdb/kith/codec"
	"github.com/kithdb/kith/index"
)

// importPlan is an import whose records passed every check across
// records: users are ranked in ID order and each list is ordered as its
// keys sort, ready to be written as SSTables. Ranks order keys because
// the key encoding preserves the order of the raw IDs (package index).
type importPlan struct {
	im     *importer
	rank   []uint32 // user number -> rank
	byRank []uint32 // rank -> user number
	// The IDs encoded as key components (index.AppendString), in rank
	// order in one array: rank r's is enc[encEnd[r-1]:encEnd[r]]. Keys are
	// assembled from them without encoding an ID per key, and one array
	// keeps the random reads of the reverse keys' IDs dense.
	enc    []byte
	encEnd []int

	// Friend edges by owner: owner rank r's edges are fo[fstart[r]:fstart[r+1]],
	// sorted by friend rank.
	fstart []uint32
	fo     []rankedEdge
	// The same edges by friend: friend rank r is held by the owners of
	// ranks rev[rstart[r]:rstart[r+1]], ascending.
	rstart []uint32
	rev    []uint32

	blocks, blocksRev []uint32 // block numbers in b (owner, target) and B (target, owner) order
	apps, appsRev     []uint32 // application numbers in a (to, from) and A (from, to) order
	groups            []uint32 // group numbers in g (owner, name) order
	members           []uint64 // group rank << 32 | friend rank, ascending
}

// rankedEdge is one friend edge in f order: the friend's rank and the
// edge's number (its value is the importer's fvals of that number).
type rankedEdge struct{ friend, k uint32 }

// plan runs the checks across records and orders everything. It returns
// the error with the smallest line among those it finds.
func (im *importer) plan() (*importPlan, error) {
	p := &importPlan{im: im}
	im.checkUsers()
	p.rankUsers()
	p.orderFriends()
	p.orderBlocks()
	p.orderApps()
	p.checkBlocks()
	p.orderGroups()
	if im.fail != nil {
		return nil, im.fail
	}
	return p, nil
}

// checkUsers finds users that records need imported but that have no
// profile record, and users that went over a limit.
func (im *importer) checkUsers() {
	for n := range im.info {
		info := &im.info[n]
		if info.needLine != 0 && info.profileLine == 0 {
			im.failAt(info.needLine, fmt.Errorf("%w: %q has no profile record (owners and application users must be imported)", ErrNotFound, im.ids[n]))
		}
		if info.overLine != 0 {
			im.failAt(info.overLine, info.overErr)
		}
	}
}

func (p *importPlan) rankUsers() {
	ids := p.im.ids
	p.byRank = make([]uint32, len(ids))
	for i := range p.byRank {
		p.byRank[i] = uint32(i)
	}
	slices.SortFunc(p.byRank, func(a, b uint32) int { return strings.Compare(ids[a], ids[b]) })
	p.rank = make([]uint32, len(ids))
	p.encEnd = make([]int, len(ids))
	size := 0
	for _, id := range ids {
		size += len(id) + 2
	}
	p.enc = make([]byte, 0, size)
	for r, n := range p.byRank {
		p.rank[n] = uint32(r)
		p.enc = index.AppendString(p.enc, ids[n])
		p.encEnd[r] = len(p.enc)
	}
}

// id returns the user ID of rank r.
func (p *importPlan) id(r uint32) string { return p.im.ids[p.byRank[r]] }

// encID returns the encoded ID of rank r.
func (p *importPlan) encID(r uint32) []byte {
	start := 0
	if r > 0 {
		start = p.encEnd[r-1]
	}
	return p.enc[start:p.encEnd[r]]
}

// importKey appends kind and the encoded components: the key the constructors
// of package index build for them (pinned by TestImportKeysMatchIndex).
func importKey(dst []byte, kind byte, parts ...[]byte) []byte {
	dst = append(dst, kind)
	for _, part := range parts {
		dst = append(dst, part...)
	}
	return dst
}

// orderFriends puts the friend edges in f order with a counting sort by
// owner and a sort of each owner's edges, reporting duplicates, then
// derives the F order with a counting sort by friend.
func (p *importPlan) orderFriends() {
	fr := &p.im.friends
	p.fstart = bucketStarts(len(p.rank), fr.len(), func(k int) uint32 { return p.rank[fr.a.at(k)] })
	p.fo = make([]rankedEdge, fr.len())
	pos := slices.Clone(p.fstart)
	for k := range fr.len() {
		o := p.rank[fr.a.at(k)]
		p.fo[pos[o]] = rankedEdge{friend: p.rank[fr.b.at(k)], k: uint32(k)}
		pos[o]++
	}
	for o := range len(p.rank) {
		bucket := p.fo[p.fstart[o]:p.fstart[o+1]]
		if len(bucket) > 1 {
			slices.SortFunc(bucket, func(x, y rankedEdge) int { return cmp.Or(cmp.Compare(x.friend, y.friend), cmp.Compare(x.k, y.k)) })
			p.findDuplicates(len(bucket), func(i int) bool { return bucket[i].friend == bucket[i-1].friend },
				func(i int) uint32 { return fr.line.at(int(bucket[i].k)) }, func(i int) string {
					return fmt.Sprintf("friend edge %q -> %q", p.id(uint32(o)), p.id(bucket[i].friend))
				})
		}
	}
	fr.a, fr.b = chunkedColumn[uint32]{}, chunkedColumn[uint32]{} // in fo now: let the collector have them
	p.rstart = bucketStarts(len(p.rank), len(p.fo), func(i int) uint32 { return p.fo[i].friend })
	p.rev = make([]uint32, len(p.fo))
	pos = slices.Clone(p.rstart)
	for o := range len(p.rank) {
		for _, e := range p.fo[p.fstart[o]:p.fstart[o+1]] {
			p.rev[pos[e.friend]] = uint32(o)
			pos[e.friend]++
		}
	}
}

// bucketStarts counts n items into buckets 0..size-1 by bucket(i) and
// returns the start of each bucket, plus the end of the last.
func bucketStarts(size, n int, bucket func(i int) uint32) []uint32 {
	starts := make([]uint32, size+1)
	for i := range n {
		starts[bucket(i)+1]++
	}
	for i := 1; i <= size; i++ {
		starts[i] += starts[i-1]
	}
	return starts
}

// findDuplicates reports, in a sorted run of n items where same(i) says
// item i repeats item i-1, each repeat: the record of the later line.
// Items that repeat are ordered by input position, so item i is the later.
func (p *importPlan) findDuplicates(n int, same func(i int) bool, line func(i int) uint32, what func(i int) string) {
	for i := 1; i < n; i++ {
		if same(i) {
			p.im.failAt(line(i), fmt.Errorf("%w: %s is also on line %d", ErrDuplicateRecord, what(i), line(i-1)))
		}
	}
}

// orderPairs returns the numbers of the pairs of l sorted by (rank of
// first(k), rank of second(k), k).
func (p *importPlan) orderPairs(l *edgeList, first, second func(k int) uint32) []uint32 {
	order := make([]uint32, l.len())
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(x, y uint32) int {
		return cmp.Or(cmp.Compare(p.rank[first(int(x))], p.rank[first(int(y))]),
			cmp.Compare(p.rank[second(int(x))], p.rank[second(int(y))]), cmp.Compare(x, y))
	})
	return order
}

// findPairDuplicates reports the pairs of l that appear twice in order
// (sorted, so duplicates are neighbours), naming them as what a -> b.
func (p *importPlan) findPairDuplicates(l *edgeList, order []uint32, what string) {
	p.findDuplicates(len(order), func(i int) bool {
		x, y := int(order[i]), int(order[i-1])
		return l.a.at(x) == l.a.at(y) && l.b.at(x) == l.b.at(y)
	}, func(i int) uint32 { return l.line.at(int(order[i])) }, func(i int) string {
		k := int(order[i])
		return fmt.Sprintf("%s %q -> %q", what, p.im.ids[l.a.at(k)], p.im.ids[l.b.at(k)])
	})
}

func (p *importPlan) orderBlocks() {
	b := &p.im.blocks
	owner := func(k int) uint32 { return b.a.at(k) }
	target := func(k int) uint32 { return b.b.at(k) }
	p.blocks = p.orderPairs(b, owner, target)
	p.findPairDuplicates(b, p.blocks, "block")
	p.blocksRev = p.orderPairs(b, target, owner)
}

func (p *importPlan) orderApps() {
	a := &p.im.apps
	from := func(k int) uint32 { return a.a.at(k) }
	to := func(k int) uint32 { return a.b.at(k) }
	p.apps = p.orderPairs(a, to, from)
	p.findPairDuplicates(a, p.apps, "application")
	p.appsRev = p.orderPairs(a, from, to)
	for _, k := range p.apps { // crossing applications: from -> to and to -> from
		if j, ok := p.findApp(a.b.at(int(k)), a.a.at(int(k))); ok && a.line.at(int(j)) < a.line.at(int(k)) {
			p.im.failAt(a.line.at(int(k)), fmt.Errorf("%w: applications both ways between %q and %q (the other on line %d)",
				ErrImportConflict, p.im.ids[a.a.at(int(k))], p.im.ids[a.b.at(int(k))], a.line.at(int(j))))
		}
	}
}

// findApp returns the number of the application from -> to (user
// numbers), searching the a order (rank of to, rank of from).
func (p *importPlan) findApp(from, to uint32) (uint32, bool) {
	a := &p.im.apps
	key := [2]uint32{p.rank[to], p.rank[from]}
	i, ok := slices.BinarySearchFunc(p.apps, key, func(k uint32, key [2]uint32) int {
		return cmp.Or(cmp.Compare(p.rank[a.b.at(int(k))], key[0]), cmp.Compare(p.rank[a.a.at(int(k))], key[1]))
	})
	if !ok {
		return 0, false
	}
	return p.apps[i], true
}

// findFriend returns the number of the edge owner -> friend (ranks).
func (p *importPlan) findFriend(owner, friend uint32) (uint32, bool) {
	bucket := p.fo[p.fstart[owner]:p.fstart[owner+1]]
	i, ok := slices.BinarySearchFunc(bucket, friend, func(e rankedEdge, f uint32) int { return cmp.Compare(e.friend, f) })
	if !ok {
		return 0, false
	}
	return bucket[i].k, true
}

// checkBlocks refuses friend edges (unless KeepFriendsOnBlock) and
// applications between users one of whom blocked the other.
func (p *importPlan) checkBlocks() {
	im := p.im
	b := &im.blocks
	for k := range b.len() {
		o, t, line := b.a.at(k), b.b.at(k), b.line.at(k)
		conflict := func(other uint32, what string) {
			im.failAt(max(line, other), fmt.Errorf("%w: %s between %q and %q, and a block (lines %d and %d)",
				ErrImportConflict, what, im.ids[o], im.ids[t], min(line, other), max(line, other)))
		}
		if !im.db.opts.KeepFriendsOnBlock {
			for _, pair := range [][2]uint32{{o, t}, {t, o}} {
				if e, ok := p.findFriend(p.rank[pair[0]], p.rank[pair[1]]); ok {
					conflict(im.friends.line.at(int(e)), "friend edge")
				}
			}
		}
		for _, pair := range [][2]uint32{{o, t}, {t, o}} {
			if j, ok := p.findApp(pair[0], pair[1]); ok {
				conflict(im.apps.line.at(int(j)), "application")
			}
		}
	}
}

// orderGroups sorts the groups by (owner, name) and the memberships by
// (group, friend).
func (p *importPlan) orderGroups() {
	im := p.im
	p.groups = make([]uint32, len(im.glist))
	for i := range p.groups {
		p.groups[i] = uint32(i)
	}
	slices.SortFunc(p.groups, func(x, y uint32) int {
		gx, gy := &im.glist[x], &im.glist[y]
		return cmp.Or(cmp.Compare(p.rank[gx.owner], p.rank[gy.owner]), strings.Compare(gx.name, gy.name))
	})
	grank := make([]uint32, len(im.glist))
	for r, g := range p.groups {
		grank[g] = uint32(r)
	}
	p.members = make([]uint64, im.members.len())
	for i := range p.members {
		m := im.members.at(i)
		p.members[i] = uint64(grank[m.group])<<32 | uint64(p.rank[m.friend])
	}
	slices.Sort(p.members)
}

// counters returns the counters of every imported user, by rank.
func (p *importPlan) counters() []Counters {
	im := p.im
	c := make([]Counters, len(p.rank))
	for r := range c {
		c[r].Friends = p.fstart[r+1] - p.fstart[r]
	}
	for k := range im.blocks.len() {
		c[p.rank[im.blocks.a.at(k)]].Blocked++
	}
	for k := range im.apps.len() {
		from, to := p.rank[im.apps.a.at(k)], p.rank[im.apps.b.at(k)]
		c[from].PendingOut++
		c[to].PendingIn++
		if !im.aread[k] {
			c[to].Unread++
		}
	}
	for _, g := range im.glist {
		c[p.rank[g.owner]].Groups++
	}
	return c
}

// write checks the plan against the store and, if it passes, writes the
// SSTables and ingests them, holding every user's write lock throughout.
func (p *importPlan) write(ctx context.Context) (ImportStats, error) {
	db := p.im.db
	locks := db.locks.lockAll()
	defer locks.unlock()
	if err := p.checkStore(ctx); err != nil {
		return ImportStats{}, err
	}
	st, err := db.newStage()
	if err != nil {
		return ImportStats{}, err
	}
	stats, paths, err := p.writeTables(ctx, st)
	if err == nil {
		err = db.ingest(ctx, paths)
	}
	if err == nil {
		p.uncache()
	}
	if rerr := st.remove(); rerr != nil && err == nil {
		// The tables are in: the import happened, and an error now would
		// tell the caller that nothing was written. A staging directory
		// left behind is safe to delete (see Import).
		db.logErrorf("kith: import: remove %s: %v", st.dir, rerr)
	}
	if err != nil {
		return ImportStats{}, err
	}
	return stats, nil
}

// uncache drops the imported users from the profile cache, which may
// hold what a ProfileLoader said of them before they were stored here.
// Fills that started before are refused (cache tokens), and none can
// start while Import holds every stripe. It empties the counters, page
// and friend-set caches too, which Import bypasses (see txcache.go,
// pagecache.go, friendset.go).
func (p *importPlan) uncache() {
	p.im.db.purgeUserCaches()
	for n, info := range p.im.info {
		if info.profileLine != 0 {
			p.im.db.uncacheProfile(p.im.ids[n])
		}
	}
}

// userKinds are the kinds whose keys start with a user: a user with a key
// of any of them exists in the store.
var userKinds = []byte{index.KindProfile, index.KindCounters, index.KindFriend, index.KindFriendOf,
	index.KindBlock, index.KindBlockedBy, index.KindAppIn, index.KindAppOut, index.KindGroup,
	index.KindMember, index.KindEvent}

// checkStore refuses imported users that already exist and targets that
// neither are imported nor exist.
func (p *importPlan) checkStore(ctx context.Context) error {
	im := p.im
	var imported, targets []string // in rank order
	var impLine []uint32
	var tgtRank []uint32
	for r, n := range p.byRank {
		switch info := &im.info[n]; {
		case info.profileLine != 0:
			imported, impLine = append(imported, im.ids[n]), append(impLine, info.profileLine)
		default: // named only as a friend or block target
			targets, tgtRank = append(targets, im.ids[n]), append(tgtRank, uint32(r))
		}
	}
	nonEmpty, err := im.db.hasUserKeys()
	if err != nil {
		return err
	}
	found := make([]bool, len(targets))
	if nonEmpty {
		err := im.db.probeUsers(ctx, imported, userKinds, func(i int) {
			im.failAt(impLine[i], fmt.Errorf("%w: %q", ErrUserExists, imported[i]))
		})
		if err == nil {
			err = im.db.probeUsers(ctx, targets, []byte{index.KindProfile, index.KindCounters}, func(i int) { found[i] = true })
		}
		if err != nil {
			return err
		}
	}
	var missing map[uint32]string // rank -> ID
	for i, ok := range found {
		if !ok {
			if missing == nil {
				missing = map[uint32]string{}
			}
			missing[tgtRank[i]] = targets[i]
		}
	}
	if len(missing) > 0 {
		p.failMissing(missing)
	}
	if im.fail != nil {
		return im.fail
	}
	return nil
}

// failMissing reports the first record naming a target of missing (by
// rank) that neither is imported nor exists.
func (p *importPlan) failMissing(missing map[uint32]string) {
	im := p.im
	fail := func(r, line uint32) {
		im.failAt(line, fmt.Errorf("%w: %q has no profile record and is not in the store", ErrNotFound, missing[r]))
	}
	for _, e := range p.fo {
		if _, ok := missing[e.friend]; ok {
			fail(e.friend, im.friends.line.at(int(e.k)))
		}
	}
	for k := range im.blocks.len() {
		if t := p.rank[im.blocks.b.at(k)]; missing[t] != "" {
			fail(t, im.blocks.line.at(k))
		}
	}
}

// tableTask writes the keys of one or more kinds, in ascending kind
// order, into its own run of SSTables.
type tableTask struct {
	name  string
	kinds []func(s *sstSink) error
}

// smallImport is the number of keys under which one task writes every
// kind: a few SSTables rather than one per kind.
const smallImport = 1 << 16

// writeTables writes every kind's keys in a few tasks that run at once:
// the friend edges and their reverse keys (most of an import) each have
// their own, the small kinds share. The tasks' key ranges never overlap,
// as kinds do not.
func (p *importPlan) writeTables(ctx context.Context, st *sstStage) (ImportStats, []string, error) {
	tasks := p.tasks()
	sinks := make([]*sstSink, len(tasks))
	errs := make([]error, len(tasks))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, t := range tasks {
		sinks[i] = st.sink(t.name)
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			for _, emit := range t.kinds {
				if errs[i] = firstErr(ctx.Err(), emit(sinks[i])); errs[i] != nil {
					break
				}
			}
			errs[i] = errors.Join(errs[i], sinks[i].closeTable())
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return ImportStats{}, nil, fmt.Errorf("kith: import: write tables: %w", err)
	}
	im := p.im
	stats := ImportStats{Records: im.records, Friends: im.friends.len(), Blocks: im.blocks.len(),
		Groups: len(im.glist), Applications: im.apps.len()}
	for _, info := range im.info {
		if info.profileLine != 0 {
			stats.Users++
		}
	}
	var paths []string
	for _, s := range sinks {
		stats.Keys += s.keys
		stats.Bytes += s.bytes
		paths = append(paths, s.paths...)
	}
	stats.Files = len(paths)
	return stats, paths, nil
}

// tasks groups the writers of the kinds, largest tasks first. Kind bytes
// ascend: A B F a b c f g m p.
func (p *importPlan) tasks() []tableTask {
	appOut, blockedBy, friendOf := p.emitAppOut, p.emitBlockedBy, p.emitFriendOf
	appIn, block, counters := p.emitAppIn, p.emitBlocks, p.emitCounters
	friend, group, member, profile := p.emitFriends, p.emitGroups, p.emitMembers, p.emitProfiles
	if len(p.fo) < smallImport {
		return []tableTask{{"all", []func(*sstSink) error{appOut, blockedBy, friendOf, appIn, block, counters, friend, group, member, profile}}}
	}
	return []tableTask{
		{"friend", []func(*sstSink) error{friend}},
		{"friend-of", []func(*sstSink) error{friendOf}},
		{"group-member-profile", []func(*sstSink) error{group, member, profile}},
		{"app-block-counters", []func(*sstSink) error{appIn, block, counters}},
		{"appout-blockedby", []func(*sstSink) error{appOut, blockedBy}},
	}
}

func (p *importPlan) emitFriends(s *sstSink) error {
	var k []byte
	for o := range uint32(len(p.rank)) {
		owner := p.encID(o)
		for _, e := range p.fo[p.fstart[o]:p.fstart[o+1]] {
			k = importKey(k[:0], index.KindFriend, owner, p.encID(e.friend))
			if err := s.set(k, p.im.fvals.get(int(e.k))); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *importPlan) emitFriendOf(s *sstSink) error {
	var k []byte
	for f := range uint32(len(p.rank)) {
		friend := p.encID(f)
		for _, o := range p.rev[p.rstart[f]:p.rstart[f+1]] {
			k = importKey(k[:0], index.KindFriendOf, friend, p.encID(o))
			if err := s.set(k, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *importPlan) emitMembers(s *sstSink) error {
	var k, group []byte
	for _, m := range p.members {
		g := &p.im.glist[p.groups[m>>32]]
		group = index.AppendString(group[:0], g.name)
		k = importKey(k[:0], index.KindMember, p.encID(p.rank[g.owner]), group, p.encID(uint32(m)))
		if err := s.set(k, nil); err != nil {
			return err
		}
	}
	return nil
}

func (p *importPlan) emitProfiles(s *sstSink) error {
	var k []byte
	for r, n := range p.byRank {
		info := &p.im.info[n]
		if info.pval == 0 {
			continue
		}
		k = importKey(k[:0], index.KindProfile, p.encID(uint32(r)))
		if err := s.set(k, p.im.pvals.get(int(info.pval-1))); err != nil {
			return err
		}
	}
	return nil
}

func (p *importPlan) emitCounters(s *sstSink) error {
	var k, val []byte
	cnt := p.counters()
	for r, n := range p.byRank {
		if p.im.info[n].profileLine == 0 {
			continue // a target that exists in the store: its counters do not change
		}
		k = importKey(k[:0], index.KindCounters, p.encID(uint32(r)))
		var err error
		if val, err = codec.Append(val[:0], &cnt[r]); err != nil {
			return err
		}
		if err := s.set(k, val); err != nil {
			return err
		}
	}
	return nil
}

func (p *importPlan) emitGroups(s *sstSink) error {
	var k, name, val []byte
	for _, g := range p.groups {
		gi := &p.im.glist[g]
		name = index.AppendString(name[:0], gi.name)
		k = importKey(k[:0], index.KindGroup, p.encID(p.rank[gi.owner]), name)
		var err error
		if val, err = codec.Append(val[:0], &codec.Group{CreatedAt: gi.createdAt}); err != nil {
			return err
		}
		if err := s.set(k, val); err != nil {
			return err
		}
	}
	return nil
}

// emitPairs writes the keys kind/first/second of the pairs in order
// (numbers of l), with value(k) as the value of pair k.
func (p *importPlan) emitPairs(s *sstSink, kind byte, l *edgeList, order []uint32, reverse bool, value func(k uint32) ([]byte, error)) error {
	var k []byte
	for _, i := range order {
		a, b := p.rank[l.a.at(int(i))], p.rank[l.b.at(int(i))]
		if reverse {
			a, b = b, a
		}
		k = importKey(k[:0], kind, p.encID(a), p.encID(b))
		val, err := value(i)
		if err != nil {
			return err
		}
		if err := s.set(k, val); err != nil {
			return err
		}
	}
	return nil
}

func noValue(uint32) ([]byte, error) { return nil, nil }

func (p *importPlan) emitBlocks(s *sstSink) error {
	var val []byte
	return p.emitPairs(s, index.KindBlock, &p.im.blocks, p.blocks, false, func(k uint32) ([]byte, error) {
		var err error
		val, err = codec.Append(val[:0], &codec.BlockEdge{CreatedAt: p.im.btime[k]})
		return val, err
	})
}

func (p *importPlan) emitBlockedBy(s *sstSink) error {
	return p.emitPairs(s, index.KindBlockedBy, &p.im.blocks, p.blocksRev, true, noValue)
}

// Applications are stored (from, to) in the edge list; a keys are
// a/to/from, A keys A/from/to.
func (p *importPlan) emitAppIn(s *sstSink) error {
	return p.emitPairs(s, index.KindAppIn, &p.im.apps, p.apps, true, func(k uint32) ([]byte, error) {
		return p.im.avals.get(int(k)), nil
	})
}

func (p *importPlan) emitAppOut(s *sstSink) error {
	return p.emitPairs(s, index.KindAppOut, &p.im.apps, p.appsRev, false, noValue)
}

package engine

import (
	"context"
	"fmt"
	"io"
	"iter"
	"math"
	"slices"
)

// Errors of Import. Each matches ErrInvalidArgument (result code 30001).
var (
	// ErrMalformedRecord is returned for a line that is not one JSON
	// object holding exactly one known record with known fields.
	ErrMalformedRecord = fmt.Errorf("%w: malformed record", ErrInvalidArgument)
	// ErrDuplicateRecord is returned for a second record of the same
	// profile, edge, block, group or application.
	ErrDuplicateRecord = fmt.Errorf("%w: duplicate record", ErrInvalidArgument)
	// ErrUserExists is returned when an imported user already has keys in
	// the store: Import only creates users.
	ErrUserExists = fmt.Errorf("%w: user already exists", ErrInvalidArgument)
	// ErrImportConflict is returned for records that contradict each
	// other: a friend edge or an application between users one of whom
	// blocked the other, or applications both ways between two users.
	ErrImportConflict = fmt.Errorf("%w: conflicting records", ErrInvalidArgument)
)

// ImportError reports the record Import refused: Line is its line number
// (from 1), or for ImportRecords its position in the sequence (from 1).
// Err says why; it matches the sentinel of the broken rule (ErrNotFound,
// ErrFriendLimit, ErrDuplicateRecord, ...).
type ImportError struct {
	Line int
	Err  error
}

// Error implements error.
func (e *ImportError) Error() string { return fmt.Sprintf("kith: import: line %d: %v", e.Line, e.Err) }

// Unwrap returns Err.
func (e *ImportError) Unwrap() error { return e.Err }

// ImportStats counts what an Import wrote.
type ImportStats struct {
	Records      int   // records read
	Users        int   // users created (profile records)
	Friends      int   // directed friend edges
	Blocks       int   // blocklist entries
	Groups       int   // friend groups, including those created for the groups edges name
	Applications int   // pending applications
	Keys         int64 // keys written: records, reverse keys, memberships, counters
	Bytes        int64 // bytes of the ingested SSTables
	Files        int   // SSTables ingested
}

// maxLineBytes bounds one line of Import's input.
const maxLineBytes = 1 << 20

// Import loads users, profiles, friend edges, blocks, groups and pending
// applications from r, in the JSON Lines format that Export writes (see
// ImportRecord and README.md), like the reference service's friend_import.
//
// Every record is validated with the rules of the API calls (user IDs,
// lengths, declared custom fields, per-user limits, no self edges). Import
// builds the reverse keys, group memberships and counters, writes no
// change-log events, and writes everything as sorted SSTables that Pebble
// ingests in one atomic step: after Import returns nil the whole input is
// visible, and after an error none of it.
//
// Import only creates users. Every owner of a friend edge, block or group,
// and both users of an application, must have a profile record in the
// same input; friend and block targets must have one or already exist in
// the store. A user with a profile record must not exist in the store yet
// (no key of theirs), else ErrUserExists: Import into a non-empty store
// adds new users next to the old ones but never changes an existing user.
//
// Bad input is refused with an *ImportError naming the line, and the store
// is left as it was: malformed JSON, unknown fields, invalid values,
// duplicate records, references to users that do not exist, limits
// exceeded, friend edges or applications across a block (unless
// Options.KeepFriendsOnBlock allows the friendship). Lines that are bad on
// their own are reported as they are read; rules across records are
// checked once the input is read (the smallest offending line is
// reported), then the rules against the store.
//
// Memory: the input is held and sorted in memory, about 100 bytes of Go
// heap per friend edge at the peak with short edge values (measured: 444
// MB for 5 million edges of 100,000 users). Larger inputs must be split
// into several Imports of distinct users; external sorting is out of
// scope. While it checks the store and writes the tables, Import holds
// every user's write lock: other writes wait, reads do not. The tables
// are staged in a kith-import-* directory inside the store's directory,
// removed when Import returns; a crash may leave one behind, which is
// safe to delete.
func (db *DB) Import(ctx context.Context, r io.Reader) (ImportStats, error) {
	if r == nil {
		return ImportStats{}, fmt.Errorf("%w: Import of a nil reader", ErrInvalidArgument)
	}
	return db.runImport(ctx, func(im *importer) error { return im.readLines(r) })
}

// ImportRecords is Import for records already in memory: it imports the
// records of seq, in order, with Import's rules. An *ImportError names
// the position of the refused record in seq, from 1. It does not
// retain the records or what they point to, except the strings.
func (db *DB) ImportRecords(ctx context.Context, seq iter.Seq[ImportRecord]) (ImportStats, error) {
	if seq == nil {
		return ImportStats{}, fmt.Errorf("%w: ImportRecords of a nil sequence", ErrInvalidArgument)
	}
	return db.runImport(ctx, func(im *importer) error {
		line := 0
		var err error
		for rec := range seq {
			line++
			if err = im.add(line, &rec); err != nil {
				break
			}
		}
		return err
	})
}

func (db *DB) runImport(ctx context.Context, read func(im *importer) error) (ImportStats, error) {
	if err := db.enter(ctx); err != nil {
		return ImportStats{}, err
	}
	defer db.leave()
	im := newImporter(ctx, db)
	if err := read(im); err != nil {
		return ImportStats{}, err
	}
	p, err := im.plan()
	if err != nil {
		return ImportStats{}, err
	}
	return p.write(ctx)
}

// importer collects the records of one Import, validated and in compact
// form: users are numbered in the order they are first named, edges are
// arrays of those numbers, and record values are encoded as they arrive.
type importer struct {
	ctx context.Context
	db  *DB
	now int64

	users map[string]uint32 // user ID -> number
	ids   []string          // number -> user ID
	info  []userInfo        // number -> what the input says of the user
	last  [2]struct {       // the last two users looked up: input is often grouped by owner
		id string
		n  uint32
	}
	pvals recordArena // encoded profiles
	edge  FriendEdge  // reused for encoding: a fresh one per edge would escape

	friends edgeList    // owner, friend
	fvals   recordArena // encoded FriendEdges, by edge number

	blocks edgeList // owner, target
	btime  []int64

	apps  edgeList // from, to
	avals recordArena
	aread []bool

	groups  map[groupKey]uint32
	glist   []groupIn
	members chunkedColumn[importMember]

	records int
	fail    *ImportError // the first error of the checks across records
}

// userInfo is what the input says of one user. Lines are 0 when unset.
type userInfo struct {
	profileLine uint32 // its profile record
	needLine    uint32 // first record that needs it imported (owner, application party)
	pval        uint32 // 1 + number of its encoded profile in pvals; 0: none stored
	friends     uint32 // records naming it as owner, so far
	blocks      uint32
	pendingIn   uint32
	groups      uint32
	overLine    uint32 // first record that took it over a limit
	overErr     error  // that limit's error
}

// edgeList holds directed pairs of user numbers with their lines.
type edgeList struct {
	a, b, line chunkedColumn[uint32]
}

func (e *edgeList) add(a, b, line uint32) {
	e.a.add(a)
	e.b.add(b)
	e.line.add(line)
}

func (e *edgeList) len() int { return e.line.len() }

type groupKey struct {
	owner uint32
	name  string
}

type groupIn struct {
	owner     uint32
	name      string
	createdAt int64
	line      uint32 // the record that created it
	explicit  uint32 // line of its group record, 0 if none
}

type importMember struct{ group, friend uint32 }

func newImporter(ctx context.Context, db *DB) *importer {
	return &importer{
		ctx: ctx, db: db, now: db.now(),
		users:  make(map[string]uint32),
		groups: make(map[groupKey]uint32),
	}
}

// add validates one record and adds it to the import.
func (im *importer) add(line int, rec *ImportRecord) error {
	im.records++
	if im.records%1024 == 0 {
		if err := im.ctx.Err(); err != nil {
			return err
		}
	}
	if line > math.MaxUint32 {
		return &ImportError{Line: line, Err: fmt.Errorf("%w: more than %d lines", ErrMalformedRecord, uint32(math.MaxUint32))}
	}
	var err error
	ln := uint32(line)
	switch n := rec.count(); {
	case n != 1:
		err = fmt.Errorf("%w: a line holds exactly one of profile, friend, block, group, application; this one holds %d", ErrMalformedRecord, n)
	case rec.Profile != nil:
		err = im.addProfile(ln, rec.Profile)
	case rec.Friend != nil:
		err = im.addFriend(ln, rec.Friend)
	case rec.Block != nil:
		err = im.addBlock(ln, rec.Block)
	case rec.Group != nil:
		err = im.addGroup(ln, rec.Group)
	default:
		err = im.addApplication(ln, rec.Application)
	}
	if err != nil {
		return &ImportError{Line: line, Err: err}
	}
	return nil
}

func (r *ImportRecord) count() int {
	n := 0
	for _, set := range []bool{r.Profile != nil, r.Friend != nil, r.Block != nil, r.Group != nil, r.Application != nil} {
		if set {
			n++
		}
	}
	return n
}

// user returns the number of id, numbering it if new. A new ID is
// validated (ErrInvalidUserID), so each is checked once per import.
func (im *importer) user(id string) (uint32, error) {
	for _, l := range im.last {
		if l.id == id && id != "" {
			return l.n, nil
		}
	}
	n, ok := im.users[id]
	if !ok {
		if err := im.db.checkUserID(id); err != nil {
			return 0, err
		}
		n = uint32(len(im.ids))
		im.users[id] = n
		im.ids = append(im.ids, id)
		im.info = append(im.info, userInfo{})
	}
	im.last[1] = im.last[0]
	im.last[0].id, im.last[0].n = id, n
	return n, nil
}

// pair returns the numbers of two users that must differ (ErrSelf).
func (im *importer) pair(a, b string) (x, y uint32, err error) {
	if x, err = im.user(a); err != nil {
		return 0, 0, err
	}
	if y, err = im.user(b); err != nil {
		return 0, 0, err
	}
	if x == y {
		return 0, 0, ErrSelf
	}
	return x, y, nil
}

// need records that line needs user n imported.
func (im *importer) need(n, line uint32) {
	if im.info[n].needLine == 0 {
		im.info[n].needLine = line
	}
}

// over records that line took user n past a limit.
func (im *importer) over(n, line uint32, err error) {
	if im.info[n].overLine == 0 {
		im.info[n].overLine, im.info[n].overErr = line, err
	}
}

func (im *importer) timeOr(t *int64) int64 {
	if t == nil {
		return im.now
	}
	return *t
}

func (im *importer) addProfile(line uint32, r *ProfileRecord) error {
	n, err := im.user(r.ID)
	if err != nil {
		return err
	}
	p, err := im.db.profileOf(r, im.now)
	if err != nil {
		return err
	}
	info := &im.info[n]
	if info.profileLine != 0 {
		return fmt.Errorf("%w: profile of %q is also on line %d", ErrDuplicateRecord, r.ID, info.profileLine)
	}
	info.profileLine = line
	if p != nil {
		i, err := im.pvals.add(p)
		if err != nil {
			return err
		}
		info.pval = uint32(i) + 1
	}
	return nil
}

// profileOf validates a profile record as UpdateProfile validates an
// update, and returns the profile to store; nil for a bare record.
func (db *DB) profileOf(r *ProfileRecord, now int64) (*Profile, error) {
	if r.isBare() {
		return nil, nil
	}
	limit := db.opts.Limits.StringBytes
	for _, f := range []struct{ name, v string }{
		{"nick", r.Nick}, {"faceUrl", r.FaceURL}, {"selfSignature", r.SelfSignature}, {"location", r.Location},
	} {
		if err := checkProfileString(f.name, f.v, limit); err != nil {
			return nil, err
		}
	}
	p := &Profile{Nick: r.Nick, FaceURL: r.FaceURL, SelfSignature: r.SelfSignature, Birthday: r.Birthday,
		Location: r.Location, Language: r.Language, MessageSettings: r.MessageSettings, Level: r.Level,
		Role: r.Role, Version: max(r.Version, 1), UpdatedAt: now, AllowType: *db.opts.DefaultAllowType}
	if r.UpdateTime != nil {
		p.UpdatedAt = *r.UpdateTime
	}
	g, err := enumValue("gender", r.Gender, genderNames, "Unknown")
	if err != nil {
		return nil, err
	}
	p.Gender = Gender(g)
	if r.AllowType != "" {
		a, err := enumValue("allowType", r.AllowType, allowTypeNames, "")
		if err != nil {
			return nil, err
		}
		p.AllowType = AllowType(a)
	}
	f, err := enumValue("adminForbidType", r.AdminForbidType, adminForbidNames, "None")
	if err != nil {
		return nil, err
	}
	p.AdminForbidType = AdminForbidType(f)
	// Checked before customOf drops empty values: an undeclared key is
	// refused even with an empty value, as by UpdateProfile.
	if err := checkCustom(r.Custom, db.customProfile, limit); err != nil {
		return nil, err
	}
	p.Custom = customOf(r.Custom)
	return p, nil
}

func (im *importer) addFriend(line uint32, r *FriendRecord) error {
	db := im.db
	l := &db.opts.Limits
	o, f, err := im.pair(r.Owner, r.Friend)
	if err != nil {
		return err
	}
	if err := firstErr(checkText("remark", r.Remark, l.RemarkBytes),
		checkText("addSource", r.AddSource, l.AddSourceBytes),
		checkText("addWording", r.AddWording, l.AddWordingBytes)); err != nil {
		return err
	}
	groups, err := db.edgeGroups(r.Groups)
	if err != nil {
		return err
	}
	if err := checkCustom(r.Custom, db.customFriend, l.StringBytes); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidArgument, err) // 30001, as AddFriends
	}
	custom := customOf(r.Custom)
	im.need(o, line)
	if im.info[o].friends++; int(im.info[o].friends) == l.Friends+1 {
		im.over(o, line, fmt.Errorf("%w: %q has more than %d friends", ErrFriendLimit, r.Owner, l.Friends))
	}
	im.edge = FriendEdge{Remark: r.Remark, Groups: groups, AddSource: r.AddSource, AddWording: r.AddWording,
		AddedAt: im.timeOr(r.AddTime), Custom: custom}
	if _, err := im.fvals.add(&im.edge); err != nil {
		return err
	}
	im.friends.add(o, f, line)
	for _, g := range groups {
		im.members.add(importMember{group: im.group(o, g, line), friend: f})
	}
	return nil
}

// edgeGroups validates the groups of an edge and returns them sorted.
func (db *DB) edgeGroups(names []string) ([]string, error) {
	if len(names) == 0 {
		return nil, nil
	}
	groups := names // the edge's value is encoded before add returns: no copy needed
	if !slices.IsSorted(groups) {
		groups = slices.Sorted(slices.Values(names))
	}
	for i, g := range groups {
		if err := db.checkGroupName(g); err != nil {
			return nil, err
		}
		if i > 0 && groups[i-1] == g {
			return nil, fmt.Errorf("%w: group %q listed twice", ErrInvalidArgument, g)
		}
	}
	if len(groups) > db.opts.Limits.Groups {
		return nil, fmt.Errorf("%w: edge in %d groups", ErrGroupLimit, len(groups))
	}
	return groups, nil
}

// group returns the number of owner's group name, creating it if new.
func (im *importer) group(owner uint32, name string, line uint32) uint32 {
	key := groupKey{owner, name}
	if g, ok := im.groups[key]; ok {
		return g
	}
	g := uint32(len(im.glist))
	im.groups[key] = g
	im.glist = append(im.glist, groupIn{owner: owner, name: name, createdAt: im.now, line: line})
	limit := im.db.opts.Limits.Groups
	if im.info[owner].groups++; int(im.info[owner].groups) == limit+1 {
		im.over(owner, line, fmt.Errorf("%w: %q has more than %d groups", ErrGroupLimit, im.ids[owner], limit))
	}
	return g
}

func (im *importer) addGroup(line uint32, r *GroupRecord) error {
	o, err := im.user(r.Owner)
	if err != nil {
		return err
	}
	if err := im.db.checkGroupName(r.Name); err != nil {
		return err
	}
	im.need(o, line)
	g := &im.glist[im.group(o, r.Name, line)]
	if g.explicit != 0 {
		return fmt.Errorf("%w: group %q of %q is also on line %d", ErrDuplicateRecord, r.Name, r.Owner, g.explicit)
	}
	g.explicit = line
	g.createdAt = im.timeOr(r.CreateTime)
	return nil
}

func (im *importer) addBlock(line uint32, r *BlockRecord) error {
	o, t, err := im.pair(r.Owner, r.Target)
	if err != nil {
		return err
	}
	im.need(o, line)
	limit := im.db.opts.Limits.Blocked
	if im.info[o].blocks++; int(im.info[o].blocks) == limit+1 {
		im.over(o, line, fmt.Errorf("%w: %q blocks more than %d users", ErrBlockLimit, r.Owner, limit))
	}
	im.blocks.add(o, t, line)
	im.btime = append(im.btime, im.timeOr(r.AddTime))
	return nil
}

func (im *importer) addApplication(line uint32, r *ApplicationRecord) error {
	db := im.db
	l := &db.opts.Limits
	from, to, err := im.pair(r.From, r.To)
	if err != nil {
		return err
	}
	if err := firstErr(checkText("wording", r.Wording, l.AddWordingBytes),
		checkText("source", r.Source, l.AddSourceBytes),
		checkText("remark", r.Remark, l.RemarkBytes)); err != nil {
		return err
	}
	if r.Group != "" {
		if err := db.checkGroupName(r.Group); err != nil {
			return err
		}
	}
	im.need(from, line)
	im.need(to, line)
	if im.info[to].pendingIn++; int(im.info[to].pendingIn) == l.PendingIn+1 {
		im.over(to, line, fmt.Errorf("%w: %q has more than %d pending applications", ErrPendingLimit, r.To, l.PendingIn))
	}
	a := Application{Wording: r.Wording, Source: r.Source, Remark: r.Remark, Group: r.Group,
		CreatedAt: im.timeOr(r.AddTime), Read: r.Read}
	if _, err := im.avals.add(&a); err != nil {
		return err
	}
	im.aread = append(im.aread, r.Read)
	im.apps.add(from, to, line)
	return nil
}

// failAt records an error of the checks across records, keeping the one
// with the smallest line (the first recorded on a tie).
func (im *importer) failAt(line uint32, err error) {
	if im.fail == nil || int(line) < im.fail.Line {
		im.fail = &ImportError{Line: int(line), Err: err}
	}
}

// lockAll takes every stripe, in ascending order like lock: Import holds
// them while it checks the store and writes, so no writer changes a user
// in between.
func (s *stripes) lockAll() lockSet {
	idx := make([]int, numStripes)
	for i := range idx {
		idx[i] = i
		s.mu[i].Lock()
	}
	return lockSet{s: s, idx: idx}
}

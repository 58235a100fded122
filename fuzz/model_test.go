package fuzz

import (
	"maps"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/kithdb/kith/engine"
)

// model is a plain in-memory model of SEMANTICS.md, written for clarity,
// not speed, and independently of the engine's code: it shares the
// engine's record and request types but none of its logic. Every method
// decides an outcome from the rules first and changes the state only when
// the call (or the item of a batch call) succeeds, so atomicity is
// obvious.
//
// Where SEMANTICS.md is silent, the model follows what the engine
// documents and does (check order between equal codes, the events each
// change logs, engine-only rules such as CreateGroup's member limit);
// every such choice is marked "engine:" below. The places where the
// engine departs from SEMANTICS.md are listed in fuzz/doc.go.
type model struct {
	o     modelOptions
	now   int64 // time of the call being applied, Unix nanoseconds
	users map[string]*mUser
	// live is what a subscriber hears, per user, since the harness last
	// compared it: every logged event, and FriendProfileChanged (§6).
	live map[string][]engine.Event
}

// modelOptions are the engine Options the model needs, defaults filled.
type modelOptions struct {
	limits             engine.Limits
	defaultAllow       engine.AllowType
	retention          int
	keepFriendsOnBlock bool
	requireFriendship  bool
	customProfile      []string
	customFriend       []string
}

// mUser is one existing user. A user exists once it has a profile or a
// logged event (engine: its counters record), until DeleteUser.
type mUser struct {
	profile *engine.Profile                // nil: never set (the default profile is served)
	friends map[string]*engine.FriendEdge  // the user's own list, by friend
	blocked map[string]int64               // blocklist: target -> time blocked
	appsIn  map[string]*engine.Application // pending applications received, by sender
	groups  map[string]int64               // friend groups: name -> time created
	log     []engine.Event                 // every event since the user came to be; seq = index+1
}

// Result codes of SEMANTICS.md §8 (and 30003, see doc.go).
const (
	cOK             = 0
	cInvalid        = 30001 // invalid argument, already friends, already/not blocked, group exists/missing
	cNotFound       = 30003 // engine: unknown user
	cForbidden      = 30009
	cFriendLimit    = 30010
	cGroupLimit     = 30011
	cPendingLimit   = 30012
	cBlockLimit     = 30013
	cPeerLimit      = 30014
	cBlockedByMe    = 30515
	cPeerDenies     = 30516
	cBlockedByPeer  = 30525
	cPending        = 30539
	cNoApplication  = 30614
	cNotFriends     = 31704
	cMemberNotFrien = 32216
	cUnknownField   = 40009
	cTooLong        = 40601
	cInvalidValue   = 40605
	cSendBlocked    = 20007
	cSendNotFriends = 20009
)

// allCodes is every code the model can produce.
var allCodes = []int{cOK, cInvalid, cNotFound, cForbidden, cFriendLimit, cGroupLimit, cPendingLimit,
	cBlockLimit, cPeerLimit, cBlockedByMe, cPeerDenies, cBlockedByPeer, cPending, cNoApplication,
	cNotFriends, cMemberNotFrien, cUnknownField, cTooLong, cInvalidValue, cSendBlocked, cSendNotFriends}

func newModel(o modelOptions) *model {
	return &model{o: o, users: map[string]*mUser{}, live: map[string][]engine.Event{}}
}

// ---- reading the state ----

func (m *model) get(uid string) *mUser { return m.users[uid] }

// user returns uid, creating it: only for changes that log an event to uid.
func (m *model) user(uid string) *mUser {
	u := m.users[uid]
	if u == nil {
		u = &mUser{friends: map[string]*engine.FriendEdge{}, blocked: map[string]int64{},
			appsIn: map[string]*engine.Application{}, groups: map[string]int64{}}
		m.users[uid] = u
	}
	return u
}

// profileOf is uid's profile as served: the stored one, else the default
// profile of a user that never set one (also for a sender that does not
// exist yet).
func (m *model) profileOf(uid string) *engine.Profile {
	if u := m.get(uid); u != nil && u.profile != nil {
		return u.profile
	}
	return &engine.Profile{AllowType: m.o.defaultAllow}
}

func (m *model) isFriend(owner, peer string) bool {
	u := m.get(owner)
	return u != nil && u.friends[peer] != nil
}

func (m *model) blocks(owner, target string) bool {
	u := m.get(owner)
	if u == nil {
		return false
	}
	_, ok := u.blocked[target]
	return ok
}

func (m *model) app(from, to string) *engine.Application {
	if u := m.get(to); u != nil {
		return u.appsIn[from]
	}
	return nil
}

func (m *model) hasGroup(owner, g string) bool {
	u := m.get(owner)
	if u == nil {
		return false
	}
	_, ok := u.groups[g]
	return ok
}

func (m *model) friendCount(uid string) int {
	if u := m.get(uid); u != nil {
		return len(u.friends)
	}
	return 0
}

func (m *model) groupCount(uid string) int {
	if u := m.get(uid); u != nil {
		return len(u.groups)
	}
	return 0
}

func (m *model) pendingIn(uid string) int {
	if u := m.get(uid); u != nil {
		return len(u.appsIn)
	}
	return 0
}

func (m *model) unread(uid string) int {
	n := 0
	if u := m.get(uid); u != nil {
		for _, a := range u.appsIn {
			if !a.Read {
				n++
			}
		}
	}
	return n
}

// outgoing returns the targets of uid's pending applications, sorted.
func (m *model) outgoing(uid string) []string {
	var out []string
	for to, u := range m.users {
		if u.appsIn[uid] != nil {
			out = append(out, to)
		}
	}
	slices.Sort(out)
	return out
}

// holders returns the users whose list holds uid, sorted.
func (m *model) holders(uid string) []string {
	var out []string
	for id, u := range m.users {
		if u.friends[uid] != nil {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// blockers returns the users who blocked uid, sorted.
func (m *model) blockers(uid string) []string {
	var out []string
	for id, u := range m.users {
		if _, ok := u.blocked[uid]; ok {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// members returns the friends of owner in group g, sorted.
func (m *model) members(owner, g string) []string {
	var out []string
	if u := m.get(owner); u != nil {
		for f, e := range u.friends {
			if slices.Contains(e.Groups, g) {
				out = append(out, f)
			}
		}
	}
	slices.Sort(out)
	return out
}

// retained is the part of uid's log that Changes still serves and the
// seq just before it.
func (m *model) retained(uid string) (events []engine.Event, before uint64) {
	u := m.get(uid)
	if u == nil {
		return nil, 0
	}
	keep := min(len(u.log), m.o.retention)
	return u.log[len(u.log)-keep:], uint64(len(u.log) - keep)
}

func (m *model) seq(uid string) uint64 {
	if u := m.get(uid); u != nil {
		return uint64(len(u.log))
	}
	return 0
}

// ---- the primitives: every change logs its events ----

// emit appends an event to uid's log (creating uid).
func (m *model) emit(uid string, kind engine.EventKind, peers, groups []string, why engine.Reason) {
	u := m.user(uid)
	ev := engine.Event{Kind: kind, User: uid, Peers: peers, Groups: groups,
		Reason: why, Seq: uint64(len(u.log) + 1), At: m.now}
	u.log = append(u.log, ev)
	m.live[uid] = append(m.live[uid], ev)
}

func (m *model) putEdge(owner, friend string, e *engine.FriendEdge) {
	m.user(owner).friends[friend] = e
	m.emit(owner, engine.FriendAdded, []string{friend}, e.Groups, 0)
}

// dropEdge removes owner -> friend (its memberships go with it).
func (m *model) dropEdge(owner, friend string) bool {
	if !m.isFriend(owner, friend) {
		return false
	}
	delete(m.users[owner].friends, friend)
	m.emit(owner, engine.FriendDeleted, []string{friend}, nil, 0)
	return true
}

func (m *model) putGroup(owner, g string) {
	m.user(owner).groups[g] = m.now
	m.emit(owner, engine.GroupCreated, nil, []string{g}, 0)
}

func (m *model) putApp(from, to string, a *engine.Application) {
	m.user(to).appsIn[from] = a
	peers := []string{from, to}
	m.emit(from, engine.ApplicationAdded, peers, nil, 0)
	m.emit(to, engine.ApplicationAdded, peers, nil, 0)
}

func (m *model) dropApp(from, to string, why engine.Reason) bool {
	if m.app(from, to) == nil {
		return false
	}
	delete(m.users[to].appsIn, from)
	peers := []string{from, to}
	m.emit(from, engine.ApplicationDeleted, peers, nil, why)
	m.emit(to, engine.ApplicationDeleted, peers, nil, why)
	return true
}

func (m *model) putBlock(owner, target string) {
	m.user(owner).blocked[target] = m.now
	m.emit(owner, engine.BlockAdded, []string{target}, nil, 0)
}

func (m *model) dropBlock(owner, target string) bool {
	if !m.blocks(owner, target) {
		return false
	}
	delete(m.users[owner].blocked, target)
	m.emit(owner, engine.BlockDeleted, []string{target}, nil, 0)
	return true
}

// setMembership puts friend into owner's group g or takes it out; a
// change logs GroupMembersAdded / GroupMembersRemoved.
func (m *model) setMembership(owner, g, friend string, in bool) {
	e := m.users[owner].friends[friend]
	if slices.Contains(e.Groups, g) == in {
		return // already as asked
	}
	ne := *e
	ne.Groups = withGroup(e.Groups, g, in)
	m.users[owner].friends[friend] = &ne
	kind := engine.GroupMembersAdded
	if !in {
		kind = engine.GroupMembersRemoved
	}
	m.emit(owner, kind, []string{friend}, []string{g}, 0)
}

// withGroup returns a sorted copy of groups with g added or removed; nil
// when empty.
func withGroup(groups []string, g string, in bool) []string {
	var out []string
	for _, x := range groups {
		if x != g {
			out = append(out, x)
		}
	}
	if in {
		out = append(out, g)
		slices.Sort(out)
	}
	return out
}

// ---- validation ----

func (m *model) validID(id string) bool {
	return id != "" && len(id) <= m.o.limits.UserIDBytes && printable(id)
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

func (m *model) validGroup(g string) bool {
	return g != "" && len(g) <= m.o.limits.GroupNameBytes && printable(g)
}

// peerCodes answers the per-item checks every batch call makes before
// touching the store: invalid ID, the acting user itself, a repeat.
func (m *model) peerCodes(self string, ids []string) []int {
	codes := make([]int, len(ids))
	seen := map[string]bool{}
	for i, id := range ids {
		switch {
		case !m.validID(id), id == self, seen[id]:
			codes[i] = cInvalid
		default:
			seen[id] = true
		}
	}
	return codes
}

// customCode checks custom field values against the declared names
// (profile codes; friend fields map every failure to 30001).
func customCode(custom map[string][]byte, declared []string, limit int) int {
	for k, v := range custom { // the generator never sends more than one key
		if !slices.Contains(declared, k) {
			return cUnknownField
		}
		if len(v) > limit {
			return cTooLong
		}
	}
	return cOK
}

// mergeCustom applies changes to cur (an empty value removes a field);
// nil when nothing is left.
func mergeCustom(cur, changes map[string][]byte) map[string][]byte {
	if len(changes) == 0 {
		return cur
	}
	out := maps.Clone(cur)
	if out == nil {
		out = map[string][]byte{}
	}
	for k, v := range changes {
		if len(v) == 0 {
			delete(out, k)
		} else {
			out[k] = slices.Clone(v)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// ---- §1 profiles and users ----

// UpdateProfile: partial update, creating the profile (default AllowType)
// if the user has none; bumps the version; logs ProfileUpdated.
func (m *model) UpdateProfile(uid string, u engine.ProfileUpdate) (*engine.Profile, int) {
	if !m.validID(uid) {
		return nil, cInvalid
	}
	limit := m.o.limits.StringBytes
	for _, s := range []*string{u.Nick, u.FaceURL, u.SelfSignature, u.Location} {
		switch {
		case s == nil:
		case len(*s) > limit:
			return nil, cTooLong
		case !utf8.ValidString(*s):
			return nil, cInvalidValue
		}
	}
	if (u.Gender != nil && *u.Gender > engine.GenderFemale) ||
		(u.AllowType != nil && *u.AllowType > engine.DenyAny) ||
		(u.AdminForbidType != nil && *u.AdminForbidType > engine.ForbidSendOut) {
		return nil, cInvalidValue
	}
	if c := customCode(u.Custom, m.o.customProfile, limit); c != cOK {
		return nil, c
	}
	if u.Nick == nil && u.FaceURL == nil && u.Gender == nil && u.SelfSignature == nil &&
		u.AllowType == nil && u.Birthday == nil && u.Location == nil && u.Language == nil &&
		u.MessageSettings == nil && u.AdminForbidType == nil && u.Level == nil && u.Role == nil &&
		len(u.Custom) == 0 {
		return nil, cInvalid // an update must name a field
	}
	// Live only: everyone whose list holds uid hears of the change.
	for _, h := range m.holders(uid) {
		m.live[h] = append(m.live[h], engine.Event{Kind: engine.FriendProfileChanged, User: h,
			Peers: []string{uid}, At: m.now})
	}
	p := *m.profileOf(uid)
	set(&p.Nick, u.Nick)
	set(&p.FaceURL, u.FaceURL)
	set(&p.Gender, u.Gender)
	set(&p.SelfSignature, u.SelfSignature)
	set(&p.AllowType, u.AllowType)
	set(&p.Birthday, u.Birthday)
	set(&p.Location, u.Location)
	set(&p.Language, u.Language)
	set(&p.MessageSettings, u.MessageSettings)
	set(&p.AdminForbidType, u.AdminForbidType)
	set(&p.Level, u.Level)
	set(&p.Role, u.Role)
	p.Custom = mergeCustom(p.Custom, u.Custom)
	p.Version++
	p.UpdatedAt = m.now
	m.user(uid).profile = &p
	m.emit(uid, engine.ProfileUpdated, nil, nil, 0)
	return &p, cOK
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// DeleteUser removes uid with every relation touching it. Peers hear of
// it: FriendDeleted (they held uid), BlockDeleted (engine: they had
// blocked uid), ApplicationDeleted (reason deleted) — in that order, as
// the engine walks its key kinds. uid's own log goes with it.
func (m *model) DeleteUser(uid string) int {
	if !m.validID(uid) {
		return cInvalid
	}
	u := m.get(uid)
	if u == nil {
		return cOK
	}
	heard := len(m.live[uid]) // the user's own events of this call are never published
	defer func() { m.live[uid] = m.live[uid][:heard] }()
	for _, p := range m.holders(uid) {
		m.dropEdge(p, uid)
	}
	for _, p := range m.blockers(uid) {
		m.dropBlock(p, uid)
	}
	for _, p := range slices.Sorted(maps.Keys(u.appsIn)) {
		m.dropApp(p, uid, engine.ReasonDeleted)
	}
	for _, p := range m.outgoing(uid) {
		m.dropApp(uid, p, engine.ReasonDeleted)
	}
	delete(m.users, uid)
	return cOK
}

// ---- §2 friends ----

// AddFriends answers each request in order; a failed item changes nothing.
func (m *model) AddFriends(from string, reqs []engine.AddFriendRequest) ([]int, int) {
	if !m.validID(from) || len(reqs) > m.o.limits.IDsPerCall {
		return nil, cInvalid
	}
	ids := make([]string, len(reqs))
	for i, r := range reqs {
		ids[i] = r.UserID
	}
	codes := m.peerCodes(from, ids)
	for i, r := range reqs {
		if codes[i] == cOK {
			codes[i] = m.requestCode(r)
		}
		if codes[i] == cOK {
			codes[i] = m.addFriend(from, r)
		}
	}
	return codes, cOK
}

// requestCode is the first row of the check table: the request's own fields.
func (m *model) requestCode(r engine.AddFriendRequest) int {
	l := m.o.limits
	switch {
	case r.Type > engine.AddBoth,
		len(r.Remark) > l.RemarkBytes, len(r.Source) > l.AddSourceBytes, len(r.Wording) > l.AddWordingBytes,
		!utf8.ValidString(r.Remark), !utf8.ValidString(r.Source), !utf8.ValidString(r.Wording),
		r.Group != "" && !m.validGroup(r.Group),
		customCode(r.Custom, m.o.customFriend, l.StringBytes) != cOK:
		return cInvalid
	}
	return cOK
}

// addFriend runs one valid request through the check table of §2.
func (m *model) addFriend(from string, r engine.AddFriendRequest) int {
	to := r.UserID
	l := m.o.limits
	// engine: an unknown target is ErrNotFound (30003), checked first.
	if m.get(to) == nil {
		return cNotFound
	}
	switch {
	case m.profileOf(from).AdminForbidType == engine.ForbidSendOut:
		return cForbidden
	case m.blocks(from, to):
		return cBlockedByMe
	case m.blocks(to, from):
		return cBlockedByPeer
	case m.profileOf(to).AllowType == engine.DenyAny:
		return cPeerDenies
	}
	hasTo, hasFrom := m.isFriend(from, to), m.isFriend(to, from)
	if hasTo && (r.Type == engine.AddSingle || hasFrom) {
		return cInvalid // already friends
	}
	if !hasTo && m.friendCount(from) >= l.Friends {
		return cFriendLimit
	}
	// The group named in the request is created with the sender's edge.
	groupFull := r.Group != "" && !m.hasGroup(from, r.Group) && m.groupCount(from) >= l.Groups
	edge := &engine.FriendEdge{Remark: r.Remark, AddSource: r.Source, AddWording: r.Wording,
		AddedAt: m.now, Custom: mergeCustom(nil, r.Custom)}
	if r.Group != "" {
		edge.Groups = []string{r.Group}
	}
	putMine := func() {
		if r.Group != "" && !m.hasGroup(from, r.Group) {
			m.putGroup(from, r.Group)
		}
		m.putEdge(from, to, edge)
	}
	if r.Type == engine.AddSingle {
		if groupFull {
			return cGroupLimit
		}
		putMine()
		return cOK
	}
	crossing := m.app(to, from) // the target already asked the sender
	if m.profileOf(to).AllowType == engine.AllowAny || hasFrom || crossing != nil {
		if !hasFrom && m.friendCount(to) >= l.Friends {
			return cPeerLimit
		}
		if !hasTo && groupFull {
			return cGroupLimit
		}
		m.dropApp(from, to, engine.ReasonAccepted)
		m.dropApp(to, from, engine.ReasonAccepted)
		if !hasTo {
			putMine()
		}
		if !hasFrom {
			// engine: the target's edge takes this request's source and
			// wording; on a crossing, the target's own application is
			// answered: its edge is the one acceptance would give it.
			e := &engine.FriendEdge{AddSource: r.Source, AddWording: r.Wording, AddedAt: m.now}
			if crossing != nil {
				e = m.applicationEdge(to, crossing)
			}
			m.putEdge(to, from, e)
		}
		return cOK
	}
	if m.app(from, to) == nil && m.pendingIn(to) >= l.PendingIn {
		return cPendingLimit
	}
	m.putApp(from, to, &engine.Application{Wording: r.Wording, Source: r.Source, Remark: r.Remark,
		Group: r.Group, CreatedAt: m.now})
	return cPending
}

// DeleteFriends removes owner -> id (Single) or both edges (Both).
func (m *model) DeleteFriends(owner string, ids []string, typ engine.DeleteType) ([]int, int) {
	if typ > engine.DeleteBoth || !m.validID(owner) || len(ids) > m.o.limits.IDsPerCall {
		return nil, cInvalid
	}
	codes := m.peerCodes(owner, ids)
	for i, id := range ids {
		if codes[i] != cOK {
			continue
		}
		mine := m.dropEdge(owner, id)
		theirs := typ == engine.DeleteBoth && m.dropEdge(id, owner)
		if !mine && !theirs {
			codes[i] = cNotFriends
		}
	}
	return codes, cOK
}

// UpdateFriend changes owner's edge to friend; logs FriendUpdated.
func (m *model) UpdateFriend(owner, friend string, u engine.FriendUpdate) (*engine.FriendEdge, int) {
	l := m.o.limits
	if !m.validID(owner) || !m.validID(friend) || owner == friend {
		return nil, cInvalid
	}
	if u.Remark == nil && u.Groups == nil && len(u.Custom) == 0 { // names no field
		return nil, cInvalid
	}
	if u.Remark != nil && (len(*u.Remark) > l.RemarkBytes || !utf8.ValidString(*u.Remark)) {
		return nil, cInvalid
	}
	if customCode(u.Custom, m.o.customFriend, l.StringBytes) != cOK {
		return nil, cInvalid
	}
	var groups []string
	if u.Groups != nil {
		groups = slices.Compact(slices.Sorted(slices.Values(*u.Groups)))
		for _, g := range groups {
			if !m.validGroup(g) {
				return nil, cInvalid
			}
		}
		if len(groups) > l.Groups {
			return nil, cGroupLimit
		}
	}
	old := m.get(owner)
	if old == nil || old.friends[friend] == nil {
		return nil, cNotFriends
	}
	var missing []string
	for _, g := range groups {
		if !m.hasGroup(owner, g) {
			missing = append(missing, g)
		}
	}
	if m.groupCount(owner)+len(missing) > l.Groups {
		return nil, cGroupLimit
	}
	for _, g := range missing {
		m.putGroup(owner, g)
	}
	e := *old.friends[friend]
	set(&e.Remark, u.Remark)
	if u.Groups != nil {
		e.Groups = groups
		if len(groups) == 0 {
			e.Groups = nil
		}
	}
	e.Custom = mergeCustom(e.Custom, u.Custom)
	old.friends[friend] = &e
	m.emit(owner, engine.FriendUpdated, []string{friend}, e.Groups, 0)
	return &e, cOK
}

// ---- §3 applications ----

// AcceptApplication answers from's application to uid. The applicant's
// edge takes the application's remark and group (engine: the group is
// dropped, not an error, when the applicant has no room for it); with
// AgreeAndAdd uid's edge takes remark. On error nothing changes (engine:
// the application stays).
func (m *model) AcceptApplication(uid, from string, mode engine.AcceptMode, remark string) int {
	l := m.o.limits
	if !m.validID(uid) || !m.validID(from) || uid == from ||
		mode > engine.AcceptAgreeAndAdd || len(remark) > l.RemarkBytes || !utf8.ValidString(remark) {
		return cInvalid
	}
	a := m.app(from, uid)
	if a == nil {
		return cNoApplication
	}
	applicantHas, iHave := m.isFriend(from, uid), m.isFriend(uid, from)
	if !applicantHas && m.friendCount(from) >= l.Friends {
		return cPeerLimit
	}
	both := mode == engine.AcceptAgreeAndAdd
	if both && !iHave && m.friendCount(uid) >= l.Friends {
		return cFriendLimit
	}
	m.dropApp(from, uid, engine.ReasonAccepted)
	if !applicantHas {
		m.putEdge(from, uid, m.applicationEdge(from, a))
	}
	if both && !iHave {
		m.putEdge(uid, from, &engine.FriendEdge{Remark: remark, AddSource: a.Source, AddWording: a.Wording, AddedAt: m.now})
	}
	return cOK
}

// applicationEdge is the edge the applicant gets when application a is
// answered: its remark, group (created if there is room, else left out),
// source and wording.
func (m *model) applicationEdge(applicant string, a *engine.Application) *engine.FriendEdge {
	e := &engine.FriendEdge{Remark: a.Remark, AddSource: a.Source, AddWording: a.Wording, AddedAt: m.now}
	if a.Group != "" {
		if !m.hasGroup(applicant, a.Group) && m.groupCount(applicant) < m.o.limits.Groups {
			m.putGroup(applicant, a.Group)
		}
		if m.hasGroup(applicant, a.Group) {
			e.Groups = []string{a.Group}
		}
	}
	return e
}

func (m *model) RefuseApplication(uid, from string) int {
	if !m.validID(uid) || !m.validID(from) || uid == from {
		return cInvalid
	}
	if !m.dropApp(from, uid, engine.ReasonRefused) {
		return cNoApplication
	}
	return cOK
}

// DeleteApplications removes the applications between uid and each peer
// in the direction asked, without answering them.
func (m *model) DeleteApplications(uid string, peers []string, dir engine.Direction) ([]int, int) {
	if dir > engine.BothDirections || !m.validID(uid) || len(peers) > m.o.limits.IDsPerCall {
		return nil, cInvalid
	}
	codes := m.peerCodes(uid, peers)
	for i, p := range peers {
		if codes[i] != cOK {
			continue
		}
		found := false
		if dir != engine.Outgoing {
			found = m.dropApp(p, uid, engine.ReasonDeleted)
		}
		if dir != engine.Incoming {
			found = m.dropApp(uid, p, engine.ReasonDeleted) || found
		}
		if !found {
			codes[i] = cNoApplication
		}
	}
	return codes, cOK
}

// MarkApplicationsRead marks every incoming application read. engine:
// with nothing unread it changes and logs nothing.
func (m *model) MarkApplicationsRead(uid string) int {
	if !m.validID(uid) {
		return cInvalid
	}
	if m.unread(uid) == 0 {
		return cOK
	}
	u := m.users[uid]
	for from, a := range u.appsIn {
		r := *a
		r.Read = true
		u.appsIn[from] = &r
	}
	m.emit(uid, engine.ApplicationsRead, nil, nil, 0)
	return cOK
}

// ---- §4 friend groups ----

// CreateGroup creates owner's group with members. engine: at most
// Limits.Friends members per call.
func (m *model) CreateGroup(owner, name string, members []string) ([]int, int) {
	if !m.validGroup(name) || !m.validID(owner) || len(members) > m.o.limits.Friends {
		return nil, cInvalid
	}
	if m.hasGroup(owner, name) {
		return nil, cInvalid // group exists
	}
	if m.groupCount(owner) >= m.o.limits.Groups {
		return nil, cGroupLimit
	}
	codes := m.peerCodes(owner, members)
	m.putGroup(owner, name)
	m.membership(owner, name, members, codes, true)
	return codes, cOK
}

func (m *model) AddToGroup(owner, name string, members []string) ([]int, int) {
	return m.changeGroup(owner, name, members, true)
}

func (m *model) RemoveFromGroup(owner, name string, members []string) ([]int, int) {
	return m.changeGroup(owner, name, members, false)
}

func (m *model) changeGroup(owner, name string, members []string, in bool) ([]int, int) {
	if !m.validGroup(name) || !m.validID(owner) || len(members) > m.o.limits.Friends {
		return nil, cInvalid
	}
	if !m.hasGroup(owner, name) {
		return nil, cInvalid // group not found
	}
	codes := m.peerCodes(owner, members)
	m.membership(owner, name, members, codes, in)
	return codes, cOK
}

// membership answers each member: a non-friend is 32216; one already as
// asked is a success without a change.
func (m *model) membership(owner, name string, members []string, codes []int, in bool) {
	for i, f := range members {
		if codes[i] != cOK {
			continue
		}
		if !m.isFriend(owner, f) {
			codes[i] = cMemberNotFrien
			continue
		}
		m.setMembership(owner, name, f, in)
	}
}

// DeleteGroups deletes groups; their members stay friends. engine: at
// most Limits.Groups names per call; a repeated name is 30001.
func (m *model) DeleteGroups(owner string, names []string) ([]int, int) {
	if !m.validID(owner) || len(names) > m.o.limits.Groups {
		return nil, cInvalid
	}
	codes := make([]int, len(names))
	seen := map[string]bool{}
	for i, g := range names {
		switch {
		case !m.validGroup(g), seen[g], !m.hasGroup(owner, g):
			codes[i] = cInvalid
		default:
			for _, f := range m.members(owner, g) {
				m.setMembership(owner, g, f, false)
			}
			delete(m.users[owner].groups, g)
			m.emit(owner, engine.GroupDeleted, nil, []string{g}, 0)
		}
		seen[g] = true
	}
	return codes, cOK
}

// RenameGroup renames a group, keeping its members and creation time.
func (m *model) RenameGroup(owner, oldName, newName string) int {
	if !m.validID(owner) || !m.validGroup(oldName) || !m.validGroup(newName) {
		return cInvalid
	}
	if !m.hasGroup(owner, oldName) || m.hasGroup(owner, newName) {
		return cInvalid // not found / exists (also when the names are equal)
	}
	u := m.users[owner]
	for _, f := range m.members(owner, oldName) {
		e := *u.friends[f]
		e.Groups = withGroup(withGroup(e.Groups, oldName, false), newName, true)
		u.friends[f] = &e
	}
	u.groups[newName] = u.groups[oldName]
	delete(u.groups, oldName)
	m.emit(owner, engine.GroupRenamed, nil, []string{oldName, newName}, 0)
	return cOK
}

// ---- §5 blocklist ----

// Block adds ids to owner's blocklist; each block removes the
// applications between the two (both ways) and, unless
// KeepFriendsOnBlock, the friendship in both directions.
func (m *model) Block(owner string, ids []string) ([]int, int) {
	if !m.validID(owner) || len(ids) > m.o.limits.IDsPerCall {
		return nil, cInvalid
	}
	codes := m.peerCodes(owner, ids)
	for i, id := range ids {
		if codes[i] != cOK {
			continue
		}
		switch {
		case m.blocks(owner, id):
			codes[i] = cInvalid // already blocked
		case m.get(id) == nil:
			codes[i] = cNotFound
		case len(m.get(owner).blockedOrNil()) >= m.o.limits.Blocked:
			codes[i] = cBlockLimit
		default:
			m.putBlock(owner, id)
			m.dropApp(owner, id, engine.ReasonBlocked)
			m.dropApp(id, owner, engine.ReasonBlocked)
			if !m.o.keepFriendsOnBlock {
				m.dropEdge(owner, id)
				m.dropEdge(id, owner)
			}
		}
	}
	return codes, cOK
}

func (u *mUser) blockedOrNil() map[string]int64 {
	if u == nil {
		return nil
	}
	return u.blocked
}

func (m *model) Unblock(owner string, ids []string) ([]int, int) {
	if !m.validID(owner) || len(ids) > m.o.limits.IDsPerCall {
		return nil, cInvalid
	}
	codes := m.peerCodes(owner, ids)
	for i, id := range ids {
		if codes[i] == cOK && !m.dropBlock(owner, id) {
			codes[i] = cInvalid // not blocked
		}
	}
	return codes, cOK
}

// CanSend: refused when to blocked from (20007); with RequireFriendship,
// unless each holds the other (20009).
func (m *model) CanSend(from, to string) int {
	switch {
	case !m.validID(from) || !m.validID(to) || from == to:
		return cInvalid
	case m.blocks(to, from):
		return cSendBlocked
	case m.o.requireFriendship && !(m.isFriend(from, to) && m.isFriend(to, from)):
		return cSendNotFriends
	}
	return cOK
}

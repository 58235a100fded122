package fuzz

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kithdb/kith/engine"
)

// An op is one call in a form the fuzzer can mutate: a kind, an acting
// user, items (a user and per-item flags) and four parameters, all small
// numbers. Its byte encoding is
//
//	kind actor n (user flags)×n p0 p1 p2 p3
//
// with missing bytes read as 0. build turns an op into a concrete call
// (user IDs, strings, option values); see the comments there for what
// each byte means per kind.
type op struct {
	Kind  opKind
	Actor uint8
	Items []item
	P     [4]uint8
}

type item struct{ U, F uint8 }

type opKind uint8

const (
	opUpdateProfile opKind = iota
	opAddFriends
	opAccept
	opRefuse
	opDeleteApps
	opDeleteFriends
	opUpdateFriend
	opCreateGroup
	opDeleteGroups
	opRenameGroup
	opAddToGroup
	opRemoveFromGroup
	opBlock
	opUnblock
	opMarkRead
	opDeleteUser
	opCanSend
	opReopen // close and reopen the store on the same FS (WAL replay)
	opVerify // compare the whole observable state with the model now
	opCrash  // crash (keep only synced data) and reopen: with Sync on, nothing acknowledged is lost
	// opBadContext makes the next call run with a nil (p0 even) or a
	// cancelled (p0 odd) context: it must fail and write nothing.
	opBadContext
	numOps
)

var opNames = [numOps]string{"UpdateProfile", "AddFriends", "AcceptApplication", "RefuseApplication",
	"DeleteApplications", "DeleteFriends", "UpdateFriend", "CreateGroup", "DeleteGroups", "RenameGroup",
	"AddToGroup", "RemoveFromGroup", "Block", "Unblock", "MarkApplicationsRead", "DeleteUser", "CanSend",
	"Reopen", "Verify", "Crash", "BadContext"}

func (k opKind) String() string {
	if k < numOps {
		return opNames[k]
	}
	return fmt.Sprintf("op%d", uint8(k))
}

// maxItems bounds the items of one op: one more than Limits.IDsPerCall,
// so that the too-many path is reachable.
const maxItems = 5

// maxOps bounds the ops one fuzz input decodes to.
const maxOps = 64

// byteSource hands out the bytes of a fuzz input, then zeros.
type byteSource struct{ b []byte }

func (s *byteSource) next() uint8 {
	if len(s.b) == 0 {
		return 0
	}
	c := s.b[0]
	s.b = s.b[1:]
	return c
}

func (s *byteSource) empty() bool { return len(s.b) == 0 }

func decodeOp(s *byteSource) op {
	o := op{Kind: opKind(s.next() % uint8(numOps)), Actor: s.next()}
	n := int(s.next()) % (maxItems + 1)
	for range n {
		o.Items = append(o.Items, item{U: s.next(), F: s.next()})
	}
	for i := range o.P {
		o.P[i] = s.next()
	}
	return o
}

func (o op) encode(dst []byte) []byte {
	dst = append(dst, uint8(o.Kind), o.Actor, uint8(len(o.Items)))
	for _, it := range o.Items {
		dst = append(dst, it.U, it.F)
	}
	return append(dst, o.P[:]...)
}

// decodeInput splits a fuzz input into the configuration byte and ops.
func decodeInput(data []byte) (config, []op) {
	s := &byteSource{b: data}
	cfg := config(s.next())
	var ops []op
	for !s.empty() && len(ops) < maxOps {
		ops = append(ops, decodeOp(s))
	}
	return cfg, ops
}

func encodeInput(cfg config, ops ...op) []byte {
	b := []byte{byte(cfg)}
	for _, o := range ops {
		b = o.encode(b)
	}
	return b
}

// ---- building concrete calls ----

// invalidUser is the item/actor byte that names an invalid user ID.
const invalidUser = 255

const badID = "bad\x01id" // control character: ErrInvalidUserID

func userID(users []string, u uint8) string {
	if u == invalidUser {
		return badID
	}
	return users[int(u)%len(users)]
}

// groupNames are the valid group names: "g1" is a prefix of "g10", and
// one is not ASCII.
var groupNames = [4]string{"g0", "g1", "g10", "ģ3"}

// groupName maps a byte to a group name: one of groupNames, "" (none /
// invalid), one over the 30-byte limit, or one with a control character.
func groupName(b uint8) string {
	switch b % 7 {
	case 4:
		return ""
	case 5:
		return strings.Repeat("g", 31)
	case 6:
		return "g\x01"
	}
	return groupNames[b%7]
}

var (
	longString = strings.Repeat("x", 501) // over every string limit
	longRemark = strings.Repeat("r", 97)
)

// call is a concrete call: what both the engine and the model are given.
type call struct {
	kind     opKind
	actor    string
	ids      []string // peers / members / group names
	reqs     []engine.AddFriendRequest
	profile  engine.ProfileUpdate
	friend   engine.FriendUpdate
	name     string // group name; RenameGroup's old name
	newName  string
	remark   string
	mode     engine.AcceptMode
	dir      engine.Direction
	delType  engine.DeleteType
	peer     string // AcceptApplication, RefuseApplication, UpdateFriend, CanSend
	allow    *engine.AllowType
	describe string
}

func (c *call) String() string { return c.describe }

func ptr[T any](v T) *T { return &v }

// build turns o into a concrete call over users.
func build(o op, users []string) *call {
	c := &call{kind: o.Kind, actor: userID(users, o.Actor)}
	peer := func(i int) string {
		if i < len(o.Items) {
			return userID(users, o.Items[i].U)
		}
		return userID(users, o.Actor+1)
	}
	peers := func() []string {
		ids := make([]string, len(o.Items))
		for i := range o.Items {
			ids[i] = userID(users, o.Items[i].U)
		}
		return ids
	}
	p := o.P
	var d strings.Builder
	fmt.Fprintf(&d, "%s(%q", o.Kind, c.actor)
	switch o.Kind {
	case opUpdateProfile:
		// p0: field mask (bit0 allowType=p1%4, bit1 adminForbid=p2%3,
		// bit2 nick, bit3 custom, bit4 gender, bit5 birthday, bit6 a
		// 480-byte signature); p3: values.
		u := &c.profile
		if p[0]&1 != 0 {
			u.AllowType = ptr(engine.AllowType(p[1] % 4))
		}
		if p[0]&2 != 0 {
			u.AdminForbidType = ptr(engine.AdminForbidType(p[2] % 3))
		}
		if p[0]&4 != 0 {
			u.Nick = ptr([]string{"", "ann", "bob", longString}[p[3]%4])
		}
		if p[0]&8 != 0 {
			switch (p[3] >> 2) % 4 {
			case 0:
				u.Custom = map[string][]byte{"Tag": {'v', p[1]}}
			case 1:
				u.Custom = map[string][]byte{"Tag": nil} // removes the field
			case 2:
				u.Custom = map[string][]byte{"Bad": {'x'}} // undeclared
			case 3:
				u.Custom = map[string][]byte{"Tag": []byte(longString)}
			}
		}
		if p[0]&16 != 0 {
			u.Gender = ptr(engine.Gender((p[3] >> 4) % 4))
		}
		if p[0]&32 != 0 {
			u.Birthday = ptr(uint32(20000101 + int(p[2])))
		}
		if p[0]&64 != 0 {
			u.SelfSignature = ptr(strings.Repeat(string('a'+rune(p[1]%26)), 480))
		}
		fmt.Fprintf(&d, ", %s", fmtUpdate(u))
	case opAddFriends:
		// per item flags: bit0 Both; bits1-3 group (0: none, else
		// groupName(v-1)); bit4 remark; bits5-7 trouble (5: remark too
		// long, 6: bad type, 7: undeclared custom field; 1: wording,
		// source and a custom field).
		for _, it := range o.Items {
			f := it.F
			r := engine.AddFriendRequest{UserID: userID(users, it.U)}
			if f&1 != 0 {
				r.Type = engine.AddBoth
			}
			if g := (f >> 1) & 7; g != 0 {
				r.Group = groupName(g - 1)
			}
			if f&16 != 0 {
				r.Remark = fmt.Sprintf("r%d", it.U%8)
			}
			switch f >> 5 {
			case 1:
				r.Wording, r.Source = fmt.Sprintf("hi%d", it.U%8), "qr"
				r.Custom = map[string][]byte{"Fx": {'c', it.U}}
			case 5:
				r.Remark = longRemark
			case 6:
				r.Type = 2
			case 7:
				r.Custom = map[string][]byte{"Nope": {'c'}}
			}
			c.reqs = append(c.reqs, r)
			fmt.Fprintf(&d, ", %s", fmtRequest(r))
		}
	case opAccept:
		// p0: mode (2: invalid); p1: remark.
		c.peer = peer(0)
		c.mode = engine.AcceptMode(p[0] % 3)
		c.remark = []string{"", "ra", "rb", longRemark}[p[1]%4]
		fmt.Fprintf(&d, ", %q, mode=%d, remark=%s", c.peer, c.mode, short(c.remark))
	case opRefuse:
		c.peer = peer(0)
		fmt.Fprintf(&d, ", %q", c.peer)
	case opDeleteApps:
		c.ids, c.dir = peers(), engine.Direction(p[0]%4)
		fmt.Fprintf(&d, ", %q, dir=%d", c.ids, c.dir)
	case opDeleteFriends:
		c.ids, c.delType = peers(), engine.DeleteType(p[0]%3)
		fmt.Fprintf(&d, ", %q, type=%d", c.ids, c.delType)
	case opUpdateFriend:
		// p0: mask (bit0 remark=p1, bit1 groups=p2 bits, bit2 custom=p3).
		c.peer = peer(0)
		u := &c.friend
		if p[0]&1 != 0 {
			u.Remark = ptr([]string{"", "ra", "rb", longRemark}[p[1]%4])
		}
		if p[0]&2 != 0 {
			gs := []string{}
			for i := range 7 {
				if p[2]&(1<<i) != 0 {
					gs = append(gs, groupName(uint8(i)))
				}
			}
			if p[2]&128 != 0 {
				gs = append(gs, "g0") // a repeat
			}
			u.Groups = &gs
		}
		if p[0]&4 != 0 {
			u.Custom = []map[string][]byte{{"Fx": {'u', p[3]}}, {"Fx": nil}, {"Nope": {'x'}}}[p[3]%3]
		}
		fmt.Fprintf(&d, ", %q, %s", c.peer, fmtFriendUpdate(u))
	case opCreateGroup, opAddToGroup, opRemoveFromGroup:
		c.name, c.ids = groupName(p[0]), peers()
		fmt.Fprintf(&d, ", %q, %q", c.name, c.ids)
	case opDeleteGroups:
		for _, it := range o.Items {
			c.ids = append(c.ids, groupName(it.U))
		}
		fmt.Fprintf(&d, ", %q", c.ids)
	case opRenameGroup:
		c.name, c.newName = groupName(p[0]), groupName(p[1])
		fmt.Fprintf(&d, ", %q, %q", c.name, c.newName)
	case opBlock, opUnblock:
		c.ids = peers()
		fmt.Fprintf(&d, ", %q", c.ids)
	case opCanSend:
		c.peer = peer(0)
		fmt.Fprintf(&d, ", %q", c.peer)
	case opMarkRead, opDeleteUser:
	case opReopen, opVerify, opCrash:
		d.Reset()
		d.WriteString(o.Kind.String() + "(")
	case opBadContext:
		d.Reset()
		d.WriteString([]string{"BadContext(nil", "BadContext(cancelled"}[p[0]%2])
	}
	d.WriteString(")")
	c.describe = d.String()
	return c
}

func short(s string) string {
	if len(s) > 8 {
		return fmt.Sprintf("<%d bytes>", len(s))
	}
	return fmt.Sprintf("%q", s)
}

func fmtUpdate(u *engine.ProfileUpdate) string {
	var parts []string
	if u.AllowType != nil {
		parts = append(parts, fmt.Sprintf("allow=%d", *u.AllowType))
	}
	if u.AdminForbidType != nil {
		parts = append(parts, fmt.Sprintf("forbid=%d", *u.AdminForbidType))
	}
	if u.Nick != nil {
		parts = append(parts, "nick="+short(*u.Nick))
	}
	for k, v := range u.Custom {
		parts = append(parts, fmt.Sprintf("custom.%s=%s", k, short(string(v))))
	}
	if u.Gender != nil {
		parts = append(parts, fmt.Sprintf("gender=%d", *u.Gender))
	}
	if u.Birthday != nil {
		parts = append(parts, fmt.Sprintf("birthday=%d", *u.Birthday))
	}
	if u.SelfSignature != nil {
		parts = append(parts, "signature="+short(*u.SelfSignature))
	}
	return "{" + strings.Join(parts, " ") + "}"
}

func fmtRequest(r engine.AddFriendRequest) string {
	s := fmt.Sprintf("{%q type=%d", r.UserID, r.Type)
	if r.Group != "" {
		s += " group=" + short(r.Group)
	}
	if r.Remark != "" {
		s += " remark=" + short(r.Remark)
	}
	if r.Wording != "" {
		s += fmt.Sprintf(" wording=%q source=%q", r.Wording, r.Source)
	}
	for k, v := range r.Custom {
		s += fmt.Sprintf(" custom.%s=%q", k, v)
	}
	return s + "}"
}

func fmtFriendUpdate(u *engine.FriendUpdate) string {
	var parts []string
	if u.Remark != nil {
		parts = append(parts, "remark="+short(*u.Remark))
	}
	if u.Groups != nil {
		var gs []string
		for _, g := range *u.Groups {
			gs = append(gs, short(g))
		}
		parts = append(parts, "groups=["+strings.Join(gs, " ")+"]")
	}
	for k, v := range u.Custom {
		parts = append(parts, fmt.Sprintf("custom.%s=%q", k, v))
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// ---- running a call ----

// outcome is what a call answered, in a comparable form: the call's code
// and, when it succeeded, each item's ID and code, and the record it
// returned.
type outcome struct {
	code  int
	ids   []string
	codes []int
	extra string
}

func (o outcome) String() string {
	s := fmt.Sprintf("code=%d", o.code)
	if len(o.ids) > 0 {
		items := make([]string, len(o.ids))
		for i, id := range o.ids {
			items[i] = fmt.Sprintf("%s:%d", id, o.codes[i])
		}
		s += " items=" + strings.Join(items, ",")
	}
	if o.extra != "" {
		s += " -> " + o.extra
	}
	return s
}

func reqIDs(reqs []engine.AddFriendRequest) []string {
	ids := make([]string, len(reqs))
	for i, r := range reqs {
		ids[i] = r.UserID
	}
	return ids
}

// runModel applies c to the model.
func runModel(m *model, c *call) outcome {
	var codes []int
	code := cOK
	out := outcome{}
	ids := c.ids
	switch c.kind {
	case opUpdateProfile:
		var p *engine.Profile
		p, code = m.UpdateProfile(c.actor, c.profile)
		if p != nil {
			out.extra = fmtProfile(p)
		}
	case opAddFriends:
		codes, code = m.AddFriends(c.actor, c.reqs)
		ids = reqIDs(c.reqs)
	case opAccept:
		code = m.AcceptApplication(c.actor, c.peer, c.mode, c.remark)
	case opRefuse:
		code = m.RefuseApplication(c.actor, c.peer)
	case opDeleteApps:
		codes, code = m.DeleteApplications(c.actor, c.ids, c.dir)
	case opDeleteFriends:
		codes, code = m.DeleteFriends(c.actor, c.ids, c.delType)
	case opUpdateFriend:
		var e *engine.FriendEdge
		e, code = m.UpdateFriend(c.actor, c.peer, c.friend)
		if e != nil {
			out.extra = fmtEdge(e)
		}
	case opCreateGroup:
		codes, code = m.CreateGroup(c.actor, c.name, c.ids)
	case opDeleteGroups:
		codes, code = m.DeleteGroups(c.actor, c.ids)
	case opRenameGroup:
		code = m.RenameGroup(c.actor, c.name, c.newName)
	case opAddToGroup:
		codes, code = m.AddToGroup(c.actor, c.name, c.ids)
	case opRemoveFromGroup:
		codes, code = m.RemoveFromGroup(c.actor, c.name, c.ids)
	case opBlock:
		codes, code = m.Block(c.actor, c.ids)
	case opUnblock:
		codes, code = m.Unblock(c.actor, c.ids)
	case opMarkRead:
		code = m.MarkApplicationsRead(c.actor)
	case opDeleteUser:
		code = m.DeleteUser(c.actor)
	case opCanSend:
		code = m.CanSend(c.actor, c.peer)
	}
	out.code = code
	if code == cOK {
		out.ids, out.codes = ids, codes
	}
	if code != cOK {
		out.extra = ""
	}
	return out
}

// runEngine applies c to db. err is an error without a result code (I/O,
// internal): the caller decides what it means.
func runEngine(ctx context.Context, db *engine.DB, c *call) (outcome, error) {
	var res []engine.Result
	var err error
	out := outcome{}
	switch c.kind {
	case opUpdateProfile:
		var p *engine.Profile
		p, err = db.UpdateProfile(ctx, c.actor, c.profile)
		if p != nil {
			out.extra = fmtProfile(p)
		}
	case opAddFriends:
		var ar []engine.AddFriendResult
		ar, err = db.AddFriends(ctx, c.actor, slices.Clone(c.reqs))
		if err == nil {
			ids := make([]string, len(ar))
			codes := make([]int, len(ar))
			for i, r := range ar {
				ids[i], codes[i] = r.UserID, r.Code()
				if r.Err == nil && r.Outcome != engine.Added && r.Outcome != engine.Pending {
					codes[i] = -2 // success without an outcome
				}
			}
			out.ids, out.codes = ids, codes
		}
	case opAccept:
		err = db.AcceptApplication(ctx, c.actor, c.peer, c.mode, c.remark)
	case opRefuse:
		err = db.RefuseApplication(ctx, c.actor, c.peer)
	case opDeleteApps:
		res, err = db.DeleteApplications(ctx, c.actor, slices.Clone(c.ids), c.dir)
	case opDeleteFriends:
		res, err = db.DeleteFriends(ctx, c.actor, slices.Clone(c.ids), c.delType)
	case opUpdateFriend:
		var e *engine.FriendEdge
		e, err = db.UpdateFriend(ctx, c.actor, c.peer, c.friend)
		if e != nil {
			out.extra = fmtEdge(e)
		}
	case opCreateGroup:
		res, err = db.CreateGroup(ctx, c.actor, c.name, slices.Clone(c.ids))
	case opDeleteGroups:
		res, err = db.DeleteGroups(ctx, c.actor, slices.Clone(c.ids))
	case opRenameGroup:
		err = db.RenameGroup(ctx, c.actor, c.name, c.newName)
	case opAddToGroup:
		res, err = db.AddToGroup(ctx, c.actor, c.name, slices.Clone(c.ids))
	case opRemoveFromGroup:
		res, err = db.RemoveFromGroup(ctx, c.actor, c.name, slices.Clone(c.ids))
	case opBlock:
		res, err = db.Block(ctx, c.actor, slices.Clone(c.ids))
	case opUnblock:
		res, err = db.Unblock(ctx, c.actor, slices.Clone(c.ids))
	case opMarkRead:
		err = db.MarkApplicationsRead(ctx, c.actor)
	case opDeleteUser:
		err = db.DeleteUser(ctx, c.actor)
	case opCanSend:
		err = db.CanSend(ctx, c.actor, c.peer)
	}
	out.code = engine.Code(err)
	if out.code < 0 {
		return out, err
	}
	if res != nil && err == nil {
		out.ids, out.codes = make([]string, len(res)), make([]int, len(res))
		for i, r := range res {
			out.ids[i], out.codes[i] = r.UserID, engine.Code(r.Err)
		}
	}
	if err != nil {
		out.ids, out.codes, out.extra = nil, nil, ""
	}
	return out, nil
}

// codesOf returns the codes an outcome holds (the call's, the items').
func codesOf(o outcome) []int { return append([]int{o.code}, o.codes...) }

package fuzz

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kithdb/kith/engine"
)

// The observable state of a store is dumped as text lines, read through
// every public read call (profiles, friend lists with and without a group,
// applications both ways, blocklists, groups, GetFriends, CheckFriends,
// CheckBlocked, CanSend, Changes), and the model prints the lines the
// spec predicts. Comparing the two compares every answer at once, and a
// diff of lines says where they part. Pages are read with small limits,
// so cursors are exercised too; a page that breaks the paging contract
// adds a "paging:" line the model never prints.

func fmtProfile(p *engine.Profile) string { return fmt.Sprintf("%+v", *p) }
func fmtEdge(e *engine.FriendEdge) string { return fmt.Sprintf("%+v", *e) }
func fmtApp(a *engine.Application) string { return fmt.Sprintf("%+v", *a) }

func fmtEvent(e engine.Event) string {
	return fmt.Sprintf("#%d kind=%d peers=%q groups=%q reason=%d at=%d", e.Seq, e.Kind, e.Peers, e.Groups, e.Reason, e.At)
}

func relName(r engine.Relation) string {
	return [...]string{"none", "mine", "theirs", "both"}[r]
}

func relation(mine, theirs bool) engine.Relation {
	switch {
	case mine && theirs:
		return engine.BothWay
	case mine:
		return engine.InMyList
	case theirs:
		return engine.InTheirList
	}
	return engine.NoRelation
}

// noGroup is a valid group name no test ever creates.
const noGroup = "nogroup"

// dumpDB reads the observable state of db for users. An error without a
// result code (I/O, internal) is returned as such.
func dumpDB(ctx context.Context, db *engine.DB, o modelOptions, users []string) ([]string, error) {
	d := &dbDumper{ctx: ctx, db: db, o: o, users: users}
	d.profiles()
	for _, u := range users {
		if d.err != nil {
			break
		}
		d.user(u)
	}
	return d.lines, d.err
}

type dbDumper struct {
	ctx   context.Context
	db    *engine.DB
	o     modelOptions
	users []string
	lines []string
	err   error
}

func (d *dbDumper) add(format string, args ...any) {
	d.lines = append(d.lines, fmt.Sprintf(format, args...))
}

// code turns err into its result code, keeping errors without one.
func (d *dbDumper) code(err error) int {
	c := engine.Code(err)
	if c < 0 && d.err == nil {
		d.err = err
	}
	return c
}

func (d *dbDumper) profiles() {
	ids := append(slices.Clone(d.users), badID)
	for k := 0; k < len(ids); {
		res, err := d.db.GetProfiles(d.ctx, d.users[0], ids[k:])
		if c := d.code(err); c != 0 {
			d.add("profiles from %d: code=%d", k, c)
			return
		}
		d.add("profiles from %d: answered=%d dropped=%d", k, len(res.Items), res.Dropped)
		for i, it := range res.Items {
			if it.UserID != ids[k+i] {
				d.add("paging: profile item %d is %q, asked %q", k+i, it.UserID, ids[k+i])
			}
			if c := d.code(it.Err); c != 0 {
				d.add("profile %s: code=%d", it.UserID, c)
			} else {
				d.add("profile %s: %s", it.UserID, fmtProfile(it.Profile))
			}
		}
		if len(res.Items) == 0 {
			return
		}
		k += len(res.Items)
	}
}

// pages follows a cursor: page(after) returns the IDs of a page and its
// Next; limit is the page size asked.
func (d *dbDumper) pages(what string, limit int, page func(after string) ([]string, string, error)) error {
	after := ""
	for range 1000 {
		ids, next, err := page(after)
		if err != nil {
			return err
		}
		if len(ids) > limit {
			d.add("paging: %s: page of %d items, limit %d", what, len(ids), limit)
		}
		if next == "" {
			return nil
		}
		if len(ids) == 0 || ids[len(ids)-1] != next {
			d.add("paging: %s: Next %q after page %q", what, next, ids)
			return nil
		}
		after = next
	}
	d.add("paging: %s: no end", what)
	return nil
}

func (d *dbDumper) user(u string) {
	db, ctx, l := d.db, d.ctx, d.o.limits
	// Friend list, default page size.
	var seq uint64
	seqs := map[uint64]bool{}
	edges := map[string]string{}
	err := d.pages("friends of "+u, l.PageSize, func(after string) ([]string, string, error) {
		p, err := db.ListFriends(ctx, u, engine.ListOptions{After: after})
		if err != nil {
			return nil, "", err
		}
		seq = p.Seq
		seqs[p.Seq] = true
		var ids []string
		for _, f := range p.Items {
			ids = append(ids, f.UserID)
			edges[f.UserID] = fmtEdge(f.Edge)
			d.add("friend %s -> %s: %s", u, f.UserID, fmtEdge(f.Edge))
		}
		return ids, p.Next, nil
	})
	if d.code(err) != 0 || d.err != nil {
		return
	}
	d.add("seq %s: %d (pages agree: %v)", u, seq, len(seqs) == 1)

	// Groups, with and without members, and the friends of each group.
	gl, err := db.ListGroups(ctx, u, true)
	if d.code(err) != 0 {
		return
	}
	gc, err := db.ListGroups(ctx, u, false)
	if d.code(err) != 0 {
		return
	}
	var counts []string
	for _, g := range gc.Groups {
		counts = append(counts, fmt.Sprintf("%s=%d%s", g.Name, g.Count, map[bool]string{true: "+members"}[g.Members != nil]))
	}
	d.add("groups %s: seq=%d %s", u, gl.Seq, strings.Join(counts, " "))
	for _, g := range gl.Groups {
		d.add("group %s/%s: count=%d members=%q at=%d", u, g.Name, g.Count, g.Members, g.CreatedAt)
		var members []string
		err := d.pages("group "+u+"/"+g.Name, 1, func(after string) ([]string, string, error) {
			p, err := db.ListFriends(ctx, u, engine.ListOptions{After: after, Group: g.Name, Limit: 1})
			if err != nil {
				return nil, "", err
			}
			var ids []string
			for _, f := range p.Items {
				ids = append(ids, f.UserID)
				members = append(members, f.UserID)
				if edges[f.UserID] != fmtEdge(f.Edge) {
					d.add("group list %s/%s: edge of %s differs from the friend list: %s", u, g.Name, f.UserID, fmtEdge(f.Edge))
				}
			}
			return ids, p.Next, nil
		})
		if d.code(err) != 0 {
			return
		}
		d.add("group friends %s/%s: %q", u, g.Name, members)
	}
	_, err = db.ListFriends(ctx, u, engine.ListOptions{Group: noGroup})
	d.add("group friends %s/%s: code=%d", u, noGroup, d.code(err))

	// Applications: incoming, outgoing, both.
	unread := map[uint32]bool{}
	for _, dir := range []engine.Direction{engine.Incoming, engine.Outgoing, engine.BothDirections} {
		limit := int(dir) + 1
		var both []string
		err := d.pages(fmt.Sprintf("applications %d of %s", dir, u), limit, func(after string) ([]string, string, error) {
			p, err := db.ListApplications(ctx, u, dir, engine.ListOptions{After: after, Limit: limit})
			if err != nil {
				return nil, "", err
			}
			unread[p.Unread] = true
			if p.Seq != seq {
				d.add("applications %s: seq %d, friend list said %d", u, p.Seq, seq)
			}
			var ids []string
			for _, it := range p.Items {
				other := it.From
				if it.From == u {
					other = it.To
				}
				ids = append(ids, other)
				switch {
				case dir == engine.BothDirections:
					both = append(both, it.From+">"+it.To)
				case dir == engine.Incoming && it.To == u:
					d.add("app %s <- %s: %s", u, it.From, fmtApp(it.Application))
				case dir == engine.Outgoing && it.From == u:
					d.add("app %s -> %s: %s", u, it.To, fmtApp(it.Application))
				default:
					d.add("app %s: wrong direction %d: %s>%s", u, dir, it.From, it.To)
				}
			}
			return ids, p.Next, nil
		})
		if d.code(err) != 0 {
			return
		}
		if dir == engine.BothDirections {
			d.add("apps %s: %s", u, strings.Join(both, " "))
		}
	}
	d.add("unread %s: %v", u, slices.Sorted(maps.Keys(unread)))

	// Blocklist.
	err = d.pages("blocklist of "+u, 1, func(after string) ([]string, string, error) {
		p, err := db.ListBlocked(ctx, u, engine.ListOptions{After: after, Limit: 1})
		if err != nil {
			return nil, "", err
		}
		var ids []string
		for _, b := range p.Items {
			ids = append(ids, b.UserID)
			d.add("blocked %s -> %s at=%d", u, b.UserID, b.CreatedAt)
		}
		return ids, p.Next, nil
	})
	if d.code(err) != 0 {
		return
	}

	// GetFriends over every user (itself included: 30001).
	for k := 0; k < len(d.users); k += l.GetFriendsPerCall {
		ids := d.users[k:min(k+l.GetFriendsPerCall, len(d.users))]
		fs, err := db.GetFriends(ctx, u, ids)
		if d.code(err) != 0 {
			return
		}
		for _, f := range fs {
			if c := d.code(f.Err); c != 0 {
				d.add("get friend %s %s: code=%d", u, f.UserID, c)
			} else {
				d.add("get friend %s %s: %s %s %s", u, f.UserID, relName(f.Relation), fmtEdge(f.Edge), fmtProfile(f.Profile))
			}
		}
	}

	// CheckFriends / CheckBlocked, both types, every user and a bad ID.
	ids := append(slices.Clone(d.users), badID)
	for _, check := range []struct {
		name string
		fn   func(context.Context, string, []string, engine.CheckType) ([]engine.RelationResult, error)
	}{{"friends", db.CheckFriends}, {"blocked", db.CheckBlocked}} {
		for _, typ := range []engine.CheckType{engine.CheckSingle, engine.CheckBoth} {
			var parts []string
			for k := 0; k < len(ids); k += l.IDsPerCall {
				rs, err := check.fn(ctx, u, ids[k:min(k+l.IDsPerCall, len(ids))], typ)
				if d.code(err) != 0 {
					return
				}
				for _, r := range rs {
					if c := d.code(r.Err); c != 0 {
						parts = append(parts, fmt.Sprintf("%s=%d", r.UserID, c))
					} else {
						parts = append(parts, r.UserID+"="+relName(r.Relation))
					}
				}
			}
			d.add("check %s %s type=%d: %s", check.name, u, typ, strings.Join(parts, " "))
		}
	}

	// Calls over their limits fail as a whole.
	over := append(slices.Clone(d.users), d.users...)
	_, err = db.GetFriends(ctx, u, over[:l.GetFriendsPerCall+1])
	c1 := d.code(err)
	_, err = db.CheckFriends(ctx, u, over[:l.IDsPerCall+1], engine.CheckBoth)
	c2 := d.code(err)
	_, err = db.CheckBlocked(ctx, u, over[:l.IDsPerCall+1], engine.CheckSingle)
	c3 := d.code(err)
	_, err = db.ListFriends(ctx, u, engine.ListOptions{Limit: 1001})
	c4 := d.code(err)
	d.add("over limits %s: %d %d %d %d", u, c1, c2, c3, c4)

	// CanSend to every user.
	var sends []string
	for _, v := range d.users {
		sends = append(sends, fmt.Sprintf("%s=%d", v, d.code(db.CanSend(ctx, u, v))))
	}
	d.add("can send %s: %s", u, strings.Join(sends, " "))

	// The change log: the retained window, paged; before it, a resync;
	// past the end, an invalid argument.
	lo := seq - min(seq, uint64(d.o.retention))
	after := lo
	for range 10000 {
		p, err := db.Changes(ctx, u, after, 3)
		if d.code(err) != 0 {
			return
		}
		if p.Seq != seq {
			d.add("changes %s: seq %d, friend list said %d", u, p.Seq, seq)
		}
		for _, e := range p.Events {
			if e.User != u {
				d.add("changes %s: event of %s", u, e.User)
			}
			d.add("event %s %s", u, fmtEvent(e))
		}
		if len(p.Events) == 0 {
			break
		}
		if p.Next != p.Events[len(p.Events)-1].Seq {
			d.add("paging: changes %s: Next %d", u, p.Next)
			break
		}
		after = p.Next
	}
	if lo > 0 {
		_, err := db.Changes(ctx, u, lo-1, 3)
		var re *engine.ResyncError
		if errors.As(err, &re) && errors.Is(err, engine.ErrResyncRequired) {
			d.add("changes %s before the window: resync seq=%d", u, re.Seq)
		} else {
			d.add("changes %s before the window: code=%d", u, d.code(err))
		}
	}
	_, err = db.Changes(ctx, u, seq+1, 3)
	d.add("changes %s past the end: code=%d", u, d.code(err))
}

// dump prints the lines dumpDB reads from a store in the model's state.
func (m *model) dump(users []string) []string {
	var lines []string
	add := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }
	l := m.o.limits

	ids := append(slices.Clone(users), badID)
	for k := 0; k < len(ids); {
		n := min(len(ids)-k, l.ProfilesPerCall)
		add("profiles from %d: answered=%d dropped=%d", k, n, len(ids)-k-n)
		for _, id := range ids[k : k+n] {
			switch {
			case !m.validID(id):
				add("profile %s: code=%d", id, cInvalid)
			case m.get(id) == nil:
				add("profile %s: code=%d", id, cNotFound)
			default:
				add("profile %s: %s", id, fmtProfile(m.profileOf(id)))
			}
		}
		k += n
	}

	for _, u := range users {
		mu := m.get(u)
		if mu == nil {
			mu = &mUser{}
		}
		for _, f := range slices.Sorted(maps.Keys(mu.friends)) {
			add("friend %s -> %s: %s", u, f, fmtEdge(mu.friends[f]))
		}
		seq := m.seq(u)
		add("seq %s: %d (pages agree: true)", u, seq)

		groups := slices.Sorted(maps.Keys(mu.groups))
		var counts []string
		for _, g := range groups {
			counts = append(counts, fmt.Sprintf("%s=%d", g, len(m.members(u, g))))
		}
		add("groups %s: seq=%d %s", u, seq, strings.Join(counts, " "))
		for _, g := range groups {
			members := m.members(u, g)
			add("group %s/%s: count=%d members=%q at=%d", u, g, len(members), members, mu.groups[g])
			add("group friends %s/%s: %q", u, g, members)
		}
		add("group friends %s/%s: code=%d", u, noGroup, cInvalid)

		for _, from := range slices.Sorted(maps.Keys(mu.appsIn)) {
			add("app %s <- %s: %s", u, from, fmtApp(mu.appsIn[from]))
		}
		out := m.outgoing(u)
		for _, to := range out {
			add("app %s -> %s: %s", u, to, fmtApp(m.app(u, to)))
		}
		type pair struct{ other, s string }
		var both []pair
		for _, from := range slices.Sorted(maps.Keys(mu.appsIn)) {
			both = append(both, pair{from, from + ">" + u})
		}
		for _, to := range out {
			both = append(both, pair{to, u + ">" + to})
		}
		slices.SortStableFunc(both, func(a, b pair) int { return strings.Compare(a.other, b.other) })
		var bs []string
		for _, p := range both {
			bs = append(bs, p.s)
		}
		add("apps %s: %s", u, strings.Join(bs, " "))
		add("unread %s: [%d]", u, m.unread(u))

		for _, b := range slices.Sorted(maps.Keys(mu.blocked)) {
			add("blocked %s -> %s at=%d", u, b, mu.blocked[b])
		}

		for _, f := range users {
			switch {
			case f == u:
				add("get friend %s %s: code=%d", u, f, cInvalid)
			case mu.friends[f] == nil:
				add("get friend %s %s: code=%d", u, f, cNotFriends)
			default:
				add("get friend %s %s: %s %s %s", u, f, relName(relation(true, m.isFriend(f, u))),
					fmtEdge(mu.friends[f]), fmtProfile(m.profileOf(f)))
			}
		}

		for _, check := range []struct {
			name string
			rel  func(a, b string) bool
		}{{"friends", m.isFriend}, {"blocked", m.blocks}} {
			for _, typ := range []engine.CheckType{engine.CheckSingle, engine.CheckBoth} {
				var parts []string
				for _, id := range ids {
					switch {
					case !m.validID(id) || id == u:
						parts = append(parts, fmt.Sprintf("%s=%d", id, cInvalid))
					default:
						theirs := typ == engine.CheckBoth && check.rel(id, u)
						parts = append(parts, id+"="+relName(relation(check.rel(u, id), theirs)))
					}
				}
				add("check %s %s type=%d: %s", check.name, u, typ, strings.Join(parts, " "))
			}
		}

		add("over limits %s: %d %d %d %d", u, cInvalid, cInvalid, cInvalid, cInvalid)

		var sends []string
		for _, v := range users {
			sends = append(sends, fmt.Sprintf("%s=%d", v, m.CanSend(u, v)))
		}
		add("can send %s: %s", u, strings.Join(sends, " "))

		events, before := m.retained(u)
		for _, e := range events {
			add("event %s %s", u, fmtEvent(e))
		}
		if before > 0 {
			add("changes %s before the window: resync seq=%d", u, seq)
		}
		add("changes %s past the end: code=%d", u, cInvalid)
	}
	return lines
}

// diffLines describes how got differs from want: the lines only one of
// them has (as multisets, in order), or "" when they are equal.
func diffLines(want, got []string) string {
	if slices.Equal(want, got) {
		return ""
	}
	count := map[string]int{}
	for _, l := range want {
		count[l]++
	}
	for _, l := range got {
		count[l]--
	}
	var b strings.Builder
	for _, l := range want {
		if count[l] > 0 {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	for _, l := range got {
		if count[l] < 0 {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	if b.Len() == 0 {
		b.WriteString("(same lines, different order)\n")
		for i := range min(len(want), len(got)) {
			if want[i] != got[i] {
				fmt.Fprintf(&b, "first difference at line %d:\n- %s\n+ %s\n", i, want[i], got[i])
				break
			}
		}
	}
	return b.String()
}

package engine

import (
	"context"
	"fmt"

	"github.com/kithdb/kith/codec"
	"github.com/kithdb/kith/index"
)

// checkGroupName validates a friend group name: 1 to Limits.GroupNameBytes
// bytes of valid UTF-8 without control characters.
func (db *DB) checkGroupName(name string) error {
	if name == "" || !printableUTF8(name) {
		return fmt.Errorf("%w: invalid group name %q", ErrInvalidArgument, name)
	}
	return checkText("group name", name, db.opts.Limits.GroupNameBytes)
}

// CreateGroup creates owner's group name with the given members, answering
// each member in request order (ErrMemberNotFriend for a non-friend). The
// call fails with ErrGroupExists or ErrGroupLimit, writing nothing.
func (db *DB) CreateGroup(ctx context.Context, owner, name string, members []string) ([]Result, error) {
	if err := db.checkGroupName(name); err != nil {
		return nil, err
	}
	return db.groupCall(ctx, owner, members, func(tx *txn) error {
		if ok, err := tx.has(index.Group(nil, owner, name)); err != nil || ok {
			return firstErr(err, ErrGroupExists)
		}
		return tx.putGroup(owner, name)
	}, func(tx *txn, id string) error { return tx.addMember(owner, name, id) })
}

// AddToGroup adds members to owner's existing group name, answering each
// in request order: ErrMemberNotFriend for a non-friend; a member already
// in the group is a success. ErrGroupNotFound fails the call.
func (db *DB) AddToGroup(ctx context.Context, owner, name string, members []string) ([]Result, error) {
	if err := db.checkGroupName(name); err != nil {
		return nil, err
	}
	return db.groupCall(ctx, owner, members, groupMustExist(owner, name),
		func(tx *txn, id string) error { return tx.addMember(owner, name, id) })
}

// RemoveFromGroup removes members from owner's group name, answering each
// in request order: ErrMemberNotFriend for a non-friend; a friend not in
// the group is a success. ErrGroupNotFound fails the call.
func (db *DB) RemoveFromGroup(ctx context.Context, owner, name string, members []string) ([]Result, error) {
	if err := db.checkGroupName(name); err != nil {
		return nil, err
	}
	return db.groupCall(ctx, owner, members, groupMustExist(owner, name),
		func(tx *txn, id string) error { return tx.removeMember(owner, name, id) })
}

func groupMustExist(owner, name string) func(tx *txn) error {
	return func(tx *txn) error {
		ok, err := tx.has(index.Group(nil, owner, name))
		if err != nil || !ok {
			return firstErr(err, ErrGroupNotFound)
		}
		return nil
	}
}

// groupCall runs first (a call-level check or change), then each for
// every valid member, in one txn.
func (db *DB) groupCall(ctx context.Context, owner string, members []string, first func(*txn) error, each func(*txn, string) error) ([]Result, error) {
	if err := db.checkUserID(owner); err != nil {
		return nil, err
	}
	if err := checkCount(len(members), db.opts.Limits.Friends); err != nil {
		return nil, err
	}
	errs := db.checkPeers(owner, members)
	err := db.update(ctx, []string{owner}, func(tx *txn) error {
		if err := first(tx); err != nil {
			return err
		}
		return tx.eachItem(errs, func(i int) error { return each(tx, members[i]) })
	})
	if err != nil {
		return nil, err
	}
	return results(members, errs), nil
}

// addMember puts friend into owner's existing group.
func (tx *txn) addMember(owner, group, friend string) error {
	return tx.changeMembership(owner, group, friend, true)
}

// removeMember takes friend out of owner's group.
func (tx *txn) removeMember(owner, group, friend string) error {
	return tx.changeMembership(owner, group, friend, false)
}

func (tx *txn) changeMembership(owner, group, friend string, in bool) error {
	old, err := tx.friendEdge(owner, friend)
	if err != nil || old == nil {
		return firstErr(err, ErrMemberNotFriend)
	}
	e := *old
	e.Groups = withGroup(old.Groups, group, in)
	if len(e.Groups) == len(old.Groups) {
		return nil // already as asked
	}
	kind := GroupMembersAdded
	if !in {
		kind = GroupMembersRemoved
	}
	tx.emit(owner, codec.Event{Kind: uint8(kind), Peers: []string{friend}, Groups: []string{group}})
	return tx.rewriteEdge(owner, friend, old, &e)
}

// withGroup returns a sorted copy of groups with g added or removed.
func withGroup(groups []string, g string, in bool) []string {
	out := make([]string, 0, len(groups)+1)
	for _, x := range groups {
		if x != g {
			out = append(out, x)
		}
	}
	if in {
		out = append(out, g)
		sortStrings(out)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// DeleteGroups deletes owner's groups names, answering each in request
// order (ErrGroupNotFound if missing). The members stay friends.
func (db *DB) DeleteGroups(ctx context.Context, owner string, names []string) ([]Result, error) {
	if err := db.checkUserID(owner); err != nil {
		return nil, err
	}
	if err := checkCount(len(names), db.opts.Limits.Groups); err != nil {
		return nil, err
	}
	errs := make([]error, len(names))
	seen := map[string]bool{}
	for i, name := range names {
		if errs[i] = db.checkGroupName(name); errs[i] == nil && seen[name] {
			errs[i] = ErrDuplicateID
		}
		seen[name] = true
	}
	err := db.update(ctx, []string{owner}, func(tx *txn) error {
		return tx.eachItem(errs, func(i int) error { return tx.deleteGroup(owner, names[i]) })
	})
	if err != nil {
		return nil, err
	}
	return results(names, errs), nil
}

// deleteGroup removes owner's group and takes every member out of it.
func (tx *txn) deleteGroup(owner, name string) error {
	members, err := tx.groupMembers(owner, name)
	if err != nil {
		return err
	}
	for _, m := range members {
		if err := tx.removeMember(owner, name, m); err != nil {
			return err
		}
	}
	c, err := tx.counters(owner)
	if err != nil {
		return err
	}
	c.Groups--
	tx.del(index.Group(nil, owner, name))
	tx.emit(owner, codec.Event{Kind: uint8(GroupDeleted), Groups: []string{name}})
	return nil
}

// groupMembers returns the members of owner's group, failing with
// ErrGroupNotFound if it does not exist.
func (tx *txn) groupMembers(owner, name string) ([]string, error) {
	if ok, err := tx.has(index.Group(nil, owner, name)); err != nil || !ok {
		return nil, firstErr(err, ErrGroupNotFound)
	}
	prefix := index.GroupMembersPrefix(nil, owner, name)
	keys, err := tx.scanKeys(prefix)
	if err != nil {
		return nil, err
	}
	members := make([]string, len(keys))
	for i, k := range keys {
		if members[i], _, err = index.ReadString(k[len(prefix):]); err != nil {
			return nil, corrupt(k, err)
		}
	}
	return members, nil
}

// RenameGroup renames owner's group oldName to newName, keeping its
// members: ErrGroupNotFound if oldName does not exist, ErrGroupExists if
// newName does.
func (db *DB) RenameGroup(ctx context.Context, owner, oldName, newName string) error {
	if err := db.checkUserID(owner); err != nil {
		return err
	}
	if err := firstErr(db.checkGroupName(oldName), db.checkGroupName(newName)); err != nil {
		return err
	}
	return db.update(ctx, []string{owner}, func(tx *txn) error {
		members, err := tx.groupMembers(owner, oldName)
		if err != nil {
			return err
		}
		if ok, err := tx.has(index.Group(nil, owner, newName)); err != nil || ok {
			return firstErr(err, ErrGroupExists)
		}
		g := new(codec.Group)
		if _, err := tx.getRecord(index.Group(nil, owner, oldName), g); err != nil {
			return err
		}
		tx.del(index.Group(nil, owner, oldName))
		if err := tx.setRecord(index.Group(nil, owner, newName), g); err != nil {
			return err
		}
		for _, m := range members {
			e, err := tx.friendEdge(owner, m)
			if err != nil {
				return err
			}
			if e == nil { // a membership without its edge: never dereference nil
				return corrupt(index.Member(nil, owner, oldName, m), fmt.Errorf("member of group %q without edge", oldName))
			}
			renamed := *e
			renamed.Groups = withGroup(withGroup(e.Groups, oldName, false), newName, true)
			if err := tx.rewriteEdge(owner, m, e, &renamed); err != nil {
				return err
			}
		}
		tx.emit(owner, codec.Event{Kind: uint8(GroupRenamed), Groups: []string{oldName, newName}})
		return nil
	})
}

// GroupInfo describes one friend group.
type GroupInfo struct {
	Name      string
	Count     int      // number of members
	Members   []string // in ID order, when asked for
	CreatedAt int64    // Unix nanoseconds
}

// GroupList is the answer of ListGroups.
type GroupList struct {
	Groups []GroupInfo // in name order
	Seq    uint64      // the owner's event seq as of this list
}

// ListGroups returns owner's groups in name order with their member
// counts and, if withMembers, their members.
func (db *DB) ListGroups(ctx context.Context, owner string, withMembers bool) (GroupList, error) {
	var out GroupList
	err := db.list(ctx, owner, &ListOptions{}, nil, func(r *reader, c *Counters) error {
		out.Seq = c.Seq
		prefix := index.Prefix(nil, index.KindGroup, owner)
		err := r.scan(prefix, nil, func(k, v []byte) (bool, error) {
			name, _, err := index.ReadString(k[len(prefix):])
			g := new(codec.Group)
			if err == nil {
				err = codec.Decode(v, g)
			}
			if err != nil {
				return false, corrupt(k, err)
			}
			out.Groups = append(out.Groups, GroupInfo{Name: name, CreatedAt: g.CreatedAt})
			return true, nil
		})
		if err != nil {
			return err
		}
		for i := range out.Groups {
			if err := readMembers(r, owner, &out.Groups[i], withMembers); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

func readMembers(r *reader, owner string, g *GroupInfo, withMembers bool) error {
	prefix := index.GroupMembersPrefix(nil, owner, g.Name)
	return r.scan(prefix, nil, func(k, _ []byte) (bool, error) {
		g.Count++
		if withMembers {
			m, _, err := index.ReadString(k[len(prefix):])
			if err != nil {
				return false, corrupt(k, err)
			}
			g.Members = append(g.Members, m)
		}
		return true, nil
	})
}

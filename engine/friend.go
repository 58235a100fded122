package engine

import (
	"context"
	"fmt"
	"slices"

	"github.com/kithdb/kith/codec"
	"github.com/kithdb/kith/index"
)

// DeleteType says which edges DeleteFriends removes.
type DeleteType uint8

const (
	// DeleteSingle removes the peer from the owner's list only.
	DeleteSingle DeleteType = iota
	// DeleteBoth removes both edges.
	DeleteBoth
)

// CheckType says which sides CheckFriends and CheckBlocked look at.
type CheckType uint8

const (
	// CheckSingle looks at the owner's side only.
	CheckSingle CheckType = iota
	// CheckBoth looks at both sides.
	CheckBoth
)

// Relation is the relation between an owner and a peer.
type Relation uint8

const (
	// NoRelation: neither side holds the other.
	NoRelation Relation = iota
	// InMyList: the owner holds the peer (for blocks: the owner blocked
	// the peer), the peer does not hold the owner.
	InMyList
	// InTheirList: the peer holds the owner, the owner does not hold the peer.
	InTheirList
	// BothWay: each holds the other.
	BothWay
)

func relationOf(mine, theirs bool) Relation {
	switch {
	case mine && theirs:
		return BothWay
	case mine:
		return InMyList
	case theirs:
		return InTheirList
	}
	return NoRelation
}

// Result is the answer for one ID of a batch call without other output.
type Result struct {
	UserID string
	Err    error
}

// DeleteFriends removes ids from owner's list (DeleteSingle) or both edges
// (DeleteBoth), answering each ID in request order: ErrNotFriends when
// neither edge to remove exists. At most Limits.IDsPerCall IDs.
func (db *DB) DeleteFriends(ctx context.Context, owner string, ids []string, typ DeleteType) ([]Result, error) {
	if typ > DeleteBoth {
		return nil, fmt.Errorf("%w: delete type %d", ErrInvalidArgument, typ)
	}
	return db.forEachPeer(ctx, owner, ids, func(tx *txn, id string) error {
		mine, err := tx.dropEdge(owner, id)
		if err != nil {
			return err
		}
		theirs := false
		if typ == DeleteBoth {
			if theirs, err = tx.dropEdge(id, owner); err != nil {
				return err
			}
		}
		if !mine && !theirs {
			return ErrNotFriends
		}
		return nil
	})
}

// forEachPeer runs fn for each valid ID of a batch write call, in one
// txn locking owner and ids, and collects the per-item results.
func (db *DB) forEachPeer(ctx context.Context, owner string, ids []string, fn func(tx *txn, id string) error) ([]Result, error) {
	if err := db.checkUserID(owner); err != nil {
		return nil, err
	}
	if err := checkCount(len(ids), db.opts.Limits.IDsPerCall); err != nil {
		return nil, err
	}
	errs := db.checkPeers(owner, ids)
	err := db.update(ctx, append(slices.Clone(ids), owner), func(tx *txn) error {
		return tx.eachItem(errs, func(i int) error { return fn(tx, ids[i]) })
	})
	if err != nil {
		return nil, err
	}
	return results(ids, errs), nil
}

// results pairs each ID of a batch call with its error.
func results(ids []string, errs []error) []Result {
	res := make([]Result, len(ids))
	for i, id := range ids {
		res[i] = Result{UserID: id, Err: errs[i]}
	}
	return res
}

// RelationResult is the answer for one ID of CheckFriends or CheckBlocked.
type RelationResult struct {
	UserID   string
	Relation Relation
	Err      error // ErrInvalidUserID, ErrSelf or ErrDuplicateID
}

// CheckFriends returns the relation between owner and each of ids, in
// request order. CheckSingle answers NoRelation or InMyList without
// looking at the peer's list; CheckBoth answers all four relations. At
// most Limits.IDsPerCall IDs. Unknown users have NoRelation.
func (db *DB) CheckFriends(ctx context.Context, owner string, ids []string, typ CheckType) ([]RelationResult, error) {
	return db.checkRelations(ctx, owner, ids, typ, index.Friend, true)
}

// checkRelations answers CheckFriends and CheckBlocked: keyFn(owner, peer)
// is the edge key. With sets (friends), a check of a few peers may answer
// from the friend sets (checkFriendsLocked). Otherwise two passes read
// their keys in ascending order through one iterator, the pattern that
// beats independent point reads.
func (db *DB) checkRelations(ctx context.Context, owner string, ids []string, typ CheckType,
	keyFn func(dst []byte, owner, peer string) []byte, sets bool) ([]RelationResult, error) {
	if err := db.enter(ctx); err != nil {
		return nil, err
	}
	defer db.leave()
	if err := db.checkUserID(owner); err != nil {
		return nil, err
	}
	if err := checkCount(len(ids), db.opts.Limits.IDsPerCall); err != nil {
		return nil, err
	}
	if typ > CheckBoth {
		return nil, fmt.Errorf("%w: check type %d", ErrInvalidArgument, typ)
	}
	errs := db.checkPeers(owner, ids)
	res := make([]RelationResult, len(ids))
	for i, id := range ids {
		res[i] = RelationResult{UserID: id, Err: errs[i]}
	}
	order := validByID(ids, errs)
	if sets {
		ok, err := db.checkFriendsLocked(owner, ids, order, typ, res)
		if err != nil {
			return nil, err
		}
		if ok {
			return res, nil
		}
	}
	r, err := db.newReader()
	if err != nil {
		return nil, err
	}
	defer r.close()
	mine, err := probeSorted(r, order, func(dst []byte, i int) []byte { return keyFn(dst, owner, ids[i]) })
	if err != nil {
		return nil, err
	}
	theirs := make([]bool, len(order))
	if typ == CheckBoth {
		if theirs, err = probeSorted(r, order, func(dst []byte, i int) []byte { return keyFn(dst, ids[i], owner) }); err != nil {
			return nil, err
		}
	}
	for j, i := range order {
		res[i].Relation = relationOf(mine[j], theirs[j])
	}
	return res, nil
}

// validByID returns the indexes of the items without an error, ordered by
// ID, so that their keys can be read in ascending order.
func validByID(ids []string, errs []error) []int {
	order := make([]int, 0, len(ids))
	for i := range ids {
		if errs[i] == nil {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(a, b int) int { return compareStrings(ids[a], ids[b]) })
	return order
}

// fewProbes is the most keys probeSorted probes with point reads, and
// the most peers a relation check answers from the friend sets.
const fewProbes = 8

// probeSorted reports for each item whether its key exists. The keys must
// ascend with the order of items.
func probeSorted(r *reader, order []int, key func(dst []byte, i int) []byte) ([]bool, error) {
	found := make([]bool, len(order))
	// A few keys are cheaper to probe one by one, a miss costing a bloom
	// filter check per level; many ascending keys are cheaper to seek in
	// order, each seek stepping forward from the last.
	probe := r.seek
	if len(order) <= fewProbes {
		probe = r.get
	}
	var buf []byte
	for j, i := range order {
		buf = key(buf[:0], i)
		_, ok, err := probe(buf)
		if err != nil {
			return nil, err
		}
		found[j] = ok
	}
	return found, nil
}

// Friend is one friend of an owner from GetFriends or SearchFriends: the
// owner's edge, the friend's profile and, from GetFriends, the relation.
// ListFriends gives a ListedFriend.
type Friend struct {
	UserID   string
	Edge     *FriendEdge // the owner's edge to the friend
	Profile  *Profile    // read-only
	Relation Relation    // InMyList or BothWay; set by GetFriends
	// Err is the per-item error of GetFriends (ErrNotFriends, an invalid
	// or repeated ID), or, from GetFriends and SearchFriends, the error
	// of the friend's profile with a ProfileLoader (matching ErrLoad, or
	// ErrNotFound when the loader does not know the user): Edge and
	// Relation are then set, Profile is nil.
	Err error
}

// GetFriends returns, for each of ids in request order, owner's edge to
// it, its profile and the relation. A peer not in owner's list gets
// ErrNotFriends. At most Limits.GetFriendsPerCall IDs.
func (db *DB) GetFriends(ctx context.Context, owner string, ids []string) ([]Friend, error) {
	if err := db.enter(ctx); err != nil {
		return nil, err
	}
	defer db.leave()
	if err := db.checkUserID(owner); err != nil {
		return nil, err
	}
	if err := checkCount(len(ids), db.opts.Limits.GetFriendsPerCall); err != nil {
		return nil, err
	}
	errs := db.checkPeers(owner, ids)
	out := make([]Friend, len(ids))
	for i, id := range ids {
		out[i] = Friend{UserID: id, Err: errs[i]}
	}
	order := validByID(ids, errs)
	r, err := db.newReader()
	if err != nil {
		return nil, err
	}
	defer r.close()
	if err := readEdges(r, owner, out, order); err != nil {
		return nil, err
	}
	return out, db.attachProfiles(ctx, owner, out)
}

// readEdges fills owner's edges to the friends fs[order...] (ordered by ID)
// and their relations, in two ascending passes over one iterator: owner's
// edges, then the reverse edges.
func readEdges(r *reader, owner string, fs []Friend, order []int) error {
	var key []byte
	for _, i := range order {
		key = index.Friend(key[:0], owner, fs[i].UserID)
		val, ok, err := r.seek(key)
		if err != nil {
			return err
		}
		if !ok {
			fs[i].Err = ErrNotFriends
			continue
		}
		e := new(FriendEdge)
		if err := decodeAt(key, val, e); err != nil {
			return err
		}
		fs[i].Edge = e
	}
	for _, i := range order {
		if fs[i].Err != nil {
			continue
		}
		key = index.Friend(key[:0], fs[i].UserID, owner)
		_, theirs, err := r.seek(key)
		if err != nil {
			return err
		}
		fs[i].Relation = relationOf(true, theirs)
	}
	return nil
}

// attachProfiles sets the profile of every friend without an error,
// through the profile cache, in calls of at most Limits.ProfilesPerCall;
// a profile that could not be had (a ProfileLoader's error or not found)
// becomes the friend's Err, as in GetProfiles.
func (db *DB) attachProfiles(ctx context.Context, viewer string, fs []Friend) error {
	idx := make([]int, 0, len(fs)) // the friends to answer
	for i := range fs {
		if fs[i].Err == nil {
			idx = append(idx, i)
		}
	}
	step := db.opts.Limits.ProfilesPerCall
	ids := make([]string, 0, min(len(idx), step))
	items := make([]ProfileResult, 0, min(len(idx), step))
	for len(idx) > 0 {
		n := min(len(idx), step)
		ids, items = ids[:0], items[:n]
		for j, i := range idx[:n] {
			ids = append(ids, fs[i].UserID)
			items[j] = ProfileResult{UserID: fs[i].UserID}
		}
		if err := db.getProfiles(ctx, viewer, ids, items); err != nil {
			return err
		}
		for j, i := range idx[:n] {
			fs[i].Profile, fs[i].Err = items[j].Profile, items[j].Err
		}
		idx = idx[n:]
	}
	return nil
}

// FriendUpdate names the edge fields UpdateFriend changes; nil is left as
// it is. Groups replaces the set of groups (missing ones are created). In
// Custom, an empty value removes the field.
type FriendUpdate struct {
	Remark *string
	Groups *[]string
	Custom map[string][]byte
}

// UpdateFriend changes owner's edge to friend: ErrNotFriends if friend is
// not in owner's list, ErrGroupLimit if new groups do not fit.
func (db *DB) UpdateFriend(ctx context.Context, owner, friend string, u FriendUpdate) (*FriendEdge, error) {
	if err := db.checkPair(owner, friend); err != nil {
		return nil, err
	}
	groups, err := db.checkFriendUpdate(&u)
	if err != nil {
		return nil, err
	}
	var out *FriendEdge
	err = db.update(ctx, []string{owner, friend}, func(tx *txn) error {
		old, err := tx.friendEdge(owner, friend)
		if err != nil || old == nil {
			return firstErr(err, ErrNotFriends)
		}
		e := *old
		setIf(&e.Remark, u.Remark)
		if u.Groups != nil {
			e.Groups = groups
			if err := tx.ensureGroups(owner, groups); err != nil {
				return err
			}
		}
		e.Custom = mergeCustom(old.Custom, u.Custom)
		if err := tx.rewriteEdge(owner, friend, old, &e); err != nil {
			return err
		}
		tx.emit(owner, codec.Event{Kind: uint8(FriendUpdated), Peers: []string{friend}, Groups: e.Groups})
		out = &e
		return nil
	})
	return out, err
}

// checkPair validates an owner and a peer that must differ.
func (db *DB) checkPair(owner, peer string) error {
	if err := db.checkUserID(owner); err != nil {
		return err
	}
	if err := db.checkUserID(peer); err != nil {
		return err
	}
	if owner == peer {
		return ErrSelf
	}
	return nil
}

// checkFriendUpdate validates u and returns its group set, sorted and
// without repeats.
func (db *DB) checkFriendUpdate(u *FriendUpdate) ([]string, error) {
	if u.Remark == nil && u.Groups == nil && len(u.Custom) == 0 {
		return nil, fmt.Errorf("%w: update names no field", ErrInvalidArgument)
	}
	if u.Remark != nil {
		if err := checkText("remark", *u.Remark, db.opts.Limits.RemarkBytes); err != nil {
			return nil, err
		}
	}
	if err := checkCustom(u.Custom, db.customFriend, db.opts.Limits.StringBytes); err != nil {
		// %v: 30001, not the profile field code (see checkAddRequest).
		return nil, fmt.Errorf("%w: %v", ErrInvalidArgument, err)
	}
	if u.Groups == nil {
		return nil, nil
	}
	groups := slices.Compact(slices.Sorted(slices.Values(*u.Groups)))
	for _, g := range groups {
		if err := db.checkGroupName(g); err != nil {
			return nil, err
		}
	}
	if len(groups) > db.opts.Limits.Groups {
		return nil, ErrGroupLimit
	}
	if len(groups) == 0 {
		groups = nil
	}
	return groups, nil
}

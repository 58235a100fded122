package engine

import (
	"context"
	"fmt"

	"github.com/kithdb/kith/index"
)

// AddType says which edges a friend request asks for.
type AddType uint8

const (
	// AddSingle adds the target to the sender's list only; the target's
	// list does not change, so no consent is needed.
	AddSingle AddType = iota
	// AddBoth asks for both edges: at once when the target allows it,
	// else through a pending application.
	AddBoth
)

// AddFriendRequest is one friend request of AddFriends.
type AddFriendRequest struct {
	UserID string  // the target
	Type   AddType // AddSingle or AddBoth
	Remark string  // the sender's remark for the target (at most Limits.RemarkBytes)
	Group  string  // a group of the sender's to put the target in; created if missing
	Source string  // where the request comes from (at most Limits.AddSourceBytes)
	// Wording is the request's message (at most Limits.AddWordingBytes).
	Wording string
	// Custom sets declared custom friend fields on the sender's edge when
	// this call adds it. A pending application does not keep them: as in
	// SEMANTICS.md §2, it carries wording, source, remark and group only,
	// so an edge added on acceptance has no custom fields (set them then
	// with UpdateFriend).
	Custom map[string][]byte
}

// AddOutcome is the outcome of a successful friend request.
type AddOutcome uint8

const (
	// Added means the requested edges now exist.
	Added AddOutcome = iota + 1
	// Pending means an application now waits for the target's answer
	// (result code 30539, a success).
	Pending
)

// AddFriendResult is the answer for one AddFriendRequest.
type AddFriendResult struct {
	UserID  string
	Outcome AddOutcome // set when Err is nil
	Err     error
}

// Code returns the item's result code: 0 for Added, 30539 for Pending,
// else Code(Err).
func (r AddFriendResult) Code() int {
	if r.Err == nil && r.Outcome == Pending {
		return 30539
	}
	return Code(r.Err)
}

// AddFriends sends the friend requests of from, answering each in request
// order. Each item runs the checks of SEMANTICS.md §2 in order, the first
// failure being its result; a failed item writes nothing. The call fails
// as a whole only for an invalid from, more than Limits.IDsPerCall
// requests (ErrTooMany), a closed DB, a context that is nil or done, or
// an I/O error, and then writes nothing.
func (db *DB) AddFriends(ctx context.Context, from string, reqs []AddFriendRequest) ([]AddFriendResult, error) {
	if err := db.checkUserID(from); err != nil {
		return nil, err
	}
	if err := checkCount(len(reqs), db.opts.Limits.IDsPerCall); err != nil {
		return nil, err
	}
	ids := make([]string, len(reqs), len(reqs)+1) // room for from: the users to lock
	for i, r := range reqs {
		ids[i] = r.UserID
	}
	errs := db.checkPeers(from, ids)
	for i := range reqs {
		if errs[i] == nil {
			errs[i] = db.checkAddRequest(&reqs[i])
		}
	}
	res := make([]AddFriendResult, len(reqs))
	err := db.update(ctx, append(ids, from), func(tx *txn) error {
		return tx.eachItem(errs, func(i int) error {
			o, err := tx.addFriend(from, &reqs[i])
			if err == nil {
				res[i].Outcome = o
			}
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	for i := range reqs {
		res[i].UserID, res[i].Err = ids[i], errs[i]
	}
	return res, nil
}

// checkAddRequest validates the strings of a request (first row of the
// check table).
func (db *DB) checkAddRequest(r *AddFriendRequest) error {
	l := &db.opts.Limits
	if r.Type > AddBoth {
		return fmt.Errorf("%w: add type %d", ErrInvalidArgument, r.Type)
	}
	if err := checkText("remark", r.Remark, l.RemarkBytes); err != nil {
		return err
	}
	if err := checkText("source", r.Source, l.AddSourceBytes); err != nil {
		return err
	}
	if err := checkText("wording", r.Wording, l.AddWordingBytes); err != nil {
		return err
	}
	if r.Group != "" {
		if err := db.checkGroupName(r.Group); err != nil {
			return err
		}
	}
	if err := checkCustom(r.Custom, db.customFriend, l.StringBytes); err != nil {
		// %v: a friend field error is an invalid argument (30001), not
		// one of the profile field codes checkCustom's errors carry.
		return fmt.Errorf("%w: %v", ErrInvalidArgument, err)
	}
	return nil
}

// addFriend runs one request through the check table of SEMANTICS.md §2.
func (tx *txn) addFriend(from string, r *AddFriendRequest) (AddOutcome, error) {
	to := r.UserID
	fromP, err := tx.profileOrDefault(from)
	if err != nil {
		return 0, err
	}
	if fromP == nil { // a sender comes into being with its first edge
		fromP = tx.db.emptyProfile()
	}
	toP, err := tx.profileOrDefault(to)
	if err != nil {
		return 0, err
	}
	if toP == nil {
		return 0, ErrNotFound
	}
	if err := tx.checkAddAllowed(from, to, fromP, toP); err != nil {
		return 0, err
	}
	hasTo, err := tx.isFriend(from, to)
	if err != nil {
		return 0, err
	}
	hasFrom, err := tx.isFriend(to, from)
	if err != nil {
		return 0, err
	}
	if hasTo && (r.Type == AddSingle || hasFrom) {
		return 0, ErrAlreadyFriends
	}
	if err := tx.checkRoom(from, to, !hasTo, false); err != nil {
		return 0, err
	}
	if r.Type == AddSingle {
		return Added, tx.putRequestedEdge(from, to, requestEdge(r, tx.now))
	}
	return tx.addBoth(from, r, toP, hasTo, hasFrom)
}

// addBoth completes a Both request: at once when the target lets it,
// else as a pending application.
func (tx *txn) addBoth(from string, r *AddFriendRequest, toP *Profile, hasTo, hasFrom bool) (AddOutcome, error) {
	to := r.UserID
	crossing, err := tx.application(to, from) // the target already asked the sender
	if err != nil {
		return 0, err
	}
	if toP.AllowType == AllowAny || hasFrom || crossing != nil {
		if err := tx.checkRoom(from, to, false, !hasFrom); err != nil {
			return 0, err
		}
		if err := tx.dropApplications(from, to, ReasonAccepted); err != nil {
			return 0, err
		}
		if !hasTo {
			if err := tx.putRequestedEdge(from, to, requestEdge(r, tx.now)); err != nil {
				return 0, err
			}
		}
		if !hasFrom {
			e := &FriendEdge{AddSource: r.Source, AddWording: r.Wording, AddedAt: tx.now}
			if crossing != nil { // the target's own request, answered: its remark and group apply
				if e, err = tx.applicationEdge(to, crossing); err != nil {
					return 0, err
				}
			}
			if err := tx.putEdge(to, from, e); err != nil {
				return 0, err
			}
		}
		return Added, nil
	}
	app := &Application{Wording: r.Wording, Source: r.Source, Remark: r.Remark, Group: r.Group, CreatedAt: tx.now}
	return Pending, tx.putApplication(from, to, app)
}

// checkAddAllowed runs the permission rows of the check table, in order.
func (tx *txn) checkAddAllowed(from, to string, fromP, toP *Profile) error {
	if fromP.AdminForbidType == ForbidSendOut {
		return ErrForbiddenToAdd
	}
	if b, err := tx.blocked(from, to); err != nil || b {
		return firstErr(err, ErrBlockedByMe)
	}
	if b, err := tx.blocked(to, from); err != nil || b {
		return firstErr(err, ErrBlockedByPeer)
	}
	if toP.AllowType == DenyAny {
		return ErrPeerDeniesAll
	}
	return nil
}

// checkRoom fails when an edge to be added does not fit: the sender's
// list (ErrFriendLimit) or the target's (ErrPeerFriendLimit).
func (tx *txn) checkRoom(from, to string, fromGains, toGains bool) error {
	l := tx.db.opts.Limits.Friends
	if fromGains {
		c, err := tx.peekCounters(from)
		if err != nil || int(c.Friends) >= l {
			return firstErr(err, ErrFriendLimit)
		}
	}
	if toGains {
		c, err := tx.peekCounters(to)
		if err != nil || int(c.Friends) >= l {
			return firstErr(err, ErrPeerFriendLimit)
		}
	}
	return nil
}

// putRequestedEdge adds the sender's edge with the groups it names,
// creating missing groups (ErrGroupLimit when there is no room).
func (tx *txn) putRequestedEdge(owner, friend string, e *FriendEdge) error {
	if err := tx.ensureGroups(owner, e.Groups); err != nil {
		return err
	}
	return tx.putEdge(owner, friend, e)
}

// requestEdge is the sender's edge a request creates.
func requestEdge(r *AddFriendRequest, now int64) *FriendEdge {
	e := &FriendEdge{Remark: r.Remark, AddSource: r.Source, AddWording: r.Wording, AddedAt: now, Custom: cloneCustom(r.Custom)}
	if r.Group != "" {
		e.Groups = []string{r.Group}
	}
	return e
}

// profileOrDefault returns uid's profile; the default profile when uid
// exists only through its edges; nil when uid does not exist.
func (tx *txn) profileOrDefault(uid string) (*Profile, error) {
	p, ok, err := tx.lockedProfile(uid)
	if err != nil || ok {
		return p, err
	}
	exists, err := tx.has(index.Counters(nil, uid))
	if err != nil || !exists {
		return nil, err
	}
	return tx.db.emptyProfile(), nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// cloneCustom copies a custom field map, dropping empty values.
func cloneCustom(m map[string][]byte) map[string][]byte {
	return mergeCustom(nil, m)
}

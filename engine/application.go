package engine

import (
	"context"
	"fmt"
	"slices"

	"github.com/kithdb/kith/codec"
	"github.com/kithdb/kith/index"
)

// Direction selects applications by who sent them.
type Direction uint8

const (
	// Incoming selects the applications the user received.
	Incoming Direction = iota
	// Outgoing selects the applications the user sent.
	Outgoing
	// BothDirections selects both.
	BothDirections
)

// ApplicationItem is one pending application.
type ApplicationItem struct {
	From, To    string // the sender and the target
	Application *Application
}

// ApplicationPage is a page of ListApplications.
type ApplicationPage struct {
	// Items are ordered by the other user's ID.
	Items []ApplicationItem
	// Next is the After of the next page, or "" when this page is the last.
	Next string
	// Unread is the number of incoming applications not marked read.
	Unread uint32
	// Seq is the user's event seq as of this page.
	Seq uint64
}

// ListApplications returns a page of uid's pending applications in the
// given direction, ordered by the other user's ID, with the unread count.
func (db *DB) ListApplications(ctx context.Context, uid string, dir Direction, opts ListOptions) (ApplicationPage, error) {
	var page ApplicationPage
	if dir > BothDirections {
		return page, fmt.Errorf("%w: direction %d", ErrInvalidArgument, dir)
	}
	if opts.Group != "" {
		return page, fmt.Errorf("%w: ListApplications takes no group", ErrInvalidArgument)
	}
	err := db.list(ctx, uid, &opts, nil, func(r *reader, c *Counters) error {
		page.Seq, page.Unread = c.Seq, c.Unread
		var in, out []ApplicationItem
		var err error
		// The counters are exact as of r's view: a zero count spares a scan
		// (most users have no pending application).
		if dir != Outgoing && c.PendingIn > 0 {
			if in, err = readIncoming(r, uid, opts); err != nil {
				return err
			}
		}
		if dir != Incoming && c.PendingOut > 0 {
			if out, err = readOutgoing(r, uid, opts); err != nil {
				return err
			}
		}
		page.Items, page.Next = mergeApplications(uid, in, out, opts.Limit)
		return nil
	})
	return page, err
}

// readIncoming reads up to Limit+1 applications received by uid.
func readIncoming(r *reader, uid string, opts ListOptions) ([]ApplicationItem, error) {
	var items []ApplicationItem
	opts.Limit++ // one more tells whether a next page exists
	_, err := scanPage(r, index.Prefix(nil, index.KindAppIn, uid), opts, func(from string, val, key []byte) error {
		a := new(Application)
		if err := decodeAt(key, val, a); err != nil {
			return err
		}
		items = append(items, ApplicationItem{From: from, To: uid, Application: a})
		return nil
	})
	return items, err
}

// readOutgoing reads up to Limit+1 applications sent by uid.
func readOutgoing(r *reader, uid string, opts ListOptions) ([]ApplicationItem, error) {
	var targets []string
	opts.Limit++
	_, err := scanPage(r, index.Prefix(nil, index.KindAppOut, uid), opts, func(to string, _, _ []byte) error {
		targets = append(targets, to)
		return nil
	})
	if err != nil {
		return nil, err
	}
	items := make([]ApplicationItem, 0, len(targets))
	for _, to := range targets {
		key := index.AppIn(nil, to, uid)
		a := new(Application)
		ok, err := r.getRecord(key, a)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, corrupt(key, fmt.Errorf("outgoing application without its record"))
		}
		items = append(items, ApplicationItem{From: uid, To: to, Application: a})
	}
	return items, nil
}

// mergeApplications merges two lists ordered by the other user's ID and
// cuts the first limit items, returning them and the Next cursor.
func mergeApplications(uid string, in, out []ApplicationItem, limit int) ([]ApplicationItem, string) {
	other := func(it ApplicationItem) string {
		if it.From == uid {
			return it.To
		}
		return it.From
	}
	all := append(in, out...)
	slices.SortStableFunc(all, func(a, b ApplicationItem) int { return compareStrings(other(a), other(b)) })
	if len(all) <= limit {
		return all, ""
	}
	return all[:limit], other(all[limit-1])
}

// AcceptMode says how AcceptApplication answers.
type AcceptMode uint8

const (
	// AcceptAgree adds only the applicant's edge (the applicant's list
	// gains the accepting user).
	AcceptAgree AcceptMode = iota
	// AcceptAgreeAndAdd adds both edges.
	AcceptAgreeAndAdd
)

// AcceptApplication accepts the application from -> uid and removes it.
// The applicant's edge gets the remark, group, source and wording of the
// application (the group is left out if the applicant has no room for a
// new group); with AcceptAgreeAndAdd, uid's edge gets remark. Errors:
// ErrNoApplication, ErrPeerFriendLimit (the applicant's list is full),
// ErrFriendLimit (uid's list is full); on error nothing is written.
func (db *DB) AcceptApplication(ctx context.Context, uid, from string, mode AcceptMode, remark string) error {
	if err := db.checkPair(uid, from); err != nil {
		return err
	}
	if mode > AcceptAgreeAndAdd {
		return fmt.Errorf("%w: accept mode %d", ErrInvalidArgument, mode)
	}
	if err := checkText("remark", remark, db.opts.Limits.RemarkBytes); err != nil {
		return err
	}
	return db.update(ctx, []string{uid, from}, func(tx *txn) error {
		a, err := tx.dropApplication(from, uid, ReasonAccepted)
		if err != nil || a == nil {
			return firstErr(err, ErrNoApplication)
		}
		if err := tx.acceptEdge(from, uid, a); err != nil {
			return err
		}
		if mode == AcceptAgree {
			return nil
		}
		if ok, err := tx.isFriend(uid, from); err != nil || ok {
			return err
		}
		if err := tx.checkRoom(uid, from, true, false); err != nil {
			return err
		}
		return tx.putEdge(uid, from, &FriendEdge{Remark: remark, AddSource: a.Source, AddWording: a.Wording, AddedAt: tx.now})
	})
}

// acceptEdge adds the applicant's edge from -> to of an accepted
// application, if it does not exist yet.
func (tx *txn) acceptEdge(from, to string, a *Application) error {
	if ok, err := tx.isFriend(from, to); err != nil || ok {
		return err
	}
	if err := tx.checkRoom(to, from, false, true); err != nil {
		return err
	}
	e, err := tx.applicationEdge(from, a)
	if err != nil {
		return err
	}
	return tx.putEdge(from, to, e)
}

// applicationEdge is the edge an applicant gets when its application a is
// answered: the application's remark, group, source and wording. The
// group is created if missing, or left out if the applicant has no room
// for it: the applicant's choice cannot block the answer.
func (tx *txn) applicationEdge(applicant string, a *Application) (*FriendEdge, error) {
	e := &FriendEdge{Remark: a.Remark, AddSource: a.Source, AddWording: a.Wording, AddedAt: tx.now}
	if a.Group == "" {
		return e, nil
	}
	switch err := tx.ensureGroups(applicant, []string{a.Group}); err {
	case nil:
		e.Groups = []string{a.Group}
	case ErrGroupLimit:
	default:
		return nil, err
	}
	return e, nil
}

// RefuseApplication refuses and removes the application from -> uid:
// ErrNoApplication if there is none.
func (db *DB) RefuseApplication(ctx context.Context, uid, from string) error {
	if err := db.checkPair(uid, from); err != nil {
		return err
	}
	return db.update(ctx, []string{uid, from}, func(tx *txn) error {
		a, err := tx.dropApplication(from, uid, ReasonRefused)
		if err != nil || a == nil {
			return firstErr(err, ErrNoApplication)
		}
		return nil
	})
}

// DeleteApplications removes, without answering them, the applications
// between uid and each of peers in the given direction (Incoming: sent by
// the peer; Outgoing: sent by uid; BothDirections: either). A peer with
// no such application gets ErrNoApplication.
func (db *DB) DeleteApplications(ctx context.Context, uid string, peers []string, dir Direction) ([]Result, error) {
	if dir > BothDirections {
		return nil, fmt.Errorf("%w: direction %d", ErrInvalidArgument, dir)
	}
	return db.forEachPeer(ctx, uid, peers, func(tx *txn, peer string) error {
		found := false
		if dir != Outgoing {
			a, err := tx.dropApplication(peer, uid, ReasonDeleted)
			if err != nil {
				return err
			}
			found = a != nil
		}
		if dir != Incoming {
			a, err := tx.dropApplication(uid, peer, ReasonDeleted)
			if err != nil {
				return err
			}
			found = found || a != nil
		}
		if !found {
			return ErrNoApplication
		}
		return nil
	})
}

// MarkApplicationsRead marks every incoming application of uid read and
// zeroes its unread count.
func (db *DB) MarkApplicationsRead(ctx context.Context, uid string) error {
	if err := db.checkUserID(uid); err != nil {
		return err
	}
	return db.update(ctx, []string{uid}, func(tx *txn) error {
		c, err := tx.peekCounters(uid)
		if err != nil || c.Unread == 0 {
			return err
		}
		keys, err := tx.scanKeys(index.Prefix(nil, index.KindAppIn, uid))
		if err != nil {
			return err
		}
		for _, k := range keys {
			a := new(Application)
			if _, err := tx.getRecord(k, a); err != nil {
				return err
			}
			if !a.Read {
				a.Read = true
				if err := tx.setRecord(k, a); err != nil {
					return err
				}
			}
		}
		cc, err := tx.counters(uid)
		if err != nil {
			return err
		}
		cc.Unread = 0
		tx.emit(uid, codec.Event{Kind: uint8(ApplicationsRead)})
		return nil
	})
}

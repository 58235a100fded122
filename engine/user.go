package engine

import (
	"context"
	"errors"
	"slices"

	"github.com/kithdb/kith/index"
)

// userEdgeKinds are the key kinds whose keys under a user's prefix name a
// peer: everyone DeleteUser must lock and tell.
var userEdgeKinds = []byte{
	index.KindFriend, index.KindFriendOf, index.KindBlock, index.KindBlockedBy,
	index.KindAppIn, index.KindAppOut,
}

// errPeersMoved makes DeleteUser retry: a peer appeared between the
// unlocked discovery and the locked pass.
var errPeersMoved = errors.New("kith: peers changed, retry")

// DeleteUser removes uid's profile, counters, change log, groups and every
// edge touching uid in both directions: friends, reverse edges, blocks
// and applications. Peers get FriendDeleted, BlockDeleted and
// ApplicationDeleted events. Deleting an unknown user is not an error.
func (db *DB) DeleteUser(ctx context.Context, uid string) error {
	if err := db.checkUserID(uid); err != nil {
		return err
	}
	for {
		peers, err := db.discoverPeers(ctx, uid)
		if err != nil {
			return err
		}
		err = db.update(ctx, append(peers, uid), func(tx *txn) error { return tx.deleteUser(uid) })
		if !errors.Is(err, errPeersMoved) {
			return err
		}
	}
}

// discoverPeers lists, without locks, every user that has an edge with uid.
func (db *DB) discoverPeers(ctx context.Context, uid string) ([]string, error) {
	if err := db.enter(ctx); err != nil {
		return nil, err
	}
	defer db.leave()
	r, err := db.newReader()
	if err != nil {
		return nil, err
	}
	defer r.close()
	var peers []string
	for _, kind := range userEdgeKinds {
		prefix := index.Prefix(nil, kind, uid)
		err := r.scan(prefix, nil, func(k, _ []byte) (bool, error) {
			p, _, err := index.ReadString(k[len(prefix):])
			peers = append(peers, p)
			return err == nil, err
		})
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(peers)
	return slices.Compact(peers), nil
}

// deleteUser is DeleteUser's locked pass. It fails with errPeersMoved
// when a peer it finds is not locked.
func (tx *txn) deleteUser(uid string) error {
	peers := map[byte][]string{}
	for _, kind := range userEdgeKinds {
		prefix := index.Prefix(nil, kind, uid)
		keys, err := tx.scanKeys(prefix)
		if err != nil {
			return err
		}
		for _, k := range keys {
			p, _, err := index.ReadString(k[len(prefix):])
			if err != nil {
				return corrupt(k, err)
			}
			if !tx.locks.holds(p) {
				return errPeersMoved
			}
			peers[kind] = append(peers[kind], p)
		}
	}
	if err := tx.dropUserEdges(uid, peers); err != nil {
		return err
	}
	if err := tx.dropOwned(uid); err != nil {
		return err
	}
	tx.forgetUser(uid)
	// Drop the profile before the commit too: a fill that read it just
	// before this txn took its locks must not outlive the delete.
	tx.db.uncacheProfile(uid)
	tx.after(func() { tx.db.uncacheProfile(uid) })
	return nil
}

// dropUserEdges removes every edge between uid and its peers through the
// primitives, so that the peers' counters, memberships and logs follow.
func (tx *txn) dropUserEdges(uid string, peers map[byte][]string) error {
	drops := []struct {
		kind byte
		drop func(p string) error
	}{
		{index.KindFriend, func(p string) error { _, err := tx.dropEdge(uid, p); return err }},
		{index.KindFriendOf, func(p string) error { _, err := tx.dropEdge(p, uid); return err }},
		{index.KindBlock, func(p string) error { _, err := tx.dropBlock(uid, p); return err }},
		{index.KindBlockedBy, func(p string) error { _, err := tx.dropBlock(p, uid); return err }},
		{index.KindAppIn, func(p string) error { _, err := tx.dropApplication(p, uid, ReasonDeleted); return err }},
		{index.KindAppOut, func(p string) error { _, err := tx.dropApplication(uid, p, ReasonDeleted); return err }},
	}
	for _, d := range drops {
		for _, p := range peers[d.kind] {
			if err := d.drop(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// dropOwned deletes the keys only uid owns: profile, groups, log.
func (tx *txn) dropOwned(uid string) error {
	tx.del(index.Profile(nil, uid))
	for _, kind := range []byte{index.KindGroup, index.KindMember, index.KindEvent} {
		keys, err := tx.scanKeys(index.Prefix(nil, kind, uid))
		if err != nil {
			return err
		}
		for _, k := range keys {
			tx.del(k)
		}
	}
	return nil
}

package main

import (
	"fmt"

	"github.com/kithdb/kith/engine"
)

// The social data set, shared by the read benchmarks:
//   - users u00000000 .. u00009999 with generated profiles (AllowAny);
//   - listOwner, friends both ways with the first listFriends users;
//   - checkOwner, related to the next checkPeers users: half of them
//     friends (BothWay, or one-way in either direction), half strangers.
const (
	socialUsers = 10_000
	listOwner   = "owner-list"
	listFriends = 3000
	checkOwner  = "owner-check"
	checkPeers  = 1000
)

var social = &dataset{name: "social", build: buildSocial}

// The strings a generated friend request carries, as a client would send.
const (
	addSource  = "AddSource_Type_Search"
	addWording = "hi, we met at the meetup last week"
)

func buildSocial(db *engine.DB) error {
	if _, err := loadProfiles(ctx, db, socialUsers, benchSeed, 2, nil); err != nil {
		return err
	}
	for i, owner := range []string{listOwner, checkOwner} {
		if _, err := db.UpdateProfile(ctx, owner, profileUpdate(benchSeed, socialUsers+i)); err != nil {
			return err
		}
	}
	if err := addAll(db, listOwner, userIDs(listFriends), engine.AddBoth); err != nil {
		return err
	}
	return relateCheckPeers(db)
}

// checkPeerIDs are the peers of checkOwner.
func checkPeerIDs() []string { return userIDs(listFriends + checkPeers)[listFriends:] }

// checkRelation is the relation checkOwner has with its j-th peer.
func checkRelation(j int) engine.Relation {
	switch j % 8 {
	case 0, 4:
		return engine.BothWay
	case 2:
		return engine.InTheirList
	case 6:
		return engine.InMyList
	}
	return engine.NoRelation
}

// relateCheckPeers gives checkOwner the relations of checkRelation.
func relateCheckPeers(db *engine.DB) error {
	var both, mine []string
	for j, id := range checkPeerIDs() {
		switch checkRelation(j) {
		case engine.BothWay:
			both = append(both, id)
		case engine.InMyList:
			mine = append(mine, id)
		case engine.InTheirList:
			if err := addAll(db, id, []string{checkOwner}, engine.AddSingle); err != nil {
				return err
			}
		}
	}
	if err := addAll(db, checkOwner, both, engine.AddBoth); err != nil {
		return err
	}
	return addAll(db, checkOwner, mine, engine.AddSingle)
}

// addAll makes from add every one of ids, failing unless each is Added.
func addAll(db *engine.DB, from string, ids []string, typ engine.AddType) error {
	for _, part := range chunks(ids, engine.DefaultLimits.IDsPerCall) {
		reqs := make([]engine.AddFriendRequest, len(part))
		for i, id := range part {
			reqs[i] = engine.AddFriendRequest{UserID: id, Type: typ, Source: addSource, Wording: addWording}
		}
		res, err := db.AddFriends(ctx, from, reqs)
		if err != nil {
			return err
		}
		for _, r := range res {
			if r.Err != nil || r.Outcome != engine.Added {
				return fmt.Errorf("%s adds %s: outcome %d, %v", from, r.UserID, r.Outcome, r.Err)
			}
		}
	}
	return nil
}

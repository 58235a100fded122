package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/kithdb/kith/engine"
	"github.com/kithdb/kith/index"
)

// The blocks data set: blockOwner and 1000 peers (users u00000000 …),
// where blockOwner blocked every peer j with j%4 == 0 and every peer with
// j%4 == 1 blocked blockOwner.
const (
	blockOwner = "owner-block"
	blockPeers = 1000
)

var blocks = &dataset{name: "blocks", build: buildBlocks}

func buildBlocks(db *engine.DB) error {
	if _, err := loadProfiles(ctx, db, blockPeers, benchSeed, 2, nil); err != nil {
		return err
	}
	if _, err := db.UpdateProfile(ctx, blockOwner, profileUpdate(benchSeed, blockPeers)); err != nil {
		return err
	}
	var mine []string
	for j, id := range userIDs(blockPeers) {
		switch j % 4 {
		case 0:
			mine = append(mine, id)
		case 1:
			if err := blockAll(db, id, []string{blockOwner}); err != nil {
				return err
			}
		}
	}
	return blockAll(db, blockOwner, mine)
}

func blockAll(db *engine.DB, owner string, ids []string) error {
	res, err := db.Block(ctx, owner, ids)
	if err != nil {
		return err
	}
	for _, r := range res {
		if r.Err != nil {
			return fmt.Errorf("%s blocks %s: %w", owner, r.UserID, r.Err)
		}
	}
	return nil
}

// canSendCases: the sender of each case, to blockOwner.
var canSendCases = []struct {
	name    string
	from    string
	blocked bool
}{
	{"blocked=yes", userID(0), true}, // blockOwner blocked u00000000
	{"blocked=no", userID(2), false},
}

func BenchmarkDB_CanSend(b *testing.B) {
	for _, c := range canSendCases {
		b.Run(c.name, func(b *testing.B) {
			db := openDB(b, blocks.path(b), nil)
			b.ReportAllocs()
			for b.Loop() {
				err := db.CanSend(ctx, c.from, blockOwner)
				if (err != nil) != c.blocked || err != nil && !errors.Is(err, engine.ErrBlockedByPeer) {
					b.Fatalf("CanSend = %v", err)
				}
			}
		})
	}
}

// BenchmarkRaw_CanSend is one raw point Get of the block key CanSend reads.
func BenchmarkRaw_CanSend(b *testing.B) {
	for _, c := range canSendCases {
		b.Run(c.name, func(b *testing.B) {
			db := openRaw(b, blocks.path(b), nil)
			key := index.Block(nil, blockOwner, c.from)
			b.ReportAllocs()
			for b.Loop() {
				ok, err := rawHas(db, key)
				if err != nil || ok != c.blocked {
					b.Fatalf("Get: %v %v", ok, err)
				}
			}
		})
	}
}

func BenchmarkDB_CheckBlocked(b *testing.B) {
	b.Run(fmt.Sprintf("ids=%d/type=both", blockPeers), func(b *testing.B) {
		db := openDB(b, blocks.path(b), nil)
		ids := shuffled(userIDs(blockPeers))
		b.ReportAllocs()
		for b.Loop() {
			res, err := db.CheckBlocked(ctx, blockOwner, ids, engine.CheckBoth)
			if err != nil || len(res) != len(ids) {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRaw_CheckBlocked makes the same 2000 point lookups with Get.
func BenchmarkRaw_CheckBlocked(b *testing.B) {
	b.Run(fmt.Sprintf("ids=%d/type=both", blockPeers), func(b *testing.B) {
		db := openRaw(b, blocks.path(b), nil)
		ids := shuffled(userIDs(blockPeers))
		out := make([]engine.Relation, len(ids))
		b.ReportAllocs()
		for b.Loop() {
			if err := rawCheckBlocked(db, blockOwner, ids, out); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func rawCheckBlocked(db *pebble.DB, owner string, ids []string, out []engine.Relation) error {
	for i, id := range ids {
		mine, err := rawHas(db, index.Block(nil, owner, id))
		if err != nil {
			return err
		}
		theirs, err := rawHas(db, index.Block(nil, id, owner))
		if err != nil {
			return err
		}
		out[i] = relation(mine, theirs)
	}
	return nil
}

// BenchmarkDB_Block blocks 1000 users who are all two-way friends of the
// blocker, so every op also tears down 2000 friend edges in its batch.
func BenchmarkDB_Block(b *testing.B) {
	b.Run("ids=1000/friends=yes", func(b *testing.B) {
		db := openDB(b, b.TempDir(), &engine.Options{NoSync: true, ProfileCache: engine.ProfileCacheOptions{Disabled: true}})
		peers := userIDs(1000)
		for _, id := range peers {
			if _, err := db.UpdateProfile(ctx, id, engine.ProfileUpdate{AllowType: new(engine.AllowAny)}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			b.StopTimer()
			owner := fmt.Sprintf("blocker-%d", n)
			if err := addAll(db, owner, peers, engine.AddBoth); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if err := blockAll(db, owner, peers); err != nil {
				b.Fatal(err)
			}
			n++
		}
		reportOps(b, n)
	})
}

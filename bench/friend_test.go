package main

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/kithdb/kith/codec"
	"github.com/kithdb/kith/engine"
	"github.com/kithdb/kith/index"
)

func BenchmarkDB_CheckFriends(b *testing.B) {
	b.Run("ids=1000/type=both", func(b *testing.B) {
		db := openDB(b, social.path(b), nil)
		ids := shuffled(checkPeerIDs())
		want := wantCheckRelations(ids)
		res, err := db.CheckFriends(ctx, checkOwner, ids, engine.CheckBoth) // warms the block cache
		if err != nil {
			b.Fatal(err)
		}
		if got := relationsOf(res); !slices.Equal(got, want) {
			b.Fatalf("CheckFriends: relations differ from the data set")
		}
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			if _, err := db.CheckFriends(ctx, checkOwner, ids, engine.CheckBoth); err != nil {
				b.Fatal(err)
			}
			n++
		}
		reportOps(b, n)
	})
	// One peer at a time, as a chat screen checks the relation it shows:
	// the data set's peers in turn, half of them in neither list.
	b.Run("ids=1/type=both", func(b *testing.B) {
		db := openDB(b, social.path(b), nil)
		ids := shuffled(checkPeerIDs())
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			res, err := db.CheckFriends(ctx, checkOwner, ids[n%len(ids):n%len(ids)+1], engine.CheckBoth)
			if err != nil || res[0].Err != nil {
				b.Fatal(err, res[0].Err)
			}
			n++
		}
		reportOps(b, n)
	})
	// One peer at a time among users of short lists, which the friend
	// sets hold after the first check of each user.
	b.Run("ids=1/type=both/short-lists", func(b *testing.B) {
		db := openDB(b, shortListsDir(b), nil)
		pairs := shortListPairs()
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			p := pairs[n%len(pairs)]
			res, err := db.CheckFriends(ctx, p[0], p[1:], engine.CheckBoth)
			if err != nil || res[0].Err != nil {
				b.Fatal(err, res[0].Err)
			}
			n++
		}
		reportOps(b, n)
	})
}

// shortListUsers users, each a friend both ways of the next
// shortListDegree ones (mod shortListUsers): every list holds 2×degree.
const (
	shortListUsers  = 1000
	shortListDegree = 4
)

// shortListsDir builds the short-lists data set in a temp dir.
func shortListsDir(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	ids := userIDs(shortListUsers)
	err := buildDir(dir, func(db *engine.DB) error {
		if _, err := loadProfiles(ctx, db, shortListUsers, benchSeed, 2, nil); err != nil {
			return err
		}
		for i, id := range ids {
			if _, err := db.UpdateProfile(ctx, id, engine.ProfileUpdate{AllowType: new(engine.AllowAny)}); err != nil {
				return err
			}
			for d := 1; d <= shortListDegree; d++ {
				req := []engine.AddFriendRequest{{UserID: ids[(i+d)%len(ids)], Type: engine.AddBoth}}
				if _, err := db.AddFriends(ctx, id, req); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return dir
}

// shortListPairs returns (user, peer) pairs to check, users in a shuffled
// order, half of the peers friends.
func shortListPairs() [][]string {
	ids := userIDs(shortListUsers)
	at := make(map[string]int, len(ids))
	for i, id := range ids {
		at[id] = i
	}
	pairs := make([][]string, 0, len(ids))
	for k, id := range shuffled(ids) {
		step := 1 + k%2*(2*shortListDegree) // a friend, or a user beyond the lists
		pairs = append(pairs, []string{id, ids[(at[id]+step)%len(ids)]})
	}
	return pairs
}

// wantCheckRelations returns the relation the data set gives each of ids.
func wantCheckRelations(ids []string) []engine.Relation {
	pos := make(map[string]int)
	for j, id := range checkPeerIDs() {
		pos[id] = j
	}
	want := make([]engine.Relation, len(ids))
	for i, id := range ids {
		want[i] = checkRelation(pos[id])
	}
	return want
}

func relationsOf(res []engine.RelationResult) []engine.Relation {
	out := make([]engine.Relation, len(res))
	for i, r := range res {
		out[i] = r.Relation
	}
	return out
}

func BenchmarkRaw_CheckFriends(b *testing.B) {
	b.Run("ids=1000/type=both", func(b *testing.B) {
		db := openRaw(b, social.path(b), nil)
		ids := shuffled(checkPeerIDs())
		want := wantCheckRelations(ids)
		got := make([]engine.Relation, len(ids))
		if err := rawCheckFriends(db, checkOwner, ids, got); err != nil {
			b.Fatal(err)
		}
		if !slices.Equal(got, want) {
			b.Fatalf("raw check: relations differ from the data set")
		}
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			if err := rawCheckFriends(db, checkOwner, ids, got); err != nil {
				b.Fatal(err)
			}
			n++
		}
		reportOps(b, n)
	})
	b.Run("ids=1/type=both/short-lists", func(b *testing.B) {
		db := openRaw(b, shortListsDir(b), nil)
		pairs := shortListPairs()
		got := make([]engine.Relation, 1)
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			p := pairs[n%len(pairs)]
			if err := rawCheckFriends(db, p[0], p[1:], got); err != nil {
				b.Fatal(err)
			}
			n++
		}
		reportOps(b, n)
	})
	b.Run("ids=1/type=both", func(b *testing.B) {
		db := openRaw(b, social.path(b), nil)
		ids := shuffled(checkPeerIDs())
		got := make([]engine.Relation, 1)
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			if err := rawCheckFriends(db, checkOwner, ids[n%len(ids):n%len(ids)+1], got); err != nil {
				b.Fatal(err)
			}
			n++
		}
		reportOps(b, n)
	})
}

// rawCheckFriends looks up both edges of every peer with db.Get, in
// request order: 2 point lookups per peer.
func rawCheckFriends(db *pebble.DB, owner string, ids []string, out []engine.Relation) error {
	var key []byte
	for i, id := range ids {
		var has [2]bool
		for side, k := range [2][2]string{{owner, id}, {id, owner}} {
			key = index.Friend(key[:0], k[0], k[1])
			ok, err := rawHas(db, key)
			if err != nil {
				return err
			}
			has[side] = ok
		}
		out[i] = relation(has[0], has[1])
	}
	return nil
}

func rawHas(db *pebble.DB, key []byte) (bool, error) {
	_, closer, err := db.Get(key)
	if err == pebble.ErrNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, closer.Close()
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

// listPage is the page size of the ListFriends benchmarks that page
// through a list; firstPage that of the first-page ones.
const (
	listPage  = 100
	firstPage = 20
)

// listCursors are the After values of every page of listOwner's friends:
// "" for the first, then the last friend of the page before.
func listCursors() []string {
	cursors := []string{""}
	for i := listPage; i < listFriends; i += listPage {
		cursors = append(cursors, userID(i-1))
	}
	return cursors
}

func BenchmarkDB_ListFriends(b *testing.B) {
	b.Run(fmt.Sprintf("page=%d", listPage), func(b *testing.B) {
		db := openDB(b, social.path(b), nil)
		cursors := listCursors()
		for i, after := range cursors { // warm up, and check the cursors
			page, err := db.ListFriends(ctx, listOwner, engine.ListOptions{After: after, Limit: listPage})
			if err != nil {
				b.Fatal(err)
			}
			if len(page.Items) != listPage || i+1 < len(cursors) && page.Next != cursors[i+1] {
				b.Fatalf("page after %q: %d items, next %q", after, len(page.Items), page.Next)
			}
		}
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			opts := engine.ListOptions{After: cursors[n%len(cursors)], Limit: listPage}
			if _, err := db.ListFriends(ctx, listOwner, opts); err != nil {
				b.Fatal(err)
			}
			n++
		}
		reportOps(b, n)
	})
	// The first page of 20, what a friend-list screen opens with (the tao
	// mix's call): the page cache answers it.
	b.Run(fmt.Sprintf("page=%d/first", firstPage), func(b *testing.B) {
		db := openDB(b, social.path(b), nil)
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			page, err := db.ListFriends(ctx, listOwner, engine.ListOptions{Limit: firstPage})
			if err != nil || len(page.Items) != firstPage {
				b.Fatal(err, len(page.Items))
			}
			n++
		}
		reportOps(b, n)
	})
}

func BenchmarkRaw_ListFriends(b *testing.B) {
	b.Run(fmt.Sprintf("page=%d", listPage), func(b *testing.B) {
		db := openRaw(b, social.path(b), nil)
		cursors := listCursors()
		page := make([]engine.ListedFriend, 0, listPage)
		for _, after := range cursors {
			var err error
			if page, err = rawListFriends(db, listOwner, after, listPage, page[:0]); err != nil {
				b.Fatal(err)
			}
			if len(page) != listPage {
				b.Fatalf("raw page after %q: %d items", after, len(page))
			}
		}
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			var err error
			if page, err = rawListFriends(db, listOwner, cursors[n%len(cursors)], listPage, page[:0]); err != nil {
				b.Fatal(err)
			}
			n++
		}
		reportOps(b, n)
	})
	b.Run(fmt.Sprintf("page=%d/first", firstPage), func(b *testing.B) {
		db := openRaw(b, social.path(b), nil)
		page := make([]engine.ListedFriend, 0, firstPage)
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			var err error
			if page, err = rawListFriends(db, listOwner, "", firstPage, page[:0]); err != nil || len(page) != firstPage {
				b.Fatal(err, len(page))
			}
			n++
		}
		reportOps(b, n)
	})
}

// rawListFriends reads the page of limit friends of owner after `after` with one
// iterator bounded to owner's friend prefix, decoding each peer ID and
// FriendEdge, and appends it to page.
func rawListFriends(db *pebble.DB, owner, after string, limit int, page []engine.ListedFriend) ([]engine.ListedFriend, error) {
	prefix := index.Prefix(nil, index.KindFriend, owner)
	it, err := db.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: index.PrefixEnd(nil, prefix)})
	if err != nil {
		return page, err
	}
	valid := it.First()
	if after != "" {
		start := index.AppendString(prefix, after)
		if valid = it.SeekGE(start); valid && bytes.Equal(it.Key(), start) {
			valid = it.Next()
		}
	}
	for ; valid && len(page) < limit; valid = it.Next() {
		peer, _, err := index.ReadString(it.Key()[len(prefix):])
		if err != nil {
			return page, err
		}
		e := new(codec.FriendEdge)
		if err := codec.Decode(it.Value(), e); err != nil {
			return page, err
		}
		page = append(page, engine.ListedFriend{UserID: peer, Edge: e})
	}
	return page, it.Close()
}

// getFriendsIDs is how many friends one GetFriends call asks for.
const getFriendsIDs = 100

// friendRequests splits a permutation of listOwner's friends into
// GetFriends requests.
func friendRequests() [][]string {
	return chunks(shuffled(userIDs(listFriends)), getFriendsIDs)
}

func BenchmarkDB_GetFriends(b *testing.B) {
	dir := social.path(b)
	for _, cacheOn := range []bool{true, false} {
		b.Run(fmt.Sprintf("ids=%d/cache=%s", getFriendsIDs, onOff(cacheOn)), func(b *testing.B) {
			db := openDB(b, dir, &engine.Options{ProfileCache: engine.ProfileCacheOptions{Disabled: !cacheOn}})
			reqs := friendRequests()
			for _, ids := range reqs { // warm up the caches, and check the data
				if err := getFriends(db, ids); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				if _, err := db.GetFriends(ctx, listOwner, reqs[n%len(reqs)]); err != nil {
					b.Fatal(err)
				}
				n++
			}
			reportOps(b, n)
		})
	}
}

// getFriends asks listOwner's GetFriends for ids, all of them friends.
func getFriends(db *engine.DB, ids []string) error {
	fs, err := db.GetFriends(ctx, listOwner, ids)
	if err != nil {
		return err
	}
	for _, f := range fs {
		if f.Err != nil || f.Edge == nil || f.Profile == nil || f.Relation != engine.BothWay {
			return fmt.Errorf("GetFriends %s: %+v", f.UserID, f)
		}
	}
	return nil
}

func BenchmarkRaw_GetFriends(b *testing.B) {
	b.Run(fmt.Sprintf("ids=%d", getFriendsIDs), func(b *testing.B) {
		db := openRaw(b, social.path(b), nil)
		reqs := friendRequests()
		out := make([]engine.Friend, getFriendsIDs)
		for _, ids := range reqs {
			if err := rawGetFriends(db, listOwner, ids, out); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			if err := rawGetFriends(db, listOwner, reqs[n%len(reqs)], out); err != nil {
				b.Fatal(err)
			}
			n++
		}
		reportOps(b, n)
	})
}

// rawGetFriends reads, for each of ids, owner's edge (Get + Decode), the
// reverse edge (Get) and the friend's profile (Get + Decode).
func rawGetFriends(db *pebble.DB, owner string, ids []string, out []engine.Friend) error {
	var key []byte
	for i, id := range ids {
		e := new(codec.FriendEdge)
		key = index.Friend(key[:0], owner, id)
		if err := rawGetRecord(db, key, e); err != nil {
			return err
		}
		key = index.Friend(key[:0], id, owner)
		theirs, err := rawHas(db, key)
		if err != nil {
			return err
		}
		p := new(codec.Profile)
		key = index.Profile(key[:0], id)
		if err := rawGetRecord(db, key, p); err != nil {
			return err
		}
		out[i] = engine.Friend{UserID: id, Edge: e, Profile: p, Relation: relation(true, theirs)}
	}
	return nil
}

func rawGetRecord(db *pebble.DB, key []byte, rec codec.Record) error {
	val, closer, err := db.Get(key)
	if err != nil {
		return fmt.Errorf("get %q: %w", key, err)
	}
	err = codec.Decode(val, rec)
	return firstError(err, closer.Close())
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

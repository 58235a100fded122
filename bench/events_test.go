package main

import (
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/kithdb/kith/codec"
	"github.com/kithdb/kith/engine"
	"github.com/kithdb/kith/index"
)

// changesPage is the page size of the Changes benchmarks.
const changesPage = 100

// BenchmarkDB_Changes reads pages of 100 events of listOwner's log (the
// 1000 retained events of its 3000 friend additions), rotating through
// the window.
func BenchmarkDB_Changes(b *testing.B) {
	b.Run("page=100", func(b *testing.B) {
		db := openDB(b, social.path(b), nil)
		last := lastSeq(b, db)
		first := last - uint64(engine.DefaultLimits.PageSize*10) // the default retention, 1000
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			after := first + uint64(n%9)*changesPage
			page, err := db.Changes(ctx, listOwner, after, changesPage)
			if err != nil || len(page.Events) != changesPage {
				b.Fatalf("Changes(%d): %d events, %v", after, len(page.Events), err)
			}
			n++
		}
		reportOps(b, n)
	})
}

func lastSeq(b *testing.B, db *engine.DB) uint64 {
	b.Helper()
	page, err := db.ListFriends(ctx, listOwner, engine.ListOptions{Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	return page.Seq
}

// BenchmarkRaw_Changes scans the same 100 event keys with an iterator and
// decodes each event.
func BenchmarkRaw_Changes(b *testing.B) {
	b.Run("page=100", func(b *testing.B) {
		dir := social.path(b)
		edb := openDB(b, dir, nil)
		last := lastSeq(b, edb)
		if err := edb.Close(); err != nil {
			b.Fatal(err)
		}
		db := openRaw(b, dir, nil)
		first := last - 1000
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			after := first + uint64(n%9)*changesPage
			if got, err := rawChanges(db, listOwner, after); err != nil || got != changesPage {
				b.Fatalf("raw changes: %d, %v", got, err)
			}
			n++
		}
		reportOps(b, n)
	})
}

func rawChanges(db *pebble.DB, uid string, after uint64) (int, error) {
	it, err := db.NewIter(&pebble.IterOptions{
		LowerBound: index.Event(nil, uid, after+1),
		UpperBound: index.Event(nil, uid, after+changesPage+1),
	})
	if err != nil {
		return 0, err
	}
	events := make([]engine.Event, 0, changesPage)
	for valid := it.First(); valid; valid = it.Next() {
		var rec codec.Event
		if err := codec.Decode(it.Value(), &rec); err != nil {
			return 0, err
		}
		k, err := index.Parse(it.Key())
		if err != nil {
			return 0, err
		}
		events = append(events, engine.Event{Kind: engine.EventKind(rec.Kind), User: uid, Peers: rec.Peers, Seq: k.Seq, At: rec.At})
	}
	return len(events), it.Close()
}

// BenchmarkDB_Subscribe measures one profile update of listOwner, whom
// 3000 friends hold, fanned out to a subscriber: 3000
// FriendProfileChanged events plus ProfileUpdated, until all are
// delivered.
func BenchmarkDB_Subscribe(b *testing.B) {
	b.Run("fanout=3000", func(b *testing.B) {
		db := openDB(b, social.path(b), &engine.Options{NoSync: true})
		var got atomic.Int64
		cancel := db.Subscribe(func(ev engine.Event) {
			if ev.Kind == engine.FriendProfileChanged || ev.Kind == engine.ProfileUpdated {
				got.Add(1)
			}
		})
		defer cancel()
		b.ReportAllocs()
		want := int64(0)
		for b.Loop() {
			if _, err := db.UpdateProfile(ctx, listOwner, engine.ProfileUpdate{Level: new(uint32(want))}); err != nil {
				b.Fatal(err)
			}
			want += listFriends + 1
			for got.Load() < want {
				runtime.Gosched() // the subscriber goroutine delivers; wait for it
			}
		}
		b.ReportMetric(float64(want)/b.Elapsed().Seconds(), "events/s")
	})
}

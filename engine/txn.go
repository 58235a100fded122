package engine

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/kithdb/kith/codec"
	"github.com/kithdb/kith/index"
)

// txn is the one write path of kith. A mutating call runs as one txn: it
// locks the users it touches, reads through a reader, stages every change
// in a write set (which its own later reads see), and commits the set as
// ONE Pebble batch. Counters and change-log events ride in the same batch,
// so a crash leaves every operation whole or absent.
//
// Items of a batch call run through try, which undoes the writes of a
// failed item, so one bad item never leaves part of itself behind.
type txn struct {
	db    *DB
	ctx   context.Context
	r     lazyReader // opened at the first read that the caches do not answer
	locks lockSet
	now   int64

	ws       writeSet
	users    map[string]*txUser // the locked users the txn has read
	undo     []txUser           // users' values before the current item (see savepoint)
	epoch    int
	events   []pendingEvent
	onCommit []func() // run after a successful commit, locks still held
	live     []Event  // events to publish after the commit
	arena    []byte   // the staged keys and values (see own)
	key      []byte   // scratch room for a key to stage (see own)

	// Room for a typical call (a friend request stages 8 writes for 2
	// users) inside the txn's own allocation: the small allocations of
	// growing slices showed in profiles.
	small struct {
		ops       [16]writeOp
		users     [4]txUser
		usersUsed int
		undo      [4]txUser
		events    [4]pendingEvent
		arena     [768]byte
		key       [64]byte
	}
}

// txUser is what a txn knows of a user it holds the lock of: the user's
// counters as the txn sees them, and the user's cached friend set once
// read (see txn.isFriend).
type txUser struct {
	uid     string
	c       Counters
	dirty   bool // to be written at commit
	deleted bool // the user is gone: delete the counters at commit
	epoch   int  // the savepoint epoch of its last undo-log entry

	// set is the user's friend set as committed (nil: not read yet).
	// Undoing an item may restore an older txUser value, whose set is nil
	// or the same committed set: either is right.
	set *friendSet
}

type pendingEvent struct {
	uid string
	ev  codec.Event
}

// errNotLocked reports a bug: a txn changed a user it had not locked.
var errNotLocked = errors.New("kith: internal error: user changed without its lock")

// update runs fn as one txn holding the write locks of users, and commits
// what fn staged if it returns nil. An error from fn, or from the commit,
// discards everything.
func (db *DB) update(ctx context.Context, users []string, fn func(tx *txn) error) error {
	if err := db.enter(ctx); err != nil {
		return err
	}
	defer db.leave()
	locks := db.locks.lock(users)
	defer locks.unlock()
	// The reader is opened after locking, when first used: its view
	// includes the last commit of every user the txn locks.
	tx := newTxn(db, ctx, locks)
	defer tx.release()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.commit()
}

// txnPool recycles txns: a txn is a few KiB (see txn.small), and
// allocating one per call showed in profiles, in allocation and in the
// garbage collections it brought.
var txnPool = sync.Pool{New: func() any { return new(txn) }}

func newTxn(db *DB, ctx context.Context, locks lockSet) *txn {
	tx := txnPool.Get().(*txn)
	tx.db, tx.ctx, tx.r, tx.locks, tx.now = db, ctx, lazyReader{db: db}, locks, db.now()
	if tx.users == nil {
		tx.users = make(map[string]*txUser, 2)
	}
	tx.ws.ops = tx.small.ops[:0]
	tx.undo = tx.small.undo[:0]
	tx.events = tx.small.events[:0]
	tx.arena = tx.small.arena[:0]
	tx.key = tx.small.key[:0]
	return tx
}

// release closes tx's reader and returns tx to txnPool, zeroed but for
// its users map when small (cleared): nothing a txn staged or read may be
// kept past the txn, and a pooled txn keeps nothing alive.
func (tx *txn) release() {
	tx.r.close()
	users := tx.users
	if len(users) > len(tx.small.users) {
		users = nil
	}
	clear(users)
	*tx = txn{users: users}
	txnPool.Put(tx)
}

// try runs one item of a batch call. If fn fails with an item error (one
// with a result code), every write fn staged is undone and the error is
// returned as the item's result; any other error aborts the whole call.
func (tx *txn) try(fn func() error) (itemErr, callErr error) {
	if err := tx.ctx.Err(); err != nil {
		return nil, err
	}
	sp := tx.save()
	err := fn()
	if err == nil {
		return nil, nil
	}
	tx.rollback(sp)
	if Code(err) > 0 {
		return err, nil
	}
	return nil, err
}

// eachItem runs item(i) through try for every i whose errs[i] is nil (the
// items that passed the checks made before the txn) and stores each
// item's result in errs[i]. It stops at the first call error.
func (tx *txn) eachItem(errs []error, item func(i int) error) error {
	for i := range errs {
		if errs[i] != nil {
			continue
		}
		var callErr error
		if errs[i], callErr = tx.try(func() error { return item(i) }); callErr != nil {
			return callErr
		}
	}
	return nil
}

// A savepoint marks where an item began. Undoing an item truncates the
// staged writes and events, and replays the counters' undo log: each
// counters record keeps its value from before its first change since the
// latest savepoint, so saving costs O(1) however many users a call has
// touched.
type savepoint struct {
	ops, events, onCommit, undo int
}

func (tx *txn) save() savepoint {
	tx.epoch++
	return savepoint{ops: len(tx.ws.ops), events: len(tx.events), onCommit: len(tx.onCommit), undo: len(tx.undo)}
}

func (tx *txn) rollback(sp savepoint) {
	tx.ws.truncate(sp.ops)
	tx.events = tx.events[:sp.events]
	tx.onCommit = tx.onCommit[:sp.onCommit]
	for i := len(tx.undo) - 1; i >= sp.undo; i-- {
		prev := tx.undo[i]
		*tx.users[prev.uid] = prev
	}
	tx.undo = tx.undo[:sp.undo]
	tx.epoch++
}

// remember logs c's value before its first change since the latest
// savepoint.
func (tx *txn) remember(c *txUser) {
	if c.epoch != tx.epoch {
		tx.undo = append(tx.undo, *c)
		c.epoch = tx.epoch
	}
}

// get returns the value under key as of the txn's own writes over the
// committed state. The slice is valid until the next read.
func (tx *txn) get(key []byte) (val []byte, ok bool, err error) {
	if i, staged := tx.ws.latest(key); staged {
		op := tx.ws.ops[i]
		return op.val, !op.del, nil
	}
	r, err := tx.r.get()
	if err != nil {
		return nil, false, err
	}
	return r.get(key)
}

// has reports whether key exists.
func (tx *txn) has(key []byte) (bool, error) {
	_, ok, err := tx.get(key)
	return ok, err
}

// getRecord decodes the record under key into rec; ok is false if absent.
func (tx *txn) getRecord(key []byte, rec codec.Record) (ok bool, err error) {
	val, ok, err := tx.get(key)
	if err != nil || !ok {
		return false, err
	}
	if err := decodeAt(key, val, rec); err != nil {
		return false, err
	}
	return true, nil
}

// The staging methods copy key and value into tx.arena, one after the
// other: no allocation for most calls. When the arena grows, the writes
// staged before keep the old array, which nothing writes again. So a
// caller may build the key in scratch memory, such as tx.key.

// set stages key = val.
func (tx *txn) set(key, val []byte) {
	k := tx.own(key)
	tx.ws.add(writeOp{key: k, val: tx.own(val)})
}

// setRecord stages key = the encoding of rec.
func (tx *txn) setRecord(key []byte, rec codec.Record) error {
	k := tx.own(key)
	start := len(tx.arena)
	out, err := codec.Append(tx.arena, rec)
	if err != nil {
		return err
	}
	tx.arena = out
	tx.ws.add(writeOp{key: k, val: out[start:len(out):len(out)]})
	return nil
}

// del stages the deletion of key.
func (tx *txn) del(key []byte) {
	tx.ws.add(writeOp{key: tx.own(key), del: true})
}

// own returns a copy of b in tx.arena (nil for an empty b), capped so
// that no append writes past it.
func (tx *txn) own(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	start := len(tx.arena)
	tx.arena = append(tx.arena, b...)
	return tx.arena[start:len(tx.arena):len(tx.arena)]
}

// scanKeys returns every key under prefix, as of the txn's own writes over
// the committed state, in key order. The keys are copies.
func (tx *txn) scanKeys(prefix []byte) ([][]byte, error) {
	r, err := tx.r.get()
	if err != nil {
		return nil, err
	}
	var keys [][]byte
	err = r.scan(prefix, nil, func(k, _ []byte) (bool, error) {
		if _, staged := tx.ws.latest(k); !staged {
			keys = append(keys, bytes.Clone(k))
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	for i, op := range tx.ws.ops { // staged keys: take the live ones
		if !op.del && bytes.HasPrefix(op.key, prefix) && tx.ws.isLatest(i) {
			keys = append(keys, bytes.Clone(op.key))
		}
	}
	slices.SortFunc(keys, bytes.Compare)
	return keys, nil
}

// counters returns uid's counters for reading and changing; they are
// written at commit. uid must be locked by the txn.
func (tx *txn) counters(uid string) (*Counters, error) {
	c, err := tx.loadCounters(uid)
	if err != nil {
		return nil, err
	}
	tx.remember(c)
	c.dirty = true
	return &c.c, nil
}

// peekCounters returns uid's counters for reading only.
func (tx *txn) peekCounters(uid string) (Counters, error) {
	c, err := tx.loadCounters(uid)
	if err != nil {
		return Counters{}, err
	}
	return c.c, nil
}

func (tx *txn) loadCounters(uid string) (*txUser, error) {
	if !tx.locks.holds(uid) {
		return nil, errNotLocked
	}
	if c, ok := tx.users[uid]; ok {
		return c, nil
	}
	// A txn loads a user's counters before it stages any change of them,
	// so reading through the txn reads the store.
	e, err := tx.db.countersOf(uid, true, func(c *Counters) (bool, error) {
		return tx.getRecord(index.Counters(nil, uid), c)
	})
	if err != nil {
		return nil, err
	}
	c := tx.newUser(txUser{uid: uid, c: e.c})
	tx.users[uid] = c
	return c, nil
}

// user returns id as a string, and what the txn knows of that user if
// anything; it does not allocate for a user the txn has read.
func (tx *txn) user(id []byte) (string, *txUser) {
	if u := tx.users[string(id)]; u != nil {
		return u.uid, u
	}
	return string(id), nil
}

// newUser returns a home for what the txn knows of a user.
func (tx *txn) newUser(c txUser) *txUser {
	if n := tx.small.usersUsed; n < len(tx.small.users) {
		tx.small.usersUsed++
		tx.small.users[n] = c
		return &tx.small.users[n]
	}
	p := new(txUser)
	*p = c
	return p
}

// emit appends ev to uid's change log at commit, with uid's next seq.
func (tx *txn) emit(uid string, ev codec.Event) {
	ev.At = tx.now
	tx.events = append(tx.events, pendingEvent{uid: uid, ev: ev})
}

// forgetUser drops uid's pending events and deletes its counters at
// commit: DeleteUser removes the user's log with everything else.
func (tx *txn) forgetUser(uid string) {
	tx.events = slices.DeleteFunc(tx.events, func(pe pendingEvent) bool { return pe.uid == uid })
	tx.users[uid] = tx.newUser(txUser{uid: uid, deleted: true})
}

// after registers f to run once the txn has committed (cache
// write-through), while the txn's locks are still held.
func (tx *txn) after(f func()) { tx.onCommit = append(tx.onCommit, f) }

// commit writes the events and the changed counters into the write set
// and commits it as one batch.
func (tx *txn) commit() error {
	if err := tx.stageEvents(); err != nil {
		return err
	}
	if err := tx.stageCounters(); err != nil {
		return err
	}
	err := tx.db.commitOps(&tx.ws)
	if h := tx.db.testHookCommitted; h != nil && err == nil {
		h()
	}
	tx.cacheCounters(err == nil)
	tx.writeThroughLists(err == nil)
	if err != nil {
		return err
	}
	for _, f := range tx.onCommit {
		f()
	}
	tx.db.subs.publish(tx.live)
	return nil
}

func (tx *txn) stageEvents() error {
	if tx.db.noEventLog {
		return nil
	}
	keep := uint64(tx.db.opts.EventRetention)
	for i := range tx.events {
		pe := &tx.events[i]
		c, err := tx.counters(pe.uid)
		if err != nil {
			return err
		}
		c.Seq++
		tx.key = index.Event(tx.key[:0], pe.uid, c.Seq)
		if err := tx.setRecord(tx.key, &pe.ev); err != nil {
			return err
		}
		if tx.db.subs.active() {
			tx.live = append(tx.live, eventOf(pe.uid, c.Seq, &pe.ev))
		}
		if c.Seq > keep {
			tx.key = index.Event(tx.key[:0], pe.uid, c.Seq-keep)
			tx.del(tx.key)
		}
	}
	return nil
}

func (tx *txn) stageCounters() error {
	for uid, c := range tx.users {
		if c.deleted {
			tx.del(index.Counters(nil, uid))
			continue
		}
		if !c.dirty {
			continue
		}
		tx.key = index.Counters(tx.key[:0], uid)
		if err := tx.setRecord(tx.key, &c.c); err != nil {
			return err
		}
	}
	return nil
}

package engine

import (
	"sync"
	"sync/atomic"
)

// subscriberBuffer is how many events a subscriber may lag behind before
// it gets a Gap event instead of the ones that do not fit.
const subscriberBuffer = 4096

// subscribers is the set of live subscribers. Writers read it without a
// lock (copy on write); Subscribe and cancel replace it under mu.
type subscribers struct {
	mu   sync.Mutex
	list atomic.Pointer[[]*subscriber]
	wg   sync.WaitGroup // one per delivery goroutine
}

// subscriber delivers events to one callback from its own goroutine, so
// a slow callback never blocks a writer.
type subscriber struct {
	fn func(Event)
	ch chan Event

	mu   sync.Mutex // serialises offer, takeGap and close
	lost bool       // events were dropped: a Gap is owed
	gap  Event      // the Gap owed: User and At of the first dropped event
	// closed is set under mu by close; deliver reads it without mu to
	// drop the events still buffered.
	closed atomic.Bool
}

// Subscribe calls fn for every event after it is committed: the logged
// events of every user and the live-only FriendProfileChanged. fn runs
// on a goroutine of its own, never while a lock is held, and sees each
// user's events in commit order. A subscriber that falls behind by more
// than 4096 events gets a Gap event in place of those it missed, and
// should catch up with Changes; the Gap comes once fn has taken the
// events buffered before the loss, even if no later write follows.
// cancel stops delivery: once it returns, fn is not called again (events
// still buffered are dropped), but cancel does not wait for a call of fn
// in progress. Close cancels every subscriber and waits for their
// goroutines, so fn must not call Close. A nil fn subscribes nothing:
// the returned cancel does nothing.
func (db *DB) Subscribe(fn func(Event)) (cancel func()) {
	if fn == nil {
		return func() {}
	}
	s := &subscriber{fn: fn, ch: make(chan Event, subscriberBuffer)}
	db.subs.mu.Lock()
	defer db.subs.mu.Unlock()
	if db.closing.Load() {
		return func() {}
	}
	db.subs.add(s)
	db.subs.wg.Add(1)
	go func() {
		defer db.subs.wg.Done()
		s.deliver()
	}()
	var once sync.Once
	return func() { once.Do(func() { db.subs.remove(s) }) }
}

func (ss *subscribers) add(s *subscriber) {
	var next []*subscriber
	if cur := ss.list.Load(); cur != nil {
		next = append(next, *cur...)
	}
	next = append(next, s)
	ss.list.Store(&next)
}

func (ss *subscribers) remove(s *subscriber) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	cur := ss.list.Load()
	if cur == nil {
		return
	}
	next := make([]*subscriber, 0, len(*cur))
	for _, x := range *cur {
		if x != s {
			next = append(next, x)
		}
	}
	ss.list.Store(&next)
	s.close()
}

// closeAll cancels every subscriber and waits for their goroutines.
func (ss *subscribers) closeAll() {
	ss.mu.Lock()
	cur := ss.list.Load()
	ss.list.Store(nil)
	ss.mu.Unlock()
	if cur != nil {
		for _, s := range *cur {
			s.close()
		}
	}
	ss.wg.Wait()
}

// active reports whether anyone listens, so writers can skip building
// live-only events.
func (ss *subscribers) active() bool {
	cur := ss.list.Load()
	return cur != nil && len(*cur) > 0
}

// publish offers events to every subscriber. Writers call it while they
// still hold their users' locks, so that each user's events are offered
// in commit order; offering never blocks.
func (ss *subscribers) publish(events []Event) {
	cur := ss.list.Load()
	if cur == nil || len(events) == 0 {
		return
	}
	for _, s := range *cur {
		s.offer(events)
	}
}

func (s *subscriber) offer(events []Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return
	}
	for _, ev := range events {
		if s.lost {
			select {
			case s.ch <- s.gap:
				s.lost = false
			default:
				continue
			}
		}
		select {
		case s.ch <- ev:
		default:
			s.lost = true
			s.gap = Event{Kind: Gap, User: ev.User, At: ev.At}
		}
	}
}

// deliver calls fn for each event in order, until the subscriber is
// closed: the events still buffered then are dropped, not delivered.
// When fn has drained the buffer after events were dropped, deliver
// hands it the Gap itself: a subscriber must learn of the loss even if no
// later write comes to carry the Gap.
func (s *subscriber) deliver() {
	for ev := range s.ch {
		if s.closed.Load() {
			continue // drain: cancel and Close stop delivery
		}
		s.fn(ev)
		if len(s.ch) > 0 {
			continue // takeGap would refuse: skip its lock
		}
		if gap, ok := s.takeGap(); ok {
			s.fn(gap)
		}
	}
}

// takeGap returns the Gap owed once the buffer is empty. Under mu no
// offer runs, so every event offered later is queued behind the Gap.
func (s *subscriber) takeGap() (Event, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.lost || s.closed.Load() || len(s.ch) > 0 {
		return Event{}, false
	}
	s.lost = false
	return s.gap, true
}

func (s *subscriber) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed.Load() {
		s.closed.Store(true)
		close(s.ch)
	}
}

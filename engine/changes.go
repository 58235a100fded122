package engine

import (
	"context"
	"fmt"

	"github.com/kithdb/kith/codec"
	"github.com/kithdb/kith/index"
)

// Gap is delivered to a subscriber in place of the events it missed
// because it fell behind: catch up with Changes from the last seq seen.
// Its User and At are those of the first missed event; the missed events
// may concern any user. It is never logged.
const Gap EventKind = 16

// Event is one change a user hears about.
type Event struct {
	Kind EventKind
	// User is the user whose log holds the event (or, for live-only
	// kinds, who is told).
	User string
	// Peers are the other users concerned. For application events,
	// Peers is [sender, target].
	Peers []string
	// Groups are the group names concerned; for GroupRenamed, [old, new].
	// For FriendAdded and FriendUpdated, the edge's groups.
	Groups []string
	Reason Reason // for ApplicationDeleted
	Seq    uint64 // position in User's log; 0 for live-only events
	At     int64  // commit time, Unix nanoseconds
}

// ChangePage is a page of Changes.
type ChangePage struct {
	Events []Event // in seq order
	// Next is the afterSeq of the next call: the seq of the last event
	// returned, or afterSeq when there is none.
	Next uint64
	// Seq is the user's last seq when the page was read.
	Seq uint64
}

// ResyncError is returned by Changes when afterSeq is older than the
// retained window. It matches ErrResyncRequired.
type ResyncError struct {
	// Seq is the user's current seq: reload the lists (their Seq fields
	// say the same) and follow Changes from there.
	Seq uint64
}

// Error implements error.
func (e *ResyncError) Error() string {
	return fmt.Sprintf("kith: resync required: reload and resume after seq %d", e.Seq)
}

// Unwrap returns ErrResyncRequired.
func (e *ResyncError) Unwrap() error { return ErrResyncRequired }

// Changes returns up to limit events of uid's log after afterSeq, in seq
// order. limit 0 means Limits.PageSize; at most 1000. An afterSeq past the
// user's last seq is ErrInvalidArgument; one before the retained window
// (Options.EventRetention events) is a *ResyncError.
func (db *DB) Changes(ctx context.Context, uid string, afterSeq uint64, limit int) (ChangePage, error) {
	page := ChangePage{Next: afterSeq}
	opts := ListOptions{Limit: limit}
	err := db.list(ctx, uid, &opts, nil, func(r *reader, c *Counters) error {
		seq := c.Seq
		page.Seq = seq
		if afterSeq > seq {
			return fmt.Errorf("%w: seq %d is past the last seq %d", ErrInvalidArgument, afterSeq, seq)
		}
		if keep := uint64(db.opts.EventRetention); seq > keep && afterSeq < seq-keep {
			return &ResyncError{Seq: seq}
		}
		page.Events = make([]Event, 0, min(uint64(opts.Limit), seq-afterSeq))
		prefix := index.Prefix(nil, index.KindEvent, uid)
		from := index.Event(nil, uid, afterSeq)
		return r.scan(prefix, from, func(k, v []byte) (bool, error) {
			ev, err := decodeEvent(uid, len(prefix), k, v)
			if err != nil {
				return false, err
			}
			page.Events = append(page.Events, ev)
			page.Next = ev.Seq
			return len(page.Events) < opts.Limit, nil
		})
	})
	if err != nil {
		return ChangePage{}, err
	}
	return page, nil
}

// decodeEvent decodes an event of uid's log: the key is the log's prefix
// (prefixLen bytes) and the 8-byte seq.
func decodeEvent(uid string, prefixLen int, k, v []byte) (Event, error) {
	if len(k) != prefixLen+8 {
		return Event{}, corrupt(k, fmt.Errorf("event key of %d bytes", len(k)))
	}
	var rec codec.Event
	if err := decodeAt(k, v, &rec); err != nil {
		return Event{}, err
	}
	return eventOf(uid, beUint64(k[prefixLen:]), &rec), nil
}

func eventOf(uid string, seq uint64, rec *codec.Event) Event {
	return Event{Kind: EventKind(rec.Kind), User: uid, Peers: rec.Peers, Groups: rec.Groups,
		Reason: Reason(rec.Reason), Seq: seq, At: rec.At}
}

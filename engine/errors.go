package engine

import (
	"errors"
	"fmt"

	"github.com/kithdb/kith/codec"
	"github.com/kithdb/kith/index"
)

// Errors of the DB as a whole.
var (
	// ErrClosed is returned by every call made after Close (a call whose
	// arguments are invalid may return that error first).
	ErrClosed = errors.New("kith: db closed")
	// ErrFailed is returned by every call after a write to disk failed
	// in a way Pebble cannot recover from (a WAL write or sync error): the
	// failed call's change may or may not survive, whole, after the store
	// is closed and reopened; nothing else is served until then.
	ErrFailed = errors.New("kith: store failed: close and reopen it")
	// ErrInvalidOptions is returned by Open when an Options field is invalid.
	ErrInvalidOptions = errors.New("kith: invalid options")
	// ErrCorrupt is returned when a stored value or key fails to decode.
	// The error wrapping it is a *CorruptError naming the key.
	ErrCorrupt = codec.ErrCorrupt
	// ErrInvalidKey is matched, with ErrCorrupt, by the *CorruptError of
	// a stored key that does not parse.
	ErrInvalidKey = index.ErrInvalidKey
)

// Errors of bad input. Each of them also matches ErrInvalidArgument, except
// the profile field errors, which have codes of their own.
var (
	// ErrInvalidArgument is returned for an invalid call or item: a bad
	// argument, a self target, a duplicate ID, too many IDs.
	ErrInvalidArgument = errors.New("kith: invalid argument")
	// ErrInvalidUserID is returned for a user ID that is empty, too long,
	// not valid UTF-8 or holds control characters.
	ErrInvalidUserID = fmt.Errorf("%w: invalid user id", ErrInvalidArgument)
	// ErrSelf is returned when a user names itself as the peer.
	ErrSelf = fmt.Errorf("%w: user names itself", ErrInvalidArgument)
	// ErrDuplicateID is returned for the second and later occurrences of an
	// ID in one call; the first occurrence is answered normally.
	ErrDuplicateID = fmt.Errorf("%w: duplicate id in call", ErrInvalidArgument)
	// ErrTooMany is returned when a call names more IDs than its limit.
	ErrTooMany = fmt.Errorf("%w: too many ids in call", ErrInvalidArgument)
	// ErrTooLong is returned when a friend or group string is over its limit.
	ErrTooLong = fmt.Errorf("%w: value too long", ErrInvalidArgument)
	// ErrNilContext is returned when a nil context is passed.
	ErrNilContext = fmt.Errorf("%w: nil context", ErrInvalidArgument)

	// ErrValueTooLong is returned when a profile field value is over its limit.
	ErrValueTooLong = errors.New("kith: profile value too long")
	// ErrInvalidValue is returned when a profile enum is out of range.
	ErrInvalidValue = errors.New("kith: invalid profile value")
	// ErrUnknownField is returned for a custom field not declared in Options.
	ErrUnknownField = errors.New("kith: unknown field")
)

// Errors of users and profiles.
var (
	// ErrNotFound is returned for a user that has no profile and no edge.
	ErrNotFound = errors.New("kith: user not found")
)

// Errors of friends and applications.
var (
	// ErrForbiddenToAdd is returned when the sender's AdminForbidType is SendOut.
	ErrForbiddenToAdd = errors.New("kith: sender forbidden to add friends")
	// ErrBlockedByMe is returned when the target is in the sender's blocklist.
	ErrBlockedByMe = errors.New("kith: target is in my blocklist")
	// ErrBlockedByPeer is returned when the sender is in the target's blocklist.
	ErrBlockedByPeer = errors.New("kith: blocked by peer")
	// ErrPeerDeniesAll is returned when the target's AllowType is DenyAny.
	ErrPeerDeniesAll = errors.New("kith: peer denies all friend requests")
	// ErrAlreadyFriends is returned when the requested edges already exist.
	ErrAlreadyFriends = errors.New("kith: already friends")
	// ErrFriendLimit is returned when the owner's friend list is full.
	ErrFriendLimit = errors.New("kith: friend list full")
	// ErrPeerFriendLimit is returned when the peer's friend list is full.
	ErrPeerFriendLimit = errors.New("kith: peer friend list full")
	// ErrPendingLimit is returned when the target has too many pending applications.
	ErrPendingLimit = errors.New("kith: pending application limit")
	// ErrNoApplication is returned when the named application does not exist.
	ErrNoApplication = errors.New("kith: application not found")
	// ErrNotFriends is returned when the peer is not in the owner's list.
	ErrNotFriends = errors.New("kith: not friends")
)

// Errors of friend groups.
var (
	// ErrGroupLimit is returned when the owner already has the most groups.
	ErrGroupLimit = errors.New("kith: friend group limit")
	// ErrGroupExists is returned when a group of that name already exists.
	ErrGroupExists = errors.New("kith: group exists")
	// ErrGroupNotFound is returned when the named group does not exist.
	ErrGroupNotFound = errors.New("kith: group not found")
	// ErrMemberNotFriend is returned for a group member that is not a friend
	// of the owner. It matches ErrNotFriends too.
	ErrMemberNotFriend = &codedError{ErrNotFriends, 32216, "kith: group member is not a friend"}
)

// Errors of the blocklist.
var (
	// ErrBlockLimit is returned when the owner's blocklist is full.
	ErrBlockLimit = errors.New("kith: blocklist full")
	// ErrAlreadyBlocked is returned when the target is already blocked.
	ErrAlreadyBlocked = errors.New("kith: already blocked")
	// ErrNotBlocked is returned when unblocking a user not blocked.
	ErrNotBlocked = errors.New("kith: not blocked")
)

// Errors of the change log.
var (
	// ErrResyncRequired is returned by Changes when the asked seq is older
	// than the retained window: reload the lists and resume from their seq.
	ErrResyncRequired = errors.New("kith: resync required")
)

// CorruptError reports a stored key or value that failed to decode.
// It matches ErrCorrupt.
type CorruptError struct {
	Key []byte // the key whose value (or the key itself) is corrupt
	Err error  // the decoding error
}

// Error implements error.
func (e *CorruptError) Error() string { return fmt.Sprintf("kith: corrupt key %q: %v", e.Key, e.Err) }

// Unwrap returns ErrCorrupt and the decoding error.
func (e *CorruptError) Unwrap() []error { return []error{ErrCorrupt, e.Err} }

func corrupt(key []byte, err error) error {
	return &CorruptError{Key: append([]byte(nil), key...), Err: err}
}

// codedError is a sentinel that matches a more general one but has a result
// code of its own (the same condition reported by another call).
type codedError struct {
	base error
	code int
	msg  string
}

func (e *codedError) Error() string { return e.msg }
func (e *codedError) Unwrap() error { return e.base }

// codes maps sentinels to the result codes of SEMANTICS.md §8, most specific
// first: Code walks it in order and takes the first match.
var codes = []struct {
	err  error
	code int
}{
	{ErrForbiddenToAdd, 30009},
	{ErrFriendLimit, 30010},
	{ErrPeerFriendLimit, 30014},
	{ErrGroupLimit, 30011},
	{ErrPendingLimit, 30012},
	{ErrBlockLimit, 30013},
	{ErrBlockedByMe, 30515},
	{ErrBlockedByPeer, 30525},
	{ErrPeerDeniesAll, 30516},
	{ErrNoApplication, 30614},
	{ErrNotFriends, 31704},
	{ErrUnknownField, 40009},
	{ErrValueTooLong, 40601},
	{ErrInvalidValue, 40605},
	{ErrNotFound, 30003},
	{ErrAlreadyFriends, 30001},
	{ErrAlreadyBlocked, 30001},
	{ErrNotBlocked, 30001},
	{ErrGroupExists, 30001},
	{ErrGroupNotFound, 30001},
	{ErrInvalidArgument, 30001},
}

// Code returns the result code of SEMANTICS.md §8 for err: 0 for nil, the
// code of the sentinel err matches, or -1 for errors that have none (closed
// DB, I/O failure, corruption).
func Code(err error) int {
	if err == nil {
		return 0
	}
	var c *codedError
	if errors.As(err, &c) {
		return c.code
	}
	for _, e := range codes {
		if errors.Is(err, e.err) {
			return e.code
		}
	}
	return -1
}

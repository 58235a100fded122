package engine_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/kithdb/kith/engine"
)

// sentinelCodes lists every exported sentinel with the result code of
// SEMANTICS.md §8. Errors with no code there (closed DB, bad options,
// corruption, resync) answer -1. Marked "kith" where §8 is silent and the
// code is kith's choice.
var sentinelCodes = []struct {
	name string
	err  error
	code int
}{
	// The DB as a whole: no result code.
	{"ErrClosed", engine.ErrClosed, -1},
	{"ErrInvalidOptions", engine.ErrInvalidOptions, -1},
	{"ErrCorrupt", engine.ErrCorrupt, -1},
	{"ErrResyncRequired", engine.ErrResyncRequired, -1}, // kith: §8 has no code for it

	// 30001: invalid argument and its refinements.
	{"ErrInvalidArgument", engine.ErrInvalidArgument, 30001},
	{"ErrInvalidUserID", engine.ErrInvalidUserID, 30001},
	{"ErrSelf", engine.ErrSelf, 30001},
	{"ErrDuplicateID", engine.ErrDuplicateID, 30001},
	{"ErrTooMany", engine.ErrTooMany, 30001},
	{"ErrTooLong", engine.ErrTooLong, 30001},
	{"ErrNilContext", engine.ErrNilContext, 30001},
	// 30001: already friends, already blocked / not blocked.
	{"ErrAlreadyFriends", engine.ErrAlreadyFriends, 30001},
	{"ErrAlreadyBlocked", engine.ErrAlreadyBlocked, 30001},
	{"ErrNotBlocked", engine.ErrNotBlocked, 30001},
	{"ErrGroupExists", engine.ErrGroupExists, 30001},     // kith: §4 names no code
	{"ErrGroupNotFound", engine.ErrGroupNotFound, 30001}, // kith: §4 names no code
	{"ErrNotFound", engine.ErrNotFound, 30003},           // kith: §8 has no code for it

	// Profile fields.
	{"ErrUnknownField", engine.ErrUnknownField, 40009},
	{"ErrValueTooLong", engine.ErrValueTooLong, 40601},
	{"ErrInvalidValue", engine.ErrInvalidValue, 40605},

	// Friends and applications.
	{"ErrForbiddenToAdd", engine.ErrForbiddenToAdd, 30009},
	{"ErrFriendLimit", engine.ErrFriendLimit, 30010},
	{"ErrPeerFriendLimit", engine.ErrPeerFriendLimit, 30014},
	{"ErrGroupLimit", engine.ErrGroupLimit, 30011},
	{"ErrPendingLimit", engine.ErrPendingLimit, 30012},
	{"ErrBlockLimit", engine.ErrBlockLimit, 30013},
	{"ErrBlockedByMe", engine.ErrBlockedByMe, 30515},
	{"ErrBlockedByPeer", engine.ErrBlockedByPeer, 30525},
	{"ErrPeerDeniesAll", engine.ErrPeerDeniesAll, 30516},
	{"ErrNoApplication", engine.ErrNoApplication, 30614},
	{"ErrNotFriends", engine.ErrNotFriends, 31704},
	{"ErrMemberNotFriend", engine.ErrMemberNotFriend, 32216},

	// Sending (CanSend).
	{"ErrSendBlocked", engine.ErrSendBlocked, 20007},
	{"ErrSendNotFriends", engine.ErrSendNotFriends, 20009},
}

func TestCode_Sentinels(t *testing.T) {
	for _, tc := range sentinelCodes {
		if got := engine.Code(tc.err); got != tc.code {
			t.Errorf("Code(%s) = %d, want %d", tc.name, got, tc.code)
		}
		// Wrapping, once or twice, keeps the code.
		w1 := fmt.Errorf("op failed: %w", tc.err)
		w2 := fmt.Errorf("outer: %w", w1)
		if got := engine.Code(w1); got != tc.code {
			t.Errorf("Code(wrapped %s) = %d, want %d", tc.name, got, tc.code)
		}
		if got := engine.Code(w2); got != tc.code {
			t.Errorf("Code(twice wrapped %s) = %d, want %d", tc.name, got, tc.code)
		}
		if !errors.Is(w2, tc.err) {
			t.Errorf("errors.Is(twice wrapped %s, %s) = false", tc.name, tc.name)
		}
		// Joined with an error that has no code, the code survives.
		if got := engine.Code(errors.Join(io.EOF, tc.err)); got != tc.code {
			t.Errorf("Code(Join(io.EOF, %s)) = %d, want %d", tc.name, got, tc.code)
		}
	}
}

func TestCode_NilAndForeign(t *testing.T) {
	if got := engine.Code(nil); got != 0 {
		t.Errorf("Code(nil) = %d, want 0", got)
	}
	for _, err := range []error{
		errors.New("some error"),
		io.EOF,
		context.Canceled,
		context.DeadlineExceeded,
		fmt.Errorf("wrapped: %w", io.ErrUnexpectedEOF),
		errors.New("kith: invalid argument"), // same text, not the sentinel
	} {
		if got := engine.Code(err); got != -1 {
			t.Errorf("Code(%v) = %d, want -1", err, got)
		}
	}
}

func TestErrors_Messages(t *testing.T) {
	seen := map[string]string{}
	for _, tc := range sentinelCodes {
		msg := tc.err.Error()
		if !strings.HasPrefix(msg, "kith: ") {
			t.Errorf("%s: message %q lacks the \"kith: \" prefix", tc.name, msg)
		}
		if rest := strings.TrimPrefix(msg, "kith: "); rest == "" || strings.ToLower(rest[:1]) != rest[:1] {
			t.Errorf("%s: message %q does not start lowercase", tc.name, msg)
		}
		if other, dup := seen[msg]; dup {
			t.Errorf("%s and %s share the message %q", tc.name, other, msg)
		}
		seen[msg] = tc.name
	}
}

// The errors of bad input match ErrInvalidArgument, except the profile
// field errors, which have codes of their own; the refinements of one
// condition match their general sentinel and not the reverse.
func TestErrors_Matching(t *testing.T) {
	for _, tc := range []struct {
		err, target error
		want        bool
	}{
		{engine.ErrInvalidUserID, engine.ErrInvalidArgument, true},
		{engine.ErrSelf, engine.ErrInvalidArgument, true},
		{engine.ErrDuplicateID, engine.ErrInvalidArgument, true},
		{engine.ErrTooMany, engine.ErrInvalidArgument, true},
		{engine.ErrTooLong, engine.ErrInvalidArgument, true},
		{engine.ErrNilContext, engine.ErrInvalidArgument, true},
		{engine.ErrValueTooLong, engine.ErrInvalidArgument, false},
		{engine.ErrInvalidValue, engine.ErrInvalidArgument, false},
		{engine.ErrUnknownField, engine.ErrInvalidArgument, false},
		{engine.ErrInvalidArgument, engine.ErrInvalidUserID, false},
		{engine.ErrMemberNotFriend, engine.ErrNotFriends, true},
		{engine.ErrNotFriends, engine.ErrMemberNotFriend, false},
		{engine.ErrSendBlocked, engine.ErrBlockedByPeer, true},
		{engine.ErrBlockedByPeer, engine.ErrSendBlocked, false},
		{engine.ErrSendNotFriends, engine.ErrNotFriends, true},
		{engine.ErrNotFound, engine.ErrInvalidArgument, false},
		{engine.ErrClosed, engine.ErrInvalidArgument, false},
	} {
		if got := errors.Is(tc.err, tc.target); got != tc.want {
			t.Errorf("errors.Is(%q, %q) = %v, want %v", tc.err, tc.target, got, tc.want)
		}
	}
}

// ErrMemberNotFriend is the not-friends condition reported by a group
// call: it matches ErrNotFriends but keeps its own code, wrapped or not.
func TestCode_MemberNotFriend(t *testing.T) {
	for _, err := range []error{
		engine.ErrMemberNotFriend,
		fmt.Errorf("add to group: %w", engine.ErrMemberNotFriend),
		errors.Join(engine.ErrMemberNotFriend),
	} {
		if !errors.Is(err, engine.ErrNotFriends) {
			t.Errorf("%v does not match ErrNotFriends", err)
		}
		if got := engine.Code(err); got != 32216 {
			t.Errorf("Code(%v) = %d, want 32216", err, got)
		}
	}
	if got := engine.Code(engine.ErrNotFriends); got != 31704 {
		t.Errorf("Code(ErrNotFriends) = %d, want 31704", got)
	}
}

func TestCorruptError(t *testing.T) {
	cause := errors.New("bad bytes")
	key := []byte("p\x00key")
	var err error = &engine.CorruptError{Key: key, Err: cause}
	wrapped := fmt.Errorf("read: %w", err)
	for _, e := range []error{err, wrapped} {
		if !errors.Is(e, engine.ErrCorrupt) || !errors.Is(e, cause) {
			t.Errorf("%v: want it to match ErrCorrupt and its cause", e)
		}
		var ce *engine.CorruptError
		if !errors.As(e, &ce) || string(ce.Key) != string(key) {
			t.Errorf("%v: errors.As = %v, want the CorruptError with its key", e, ce)
		}
		if got := engine.Code(e); got != -1 {
			t.Errorf("Code(%v) = %d, want -1", e, got)
		}
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "kith: ") || !strings.Contains(msg, fmt.Sprintf("%q", key)) || !strings.Contains(msg, "bad bytes") {
		t.Errorf("message %q: want the prefix, the quoted key and the cause", msg)
	}
}

func TestAddFriendResult_Code(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    engine.AddFriendResult
		want int
	}{
		{"added", engine.AddFriendResult{UserID: "b", Outcome: engine.Added}, 0},
		{"pending", engine.AddFriendResult{UserID: "b", Outcome: engine.Pending}, 30539},
		{"denied", engine.AddFriendResult{UserID: "b", Err: engine.ErrPeerDeniesAll}, 30516},
		{"blocked by peer", engine.AddFriendResult{UserID: "b", Err: engine.ErrBlockedByPeer}, 30525},
		{"invalid id", engine.AddFriendResult{UserID: "", Err: engine.ErrInvalidUserID}, 30001},
		{"wrapped limit", engine.AddFriendResult{UserID: "b", Err: fmt.Errorf("x: %w", engine.ErrFriendLimit)}, 30010},
	} {
		if got := tc.r.Code(); got != tc.want {
			t.Errorf("%s: Code() = %d, want %d", tc.name, got, tc.want)
		}
	}
}

// The codes of real AddFriends answers: a Both request to a NeedConfirm
// user is pending (30539, a success); to an AllowAny user, added (0).
func TestAddFriendResult_CodeFromCall(t *testing.T) {
	db := openDB(t, nil)
	for _, u := range []struct {
		id    string
		allow engine.AllowType
	}{{"a", engine.NeedConfirm}, {"confirm", engine.NeedConfirm}, {"any", engine.AllowAny}, {"deny", engine.DenyAny}} {
		if _, err := db.UpdateProfile(ctx, u.id, engine.ProfileUpdate{AllowType: &u.allow}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := db.AddFriends(ctx, "a", []engine.AddFriendRequest{
		{UserID: "confirm", Type: engine.AddBoth},
		{UserID: "any", Type: engine.AddBoth},
		{UserID: "deny", Type: engine.AddBoth},
		{UserID: "a", Type: engine.AddBoth},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		outcome engine.AddOutcome
		code    int
	}{{engine.Pending, 30539}, {engine.Added, 0}, {0, 30516}, {0, 30001}}
	for i, r := range res {
		if r.Outcome != want[i].outcome || r.Code() != want[i].code {
			t.Errorf("%s: outcome %d code %d (err %v), want outcome %d code %d",
				r.UserID, r.Outcome, r.Code(), r.Err, want[i].outcome, want[i].code)
		}
	}
}

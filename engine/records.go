package engine

import "github.com/kithdb/kith/codec"

// Record types, re-exported so that users import only engine.
type (
	// Profile is a user's profile. Profiles returned by the DB are shared
	// with its cache: treat them as read-only.
	Profile = codec.Profile
	// FriendEdge is one entry of an owner's friend list.
	FriendEdge = codec.FriendEdge
	// Application is a pending friend request.
	Application = codec.Application
	// Counters holds a user's counts and last event seq.
	Counters = codec.Counters
	// Gender is a profile's gender.
	Gender = codec.Gender
	// AllowType says how a user answers friend requests.
	AllowType = codec.AllowType
	// AdminForbidType says whether a user may send friend requests.
	AdminForbidType = codec.AdminForbidType
)

// Enum values, re-exported from codec.
const (
	GenderUnknown = codec.GenderUnknown
	GenderMale    = codec.GenderMale
	GenderFemale  = codec.GenderFemale

	AllowAny    = codec.AllowAny
	NeedConfirm = codec.NeedConfirm
	DenyAny     = codec.DenyAny

	ForbidNone    = codec.ForbidNone
	ForbidSendOut = codec.ForbidSendOut
)

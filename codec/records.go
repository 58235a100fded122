package codec

// Gender is a user's gender as stored in a Profile.
type Gender uint8

// Gender values. Part of the format: never change.
const (
	GenderUnknown Gender = 0
	GenderMale    Gender = 1
	GenderFemale  Gender = 2
)

// AllowType says how a user answers friend requests.
type AllowType uint8

// AllowType values. Part of the format: never change.
const (
	AllowAny    AllowType = 0 // requests are accepted at once
	NeedConfirm AllowType = 1 // requests become pending applications
	DenyAny     AllowType = 2 // requests are refused
)

// AdminForbidType says whether a user may send friend requests.
type AdminForbidType uint8

// AdminForbidType values. Part of the format: never change.
const (
	ForbidNone    AdminForbidType = 0 // the user may send friend requests
	ForbidSendOut AdminForbidType = 1 // the user may not send friend requests
)

// Profile is a user's profile: the standard fields of SEMANTICS.md §1 and
// the declared custom fields. Stored under index.Profile(uid).
type Profile struct {
	Nick            string
	FaceURL         string
	Gender          Gender
	SelfSignature   string
	AllowType       AllowType
	Birthday        uint32 // e.g. 20000101
	Location        string
	Language        uint32
	MessageSettings uint32 // bit 0 set: do not receive messages
	AdminForbidType AdminForbidType
	Level           uint32
	Role            uint32
	// Custom holds the declared custom fields that have been set.
	// A field never set is absent.
	Custom map[string][]byte
	// Version starts at 1 and grows by one with every update.
	Version uint64
	// UpdatedAt is the time of the last update, in Unix nanoseconds.
	UpdatedAt int64
}

// FriendEdge is one entry of an owner's friend list.
// Stored under index.Friend(owner, friend).
type FriendEdge struct {
	Remark     string
	Groups     []string // sorted, unique group names
	AddSource  string
	AddWording string
	AddedAt    int64 // Unix nanoseconds
	// Custom holds the declared custom friend fields that have been set.
	Custom map[string][]byte
}

// Application is a pending friend request, stored under
// index.AppIn(to, from); index.AppOut(from, to) is its empty twin.
type Application struct {
	Wording   string
	Source    string
	Remark    string // remark the sender gives the target once accepted
	Group     string // group the sender puts the target in once accepted
	CreatedAt int64  // Unix nanoseconds; refreshed when re-sent
	Read      bool   // the target has marked it read
}

// BlockEdge is one entry of an owner's blocklist.
// Stored under index.Block(owner, target).
type BlockEdge struct {
	CreatedAt int64 // Unix nanoseconds
}

// Group is a friend group of an owner. Stored under index.Group(owner, name);
// its members are the keys under index.GroupMembersPrefix(owner, name).
type Group struct {
	CreatedAt int64 // Unix nanoseconds
}

// Counters holds a user's counts, kept exact in the same batch as every
// change. Stored under index.Counters(uid).
type Counters struct {
	Friends    uint32 // entries in the user's friend list
	Blocked    uint32 // entries in the user's blocklist
	PendingIn  uint32 // applications received, not yet answered
	PendingOut uint32 // applications sent, not yet answered
	Unread     uint32 // received applications not yet marked read
	Groups     uint32 // friend groups
	Seq        uint64 // seq of the user's last event; 0 when none
}

// Event is one entry of a user's change log, stored under
// index.Event(uid, seq). The user and seq live in the key.
type Event struct {
	Kind   uint8
	Peers  []string // the other users concerned, if any
	Groups []string // group names concerned; for a rename: old, new
	Reason uint8    // why an application was deleted
	At     int64    // Unix nanoseconds
}

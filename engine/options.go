package engine

import (
	"fmt"
	"regexp"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// Options configures a DB. A nil *Options, and every zero field, means the
// default stated in the field's comment. Open clones the Options, so the
// caller may reuse or modify them after Open returns.
type Options struct {
	// FS is the file system the store lives on. Use vfs.NewMem() for an
	// in-memory store (tests, examples). The default is the OS file system.
	FS vfs.FS

	// NoSync lets calls return before their batch is synced to disk. By
	// default every call returns only once its batch is durable. With
	// NoSync, a crash may lose the newest calls — Pebble writes its WAL
	// in 32 KB blocks unless asked to sync, so up to the last 32 KB of
	// them — but never half of one, and Close makes everything durable.
	NoSync bool

	// CacheSize is the size in bytes of Pebble's block cache. Pebble reserves
	// its memtables out of this cache, so it is raised to at least 80 MiB
	// (twice the 5 memtables of 8 MiB a store may hold). The default is
	// 128 MiB.
	CacheSize int64

	// ProfileCache configures the cache of decoded profiles.
	ProfileCache ProfileCacheOptions

	// ProfileLoader, if set, loads the profiles not stored locally (owned
	// by another service): GetProfiles asks it for the local misses of a
	// call in one batch, collapses concurrent loads of a user into one,
	// and caches the answers (see ProfileCacheOptions' TTLs); GetFriends
	// and SearchFriends ask it for friends without a local profile. A user
	// it does not know is ErrNotFound, and its errors are per-item errors
	// matching ErrLoad. Profiles it returns must not be modified
	// afterwards. The default is none: a user without a local profile is
	// ErrNotFound, or an empty profile if it exists through its edges.
	ProfileLoader ProfileLoader

	// Limits are the per-user and per-call limits of SEMANTICS.md. Zero
	// fields take the defaults of DefaultLimits.
	Limits Limits

	// CustomProfileFields declares the custom profile fields that
	// UpdateProfile accepts: names of 1–16 characters of [A-Za-z0-9_].
	// The default is none.
	CustomProfileFields []string

	// CustomFriendFields declares the custom friend fields that AddFriends
	// and UpdateFriend accept, named like CustomProfileFields. The default
	// is none.
	CustomFriendFields []string

	// DefaultAllowType is the AllowType of a user whose profile does not
	// set one: a user created by UpdateProfile, or one that exists only
	// through its edges. The default is NeedConfirm.
	DefaultAllowType *AllowType

	// EventRetention is how many events each user's change log keeps; older
	// ones are trimmed in the batch that appends. The default is 1000.
	// It is fixed when the store is created: Open adopts the store's when
	// this is 0, and refuses a different one with ErrInvalidOptions.
	EventRetention int

	// KeepFriendsOnBlock keeps friendships when one side blocks the other.
	// The default (false) ends them in both directions, as SEMANTICS.md §5.
	// A store once opened with it may hold friendships across blocks, so
	// Open refuses it (ErrInvalidOptions) without KeepFriendsOnBlock from
	// then on; a store never opened with it may turn it on.
	KeepFriendsOnBlock bool

	// RequireFriendship makes CanSend refuse a sender unless sender and
	// recipient hold each other (two-way friends). The default is off.
	RequireFriendship bool

	// Clock returns the current time; tests inject a fake one. The default
	// is time.Now.
	Clock func() time.Time

	// Logger receives Pebble's log lines, and kith's own about errors that
	// do not fail a call (an import's staging directory it could not
	// remove). The default discards them.
	Logger Logger
}

// ProfileCacheOptions configures the cache of decoded profiles, and with
// it three more: users' counters, which writes, List calls and Counts
// read; the first pages of friend lists (at most 100 friends each), which
// ListFriends serves; and friend lists as sets of IDs, which AddFriends
// and CheckFriends ask whether a list holds a user. engine/txcache.go,
// pagecache.go and friendset.go say why all four stay exact.
type ProfileCacheOptions struct {
	// Disabled turns the four caches off: every read goes to Pebble.
	Disabled bool
	// Entries is the capacity in profiles, and also in counters (about
	// 100 bytes each), in first pages and in friend sets. The default is
	// 100,000.
	Entries int
	// MaxBytes bounds the approximate memory of cached profiles, and
	// separately that of cached first pages and that of friend sets. The
	// default is 64 MiB.
	MaxBytes int64
	// StrangerTTL is how long a profile from the ProfileLoader is served
	// from the cache to a viewer whose list does not hold its user. The
	// default is 10 minutes (the reference's stranger cache).
	StrangerTTL time.Duration
	// FriendTTL is the same for a viewer whose list holds the user: a
	// friend's profile is fresher. At most StrangerTTL. The default is
	// 1 minute.
	FriendTTL time.Duration
	// NegativeTTL is how long the loader's "not found" is cached. The
	// default is 5 seconds.
	NegativeTTL time.Duration
}

// Logger receives Pebble's and kith's log lines when set in Options.Logger.
type Logger interface {
	Infof(format string, args ...any)
	Errorf(format string, args ...any)
}

// Limits are the limits of SEMANTICS.md. Every zero field means its default,
// given in DefaultLimits.
type Limits struct {
	UserIDBytes       int // longest user ID; default 32, at most 4096
	StringBytes       int // longest profile string field or custom value; default 500
	ProfilesPerCall   int // IDs answered by one GetProfiles; default 100
	Friends           int // friend list size per user; default 3000
	IDsPerCall        int // requests or IDs in one AddFriends, DeleteFriends, CheckFriends, Block, Unblock, CheckBlocked, DeleteApplications; default 1000
	GetFriendsPerCall int // IDs in one GetFriends; default 100
	RemarkBytes       int // friend remark; default 96
	AddSourceBytes    int // friend add source; default 32
	AddWordingBytes   int // friend add wording; default 256
	PendingIn         int // pending incoming applications per user; default 100
	Groups            int // friend groups per user; default 32
	GroupNameBytes    int // friend group name; default 30
	Blocked           int // blocklist size per user; default 1000
	PageSize          int // page of a List call whose Limit is 0; default 100 (a Limit may be up to 1000)
}

// DefaultLimits are the limits used for zero fields of Options.Limits.
var DefaultLimits = Limits{
	UserIDBytes:       32,
	StringBytes:       500,
	ProfilesPerCall:   100,
	Friends:           3000,
	IDsPerCall:        1000,
	GetFriendsPerCall: 100,
	RemarkBytes:       96,
	AddSourceBytes:    32,
	AddWordingBytes:   256,
	PendingIn:         100,
	Groups:            32,
	GroupNameBytes:    30,
	Blocked:           1000,
	PageSize:          100,
}

const (
	defaultCacheSize      = 128 << 20
	defaultProfileEntries = 100_000
	defaultProfileBytes   = 64 << 20
	defaultEventRetention = 1000
	memTableSize          = 8 << 20
	memTableStopWrites    = 4
)

// clone returns a copy of o that shares nothing mutable with it.
func (o *Options) clone() *Options {
	if o == nil {
		return &Options{}
	}
	c := *o
	c.CustomProfileFields = append([]string(nil), o.CustomProfileFields...)
	c.CustomFriendFields = append([]string(nil), o.CustomFriendFields...)
	if o.DefaultAllowType != nil {
		t := *o.DefaultAllowType
		c.DefaultAllowType = &t
	}
	return &c
}

// EnsureDefaults fills every zero field with its default.
func (o *Options) EnsureDefaults() {
	if o.FS == nil {
		o.FS = vfs.Default
	}
	if o.CacheSize == 0 {
		o.CacheSize = defaultCacheSize
	}
	if min := int64(memTableSize * (memTableStopWrites + 1) * 2); o.CacheSize > 0 && o.CacheSize < min {
		o.CacheSize = min
	}
	if o.ProfileCache.Entries == 0 {
		o.ProfileCache.Entries = defaultProfileEntries
	}
	if o.ProfileCache.MaxBytes == 0 {
		o.ProfileCache.MaxBytes = defaultProfileBytes
	}
	fillDuration(&o.ProfileCache.StrangerTTL, 10*time.Minute)
	fillDuration(&o.ProfileCache.FriendTTL, time.Minute)
	fillDuration(&o.ProfileCache.NegativeTTL, 5*time.Second)
	o.Limits.ensureDefaults()
	if o.DefaultAllowType == nil {
		t := NeedConfirm
		o.DefaultAllowType = &t
	}
	if o.EventRetention == 0 {
		o.EventRetention = defaultEventRetention
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
}

func fillDuration(d *time.Duration, def time.Duration) {
	if *d == 0 {
		*d = def
	}
}

func (l *Limits) ensureDefaults() {
	fill := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	d := DefaultLimits
	fill(&l.UserIDBytes, d.UserIDBytes)
	fill(&l.StringBytes, d.StringBytes)
	fill(&l.ProfilesPerCall, d.ProfilesPerCall)
	fill(&l.Friends, d.Friends)
	fill(&l.IDsPerCall, d.IDsPerCall)
	fill(&l.GetFriendsPerCall, d.GetFriendsPerCall)
	fill(&l.RemarkBytes, d.RemarkBytes)
	fill(&l.AddSourceBytes, d.AddSourceBytes)
	fill(&l.AddWordingBytes, d.AddWordingBytes)
	fill(&l.PendingIn, d.PendingIn)
	fill(&l.Groups, d.Groups)
	fill(&l.GroupNameBytes, d.GroupNameBytes)
	fill(&l.Blocked, d.Blocked)
	fill(&l.PageSize, d.PageSize)
}

var fieldNameRE = regexp.MustCompile(`^[A-Za-z0-9_]{1,16}$`)

// Validate reports the first invalid setting. Call it after EnsureDefaults.
func (o *Options) Validate() error {
	if o.CacheSize < 0 {
		return fmt.Errorf("%w: CacheSize must not be negative", ErrInvalidOptions)
	}
	if o.ProfileCache.Entries < 0 || o.ProfileCache.MaxBytes < 0 {
		return fmt.Errorf("%w: ProfileCache sizes must not be negative", ErrInvalidOptions)
	}
	if c := o.ProfileCache; c.StrangerTTL < 0 || c.FriendTTL < 0 || c.NegativeTTL < 0 || c.FriendTTL > c.StrangerTTL {
		return fmt.Errorf("%w: profile TTLs must be positive, FriendTTL at most StrangerTTL", ErrInvalidOptions)
	}
	if o.EventRetention < 0 {
		return fmt.Errorf("%w: EventRetention must not be negative", ErrInvalidOptions)
	}
	if err := o.Limits.validate(); err != nil {
		return err
	}
	if t := *o.DefaultAllowType; t > DenyAny {
		return fmt.Errorf("%w: DefaultAllowType %d out of range", ErrInvalidOptions, t)
	}
	if err := validateFieldNames("CustomProfileFields", o.CustomProfileFields); err != nil {
		return err
	}
	return validateFieldNames("CustomFriendFields", o.CustomFriendFields)
}

func (l *Limits) validate() error {
	for _, v := range []int{l.UserIDBytes, l.StringBytes, l.ProfilesPerCall, l.Friends,
		l.IDsPerCall, l.GetFriendsPerCall, l.RemarkBytes, l.AddSourceBytes, l.AddWordingBytes,
		l.PendingIn, l.Groups, l.GroupNameBytes, l.Blocked, l.PageSize} {
		if v < 0 {
			return fmt.Errorf("%w: Limits must not be negative", ErrInvalidOptions)
		}
	}
	if l.PageSize > maxPageSize {
		return fmt.Errorf("%w: Limits.PageSize above %d", ErrInvalidOptions, maxPageSize)
	}
	if l.UserIDBytes > maxUserIDBytes {
		return fmt.Errorf("%w: Limits.UserIDBytes above %d", ErrInvalidOptions, maxUserIDBytes)
	}
	return nil
}

func validateFieldNames(what string, names []string) error {
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if !fieldNameRE.MatchString(n) {
			return fmt.Errorf("%w: %s: bad field name %q", ErrInvalidOptions, what, n)
		}
		if seen[n] {
			return fmt.Errorf("%w: %s: duplicate field name %q", ErrInvalidOptions, what, n)
		}
		seen[n] = true
	}
	return nil
}

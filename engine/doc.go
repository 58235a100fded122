// Package engine is kith's public API: an embedded store for the social
// layer of a messaging product — user profiles, friends (one-way and
// two-way), friend requests ("applications"), friend groups and
// blocklists — with the semantics of Tencent Cloud IM's profile and
// relationship chain (see SEMANTICS.md in the repository's shared docs)
// and the speed of Pebble, the key-value store it runs on.
//
// # Basics
//
// Open a directory (or an in-memory vfs.FS) and call the methods of DB.
// Every method takes a context first. Batch calls (AddFriends,
// DeleteFriends, Block, ...) answer each requested ID with its own result,
// in request order; they fail as a whole only for an invalid call, a
// closed DB or an I/O error, and then write nothing.
//
// # Atomicity and durability
//
// Every logical operation — all its edges, reverse edges, group
// memberships, counters and change-log events — commits as one Pebble
// batch: a relation is whole or absent, through any crash. With the
// default options a call returns only once its batch is synced.
//
// # Concurrency
//
// A DB is safe for concurrent use by many goroutines. Writes lock the
// users they touch (striped mutexes taken in a fixed order), so writers on
// unrelated users run in parallel and share WAL syncs. Reads never wait
// for a lock: at most they try the locks of the users they read (TryLock)
// to use or fill cache entries that those locks keep exact, and read
// Pebble when one is busy (txcache.go, pagecache.go, friendset.go).
// Close waits for the calls in flight.
//
// # Ownership
//
// Slices passed in are not retained. Records returned (Profile,
// FriendEdge, Application) may be shared with the profile cache or other
// callers: treat them as read-only.
//
// # Errors
//
// Errors are sentinels (ErrNotFriends, ErrBlockedByPeer, ...) to test with
// errors.Is; Code maps them to the result codes of the reference service.
//
// # Caveats
//
// Check reads the whole store; run it on a quiet store. Profiles that
// other services own are read through Options.ProfileLoader and cached
// with the TTLs of ProfileCacheOptions.
package engine

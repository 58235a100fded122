package engine

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/kithdb/kith/codec"
	"github.com/kithdb/kith/index"
)

// ProfileResult is the answer for one requested user ID.
type ProfileResult struct {
	UserID string
	// Profile is the user's profile, nil when Err is set. It is shared with
	// the DB's cache: treat it as read-only.
	Profile *Profile
	// Err is ErrInvalidUserID, ErrNotFound, an error matching ErrLoad
	// (with a ProfileLoader), or nil.
	Err error
}

// Profiles is the answer of GetProfiles.
type Profiles struct {
	// Items holds one result per answered ID, in request order.
	Items []ProfileResult
	// Dropped is how many IDs past Limits.ProfilesPerCall were not queried.
	Dropped int
}

// GetProfiles returns the profiles of ids as seen by viewer, in request
// order, one result per ID, duplicates answered each time. At most
// Limits.ProfilesPerCall IDs are answered; the rest are dropped and
// counted. A user that exists only through its edges has an empty profile
// with the default AllowType. The ids slice is not retained.
func (db *DB) GetProfiles(ctx context.Context, viewer string, ids []string) (Profiles, error) {
	if err := db.enter(ctx); err != nil {
		return Profiles{}, err
	}
	defer db.leave()
	if err := db.checkUserID(viewer); err != nil {
		return Profiles{}, err
	}
	n := min(len(ids), db.opts.Limits.ProfilesPerCall)
	res := Profiles{Items: make([]ProfileResult, n), Dropped: len(ids) - n}
	for i, id := range ids[:n] {
		res.Items[i].UserID = id
	}
	if err := db.getProfiles(ctx, viewer, ids[:n], res.Items); err != nil {
		return Profiles{}, err
	}
	return res, nil
}

// cachedProfile is a profile cache entry: a local profile (written
// through, never stale), or one from the ProfileLoader, stamped with its
// load time; a nil p from the loader caches "not found".
type cachedProfile struct {
	p      *Profile
	remote bool
	at     int64 // load time, Unix nanoseconds (remote only)
}

// getProfiles answers items (items[i].UserID == ids[i]) as seen by
// viewer: from the cache, then from the store, then from the loader.
func (db *DB) getProfiles(ctx context.Context, viewer string, ids []string, items []ProfileResult) error {
	hits := 0
	var aged []int // loaded entries too old for a viewer who is a friend
	if db.profiles != nil {
		var now int64
		if db.loads != nil {
			now = db.now()
		}
		hits = db.profiles.GetMany(ids, func(i int, v cachedProfile) {
			items[i].Profile = v.p
			if v.remote && v.p == nil {
				items[i].Err = ErrNotFound
			} else if v.remote && now-v.at > int64(db.opts.ProfileCache.FriendTTL) {
				aged = append(aged, i)
			}
		})
	}
	if hits == len(items) && len(aged) == 0 {
		return nil
	}
	misses := db.profileMisses(items, aged) // tokens before the reader: see cache.Fill
	r, err := db.newReader()
	if err != nil {
		return err
	}
	defer r.close()
	if misses, err = db.keepAgedOfFriends(r, viewer, items, misses); err != nil {
		return err
	}
	remote, err := db.readProfiles(r, items, misses)
	if err != nil || len(remote) == 0 {
		return err
	}
	db.loadProfiles(ctx, items, remote)
	return nil
}

// keepAgedOfFriends decides the aged loaded profiles among misses: one of
// a user in viewer's list is forgotten and stays a miss, to be loaded
// again (a friend's profile is served at most FriendTTL old); the others
// are served as they are.
func (db *DB) keepAgedOfFriends(r *reader, viewer string, items []ProfileResult, misses []profileMiss) ([]profileMiss, error) {
	keep := misses[:0]
	for _, m := range misses {
		it := &items[m.item]
		if it.Profile != nil { // aged
			_, friend, err := r.get(index.Friend(nil, viewer, it.UserID))
			if err != nil {
				return nil, err
			}
			if !friend {
				continue
			}
			it.Profile = nil
		}
		keep = append(keep, m)
	}
	return keep, nil
}

// loadProfiles answers the items at indexes remote through the loader.
func (db *DB) loadProfiles(ctx context.Context, items []ProfileResult, remote []int) {
	ids := make([]string, len(remote))
	for j, i := range remote {
		ids[j] = items[i].UserID
	}
	profiles, errs := db.loads.load(ctx, ids, db.profileToken, db.cacheLoaded)
	for j, i := range remote {
		items[i].Profile, items[i].Err = profiles[j], errs[j]
		if errs[j] == nil && profiles[j] == nil {
			items[i].Err = ErrNotFound
		}
	}
}

// profileToken is the cache's fill token of uid (zero without a cache).
func (db *DB) profileToken(uid string) cacheToken {
	if db.profiles == nil {
		return 0
	}
	return db.profiles.Token(uid)
}

// cacheLoaded caches a loader's answer for StrangerTTL (NegativeTTL for
// "not found"), unless InvalidateProfiles or a local write touched uid
// since tok was taken.
func (db *DB) cacheLoaded(uid string, p *Profile, tok cacheToken) {
	if db.profiles == nil {
		return
	}
	ttl, size := db.opts.ProfileCache.StrangerTTL, 64
	if p == nil {
		ttl = db.opts.ProfileCache.NegativeTTL
	} else {
		size = profileSize(p)
	}
	db.profiles.Fill(uid, cachedProfile{p: p, remote: true, at: db.now()}, size, ttl, tok)
}

// InvalidateProfiles drops the cached profiles of ids, for the embedding
// service to call when it learns that profiles owned elsewhere changed:
// their next read goes to the ProfileLoader. Loads in flight for them are
// not cached.
func (db *DB) InvalidateProfiles(ids []string) error {
	db.gate.RLock()
	defer db.gate.RUnlock()
	if db.closed {
		return ErrClosed
	}
	for _, id := range ids {
		db.uncacheProfile(id)
	}
	return nil
}

// profileMisses lists the items to read (those the cache did not answer,
// and the aged ones at indexes aged) with their keys and fill tokens, in
// key order. Invalid IDs get their error here.
func (db *DB) profileMisses(items []ProfileResult, aged []int) []profileMiss {
	misses := make([]profileMiss, 0, len(items))
	add := func(i int) {
		m := profileMiss{item: i, key: index.Profile(nil, items[i].UserID)}
		if db.profiles != nil {
			m.tok = db.profiles.Token(items[i].UserID)
		}
		misses = append(misses, m)
	}
	for i := range items {
		it := &items[i]
		if it.Profile != nil || it.Err != nil {
			continue
		}
		if err := db.checkUserID(it.UserID); err != nil {
			it.Err = err
			continue
		}
		add(i)
	}
	for _, i := range aged {
		add(i)
	}
	slices.SortFunc(misses, func(a, b profileMiss) int { return compareBytes(a.key, b.key) })
	return misses
}

// readProfiles reads the local profiles of misses in key order and fills
// the cache. With a ProfileLoader, it returns the indexes of the items
// without a local profile, to load; without one, such a user gets an
// empty profile if it exists through its edges, else ErrNotFound.
func (db *DB) readProfiles(r *reader, items []ProfileResult, misses []profileMiss) (remote []int, err error) {
	for _, m := range misses {
		found, err := db.readProfile(r, m, &items[m.item])
		if err != nil {
			return nil, err
		}
		if !found && db.loads != nil {
			remote = append(remote, m.item)
		}
	}
	for _, m := range misses {
		if it := &items[m.item]; it.Profile == nil && db.loads == nil {
			if err := db.readMissingProfile(r, it); err != nil {
				return nil, err
			}
		}
	}
	return remote, nil
}

type profileMiss struct {
	item int
	key  []byte
	tok  cacheToken
}

// readProfile reads one local profile; found is false if there is none.
func (db *DB) readProfile(r *reader, m profileMiss, it *ProfileResult) (found bool, err error) {
	val, ok, err := r.seek(m.key)
	if err != nil || !ok {
		return false, err
	}
	p := new(Profile)
	if err := decodeAt(m.key, val, p); err != nil {
		return false, err
	}
	it.Profile = p
	db.fillProfile(it.UserID, p, m.tok)
	return true, nil
}

// fillProfile caches a profile read from the store, unless a writer of
// uid may be between its commit and its write-through: the token alone
// would let a read of the old value land in that window, after another
// reader already saw the new one in the store. Writers hold uid's stripe
// from before their read until after the write-through, so a busy stripe
// skips the fill; TryLock never makes the reader wait.
func (db *DB) fillProfile(uid string, p *Profile, tok cacheToken) {
	if db.profiles == nil {
		return
	}
	mu := &db.locks.mu[db.locks.stripe(uid)]
	if !mu.TryLock() {
		return
	}
	defer mu.Unlock()
	db.profiles.Fill(uid, cachedProfile{p: p}, profileSize(p), 0, tok)
}

// readMissingProfile answers a user with no profile record: an empty
// profile if the user exists through its edges, else ErrNotFound.
func (db *DB) readMissingProfile(r *reader, it *ProfileResult) error {
	_, exists, err := r.get(index.Counters(nil, it.UserID))
	switch {
	case err != nil:
		return err
	case exists:
		it.Profile = db.emptyProfile()
	default:
		it.Err = ErrNotFound
	}
	return nil
}

// emptyProfile is the profile of a user that never set one.
func (db *DB) emptyProfile() *Profile {
	return &Profile{AllowType: *db.opts.DefaultAllowType}
}

// profileSize estimates the memory a cached profile holds.
func profileSize(p *Profile) int {
	n := 160 + len(p.Nick) + len(p.FaceURL) + len(p.SelfSignature) + len(p.Location)
	for k, v := range p.Custom {
		n += 48 + len(k) + len(v)
	}
	return n
}

// ProfileUpdate names the profile fields to change: a nil field is left
// as it is. In Custom, a key names a declared custom field; an empty value
// removes the field. Go 1.26's new(expr) makes the pointers easy:
// ProfileUpdate{Nick: new("Ann")}.
type ProfileUpdate struct {
	Nick            *string
	FaceURL         *string
	Gender          *Gender
	SelfSignature   *string
	AllowType       *AllowType
	Birthday        *uint32
	Location        *string
	Language        *uint32
	MessageSettings *uint32
	AdminForbidType *AdminForbidType
	Level           *uint32
	Role            *uint32
	Custom          map[string][]byte
}

// UpdateProfile changes the named fields of uid's profile, creating the
// profile if uid has none (with the default AllowType), bumps its version
// and returns the new profile (read-only). Invalid input writes nothing:
// ErrValueTooLong, ErrInvalidValue, ErrUnknownField, ErrInvalidUserID, or
// ErrInvalidArgument for an update that names no field.
func (db *DB) UpdateProfile(ctx context.Context, uid string, u ProfileUpdate) (*Profile, error) {
	if err := db.checkUserID(uid); err != nil {
		return nil, err
	}
	if err := db.checkProfileUpdate(&u); err != nil {
		return nil, err
	}
	var out *Profile
	err := db.update(ctx, []string{uid}, func(tx *txn) error {
		cur, ok, err := tx.lockedProfile(uid)
		if err != nil {
			return err
		}
		p := new(Profile)
		if ok {
			*p = *cur // cur is shared: apply replaces Custom, never changes it
		} else {
			p.AllowType = *db.opts.DefaultAllowType
		}
		key := index.Profile(nil, uid)
		u.apply(p)
		p.Version++
		p.UpdatedAt = tx.now
		if err := tx.setRecord(key, p); err != nil {
			return err
		}
		tx.emit(uid, codec.Event{Kind: uint8(ProfileUpdated)})
		tx.after(func() { db.cacheProfile(uid, p) })
		if err := tx.tellHolders(uid); err != nil {
			return err
		}
		// Drop the old profile before the commit: once a reader may
		// see the new one in the store, none may see the old one in
		// the cache (and no fill lands while we hold uid's stripe, see
		// fillProfile).
		db.uncacheProfile(uid)
		out = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// cacheProfile writes a committed profile through to the cache.
func (db *DB) cacheProfile(uid string, p *Profile) {
	if db.profiles != nil {
		db.profiles.Set(uid, cachedProfile{p: p}, profileSize(p), 0)
	}
}

// uncacheProfile drops uid from the cache after its profile was removed.
func (db *DB) uncacheProfile(uid string) {
	if db.profiles != nil {
		db.profiles.Remove(uid)
	}
}

func (db *DB) checkProfileUpdate(u *ProfileUpdate) error {
	limit := db.opts.Limits.StringBytes
	for _, f := range []struct {
		name string
		v    *string
	}{{"Nick", u.Nick}, {"FaceURL", u.FaceURL}, {"SelfSignature", u.SelfSignature}, {"Location", u.Location}} {
		if f.v == nil {
			continue
		}
		if err := checkProfileString(f.name, *f.v, limit); err != nil {
			return err
		}
	}
	switch {
	case u.Gender != nil && *u.Gender > GenderFemale:
		return fmt.Errorf("%w: Gender %d", ErrInvalidValue, *u.Gender)
	case u.AllowType != nil && *u.AllowType > DenyAny:
		return fmt.Errorf("%w: AllowType %d", ErrInvalidValue, *u.AllowType)
	case u.AdminForbidType != nil && *u.AdminForbidType > ForbidSendOut:
		return fmt.Errorf("%w: AdminForbidType %d", ErrInvalidValue, *u.AdminForbidType)
	}
	if err := checkCustom(u.Custom, db.customProfile, limit); err != nil {
		return err
	}
	if u.isEmpty() {
		return fmt.Errorf("%w: update names no field", ErrInvalidArgument)
	}
	return nil
}

// checkCustom validates custom field values against the declared names.
// It visits the keys in sorted order, so that a map with several bad
// fields gets the same error on every call, whatever Go's map order.
func checkCustom[B ~[]byte](custom map[string]B, declared map[string]bool, limit int) error {
	if len(custom) > 1 {
		for _, k := range slices.Sorted(maps.Keys(custom)) {
			if err := checkField(k, custom[k], declared, limit); err != nil {
				return err
			}
		}
		return nil
	}
	for k, v := range custom {
		return checkField(k, v, declared, limit)
	}
	return nil
}

// checkField validates one custom field of checkCustom.
func checkField[B ~[]byte](k string, v B, declared map[string]bool, limit int) error {
	if !declared[k] {
		return fmt.Errorf("%w: %q", ErrUnknownField, k)
	}
	if len(v) > limit {
		return fmt.Errorf("%w: custom field %q is %d bytes, at most %d", ErrValueTooLong, k, len(v), limit)
	}
	return nil
}

func (u *ProfileUpdate) isEmpty() bool {
	return u.Nick == nil && u.FaceURL == nil && u.Gender == nil && u.SelfSignature == nil &&
		u.AllowType == nil && u.Birthday == nil && u.Location == nil && u.Language == nil &&
		u.MessageSettings == nil && u.AdminForbidType == nil && u.Level == nil && u.Role == nil &&
		len(u.Custom) == 0
}

// apply copies the named fields into p.
func (u *ProfileUpdate) apply(p *Profile) {
	setIf(&p.Nick, u.Nick)
	setIf(&p.FaceURL, u.FaceURL)
	setIf(&p.Gender, u.Gender)
	setIf(&p.SelfSignature, u.SelfSignature)
	setIf(&p.AllowType, u.AllowType)
	setIf(&p.Birthday, u.Birthday)
	setIf(&p.Location, u.Location)
	setIf(&p.Language, u.Language)
	setIf(&p.MessageSettings, u.MessageSettings)
	setIf(&p.AdminForbidType, u.AdminForbidType)
	setIf(&p.Level, u.Level)
	setIf(&p.Role, u.Role)
	p.Custom = mergeCustom(p.Custom, u.Custom)
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// mergeCustom returns cur with the changes applied (an empty value
// removes a field), or nil when no field is left. The values are copied.
func mergeCustom(cur, changes map[string][]byte) map[string][]byte {
	if len(changes) == 0 {
		return cur
	}
	out := make(map[string][]byte, len(cur)+len(changes))
	for k, v := range cur {
		out[k] = v
	}
	for k, v := range changes {
		if len(v) == 0 {
			delete(out, k)
		} else {
			out[k] = slices.Clone(v)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// tellHolders queues the live-only FriendProfileChanged event for every
// user whose list holds uid (the reverse index F), if anyone listens.
func (tx *txn) tellHolders(uid string) error {
	if !tx.db.subs.active() {
		return nil
	}
	r, err := tx.r.get()
	if err != nil {
		return err
	}
	prefix := index.Prefix(nil, index.KindFriendOf, uid)
	return r.scan(prefix, nil, func(k, _ []byte) (bool, error) {
		holder, _, err := index.ReadString(k[len(prefix):])
		if err != nil {
			return false, corrupt(k, err)
		}
		tx.live = append(tx.live, Event{Kind: FriendProfileChanged, User: holder, Peers: []string{uid}, At: tx.now})
		return true, nil
	})
}

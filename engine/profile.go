package engine

import (
	"context"
	"fmt"
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
	// Err is ErrInvalidUserID, ErrNotFound, or nil.
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
	if err := db.getProfiles(ids[:n], res.Items); err != nil {
		return Profiles{}, err
	}
	return res, nil
}

// getProfiles answers items (items[i].UserID == ids[i]) from the cache,
// then from the store.
func (db *DB) getProfiles(ids []string, items []ProfileResult) error {
	hits := 0
	if db.profiles != nil {
		hits = db.profiles.GetMany(ids, func(i int, p *Profile) { items[i].Profile = p })
	}
	if hits == len(items) {
		return nil
	}
	return db.readProfiles(items)
}

// readProfiles fills the items that the cache did not answer, reading the
// store in key order through one iterator, and fills the cache.
func (db *DB) readProfiles(items []ProfileResult) error {
	misses := make([]profileMiss, 0, len(items))
	for i := range items {
		it := &items[i]
		if it.Profile != nil {
			continue
		}
		if err := db.checkUserID(it.UserID); err != nil {
			it.Err = err
			continue
		}
		m := profileMiss{item: i, key: index.Profile(nil, it.UserID)}
		if db.profiles != nil {
			m.tok = db.profiles.Token(it.UserID) // before the read: see cache.Fill
		}
		misses = append(misses, m)
	}
	slices.SortFunc(misses, func(a, b profileMiss) int { return compareBytes(a.key, b.key) })
	r, err := db.newReader()
	if err != nil {
		return err
	}
	defer r.close()
	for _, m := range misses {
		if err := db.readProfile(r, m, &items[m.item]); err != nil {
			return err
		}
	}
	return nil
}

type profileMiss struct {
	item int
	key  []byte
	tok  cacheToken
}

func (db *DB) readProfile(r *reader, m profileMiss, it *ProfileResult) error {
	val, ok, err := r.seek(m.key)
	if err != nil {
		return err
	}
	if !ok {
		return db.readMissingProfile(r, it)
	}
	p := new(Profile)
	if err := codec.Decode(val, p); err != nil {
		return corrupt(m.key, err)
	}
	it.Profile = p
	db.fillProfile(it.UserID, p, m.tok)
	return nil
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
	db.profiles.Fill(uid, p, profileSize(p), 0, tok)
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
		key := index.Profile(nil, uid)
		p := new(Profile)
		ok, err := tx.getRecord(key, p)
		if err != nil {
			return err
		}
		if !ok {
			p.AllowType = *db.opts.DefaultAllowType
		}
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
		db.profiles.Set(uid, p, profileSize(p), 0)
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
		if f.v != nil && len(*f.v) > limit {
			return fmt.Errorf("%w: %s is %d bytes, at most %d", ErrValueTooLong, f.name, len(*f.v), limit)
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
func checkCustom(custom map[string][]byte, declared map[string]bool, limit int) error {
	for k, v := range custom {
		if !declared[k] {
			return fmt.Errorf("%w: %q", ErrUnknownField, k)
		}
		if len(v) > limit {
			return fmt.Errorf("%w: custom field %q is %d bytes, at most %d", ErrValueTooLong, k, len(v), limit)
		}
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
	prefix := index.Prefix(nil, index.KindFriendOf, uid)
	return tx.r.scan(prefix, nil, func(k, _ []byte) (bool, error) {
		holder, _, err := index.ReadString(k[len(prefix):])
		if err != nil {
			return false, corrupt(k, err)
		}
		tx.live = append(tx.live, Event{Kind: FriendProfileChanged, User: holder, Peers: []string{uid}, At: tx.now})
		return true, nil
	})
}

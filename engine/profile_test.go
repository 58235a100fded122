package engine_test

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/kithdb/kith/codec"
	"github.com/kithdb/kith/engine"
	"github.com/kithdb/kith/index"
)

// forEachCache runs f with the profile cache on and off: every profile
// rule must hold either way.
func forEachCache(t *testing.T, f func(t *testing.T, opts engine.Options)) {
	for _, disabled := range []bool{false, true} {
		t.Run(fmt.Sprintf("cache=%v", !disabled), func(t *testing.T) {
			f(t, engine.Options{ProfileCache: engine.ProfileCacheOptions{Disabled: disabled}})
		})
	}
}

// getOne returns uid's profile as viewer sees it, or the item's error.
func getOne(t *testing.T, db *engine.DB, viewer, uid string) (*engine.Profile, error) {
	t.Helper()
	ps, err := db.GetProfiles(ctx, viewer, []string{uid})
	if err != nil {
		t.Fatalf("GetProfiles(%q, [%q]): %v", viewer, uid, err)
	}
	if len(ps.Items) != 1 || ps.Items[0].UserID != uid || ps.Dropped != 0 {
		t.Fatalf("GetProfiles(%q, [%q]) = %+v, want one item for %q", viewer, uid, ps, uid)
	}
	it := ps.Items[0]
	if (it.Profile == nil) == (it.Err == nil) {
		t.Fatalf("item %+v: want exactly one of Profile and Err", it)
	}
	return it.Profile, it.Err
}

// mustProfile returns uid's profile, failing the test if it has none.
func mustProfile(t *testing.T, db *engine.DB, uid string) *engine.Profile {
	t.Helper()
	p, err := getOne(t, db, uid, uid)
	if err != nil {
		t.Fatalf("profile of %q: %v", uid, err)
	}
	return p
}

func mustUpdate(t *testing.T, db *engine.DB, uid string, u engine.ProfileUpdate) *engine.Profile {
	t.Helper()
	p, err := db.UpdateProfile(ctx, uid, u)
	if err != nil {
		t.Fatalf("UpdateProfile(%q, %+v): %v", uid, u, err)
	}
	return p
}

// wantAbsent fails unless uid has no profile and no edge.
func wantAbsent(t *testing.T, db *engine.DB, uid string) {
	t.Helper()
	if p, err := getOne(t, db, "viewer", uid); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("GetProfiles(%q) = %+v, %v; want ErrNotFound", uid, p, err)
	}
}

// wantErrCode fails unless err matches want and has result code code.
func wantErrCode(t *testing.T, what string, err, want error, code int) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: err = %v, want %v", what, err, want)
	}
	if got := engine.Code(err); got != code {
		t.Fatalf("%s: Code(%v) = %d, want %d", what, err, got, code)
	}
}

var invalidUserIDs = []struct {
	name, id string
}{
	{"empty", ""},
	{"33 bytes", strings.Repeat("a", 33)},
	{"33 bytes multibyte", strings.Repeat("中", 11)},
	{"invalid UTF-8", "a\xffb"},
	{"truncated rune", "中"[:2]},
	{"surrogate half", "a\xed\xa0\x80b"},
	{"NUL", "a\x00b"},
	{"newline", "a\nb"},
	{"tab", "\t"},
	{"DEL", "a\x7f"},
	{"C1 control", "a\u0085b"},
}

var validUserIDs = []struct {
	name, id string
}{
	{"one byte", "a"},
	{"32 bytes", strings.Repeat("b", 32)},
	{"multibyte", "用户"},
	{"32 bytes multibyte", strings.Repeat("中", 10) + "ab"},
	{"emoji", "🙂"},
	{"replacement character", "a\uFFFDb"}, // valid UTF-8, though DecodeRune returns RuneError
	{"punctuation and space", "a b-c_d.e@f"},
}

func TestUpdateProfile_UserID(t *testing.T) {
	forEachCache(t, func(t *testing.T, opts engine.Options) {
		db := openDB(t, &opts)
		for _, tc := range invalidUserIDs {
			_, err := db.UpdateProfile(ctx, tc.id, engine.ProfileUpdate{Nick: new("x")})
			wantErrCode(t, "UpdateProfile("+tc.name+")", err, engine.ErrInvalidUserID, 30001)
			if !errors.Is(err, engine.ErrInvalidArgument) {
				t.Fatalf("UpdateProfile(%s): %v does not match ErrInvalidArgument", tc.name, err)
			}
			wantErrCode(t, "DeleteUser("+tc.name+")", db.DeleteUser(ctx, tc.id), engine.ErrInvalidUserID, 30001)
			if _, err := db.GetProfiles(ctx, tc.id, []string{"a"}); !errors.Is(err, engine.ErrInvalidUserID) {
				t.Fatalf("GetProfiles(viewer %s) = %v, want ErrInvalidUserID", tc.name, err)
			}
			if _, err := getOne(t, db, "v", tc.id); !errors.Is(err, engine.ErrInvalidUserID) {
				t.Fatalf("GetProfiles(item %s): item err %v, want ErrInvalidUserID", tc.name, err)
			}
		}
		for _, tc := range validUserIDs {
			p := mustUpdate(t, db, tc.id, engine.ProfileUpdate{Nick: new(tc.name)})
			if p.Nick != tc.name || p.Version != 1 {
				t.Fatalf("UpdateProfile(%s) = %+v", tc.name, p)
			}
			if got := mustProfile(t, db, tc.id); got.Nick != tc.name {
				t.Fatalf("profile of %s: nick %q, want %q", tc.name, got.Nick, tc.name)
			}
		}
	})
}

// The user ID limit is configurable.
func TestUpdateProfile_UserIDLimitOption(t *testing.T) {
	db := openDB(t, &engine.Options{Limits: engine.Limits{UserIDBytes: 4}})
	mustUpdate(t, db, "abcd", engine.ProfileUpdate{Nick: new("x")})
	if _, err := db.UpdateProfile(ctx, "abcde", engine.ProfileUpdate{Nick: new("x")}); !errors.Is(err, engine.ErrInvalidUserID) {
		t.Fatalf("5-byte ID with UserIDBytes 4: err = %v, want ErrInvalidUserID", err)
	}
}

// stringFields are the profile string fields: how to set one in an update
// and how to read it back.
var stringFields = []struct {
	name string
	set  func(u *engine.ProfileUpdate, v string)
	get  func(p *engine.Profile) string
}{
	{"Nick", func(u *engine.ProfileUpdate, v string) { u.Nick = &v }, func(p *engine.Profile) string { return p.Nick }},
	{"FaceURL", func(u *engine.ProfileUpdate, v string) { u.FaceURL = &v }, func(p *engine.Profile) string { return p.FaceURL }},
	{"SelfSignature", func(u *engine.ProfileUpdate, v string) { u.SelfSignature = &v }, func(p *engine.Profile) string { return p.SelfSignature }},
	{"Location", func(u *engine.ProfileUpdate, v string) { u.Location = &v }, func(p *engine.Profile) string { return p.Location }},
	{"Custom", func(u *engine.ProfileUpdate, v string) { u.Custom = map[string][]byte{"tag": []byte(v)} },
		func(p *engine.Profile) string { return string(p.Custom["tag"]) }},
}

// TestUpdateProfile_StringsMustBeUTF8: a profile string that is not
// valid UTF-8 is an invalid value (40605), for a new user and an existing
// one, and changes nothing: Export writes JSON, which cannot carry it.
func TestUpdateProfile_StringsMustBeUTF8(t *testing.T) {
	db := openDB(t, nil)
	for _, f := range stringFields[:4] { // the standard string fields
		uid := "u-" + f.name
		var u engine.ProfileUpdate
		f.set(&u, "bad\xff")
		_, err := db.UpdateProfile(ctx, uid, u)
		wantErrCode(t, f.name+" not UTF-8 on a new user", err, engine.ErrInvalidValue, 40605)
		wantAbsent(t, db, uid)
		f.set(&u, "ok")
		mustUpdate(t, db, uid, u)
		f.set(&u, "\xc3")
		_, err = db.UpdateProfile(ctx, uid, u)
		wantErrCode(t, f.name+" not UTF-8", err, engine.ErrInvalidValue, 40605)
		if got := f.get(mustProfile(t, db, uid)); got != "ok" {
			t.Fatalf("%s: rejected update stored %q", f.name, got)
		}
	}
	_, err := db.ImportRecords(ctx, slices.Values([]engine.ImportRecord{{Profile: &engine.ProfileRecord{ID: "imp", Nick: "\xff"}}}))
	wantErrCode(t, "ImportRecords(nick not UTF-8)", err, engine.ErrInvalidValue, 40605)
	wantAbsent(t, db, "imp")
}

func TestUpdateProfile_StringLimits(t *testing.T) {
	forEachCache(t, func(t *testing.T, opts engine.Options) {
		opts.CustomProfileFields = []string{"tag"}
		db := openDB(t, &opts)
		ok, long := strings.Repeat("x", 500), strings.Repeat("y", 501)
		for _, f := range stringFields {
			uid := "u-" + f.name
			// A new user: a too-long value creates nothing.
			var u engine.ProfileUpdate
			f.set(&u, long)
			_, err := db.UpdateProfile(ctx, uid, u)
			wantErrCode(t, f.name+" 501 bytes on a new user", err, engine.ErrValueTooLong, 40601)
			wantAbsent(t, db, uid)

			f.set(&u, ok)
			p := mustUpdate(t, db, uid, u)
			if f.get(p) != ok || f.get(mustProfile(t, db, uid)) != ok {
				t.Fatalf("%s: 500-byte value not stored", f.name)
			}

			// An existing user: a too-long value changes nothing.
			f.set(&u, long)
			u.Level = new(uint32(9))
			_, err = db.UpdateProfile(ctx, uid, u)
			wantErrCode(t, f.name+" 501 bytes", err, engine.ErrValueTooLong, 40601)
			if errors.Is(err, engine.ErrInvalidArgument) {
				t.Fatalf("%s: ErrValueTooLong matches ErrInvalidArgument; the profile errors have codes of their own", f.name)
			}
			got := mustProfile(t, db, uid)
			if f.get(got) != ok || got.Version != 1 || got.Level != 0 {
				t.Fatalf("%s: rejected update changed the profile: %s=%d bytes, version %d, level %d",
					f.name, f.name, len(f.get(got)), got.Version, got.Level)
			}
		}
	})
}

// Limits.StringBytes is configurable.
func TestUpdateProfile_StringLimitOption(t *testing.T) {
	db := openDB(t, &engine.Options{Limits: engine.Limits{StringBytes: 3}})
	mustUpdate(t, db, "u", engine.ProfileUpdate{Nick: new("abc")})
	if _, err := db.UpdateProfile(ctx, "u", engine.ProfileUpdate{Nick: new("abcd")}); !errors.Is(err, engine.ErrValueTooLong) {
		t.Fatalf("4 bytes with StringBytes 3: err = %v, want ErrValueTooLong", err)
	}
}

func TestUpdateProfile_EnumRange(t *testing.T) {
	forEachCache(t, func(t *testing.T, opts engine.Options) {
		db := openDB(t, &opts)
		mustUpdate(t, db, "u", engine.ProfileUpdate{Nick: new("n")})
		for _, tc := range []struct {
			name string
			u    engine.ProfileUpdate
		}{
			{"Gender 3", engine.ProfileUpdate{Gender: new(engine.Gender(3))}},
			{"Gender 255", engine.ProfileUpdate{Gender: new(engine.Gender(255))}},
			{"AllowType 3", engine.ProfileUpdate{AllowType: new(engine.AllowType(3))}},
			{"AdminForbidType 2", engine.ProfileUpdate{AdminForbidType: new(engine.AdminForbidType(2))}},
			{"valid field with bad enum", engine.ProfileUpdate{Nick: new("changed"), Gender: new(engine.Gender(3))}},
		} {
			for _, uid := range []string{"u", "new"} {
				_, err := db.UpdateProfile(ctx, uid, tc.u)
				wantErrCode(t, tc.name+" on "+uid, err, engine.ErrInvalidValue, 40605)
			}
			wantAbsent(t, db, "new")
			if p := mustProfile(t, db, "u"); p.Version != 1 || p.Nick != "n" || p.Gender != 0 || p.AllowType != engine.NeedConfirm {
				t.Fatalf("%s: rejected update changed the profile: %+v", tc.name, p)
			}
		}
		// The largest valid values are accepted.
		p := mustUpdate(t, db, "u", engine.ProfileUpdate{
			Gender: new(engine.GenderFemale), AllowType: new(engine.DenyAny), AdminForbidType: new(engine.ForbidSendOut),
		})
		if p.Gender != engine.GenderFemale || p.AllowType != engine.DenyAny || p.AdminForbidType != engine.ForbidSendOut {
			t.Fatalf("largest enum values not stored: %+v", p)
		}
		p = mustUpdate(t, db, "u", engine.ProfileUpdate{Gender: new(engine.GenderMale)})
		if p.Gender != engine.GenderMale {
			t.Fatalf("GenderMale not stored: %+v", p)
		}
	})
}

func TestUpdateProfile_UnknownField(t *testing.T) {
	forEachCache(t, func(t *testing.T, opts engine.Options) {
		opts.CustomProfileFields = []string{"tag"}
		db := openDB(t, &opts)
		for _, u := range []engine.ProfileUpdate{
			{Custom: map[string][]byte{"nope": []byte("x")}},
			{Custom: map[string][]byte{"Tag": []byte("x")}}, // names are case-sensitive
			{Custom: map[string][]byte{"nope": nil}},        // even a removal
			{Nick: new("n"), Custom: map[string][]byte{"tag": []byte("ok"), "nope": []byte("x")}},
		} {
			_, err := db.UpdateProfile(ctx, "u", u)
			wantErrCode(t, fmt.Sprintf("UpdateProfile(%v)", u.Custom), err, engine.ErrUnknownField, 40009)
			wantAbsent(t, db, "u")
		}
	})
	// With no custom field declared, every custom key is unknown.
	db := openDB(t, nil)
	_, err := db.UpdateProfile(ctx, "u", engine.ProfileUpdate{Custom: map[string][]byte{"tag": []byte("x")}})
	wantErrCode(t, "no declared fields", err, engine.ErrUnknownField, 40009)
}

// TestUpdateProfile_CustomErrorDeterministic: with two bad fields, one
// undeclared and one too long, every call gets the same error, that of the
// first key in sorted order, whatever the map's iteration order.
func TestUpdateProfile_CustomErrorDeterministic(t *testing.T) {
	db := openDB(t, &engine.Options{CustomProfileFields: []string{"tag"}})
	u := engine.ProfileUpdate{Custom: map[string][]byte{"nope": []byte("x"), "tag": make([]byte, 501)}}
	for range 50 {
		_, err := db.UpdateProfile(ctx, "u", u)
		wantErrCode(t, "UpdateProfile(nope, long tag)", err, engine.ErrUnknownField, 40009)
	}
	u.Custom = map[string][]byte{"a_long": make([]byte, 501), "zzz": []byte("x")}
	db2 := openDB(t, &engine.Options{CustomProfileFields: []string{"a_long"}})
	for range 50 {
		_, err := db2.UpdateProfile(ctx, "u", u)
		wantErrCode(t, "UpdateProfile(long a_long, zzz)", err, engine.ErrValueTooLong, 40601)
	}
	wantAbsent(t, db2, "u")
}

func TestUpdateProfile_CustomFields(t *testing.T) {
	forEachCache(t, func(t *testing.T, opts engine.Options) {
		opts.CustomProfileFields = []string{"Tag_1", "level2", "other"}
		db := openDB(t, &opts)
		val := []byte("blue")
		p := mustUpdate(t, db, "u", engine.ProfileUpdate{Custom: map[string][]byte{"Tag_1": val, "level2": []byte("7")}})
		val[0] = 'X' // the caller's slice is not retained
		for _, got := range []*engine.Profile{p, mustProfile(t, db, "u")} {
			if string(got.Custom["Tag_1"]) != "blue" || string(got.Custom["level2"]) != "7" {
				t.Fatalf("custom fields = %q, want Tag_1=blue level2=7", got.Custom)
			}
			if _, ok := got.Custom["other"]; ok || len(got.Custom) != 2 {
				t.Fatalf("custom fields = %q: a field never set must be absent", got.Custom)
			}
		}

		// Another field's update keeps the custom fields.
		mustUpdate(t, db, "u", engine.ProfileUpdate{Nick: new("n")})
		if got := mustProfile(t, db, "u"); len(got.Custom) != 2 {
			t.Fatalf("custom fields after a Nick update = %q", got.Custom)
		}

		// An empty value removes a field; nil and []byte{} both count.
		p = mustUpdate(t, db, "u", engine.ProfileUpdate{Custom: map[string][]byte{"Tag_1": {}}})
		got := mustProfile(t, db, "u")
		for _, q := range []*engine.Profile{p, got} {
			if _, ok := q.Custom["Tag_1"]; ok || string(q.Custom["level2"]) != "7" || len(q.Custom) != 1 {
				t.Fatalf("after removing Tag_1: custom = %q", q.Custom)
			}
		}
		mustUpdate(t, db, "u", engine.ProfileUpdate{Custom: map[string][]byte{"level2": nil}})
		if got := mustProfile(t, db, "u"); len(got.Custom) != 0 || got.Version != 4 {
			t.Fatalf("after removing every field: custom = %q, version %d", got.Custom, got.Version)
		}

		// Removing a field never set is a valid update.
		p = mustUpdate(t, db, "u2", engine.ProfileUpdate{Custom: map[string][]byte{"other": nil}})
		if len(p.Custom) != 0 || p.Version != 1 {
			t.Fatalf("removing an unset field on a new user: %+v", p)
		}
	})
}

func fullUpdate() engine.ProfileUpdate {
	return engine.ProfileUpdate{
		Nick:            new("Ann"),
		FaceURL:         new("https://example.com/a.png"),
		Gender:          new(engine.GenderFemale),
		SelfSignature:   new("hello"),
		AllowType:       new(engine.AllowAny),
		Birthday:        new(uint32(20000101)),
		Location:        new("Paris"),
		Language:        new(uint32(33)),
		MessageSettings: new(uint32(1)),
		AdminForbidType: new(engine.ForbidSendOut),
		Level:           new(uint32(5)),
		Role:            new(uint32(7)),
		Custom:          map[string][]byte{"tag": []byte("t")},
	}
}

// stripMeta returns a copy of p without Version and UpdatedAt.
func stripMeta(p *engine.Profile) engine.Profile {
	c := *p
	c.Version, c.UpdatedAt = 0, 0
	return c
}

func TestUpdateProfile_Partial(t *testing.T) {
	forEachCache(t, func(t *testing.T, opts engine.Options) {
		opts.CustomProfileFields = []string{"tag", "tag2"}
		db := openDB(t, &opts)
		full := mustUpdate(t, db, "u", fullUpdate())
		want := engine.Profile{
			Nick: "Ann", FaceURL: "https://example.com/a.png", Gender: engine.GenderFemale, SelfSignature: "hello",
			AllowType: engine.AllowAny, Birthday: 20000101, Location: "Paris", Language: 33, MessageSettings: 1,
			AdminForbidType: engine.ForbidSendOut, Level: 5, Role: 7, Custom: map[string][]byte{"tag": []byte("t")},
		}
		if got := stripMeta(full); !equalProfiles(got, want) {
			t.Fatalf("full update = %+v, want %+v", got, want)
		}
		for _, step := range []struct {
			name  string
			u     engine.ProfileUpdate
			apply func(p *engine.Profile)
		}{
			{"Nick", engine.ProfileUpdate{Nick: new("Bob")}, func(p *engine.Profile) { p.Nick = "Bob" }},
			{"empty Nick", engine.ProfileUpdate{Nick: new("")}, func(p *engine.Profile) { p.Nick = "" }},
			{"Gender", engine.ProfileUpdate{Gender: new(engine.GenderUnknown)}, func(p *engine.Profile) { p.Gender = 0 }},
			{"AllowType", engine.ProfileUpdate{AllowType: new(engine.NeedConfirm)}, func(p *engine.Profile) { p.AllowType = engine.NeedConfirm }},
			{"Birthday", engine.ProfileUpdate{Birthday: new(uint32(19991231))}, func(p *engine.Profile) { p.Birthday = 19991231 }},
			{"Level and Role", engine.ProfileUpdate{Level: new(uint32(0)), Role: new(uint32(1))}, func(p *engine.Profile) { p.Level, p.Role = 0, 1 }},
			{"one custom field", engine.ProfileUpdate{Custom: map[string][]byte{"tag2": []byte("z")}},
				func(p *engine.Profile) { p.Custom = map[string][]byte{"tag": []byte("t"), "tag2": []byte("z")} }},
		} {
			step.apply(&want)
			got := mustProfile(t, db, "u")
			prev := got.Version
			ret := mustUpdate(t, db, "u", step.u)
			got = mustProfile(t, db, "u")
			if !equalProfiles(stripMeta(got), want) || !equalProfiles(stripMeta(ret), want) {
				t.Fatalf("after %s: got %+v (returned %+v), want %+v", step.name, stripMeta(got), stripMeta(ret), want)
			}
			if got.Version != prev+1 || ret.Version != got.Version {
				t.Fatalf("after %s: version %d (returned %d), want %d", step.name, got.Version, ret.Version, prev+1)
			}
		}
	})
}

func equalProfiles(a, b engine.Profile) bool {
	if len(a.Custom) != len(b.Custom) {
		return false
	}
	for k, v := range a.Custom {
		w, ok := b.Custom[k]
		if !ok || !bytes.Equal(v, w) {
			return false
		}
	}
	a.Custom, b.Custom = nil, nil
	return reflect.DeepEqual(a, b)
}

// fakeClock is a settable clock for Options.Clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func TestUpdateProfile_VersionAndClock(t *testing.T) {
	forEachCache(t, func(t *testing.T, opts engine.Options) {
		clk := &fakeClock{t: time.Date(2026, 3, 4, 5, 6, 7, 8, time.UTC)}
		opts.Clock = clk.Now
		db := openDB(t, &opts)
		for i := 1; i <= 5; i++ {
			when := time.Date(2026, 3, 4, 5, 6, 7, 8, time.UTC).Add(time.Duration(i) * time.Hour)
			clk.Set(when)
			p := mustUpdate(t, db, "u", engine.ProfileUpdate{Level: new(uint32(i))})
			got := mustProfile(t, db, "u")
			for _, q := range []*engine.Profile{p, got} {
				if q.Version != uint64(i) || q.UpdatedAt != when.UnixNano() || q.Level != uint32(i) {
					t.Fatalf("update %d: version %d, UpdatedAt %d, level %d; want %d, %d, %d",
						i, q.Version, q.UpdatedAt, q.Level, i, when.UnixNano(), i)
				}
			}
		}
		// Another user's updates do not touch u's version.
		mustUpdate(t, db, "v", engine.ProfileUpdate{Nick: new("v")})
		if got := mustProfile(t, db, "u"); got.Version != 5 {
			t.Fatalf("u's version %d after v's update, want 5", got.Version)
		}
	})
}

func TestUpdateProfile_FirstWriteCreatesUser(t *testing.T) {
	forEachCache(t, func(t *testing.T, opts engine.Options) {
		db := openDB(t, &opts)
		wantAbsent(t, db, "u")
		p := mustUpdate(t, db, "u", engine.ProfileUpdate{Nick: new("n")})
		if p.AllowType != engine.NeedConfirm || p.Version != 1 {
			t.Fatalf("new user: %+v, want AllowType NeedConfirm, version 1", p)
		}
		if got := mustProfile(t, db, "u"); got.AllowType != engine.NeedConfirm {
			t.Fatalf("new user read back: AllowType %d, want NeedConfirm", got.AllowType)
		}
		// An explicit AllowType in the first update wins over the default.
		if p := mustUpdate(t, db, "w", engine.ProfileUpdate{AllowType: new(engine.AllowAny)}); p.AllowType != engine.AllowAny {
			t.Fatalf("first update with AllowAny: %+v", p)
		}

		opts.DefaultAllowType = new(engine.AllowAny)
		db2 := openDB(t, &opts)
		if p := mustUpdate(t, db2, "u", engine.ProfileUpdate{Nick: new("n")}); p.AllowType != engine.AllowAny {
			t.Fatalf("new user with DefaultAllowType AllowAny: %+v", p)
		}
		if got := mustProfile(t, db2, "u"); got.AllowType != engine.AllowAny {
			t.Fatalf("read back with DefaultAllowType AllowAny: AllowType %d", got.AllowType)
		}
	})
}

func TestUpdateProfile_EmptyUpdate(t *testing.T) {
	forEachCache(t, func(t *testing.T, opts engine.Options) {
		opts.CustomProfileFields = []string{"tag"}
		db := openDB(t, &opts)
		for _, u := range []engine.ProfileUpdate{{}, {Custom: map[string][]byte{}}} {
			_, err := db.UpdateProfile(ctx, "u", u)
			wantErrCode(t, "empty update", err, engine.ErrInvalidArgument, 30001)
			wantAbsent(t, db, "u")
		}
		mustUpdate(t, db, "v", engine.ProfileUpdate{Nick: new("v")})
		if _, err := db.UpdateProfile(ctx, "v", engine.ProfileUpdate{}); !errors.Is(err, engine.ErrInvalidArgument) {
			t.Fatalf("empty update of an existing user: %v", err)
		}
		if got := mustProfile(t, db, "v"); got.Version != 1 {
			t.Fatalf("empty update bumped the version to %d", got.Version)
		}
	})
}

func TestGetProfiles_OrderDuplicatesAndErrors(t *testing.T) {
	forEachCache(t, func(t *testing.T, opts engine.Options) {
		db := openDB(t, &opts)
		for _, u := range []string{"a", "b", "c"} {
			mustUpdate(t, db, u, engine.ProfileUpdate{Nick: new("nick-" + u)})
		}
		ids := []string{"c", "zz", "a", "", "c", "b", "a\x00", "a", "zz"}
		for round := range 2 { // the second round is served from the cache when it is on
			ps, err := db.GetProfiles(ctx, "a", ids)
			if err != nil {
				t.Fatal(err)
			}
			if len(ps.Items) != len(ids) || ps.Dropped != 0 {
				t.Fatalf("round %d: %d items, dropped %d; want %d, 0", round, len(ps.Items), ps.Dropped, len(ids))
			}
			for i, it := range ps.Items {
				if it.UserID != ids[i] {
					t.Fatalf("round %d item %d: UserID %q, want %q", round, i, it.UserID, ids[i])
				}
				var wantErr error
				switch ids[i] {
				case "zz":
					wantErr = engine.ErrNotFound
				case "", "a\x00":
					wantErr = engine.ErrInvalidUserID
				}
				if wantErr != nil {
					if !errors.Is(it.Err, wantErr) || it.Profile != nil {
						t.Fatalf("round %d item %d (%q): %+v, want %v", round, i, ids[i], it, wantErr)
					}
					continue
				}
				if it.Err != nil || it.Profile == nil || it.Profile.Nick != "nick-"+ids[i] {
					t.Fatalf("round %d item %d (%q): %+v", round, i, ids[i], it)
				}
			}
		}
		if got := engine.Code(engine.ErrNotFound); got <= 0 {
			t.Fatalf("Code(ErrNotFound) = %d, want a positive item code", got)
		}
		// Empty and nil requests are answered with no items.
		for _, ids := range [][]string{nil, {}} {
			ps, err := db.GetProfiles(ctx, "a", ids)
			if err != nil || len(ps.Items) != 0 || ps.Dropped != 0 {
				t.Fatalf("GetProfiles(%v) = %+v, %v", ids, ps, err)
			}
		}
	})
}

func TestGetProfiles_LimitAndDropped(t *testing.T) {
	forEachCache(t, func(t *testing.T, opts engine.Options) {
		db := openDB(t, &opts)
		ids := make([]string, 150)
		for i := range ids {
			ids[i] = fmt.Sprintf("u%03d", i)
			if i%2 == 0 {
				mustUpdate(t, db, ids[i], engine.ProfileUpdate{Nick: new(ids[i])})
			}
		}
		ps, err := db.GetProfiles(ctx, "u000", ids)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps.Items) != 100 || ps.Dropped != 50 {
			t.Fatalf("150 IDs: %d items, dropped %d; want 100, 50", len(ps.Items), ps.Dropped)
		}
		for i, it := range ps.Items {
			if it.UserID != ids[i] {
				t.Fatalf("item %d: %q, want %q", i, it.UserID, ids[i])
			}
			if i%2 == 0 && (it.Err != nil || it.Profile.Nick != ids[i]) {
				t.Fatalf("item %d: %+v", i, it)
			}
			if i%2 == 1 && !errors.Is(it.Err, engine.ErrNotFound) {
				t.Fatalf("item %d: %+v, want ErrNotFound", i, it)
			}
		}
		if ps, err := db.GetProfiles(ctx, "u000", ids[:100]); err != nil || len(ps.Items) != 100 || ps.Dropped != 0 {
			t.Fatalf("100 IDs: %d items, dropped %d, %v; want 100, 0", len(ps.Items), ps.Dropped, err)
		}
	})
	// The limit is configurable.
	db := openDB(t, &engine.Options{Limits: engine.Limits{ProfilesPerCall: 2}})
	ps, err := db.GetProfiles(ctx, "v", []string{"a", "b", "c", "d", "e"})
	if err != nil || len(ps.Items) != 2 || ps.Dropped != 3 || ps.Items[1].UserID != "b" {
		t.Fatalf("ProfilesPerCall 2, 5 IDs: %+v, %v", ps, err)
	}
}

func TestGetProfiles_OwnProfileAndViewer(t *testing.T) {
	forEachCache(t, func(t *testing.T, opts engine.Options) {
		db := openDB(t, &opts)
		mustUpdate(t, db, "me", engine.ProfileUpdate{Nick: new("Me"), Level: new(uint32(3))})
		p, err := getOne(t, db, "me", "me")
		if err != nil || p.Nick != "Me" || p.Level != 3 {
			t.Fatalf("own profile: %+v, %v", p, err)
		}
		// A viewer need not exist: viewing creates nothing.
		if p, err := getOne(t, db, "ghost", "me"); err != nil || p.Nick != "Me" {
			t.Fatalf("me seen by an unknown viewer: %+v, %v", p, err)
		}
		wantAbsent(t, db, "ghost")
		for _, tc := range invalidUserIDs {
			if _, err := db.GetProfiles(ctx, tc.id, []string{"me"}); !errors.Is(err, engine.ErrInvalidUserID) {
				t.Fatalf("viewer %s: err = %v, want ErrInvalidUserID", tc.name, err)
			}
		}
	})
}

// Write-through: a read right after an update sees the update, whether
// the old profile was cached or not.
func TestGetProfiles_WriteThrough(t *testing.T) {
	forEachCache(t, func(t *testing.T, opts engine.Options) {
		db := openDB(t, &opts)
		for i := 1; i <= 20; i++ {
			nick := fmt.Sprintf("n%d", i)
			ret := mustUpdate(t, db, "u", engine.ProfileUpdate{Nick: &nick})
			for range 2 { // the first read may fill the cache, the second hits it
				got := mustProfile(t, db, "u")
				if got.Version != uint64(i) || got.Nick != nick || got.Version != ret.Version {
					t.Fatalf("after update %d: version %d nick %q, want %d %q", i, got.Version, got.Nick, i, nick)
				}
			}
		}
	})
}

// A user that exists only through its edges has an empty profile with the
// default AllowType.
func TestGetProfiles_EdgeOnlyUser(t *testing.T) {
	for _, def := range []*engine.AllowType{nil, new(engine.AllowAny), new(engine.DenyAny)} {
		want := engine.NeedConfirm
		if def != nil {
			want = *def
		}
		t.Run(fmt.Sprintf("default=%d", want), func(t *testing.T) {
			forEachCache(t, func(t *testing.T, opts engine.Options) {
				opts.DefaultAllowType = def
				db := openDB(t, &opts)
				mustUpdate(t, db, "b", engine.ProfileUpdate{Nick: new("B"), AllowType: new(engine.AllowAny)})
				res, err := db.AddFriends(ctx, "a", []engine.AddFriendRequest{{UserID: "b", Type: engine.AddSingle}})
				if err != nil || res[0].Err != nil || res[0].Outcome != engine.Added {
					t.Fatalf("AddFriends(a, b) = %+v, %v", res, err)
				}
				for range 2 {
					p, err := getOne(t, db, "b", "a")
					if err != nil {
						t.Fatalf("edge-only user a: %v, want an empty profile", err)
					}
					if !equalProfiles(*p, engine.Profile{AllowType: want}) {
						t.Fatalf("edge-only user a: %+v, want empty with AllowType %d", p, want)
					}
				}
				// Its first UpdateProfile starts from that profile.
				p := mustUpdate(t, db, "a", engine.ProfileUpdate{Nick: new("A")})
				if p.Version != 1 || p.AllowType != want || p.Nick != "A" {
					t.Fatalf("first update of edge-only user: %+v", p)
				}
				if got := mustProfile(t, db, "a"); got.Version != 1 || got.Nick != "A" {
					t.Fatalf("read after first update of edge-only user: %+v", got)
				}
			})
		})
	}
}

func TestDeleteUser_Profile(t *testing.T) {
	forEachCache(t, func(t *testing.T, opts engine.Options) {
		db := openDB(t, &opts)
		mustUpdate(t, db, "u", engine.ProfileUpdate{Nick: new("n")})
		mustUpdate(t, db, "u", engine.ProfileUpdate{Level: new(uint32(2))})
		mustUpdate(t, db, "keep", engine.ProfileUpdate{Nick: new("k")})
		mustProfile(t, db, "u") // fill the cache when it is on
		if err := db.DeleteUser(ctx, "u"); err != nil {
			t.Fatalf("DeleteUser: %v", err)
		}
		for range 2 {
			wantAbsent(t, db, "u")
		}
		if got := mustProfile(t, db, "keep"); got.Nick != "k" {
			t.Fatalf("DeleteUser(u) touched keep: %+v", got)
		}
		for _, uid := range []string{"u", "never"} {
			if err := db.DeleteUser(ctx, uid); err != nil {
				t.Fatalf("DeleteUser(%q) of an absent user = %v, want nil", uid, err)
			}
		}
		// A recreated user starts afresh: nothing of the old profile is left.
		p := mustUpdate(t, db, "u", engine.ProfileUpdate{Nick: new("again")})
		if p.Version != 1 || p.Level != 0 {
			t.Fatalf("recreated user: %+v, want version 1 and no old field", p)
		}
		if got := mustProfile(t, db, "u"); got.Version != 1 || got.Nick != "again" {
			t.Fatalf("recreated user read back: %+v", got)
		}
	})
}

// corruptStore writes val under uid's profile key behind kith's back: it
// closes nothing of the caller's, opening fs with Pebble alone.
func corruptStore(t *testing.T, fs vfs.FS, uid string, val []byte) {
	t.Helper()
	corruptKey(t, fs, index.Profile(nil, uid), val)
}

// corruptKey writes val under key behind kith's back, as corruptStore.
func corruptKey(t *testing.T, fs vfs.FS, key, val []byte) {
	t.Helper()
	pdb, err := pebble.Open("db", &pebble.Options{FS: fs})
	if err != nil {
		t.Fatalf("pebble.Open: %v", err)
	}
	if err := pdb.Set(key, val, pebble.Sync); err != nil {
		t.Fatalf("pebble Set: %v", err)
	}
	if err := pdb.Close(); err != nil {
		t.Fatalf("pebble Close: %v", err)
	}
}

func TestGetProfiles_CorruptValue(t *testing.T) {
	valid, err := codec.Append(nil, &codec.Profile{Nick: "n", Version: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		val  []byte
	}{
		{"empty", []byte{}},
		{"text", []byte("garbage")},
		{"reserved msgpack byte", []byte{0xc1}},
		{"msgpack nil", []byte{0xc0}},
		{"unknown record version", []byte{0x91, 0x7f}},
		{"truncated", valid[:len(valid)-1]},
		{"trailing byte", append(append([]byte(nil), valid...), 0x00)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forEachCache(t, func(t *testing.T, opts engine.Options) {
				fs := vfs.NewMem()
				opts.FS = fs
				db := mustOpen(t, "db", &opts)
				mustUpdate(t, db, "u", engine.ProfileUpdate{Nick: new("n")})
				mustUpdate(t, db, "ok", engine.ProfileUpdate{Nick: new("ok")})
				mustProfile(t, db, "u")
				mustClose(t, db)
				corruptStore(t, fs, "u", tc.val)
				db = mustOpen(t, "db", &opts)
				defer mustClose(t, db)

				key := index.Profile(nil, "u")
				for _, ids := range [][]string{{"u"}, {"ok", "u"}, {"u", "ok", "zz"}} {
					ps, err := db.GetProfiles(ctx, "ok", ids)
					if err == nil {
						t.Fatalf("GetProfiles(%q) = %+v, nil; want ErrCorrupt (never a silent profile)", ids, ps)
					}
					wantCorrupt(t, err, key)
					if len(ps.Items) != 0 {
						t.Fatalf("GetProfiles(%q) returned items with the error: %+v", ids, ps.Items)
					}
				}
				_, err := db.UpdateProfile(ctx, "u", engine.ProfileUpdate{Nick: new("x")})
				wantCorrupt(t, err, key)

				// Check names the key; the rest of the store is readable.
				rep, err := db.Check(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], fmt.Sprintf("%q", key)) {
					t.Fatalf("Check problems = %q, want one naming %q", rep.Problems, key)
				}
				if got := mustProfile(t, db, "ok"); got.Nick != "ok" {
					t.Fatalf("profile of ok: %+v", got)
				}
				// DeleteUser removes the corrupt record without reading it.
				if err := db.DeleteUser(ctx, "u"); err != nil {
					t.Fatalf("DeleteUser of a user with a corrupt profile: %v", err)
				}
				wantAbsent(t, db, "u")
				mustCheck(t, db)
			})
		})
	}
}

func wantCorrupt(t *testing.T, err error, key []byte) {
	t.Helper()
	if !errors.Is(err, engine.ErrCorrupt) {
		t.Fatalf("err = %v, want ErrCorrupt", err)
	}
	var ce *engine.CorruptError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v (%T), want a *CorruptError", err, err)
	}
	if !bytes.Equal(ce.Key, key) {
		t.Fatalf("CorruptError.Key = %q, want %q", ce.Key, key)
	}
	if ce.Err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", key)) {
		t.Fatalf("CorruptError %v: want the cause and the key in the message", err)
	}
	if got := engine.Code(err); got != -1 {
		t.Fatalf("Code(corrupt) = %d, want -1", got)
	}
}

// Concurrent updates and reads: every successful update is counted in the
// version, and no read ever sees a version go back (a stale cache fill
// would). A cache smaller than the working set makes reads miss and fill
// all the time, racing with the writers' write-through.
func TestProfiles_ConcurrentWriteThrough(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cache engine.ProfileCacheOptions
	}{
		{"cache=small", engine.ProfileCacheOptions{Entries: 3}},
		{"cache=large", engine.ProfileCacheOptions{}},
		{"cache=off", engine.ProfileCacheOptions{Disabled: true}},
	} {
		t.Run(tc.name, func(t *testing.T) { concurrentWriteThrough(t, engine.Options{ProfileCache: tc.cache}) })
	}
}

// raise sets a to v if v is larger.
func raise(a *atomic.Uint64, v uint64) {
	for {
		old := a.Load()
		if v <= old || a.CompareAndSwap(old, v) {
			return
		}
	}
}

func concurrentWriteThrough(t *testing.T, opts engine.Options) {
	db := openDB(t, &opts)
	const users, writers, perWriter, readers = 10, 8, 40, 2
	ids := make([]string, users)
	for i := range ids {
		ids[i] = fmt.Sprintf("user%d", i)
	}
	var (
		mu       sync.Mutex
		versions = make([]map[uint64]bool, users) // versions returned by successful updates
		wg       sync.WaitGroup
		done     = make(chan struct{})
		failures = make(chan error, writers+readers)
		// seen[u] is the newest version of u that any call has returned.
		// A call started later must not answer an older one: not a
		// reader (a stale cache fill), nor after an update returned.
		seen = make([]atomic.Uint64, users)
	)
	for i := range versions {
		versions[i] = map[uint64]bool{}
	}
	for w := range writers {
		wg.Go(func() {
			for k := range perWriter {
				u := (w*7 + k) % users
				p, err := db.UpdateProfile(ctx, ids[u], engine.ProfileUpdate{Level: new(uint32(k)), Role: new(uint32(w))})
				if err != nil {
					failures <- fmt.Errorf("UpdateProfile(%s): %w", ids[u], err)
					return
				}
				raise(&seen[u], p.Version)
				mu.Lock()
				dup := versions[u][p.Version]
				versions[u][p.Version] = true
				mu.Unlock()
				if dup {
					failures <- fmt.Errorf("%s: version %d returned twice", ids[u], p.Version)
					return
				}
			}
		})
	}
	var rg sync.WaitGroup
	for range readers {
		rg.Go(func() {
			floor := make([]uint64, users)
			for {
				select {
				case <-done:
					return
				default:
				}
				for i := range floor {
					floor[i] = seen[i].Load()
				}
				ps, err := db.GetProfiles(ctx, "reader", ids)
				if err != nil {
					failures <- err
					return
				}
				for i, it := range ps.Items {
					var v uint64
					if it.Profile != nil {
						v = it.Profile.Version
					}
					if v < floor[i] {
						failures <- fmt.Errorf("%s: read version %d after a call had returned %d (%v)", ids[i], v, floor[i], it.Err)
						return
					}
					raise(&seen[i], v)
				}
			}
		})
	}
	wg.Wait()
	close(done)
	rg.Wait()
	close(failures)
	for err := range failures {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	total := 0
	for round := range 2 {
		ps, err := db.GetProfiles(ctx, "reader", ids)
		if err != nil {
			t.Fatal(err)
		}
		for i, it := range ps.Items {
			n := uint64(len(versions[i]))
			if it.Err != nil || it.Profile.Version != n {
				t.Fatalf("round %d: %s: %+v, want version %d (the number of successful updates)", round, ids[i], it, n)
			}
			for v := uint64(1); v <= n; v++ {
				if !versions[i][v] {
					t.Fatalf("%s: version %d never returned", ids[i], v)
				}
			}
			if round == 0 {
				total += int(n)
			}
		}
	}
	if total != writers*perWriter {
		t.Fatalf("%d versions in all, want %d", total, writers*perWriter)
	}
}

// Once a read has seen a deleted user gone, no later read may find its
// profile again: neither a cache entry left between DeleteUser's commit
// and its cache removal, nor a fill of a read made before the commit. The
// two-entry cache makes reads miss and fill all the time.
func TestDeleteUser_ConcurrentReadsNeverResurrect(t *testing.T) {
	db := openDB(t, &engine.Options{ProfileCache: engine.ProfileCacheOptions{Entries: 2}})
	fillers := []string{"f0", "f1", "f2", "f3"}
	for _, f := range fillers {
		mustUpdate(t, db, f, engine.ProfileUpdate{Nick: new(f)})
	}
	for round := range 100 {
		uid := fmt.Sprintf("r%d", round)
		mustUpdate(t, db, uid, engine.ProfileUpdate{Nick: new(uid)})
		var (
			gone     atomic.Bool // some call has seen uid gone
			stop     = make(chan struct{})
			rg       sync.WaitGroup
			failures = make(chan error, 3)
		)
		withUID := append([]string{uid}, fillers...)
		for r := range 3 {
			rg.Go(func() {
				if r == 1 { // churns the cache, evicting uid's entry
					for {
						select {
						case <-stop:
							return
						default:
						}
						if _, err := db.GetProfiles(ctx, "reader", fillers); err != nil {
							failures <- err
							return
						}
					}
				}
				for {
					select {
					case <-stop:
						return
					default:
					}
					wasGone := gone.Load()
					ps, err := db.GetProfiles(ctx, "reader", withUID)
					if err != nil {
						failures <- err
						return
					}
					switch it := ps.Items[0]; {
					case errors.Is(it.Err, engine.ErrNotFound):
						gone.Store(true)
					case it.Err != nil:
						failures <- fmt.Errorf("%s: %w", uid, it.Err)
						return
					case wasGone:
						failures <- fmt.Errorf("%s: profile %+v read after a call saw the user gone", uid, it.Profile)
						return
					}
				}
			})
		}
		if err := db.DeleteUser(ctx, uid); err != nil {
			t.Fatal(err)
		}
		gone.Store(true)
		close(stop)
		rg.Wait()
		close(failures)
		for err := range failures {
			t.Fatal(err)
		}
	}
}

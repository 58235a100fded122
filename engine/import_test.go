package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/kithdb/kith/engine"
)

// impClock returns a deterministic clock that advances 1 µs per reading.
func impClock() func() time.Time {
	var mu sync.Mutex
	t := time.Unix(1_700_000_000, 0)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Microsecond)
		return t
	}
}

// impExport returns the Export of db.
func impExport(t testing.TB, db *engine.DB) string {
	t.Helper()
	var b strings.Builder
	if err := db.Export(ctx, &b); err != nil {
		t.Fatalf("Export: %v", err)
	}
	return b.String()
}

// impLines joins JSON lines into an input.
func impLines(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

// impQ quotes s as a JSON string.
func impQ(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func impProfile(id string) string { return `{"profile":{"id":` + impQ(id) + `}}` }

func impFriend(owner, friend string) string {
	return `{"friend":{"owner":` + impQ(owner) + `,"friend":` + impQ(friend) + `}}`
}

// jsonUnmarshalStrict decodes one JSON value, refusing unknown fields.
func jsonUnmarshalStrict(s string, v any) error {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func impMustImport(t testing.TB, db *engine.DB, in string) engine.ImportStats {
	t.Helper()
	st, err := db.Import(ctx, strings.NewReader(in))
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	return st
}

func TestImportOneUser(t *testing.T) {
	db := openDB(t, nil)
	st := impMustImport(t, db, `{"profile":{"id":"alice","nick":"Alice","gender":"Female","allowType":"AllowAny"}}`)
	if st.Records != 1 || st.Users != 1 || st.Friends != 0 || st.Keys != 2 || st.Files != 1 {
		t.Errorf("stats %+v, want 1 record, 1 user, 2 keys (profile, counters), 1 file", st)
	}
	res, err := db.GetProfiles(ctx, "alice", []string{"alice"})
	if err != nil || res.Items[0].Err != nil {
		t.Fatalf("GetProfiles: %v %v", err, res.Items[0].Err)
	}
	p := res.Items[0].Profile
	if p.Nick != "Alice" || p.Gender != engine.GenderFemale || p.AllowType != engine.AllowAny || p.Version != 1 {
		t.Errorf("profile %+v", p)
	}
	c, err := db.Counts(ctx, "alice")
	if err != nil || c != (engine.Counters{}) {
		t.Errorf("Counts = %+v, %v; want zero", c, err)
	}
}

// impGraph is a generated input: n users, each friends both ways with the
// next three, one-way with the fourth; every fifth user puts its first
// friend in a group; every seventh blocks the user n/2 away (a stranger);
// every eleventh has an application from the user n/3 away.
func impGraph(n int) (in string, friends map[string][]string) {
	id := func(i int) string { return fmt.Sprintf("user%04d", (i+n)%n) }
	var lines []string
	friends = map[string][]string{}
	edge := func(a, b int, extra string) {
		lines = append(lines, fmt.Sprintf(`{"friend":{"owner":%q,"friend":%q%s}}`, id(a), id(b), extra))
		friends[id(a)] = append(friends[id(a)], id(b))
	}
	for i := range n {
		lines = append(lines, fmt.Sprintf(`{"profile":{"id":%q,"nick":"n%d","allowType":"NeedConfirm"}}`, id(i), i))
	}
	for i := range n {
		for d := 1; d <= 3; d++ {
			extra := ""
			if i%5 == 0 && d == 1 {
				extra = `,"groups":["best"],"remark":"bf"`
			}
			edge(i, i+d, extra)
			edge(i+d, i, "")
		}
		edge(i, i+4, "")
	}
	for i := 0; i < n; i += 7 {
		lines = append(lines, fmt.Sprintf(`{"block":{"owner":%q,"target":%q}}`, id(i), id(i+n/2)))
	}
	for i := 0; i < n; i += 11 {
		lines = append(lines, fmt.Sprintf(`{"application":{"from":%q,"to":%q,"wording":"hi"}}`, id(i+n/3), id(i)))
	}
	for _, l := range friends {
		slices.Sort(l)
	}
	return impLines(lines...), friends
}

func TestImportManyUsers(t *testing.T) {
	const n = 300
	db := openDB(t, nil)
	in, friends := impGraph(n)
	st := impMustImport(t, db, in)
	if st.Users != n || st.Friends != 7*n || st.Blocks != (n+6)/7 || st.Applications != (n+10)/11 || st.Groups != n/5 {
		t.Errorf("stats %+v", st)
	}
	for _, uid := range []string{"user0000", "user0007", "user0150", "user0299"} {
		page, err := db.ListFriends(ctx, uid, engine.ListOptions{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range page.Items {
			got = append(got, f.UserID)
		}
		if !slices.Equal(got, friends[uid]) {
			t.Errorf("friends of %s = %v, want %v", uid, got, friends[uid])
		}
		c, err := db.Counts(ctx, uid)
		if err != nil || int(c.Friends) != len(friends[uid]) || c.Seq != 0 {
			t.Errorf("Counts(%s) = %+v, %v", uid, c, err)
		}
	}
	rel, err := db.CheckFriends(ctx, "user0000", []string{"user0001", "user0004", "user0296", "user0100"}, engine.CheckBoth)
	if err != nil {
		t.Fatal(err)
	}
	want := []engine.Relation{engine.BothWay, engine.InMyList, engine.InTheirList, engine.NoRelation}
	for i, r := range rel {
		if r.Relation != want[i] {
			t.Errorf("relation with %s = %v, want %v", r.UserID, r.Relation, want[i])
		}
	}
	groups, err := db.ListGroups(ctx, "user0005", true)
	if err != nil || len(groups.Groups) != 1 || !slices.Equal(groups.Groups[0].Members, []string{"user0006"}) {
		t.Errorf("groups of user0005 = %+v, %v", groups, err)
	}
	blocked, err := db.ListBlocked(ctx, "user0007", engine.ListOptions{})
	if err != nil || len(blocked.Items) != 1 || blocked.Items[0].UserID != "user0157" {
		t.Errorf("blocked of user0007 = %+v, %v", blocked, err)
	}
	apps, err := db.ListApplications(ctx, "user0011", engine.Incoming, engine.ListOptions{})
	if err != nil || len(apps.Items) != 1 || apps.Items[0].From != "user0111" || apps.Unread != 1 {
		t.Errorf("applications of user0011 = %+v, %v", apps, err)
	}
}

// TestImportRecordsSameAsJSON imports the same input as JSON and as typed
// records: the stores export the same bytes.
func TestImportRecordsSameAsJSON(t *testing.T) {
	in, _ := impGraph(60)
	a := openDB(t, &engine.Options{Clock: impClock()})
	impMustImport(t, a, in)
	b := openDB(t, &engine.Options{Clock: impClock()})
	var recs []engine.ImportRecord
	for line := range strings.Lines(in) {
		var rec engine.ImportRecord
		if err := jsonUnmarshalStrict(line, &rec); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	if _, err := b.ImportRecords(ctx, slices.Values(recs)); err != nil {
		t.Fatal(err)
	}
	if ea, eb := impExport(t, a), impExport(t, b); ea != eb {
		t.Errorf("exports differ:\n%s\n---\n%s", ea, eb)
	}
}

// TestImportRecordsPosition: a refused typed record is named by its
// position in the sequence.
func TestImportRecordsPosition(t *testing.T) {
	db := openDB(t, nil)
	recs := []engine.ImportRecord{
		{Profile: &engine.ProfileRecord{ID: "a"}},
		{Profile: &engine.ProfileRecord{ID: "b"}},
		{Friend: &engine.FriendRecord{Owner: "a", Friend: "a"}},
	}
	_, err := db.ImportRecords(ctx, slices.Values(recs))
	var ie *engine.ImportError
	if !errors.As(err, &ie) || ie.Line != 3 || !errors.Is(err, engine.ErrSelf) {
		t.Fatalf("err = %v, want ImportError at 3 matching ErrSelf", err)
	}
	if got := impExport(t, db); got != "" {
		t.Errorf("store not empty after a refused import:\n%s", got)
	}
}

// TestImportIntoNonEmptyStore: new users may befriend and block users
// already in the store, whose own lists and counters do not change.
func TestImportIntoNonEmptyStore(t *testing.T) {
	db := openDB(t, nil)
	if _, err := db.UpdateProfile(ctx, "old", engine.ProfileUpdate{Nick: new("Old"), AllowType: new(engine.AllowAny)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateProfile(ctx, "old2", engine.ProfileUpdate{Nick: new("Old2")}); err != nil {
		t.Fatal(err)
	}
	before, err := db.Counts(ctx, "old")
	if err != nil {
		t.Fatal(err)
	}
	impMustImport(t, db, impLines(impProfile("new"), impFriend("new", "old"),
		`{"block":{"owner":"new","target":"old2"}}`))
	after, err := db.Counts(ctx, "old")
	if err != nil || after != before {
		t.Errorf("counters of old changed: %+v -> %+v (%v)", before, after, err)
	}
	rel, err := db.CheckFriends(ctx, "old", []string{"new"}, engine.CheckBoth)
	if err != nil || rel[0].Relation != engine.InTheirList {
		t.Errorf("old sees new as %v (%v), want InTheirList", rel[0].Relation, err)
	}
	if err := db.CanSend(ctx, "old2", "new"); !errors.Is(err, engine.ErrSendBlocked) {
		t.Errorf("CanSend(old2, new) = %v, want ErrSendBlocked", err)
	}
	// The API works on imported users: their logs start at seq 1.
	res, err := db.AddFriends(ctx, "old", []engine.AddFriendRequest{{UserID: "new", Type: engine.AddSingle}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("AddFriends: %v %v", err, res[0].Err)
	}
	if err := db.DeleteUser(ctx, "new"); err != nil {
		t.Fatal(err)
	}
	if c, _ := db.Counts(ctx, "old"); c.Friends != 0 {
		t.Errorf("old still counts %d friends after DeleteUser(new)", c.Friends)
	}
}

// TestImportRefusesExistingUser: Import only creates users.
func TestImportRefusesExistingUser(t *testing.T) {
	db := openDB(t, nil)
	if _, err := db.UpdateProfile(ctx, "old", engine.ProfileUpdate{Nick: new("Old")}); err != nil {
		t.Fatal(err)
	}
	before := impExport(t, db)
	_, err := db.Import(ctx, strings.NewReader(impLines(impProfile("new"), impProfile("old"))))
	var ie *engine.ImportError
	if !errors.As(err, &ie) || ie.Line != 2 || !errors.Is(err, engine.ErrUserExists) {
		t.Fatalf("err = %v, want ErrUserExists on line 2", err)
	}
	if after := impExport(t, db); after != before {
		t.Errorf("store changed:\n%s\n---\n%s", before, after)
	}
}

func TestImportKeepFriendsOnBlock(t *testing.T) {
	in := impLines(impProfile("a"), impProfile("b"), impFriend("a", "b"), `{"block":{"owner":"b","target":"a"}}`)
	db := openDB(t, &engine.Options{KeepFriendsOnBlock: true})
	impMustImport(t, db, in)
	rel, err := db.CheckBlocked(ctx, "a", []string{"b"}, engine.CheckBoth)
	if err != nil || rel[0].Relation != engine.InTheirList {
		t.Errorf("block relation %v, %v", rel, err)
	}
}

func TestImportEmptyInput(t *testing.T) {
	db := openDB(t, nil)
	for _, in := range []string{"", "\n\n  \n"} {
		st, err := db.Import(ctx, strings.NewReader(in))
		if err != nil || st != (engine.ImportStats{Records: 0}) {
			t.Errorf("Import(%q) = %+v, %v", in, st, err)
		}
	}
}

func TestImportCanceled(t *testing.T) {
	db := openDB(t, nil)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := db.Import(cctx, strings.NewReader(impProfile("a"))); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if got := impExport(t, db); got != "" {
		t.Errorf("store not empty: %s", got)
	}
}

func TestImportClosed(t *testing.T) {
	db := openDB(t, nil)
	if _, err := db.Import(ctx, strings.NewReader(impProfile("a"))); err != nil {
		t.Fatal(err)
	}
	db2 := mustOpenImp(t)
	if err := db2.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := db2.Import(ctx, strings.NewReader(impProfile("a"))); !errors.Is(err, engine.ErrClosed) {
		t.Errorf("Import after Close = %v", err)
	}
	if err := db2.Export(ctx, &strings.Builder{}); !errors.Is(err, engine.ErrClosed) {
		t.Errorf("Export after Close = %v", err)
	}
	if err := db2.Checkpoint(ctx, "cp"); !errors.Is(err, engine.ErrClosed) {
		t.Errorf("Checkpoint after Close = %v", err)
	}
}

func mustOpenImp(t *testing.T) *engine.DB {
	t.Helper()
	db, err := engine.Open("db", memOptions())
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// impCase is one refused input: the line Import must name and the error
// it must match.
type impCase struct {
	name  string
	opts  engine.Options
	lines []string
	line  int
	want  error
}

func impBadCases() []impCase {
	p := impProfile
	f := impFriend
	long := strings.Repeat("x", 97)
	return []impCase{
		{name: "malformed json", lines: []string{p("a"), `{"profile":{"id":"b"`}, line: 2, want: engine.ErrMalformedRecord},
		{name: "unknown field", lines: []string{`{"profile":{"id":"a","nickname":"x"}}`}, line: 1, want: engine.ErrMalformedRecord},
		{name: "unknown record", lines: []string{p("a"), `{"friendship":{"owner":"a"}}`}, line: 2, want: engine.ErrMalformedRecord},
		{name: "two records", lines: []string{`{"profile":{"id":"a"},"group":{"owner":"a","name":"g"}}`}, line: 1, want: engine.ErrMalformedRecord},
		{name: "no record", lines: []string{p("a"), `{}`}, line: 2, want: engine.ErrMalformedRecord},
		{name: "null", lines: []string{`null`}, line: 1, want: engine.ErrMalformedRecord},
		{name: "not an object", lines: []string{`[1,2]`}, line: 1, want: engine.ErrMalformedRecord},
		{name: "data after record", lines: []string{p("a") + " " + p("b")}, line: 1, want: engine.ErrMalformedRecord},
		{name: "wrong type", lines: []string{`{"profile":{"id":5}}`}, line: 1, want: engine.ErrMalformedRecord},
		{name: "bad base64", opts: engine.Options{CustomProfileFields: []string{"k"}},
			lines: []string{`{"profile":{"id":"a","custom":{"k":{"base64":"!!"}}}}`}, line: 1, want: engine.ErrMalformedRecord},
		{name: "line too long", lines: []string{p("a"), `{"profile":{"id":"b","nick":"` + strings.Repeat("n", 1<<20) + `"}}`}, line: 2, want: engine.ErrMalformedRecord},
		{name: "empty id", lines: []string{p("")}, line: 1, want: engine.ErrInvalidUserID},
		{name: "long id", lines: []string{p(strings.Repeat("i", 33))}, line: 1, want: engine.ErrInvalidUserID},
		{name: "control char id", lines: []string{p("a"), p("b\u0001")}, line: 2, want: engine.ErrInvalidUserID},
		{name: "self edge", lines: []string{p("a"), f("a", "a")}, line: 2, want: engine.ErrSelf},
		{name: "self block", lines: []string{p("a"), `{"block":{"owner":"a","target":"a"}}`}, line: 2, want: engine.ErrSelf},
		{name: "remark too long", lines: []string{p("a"), p("b"), `{"friend":{"owner":"a","friend":"b","remark":"` + long + `"}}`}, line: 3, want: engine.ErrTooLong},
		{name: "undeclared friend field", lines: []string{p("a"), p("b"), `{"friend":{"owner":"a","friend":"b","custom":{"x":"1"}}}`}, line: 3, want: engine.ErrInvalidArgument},
		{name: "undeclared profile field", lines: []string{`{"profile":{"id":"a","custom":{"x":"1"}}}`}, line: 1, want: engine.ErrUnknownField},
		{name: "undeclared profile field, empty", lines: []string{`{"profile":{"id":"a","custom":{"x":""}}}`}, line: 1, want: engine.ErrUnknownField},
		{name: "undeclared friend field, empty", lines: []string{p("a"), p("b"), `{"friend":{"owner":"a","friend":"b","custom":{"x":""}}}`}, line: 3, want: engine.ErrInvalidArgument},
		{name: "nick too long", lines: []string{`{"profile":{"id":"a","nick":"` + strings.Repeat("n", 501) + `"}}`}, line: 1, want: engine.ErrValueTooLong},
		{name: "bad gender", lines: []string{`{"profile":{"id":"a","gender":"X"}}`}, line: 1, want: engine.ErrInvalidValue},
		{name: "bad allow type", lines: []string{`{"profile":{"id":"a","allowType":"Maybe"}}`}, line: 1, want: engine.ErrInvalidValue},
		{name: "bad group name", lines: []string{p("a"), p("b"), `{"friend":{"owner":"a","friend":"b","groups":[""]}}`}, line: 3, want: engine.ErrInvalidArgument},
		{name: "group twice in edge", lines: []string{p("a"), p("b"), `{"friend":{"owner":"a","friend":"b","groups":["g","g"]}}`}, line: 3, want: engine.ErrInvalidArgument},
		{name: "application wording too long", lines: []string{p("a"), p("b"), `{"application":{"from":"a","to":"b","wording":"` + strings.Repeat("w", 257) + `"}}`}, line: 3, want: engine.ErrTooLong},
		{name: "duplicate profile", lines: []string{p("a"), p("b"), p("a")}, line: 3, want: engine.ErrDuplicateRecord},
		{name: "duplicate friend", lines: []string{p("a"), p("b"), f("a", "b"), f("b", "a"), f("a", "b")}, line: 5, want: engine.ErrDuplicateRecord},
		{name: "duplicate block", lines: []string{p("a"), p("b"), `{"block":{"owner":"a","target":"b"}}`, `{"block":{"owner":"a","target":"b"}}`}, line: 4, want: engine.ErrDuplicateRecord},
		{name: "duplicate group", lines: []string{p("a"), `{"group":{"owner":"a","name":"g"}}`, `{"group":{"owner":"a","name":"g"}}`}, line: 3, want: engine.ErrDuplicateRecord},
		{name: "duplicate application", lines: []string{p("a"), p("b"), `{"application":{"from":"a","to":"b"}}`, `{"application":{"from":"a","to":"b"}}`}, line: 4, want: engine.ErrDuplicateRecord},
		{name: "dangling friend", lines: []string{p("a"), f("a", "ghost")}, line: 2, want: engine.ErrNotFound},
		{name: "dangling block target", lines: []string{p("a"), `{"block":{"owner":"a","target":"ghost"}}`}, line: 2, want: engine.ErrNotFound},
		{name: "owner without profile", lines: []string{p("b"), f("a", "b")}, line: 2, want: engine.ErrNotFound},
		{name: "group owner without profile", lines: []string{`{"group":{"owner":"a","name":"g"}}`}, line: 1, want: engine.ErrNotFound},
		{name: "application to a stored user", lines: []string{p("a"), `{"application":{"from":"a","to":"old1"}}`}, line: 2, want: engine.ErrNotFound},
		{name: "friend limit", opts: engine.Options{Limits: engine.Limits{Friends: 2}},
			lines: []string{p("a"), p("b"), p("c"), p("d"), f("a", "b"), f("a", "c"), f("b", "a"), f("a", "d")}, line: 8, want: engine.ErrFriendLimit},
		{name: "block limit", opts: engine.Options{Limits: engine.Limits{Blocked: 1}},
			lines: []string{p("a"), `{"block":{"owner":"a","target":"old1"}}`, `{"block":{"owner":"a","target":"old2"}}`}, line: 3, want: engine.ErrBlockLimit},
		{name: "group limit", opts: engine.Options{Limits: engine.Limits{Groups: 1}},
			lines: []string{p("a"), p("b"), p("c"), `{"friend":{"owner":"a","friend":"b","groups":["g1"]}}`, `{"group":{"owner":"a","name":"g1"}}`, `{"friend":{"owner":"a","friend":"c","groups":["g2"]}}`}, line: 6, want: engine.ErrGroupLimit},
		{name: "groups of one edge over limit", opts: engine.Options{Limits: engine.Limits{Groups: 1}},
			lines: []string{p("a"), p("b"), `{"friend":{"owner":"a","friend":"b","groups":["g1","g2"]}}`}, line: 3, want: engine.ErrGroupLimit},
		{name: "pending limit", opts: engine.Options{Limits: engine.Limits{PendingIn: 1}},
			lines: []string{p("a"), p("b"), p("c"), `{"application":{"from":"b","to":"a"}}`, `{"application":{"from":"c","to":"a"}}`}, line: 5, want: engine.ErrPendingLimit},
		{name: "friend after block", lines: []string{p("a"), p("b"), `{"block":{"owner":"a","target":"b"}}`, f("b", "a")}, line: 4, want: engine.ErrImportConflict},
		{name: "block after friend", lines: []string{p("a"), p("b"), f("a", "b"), `{"block":{"owner":"a","target":"b"}}`}, line: 4, want: engine.ErrImportConflict},
		{name: "application across block", opts: engine.Options{KeepFriendsOnBlock: true},
			lines: []string{p("a"), p("b"), `{"application":{"from":"a","to":"b"}}`, `{"block":{"owner":"b","target":"a"}}`}, line: 4, want: engine.ErrImportConflict},
		{name: "applications both ways", lines: []string{p("a"), p("b"), `{"application":{"from":"a","to":"b"}}`, `{"application":{"from":"b","to":"a"}}`}, line: 4, want: engine.ErrImportConflict},
		{name: "existing user", lines: []string{p("a"), p("old2")}, line: 2, want: engine.ErrUserExists},
		{name: "existing user without profile", lines: []string{p("edgeonly")}, line: 1, want: engine.ErrUserExists},
		{name: "smallest line wins", lines: []string{p("a"), p("b"), f("ghost", "a"), f("a", "b"), f("a", "b")}, line: 3, want: engine.ErrNotFound},
	}
}

// TestImportRefusesBadInput: every refused input names its line, matches
// its sentinel, and leaves the store exactly as it was.
func TestImportRefusesBadInput(t *testing.T) {
	for _, c := range impBadCases() {
		t.Run(c.name, func(t *testing.T) {
			opts := c.opts
			opts.CustomProfileFields = append(opts.CustomProfileFields, "tag")
			db := openDB(t, &opts)
			impBaseStore(t, db)
			before := impExport(t, db)
			st, err := db.Import(ctx, strings.NewReader(impLines(c.lines...)))
			var ie *engine.ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want an *ImportError", err)
			}
			if ie.Line != c.line || !errors.Is(err, c.want) {
				t.Errorf("err = %v; want line %d matching %v", err, c.line, c.want)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("line %d:", c.line)) {
				t.Errorf("message %q does not name line %d", err, c.line)
			}
			if st != (engine.ImportStats{}) {
				t.Errorf("stats %+v after a refused import", st)
			}
			if after := impExport(t, db); after != before {
				t.Errorf("store changed:\n%s---\n%s", before, after)
			}
		})
	}
}

// impBaseStore gives a store the users of the bad-input cases: old1 and
// old2 (friends both ways), edgeonly (a user created by its first edge).
func impBaseStore(t *testing.T, db *engine.DB) {
	t.Helper()
	for _, id := range []string{"old1", "old2"} {
		if _, err := db.UpdateProfile(ctx, id, engine.ProfileUpdate{AllowType: new(engine.AllowAny)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, add := range []struct{ from, to string }{{"old1", "old2"}, {"edgeonly", "old1"}} {
		res, err := db.AddFriends(ctx, add.from, []engine.AddFriendRequest{{UserID: add.to, Type: engine.AddBoth}})
		if err != nil || res[0].Err != nil {
			t.Fatalf("AddFriends: %v %v", err, res[0].Err)
		}
	}
}

// TestImportLimitsExact: an input exactly at every limit is accepted.
func TestImportLimitsExact(t *testing.T) {
	db := openDB(t, &engine.Options{Limits: engine.Limits{Friends: 2, Blocked: 1, Groups: 2, PendingIn: 1}})
	in := impLines(impProfile("a"), impProfile("b"), impProfile("c"), impProfile("d"),
		`{"friend":{"owner":"a","friend":"b","groups":["g1","g2"]}}`, impFriend("a", "c"),
		`{"block":{"owner":"a","target":"d"}}`, `{"application":{"from":"b","to":"c"}}`)
	st := impMustImport(t, db, in)
	if st.Friends != 2 || st.Groups != 2 || st.Blocks != 1 || st.Applications != 1 {
		t.Errorf("stats %+v", st)
	}
	c, err := db.Counts(ctx, "a")
	if err != nil || c.Friends != 2 || c.Blocked != 1 || c.Groups != 2 {
		t.Errorf("Counts(a) = %+v, %v", c, err)
	}
	c, err = db.Counts(ctx, "c")
	if err != nil || c.PendingIn != 1 || c.Unread != 1 {
		t.Errorf("Counts(c) = %+v, %v", c, err)
	}
}

// TestImportLineNumbers: lines are counted across the reader's batches,
// blank lines and CRLF endings included, with or without a last newline.
func TestImportLineNumbers(t *testing.T) {
	var lines []string
	for i := range 1500 {
		lines = append(lines, impProfile(fmt.Sprintf("u%d", i)))
		if i%100 == 0 {
			lines = append(lines, "", "  ")
		}
	}
	bad := len(lines) + 1
	lines = append(lines, impFriend("u1", "u1"), impProfile("after"))
	for _, in := range []string{strings.Join(lines, "\n"), strings.Join(lines, "\r\n") + "\r\n"} {
		db := openDB(t, nil)
		_, err := db.Import(ctx, strings.NewReader(in))
		var ie *engine.ImportError
		if !errors.As(err, &ie) || ie.Line != bad || !errors.Is(err, engine.ErrSelf) {
			t.Errorf("err = %v, want ErrSelf on line %d", err, bad)
		}
		good := strings.Join(lines[:bad-1], "\n") // no trailing newline
		st, err := db.Import(ctx, strings.NewReader(good))
		if err != nil || st.Users != 1500 || st.Records != 1500 {
			t.Errorf("Import of the good lines: %+v, %v", st, err)
		}
	}
}

// TestImportReadError: a failing reader fails the import (not as an
// *ImportError: no line is at fault) and writes nothing.
func TestImportReadError(t *testing.T) {
	db := openDB(t, nil)
	errDisk := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader(impLines(impProfile("a"), impProfile("b"))), iotest.ErrReader(errDisk))
	_, err := db.Import(ctx, r)
	var ie *engine.ImportError
	if !errors.Is(err, errDisk) || errors.As(err, &ie) {
		t.Errorf("err = %v, want the read error", err)
	}
	if got := impExport(t, db); got != "" {
		t.Errorf("store not empty: %s", got)
	}
}

// TestImportExport_NilArguments: a nil reader, sequence or writer is an
// invalid argument, and the store stays as it was.
func TestImportExport_NilArguments(t *testing.T) {
	db := openDB(t, nil)
	mustUpdate(t, db, "u", engine.ProfileUpdate{Nick: new("n")})
	_, err := db.Import(ctx, nil)
	wantErrIs(t, "Import(nil)", err, engine.ErrInvalidArgument, 30001)
	_, err = db.ImportRecords(ctx, nil)
	wantErrIs(t, "ImportRecords(nil)", err, engine.ErrInvalidArgument, 30001)
	wantErrIs(t, "Export(nil)", db.Export(ctx, nil), engine.ErrInvalidArgument, 30001)
	var out bytes.Buffer
	if err := db.Export(ctx, &out); err != nil {
		t.Fatal(err)
	}
	if want := `{"profile":{"id":"u","nick":"n"`; !strings.HasPrefix(out.String(), want) {
		t.Fatalf("store after the refused calls exports %q, want a line starting %s", out.String(), want)
	}
}

package engine_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kithdb/kith/engine"
)

// exportOptions declares the custom fields the round-trip store uses.
func exportOptions() *engine.Options {
	return &engine.Options{
		Clock:               impClock(),
		CustomProfileFields: []string{"hobby", "blob"},
		CustomFriendFields:  []string{"note"},
	}
}

// exportUsers are the users of buildExportStore, for comparisons.
var exportUsers = []string{"alice", "bob", "carol", "dave", "erin", "frank", "gina"}

// buildExportStore fills db through the API with every kind of record:
// two-way and one-way friends, remarks, groups (one empty), custom
// profile and friend fields (one not UTF-8), blocks, read and unread
// applications, and a user that exists only through its edges (frank).
func buildExportStore(t *testing.T, db *engine.DB) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	profile := func(uid string, u engine.ProfileUpdate) {
		_, err := db.UpdateProfile(ctx, uid, u)
		must(err)
	}
	profile("alice", engine.ProfileUpdate{Nick: new("Alice <a&b>"), AllowType: new(engine.AllowAny), Gender: new(engine.GenderFemale),
		Custom: map[string][]byte{"hobby": []byte("chess"), "blob": {0xff, 0x00, 0x80}}, Birthday: new(uint32(19900101))})
	profile("alice", engine.ProfileUpdate{Location: new("Shenzhen")}) // version 2
	profile("bob", engine.ProfileUpdate{Nick: new("Bob"), AllowType: new(engine.AllowAny), AdminForbidType: new(engine.ForbidSendOut)})
	profile("carol", engine.ProfileUpdate{Nick: new("Carol")}) // NeedConfirm
	profile("dave", engine.ProfileUpdate{SelfSignature: new("hi\nthere"), AllowType: new(engine.AllowAny)})
	profile("erin", engine.ProfileUpdate{AllowType: new(engine.DenyAny), Level: new(uint32(7))})
	profile("gina", engine.ProfileUpdate{Nick: new("Gina")})
	add := func(from, to string, typ engine.AddType, remark, group string, custom map[string][]byte) {
		t.Helper()
		res, err := db.AddFriends(ctx, from, []engine.AddFriendRequest{{UserID: to, Type: typ, Remark: remark, Group: group,
			Source: "AddSource_Type_Web", Wording: "hello", Custom: custom}})
		must(err)
		must(res[0].Err)
	}
	add("alice", "bob", engine.AddBoth, "Bobby", "work", map[string][]byte{"note": []byte("met 2020")})
	add("alice", "dave", engine.AddSingle, "", "", nil)
	add("dave", "carol", engine.AddBoth, "C", "", nil) // pending: carol needs to confirm
	must(db.MarkApplicationsRead(ctx, "carol"))
	add("gina", "carol", engine.AddBoth, "", "friends", nil) // pending, unread
	add("frank", "alice", engine.AddBoth, "", "", nil)       // frank exists through its edges only
	_, err := db.CreateGroup(ctx, "alice", "empty", nil)
	must(err)
	_, err = db.CreateGroup(ctx, "alice", "close", []string{"bob", "frank"})
	must(err)
	_, err = db.Block(ctx, "erin", []string{"alice"})
	must(err)
	_, err = db.Block(ctx, "bob", []string{"gina"})
	must(err)
}

// TestExportImportRoundTrip: a store built through the API, exported,
// imported into an empty store and exported again gives the same bytes,
// and both stores answer the same.
func TestExportImportRoundTrip(t *testing.T) {
	src := openDB(t, exportOptions())
	buildExportStore(t, src)
	first := impExport(t, src)

	dst := openDB(t, exportOptions())
	st := impMustImport(t, dst, first)
	if st.Users != len(exportUsers) || st.Friends != 5 || st.Blocks != 2 || st.Applications != 2 || st.Groups != 3 {
		t.Errorf("stats %+v", st)
	}
	if second := impExport(t, dst); second != first {
		t.Fatalf("export after import differs:\n%s---\n%s", first, second)
	}
	mustCheck(t, src)
	mustCheck(t, dst)
	for _, uid := range exportUsers {
		if a, b := exportView(t, src, uid), exportView(t, dst, uid); a != b {
			t.Errorf("%s differs:\n%s\n---\n%s", uid, a, b)
		}
	}
	if !strings.Contains(first, `{"profile":{"id":"frank"}}`) {
		t.Errorf("frank is not exported as a bare user:\n%s", first)
	}
	if !strings.Contains(first, `"blob":{"base64":"/wCA"}`) || !strings.Contains(first, `"Alice <a&b>"`) {
		t.Errorf("custom bytes or HTML characters not exported as expected:\n%s", first)
	}
}

// exportView renders what the API answers about uid: profile, counters
// (without the event seq), friends, groups, blocks and applications.
func exportView(t *testing.T, db *engine.DB, uid string) string {
	t.Helper()
	var b strings.Builder
	p, err := db.GetProfiles(ctx, uid, []string{uid})
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.Counts(ctx, uid)
	if err != nil {
		t.Fatal(err)
	}
	c.Seq = 0
	fr, err := db.ListFriends(ctx, uid, engine.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	gr, err := db.ListGroups(ctx, uid, true)
	if err != nil {
		t.Fatal(err)
	}
	bl, err := db.ListBlocked(ctx, uid, engine.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ap, err := db.ListApplications(ctx, uid, engine.BothDirections, engine.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "profile %+v %v\ncounts %+v\n", p.Items[0].Profile, p.Items[0].Err, c)
	for _, f := range fr.Items {
		fmt.Fprintf(&b, "friend %s %+v\n", f.UserID, *f.Edge)
	}
	for _, g := range gr.Groups {
		fmt.Fprintf(&b, "group %+v\n", g)
	}
	for _, x := range bl.Items {
		fmt.Fprintf(&b, "blocked %+v\n", x)
	}
	for _, a := range ap.Items {
		fmt.Fprintf(&b, "application %s->%s %+v\n", a.From, a.To, *a.Application)
	}
	fmt.Fprintf(&b, "unread %d\n", ap.Unread)
	return b.String()
}

// TestExportFormat pins the exported lines of a small store: the format
// is an interface.
func TestExportFormat(t *testing.T) {
	db := openDB(t, &engine.Options{Clock: impClock(), CustomFriendFields: []string{"note"}})
	in := impLines(
		`{"profile":{"id":"b","nick":"Bee","gender":"Male","allowType":"NeedConfirm","version":3,"updateTime":5}}`,
		`{"profile":{"id":"a","allowType":"AllowAny","level":2,"updateTime":4}}`,
		`{"profile":{"id":"c"}}`,
		`{"friend":{"owner":"a","friend":"b","remark":"B","groups":["z","y"],"addSource":"s","addWording":"w","addTime":7,"custom":{"note":"n"}}}`,
		`{"group":{"owner":"a","name":"x","createTime":1}}`,
		`{"block":{"owner":"c","target":"a","addTime":8}}`,
		`{"application":{"from":"c","to":"b","wording":"hey","read":true,"addTime":9}}`,
	)
	impMustImport(t, db, in)
	got := impExport(t, db)
	want := impLines(
		`{"profile":{"id":"a","allowType":"AllowAny","level":2,"version":1,"updateTime":4}}`,
		`{"profile":{"id":"b","nick":"Bee","gender":"Male","allowType":"NeedConfirm","version":3,"updateTime":5}}`,
		`{"profile":{"id":"c"}}`,
		`{"group":{"owner":"a","name":"x","createTime":1}}`,
		`{"group":{"owner":"a","name":"y","createTime":1700000000000001000}}`,
		`{"group":{"owner":"a","name":"z","createTime":1700000000000001000}}`,
		`{"friend":{"owner":"a","friend":"b","remark":"B","groups":["y","z"],"addSource":"s","addWording":"w","addTime":7,"custom":{"note":"n"}}}`,
		`{"block":{"owner":"c","target":"a","addTime":8}}`,
		`{"application":{"from":"c","to":"b","wording":"hey","addTime":9,"read":true}}`,
	)
	if got != want {
		t.Errorf("export:\n%s\nwant:\n%s", got, want)
	}
}

// TestExportConsistentUnderWrites: Export reads one view, so every
// friendship being made while it runs is wholly in or out of the dump.
func TestExportConsistentUnderWrites(t *testing.T) {
	db := openDB(t, &engine.Options{NoSync: true})
	in, _ := impGraph(200)
	impMustImport(t, db, in)
	done := make(chan error)
	go func() {
		for i := range 200 {
			from, to := fmt.Sprintf("w%d", i), fmt.Sprintf("user%04d", i)
			if _, err := db.UpdateProfile(ctx, from, engine.ProfileUpdate{Nick: new("w")}); err != nil {
				done <- err
				return
			}
			if _, err := db.AddFriends(ctx, from, []engine.AddFriendRequest{{UserID: to, Type: engine.AddSingle}}); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for range 5 {
		dump := impExport(t, db)
		fresh := openDB(t, nil)
		if _, err := fresh.Import(ctx, strings.NewReader(dump)); err != nil {
			t.Fatalf("a dump taken under writes does not import: %v", err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestExportCanceled(t *testing.T) {
	db := openDB(t, nil)
	in, _ := impGraph(300)
	impMustImport(t, db, in)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := db.Export(cctx, &strings.Builder{}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	if err := db.Export(ctx, failWriter{}); !errors.Is(err, errWrite) {
		t.Errorf("write error not returned: %v", err)
	}
}

var errWrite = errors.New("disk full")

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }

// TestExportOrder: the records come in the documented order.
func TestExportOrder(t *testing.T) {
	db := openDB(t, exportOptions())
	buildExportStore(t, db)
	var kinds []string
	for line := range strings.Lines(impExport(t, db)) {
		kind, _, _ := strings.Cut(strings.TrimPrefix(line, `{"`), `"`)
		if len(kinds) == 0 || kinds[len(kinds)-1] != kind {
			kinds = append(kinds, kind)
		}
	}
	if want := []string{"profile", "group", "friend", "block", "application"}; !slices.Equal(kinds, want) {
		t.Errorf("record kinds in order %v, want %v", kinds, want)
	}
}

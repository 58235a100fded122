package fuzz

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The seed corpus of FuzzOps, written as calls on user indices 0..7 (IDs
// in fuzzUsers) and group indices 0..3 (groupNames; 4 "", 5 too long, 6
// control character). Most seeds start from cfgPreset: 0 AllowAny,
// 1 NeedConfirm, 2 DenyAny, 3 AllowAny, 4 NeedConfirm, 5 AllowAny; 6 and
// 7 do not exist. Limits are testLimits: 3 friends, 2 blocked, 2 pending,
// 2 groups, 4 IDs per call.
// TestSeedCorpusCoverage checks that the seeds, with the files under
// testdata/fuzz/FuzzOps, reach every op and every result code.

type seed struct {
	name string
	cfg  config
	ops  []op
}

func (s seed) input() []byte { return encodeInput(s.cfg, s.ops...) }

// Items of AddFriends (and plain user items of other calls).
func S(u uint8) item             { return item{U: u} }                // AddSingle
func B(u uint8) item             { return item{U: u, F: 1} }          // AddBoth
func (it item) g(n uint8) item   { it.F |= (n + 1) << 1; return it }  // group groupName(n)
func (it item) r() item          { it.F |= 16; return it }            // remark
func (it item) w() item          { it.F = it.F&31 | 1<<5; return it } // wording, source, custom Fx
func (it item) bad(k uint8) item { it.F = it.F&31 | k<<5; return it } // 5 long remark, 6 bad type, 7 unknown field

const bad = invalidUser

func users(us ...uint8) []item {
	its := make([]item, len(us))
	for i, u := range us {
		its[i] = S(u)
	}
	return its
}

// Profile updates: p0 mask, p1 allow, p2 forbid, p3 values.
func prof(u, allow uint8) op { return op{Kind: opUpdateProfile, Actor: u, P: [4]uint8{1, allow}} }
func forbid(u, v uint8) op   { return op{Kind: opUpdateProfile, Actor: u, P: [4]uint8{2, 0, v}} }
func nick(u, choice uint8) op {
	return op{Kind: opUpdateProfile, Actor: u, P: [4]uint8{4, 0, 0, choice}}
}
func custom(u, choice uint8) op {
	return op{Kind: opUpdateProfile, Actor: u, P: [4]uint8{8, 7, 0, choice << 2}}
}
func gender(u, g uint8) op        { return op{Kind: opUpdateProfile, Actor: u, P: [4]uint8{16, 0, 0, g << 4}} }
func birthday(u, d uint8) op      { return op{Kind: opUpdateProfile, Actor: u, P: [4]uint8{32, 0, d}} }
func emptyUpdate(u uint8) op      { return op{Kind: opUpdateProfile, Actor: u} }
func add(u uint8, its ...item) op { return op{Kind: opAddFriends, Actor: u, Items: its} }

// Accept modes 0 agree, 1 agree-and-add, 2 invalid; remark 0 "", 1 "ra", 2 "rb", 3 too long.
func accept(u, from, mode, remark uint8) op {
	return op{Kind: opAccept, Actor: u, Items: users(from), P: [4]uint8{mode, remark}}
}
func refuse(u, from uint8) op { return op{Kind: opRefuse, Actor: u, Items: users(from)} }

// Directions 0 incoming, 1 outgoing, 2 both, 3 invalid.
func delApps(u, dir uint8, peers ...uint8) op {
	return op{Kind: opDeleteApps, Actor: u, Items: users(peers...), P: [4]uint8{dir}}
}

// Types 0 single, 1 both, 2 invalid.
func delFriends(u, typ uint8, peers ...uint8) op {
	return op{Kind: opDeleteFriends, Actor: u, Items: users(peers...), P: [4]uint8{typ}}
}

// UpdateFriend: mask bit0 remark (p1 choice), bit1 groups (p2: bit i =
// groupName(i), bit7 a repeat), bit2 custom (p3: 0 set, 1 remove, 2 unknown).
func updFriend(u, f, mask, remark, groups, cust uint8) op {
	return op{Kind: opUpdateFriend, Actor: u, Items: users(f), P: [4]uint8{mask, remark, groups, cust}}
}

// Groups: 0..3 groupNames, 4 "", 5 too long, 6 control character.
func createGroup(u, g uint8, members ...uint8) op {
	return op{Kind: opCreateGroup, Actor: u, Items: users(members...), P: [4]uint8{g}}
}
func addToGroup(u, g uint8, members ...uint8) op {
	return op{Kind: opAddToGroup, Actor: u, Items: users(members...), P: [4]uint8{g}}
}
func removeFromGroup(u, g uint8, members ...uint8) op {
	return op{Kind: opRemoveFromGroup, Actor: u, Items: users(members...), P: [4]uint8{g}}
}
func deleteGroups(u uint8, gs ...uint8) op {
	return op{Kind: opDeleteGroups, Actor: u, Items: users(gs...)}
}
func rename(u, old, new uint8) op {
	return op{Kind: opRenameGroup, Actor: u, P: [4]uint8{old, new}}
}
func block(u uint8, ids ...uint8) op   { return op{Kind: opBlock, Actor: u, Items: users(ids...)} }
func unblock(u uint8, ids ...uint8) op { return op{Kind: opUnblock, Actor: u, Items: users(ids...)} }
func markRead(u uint8) op              { return op{Kind: opMarkRead, Actor: u} }
func deleteUser(u uint8) op            { return op{Kind: opDeleteUser, Actor: u} }
func canSend(u, v uint8) op            { return op{Kind: opCanSend, Actor: u, Items: users(v)} }
func reopen() op                       { return op{Kind: opReopen} }
func verify() op                       { return op{Kind: opVerify} }
func crash() op                        { return op{Kind: opCrash} }
func nilCtx() op                       { return op{Kind: opBadContext} }
func cancelledCtx() op                 { return op{Kind: opBadContext, P: [4]uint8{1}} }

func seedCorpus() []seed {
	return []seed{
		{"profiles", cfgPreset | cfgShortLog, []op{
			nick(0, 3),     // 40601 nick too long
			prof(0, 3),     // 40605 allowType out of range
			forbid(0, 2),   // 40605 adminForbidType out of range
			gender(0, 3),   // 40605 gender out of range
			custom(0, 2),   // 40009 undeclared field
			custom(0, 3),   // 40601 custom value too long
			emptyUpdate(0), // 30001 names no field
			nick(bad, 1),   // 30001 invalid user ID
			nick(0, 1), custom(0, 0), gender(0, 2), birthday(0, 9),
			custom(0, 1),                                                           // removes the custom field
			nick(6, 2),                                                             // creates u6 with the default allowType
			nick(0, 2), nick(0, 0), nick(0, 1), nick(0, 2), nick(0, 0), nick(0, 1), // past the 8-event window
			reopen(), verify(),
		}},
		{"check-table", cfgPreset, []op{
			add(0, S(6)),                     // 30003 unknown target
			add(0, S(0), S(bad), S(3), S(3)), // self, invalid ID, added, repeat
			add(0, B(2)),                     // 30516 target denies all
			add(0, B(1).g(0).r().w()),        // 30539 pending, with group, remark, wording
			add(0, B(1).r()),                 // refreshed, still pending
			add(4, B(1)),                     // 30539, u1 has 2 pending now
			add(5, B(1)),                     // 30012 pending limit
			add(0, S(3)),                     // 30001 already friends (single)
			add(0, B(3)),                     // u3 AllowAny: adds the missing reverse edge
			add(0, B(3)),                     // 30001 already friends (both)
			forbid(5, 1), add(5, S(0)),       // 30009 forbidden to add
			block(0, 4), add(0, S(4)), // 30515 target in my blocklist
			add(4, B(0)), // 30525 I am in the target's blocklist
			add(3, S(1).bad(5), S(4).bad(6), S(5).bad(7), S(0).g(5)), // 30001: long remark, bad type, unknown field, bad group
			add(3, S(5).g(6), B(4).bad(1).g(2)),
			add(bad, S(1)),                       // 30001 invalid sender
			add(3, S(0), S(1), S(2), S(4), S(5)), // 30001 too many items
			verify(),
		}},
		{"friend-limits", cfgPreset, []op{
			add(0, S(1), S(3), S(4)), // u0 is full
			add(0, S(5)),             // 30010 own list full
			add(5, B(0)),             // 30014 AllowAny target full
			add(3, B(1)),             // pending
			add(3, S(0), S(4), S(5)), // u3 is full
			accept(1, 3, 0, 0),       // 30014 the applicant's list is full
			add(5, B(4)),             // pending
			add(4, S(0), S(1), S(3)), // u4 is full
			accept(4, 5, 1, 1),       // 30010 my list is full
			accept(4, 5, 0, 0),       // agree: only 5 -> 4
			delFriends(3, 0, 0),
			accept(1, 3, 1, 2), // agree and add now fits
			verify(),
		}},
		{"applications", cfgPreset, []op{
			add(0, B(1).g(1).r()), add(3, B(1).w()),
			markRead(1),
			add(3, B(1)),       // refreshed: unread again
			accept(1, 0, 1, 1), // agree and add; u0's group g1 is created
			refuse(1, 3),
			refuse(1, 3),       // 30614
			accept(1, 3, 0, 0), // 30614
			accept(1, 1, 0, 0), // 30001 self
			accept(1, 3, 2, 0), // 30001 bad mode
			accept(1, 3, 0, 3), // 30001 remark too long
			refuse(bad, 1),
			add(4, B(1)), delApps(1, 0, 4), delApps(1, 1, 4), delApps(4, 3, 1),
			add(5, B(4)), delApps(5, 1, 4, 4, 5, bad),
			add(1, B(4)), add(4, B(1)), // crossing requests become a friendship
			createGroup(3, 0), createGroup(3, 1), add(3, B(4).g(2)),
			accept(4, 3, 1, 0), // the applicant has no room for group 2: edge without it
			markRead(1),        // nothing unread: no event
			add(0, B(4)), add(5, B(4)), markRead(4), delApps(4, 2, 0, 5),
			verify(),
		}},
		{"groups", cfgPreset, []op{
			add(0, S(1), S(3)),
			createGroup(0, 0, 1, 6), // member u6 not a friend: 32216
			createGroup(0, 0),       // 30001 exists
			createGroup(0, 1, 3),
			createGroup(0, 2),             // 30011 group limit
			createGroup(0, 5),             // 30001 name too long
			createGroup(0, 3, 1, 3, 4, 5), // 30001 too many members
			addToGroup(0, 0, 3, 3, 4, 0),  // added, repeat, not a friend, self
			addToGroup(0, 3, 1),           // 30001 no such group
			removeFromGroup(0, 1, 3, 1, 6),
			rename(0, 0, 2), rename(0, 1, 2), rename(0, 3, 0), rename(0, 2, 2), rename(0, 6, 1),
			updFriend(0, 1, 2, 0, 1<<1|1<<3, 0), // group 1 kept, no room for group 3: 30011
			updFriend(0, 1, 2, 0, 1<<1|128, 0),  // groups {g1}
			updFriend(0, 1, 1|4, 1, 0, 0),       // remark, custom Fx
			updFriend(0, 1, 4, 0, 0, 2),         // 30001 unknown field
			updFriend(0, 1, 4, 0, 0, 1),         // removes Fx
			updFriend(0, 1, 2, 0, 7, 0),         // 30011 three groups
			updFriend(0, 1, 2, 0, 1<<4, 0),      // 30001 empty group name
			updFriend(0, 1, 1, 3, 0, 0),         // 30001 remark too long
			updFriend(0, 4, 1, 1, 0, 0),         // 31704 not friends
			updFriend(0, 0, 1, 1, 0, 0),         // 30001 self
			updFriend(0, 3, 2, 0, 0, 0),         // no groups
			deleteGroups(0, 1, 1), deleteGroups(0, 1, 2, 3), deleteGroups(0, 5), deleteGroups(0, 2),
			verify(),
		}},
		{"blocks", cfgPreset, []op{
			add(0, B(3)), add(4, B(0)), add(0, B(1)), add(1, B(0)),
			block(0, 1, 3, 4), // 30013 on the third
			block(0, 1),       // 30001 already blocked
			block(0, 6),       // 30003 unknown user
			block(0, 0, bad),  // 30001 self, invalid
			canSend(3, 0),     // 20007
			canSend(0, 3),     // blocking does not stop the blocker
			unblock(0, 1, 5),  // 30001 not blocked on the second
			add(0, B(1)), canSend(0, 0), canSend(bad, 0),
			verify(),
		}},
		{"keep-friends-on-block", cfgPreset | cfgKeepFriends, []op{
			add(0, B(3)), add(0, B(1)), add(1, B(3)),
			block(0, 3, 1), block(3, 0),
			add(0, B(3)), // 30515
			verify(),
		}},
		{"delete-user", cfgPreset, []op{
			add(3, B(0).g(0)), add(1, S(3)), add(3, B(4)), add(4, B(3)), add(5, B(1)),
			block(3, 5), block(2, 3), add(3, S(1)), createGroup(3, 1, 0),
			deleteUser(3), deleteUser(3), deleteUser(6), deleteUser(bad),
			nick(3, 1), add(0, S(3)), // u3 comes back, a new user
			verify(),
		}},
		{"require-friendship", cfgPreset | cfgRequireFriend, []op{
			canSend(0, 1), // 20009
			add(0, B(3)), canSend(0, 3), canSend(3, 0),
			add(0, S(5)), canSend(0, 5), canSend(5, 0),
			verify(),
		}},
		{"delete-friends", cfgPreset, []op{
			delFriends(0, 0, 1), // 31704
			add(0, S(1)), delFriends(1, 1, 0), delFriends(1, 1, 0),
			add(0, B(3)), delFriends(0, 0, 3), delFriends(0, 2, 3), delFriends(0, 1, 3),
			delFriends(0, 0, 1, 2, 3, 4, 5), // 30001 too many
			verify(),
		}},
		{"implicit-users", cfgNoCache | 0<<cfgAllowShift, []op{
			add(0, S(1)),      // 30003: nobody exists yet
			createGroup(0, 0), // u0 comes into being through its first event
			add(1, B(0)),      // u0 has the default profile (AllowAny here)
			add(2, B(1).g(1)), deleteUser(0),
			reopen(), verify(),
		}},
		{"tiny-cache", cfgPreset | cfgTinyCache | 2<<cfgAllowShift, []op{
			nick(0, 1), nick(1, 2), nick(3, 1), add(0, S(1), S(3)), nick(1, 1),
			add(6, S(0)), // u6 does not exist yet but may send
			prof(7, 0), add(0, B(7)), nick(7, 2), deleteUser(1),
			verify(),
		}},
		{"bad-context", cfgPreset, []op{
			nilCtx(), add(0, B(3)), cancelledCtx(), add(0, B(3)),
			add(0, B(3), B(1)), nilCtx(), deleteUser(0), cancelledCtx(), block(1, 0),
			cancelledCtx(), nick(1, 1), nilCtx(), createGroup(0, 1, 3), cancelledCtx(), markRead(1),
			nilCtx(), accept(1, 0, 1, 0), nilCtx(), add(bad, S(1)),
			verify(),
		}},
		{"reopen", cfgPreset | cfgShortLog, []op{
			add(0, B(3).g(0)), add(1, B(4)), reopen(),
			accept(4, 1, 1, 0), block(5, 0), reopen(),
			createGroup(3, 1, 0), rename(3, 1, 2), reopen(),
			verify(), markRead(4), deleteUser(1), crash(),
			add(6, S(3)), crash(), crash(),
			verify(),
		}},
	}
}

// readCorpusFiles returns the inputs stored under testdata/fuzz/<target>.
func readCorpusFiles(t *testing.T, target string) map[string][]byte {
	dir := filepath.Join("testdata", "fuzz", target)
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
		if len(lines) != 2 || lines[0] != "go test fuzz v1" || !strings.HasPrefix(lines[1], "[]byte(") {
			t.Fatalf("%s: not a one-[]byte corpus file", e.Name())
		}
		s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		out[e.Name()] = []byte(s)
	}
	return out
}

// TestSeedCorpusCoverage checks the claim that the committed seeds reach
// every op and every result code the model can produce (running them
// through the model; FuzzOps runs them against the engine), and that the
// seeds written as calls encode and decode back to the same calls.
func TestSeedCorpusCoverage(t *testing.T) {
	inputs := map[string][]byte{}
	for _, s := range seedCorpus() {
		in := s.input()
		cfg, ops := decodeInput(in)
		if cfg != s.cfg || !slices.EqualFunc(ops, s.ops, opEqual) {
			t.Errorf("seed %s does not decode to its calls", s.name)
		}
		inputs["seed "+s.name] = in
	}
	for name, in := range readCorpusFiles(t, "FuzzOps") {
		inputs["file "+name] = in
	}
	ops := map[opKind]bool{}
	codes := map[int]bool{}
	for _, in := range inputs {
		cfg, list := decodeInput(in)
		r := replayer{m: newModel(cfg.modelOptions()), users: fuzzUsers}
		if cfg&cfgPreset != 0 {
			list = append(presetOps(), list...)
		}
		for _, o := range list {
			ops[o.Kind] = true
			if out, ok := r.step(o); ok {
				for _, code := range codesOf(out) {
					codes[code] = true
				}
			}
		}
	}
	for k := range numOps {
		if !ops[k] {
			t.Errorf("no seed runs %s", k)
		}
	}
	for _, c := range allCodes {
		if !codes[c] {
			t.Errorf("no seed produces code %d", c)
		}
	}
	t.Logf("%d inputs reach %d ops and %d codes", len(inputs), len(ops), len(codes))
}

func opEqual(a, b op) bool {
	return a.Kind == b.Kind && a.Actor == b.Actor && a.P == b.P && slices.Equal(a.Items, b.Items)
}

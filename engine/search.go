package engine

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kithdb/kith/codec"
	"github.com/kithdb/kith/index"
)

// Search limits of the reference service's searchFriends.
const (
	maxKeywords     = 5
	maxKeywordBytes = 100
	searchChunk     = 100 // edges whose profiles are fetched together
)

// SearchOptions is a friend search of SearchFriends.
type SearchOptions struct {
	// Keywords are 1 to 5 non-empty strings of at most 100 bytes, matched
	// as case-insensitive substrings (Unicode simple folding).
	Keywords []string
	// InUserID, InNick and InRemark choose the fields searched; at least
	// one must be set.
	InUserID, InNick, InRemark bool
	// MatchAll requires every keyword to match (in any chosen field);
	// the default is any keyword.
	MatchAll bool
	// Limit is the most hits in a page: zero means Limits.PageSize, at
	// most 1000.
	Limit int
	// After resumes after this friend ID: the Next of the previous page.
	After string
}

// SearchPage is a page of SearchFriends.
type SearchPage struct {
	// Items are the hits in friend-ID order, each with edge, profile (nil
	// if the friend has none) and relation. With a ProfileLoader, a friend
	// whose profile could not be loaded has it in Err (its nickname then
	// matches nothing; its ID and remark still do).
	Items []Friend
	// Next is the After of the next page, or "" when the search is done.
	Next string
}

// SearchFriends searches owner's friend list for friends whose user ID,
// nickname and/or remark contain the keywords. It reads only owner's
// edges and their profiles (through the profile cache).
func (db *DB) SearchFriends(ctx context.Context, owner string, opts SearchOptions) (SearchPage, error) {
	var page SearchPage
	m, err := newMatcher(&opts)
	if err != nil {
		return page, err
	}
	lo := ListOptions{After: opts.After, Limit: opts.Limit}
	err = db.list(ctx, owner, &lo, nil, func(r *reader, _ *Counters) error {
		s := &search{db: db, ctx: ctx, r: r, owner: owner, m: m, limit: lo.Limit, needProfile: opts.InNick}
		return s.run(index.Prefix(nil, index.KindFriend, owner), lo.After, &page)
	})
	return page, err
}

// search is the state of one SearchFriends call.
type search struct {
	db          *DB
	ctx         context.Context
	r           *reader
	owner       string
	m           *matcher
	limit       int
	needProfile bool
}

// run scans owner's edges in chunks, matching each chunk (once its
// profiles are fetched, when nicknames are searched) until a page and one
// more hit are found. An edge is decoded in full, and its relation and
// (if not fetched yet) profile read, only when it is a hit.
func (s *search) run(prefix []byte, after string, page *SearchPage) error {
	var afterKey []byte
	if after != "" {
		afterKey = index.AppendString(append([]byte(nil), prefix...), after)
	}
	var hits []Friend
	var chunk edgeChunk // reused: its buffers are read before the next chunk
	for len(hits) <= s.limit {
		lastKey, err := s.readChunk(&chunk, prefix, afterKey)
		if err != nil {
			return err
		}
		if len(chunk.friends) == 0 {
			break
		}
		if s.needProfile {
			if err := s.db.attachProfiles(s.ctx, s.owner, chunk.friends); err != nil {
				return err
			}
		}
		for i := range chunk.friends {
			if len(hits) > s.limit || !s.m.match(&chunk.friends[i], chunk.remark(i)) {
				continue
			}
			f := chunk.friends[i]
			f.Edge = new(FriendEdge)
			if err := codec.Decode(chunk.value(i), f.Edge); err != nil {
				return corrupt(index.Friend(nil, s.owner, f.UserID), err)
			}
			hits = append(hits, f)
		}
		if err := s.ctx.Err(); err != nil {
			return err
		}
		afterKey = lastKey
	}
	if len(hits) > s.limit {
		hits = hits[:s.limit]
		page.Next = hits[len(hits)-1].UserID
	}
	page.Items = hits
	return s.complete(hits)
}

// complete reads the relation of every hit and, if the search did not
// need them, their profiles.
func (s *search) complete(hits []Friend) error {
	for i := range hits {
		_, theirs, err := s.r.get(index.Friend(nil, hits[i].UserID, s.owner))
		if err != nil {
			return err
		}
		hits[i].Relation = relationOf(true, theirs)
	}
	if s.needProfile {
		return nil
	}
	return s.db.attachProfiles(s.ctx, s.owner, hits)
}

// edgeChunk is up to searchChunk edges of the owner: the friends (IDs
// only until matched) and, in one arena, their encoded edges and remarks.
type edgeChunk struct {
	friends []Friend
	arena   []byte
	spans   [][4]int // per friend: value start, end; remark start, end
}

func (c *edgeChunk) value(i int) []byte  { return c.arena[c.spans[i][0]:c.spans[i][1]] }
func (c *edgeChunk) remark(i int) []byte { return c.arena[c.spans[i][2]:c.spans[i][3]] }

// readChunk refills c with up to searchChunk edges after afterKey,
// peeking at each remark without decoding the edge.
func (s *search) readChunk(c *edgeChunk, prefix, afterKey []byte) (lastKey []byte, err error) {
	c.friends, c.arena, c.spans = c.friends[:0], c.arena[:0], c.spans[:0]
	err = s.r.scan(prefix, afterKey, func(k, v []byte) (bool, error) {
		peer, _, err := index.ReadString(k[len(prefix):])
		var remark []byte
		if err == nil {
			remark, err = codec.FriendRemark(v)
		}
		if err != nil {
			return false, corrupt(k, err)
		}
		c.friends = append(c.friends, Friend{UserID: peer})
		start := len(c.arena)
		c.arena = append(c.arena, v...)
		c.arena = append(c.arena, remark...)
		c.spans = append(c.spans, [4]int{start, start + len(v), start + len(v), len(c.arena)})
		lastKey = append(lastKey[:0], k...)
		return len(c.friends) < searchChunk, nil
	})
	return lastKey, err
}

// matcher holds the folded keywords and the chosen fields.
type matcher struct {
	keys                       []string
	inUserID, inNick, inRemark bool
	all                        bool
}

func newMatcher(o *SearchOptions) (*matcher, error) {
	if n := len(o.Keywords); n == 0 || n > maxKeywords {
		return nil, fmt.Errorf("%w: %d keywords, want 1 to %d", ErrInvalidArgument, n, maxKeywords)
	}
	if !o.InUserID && !o.InNick && !o.InRemark {
		return nil, fmt.Errorf("%w: no field to search", ErrInvalidArgument)
	}
	m := &matcher{inUserID: o.InUserID, inNick: o.InNick, inRemark: o.InRemark, all: o.MatchAll}
	for _, k := range o.Keywords {
		if k == "" || len(k) > maxKeywordBytes || !utf8.ValidString(k) {
			return nil, fmt.Errorf("%w: keyword %q must be 1 to %d bytes of UTF-8", ErrInvalidArgument, k, maxKeywordBytes)
		}
		m.keys = append(m.keys, fold(k))
	}
	return m, nil
}

// match reports whether f, whose edge has the given remark, is a hit.
func (m *matcher) match(f *Friend, remark []byte) bool {
	nick := ""
	if f.Profile != nil {
		nick = f.Profile.Nick
	}
	for _, k := range m.keys {
		hit := (m.inUserID && containsFold(f.UserID, k)) ||
			(m.inNick && containsFold(nick, k)) ||
			(m.inRemark && containsFold(remark, k))
		if hit != m.all { // any: first hit decides; all: first miss decides
			return hit
		}
	}
	return m.all
}

// containsFold reports whether s contains the folded keyword k, comparing
// under Unicode simple folding. ASCII strings take a path that allocates
// nothing.
func containsFold[S ~string | ~[]byte](s S, k string) bool {
	if isASCII(s) {
		return indexASCIIFold(s, k) >= 0
	}
	return strings.Contains(fold(string(s)), k)
}

func isASCII[S ~string | ~[]byte](s S) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// indexASCIIFold finds the folded keyword k in the ASCII string s.
func indexASCIIFold[S ~string | ~[]byte](s S, k string) int {
	for i := 0; i+len(k) <= len(s); i++ {
		j := 0
		for ; j < len(k); j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != k[j] {
				break
			}
		}
		if j == len(k) {
			return i
		}
	}
	return -1
}

// fold maps every rune of s to the smallest rune of its simple-folding
// orbit, lower-casing ASCII, so that two strings equal under case folding
// fold to the same string.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	min := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < min {
			min = f
		}
	}
	if min < utf8.RuneSelf && 'A' <= min && min <= 'Z' {
		min += 'a' - 'A' // e.g. the Kelvin sign folds with k and K
	}
	return min
}

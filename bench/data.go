package main

import (
	"fmt"
	"math/rand/v2"

	"github.com/kithdb/kith/engine"
)

// userID is the ID of the i-th generated user: 9 bytes, like the short
// numeric account IDs of IM services, ordered as i.
func userID(i int) string { return fmt.Sprintf("u%08d", i) }

// userIDs returns userID(0) .. userID(n-1).
func userIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = userID(i)
	}
	return ids
}

const (
	letters = "abcdefghijklmnopqrstuvwxyz"
	hexes   = "0123456789abcdef"
)

var words = []string{"coffee", "travel", "music", "code", "cats", "hiking", "books",
	"film", "sea", "night", "rain", "jazz", "tea", "city", "sun", "art"}

// profileUpdate returns the generated profile of user i: a realistic mix
// of a ~10-byte nick, a ~60-byte avatar URL and a ~40-byte signature, with
// AllowType AllowAny so that friend requests between generated users are
// accepted at once. The same seed and i always give the same profile.
func profileUpdate(seed uint64, i int) engine.ProfileUpdate {
	rng := rand.New(rand.NewPCG(seed, uint64(i)))
	return engine.ProfileUpdate{
		Nick:          new(randString(rng, letters, 8+rng.IntN(5))),
		FaceURL:       new("https://img.kith.example/avatar/" + randString(rng, hexes, 24) + ".jpg"),
		Gender:        new(engine.Gender(rng.IntN(3))),
		SelfSignature: new(signature(rng)),
		AllowType:     new(engine.AllowAny),
		Birthday:      new(uint32(19700101 + rng.IntN(40)*10000 + (1+rng.IntN(12))*100 + 1 + rng.IntN(28))),
		Language:      new(uint32(rng.IntN(8))),
		Level:         new(uint32(rng.IntN(100))),
	}
}

func randString(rng *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// signature strings words together up to about 40 bytes.
func signature(rng *rand.Rand) string {
	s := words[rng.IntN(len(words))]
	for len(s) < 34 {
		s += " " + words[rng.IntN(len(words))]
	}
	return s
}

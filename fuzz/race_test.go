//go:build race

package fuzz

// raceEnabled is true when the tests run under the race detector, which
// makes db.Check about 20 times slower: the long tests check less often.
const raceEnabled = true

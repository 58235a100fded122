// Package fuzz holds kith's fuzz targets and randomized tests of relation
// invariants: sequences of calls decoded from fuzz input (or drawn from a
// seeded random source) run against the engine, and after every call the
// store must pass db.Check. The targets live in _test.go files; this
// package has no API.
//
// Run one target for longer than CI does with, for example:
//
//	go test ./fuzz -run='^$' -fuzz='^FuzzOps$' -fuzztime=10m
//
// A failing input is written to fuzz/testdata/fuzz/<Target>/; commit it so
// that plain `go test ./...` replays it as a regression test.
package fuzz

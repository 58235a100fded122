// Command bench measures kith: it is both the workload tool run with
// `go run ./bench` and, in its _test.go files, the `go test -bench` suite
// that sets every hot engine call beside a raw-Pebble baseline doing the
// same reads and writes the plain way.
//
// # The workload tool
//
//	go run ./bench                       # 100,000 users, batches of 100, temp dir
//	go run ./bench -users 20000 -batch 50 -seed 7 -dir /tmp/kith-bench
//
// It creates -users profiles (deterministic from -seed) with NoSync through
// UpdateProfile on two goroutines, then reads them back in random batches of
// -batch with the profile cache warm and with it disabled, and prints one
// aligned table: calls, profiles, throughput, µs per call and per profile,
// p50/p99 latency per call, bytes on disk and the peak Go heap. With -dir
// the store is kept; without it a temp dir is removed at exit. Any error
// exits with status 1 and a message on stderr.
//
// # The benchmarks
//
// Each engine benchmark BenchmarkDB_X has a baseline BenchmarkRaw_X on the
// same data: the data set is loaded through the engine into a directory,
// compacted, and then opened either by engine.Open or by openRawPebble,
// which uses exactly the Pebble options the engine uses (baseline.go). So a
// gap between the two is the engine's own cost: validation, locks, the
// profile cache, result building, and the read-check part of a write.
// Sub-benchmarks are named key=value (batch=100/cache=off, sync=true, ...);
// AddFriends benchmarks also report ops/s and, for Sync writes, how many
// commits shared one WAL fsync (commits/sync, counted by a vfs.FS wrapper).
//
//	go test -run='^$' -bench=. -benchtime=100x ./bench   # smoke run, as CI does (< 1 min)
//	go test -run='^$' -bench='GetProfiles|CheckFriends|ListFriends' -benchmem ./bench
//
// Data sets are built once per `go test` process, with NoSync, in a temp
// dir removed at exit; write benchmarks use b.TempDir() on the real disk.
//
// # Comparing with benchstat
//
// Install benchstat with `go install golang.org/x/perf/cmd/benchstat@latest`.
// For a change to the engine, run the suite 10 times before and after and
// compare the two files:
//
//	go test -run='^$' -bench=. -count=10 ./bench > old.txt
//	# ... change the engine ...
//	go test -run='^$' -bench=. -count=10 ./bench > new.txt
//	benchstat old.txt new.txt
//
// To set the engine beside its baseline in one run, put the benchmark name
// (.name is the name without "Benchmark") in the columns and the shared
// sub-benchmark key in the rows, filtering out the keys the baseline lacks:
//
//	benchstat -filter '.name:(DB_GetProfiles OR Raw_GetProfiles) -/cache:on' \
//		-row /batch -col .name new.txt
//
// # Caveats
//
// The machine this was written on has 2 cores; latency numbers there are the
// reference in shared/notes/dependencies.md §6. With cgo (the default),
// Pebble's block cache and memtables are C memory, so the tool's peak heap
// is the Go heap only: kith's profile cache, decoded records, buffers.
package main

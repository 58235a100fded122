// Command bench measures kith: it is both the workload tool run with
// `go run ./bench` and, in its _test.go files, the `go test -bench` suite
// that sets every hot engine call beside a raw-Pebble baseline doing the
// same reads and writes the plain way.
//
// # The workload tool
//
//	go run ./bench                                  # 100,000 users, mean 50 friends, tao mix, 5 s warm-up, 10 s measured
//	go run ./bench -warmup 0                        # measured from the cold start
//	go run ./bench -workload social -concurrency 4 -duration 30s
//	go run ./bench -users 1000000 -dir /tmp/kith-1m # keep the store; the next run reuses it
//	go run ./bench -h                               # also -friends, -sync, -cache, -profile-cache, -seed, -cpuprofile, -memprofile, -trace
//
// It generates a social graph from -seed (graph.go): -users users whose
// friend-list sizes follow a power law (Pareto, exponent 2.5, at most 3000)
// with mean -friends, 95 % of friendships two-way, 1 % of users blocking
// a few strangers, 10 % with pending applications; profiles as in
// data.go. It loads the graph with ImportRecords (a progress line with
// rate and ETA on a terminal, plain lines otherwise), then runs the
// -workload mix (mix.go) on -concurrency goroutines with a live ops/s
// line, users picked by Zipf popularity (s = 1.1): first for -warmup
// (default 5 s: a store opened after its import has empty caches, and a
// service runs warm), not counted, then for -duration (default 10 s),
// which the report covers. The tool gives Pebble a 256 MiB block cache
// (-cache; the engine's default is 128 MiB), which holds the default
// graph's 213 MiB store:
//
//   - tao: Facebook TAO's read-mostly mix (99.8 % reads): 41 % a page of
//     20 friends, 29 % the profiles of 10 users (a screen of a friend list),
//     16 % a relation check, 12 % Counts, 2 % recent applications, 0.2 %
//     writes (profile updates, friend requests);
//   - linkbench: LinkBench's mix (69 % reads, 31 % writes) with users as
//     nodes and friend edges as links;
//   - social: friend requests, accepts, refusals, blocks, unblocks,
//     profile updates, unfriending, list reads.
//
// The report (report.go) starts with the configuration, the Go version,
// the CPUs and Linux's transparent huge page mode (hugepages.go), then has,
// per operation, the calls, ops/s, mean,
// p50/p99/p99.9 and max latency (log-linear histograms within 1.6 %,
// hist.go) and the calls refused with a result code (ErrNotFriends,
// ErrFriendLimit, ...: outcomes, not failures), after a line with the
// warm-up's rate; then the hit ratios of the profile, counters, page and
// friend-set caches over the measured run, bytes on disk, peak Go heap
// and RSS, Pebble's write amplification and the wall time. Ctrl-C stops the run and prints the
// report so far. Writes are not synced unless -sync. Without -dir the
// store is a temp dir removed at exit; with it, the file kith-bench-graph
// records the graph, and a run asking for another graph there is refused. Any error exits with status 1.
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
// every one also reports ops/s, and AddFriends with Sync writes reports how
// many commits shared one WAL fsync (commits/sync, counted by a vfs.FS
// wrapper, walsync_test.go). BenchmarkDB_Import loads a graph of about
// b.N edges (one op is one directed edge; edges/s reported) from typed
// records and from JSON Lines, beside BenchmarkRaw_Import, which writes
// the same keys, already sorted, into SSTables and ingests them.
// BenchmarkDB_Workload runs each mix on a 20,000-user imported graph (the
// write mixes on a checkpoint of it), beside BenchmarkRaw_Workload, the
// tao mix done with plain Pebble calls. The tests (go test ./bench) run
// the tool on a small graph with each mix.
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
// To set the engine beside its baseline, list the two benchmark names (.name
// is the name without "Benchmark"), baseline first, as the columns, put
// the sub-benchmark key they share in the rows, and filter out the keys
// the baseline lacks; "vs base" is then the engine's cost over raw Pebble:
//
//	benchstat -filter '-/cache:on' -row /batch \
//		-col '.name@(Raw_GetProfiles DB_GetProfiles)' new.txt
//	benchstat -row /page -col '.name@(Raw_ListFriends DB_ListFriends)' new.txt
//
// # Caveats
//
// The machine this was written on has 2 cores, shared with other jobs: use
// -count=10 and benchstat before trusting a difference under ~20 %. With cgo (the default),
// Pebble's block cache and memtables are C memory, so the tool's peak heap
// is the Go heap only: kith's profile cache, decoded records, buffers.
package main

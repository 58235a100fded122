//go:build !unix

package cache_test

import "time"

// processCPU is not implemented here: the cpu-ns/op metric is left out.
func processCPU() (time.Duration, bool) { return 0, false }

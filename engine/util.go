package engine

import (
	"bytes"
	"slices"

	"github.com/kithdb/kith/cache"
)

type cacheToken = cache.Token

func compareBytes(a, b []byte) int { return bytes.Compare(a, b) }

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func sortStrings(s []string) { slices.Sort(s) }

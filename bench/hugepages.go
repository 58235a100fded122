package main

import (
	"os"
	"strings"
)

// thpFile holds Linux's transparent huge page mode.
const thpFile = "/sys/kernel/mm/transparent_hugepage/enabled"

// hugePagesDesc describes the machine's transparent huge page mode for the
// report's header, or is empty where the file does not exist. The Go
// runtime does not ask for huge pages for its heap, so it gets them only in
// mode "always"; with the gigabytes of cache of a 1M-user run, each random
// access on 4 KiB pages also walks the page tables, and the mode moved the
// tao rate by a third on the development VM (docs/PERFORMANCE.md).
func hugePagesDesc() string {
	b, err := os.ReadFile(thpFile)
	if err != nil {
		return ""
	}
	if mode := thpMode(string(b)); mode != "" {
		return ", transparent huge pages " + mode
	}
	return ""
}

// thpMode returns the selected mode of a transparent_hugepage/enabled
// file, the word in brackets ("always [madvise] never" selects madvise),
// or "" if there is none.
func thpMode(s string) string {
	i, j := strings.IndexByte(s, '['), strings.IndexByte(s, ']')
	if i < 0 || j < i {
		return ""
	}
	return s[i+1 : j]
}

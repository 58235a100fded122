package engine_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The import edges of DESIGN.md §1. A package of the module may import
// the standard library, itself (its tests), and the prefixes listed for
// it, where a prefix allows the path and every path below it.
const module = "github.com/kithdb/kith"

var allowedImports = map[string][]string{
	"engine": {module + "/index", module + "/codec", module + "/cache", "github.com/cockroachdb/pebble/v2"},
	"index":  {},
	"codec":  {"github.com/vmihailenco/msgpack/v5"},
	"cache":  {"github.com/hashicorp/golang-lru/v2"},
	"bench":  {module + "/engine", module + "/index", module + "/codec", "github.com/cockroachdb/pebble/v2"},
	"fuzz":   {module + "/engine", module + "/index", module + "/codec", "github.com/cockroachdb/pebble/v2"},
}

// buildingBlocks may never import engine, even from their tests.
var buildingBlocks = []string{"index", "codec", "cache"}

// pkgImports is one package's imports as go list reports them.
type pkgImports struct {
	path  string   // import path
	deps  []string // imports of the non-test files
	tdeps []string // imports of the _test.go files (in-package and external)
}

// isStdlib reports whether path is in the standard library: its first
// element has no dot.
func isStdlib(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// underPrefix reports whether path is prefix or below it.
func underPrefix(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// forbiddenEdges returns one line per import edge outside allowed, and one
// per package of the module that allowed does not know.
func forbiddenEdges(pkgs []pkgImports, allowed map[string][]string) []string {
	var bad []string
	for _, p := range pkgs {
		rel, ok := strings.CutPrefix(p.path, module+"/")
		if !ok {
			bad = append(bad, p.path+": not a package of "+module)
			continue
		}
		prefixes, known := allowed[rel]
		if !known {
			bad = append(bad, p.path+": package not in DESIGN.md §1; add its allowed imports")
			continue
		}
		check := func(imp, what string) {
			if isStdlib(imp) || imp == p.path {
				return
			}
			if slices.Contains(buildingBlocks, rel) && underPrefix(imp, module+"/engine") {
				bad = append(bad, p.path+" -> "+imp+" ("+what+"): a building block imports engine")
				return
			}
			for _, pre := range prefixes {
				if underPrefix(imp, pre) {
					return
				}
			}
			bad = append(bad, p.path+" -> "+imp+" ("+what+")")
		}
		for _, imp := range p.deps {
			check(imp, "import")
		}
		for _, imp := range p.tdeps {
			check(imp, "test import")
		}
	}
	return bad
}

// listImports runs go list over the whole module.
func listImports(t *testing.T) []pkgImports {
	t.Helper()
	const format = `{{.ImportPath}}|{{join .Imports " "}}|{{join .TestImports " "}} {{join .XTestImports " "}}`
	cmd := exec.Command("go", "list", "-e", "-f", format, module+"/...")
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list: %v\n%s", err, stderr)
	}
	var pkgs []pkgImports
	for line := range strings.Lines(string(out)) {
		parts := strings.Split(strings.TrimSpace(line), "|")
		if len(parts) != 3 {
			t.Fatalf("go list: unexpected line %q", line)
		}
		pkgs = append(pkgs, pkgImports{path: parts[0], deps: strings.Fields(parts[1]), tdeps: strings.Fields(parts[2])})
	}
	return pkgs
}

func TestImports_DesignEdges(t *testing.T) {
	pkgs := listImports(t)
	found := map[string]bool{}
	for _, p := range pkgs {
		found[p.path] = true
	}
	// The check means something only if go list saw the packages.
	for _, rel := range []string{"engine", "index", "codec", "cache"} {
		if !found[module+"/"+rel] {
			t.Fatalf("go list did not report %s/%s; got %v", module, rel, pkgs)
		}
	}
	for _, line := range forbiddenEdges(pkgs, allowedImports) {
		t.Errorf("forbidden import edge: %s", line)
	}
}

// The checker itself: every kind of forbidden edge is reported, and the
// edges DESIGN.md allows are not. This is what makes TestImports_DesignEdges
// able to fail.
func TestImports_Checker(t *testing.T) {
	m := func(rel string) string { return module + "/" + rel }
	for _, tc := range []struct {
		name string
		pkg  pkgImports
		bad  bool
	}{
		{"engine allowed", pkgImports{path: m("engine"), deps: []string{"context", m("index"), m("codec"), m("cache"),
			"github.com/cockroachdb/pebble/v2", "github.com/cockroachdb/pebble/v2/vfs"}}, false},
		{"engine tests may import engine", pkgImports{path: m("engine"), tdeps: []string{m("engine"), "testing"}}, false},
		{"index stdlib", pkgImports{path: m("index"), deps: []string{"encoding/binary", "math/rand/v2"}}, false},
		{"codec msgpack subpackage", pkgImports{path: m("codec"), deps: []string{"github.com/vmihailenco/msgpack/v5/msgpcode"}}, false},
		{"cache simplelru", pkgImports{path: m("cache"), deps: []string{"github.com/hashicorp/golang-lru/v2/simplelru"}}, false},
		{"cache test lru baseline", pkgImports{path: m("cache"), tdeps: []string{"github.com/hashicorp/golang-lru/v2", m("cache")}}, false},
		{"bench pebble", pkgImports{path: m("bench"), deps: []string{m("engine"), "github.com/cockroachdb/pebble/v2/vfs"}}, false},
		{"fuzz engine", pkgImports{path: m("fuzz"), tdeps: []string{m("engine"), m("index"), m("codec")}}, false},

		{"index imports engine", pkgImports{path: m("index"), deps: []string{m("engine")}}, true},
		{"index imports codec", pkgImports{path: m("index"), deps: []string{m("codec")}}, true},
		{"index imports msgpack", pkgImports{path: m("index"), deps: []string{"github.com/vmihailenco/msgpack/v5"}}, true},
		{"codec imports pebble", pkgImports{path: m("codec"), deps: []string{"github.com/cockroachdb/pebble/v2"}}, true},
		{"codec imports msgpack v4", pkgImports{path: m("codec"), deps: []string{"github.com/vmihailenco/msgpack/v4"}}, true},
		{"codec test imports engine", pkgImports{path: m("codec"), tdeps: []string{m("engine")}}, true},
		{"cache imports engine subpackage", pkgImports{path: m("cache"), deps: []string{m("engine/internal")}}, true},
		{"cache imports golang-lru v1", pkgImports{path: m("cache"), deps: []string{"github.com/hashicorp/golang-lru"}}, true},
		{"engine imports golang-lru", pkgImports{path: m("engine"), deps: []string{"github.com/hashicorp/golang-lru/v2"}}, true},
		{"engine imports msgpack", pkgImports{path: m("engine"), deps: []string{"github.com/vmihailenco/msgpack/v5"}}, true},
		{"engine imports bench", pkgImports{path: m("engine"), deps: []string{m("bench")}}, true},
		{"engine imports pebble v1", pkgImports{path: m("engine"), deps: []string{"github.com/cockroachdb/pebble"}}, true},
		{"engine imports pebble/v2x lookalike", pkgImports{path: m("engine"), deps: []string{"github.com/cockroachdb/pebble/v2x"}}, true},
		{"engine imports x/tools", pkgImports{path: m("engine"), deps: []string{"golang.org/x/tools/go/packages"}}, true},
		{"fuzz imports cache", pkgImports{path: m("fuzz"), deps: []string{m("cache")}}, true},
		{"bench imports golang-lru", pkgImports{path: m("bench"), tdeps: []string{"github.com/hashicorp/golang-lru/v2"}}, true},
		{"unknown package", pkgImports{path: m("tools"), deps: []string{"fmt"}}, true},
		{"foreign package", pkgImports{path: "example.com/other", deps: []string{"fmt"}}, true},
	} {
		got := forbiddenEdges([]pkgImports{tc.pkg}, allowedImports)
		if (len(got) > 0) != tc.bad {
			t.Errorf("%s: forbiddenEdges = %q, want forbidden=%v", tc.name, got, tc.bad)
		}
	}
	if isStdlib("github.com/x/y") || !isStdlib("net/http") || !isStdlib("C") {
		t.Errorf("isStdlib misclassifies")
	}
}

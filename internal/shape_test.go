package internal_test

import (
	"bufio"
	"flag"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// These tests hold the tree to the shape docs/architecture.md describes:
// which packages may import which, a doc comment on every package, and
// a ratchet on package size.

const module = "github.com/gostack/gostack/internal/"

// notServices are the top-level folders of internal/ that are not services.
var notServices = []string{"platform", "cloud", "cli", "testdata"}

var update = flag.Bool("update", false, "rewrite testdata/package-sizes.txt with today's sizes")

// pkg is one Go package of the tree: its folder relative to internal/,
// the internal packages its non-test files import, its non-test size.
type pkg struct {
	dir     string
	imports []string // relative to internal/
	size    int64
	doc     bool
}

func packages(t *testing.T) []pkg {
	t.Helper()
	byDir := map[string]*pkg{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		p := byDir[dir]
		if p == nil {
			p = &pkg{dir: dir}
			byDir[dir] = p
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		p.size += info.Size()
		if f.Doc != nil && strings.HasPrefix(f.Doc.Text(), "Package ") {
			p.doc = true
		}
		for _, im := range f.Imports {
			ip, _ := strconv.Unquote(im.Path.Value)
			if rel, ok := strings.CutPrefix(ip, module); ok && !slices.Contains(p.imports, rel) {
				p.imports = append(p.imports, rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []pkg
	for _, p := range byDir {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].dir < out[j].dir })
	return out
}

// top is the top-level folder of a path relative to internal/ ("." for
// internal itself).
func top(dir string) string {
	first, _, _ := strings.Cut(dir, "/")
	return first
}

func isService(top string) bool { return top != "." && !slices.Contains(notServices, top) }

func TestImports(t *testing.T) {
	for _, p := range packages(t) {
		from := top(p.dir)
		for _, im := range p.imports {
			to := top(im)
			switch {
			case from == "platform" && isService(to):
				t.Errorf("%s imports %s: the platform knows no service", p.dir, im)
			case from == "cloud" && isService(to):
				t.Errorf("%s imports %s: the cloud starts services from their specs (internal/register.go) and imports none", p.dir, im)
			case isService(from) && isService(to) && from != to && im != to+"/client":
				t.Errorf("%s imports %s: a service reaches another only through its client package (%s/client)", p.dir, im, to)
			case isService(from) && (to == "cloud" || to == "cli"):
				t.Errorf("%s imports %s: services do not know how the process is assembled", p.dir, im)
			}
		}
	}
}

func TestPackageDocs(t *testing.T) {
	for _, p := range packages(t) {
		if !p.doc {
			t.Errorf("%s has no package doc comment (// Package ... in one of its files)", p.dir)
		}
	}
}

// maxPackage is the size past which STYLE.md asks for a split.
const maxPackage = 50 << 10

// TestPackageSizes is a ratchet: a package over 50 KB of non-test Go is
// listed in testdata/package-sizes.txt and may only shrink; no other
// package may grow past 50 KB. Run with -update after a package shrank.
func TestPackageSizes(t *testing.T) {
	const file = "testdata/package-sizes.txt"
	allowed := map[string]int64{}
	if f, err := os.Open(file); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			var dir string
			var n int64
			if _, err := fmt.Sscan(line, &dir, &n); err != nil {
				t.Fatalf("%s: %q: %v", file, line, err)
			}
			allowed[dir] = n
		}
		f.Close()
	}
	var over []string
	for _, p := range packages(t) {
		if p.size <= maxPackage {
			continue
		}
		over = append(over, fmt.Sprintf("%s %d", p.dir, p.size))
		limit, ok := allowed[p.dir]
		switch {
		case *update:
		case !ok:
			t.Errorf("%s is %d KB of non-test Go, over the 50 KB STYLE.md allows: split it along a seam", p.dir, p.size>>10)
		case p.size > limit:
			t.Errorf("%s grew from %d to %d bytes; it is over 50 KB and may only shrink: split it", p.dir, limit, p.size)
		}
	}
	if *update {
		body := "# Packages over 50 KB of non-test Go (bytes): they may only shrink.\n# Regenerate with: go test ./internal -run TestPackageSizes -update\n" + strings.Join(over, "\n") + "\n"
		if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

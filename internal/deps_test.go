package internal

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

type pkg struct {
	ImportPath string
	Name       string
	Doc        string
	Imports    []string
	Standard   bool
}

const module = "github.com/gostack/gostack/"

func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "../...")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Skipf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(out)
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	return pkgs
}

// services are the internal/<service> packages.
var services = []string{"identity", "compute", "placement", "image", "network", "blockstorage", "objectstorage", "dashboard"}

// serviceOf returns the service an import path belongs to, and the rest of
// the path inside it ("", "api", "store", "client", ...).
func serviceOf(path string) (svc, sub string) {
	rest, ok := strings.CutPrefix(path, module+"internal/")
	if !ok {
		return "", ""
	}
	for _, s := range services {
		if rest == s {
			return s, ""
		}
		if r, ok := strings.CutPrefix(rest, s+"/"); ok {
			return s, r
		}
	}
	return "", ""
}

// allowed are reviewed exceptions: package → import → why.
var allowed = map[string]map[string]string{
	module + "internal/image": {"net/http": "web-download import fetches URLs: an HTTP client, not an API"},
}

// TestDependencies enforces the import rules of STYLE.md: the platform
// knows no service; a service's core has no HTTP and no SQL and does not
// import its own api or store; services reach each other only through
// their client packages.
func TestDependencies(t *testing.T) {
	for _, p := range listPackages(t) {
		svc, sub := serviceOf(p.ImportPath)
		for _, imp := range p.Imports {
			if _, ok := allowed[p.ImportPath][imp]; ok {
				continue
			}
			isvc, isub := serviceOf(imp)
			switch {
			case strings.HasPrefix(p.ImportPath, module+"internal/platform/") && (isvc != "" || strings.HasPrefix(imp, module+"internal/cloud")):
				t.Errorf("%s (platform) imports %s", p.ImportPath, imp)
			case svc != "" && sub == "" && (imp == "net/http" || imp == "database/sql"):
				t.Errorf("%s (service core) imports %s: HTTP belongs in api/, SQL in store/", p.ImportPath, imp)
			case svc != "" && sub == "" && isvc == svc && (isub == "api" || strings.HasPrefix(isub, "store")):
				t.Errorf("%s imports its own %s", p.ImportPath, imp)
			case svc != "" && isvc != "" && isvc != svc && isub != "client":
				t.Errorf("%s imports %s: another service is reached only through its client package", p.ImportPath, imp)
			}
		}
	}
}

// TestPackageDocs checks that every package says what it holds.
func TestPackageDocs(t *testing.T) {
	for _, p := range listPackages(t) {
		if p.Name != "main" && strings.TrimSpace(p.Doc) == "" {
			t.Errorf("package %s has no doc comment", p.ImportPath)
		}
	}
}

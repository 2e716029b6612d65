package filestore_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/image/filestore"
	"github.com/gostack/gostack/internal/platform/apierr"
)

func TestStore(t *testing.T) {
	ctx := context.Background()
	fs, err := filestore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w, err := fs.Put(ctx, "a", strings.NewReader("0123456789abcdef"), 16)
	if err != nil || w.Size != 16 || w.MD5 != "4032af8d61035123906e58e067140cc5" || len(w.SHA512) != 128 {
		t.Fatalf("put: %+v %v", w, err)
	}
	f, size, err := fs.Open(ctx, "a")
	if err != nil || size != 16 {
		t.Fatalf("open: %d %v", size, err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if string(b) != "0123456789abcdef" {
		t.Fatalf("data %q", b)
	}
	// Past the cap: a 413, and nothing left behind.
	if _, err := fs.Put(ctx, "b", strings.NewReader("0123456789abcdefX"), 16); apierr.Status(err) != 413 {
		t.Fatalf("oversized put: %v", err)
	}
	if _, _, err := fs.Open(ctx, "b"); !errors.Is(err, apierr.ErrNotFound) {
		t.Fatalf("open after a failed put: %v", err)
	}
	// An interrupted write leaves a temporary file that RemoveTemp
	// removes; List never shows it.
	if err := os.WriteFile(filepath.Join(fs.Dir, ".tmp-c-1"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if ids, err := fs.List(); err != nil || len(ids) != 1 || ids[0] != "a" {
		t.Fatalf("list: %v %v", ids, err)
	}
	if err := fs.RemoveTemp(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(fs.Dir, ".tmp-c-1")); !os.IsNotExist(err) {
		t.Fatalf("temporary file left: %v", err)
	}
	// Ids cannot walk out of the directory.
	if p := fs.Path("../x"); filepath.Dir(p) != fs.Dir {
		t.Fatalf("path %s escapes %s", p, fs.Dir)
	}
	if err := fs.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := fs.Delete(ctx, "a"); err != nil {
		t.Fatalf("second delete: %v", err)
	}
}

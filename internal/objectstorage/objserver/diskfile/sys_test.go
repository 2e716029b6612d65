package diskfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestMkdirsCountsWhatItCreates(t *testing.T) {
	root := t.TempDir()
	tests := []struct {
		dir  string
		want int
	}{
		{"p/s/h", 3}, // partition, suffix and hash directory are new
		{"p/s/h", 0}, // an overwrite: all there
		{"p/s/h2", 1},
		{"p/s2/h", 2},
	}
	for _, tt := range tests {
		got, err := mkdirs(filepath.Join(root, tt.dir))
		if err != nil {
			t.Fatalf("mkdirs(%s): %v", tt.dir, err)
		}
		if got != tt.want {
			t.Errorf("mkdirs(%s) = %d, want %d", tt.dir, got, tt.want)
		}
		if st, err := os.Stat(filepath.Join(root, tt.dir)); err != nil || !st.IsDir() {
			t.Errorf("%s not a directory: %v", tt.dir, err)
		}
		// syncCreated walks up exactly as far as mkdirs created.
		if err := syncCreated(filepath.Join(root, tt.dir), got); err != nil {
			t.Errorf("syncCreated(%s, %d): %v", tt.dir, got, err)
		}
	}
	// A file where a parent belongs is an error, not a silent success.
	if err := os.WriteFile(filepath.Join(root, "f"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := mkdirs(filepath.Join(root, "f", "s", "h")); err == nil {
		t.Error("mkdirs under a file succeeded")
	}
	if err := syncDir(filepath.Join(root, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("syncDir of a missing directory: %v", err)
	}
}

func TestReadDirNamesReadsPastOneBuffer(t *testing.T) {
	dir := t.TempDir()
	var want []string
	// 300 names of ~40 bytes fill several 4 KiB getdents buffers.
	for i := range 300 {
		n := fmt.Sprintf("%032d.data", i)
		want = append(want, n)
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := readDirNames(dir)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("got %d names, want %d", len(got), len(want))
	}
	if _, err := readDirNames(filepath.Join(dir, want[0])); err == nil {
		t.Error("listing a file succeeded")
	}
	if _, err := readDirNames(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("listing a missing directory: %v", err)
	}
}

func TestCreateTempWritesAndIsUnique(t *testing.T) {
	dir := t.TempDir()
	seen := map[string]bool{}
	for range 50 {
		fd, path, err := createTemp(dir, ".obj-")
		if err != nil {
			t.Fatal(err)
		}
		if seen[path] || !strings.HasPrefix(filepath.Base(path), ".obj-") {
			t.Fatalf("bad or repeated temp name %s", path)
		}
		seen[path] = true
		if err := writeFD(fd, []byte("hello")); err != nil {
			t.Fatal(err)
		}
		closeFD(t, fd)
		if b, err := os.ReadFile(path); err != nil || string(b) != "hello" {
			t.Fatalf("read back %q, %v", b, err)
		}
	}
}

func closeFD(t *testing.T, fd int) {
	t.Helper()
	if err := os.NewFile(uintptr(fd), "").Close(); err != nil {
		t.Fatal(err)
	}
}

// TestRenameIntoRemadeDir: a hash directory removed between its mkdirs
// and the rename (the replicator's rehash takes empty ones) is made again
// and the file lands, as Swift's renamer retries.
func TestRenameIntoRemadeDir(t *testing.T) {
	root := t.TempDir()
	tmp := filepath.Join(root, "tmp-file")
	if err := os.WriteFile(tmp, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "objects", "1", "abc", "hash")
	n, err := renameInto(tmp, dir, "1.data")
	if err != nil {
		t.Fatalf("renameInto a directory that is gone: %v", err)
	}
	if n != 4 {
		t.Errorf("made %d directories, want 4", n)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "1.data")); err != nil || string(b) != "x" {
		t.Errorf("the file after the retry: %q, %v", b, err)
	}
	// A temp file that is itself gone is an error, not a loop.
	if _, err := renameInto(tmp, dir, "2.data"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("renameInto of a missing temp file: %v, want not-exist", err)
	}
}

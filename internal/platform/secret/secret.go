// Package secret keeps the random keys a cloud's processes share
// through its data directory: the console token key, the metadata
// proxy's shared secret.
package secret

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Size is the length of the keys LoadOrCreate makes.
const Size = 32

// LoadOrCreate returns the key stored at path, creating
// it (Size random bytes, mode 0600, its directory 0700) when the file
// does not exist. Creation is atomic: the key is written to a temporary
// file and linked into place, so processes starting together all end up
// with the one key that won. A file shorter than 16 bytes is an error
// rather than a weak key.
func LoadOrCreate(path string) ([]byte, error) {
	if key, err := readKey(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	key := make([]byte, Size)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(dir, ".key-*")
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file 0600 already; Chmod keeps that true
	// whatever the platform's default.
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("secret: %w", err)
	}
	if _, err := tmp.Write(key); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("secret: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("secret: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	// Link, unlike Rename, fails when another process created the key
	// first; then that key is the one to use.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readKey(path)
		}
		return nil, fmt.Errorf("secret: %w", err)
	}
	return key, nil
}

func readKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(key) < 16 {
		return nil, fmt.Errorf("secret %s: %d bytes, want at least 16", path, len(key))
	}
	return key, nil
}

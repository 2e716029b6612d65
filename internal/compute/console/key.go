package console

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// KeySize is the length of the keys LoadOrCreateKey makes.
const KeySize = 32

// LoadOrCreateKey returns the console token key stored at path, creating
// it (KeySize random bytes, mode 0600, its directory 0700) when the file
// does not exist. Creation is atomic: the key is written to a temporary
// file and linked into place, so processes starting together all end up
// with the one key that won. A file shorter than 16 bytes is an error
// rather than a weak key.
func LoadOrCreateKey(path string) ([]byte, error) {
	if key, err := readKey(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("console key: %w", err)
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(dir, ".console-key-*")
	if err != nil {
		return nil, fmt.Errorf("console key: %w", err)
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file 0600 already; Chmod keeps that true
	// whatever the platform's default.
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("console key: %w", err)
	}
	if _, err := tmp.Write(key); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("console key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("console key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("console key: %w", err)
	}
	// Link, unlike Rename, fails when another process created the key
	// first; then that key is the one to use.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readKey(path)
		}
		return nil, fmt.Errorf("console key: %w", err)
	}
	return key, nil
}

func readKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(key) < 16 {
		return nil, fmt.Errorf("console key %s: %d bytes, want at least 16", path, len(key))
	}
	return key, nil
}

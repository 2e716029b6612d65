// Package token holds gostack's Fernet tokens: the key set with
// Keystone's staged/primary/secondary semantics, kept in the shared
// database sealed with a secret key every API replica is given (Keyring;
// Keystone's on-disk layout — files named 0 for the staged key and 1..N,
// the highest being the primary key — is still read, to import a data
// dir's keys once), and the msgpack payloads sealed inside the tokens. Tokens are never stored; everything a token says is in its
// payload, and validation re-reads the rest (roles, enabled flags) from
// the database.
package token

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/fernet/fernet-go"
)

// newKeyText returns a fresh Fernet key as Keystone writes it: 32 random
// bytes, URL-safe base64 with padding.
func newKeyText() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.URLEncoding.EncodeToString(b), nil
}

// writeKey writes a key file atomically with mode 0600.
func writeKey(dir string, n int) error {
	k, err := newKeyText()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".key-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.WriteString(k); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, strconv.Itoa(n)))
}

// keyIndexes returns the numeric key file names in dir, ascending.
func keyIndexes(dir string) ([]int, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var idx []int
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		n, err := strconv.Atoi(e.Name())
		if err != nil || n < 0 {
			continue
		}
		idx = append(idx, n)
	}
	sort.Ints(idx)
	return idx, nil
}

// Setup creates the key repository dir (mode 0700) with a staged key (0)
// and a primary key (1) when it holds no keys yet, as keystone-manage
// fernet_setup does. An existing repository is left alone.
func Setup(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	idx, err := keyIndexes(dir)
	if err != nil {
		return err
	}
	if len(idx) > 0 {
		return nil
	}
	if err := writeKey(dir, 0); err != nil {
		return err
	}
	return writeKey(dir, 1)
}

// Rotate promotes the staged key to primary (the next highest number),
// writes a new staged key and removes the oldest secondary keys so that
// at most maxActive keys remain (staged and primary included), as
// keystone-manage fernet_rotate does.
func Rotate(dir string, maxActive int) error {
	if maxActive < 2 {
		maxActive = 2
	}
	idx, err := keyIndexes(dir)
	if err != nil {
		return err
	}
	if len(idx) == 0 || idx[0] != 0 {
		return fmt.Errorf("fernet key repository %s has no staged key; run setup first", dir)
	}
	next := idx[len(idx)-1] + 1
	if err := os.Rename(filepath.Join(dir, "0"), filepath.Join(dir, strconv.Itoa(next))); err != nil {
		return err
	}
	if err := writeKey(dir, 0); err != nil {
		return err
	}
	idx, err = keyIndexes(dir)
	if err != nil {
		return err
	}
	// idx[0] is the staged key; the secondaries are the lowest others.
	for len(idx) > maxActive {
		if err := os.Remove(filepath.Join(dir, strconv.Itoa(idx[1]))); err != nil {
			return err
		}
		idx = append(idx[:1], idx[2:]...)
	}
	return nil
}

// LoadKeys reads the keys in dir, the primary (highest number) first and
// the staged key last, the order in which validation tries them.
func LoadKeys(dir string) ([]*fernet.Key, error) {
	idx, err := keyIndexes(dir)
	if err != nil {
		return nil, err
	}
	if len(idx) == 0 {
		return nil, fmt.Errorf("no fernet keys in %s", dir)
	}
	var keys []*fernet.Key
	order := make([]int, 0, len(idx))
	for i := len(idx) - 1; i >= 0; i-- {
		if idx[i] != 0 {
			order = append(order, idx[i])
		}
	}
	if idx[0] == 0 {
		order = append(order, 0)
	}
	for _, n := range order {
		b, err := os.ReadFile(filepath.Join(dir, strconv.Itoa(n)))
		if err != nil {
			return nil, err
		}
		k, err := fernet.DecodeKey(strings.TrimSpace(string(b)))
		if err != nil {
			return nil, fmt.Errorf("fernet key %s/%d: %w", dir, n, err)
		}
		keys = append(keys, k)
	}
	if len(keys) == 1 && idx[0] == 0 {
		return nil, errors.New("fernet key repository holds only a staged key")
	}
	return keys, nil
}

package db

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/google/uuid"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// IsCorrupt reports whether err says a database file is damaged (not a
// database, malformed, or unreadable): such a file is quarantined and
// the replicator brings a good copy from a peer.
func IsCorrupt(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_IOERR:
		return true
	}
	return false
}

// Quarantine moves the directory of the database at path out of the
// way, to <device>/quarantined/<datadir>/<hash> (with a unique suffix if
// that exists), as Swift's quarantine_db. It returns where it went.
func Quarantine(c *Cache, path string) (string, error) {
	c.Forget(path)
	hashDir := filepath.Dir(path)
	datadir := filepath.Dir(filepath.Dir(filepath.Dir(hashDir)))
	device := filepath.Dir(datadir)
	dst := filepath.Join(device, "quarantined", filepath.Base(datadir), filepath.Base(hashDir))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	if _, err := os.Stat(dst); err == nil {
		dst += "-" + uuid.NewString()
	}
	return dst, os.Rename(hashDir, dst)
}

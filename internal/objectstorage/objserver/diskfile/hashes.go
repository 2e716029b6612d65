package diskfile

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The suffix hashes of a partition are the replicator's currency: two
// nodes whose hash of a suffix agree hold the same files for it. They are
// cached in <part>/hashes.json; a write invalidates its suffix by
// appending the suffix to <part>/hashes.invalid (cheap and append-only, so
// writers never rewrite the cache), and the next GetHashes folds those
// lines into the cache and rehashes just those suffixes — Swift's
// hashes.pkl and hashes.invalid.
const (
	hashesFile      = "hashes.json"
	invalidFile     = "hashes.invalid"
	partitionLockFn = ".lock"
)

// ValidSuffix reports whether s is a suffix directory name: three
// lowercase hex digits.
func ValidSuffix(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// lockDir takes an exclusive flock on dir's lock file, so that the object
// server, the replicator and the auditor (possibly other processes) agree
// on who touches hashes.json and hashes.invalid. The returned function
// releases it.
func lockDir(dir string) (func(), error) {
	fd, err := openFD(filepath.Join(dir, partitionLockFn), unix.O_CREAT|unix.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		err = unix.Flock(fd, unix.LOCK_EX)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		unix.Close(fd)
		return nil, &fs.PathError{Op: "flock", Path: filepath.Join(dir, partitionLockFn), Err: err}
	}
	return func() { unix.Close(fd) }, nil // closing the fd drops the flock
}

// invalidate records that the suffix directory suffixDir changed.
func invalidate(suffixDir string) error {
	partDir := filepath.Dir(suffixDir)
	unlock, err := lockDir(partDir)
	if err != nil {
		return err
	}
	defer unlock()
	fd, err := openFD(filepath.Join(partDir, invalidFile), unix.O_CREAT|unix.O_WRONLY|unix.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	err = writeFD(fd, []byte(filepath.Base(suffixDir)+"\n"))
	if cerr := unix.Close(fd); err == nil && cerr != nil {
		err = cerr
	}
	return err
}

// hashesState is hashes.json: suffix → md5 hex, "" for a suffix to
// rehash. valid is false when the file is missing or corrupt.
type hashesState struct {
	hashes map[string]string
	valid  bool
}

func readHashes(partDir string) hashesState {
	b, err := os.ReadFile(filepath.Join(partDir, hashesFile))
	if err != nil {
		return hashesState{hashes: map[string]string{}}
	}
	var h map[string]string
	if json.Unmarshal(b, &h) != nil {
		return hashesState{hashes: map[string]string{}}
	}
	for k := range h {
		if !ValidSuffix(k) {
			return hashesState{hashes: map[string]string{}}
		}
	}
	if h == nil {
		h = map[string]string{}
	}
	return hashesState{hashes: h, valid: true}
}

// writeHashes replaces hashes.json atomically. It is a cache that
// GetHashes rebuilds when missing, so it is not fsynced.
func writeHashes(partDir string, h map[string]string) error {
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(partDir, ".hashes-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(partDir, hashesFile)); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// consolidate folds hashes.invalid into hashes.json under the partition
// lock and returns the result.
func consolidate(partDir string) (hashesState, error) {
	unlock, err := lockDir(partDir)
	if err != nil {
		return hashesState{}, err
	}
	defer unlock()
	st := readHashes(partDir)
	b, err := os.ReadFile(filepath.Join(partDir, invalidFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return hashesState{}, err
	}
	if len(b) == 0 {
		return st, nil
	}
	for _, line := range strings.Split(string(b), "\n") {
		if s := strings.TrimSpace(line); ValidSuffix(s) {
			st.hashes[s] = ""
		}
	}
	if st.valid {
		if err := writeHashes(partDir, st.hashes); err != nil {
			return hashesState{}, err
		}
	}
	// The invalidations now live in hashes.json (or a full listing will
	// be made because it is not valid): clear the log.
	if err := os.Truncate(filepath.Join(partDir, invalidFile), 0); err != nil {
		return hashesState{}, err
	}
	return st, nil
}

// partHashes returns the suffix hashes of the partition directory
// partDir, rehashing the suffixes in recalc, those invalidated since the
// last call, and all of them when the cache is missing. It returns how
// many suffixes it hashed. A missing partition has no hashes.
func (m *Manager) partHashes(partDir string, recalc []string) (map[string]string, int, error) {
	if _, err := os.Stat(partDir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return map[string]string{}, 0, nil
		}
		return nil, 0, err
	}
	for attempt := 0; ; attempt++ {
		orig, err := consolidate(partDir)
		if err != nil {
			return nil, 0, err
		}
		hashes := maps.Clone(orig.hashes)
		modified := false
		if !orig.valid {
			names, err := readDirNames(partDir)
			if err != nil {
				return nil, 0, err
			}
			for _, n := range names {
				if ValidSuffix(n) {
					if _, ok := hashes[n]; !ok {
						hashes[n] = ""
					}
				}
			}
			modified = true
		}
		for _, s := range recalc {
			if ValidSuffix(s) {
				hashes[s] = ""
			}
		}
		hashed := 0
		for s, h := range hashes {
			if h != "" {
				continue
			}
			sum, err := m.hashSuffix(filepath.Join(partDir, s))
			switch {
			case errors.Is(err, errNoSuffix):
				delete(hashes, s)
			case err != nil:
				m.log().Error("hashing suffix", "dir", filepath.Join(partDir, s), "err", err)
				continue
			default:
				hashes[s] = sum
				hashed++
			}
			modified = true
		}
		if !modified {
			return hashes, hashed, nil
		}
		// Write the result only if nobody changed hashes.json while we
		// hashed; else start over (Swift's race detection). Invalidations
		// made meanwhile sit in hashes.invalid and are not lost.
		unlock, err := lockDir(partDir)
		if err != nil {
			return nil, 0, err
		}
		cur := readHashes(partDir)
		same := cur.valid == orig.valid && maps.Equal(cur.hashes, orig.hashes)
		if same {
			err = writeHashes(partDir, hashes)
		}
		unlock()
		if err != nil {
			return nil, 0, err
		}
		if same || attempt >= 10 {
			return hashes, hashed, nil
		}
	}
}

// errNoSuffix reports a suffix directory that does not exist (or was
// removed because it became empty).
var errNoSuffix = errors.New("no such suffix")

// hashSuffix cleans up every hash directory of the suffix directory dir
// and returns the md5 over what remains: for each hash directory in name
// order, the timestamp and extension of its .meta, its .ts, then its
// .data, as Swift's hash_suffix does. An empty suffix directory is
// removed.
func (m *Manager) hashSuffix(dir string) (string, error) {
	names, err := readDirNames(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return "", errNoSuffix
		}
		return "", err
	}
	slices.Sort(names)
	h := md5.New()
	now := time.Now()
	for _, n := range names {
		hashDir := filepath.Join(dir, n)
		s, left, err := cleanup(hashDir, m.reclaimAge(), now)
		if err != nil {
			if errors.Is(err, syscall.ENOTDIR) {
				// A file where a hash directory belongs: set it aside.
				if _, qerr := m.quarantineDir(hashDir); qerr != nil {
					return "", qerr
				}
				continue
			}
			return "", fmt.Errorf("cleaning %s: %w", hashDir, err)
		}
		if len(left) == 0 {
			continue
		}
		if s.Meta != nil {
			h.Write([]byte(s.Meta.Timestamp.Internal() + ExtMeta))
		}
		if s.Tombstone != nil {
			h.Write([]byte(s.Tombstone.Timestamp.Internal() + ExtTombstone))
		}
		if s.Data != nil {
			h.Write([]byte(s.Data.Timestamp.Internal() + ExtData))
		}
	}
	if err := os.Remove(dir); err == nil || errors.Is(err, fs.ErrNotExist) {
		return "", errNoSuffix
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

package diskfile

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/swift"
	"golang.org/x/sys/unix"
)

// AsyncUpdate is a container update that could not be made when the
// object changed, kept in async_pending for the updater (Swift pickles
// the same fields).
type AsyncUpdate struct {
	Op        string            `json:"op"`
	Account   string            `json:"account"`
	Container string            `json:"container"`
	Obj       string            `json:"obj"`
	Headers   map[string]string `json:"headers"`
	// ContainerPath, when set, is the account/container the update goes
	// to instead of Account/Container (a redirect, a shard).
	ContainerPath string `json:"container_path,omitempty"`
	// Successes lists the container nodes ("ip:port/device") that have
	// already taken the update, so a retry skips them.
	Successes []string `json:"successes,omitempty"`
}

// SaveAsync stores upd for the updater in
// <device>/async_pending/<suffix>/<hash>-<ts>, durably.
func (m *Manager) SaveAsync(device string, policy int, upd AsyncUpdate, ts swift.Timestamp) error {
	dev, err := m.DevicePath(device)
	if err != nil {
		return err
	}
	h := m.HashPath(upd.Account, upd.Container, upd.Obj)
	dir := filepath.Join(dev, AsyncDir(policy), h[len(h)-3:])
	return writeFileDurable(dir, filepath.Join(dev, TmpDir(policy)), h+"-"+ts.Internal(), upd)
}

// RewriteAsync replaces the pending update at path (after some of its
// container nodes took it).
func (m *Manager) RewriteAsync(path string, upd AsyncUpdate) error {
	dev := filepath.Dir(filepath.Dir(filepath.Dir(path)))
	return writeFileDurable(filepath.Dir(path), filepath.Join(dev, TmpDir(0)), filepath.Base(path), upd)
}

// LoadAsync reads a pending update.
func LoadAsync(path string) (AsyncUpdate, error) {
	var upd AsyncUpdate
	b, err := os.ReadFile(path)
	if err != nil {
		return upd, err
	}
	err = json.Unmarshal(b, &upd)
	return upd, err
}

// writeFileDurable writes v as JSON to dir/name through a temp file in
// tmpDir: fsync, rename, fsync dir.
func writeFileDurable(dir, tmpDir, name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(tmpDir, 0o755); err != nil {
		return diskErr(err)
	}
	tmp, err := os.CreateTemp(tmpDir, ".async-*")
	if err != nil {
		return diskErr(err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(b); err != nil {
		return diskErr(err)
	}
	if err := unix.Fdatasync(int(tmp.Fd())); err != nil {
		return diskErr(err)
	}
	if err := tmp.Close(); err != nil {
		return diskErr(err)
	}
	created, err := mkdirs(dir)
	if err != nil {
		return diskErr(err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return diskErr(err)
	}
	ok = true
	return syncCreated(dir, created)
}

// Location is one object hash directory found by a walk.
type Location struct {
	Device    string
	Policy    int
	Partition string
	Hash      string
	Dir       string
}

// Partitions lists the partition directories of a device.
func (m *Manager) Partitions(device string, policy int) ([]string, error) {
	dev, err := m.DevicePath(device)
	if err != nil {
		return nil, err
	}
	names, err := readDirNames(filepath.Join(dev, DataDir(policy)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	var out []string
	for _, n := range names {
		if isDigits(n) {
			out = append(out, n)
		}
	}
	return out, err
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Walk calls fn for every object hash directory of a device's policy,
// partition by partition; fn's error stops the walk.
func (m *Manager) Walk(device string, policy int, fn func(Location) error) error {
	parts, err := m.Partitions(device, policy)
	if err != nil {
		return err
	}
	for _, p := range parts {
		if err := m.WalkPartition(device, policy, p, nil, fn); err != nil {
			return err
		}
	}
	return nil
}

// WalkPartition calls fn for every object hash directory of a partition,
// only in the given suffixes when suffixes is not nil.
func (m *Manager) WalkPartition(device string, policy int, partition string, suffixes []string, fn func(Location) error) error {
	partDir, err := m.PartitionDir(device, policy, partition)
	if err != nil {
		return err
	}
	if suffixes == nil {
		names, err := readDirNames(partDir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		for _, n := range names {
			if ValidSuffix(n) {
				suffixes = append(suffixes, n)
			}
		}
	}
	for _, s := range suffixes {
		hashes, err := readDirNames(filepath.Join(partDir, s))
		if err != nil {
			continue // gone or not a directory: nothing to walk
		}
		for _, h := range hashes {
			if len(h) != 32 {
				continue
			}
			loc := Location{Device: device, Policy: policy, Partition: partition, Hash: h, Dir: filepath.Join(partDir, s, h)}
			if err := fn(loc); err != nil {
				return err
			}
		}
	}
	return nil
}

// Cleanup cleans up an object hash directory as a write would (removing
// superseded files and reclaiming old tombstones) and returns what
// remains.
func (m *Manager) Cleanup(dir string) (Set, error) {
	s, _, err := cleanup(dir, m.reclaimAge(), time.Now())
	return s, err
}

// QuarantineDir moves an object hash directory to quarantine.
func (m *Manager) QuarantineDir(dir string) (string, error) { return m.quarantineDir(dir) }

// CleanTmp removes files older than maxAge from a device's tmp
// directory: writes a crash interrupted before their rename. It returns
// how many it removed.
func (m *Manager) CleanTmp(device string, policy int, maxAge time.Duration) (int, error) {
	dev, err := m.DevicePath(device)
	if err != nil {
		return 0, err
	}
	dir := filepath.Join(dev, TmpDir(policy))
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	cutoff := time.Now().Add(-maxAge)
	n := 0
	for _, e := range ents {
		fi, err := e.Info()
		if err != nil || fi.IsDir() || fi.ModTime().After(cutoff) {
			continue
		}
		if os.Remove(filepath.Join(dir, e.Name())) == nil {
			n++
		}
	}
	return n, nil
}

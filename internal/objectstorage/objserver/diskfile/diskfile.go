// Package diskfile keeps Swift objects on the devices of a storage node,
// in Swift's layout:
//
//	<devices>/<device>/objects/<partition>/<suffix>/<hash>/<timestamp>.data|.meta|.ts
//	<devices>/<device>/objects/<partition>/hashes.json, hashes.invalid
//	<devices>/<device>/async_pending/<suffix>/<hash>-<timestamp>
//	<devices>/<device>/quarantined/objects/<hash>
//	<devices>/<device>/tmp/
//
// The hash is the md5 of the object's /account/container/object path with
// the cluster's hash path prefix and suffix; the suffix directory is its
// last three hex digits. Each file carries its metadata in a trailer (see
// format.go). Every write goes to tmp/, is fsynced, renamed into the hash
// directory (whose directory entry is then fsynced), and the hash
// directory is cleaned of what the new file supersedes, so a crash at any
// point leaves either the old state or the new one. Policy 0 uses
// "objects"; policy N would use "objects-N".
package diskfile

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/swift"
	"golang.org/x/sys/unix"
)

// DefaultReclaimAge is how long tombstones are kept: Swift's one week.
const DefaultReclaimAge = 7 * 24 * time.Hour

// Config says where the devices are and how to treat them.
type Config struct {
	// Devices is the directory holding one directory per device.
	Devices string
	// MountCheck refuses a device directory that is not a mount point,
	// so a failed disk is not silently replaced by the root file system.
	MountCheck bool
	// ReclaimAge is how long a tombstone lives; zero means a week.
	ReclaimAge time.Duration
	// HashPrefix and HashSuffix are swift.conf's swift_hash_path_prefix
	// and swift_hash_path_suffix.
	HashPrefix, HashSuffix string
	Log                    *slog.Logger
}

// Manager gives access to the objects of a node's devices. It is safe
// for concurrent use; cross-process coordination goes through flocks.
type Manager struct {
	cfg  Config
	bufs sync.Pool
}

// New returns a Manager for cfg.
func New(cfg Config) *Manager {
	return &Manager{cfg: cfg, bufs: sync.Pool{New: func() any {
		b := make([]byte, 0, writeBufSize)
		return &b
	}}}
}

// Config returns the manager's configuration.
func (m *Manager) Config() Config { return m.cfg }

func (m *Manager) log() *slog.Logger {
	if m.cfg.Log == nil {
		return slog.Default()
	}
	return m.cfg.Log
}

func (m *Manager) reclaimAge() time.Duration {
	if m.cfg.ReclaimAge <= 0 {
		return DefaultReclaimAge
	}
	return m.cfg.ReclaimAge
}

// ReclaimAge returns how long tombstones are kept.
func (m *Manager) ReclaimAge() time.Duration { return m.reclaimAge() }

// policyDir names a per-policy directory: "base" for policy 0,
// "base-N" for policy N.
func policyDir(base string, policy int) string {
	if policy == 0 {
		return base
	}
	return base + "-" + strconv.Itoa(policy)
}

// DataDir is the directory of a device holding a policy's objects.
func DataDir(policy int) string { return policyDir("objects", policy) }

// AsyncDir is the directory of a device holding a policy's pending
// container updates.
func AsyncDir(policy int) string { return policyDir("async_pending", policy) }

// TmpDir is the directory of a device where files are written before
// they are renamed into place.
func TmpDir(policy int) string { return policyDir("tmp", policy) }

// Errors of the device and object state. The object server maps them to
// Swift's statuses.
var (
	// ErrDeviceUnavailable: the device directory is missing (or not a
	// mount point with MountCheck): 507.
	ErrDeviceUnavailable = errors.New("device unavailable")
	// ErrNotExist: no .data for the object: 404.
	ErrNotExist = errors.New("object does not exist")
	// ErrCollision: the path stored with the file is not the one asked
	// for (an md5 collision or a bug): 403.
	ErrCollision = errors.New("client path does not match path stored in object metadata")
	// ErrStateChanged: the files changed while they were being opened:
	// 503, the client retries.
	ErrStateChanged = errors.New("object files changed while being read")
	// ErrNoSpace: the device is full: 507.
	ErrNoSpace = errors.New("no space left on device")
)

// DeletedError reports an object whose newest file is a tombstone.
type DeletedError struct {
	Timestamp swift.Timestamp
	Metadata  Metadata
}

func (e *DeletedError) Error() string { return "object deleted at " + e.Timestamp.Internal() }

// Unwrap makes a deleted object a missing one for errors.Is.
func (e *DeletedError) Unwrap() error { return ErrNotExist }

// ExpiredError reports an object whose X-Delete-At has passed.
type ExpiredError struct {
	Timestamp swift.Timestamp
	Metadata  Metadata
}

func (e *ExpiredError) Error() string { return "object expired" }

// Unwrap makes an expired object a missing one for errors.Is.
func (e *ExpiredError) Unwrap() error { return ErrNotExist }

// QuarantinedError reports an object that was found damaged while being
// opened and moved to quarantine.
type QuarantinedError struct{ Reason string }

func (e *QuarantinedError) Error() string { return "object quarantined: " + e.Reason }

// Unwrap makes a quarantined object a missing one for errors.Is.
func (e *QuarantinedError) Unwrap() error { return ErrNotExist }

// DevicePath returns the directory of device, or ErrDeviceUnavailable.
func (m *Manager) DevicePath(device string) (string, error) {
	if device == "" || device == "." || device == ".." || strings.ContainsRune(device, '/') {
		return "", ErrDeviceUnavailable
	}
	p := filepath.Join(m.cfg.Devices, device)
	st, err := os.Stat(p)
	if err != nil || !st.IsDir() {
		return "", ErrDeviceUnavailable
	}
	if m.cfg.MountCheck && !isMount(p, st) {
		return "", ErrDeviceUnavailable
	}
	return p, nil
}

// isMount reports whether p is a mount point: its device differs from its
// parent's, or it is its parent's inode (the root).
func isMount(p string, st os.FileInfo) bool {
	pst, err := os.Stat(filepath.Dir(p))
	if err != nil {
		return false
	}
	a, ok1 := st.Sys().(*syscall.Stat_t)
	b, ok2 := pst.Sys().(*syscall.Stat_t)
	if !ok1 || !ok2 {
		return false
	}
	return a.Dev != b.Dev || a.Ino == b.Ino
}

// Devices lists the device directories under the devices root.
func (m *Manager) Devices() ([]string, error) {
	ents, err := os.ReadDir(m.cfg.Devices)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			if _, err := m.DevicePath(e.Name()); err == nil {
				out = append(out, e.Name())
			}
		}
	}
	return out, nil
}

// HashPath returns the object hash of /account/container/object.
func (m *Manager) HashPath(account, container, obj string) string {
	return swift.HashPath(m.cfg.HashPrefix, m.cfg.HashSuffix, account, container, obj)
}

// hashOfName returns the hash of a stored "name" (/a/c/o).
func (m *Manager) hashOfName(name string) (string, bool) {
	parts := strings.SplitN(strings.TrimPrefix(name, "/"), "/", 3)
	if len(parts) != 3 {
		return "", false
	}
	return m.HashPath(parts[0], parts[1], parts[2]), true
}

// PartitionDir returns the directory of a partition of a device.
func (m *Manager) PartitionDir(device string, policy int, partition string) (string, error) {
	dev, err := m.DevicePath(device)
	if err != nil {
		return "", err
	}
	return filepath.Join(dev, DataDir(policy), partition), nil
}

// GetHashes returns the suffix hashes of a partition, rehashing the
// suffixes in recalc and those changed since the last call.
func (m *Manager) GetHashes(device string, policy int, partition string, recalc []string) (map[string]string, error) {
	dir, err := m.PartitionDir(device, policy, partition)
	if err != nil {
		return nil, err
	}
	h, _, err := m.partHashes(dir, recalc)
	return h, err
}

// InvalidateSuffix marks a suffix of a partition for rehashing.
func (m *Manager) InvalidateSuffix(device string, policy int, partition, suffix string) error {
	dir, err := m.PartitionDir(device, policy, partition)
	if err != nil {
		return err
	}
	if !ValidSuffix(suffix) {
		return nil
	}
	if _, err := os.Stat(dir); err != nil {
		return nil // nothing to invalidate in a partition that is not here
	}
	return invalidate(filepath.Join(dir, suffix))
}

// Object is one object's place on a device.
type Object struct {
	m         *Manager
	device    string
	devPath   string
	policy    int
	partition string
	name      string // "/a/c/o"; empty when built from a hash
	hash      string
	dir       string
}

// Object returns the object a/c/o in partition of device.
func (m *Manager) Object(device, partition string, policy int, account, container, obj string) (*Object, error) {
	dev, err := m.DevicePath(device)
	if err != nil {
		return nil, err
	}
	h := m.HashPath(account, container, obj)
	return &Object{
		m: m, device: device, devPath: dev, policy: policy, partition: partition,
		name: "/" + account + "/" + container + "/" + obj,
		hash: h,
		dir:  filepath.Join(dev, DataDir(policy), partition, h[len(h)-3:], h),
	}, nil
}

// ObjectFromHash returns the object whose hash directory is hash; its
// name comes from the metadata when it is opened.
func (m *Manager) ObjectFromHash(device, partition string, policy int, hash string) (*Object, error) {
	dev, err := m.DevicePath(device)
	if err != nil {
		return nil, err
	}
	if len(hash) < 3 {
		return nil, fmt.Errorf("bad object hash %q", hash)
	}
	return &Object{
		m: m, device: device, devPath: dev, policy: policy, partition: partition,
		hash: hash,
		dir:  filepath.Join(dev, DataDir(policy), partition, hash[len(hash)-3:], hash),
	}, nil
}

// Hash returns the object's hash.
func (o *Object) Hash() string { return o.hash }

// Dir returns the object's hash directory.
func (o *Object) Dir() string { return o.dir }

// Name returns the object's /a/c/o path ("" when built from a hash and
// not yet opened).
func (o *Object) Name() string { return o.name }

// Files returns the object's current files without changing anything.
func (o *Object) Files() (Set, error) {
	names, err := readDirNames(o.dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Set{}, nil
		}
		return Set{}, err
	}
	return selectFiles(names), nil
}

// ReadFile reads the metadata of one of the object's files.
func (o *Object) ReadFile(fi FileInfo) (Metadata, error) {
	m, _, err := ReadFileMetadata(filepath.Join(o.dir, fi.Name))
	return m, err
}

// Opened is an object opened for reading: its .data file and the
// metadata of its .data merged with that of its newer .meta.
type Opened struct {
	o    *Object
	file *os.File
	path string
	// Metadata is what a GET or HEAD shows: the .meta's user metadata
	// over the .data's content and system metadata.
	Metadata Metadata
	// DataMetadata is the .data's own metadata.
	DataMetadata Metadata
	// MetaMetadata is the .meta's metadata (nil without one).
	MetaMetadata  Metadata
	DataTimestamp swift.Timestamp
	// Timestamp is the newest of the .data and .meta timestamps.
	Timestamp swift.Timestamp
	// Size is the body's length.
	Size int64
}

// File returns the open .data file; the body is its first Size bytes.
func (f *Opened) File() *os.File { return f.file }

// Close closes the .data file.
func (f *Opened) Close() error {
	if f.file == nil {
		return nil
	}
	err := f.file.Close()
	f.file = nil
	return err
}

// Quarantine moves the object's hash directory to quarantine because its
// data failed a check (e.g. an md5 mismatch found while serving it).
func (f *Opened) Quarantine(reason string) error {
	f.o.m.log().Warn("quarantining object", "path", f.path, "reason", reason)
	_, err := f.o.m.quarantineDir(f.o.dir)
	return err
}

// Open opens the object as of now. openExpired opens an object whose
// X-Delete-At has passed (X-Backend-Open-Expired).
func (o *Object) Open(now time.Time, openExpired bool) (*Opened, error) {
	for range 3 {
		f, err := o.open(now, openExpired)
		if !errors.Is(err, ErrStateChanged) {
			return f, err
		}
	}
	return nil, ErrStateChanged
}

func (o *Object) open(now time.Time, openExpired bool) (*Opened, error) {
	names, err := readDirNames(o.dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, ErrNotExist
	case errors.Is(err, syscall.ENOTDIR):
		return nil, o.quarantine("expected directory, found file at " + o.dir)
	case err != nil:
		return nil, err
	}
	s := selectFiles(names)
	if s.Data == nil {
		if s.Tombstone == nil {
			return nil, ErrNotExist
		}
		md, err := o.ReadFile(*s.Tombstone)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, ErrStateChanged
		}
		if err != nil {
			// A damaged tombstone is set aside and the object is absent.
			_ = o.quarantine("bad tombstone: " + err.Error())
			return nil, ErrNotExist
		}
		return nil, &DeletedError{Timestamp: s.Tombstone.Timestamp, Metadata: md}
	}
	path := filepath.Join(o.dir, s.Data.Name)
	fd, err := openFD(path, unix.O_RDONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrStateChanged
	}
	if err != nil {
		return nil, err
	}
	file := os.NewFile(uintptr(fd), path) // not polled: see sys.go
	f, err := o.load(file, path, s, now, openExpired)
	if err != nil {
		file.Close()
		return nil, err
	}
	return f, nil
}

// datafileOnly are the .data metadata a POST cannot change (Swift's
// RESERVED_DATAFILE_META and DATAFILE_SYSTEM_META), lowercased.
var datafileOnly = map[string]bool{"content-length": true, "deleted": true, "etag": true, "x-static-large-object": true}

func (o *Object) load(file *os.File, path string, s Set, now time.Time, openExpired bool) (*Opened, error) {
	st, err := file.Stat()
	if err != nil {
		return nil, o.quarantine("not stat-able: " + err.Error())
	}
	dmd, bodyLen, err := readTrailer(file, st.Size())
	if err != nil {
		return nil, o.quarantine(err.Error())
	}
	f := &Opened{
		o: o, file: file, path: path,
		DataMetadata: dmd, DataTimestamp: s.Data.Timestamp, Timestamp: s.Data.Timestamp,
	}
	if s.Meta != nil {
		mmd, err := o.ReadFile(*s.Meta)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, ErrStateChanged
		}
		if err != nil {
			return nil, o.quarantine(err.Error())
		}
		delete(mmd, "name")
		f.MetaMetadata = mmd
		f.Timestamp = s.Meta.Timestamp
		merged := make(Metadata, len(mmd)+8)
		for k, v := range mmd {
			merged[k] = v
		}
		for k, v := range dmd {
			lk := strings.ToLower(k)
			if datafileOnly[lk] || strings.HasPrefix(lk, "x-object-sysmeta-") || k == "name" {
				merged[k] = v
			}
		}
		if ct, ok := dmd["Content-Type"]; ok {
			cts, err := swift.ParseTimestamp(mmd["Content-Type-Timestamp"])
			if err != nil || s.Data.Timestamp.After(cts) {
				merged["Content-Type"] = ct
				delete(merged, "Content-Type-Timestamp")
			}
		}
		f.Metadata = merged
	} else {
		f.Metadata = dmd
	}
	md := f.Metadata
	name, ok := md["name"]
	if !ok {
		return nil, o.quarantine("missing name metadata")
	}
	if o.name == "" {
		h, ok := o.m.hashOfName(name)
		if !ok || h != o.hash {
			return nil, o.quarantine("hash of name in metadata does not match directory name")
		}
		o.name = name
	} else if name != o.name {
		o.m.log().Error("client path does not match path stored in object metadata", "client", o.name, "meta", name)
		return nil, ErrCollision
	}
	if v, ok := md["X-Delete-At"]; ok {
		at, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, o.quarantine("bad metadata x-delete-at value " + v)
		}
		if at <= now.Unix() && !openExpired {
			ts, _ := swift.ParseTimestamp(md["X-Timestamp"])
			return nil, &ExpiredError{Timestamp: ts, Metadata: md}
		}
	}
	cl, ok := md["Content-Length"]
	if !ok {
		return nil, o.quarantine("missing content-length in metadata")
	}
	size, err := strconv.ParseInt(cl, 10, 64)
	if err != nil {
		return nil, o.quarantine("bad metadata content-length value " + cl)
	}
	if size != bodyLen {
		return nil, o.quarantine(fmt.Sprintf("metadata content-length %d does not match actual object size %d", size, bodyLen))
	}
	f.Size = size
	return f, nil
}

// quarantine moves the object's hash directory aside and returns the
// error to report.
func (o *Object) quarantine(reason string) error {
	o.m.log().Warn("quarantining object", "dir", o.dir, "reason", reason)
	if _, err := o.m.quarantineDir(o.dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return &QuarantinedError{Reason: reason}
}

// quarantineDir moves the hash directory dir (.../objects/<part>/<suffix>/
// <hash>) to <device>/quarantined/objects/<hash>, with a unique suffix if
// one is there already, and invalidates its suffix so the replicator
// brings a good copy back. It returns the new path.
func (m *Manager) quarantineDir(dir string) (string, error) {
	suffixDir := filepath.Dir(dir)
	partDir := filepath.Dir(suffixDir)
	dataDir := filepath.Dir(partDir)
	devPath := filepath.Dir(dataDir)
	qdir := filepath.Join(devPath, "quarantined", filepath.Base(dataDir))
	if err := os.MkdirAll(qdir, 0o755); err != nil {
		return "", err
	}
	to := filepath.Join(qdir, filepath.Base(dir))
	if _, err := os.Lstat(to); err == nil {
		to += "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	if err := os.Rename(dir, to); err != nil {
		return "", err
	}
	if err := invalidate(suffixDir); err != nil {
		m.log().Error("invalidating suffix after quarantine", "dir", suffixDir, "err", err)
	}
	return to, nil
}

// writeBufSize is how much of a body a Writer gathers before writing:
// a small object is written with its trailer in one system call.
const writeBufSize = 64 << 10

// Writer writes a new file of an object: Write the body, then Put.
type Writer struct {
	o     *Object
	fd    int    // the temp file, open for writing; -1 once closed
	tmp   string // its path
	buf   *[]byte
	md5   hash.Hash
	n     int64
	done  bool
	ioErr error
}

// Create starts a new file for the object in the device's tmp directory.
func (o *Object) Create() (*Writer, error) {
	tmpDir := filepath.Join(o.devPath, TmpDir(o.policy))
	fd, tmp, err := createTemp(tmpDir, ".obj-")
	if errors.Is(err, fs.ErrNotExist) {
		if err = os.MkdirAll(tmpDir, 0o755); err == nil {
			fd, tmp, err = createTemp(tmpDir, ".obj-")
		}
	}
	if err != nil {
		return nil, diskErr(err)
	}
	return &Writer{o: o, fd: fd, tmp: tmp, buf: o.m.bufs.Get().(*[]byte), md5: md5.New()}, nil
}

// diskErr maps ENOSPC (and EDQUOT) to ErrNoSpace.
func diskErr(err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return fmt.Errorf("%w: %v", ErrNoSpace, err)
	}
	return err
}

// Write appends p to the body.
func (w *Writer) Write(p []byte) (int, error) {
	if w.ioErr != nil {
		return 0, w.ioErr
	}
	w.md5.Write(p)
	w.n += int64(len(p))
	b := *w.buf
	if len(b)+len(p) <= cap(b) {
		*w.buf = append(b, p...)
		return len(p), nil
	}
	if err := w.flush(); err != nil {
		return 0, err
	}
	if len(p) >= cap(b) {
		if err := writeFD(w.fd, p); err != nil {
			w.ioErr = diskErr(err)
			return 0, w.ioErr
		}
		return len(p), nil
	}
	*w.buf = append((*w.buf)[:0], p...)
	return len(p), nil
}

func (w *Writer) flush() error {
	if len(*w.buf) == 0 {
		return nil
	}
	err := writeFD(w.fd, *w.buf)
	*w.buf = (*w.buf)[:0]
	if err != nil {
		w.ioErr = diskErr(err)
	}
	return w.ioErr
}

// Size returns the number of body bytes written.
func (w *Writer) Size() int64 { return w.n }

// ETag returns the md5 hex of the body written.
func (w *Writer) ETag() string { return hex.EncodeToString(w.md5.Sum(nil)) }

// Put finishes the file as ext (ExtData, ExtMeta or ExtTombstone) with
// metadata md (which must hold X-Timestamp; "name" is added), makes it
// durable, moves it into the object's hash directory and removes the
// files it supersedes.
func (w *Writer) Put(md Metadata, ext string) error {
	if w.done {
		return errors.New("diskfile: Put after Put or Close")
	}
	ts, err := swift.ParseTimestamp(md["X-Timestamp"])
	if err != nil {
		return fmt.Errorf("diskfile: metadata X-Timestamp: %w", err)
	}
	if w.o.name == "" {
		return errors.New("diskfile: writing an object whose name is unknown")
	}
	md["name"] = w.o.name
	if w.ioErr != nil {
		return w.ioErr
	}
	if *w.buf, err = appendTrailer(*w.buf, md); err != nil {
		return err
	}
	if err := w.flush(); err != nil {
		return err
	}
	if err := unix.Fdatasync(w.fd); err != nil {
		return diskErr(err)
	}
	err = unix.Close(w.fd)
	w.fd = -1
	if err != nil {
		return diskErr(err)
	}
	w.done = true
	tmp := w.tmp
	w.release()
	if err := w.o.install(tmp, FileName(ts, ext)); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// install moves the finished temp file into the hash directory as name.
// The fsyncs are Swift's (renamer with fsync): the hash directory after
// the rename, and the parent of every directory this write created. They
// come after all the directory changes, so that a file system with a
// journal commits those changes once for all of them.
func (o *Object) install(tmp, name string) error {
	created, err := mkdirs(o.dir)
	if err != nil {
		return diskErr(err)
	}
	// Invalidate before the rename: a crash between the two leaves a
	// suffix rehashed for nothing, never a change the replicator misses.
	if err := invalidate(filepath.Dir(o.dir)); err != nil {
		return diskErr(err)
	}
	again, err := renameInto(tmp, o.dir, name)
	if err != nil {
		return diskErr(err)
	}
	created += again
	if err := syncCreated(o.dir, created); err != nil {
		return err
	}
	if created > 0 && strings.HasSuffix(name, ExtData) {
		// A hash directory this write made holds nothing for cleanup to
		// remove: this .data (which, unlike an old tombstone or an
		// orphan .meta, is never reclaimable by itself), and at most the
		// file of a concurrent write of the same object, which that
		// write's cleanup or the rehash of the suffix both invalidated
		// removes.
		return nil
	}
	if _, _, err := cleanup(o.dir, o.m.reclaimAge(), time.Now()); err != nil {
		o.m.log().Error("cleaning up object directory", "dir", o.dir, "err", err)
	}
	return nil
}

func (w *Writer) release() {
	if w.buf != nil {
		*w.buf = (*w.buf)[:0]
		w.o.m.bufs.Put(w.buf)
		w.buf = nil
	}
}

// Close abandons a file that was not Put, removing its temp file. It is
// safe to call after Put.
func (w *Writer) Close() error {
	if w.done {
		return nil
	}
	w.done = true
	w.release()
	unix.Close(w.fd)
	w.fd = -1
	return os.Remove(w.tmp)
}

// WriteMetadata writes a .meta file (a POST's metadata).
func (o *Object) WriteMetadata(md Metadata) error {
	w, err := o.Create()
	if err != nil {
		return err
	}
	defer w.Close()
	return w.Put(md, ExtMeta)
}

// Delete writes a tombstone at ts, removing the older files.
func (o *Object) Delete(ts swift.Timestamp) error {
	w, err := o.Create()
	if err != nil {
		return err
	}
	defer w.Close()
	return w.Put(Metadata{"X-Timestamp": ts.Internal()}, ExtTombstone)
}

// renameInto renames tmp to dir/name. A suffix rehash removes empty hash
// directories, dir too between its mkdirs and the rename: then, as
// Swift's renamer, it makes them again and retries once. It returns how
// many directories it made.
func renameInto(tmp, dir, name string) (int, error) {
	err := os.Rename(tmp, filepath.Join(dir, name))
	if !errors.Is(err, fs.ErrNotExist) {
		return 0, err
	}
	if _, serr := os.Stat(tmp); serr != nil {
		return 0, err
	}
	created, merr := mkdirs(dir)
	if merr != nil {
		return 0, merr
	}
	return created, os.Rename(tmp, filepath.Join(dir, name))
}

package instdir

import (
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// The console log's size cap. QEMU appends the guest's serial output to
// console.log for as long as the guest runs, and the guest runs on when
// the agent stops, so QEMU keeps the file open and nothing of ours can
// sit between it and the file. The driver trims the file instead
// (TrimConsole) whenever it passes ConsoleMax, keeping the newest
// ConsoleKeep bytes or a little more, as libvirt's virtlogd rotates the
// console logs of Nova's guests at a size cap.
const (
	ConsoleMax  = 256 << 10
	ConsoleKeep = 128 << 10
)

// Console returns the last maxBytes (all when maxBytes <= 0) of the
// console log of the instance directory dir, where QEMU writes the
// guest's first serial port, continued from what TrimConsole kept in
// ConsoleOld when it had to empty the file; nothing when the guest never
// ran.
func Console(dir string, maxBytes int) ([]byte, error) {
	cur, err := tail(filepath.Join(dir, ConsoleLog), maxBytes)
	if err != nil || (maxBytes > 0 && len(cur) >= maxBytes) {
		return cur, err
	}
	more := 0
	if maxBytes > 0 {
		more = maxBytes - len(cur)
	}
	old, err := tail(filepath.Join(dir, ConsoleOld), more)
	if err != nil || len(old) == 0 {
		return cur, err
	}
	return append(old, cur...), nil
}

// tail returns the last maxBytes (all when maxBytes <= 0) of the file at
// path; nothing when there is no such file.
func tail(path string, maxBytes int) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return []byte{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	off := int64(0)
	if maxBytes > 0 && fi.Size() > int64(maxBytes) {
		off = fi.Size() - int64(maxBytes)
	}
	buf := make([]byte, fi.Size()-off)
	n, err := f.ReadAt(buf, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf[:n], nil
}

// TrimConsole cuts the console log of the instance directory dir down
// to its newest ConsoleKeep bytes (rounded up to the file system's
// block) once it is larger than ConsoleMax. QEMU may be writing to it
// meanwhile, which works because QEMU opens it for appending: each of
// its writes goes to the end of the file as it is then.
//
// The cut removes the file's head in place (fallocate's collapse range,
// on ext4 and XFS), which loses nothing QEMU writes. Where the file
// system cannot do that, the newest bytes are copied to ConsoleOld and
// the file is emptied: what QEMU writes between the copy and the
// truncation, a few microseconds, is lost.
func TrimConsole(dir string) error { return trimConsole(dir, collapse) }

// collapse removes the first n bytes of f, a multiple of its file
// system's block size.
func collapse(f *os.File, n int64) error {
	return unix.Fallocate(int(f.Fd()), unix.FALLOC_FL_COLLAPSE_RANGE, 0, n)
}

func trimConsole(dir string, cut func(f *os.File, n int64) error) error {
	path := filepath.Join(dir, ConsoleLog)
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil || fi.Size() <= ConsoleMax {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	var st unix.Statfs_t
	if err := unix.Fstatfs(int(f.Fd()), &st); err != nil {
		return err
	}
	block := max(st.Bsize, 512)
	if n := (fi.Size() - ConsoleKeep) / block * block; n > 0 {
		err := cut(f, n)
		if err == nil || !errors.Is(err, unix.EOPNOTSUPP) && !errors.Is(err, unix.EINVAL) {
			return err
		}
	}
	// No collapse here (tmpfs, btrfs, NFS…): keep the tail beside the
	// file, then empty it. Console reads the two as one.
	kept, err := tail(path, ConsoleKeep)
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, ConsoleOld+".tmp")
	if err := os.WriteFile(tmp, kept, 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, ConsoleOld)); err != nil {
		return err
	}
	return f.Truncate(0)
}

// ClearConsole removes what the console log holds, as a rebuild starts
// the guest's console afresh.
func ClearConsole(dir string) {
	os.Truncate(filepath.Join(dir, ConsoleLog), 0)
	os.Remove(filepath.Join(dir, ConsoleOld))
}

// Trimmer keeps the console logs of instance directories under their
// cap: at once when it starts, for the logs that running guests grew
// while no agent watched them, then every Every. A guest writing to its
// serial port as fast as it can takes its log a few megabytes past the
// cap at most between two trims.
type Trimmer struct {
	Dirs  func() []string // the instance directories, asked each time
	Every time.Duration
	Log   *slog.Logger
}

// Run trims until stop is closed.
func (t Trimmer) Run(stop <-chan struct{}) {
	tick := time.NewTicker(t.Every)
	defer tick.Stop()
	for {
		for _, dir := range t.Dirs() {
			// A directory removed meanwhile (a destroy) has no log to trim.
			if err := TrimConsole(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
				t.Log.Warn("qemu: trimming the console log", "dir", dir, "err", err)
			}
		}
		select {
		case <-stop:
			return
		case <-tick.C:
		}
	}
}

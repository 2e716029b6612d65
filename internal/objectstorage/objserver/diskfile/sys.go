package diskfile

import (
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// The files and directories an object write touches are opened with
// plain system calls rather than through os.File: os.File registers
// every descriptor with the runtime's network poller, which for a regular
// file or a directory costs four fcntl calls and a failing epoll_ctl per
// open — a fifth of the system calls of an object PUT, for descriptors
// that live a few microseconds and are never waited on.

// openFD opens path with flags (O_CLOEXEC added), retrying when a signal
// interrupts the call.
func openFD(path string, flags int, perm uint32) (int, error) {
	for {
		fd, err := unix.Open(path, flags|unix.O_CLOEXEC, perm)
		if err == nil {
			return fd, nil
		}
		if err != unix.EINTR {
			return -1, &fs.PathError{Op: "open", Path: path, Err: err}
		}
	}
}

// writeFD writes all of p to fd.
func writeFD(fd int, p []byte) error {
	for len(p) > 0 {
		n, err := unix.Write(fd, p)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return &fs.PathError{Op: "write", Path: "fd " + strconv.Itoa(fd), Err: err}
		}
		p = p[n:]
	}
	return nil
}

// createTemp creates a new file named prefix plus a random suffix in dir,
// open for writing, and returns its descriptor and path (os.CreateTemp's
// contract without the os.File).
func createTemp(dir, prefix string) (int, string, error) {
	for range 10000 {
		path := filepath.Join(dir, prefix+strconv.FormatUint(rand.Uint64(), 36))
		fd, err := openFD(path, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY, 0o644)
		if err == nil {
			return fd, path, nil
		}
		if !os.IsExist(err) {
			return -1, "", err
		}
	}
	return -1, "", &fs.PathError{Op: "createtemp", Path: filepath.Join(dir, prefix+"*"), Err: fs.ErrExist}
}

// syncDir fsyncs a directory so that the entries added to it (a renamed
// file, a new subdirectory) survive a crash.
func syncDir(dir string) error {
	fd, err := openFD(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return err
	}
	err = unix.Fsync(fd)
	if cerr := unix.Close(fd); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return &fs.PathError{Op: "fsync", Path: dir, Err: err}
	}
	return nil
}

// mkdirs creates dir and whatever parents it lacks, and returns how many
// directories it created. It tries dir itself first, so that the common
// cases — the directory exists (an overwrite) or only it is missing (a
// new object in a known suffix) — take one system call instead of a stat
// per level.
func mkdirs(dir string) (int, error) {
	err := unix.Mkdir(dir, 0o755)
	switch {
	case err == nil:
		return 1, nil
	case err == unix.EEXIST:
		// Something is there; a file where a directory belongs shows up
		// as ENOTDIR when it is used.
		return 0, nil
	case err != unix.ENOENT:
		return 0, &fs.PathError{Op: "mkdir", Path: dir, Err: err}
	}
	parent := filepath.Dir(dir)
	if parent == dir {
		return 0, &fs.PathError{Op: "mkdir", Path: dir, Err: err}
	}
	n, err := mkdirs(parent)
	if err != nil {
		return 0, err
	}
	switch err := unix.Mkdir(dir, 0o755); err {
	case nil:
		return n + 1, nil
	case unix.EEXIST:
		return n, nil
	default:
		return 0, &fs.PathError{Op: "mkdir", Path: dir, Err: err}
	}
}

// syncCreated fsyncs dir and then, going up, the parent of each of the
// created directories below it, the leaf first: after a rename into a
// directory that mkdirs made, every new directory entry on the path is
// durable (Swift's renamer with fsync).
func syncCreated(dir string, created int) error {
	for i := 0; i <= created; i++ {
		if err := syncDir(dir); err != nil {
			return err
		}
		dir = filepath.Dir(dir)
	}
	return nil
}

// readDirNames lists a directory's entry names without sorting or
// stat'ing them.
func readDirNames(dir string) ([]string, error) {
	fd, err := openFD(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	// A hash directory holds a few short names: one read of a small
	// buffer on the stack lists it; bigger directories take more reads.
	var buf [4096]byte
	var names []string
	for {
		n, err := unix.Getdents(fd, buf[:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "readdirent", Path: dir, Err: err}
		}
		if n <= 0 {
			return names, nil
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
	}
}

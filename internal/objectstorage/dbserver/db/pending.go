package db

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// A database's pending file (<hash>.db.pending) holds updates accepted
// but not yet merged into the database, one record per entry, as
// Swift's broker keeps object rows from the object servers: appending a
// record costs a few system calls where a SQLite transaction costs a
// hundred microseconds and a WAL write of every page it touches, and the
// records are merged in one transaction when the file grows past a cap
// or when the database is opened to be read. Like Swift's, the file is
// not fsynced: a record survives a crash of the process (it is in the
// page cache) but not a power cut — as the commits of a WAL database
// with synchronous=NORMAL do not — and the replicator repairs a replica
// that lost it from the others.

// PendingCap is the size past which the appender merges the pending
// file itself (Swift's PENDING_CAP).
const PendingCap = 128 << 10

// PendingPath is the pending file of the database at path.
func PendingPath(path string) string { return path + ".pending" }

// AppendPending adds one record (which must not hold a newline) to the
// pending file of the database at path, under the file's lock, and
// returns the file's size after it.
func AppendPending(path string, rec []byte) (int64, error) {
	// Plain system calls, not os.File: registering a descriptor that
	// lives a few microseconds with the runtime's poller costs more
	// system calls than the append itself.
	p := PendingPath(path)
	fd, err := unix.Open(p, unix.O_CREAT|unix.O_WRONLY|unix.O_APPEND|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return 0, &fs.PathError{Op: "open", Path: p, Err: err}
	}
	defer unix.Close(fd)
	if err := flock(fd); err != nil {
		return 0, &fs.PathError{Op: "flock", Path: p, Err: err}
	}
	// The separator comes first, as Swift's ':': a record torn by a
	// crash then spoils only itself, not the one appended after it.
	buf := make([]byte, 0, len(rec)+1)
	buf = append(append(buf, '\n'), rec...)
	for len(buf) > 0 {
		n, err := unix.Write(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, &fs.PathError{Op: "write", Path: p, Err: err}
		}
		buf = buf[n:]
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return 0, &fs.PathError{Op: "fstat", Path: p, Err: err}
	}
	return st.Size, nil
}

// CommitPending hands the records of the pending file of the database
// at path to merge and empties the file once merge succeeds, all under
// the file's lock so that no record is appended in between and lost. A
// missing or empty file costs one stat. A crash after merge and before
// the file is emptied merges the same records again later, which the
// merge rules (newest timestamp wins) make harmless.
func CommitPending(path string, merge func(recs [][]byte) error) error {
	p := PendingPath(path)
	if st, err := os.Stat(p); err != nil || st.Size() == 0 {
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	defer f.Close()
	if err := flock(int(f.Fd())); err != nil {
		return err
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	var recs [][]byte
	for rec := range bytes.SplitSeq(b, []byte{'\n'}) {
		if len(rec) > 0 {
			recs = append(recs, rec)
		}
	}
	if len(recs) > 0 {
		if err := merge(recs); err != nil {
			return err
		}
	}
	return f.Truncate(0)
}

// flock takes an exclusive lock on fd, released when fd is closed.
func flock(fd int) error {
	for {
		err := unix.Flock(fd, unix.LOCK_EX)
		if err != unix.EINTR {
			return err
		}
	}
}

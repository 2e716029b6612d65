package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// diskPhase measures the disk under dir: a file of mib MiB written in
// 1 MiB blocks and fsynced (the fsync inside the time, as a PUT's
// fdatasync is inside its), then dropped from the page cache and read back
// in 1 MiB blocks.
func diskPhase(dir string, mib int) (DiskRes, error) {
	res := DiskRes{MiB: mib}
	path := filepath.Join(dir, "disk-probe")
	defer os.Remove(path)
	block := randomBytes(1<<20, 3)
	f, err := os.Create(path)
	if err != nil {
		return res, err
	}
	t0 := time.Now()
	for range mib {
		if _, err := f.Write(block); err != nil {
			f.Close()
			return res, err
		}
	}
	err = f.Sync()
	d := time.Since(t0)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return res, err
	}
	bytes := float64(mib) * (1 << 20)
	res.WriteMBs = bytes / 1e6 / d.Seconds()

	if res.ResidentPct, err = evict(path); err != nil {
		return res, err
	}
	f, err = os.Open(path)
	if err != nil {
		return res, err
	}
	defer f.Close()
	t0 = time.Now()
	n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{f}, block)
	d = time.Since(t0)
	if err != nil {
		return res, err
	}
	if n != int64(bytes) {
		return res, fmt.Errorf("read %d bytes of %s, want %.0f", n, path, bytes)
	}
	res.ReadMBs = bytes / 1e6 / d.Seconds()
	return res, nil
}

// evict drops the files' pages from the page cache (posix_fadvise
// DONTNEED, which drops clean pages, so it syncs each file first) and
// returns the percentage of their pages still resident afterwards. It
// touches only these files, unlike /proc/sys/vm/drop_caches, which would
// empty the cache of everything else running on the machine.
func evict(paths ...string) (residentPct float64, err error) {
	var resident, total int64
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return 0, err
		}
		err = f.Sync()
		if err == nil {
			err = unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
		}
		var r, t int64
		if err == nil {
			r, t, err = residency(f)
		}
		f.Close()
		if err != nil {
			return 0, fmt.Errorf("evict %s: %w", p, err)
		}
		resident, total = resident+r, total+t
	}
	if total == 0 {
		return 0, nil
	}
	return 100 * float64(resident) / float64(total), nil
}

// residency counts the file's pages in the page cache (mincore over a
// read-only mapping, which itself faults nothing in).
func residency(f *os.File) (resident, total int64, err error) {
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return 0, 0, err
	}
	m, err := unix.Mmap(int(f.Fd()), 0, int(st.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return 0, 0, err
	}
	defer unix.Munmap(m)
	page := int64(os.Getpagesize())
	vec := make([]byte, (st.Size()+page-1)/page)
	// x/sys/unix has no wrapper for mincore(2).
	if _, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&m[0])), uintptr(len(m)), uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
		return 0, 0, fmt.Errorf("mincore: %w", errno)
	}
	for _, v := range vec {
		resident += int64(v & 1)
	}
	return resident, int64(len(vec)), nil
}

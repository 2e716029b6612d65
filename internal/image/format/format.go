package format

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// The format names, as Glance spells them in disk_format.
const (
	Raw   = "raw"
	QCOW2 = "qcow2"
	VMDK  = "vmdk"
	VHD   = "vhd"
	VHDX  = "vhdx"
	VDI   = "vdi"
	ISO   = "iso"
)

// Info is what Inspect learnt about an image.
type Info struct {
	Format      string // one of the constants above
	VirtualSize int64  // bytes of the disk the image describes
}

// UnsafeError says that an image's headers make it unsafe to use: it names
// other files or a layout this package refuses to trust.
type UnsafeError struct {
	Format string
	Reason string
}

func (e *UnsafeError) Error() string {
	return fmt.Sprintf("image data is an unsafe %s: %s", e.Format, e.Reason)
}

// MismatchError says that the data is not in the declared disk format.
type MismatchError struct {
	Declared string
	Detected string
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("image data is %s, not the declared disk_format %s", e.Detected, e.Declared)
}

// ErrRead wraps a failure of the underlying reader (not of the data).
var ErrRead = errors.New("format: reading image data")

// maxRead bounds every single read of header data.
const maxRead = 256 << 10

// detector looks for one format. ok reports whether the data carries the
// format's signature; err (with ok) whether it is unusable.
type detector func(r *reader) (info Info, ok bool, err error)

var detectors = []detector{detectQCOW2, detectVMDK, detectVHDX, detectVHD, detectVDI, detectISO}

// Inspect reads the headers of the image in r (size bytes long) and
// reports its format and virtual size. It returns an *UnsafeError (with
// the Info filled in as far as it was read) when the image is unsafe, and
// also when the data carries the signatures of more than one format (a
// polyglot file, read differently by different tools).
func Inspect(r io.ReaderAt, size int64) (Info, error) {
	if size < 0 {
		return Info{}, fmt.Errorf("format: negative size %d", size)
	}
	rd := &reader{r: r, size: size}
	var found []Info
	var firstErr error
	for _, d := range detectors {
		info, ok, err := d(rd)
		if rd.err != nil {
			return Info{}, fmt.Errorf("%w: %v", ErrRead, rd.err)
		}
		if !ok {
			continue
		}
		found = append(found, info)
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	switch len(found) {
	case 0:
		return Info{Format: Raw, VirtualSize: size}, nil
	case 1:
		return found[0], firstErr
	}
	names := found[0].Format
	for _, f := range found[1:] {
		names += " and " + f.Format
	}
	return found[0], &UnsafeError{Format: found[0].Format, Reason: "data also carries the signature of " + names}
}

// Canonical maps a declared disk_format to the format whose data it holds:
// ami, ari and aki (Amazon machine, ramdisk and kernel images) are raw.
func Canonical(declared string) string {
	switch declared {
	case "ami", "ari", "aki":
		return Raw
	}
	return declared
}

// Check returns a *MismatchError when the inspected data does not match
// the declared disk_format. Formats this package cannot recognise (ploop,
// or anything else a deployment allows) accept raw-looking data only: a
// recognisable qcow2 or vmdk under another name is refused.
func Check(declared string, info Info) error {
	d := Canonical(declared)
	if d == info.Format {
		return nil
	}
	if !known[d] && info.Format == Raw {
		return nil
	}
	return &MismatchError{Declared: declared, Detected: info.Format}
}

// known lists the formats Inspect recognises.
var known = map[string]bool{Raw: true, QCOW2: true, VMDK: true, VHD: true, VHDX: true, VDI: true, ISO: true}

// reader reads bounded pieces of the image and remembers the first I/O
// error, so detectors can treat short data as "not this format".
type reader struct {
	r    io.ReaderAt
	size int64
	err  error
}

// at returns n bytes at off, or nil when they are not all inside the image
// (or n exceeds maxRead, or reading failed).
func (r *reader) at(off int64, n int) []byte {
	if r.err != nil || n < 0 || n > maxRead || off < 0 || off > r.size || int64(n) > r.size-off {
		return nil
	}
	b := make([]byte, n)
	m, err := r.r.ReadAt(b, off)
	if m == n {
		return b
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	r.err = err
	return nil
}

var (
	be = binary.BigEndian
	le = binary.LittleEndian
)

// toSize converts an unsigned byte count, refusing what int64 cannot hold.
func toSize(format string, v uint64) (int64, error) {
	if v > math.MaxInt64 {
		return 0, &UnsafeError{Format: format, Reason: fmt.Sprintf("virtual size %d out of range", v)}
	}
	return int64(v), nil
}

// mulSize multiplies a count by a unit size, refusing overflow.
func mulSize(format string, n, unit uint64) (int64, error) {
	if unit != 0 && n > math.MaxInt64/unit {
		return 0, &UnsafeError{Format: format, Reason: "virtual size out of range"}
	}
	return int64(n * unit), nil
}

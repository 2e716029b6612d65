package format

import (
	"bytes"
	"fmt"
	"testing"
)

// zeroTail serves data followed by zeros up to size, and counts what is
// read: a huge claimed size must not make Inspect read (or allocate) much.
type zeroTail struct {
	data    []byte
	size    int64
	largest int
	total   int64
}

func (z *zeroTail) ReadAt(p []byte, off int64) (int, error) {
	z.largest = max(z.largest, len(p))
	z.total += int64(len(p))
	if off < 0 || off+int64(len(p)) > z.size {
		return 0, fmt.Errorf("read of %d at %d beyond size %d", len(p), off, z.size)
	}
	clear(p)
	if off < int64(len(z.data)) {
		copy(p, z.data[off:])
	}
	return len(p), nil
}

// maxTotalRead is what one Inspect may read, all detectors together.
const maxTotalRead = 4 << 20

func FuzzInspect(f *testing.F) {
	f.Add(qcow2Image(3, 1<<20, nil)[:4096])
	f.Add(qcow2Image(2, 1<<20, nil)[:4096])
	f.Add(qcow2Image(3, 1<<20, func(h []byte) { qcow2Ext(h, 104, qcowExtDataFile, []byte("x")) })[:4096])
	f.Add(vmdkImage(2048, vmdkDescriptor("monolithicSparse", `RW 2048 SPARSE "d.vmdk"`), nil))
	f.Add([]byte(vmdkDescriptor("monolithicFlat", `RW 2048 FLAT "f" 0`)))
	f.Add(vhdFooter(1<<20, vhdTypeDyn))
	f.Add(vdiImage(1<<20, 1))
	f.Add(isoImage(10)[isoStart-16:])
	f.Add([]byte(vhdxSignature))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, size := range []int64{int64(len(data)), int64(len(data)) + 1<<40} {
			z := &zeroTail{data: data, size: size}
			info, err := Inspect(z, size)
			if err == nil && info.Format == "" {
				t.Fatalf("Inspect gave no format and no error")
			}
			if info.VirtualSize < 0 {
				t.Fatalf("negative virtual size %d", info.VirtualSize)
			}
			if z.largest > maxRead || z.total > maxTotalRead {
				t.Fatalf("Inspect read %d bytes (largest read %d) of a %d-byte image", z.total, z.largest, size)
			}
		}
		// The same data from a plain reader gives the same answer.
		a, errA := Inspect(bytes.NewReader(data), int64(len(data)))
		b, errB := Inspect(&zeroTail{data: data, size: int64(len(data))}, int64(len(data)))
		if a != b || (errA == nil) != (errB == nil) {
			t.Fatalf("readers disagree: %+v %v / %+v %v", a, errA, b, errB)
		}
	})
}

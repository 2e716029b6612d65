package format

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// The builders below write headers by hand, field by field, from the
// format specifications; each returns a complete image.

func qcow2Image(version uint32, virtual uint64, mutate func(h []byte)) []byte {
	img := make([]byte, 3*65536)
	h := img
	copy(h, qcowMagic)
	binary.BigEndian.PutUint32(h[4:], version)
	binary.BigEndian.PutUint32(h[20:], 16) // 64 KiB clusters
	binary.BigEndian.PutUint64(h[24:], virtual)
	binary.BigEndian.PutUint32(h[36:], 1)       // l1_size
	binary.BigEndian.PutUint64(h[40:], 3*65536) // l1_table_offset
	binary.BigEndian.PutUint64(h[48:], 65536)   // refcount_table_offset
	binary.BigEndian.PutUint32(h[56:], 1)       // refcount_table_clusters
	if version == 3 {
		binary.BigEndian.PutUint32(h[96:], 4)    // refcount_order
		binary.BigEndian.PutUint32(h[100:], 104) // header_length
	}
	if mutate != nil {
		mutate(h)
	}
	return img
}

func qcow2Ext(h []byte, off int, typ uint32, data []byte) int {
	binary.BigEndian.PutUint32(h[off:], typ)
	binary.BigEndian.PutUint32(h[off+4:], uint32(len(data)))
	copy(h[off+8:], data)
	return off + 8 + (len(data)+7)&^7
}

func vmdkImage(capacitySectors uint64, descriptor string, mutate func(h []byte)) []byte {
	img := make([]byte, 4*512+len(descriptor)+512)
	h := img
	copy(h, vmdkMagic)
	binary.LittleEndian.PutUint32(h[4:], 1)
	binary.LittleEndian.PutUint32(h[8:], 3)
	binary.LittleEndian.PutUint64(h[12:], capacitySectors)
	binary.LittleEndian.PutUint64(h[20:], 128) // grain size
	binary.LittleEndian.PutUint64(h[28:], 1)   // descriptor at sector 1
	binary.LittleEndian.PutUint64(h[36:], uint64(len(descriptor)+511)/512)
	binary.LittleEndian.PutUint64(h[56:], 3) // grain directory
	copy(img[512:], descriptor)
	if mutate != nil {
		mutate(h)
	}
	return img
}

func vmdkDescriptor(createType, extent string) string {
	return "# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\ncreateType=\"" + createType + "\"\n\n# Extent description\n" + extent + "\n\nddb.virtualHWVersion = \"4\"\n"
}

func vhdFooter(size uint64, diskType uint32) []byte {
	f := make([]byte, 512)
	copy(f, vhdCookie)
	binary.BigEndian.PutUint64(f[40:], size)
	binary.BigEndian.PutUint64(f[48:], size)
	binary.BigEndian.PutUint32(f[60:], diskType)
	return f
}

func vhdxImage(virtual uint64, parent bool) []byte {
	img := make([]byte, 1<<20+65536)
	copy(img, vhdxSignature)
	const meta = 1 << 20
	for _, rt := range []int{vhdxRegionTable1, vhdxRegionTable2} {
		copy(img[rt:], vhdxRegionSig)
		binary.LittleEndian.PutUint32(img[rt+8:], 1)
		e := img[rt+16:]
		copy(e, vhdxMetadataRegion)
		binary.LittleEndian.PutUint64(e[16:], meta)
		binary.LittleEndian.PutUint32(e[24:], 65536)
		binary.LittleEndian.PutUint32(e[28:], 1)
	}
	copy(img[meta:], vhdxMetadataSig)
	n := 1
	if parent {
		n = 2
	}
	binary.LittleEndian.PutUint16(img[meta+10:], uint16(n))
	e := img[meta+32:]
	copy(e, vhdxVirtualSize)
	binary.LittleEndian.PutUint32(e[16:], 4096)
	binary.LittleEndian.PutUint32(e[20:], 8)
	binary.LittleEndian.PutUint64(img[meta+4096:], virtual)
	if parent {
		copy(e[32:], vhdxParentLocator)
	}
	return img
}

func vdiImage(virtual uint64, typ uint32) []byte {
	img := make([]byte, 1024)
	copy(img, "<<< Oracle VM VirtualBox Disk Image >>>\n")
	binary.LittleEndian.PutUint32(img[0x40:], vdiSignature)
	binary.LittleEndian.PutUint32(img[0x44:], 0x00010001)
	binary.LittleEndian.PutUint32(img[0x4c:], typ)
	binary.LittleEndian.PutUint64(img[0x170:], virtual)
	return img
}

func isoImage(blocks uint32) []byte {
	img := make([]byte, isoStart+3*isoDescLen)
	d := img[isoStart:]
	d[0] = isoPrimary
	copy(d[1:], "CD001")
	d[6] = 1
	binary.LittleEndian.PutUint32(d[80:], blocks)
	binary.BigEndian.PutUint32(d[84:], blocks)
	binary.LittleEndian.PutUint16(d[128:], 2048)
	binary.BigEndian.PutUint16(d[130:], 2048)
	t := img[isoStart+isoDescLen:]
	t[0] = isoTerminator
	copy(t[1:], "CD001")
	return img
}

func TestInspect(t *testing.T) {
	sparse := vmdkDescriptor("monolithicSparse", `RW 2048 SPARSE "disk.vmdk"`)
	tests := []struct {
		name       string
		data       []byte
		want       Info
		wantUnsafe string // substring of the reason; "" means safe
	}{
		{name: "empty", data: nil, want: Info{Raw, 0}},
		{name: "raw", data: bytes.Repeat([]byte("x"), 5000), want: Info{Raw, 5000}},
		{name: "qcow2 magic only", data: []byte(qcowMagic + "\x00\x00"), want: Info{Raw, 6}},
		{name: "qcow2 v2", data: qcow2Image(2, 1<<30, nil), want: Info{QCOW2, 1 << 30}},
		{name: "qcow2 v3", data: qcow2Image(3, 10<<20, nil), want: Info{QCOW2, 10 << 20}},
		{name: "qcow2 v3 backing format ext", data: qcow2Image(3, 1<<20, func(h []byte) {
			qcow2Ext(h, 104, qcowExtBackingFmt, []byte("raw"))
		}), want: Info{QCOW2, 1 << 20}},
		{name: "qcow2 backing file", data: qcow2Image(3, 1<<20, func(h []byte) {
			binary.BigEndian.PutUint64(h[8:], 512)
			binary.BigEndian.PutUint32(h[16:], 10)
			copy(h[512:], "/etc/passwd")
		}), want: Info{QCOW2, 1 << 20}, wantUnsafe: "backing file"},
		{name: "qcow2 v2 backing file", data: qcow2Image(2, 1<<20, func(h []byte) {
			binary.BigEndian.PutUint64(h[8:], 512)
			binary.BigEndian.PutUint32(h[16:], 10)
		}), want: Info{QCOW2, 1 << 20}, wantUnsafe: "backing file"},
		{name: "qcow2 data-file bit", data: qcow2Image(3, 1<<20, func(h []byte) {
			binary.BigEndian.PutUint64(h[72:], qcowIncompatData)
		}), want: Info{QCOW2, 1 << 20}, wantUnsafe: "external data file"},
		{name: "qcow2 data-file extension", data: qcow2Image(3, 1<<20, func(h []byte) {
			off := qcow2Ext(h, 104, qcowExtBackingFmt, []byte("raw"))
			qcow2Ext(h, off, qcowExtDataFile, []byte("/dev/sda"))
		}), want: Info{QCOW2, 1 << 20}, wantUnsafe: "external data file"},
		{name: "qcow2 raw external data", data: qcow2Image(3, 1<<20, func(h []byte) {
			binary.BigEndian.PutUint64(h[88:], qcowAutoclearRaw)
		}), want: Info{QCOW2, 1 << 20}, wantUnsafe: "raw external data"},
		{name: "qcow2 unknown incompatible feature", data: qcow2Image(3, 1<<20, func(h []byte) {
			binary.BigEndian.PutUint64(h[72:], 1<<40)
		}), want: Info{QCOW2, 1 << 20}, wantUnsafe: "unknown incompatible"},
		{name: "qcow version 1", data: qcow2Image(1, 1<<20, nil), want: Info{QCOW2, 1 << 20}, wantUnsafe: "version 1"},
		{name: "qcow2 huge virtual size", data: qcow2Image(3, 1<<63, nil), want: Info{QCOW2, 0}, wantUnsafe: "out of range"},
		{name: "qcow2 plus iso", data: func() []byte {
			img := qcow2Image(3, 1<<20, nil)
			iso := isoImage(16)
			copy(img[isoStart:], iso[isoStart:])
			return img
		}(), want: Info{QCOW2, 1 << 20}, wantUnsafe: "signature of qcow2 and iso"},
		{name: "vmdk monolithicSparse", data: vmdkImage(2048, sparse, nil), want: Info{VMDK, 2048 * 512}},
		{name: "vmdk streamOptimized", data: vmdkImage(4096, vmdkDescriptor("streamOptimized", `RW 4096 SPARSE "s.vmdk"`), nil), want: Info{VMDK, 4096 * 512}},
		{name: "vmdk flat extent", data: vmdkImage(2048, vmdkDescriptor("monolithicSparse", `RW 2048 FLAT "/etc/shadow" 0`), nil), want: Info{VMDK, 2048 * 512}, wantUnsafe: "type FLAT"},
		{name: "vmdk extent with path", data: vmdkImage(2048, vmdkDescriptor("monolithicSparse", `RW 2048 SPARSE "../other.vmdk"`), nil), want: Info{VMDK, 2048 * 512}, wantUnsafe: "names a path"},
		{name: "vmdk two extents", data: vmdkImage(2048, vmdkDescriptor("monolithicSparse", "RW 1024 SPARSE \"a.vmdk\"\nRW 1024 SPARSE \"b.vmdk\""), nil), want: Info{VMDK, 2048 * 512}, wantUnsafe: "2 extents"},
		{name: "vmdk twoGbMaxExtentFlat", data: vmdkImage(2048, vmdkDescriptor("twoGbMaxExtentFlat", `RW 2048 SPARSE "a.vmdk"`), nil), want: Info{VMDK, 2048 * 512}, wantUnsafe: "createType"},
		{name: "vmdk parent", data: vmdkImage(2048, strings.Replace(sparse, "parentCID=ffffffff", "parentCID=12345678", 1), nil), want: Info{VMDK, 2048 * 512}, wantUnsafe: "parent"},
		{name: "vmdk footer", data: vmdkImage(2048, sparse, func(h []byte) {
			binary.LittleEndian.PutUint64(h[56:], vmdkGDAtEnd)
		}), want: Info{VMDK, 2048 * 512}, wantUnsafe: "footer"},
		{name: "vmdk descriptor out of bounds", data: vmdkImage(2048, sparse, func(h []byte) {
			binary.LittleEndian.PutUint64(h[28:], 1<<40)
		}), want: Info{VMDK, 2048 * 512}, wantUnsafe: "out of bounds"},
		{name: "vmdk text descriptor", data: []byte(vmdkDescriptor("monolithicFlat", `RW 2048 FLAT "/etc/passwd" 0`)), want: Info{VMDK, 0}, wantUnsafe: "descriptor file"},
		{name: "vhd fixed", data: append(make([]byte, 1<<20), vhdFooter(1<<20, vhdTypeFixed)...), want: Info{VHD, 1 << 20}},
		{name: "vhd dynamic", data: append(vhdFooter(8<<20, vhdTypeDyn), make([]byte, 1024)...), want: Info{VHD, 8 << 20}},
		{name: "vhd differencing", data: append(vhdFooter(8<<20, vhdTypeDiff), make([]byte, 1024)...), want: Info{VHD, 8 << 20}, wantUnsafe: "differencing"},
		{name: "vhdx", data: vhdxImage(64<<20, false), want: Info{VHDX, 64 << 20}},
		{name: "vhdx differencing", data: vhdxImage(64<<20, true), want: Info{VHDX, 64 << 20}, wantUnsafe: "differencing"},
		{name: "vhdx no regions", data: append([]byte(vhdxSignature), make([]byte, 1000)...), want: Info{VHDX, 0}, wantUnsafe: "no metadata region"},
		{name: "vdi", data: vdiImage(32<<20, 1), want: Info{VDI, 32 << 20}},
		{name: "vdi differencing", data: vdiImage(32<<20, vdiTypeDiff), want: Info{VDI, 32 << 20}, wantUnsafe: "differencing"},
		{name: "iso", data: isoImage(100), want: Info{ISO, 100 * 2048}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Inspect(bytes.NewReader(tt.data), int64(len(tt.data)))
			if got != tt.want {
				t.Errorf("Inspect = %+v, want %+v", got, tt.want)
			}
			var ue *UnsafeError
			switch {
			case tt.wantUnsafe == "" && err != nil:
				t.Errorf("Inspect error %v, want none", err)
			case tt.wantUnsafe != "" && !errors.As(err, &ue):
				t.Errorf("Inspect error %v, want an UnsafeError about %q", err, tt.wantUnsafe)
			case tt.wantUnsafe != "" && !strings.Contains(ue.Error(), tt.wantUnsafe):
				t.Errorf("Inspect error %q, want one about %q", ue, tt.wantUnsafe)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		declared string
		info     Info
		ok       bool
	}{
		{"raw", Info{Raw, 10}, true},
		{"ami", Info{Raw, 10}, true},
		{"aki", Info{Raw, 10}, true},
		{"ari", Info{Raw, 10}, true},
		{"qcow2", Info{QCOW2, 10}, true},
		{"raw", Info{QCOW2, 10}, false},
		{"ami", Info{QCOW2, 10}, false},
		{"qcow2", Info{Raw, 10}, false},
		{"vmdk", Info{QCOW2, 10}, false},
		{"iso", Info{ISO, 10}, true},
		{"iso", Info{Raw, 10}, false},
		{"vhd", Info{VHD, 10}, true},
		{"vhdx", Info{VHDX, 10}, true},
		{"vdi", Info{VDI, 10}, true},
		{"ploop", Info{Raw, 10}, true},
		{"ploop", Info{QCOW2, 10}, false},
	}
	for _, tt := range tests {
		err := Check(tt.declared, tt.info)
		var me *MismatchError
		if tt.ok && err != nil || !tt.ok && !errors.As(err, &me) {
			t.Errorf("Check(%q, %+v) = %v, want ok=%v", tt.declared, tt.info, err, tt.ok)
		}
	}
}

// failingReader fails every read, like a broken disk.
type failingReader struct{}

func (failingReader) ReadAt([]byte, int64) (int, error) { return 0, errors.New("disk on fire") }

func TestInspectReadError(t *testing.T) {
	_, err := Inspect(failingReader{}, 1<<20)
	if !errors.Is(err, ErrRead) {
		t.Fatalf("Inspect over a failing reader = %v, want ErrRead", err)
	}
}

// TestInspectShortReader: a size larger than the data is a read error, not
// a panic or a misdetection.
func TestInspectShortReader(t *testing.T) {
	_, err := Inspect(bytes.NewReader(qcow2Image(3, 1<<20, nil)[:50]), 1<<20)
	if !errors.Is(err, ErrRead) {
		t.Fatalf("Inspect = %v, want ErrRead", err)
	}
}

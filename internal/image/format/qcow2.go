package format

import "fmt"

// qcow2 header fields (big-endian), from QEMU's docs/interop/qcow2.txt.
const (
	qcowMagic           = "QFI\xfb"
	qcowV2HeaderLen     = 72
	qcowV3HeaderLen     = 104
	qcowIncompatDirty   = 1 << 0
	qcowIncompatCorrupt = 1 << 1
	qcowIncompatData    = 1 << 2 // external data file
	qcowIncompatCompr   = 1 << 3 // compression type field
	qcowIncompatExtL2   = 1 << 4 // extended L2 entries
	qcowIncompatKnown   = qcowIncompatDirty | qcowIncompatCorrupt | qcowIncompatData | qcowIncompatCompr | qcowIncompatExtL2
	qcowAutoclearRaw    = 1 << 1 // raw external data
	qcowExtEnd          = 0x00000000
	qcowExtBackingFmt   = 0xe2792aca
	qcowExtDataFile     = 0x44415441
	qcowMaxExtArea      = 64 << 10
)

func detectQCOW2(r *reader) (Info, bool, error) {
	h := r.at(0, qcowV2HeaderLen)
	if h == nil || string(h[:4]) != qcowMagic {
		return Info{}, false, nil
	}
	info := Info{Format: QCOW2}
	unsafe := func(format string, a ...any) (Info, bool, error) {
		return info, true, &UnsafeError{Format: QCOW2, Reason: fmt.Sprintf(format, a...)}
	}
	version := be.Uint32(h[4:])
	size, err := toSize(QCOW2, be.Uint64(h[24:]))
	if err != nil {
		return info, true, err
	}
	info.VirtualSize = size
	if version != 2 && version != 3 {
		return unsafe("unsupported version %d", version)
	}
	if be.Uint64(h[8:]) != 0 || be.Uint32(h[16:]) != 0 {
		return unsafe("it names a backing file")
	}
	clusterBits := be.Uint32(h[20:])
	if clusterBits < 9 || clusterBits > 21 {
		return unsafe("cluster_bits %d out of range", clusterBits)
	}
	extStart := int64(qcowV2HeaderLen)
	if version == 3 {
		h3 := r.at(0, qcowV3HeaderLen)
		if h3 == nil {
			return unsafe("truncated version 3 header")
		}
		incompat := be.Uint64(h3[72:])
		if incompat&qcowIncompatData != 0 {
			return unsafe("it uses an external data file")
		}
		if incompat&^uint64(qcowIncompatKnown) != 0 {
			return unsafe("unknown incompatible features %#x", incompat&^uint64(qcowIncompatKnown))
		}
		if be.Uint64(h3[88:])&qcowAutoclearRaw != 0 {
			return unsafe("it uses raw external data")
		}
		hl := be.Uint32(h3[100:])
		if hl < qcowV3HeaderLen || hl > qcowMaxExtArea {
			return unsafe("header length %d invalid", hl)
		}
		extStart = int64(hl+7) &^ 7
	}
	// Header extensions follow the header inside the first cluster.
	cluster := int64(1) << clusterBits
	for off := extStart; ; {
		if off+8 > cluster || off+8 > r.size {
			// The first cluster (or the data) is over: qemu stops here too.
			return info, true, nil
		}
		if off+8 > qcowMaxExtArea {
			return unsafe("header extensions beyond %d bytes", qcowMaxExtArea)
		}
		e := r.at(off, 8)
		if e == nil {
			return info, true, nil
		}
		typ, n := be.Uint32(e), int64(be.Uint32(e[4:]))
		switch typ {
		case qcowExtEnd:
			return info, true, nil
		case qcowExtDataFile:
			return unsafe("it names an external data file")
		}
		off += 8 + (n+7)&^7
	}
}

package format

import "fmt"

// VHDX layout (little-endian), from Microsoft's [MS-VHDX]: a file
// identifier at 0, region tables at 192 KiB and 256 KiB, one of whose
// entries locates the metadata region; the metadata table there locates
// the virtual disk size item.
const (
	vhdxSignature    = "vhdxfile"
	vhdxRegionTable1 = 192 << 10
	vhdxRegionTable2 = 256 << 10
	vhdxRegionSig    = "regi"
	vhdxMetadataSig  = "metadata"
	vhdxMaxEntries   = 2047
	vhdxEntryLen     = 32
)

// GUIDs in their on-disk (mixed-endian) byte order.
var (
	vhdxMetadataRegion = guid(0x8B7CA206, 0x4790, 0x4B9A, [8]byte{0xB8, 0xFE, 0x57, 0x5F, 0x05, 0x0F, 0x88, 0x6E})
	vhdxVirtualSize    = guid(0x2FA54224, 0xCD1B, 0x4876, [8]byte{0xB2, 0x11, 0x5D, 0xBE, 0xD8, 0x3B, 0xF4, 0xB8})
	vhdxParentLocator  = guid(0xA8D35F2D, 0xB30B, 0x454D, [8]byte{0xAB, 0xF7, 0xD3, 0xD8, 0x48, 0x34, 0xAB, 0x0C})
)

func guid(a uint32, b, c uint16, d [8]byte) string {
	var g [16]byte
	le.PutUint32(g[0:], a)
	le.PutUint16(g[4:], b)
	le.PutUint16(g[6:], c)
	copy(g[8:], d[:])
	return string(g[:])
}

func detectVHDX(r *reader) (Info, bool, error) {
	h := r.at(0, 8)
	if h == nil || string(h) != vhdxSignature {
		return Info{}, false, nil
	}
	info := Info{Format: VHDX}
	unsafe := func(format string, a ...any) (Info, bool, error) {
		return info, true, &UnsafeError{Format: VHDX, Reason: fmt.Sprintf(format, a...)}
	}
	var metaOff int64 = -1
	for _, rt := range []int64{vhdxRegionTable1, vhdxRegionTable2} {
		t := r.at(rt, 16)
		if t == nil || string(t[:4]) != vhdxRegionSig {
			continue
		}
		n := le.Uint32(t[8:])
		if n > vhdxMaxEntries {
			return unsafe("%d region table entries", n)
		}
		entries := r.at(rt+16, int(n)*vhdxEntryLen)
		if entries == nil {
			continue
		}
		for i := 0; i < int(n); i++ {
			e := entries[i*vhdxEntryLen:]
			if string(e[:16]) == vhdxMetadataRegion {
				metaOff = int64(min(le.Uint64(e[16:]), uint64(r.size)))
				break
			}
		}
		if metaOff >= 0 {
			break
		}
	}
	if metaOff < 0 {
		return unsafe("no metadata region")
	}
	mh := r.at(metaOff, 32)
	if mh == nil || string(mh[:8]) != vhdxMetadataSig {
		return unsafe("no metadata table")
	}
	n := le.Uint16(mh[10:])
	if n > vhdxMaxEntries {
		return unsafe("%d metadata entries", n)
	}
	entries := r.at(metaOff+32, int(n)*vhdxEntryLen)
	if entries == nil {
		return unsafe("metadata table beyond the end of the data")
	}
	found := false
	for i := 0; i < int(n); i++ {
		e := entries[i*vhdxEntryLen:]
		switch string(e[:16]) {
		case vhdxParentLocator:
			return unsafe("it is a differencing disk with a parent")
		case vhdxVirtualSize:
			v := r.at(metaOff+int64(le.Uint32(e[16:])), 8)
			if v == nil {
				return unsafe("virtual size beyond the end of the data")
			}
			size, err := toSize(VHDX, le.Uint64(v))
			if err != nil {
				return info, true, err
			}
			info.VirtualSize, found = size, true
		}
	}
	if !found {
		return unsafe("no virtual size in the metadata")
	}
	return info, true, nil
}

package format

import "fmt"

// VDI (VirtualBox) header, little-endian: a text banner, the signature at
// 0x40, the version at 0x44, the image type at 0x4c and the disk size at
// 0x170 (header version 1.1).
const (
	vdiSignature = 0xbeda107f
	vdiHeaderLen = 0x178
	vdiTypeDiff  = 4
)

func detectVDI(r *reader) (Info, bool, error) {
	h := r.at(0, vdiHeaderLen)
	if h == nil || le.Uint32(h[0x40:]) != vdiSignature {
		return Info{}, false, nil
	}
	info := Info{Format: VDI}
	if v := le.Uint32(h[0x44:]); v>>16 != 1 {
		return info, true, &UnsafeError{Format: VDI, Reason: fmt.Sprintf("unsupported version %#x", v)}
	}
	size, err := toSize(VDI, le.Uint64(h[0x170:]))
	if err != nil {
		return info, true, err
	}
	info.VirtualSize = size
	if le.Uint32(h[0x4c:]) == vdiTypeDiff {
		return info, true, &UnsafeError{Format: VDI, Reason: "it is a differencing image with a parent"}
	}
	return info, true, nil
}

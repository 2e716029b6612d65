package format

import "fmt"

// VHD footer (big-endian), from Microsoft's "Virtual Hard Disk Image
// Format Specification". Fixed disks have it at the end only; dynamic and
// differencing disks also keep a copy at the start.
const (
	vhdCookie    = "conectix"
	vhdFooterLen = 512
	vhdTypeFixed = 2
	vhdTypeDyn   = 3
	vhdTypeDiff  = 4
)

func detectVHD(r *reader) (Info, bool, error) {
	f := r.at(0, vhdFooterLen)
	if f == nil || string(f[:8]) != vhdCookie {
		f = r.at(r.size-vhdFooterLen, vhdFooterLen)
		if f == nil || string(f[:8]) != vhdCookie {
			return Info{}, false, nil
		}
	}
	info := Info{Format: VHD}
	size, err := toSize(VHD, be.Uint64(f[48:]))
	if err != nil {
		return info, true, err
	}
	info.VirtualSize = size
	switch t := be.Uint32(f[60:]); t {
	case vhdTypeFixed, vhdTypeDyn:
		return info, true, nil
	case vhdTypeDiff:
		return info, true, &UnsafeError{Format: VHD, Reason: "it is a differencing disk with a parent"}
	default:
		return info, true, &UnsafeError{Format: VHD, Reason: fmt.Sprintf("unknown disk type %d", t)}
	}
}

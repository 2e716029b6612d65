package format

// ISO 9660 (ECMA-119): volume descriptors of 2048 bytes from 32 KiB on,
// each "TYPE CD001 VERSION"; the primary one (type 1) holds the volume
// space size (in logical blocks) and the logical block size, both stored
// in both byte orders.
const (
	isoStart      = 0x8000
	isoDescLen    = 2048
	isoMaxDescs   = 32
	isoPrimary    = 1
	isoTerminator = 255
)

func detectISO(r *reader) (Info, bool, error) {
	seen := false
	for i := int64(0); i < isoMaxDescs; i++ {
		d := r.at(isoStart+i*isoDescLen, 136)
		if d == nil || string(d[1:6]) != "CD001" {
			break
		}
		seen = true
		switch d[0] {
		case isoPrimary:
			blocks := uint64(le.Uint32(d[80:]))
			bs := uint64(le.Uint16(d[128:]))
			size, err := mulSize(ISO, blocks, bs)
			return Info{Format: ISO, VirtualSize: size}, true, err
		case isoTerminator:
			return Info{Format: ISO, VirtualSize: r.size}, true, nil
		}
	}
	if seen {
		return Info{Format: ISO, VirtualSize: r.size}, true, nil
	}
	return Info{}, false, nil
}

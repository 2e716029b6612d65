package format

import (
	"bytes"
	"fmt"
	"strings"
)

// VMDK sparse extent header (little-endian), from VMware's "Virtual Disk
// Format 5.0" specification.
const (
	vmdkMagic         = "KDMV"
	vmdkHeaderLen     = 512
	vmdkGDAtEnd       = 0xffffffffffffffff
	vmdkMaxDesc       = 64 << 10
	vmdkSector        = 512
	vmdkTextSignature = "# Disk DescriptorFile"
)

// vmdkAllowedTypes are the createType values of images that keep their
// data inside the one file (the same default as Glance's
// vmdk_allowed_types).
var vmdkAllowedTypes = map[string]bool{"monolithicSparse": true, "streamOptimized": true}

func detectVMDK(r *reader) (Info, bool, error) {
	h := r.at(0, vmdkHeaderLen)
	if h == nil {
		h = r.at(0, int(min(r.size, vmdkHeaderLen)))
	}
	if h == nil {
		return Info{}, false, nil
	}
	info := Info{Format: VMDK}
	unsafe := func(format string, a ...any) (Info, bool, error) {
		return info, true, &UnsafeError{Format: VMDK, Reason: fmt.Sprintf(format, a...)}
	}
	if bytes.HasPrefix(h, []byte(vmdkTextSignature)) {
		// A bare descriptor: all of its extents are other files.
		return unsafe("it is a descriptor file, its data lives in other files")
	}
	if len(h) < vmdkHeaderLen || string(h[:4]) != vmdkMagic {
		return Info{}, false, nil
	}
	size, err := mulSize(VMDK, le.Uint64(h[12:]), vmdkSector)
	if err != nil {
		return info, true, err
	}
	info.VirtualSize = size
	if le.Uint64(h[56:]) == vmdkGDAtEnd {
		// The real header is in a footer; a stream reader cannot check it.
		return unsafe("its grain directory is in a footer")
	}
	descOff, descLen := le.Uint64(h[28:]), le.Uint64(h[36:])
	if descOff == 0 || descLen == 0 {
		return unsafe("it has no embedded descriptor")
	}
	if descLen > vmdkMaxDesc/vmdkSector || descOff > uint64(r.size)/vmdkSector {
		return unsafe("descriptor of %d sectors at sector %d out of bounds", descLen, descOff)
	}
	desc := r.at(int64(descOff)*vmdkSector, int(descLen)*vmdkSector)
	if desc == nil {
		return unsafe("descriptor beyond the end of the data")
	}
	if i := bytes.IndexByte(desc, 0); i >= 0 {
		desc = desc[:i]
	}
	return info, true, checkVMDKDescriptor(string(desc))
}

// checkVMDKDescriptor accepts a descriptor whose createType keeps the data
// in this file and whose extents are all of that one sparse kind, named
// without a path.
func checkVMDKDescriptor(desc string) error {
	unsafe := func(format string, a ...any) error {
		return &UnsafeError{Format: VMDK, Reason: fmt.Sprintf(format, a...)}
	}
	createType := ""
	extents := 0
	for _, line := range strings.Split(desc, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok && !strings.ContainsAny(k, "\"") {
			k = strings.TrimSpace(k)
			v = strings.Trim(strings.TrimSpace(v), `"`)
			switch k {
			case "createType":
				createType = v
			case "parentCID":
				if v != "ffffffff" {
					return unsafe("it has a parent disk")
				}
			case "parentFileNameHint":
				return unsafe("it has a parent disk")
			}
			continue
		}
		// An extent line: ACCESS SECTORS TYPE "FILENAME" [OFFSET].
		fields := strings.Fields(line)
		switch fields[0] {
		case "RW", "RDONLY", "NOACCESS":
		default:
			continue
		}
		extents++
		if len(fields) < 4 {
			return unsafe("malformed extent %q", line)
		}
		if fields[2] != "SPARSE" {
			return unsafe("extent of type %s", fields[2])
		}
		name := strings.Trim(strings.Join(fields[3:], " "), `"`)
		if strings.ContainsAny(name, `/\`) || strings.Contains(name, "..") {
			return unsafe("extent names a path %q", name)
		}
	}
	if !vmdkAllowedTypes[createType] {
		return unsafe("createType %q is not allowed", createType)
	}
	if extents != 1 {
		return unsafe("%d extents, want the one extent of this file", extents)
	}
	return nil
}

// Package format reads the headers of uploaded disk images and says what
// they are: which format (qcow2, vmdk, vhd, vhdx, vdi, iso, or raw for
// anything else), how large the disk they describe is (the virtual size),
// and whether they are safe to hand to a hypervisor.
//
//	io.ReaderAt ──► Inspect ──► Info{Format, VirtualSize}
//	                   │              │
//	                   ▼              ▼
//	             *UnsafeError    Check(declared disk_format)
//	   (backing file, external        │
//	    data file, external extent,   ▼
//	    differencing disk, ...)  *MismatchError
//
// Unsafe means a header that makes a reader open another file: a qcow2
// backing file or external data file, a vmdk extent outside the image, a
// differencing vhd or vhdx with a parent. Such an image, uploaded as data,
// would let whoever boots it read files of the host (the class of attack of
// OpenStack advisory OSSA-2024-001), so it is refused whatever its declared
// format. A declared format that does not match the data is refused too: a
// qcow2 file uploaded as "raw" would be interpreted as qcow2 by nothing but
// would be exposed raw to a guest that could then write a qcow2 header
// pointing anywhere.
//
// Every read is bounded: the package never allocates more than a few
// hundred KiB, whatever the headers claim, and never reads past size.
package format

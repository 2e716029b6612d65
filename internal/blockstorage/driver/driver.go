// Package driver is the interface between a volume agent and the storage
// it manages on one host (a backend): create, copy, snapshot, extend and
// delete volumes, export them to a connector, back them up to chunk
// files and copy them to images. The file driver keeps volumes as qcow2
// files, the lvm driver as thin logical volumes; both pass the shared
// suite in drivertest.
//
//	agent ──Driver──► file (qemu-img on DATA_DIR/volumes)
//	                  lvm  (lvcreate -T on a volume group)
//	both  ──chunks──► DATA_DIR/backups/<container>/<backup id>/
//
// Errors a user should see (an image that does not fit, an unsupported
// format) are *apierr.Error; anything else is the driver's failure,
// which the caller records as the resource's error state.
package driver

import (
	"context"
	"io"
	"regexp"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Driver is one backend of a host.
type Driver interface {
	// Name is the backend's name (volume_backend_name): "file", "lvm".
	Name() string
	// Stats reports the backend's one pool: capacity and capabilities.
	Stats(ctx context.Context) (Stats, error)

	// CreateVolume makes an empty volume of v.SizeGB.
	CreateVolume(ctx context.Context, v blockstorage.VolumeRef) (location string, err error)
	// CreateFromImage makes a volume holding img's data (at least as
	// large as its virtual size: else a 400).
	CreateFromImage(ctx context.Context, v blockstorage.VolumeRef, img Image) (location string, err error)
	// CloneVolume makes v a copy of src, as large as v.SizeGB.
	CloneVolume(ctx context.Context, v, src blockstorage.VolumeRef) (location string, err error)
	// CreateFromSnapshot makes v a copy of the snapshot, as large as
	// v.SizeGB.
	CreateFromSnapshot(ctx context.Context, v blockstorage.VolumeRef, snap blockstorage.SnapshotRef) (location string, err error)
	// DeleteVolume removes the volume; a volume already gone is no error.
	DeleteVolume(ctx context.Context, v blockstorage.VolumeRef) error
	// ExtendVolume grows the volume to newSizeGB.
	ExtendVolume(ctx context.Context, v blockstorage.VolumeRef, newSizeGB int) error

	// CreateSnapshot makes a point-in-time copy of the volume that stays
	// valid when the volume is written or deleted.
	CreateSnapshot(ctx context.Context, snap blockstorage.SnapshotRef) (location string, err error)
	// DeleteSnapshot removes it; one already gone is no error.
	DeleteSnapshot(ctx context.Context, snap blockstorage.SnapshotRef) error

	// Connect returns the connection info of the volume for a connector.
	Connect(ctx context.Context, v blockstorage.VolumeRef, connector map[string]any) (blockstorage.Connection, error)
	// Disconnect ends what Connect exported.
	Disconnect(ctx context.Context, v blockstorage.VolumeRef, connector map[string]any) error

	// ReadRaw gives the raw data of a volume (snap nil) or a snapshot as
	// a file to read (its size is the volume's), and a release function
	// to call when done.
	ReadRaw(ctx context.Context, v blockstorage.VolumeRef, snap *blockstorage.SnapshotRef) (path string, release func(), err error)
	// WriteRaw writes the raw data of the file at path over the start of
	// the volume.
	WriteRaw(ctx context.Context, v blockstorage.VolumeRef, path string) error
	// ExportImage converts the volume to an image file of diskFormat
	// (raw, qcow2, vmdk, vdi, vhd, vhdx) and gives its path and a
	// release function.
	ExportImage(ctx context.Context, v blockstorage.VolumeRef, diskFormat string) (path string, release func(), err error)
}

// Stats is a backend's pool, as the scheduler sees it.
type Stats struct {
	TotalGB, FreeGB float64
	// AllocatedGB is the sum of the sizes of its volumes (Cinder's
	// allocated_capacity_gb, which is also provisioned_capacity_gb).
	AllocatedGB float64
	// Capabilities are the driver's fixed capabilities
	// (storage_protocol, thin_provisioning_support, ...).
	Capabilities map[string]any
}

// Image is an image whose data a driver fetches (once per image, when it
// caches): its id, format, the hash its data must have, and how to read
// it.
type Image struct {
	ID         string
	DiskFormat string
	// HashAlgo and HashValue are Glance's os_hash_algo and
	// os_hash_value; Checksum its MD5 checksum. The data is verified
	// against the first set.
	HashAlgo, HashValue, Checksum string
	Size                          int64
	Open                          func(ctx context.Context) (io.ReadCloser, error)
}

// ids are what a driver accepts as a volume, snapshot or backup id or a
// container: a name that cannot climb out of its directory.
var ids = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$`)

// CheckID refuses a name that is not a plain file name (a path, "..").
func CheckID(kind, id string) error {
	if !ids.MatchString(id) || id == "." || id == ".." {
		return apierr.BadRequest("Invalid %s name %q.", kind, id)
	}
	return nil
}

// QemuFormat is qemu-img's name of a Glance disk_format, or "" when qemu
// cannot write it.
func QemuFormat(diskFormat string) string {
	switch diskFormat {
	case "raw", "qcow2", "vmdk", "vdi", "vhdx":
		return diskFormat
	case "vhd":
		return "vpc"
	case "iso", "ami", "ari", "aki":
		// Glance's kernel, ramdisk and machine images and ISO images are
		// raw bytes.
		return "raw"
	}
	return ""
}

// GB is a gibibyte, the unit of Cinder's sizes.
const GB = int64(1) << 30

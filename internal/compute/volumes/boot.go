package volumes

import (
	"context"
	"errors"
	"maps"
	"strconv"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/policies"
	"github.com/gostack/gostack/internal/compute/volinfo"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Boot is what a create boots: its image, or its root volume, and its
// block_device_mapping_v2.
type Boot struct {
	// ImageRef is the server's image; "" for a volume-backed server.
	ImageRef string
	// Devices are the entries to store on each instance, destinations
	// filled in; the volumes compute makes (from an image, a snapshot or
	// blank) are made by the conductor at the build.
	Devices []compute.BlockDeviceMapping
	// VolumeBacked says the root disk is a volume: the flavor's root disk
	// is not used (nor claimed in Placement).
	VolumeBacked bool
	// Image is the server's image; for a volume-backed server the image
	// its root volume is made from, or the one its volume was made from
	// (its volume_image_metadata), nil when there is none.
	Image *compute.ImageMeta
}

// invalidBDM is Nova's InvalidBDM family of answers.
func invalidBDM(format string, args ...any) error {
	return apierr.BadRequest("Block Device Mapping is Invalid: "+format, args...)
}

// PrepareBoot checks what a create request of count servers of flavor
// boots, with the caller's token: the image (imageRef, or the image of
// the local boot device) of an image-backed server; the volumes of its
// block devices, as Nova's _validate_bdm does: a volume to boot from
// exists and is available, a snapshot or an image to make one from
// exists, a blank one has a size. A volume-backed server has no image
// of its own and does not use the flavor's root disk.
func (s *Service) PrepareBoot(ctx context.Context, c compute.Caller, flavor *compute.Flavor, imageRef string, bdms []compute.BlockDeviceMapping, count int) (Boot, error) {
	b, err := s.volumes(ctx, c, bdms, count)
	if err != nil {
		return Boot{}, err
	}
	if b.VolumeBacked {
		if b.Image != nil && flavor.RAM < b.Image.MinRAM {
			return Boot{}, apierr.BadRequest("Flavor's memory is too small for requested image.")
		}
		return b, nil
	}
	if imageRef == "" {
		for _, d := range bdms {
			if d.SourceType == "image" && d.IsRoot() {
				imageRef = d.UUID
			}
		}
	}
	if imageRef == "" {
		return Boot{}, invalidBDM("Boot sequence for the instance and image/block device mapping combination is not valid.")
	}
	imgs, err := s.deps.NeedImages()
	if err != nil {
		return Boot{}, err
	}
	b.ImageRef = imageRef
	if b.Image, err = imgs.Get(ctx, c.Token, imageRef); errors.Is(err, apierr.ErrNotFound) {
		return Boot{}, apierr.BadRequest("Image %s could not be found.", imageRef)
	} else if err != nil {
		return Boot{}, err
	}
	return b, compute.CheckFlavorImage(flavor, b.Image, c.May(policies.ServersCreateZeroDisk))
}

// volumes checks the block devices (see PrepareBoot); entries without a
// volume pass unchanged, and without any, Boot.Devices is bdms.
func (s *Service) volumes(ctx context.Context, c compute.Caller, bdms []compute.BlockDeviceMapping, count int) (Boot, error) {
	out := Boot{Devices: make([]compute.BlockDeviceMapping, len(bdms))}
	roots := 0
	hasVolume := false
	for i, b := range bdms {
		if b.DestinationType == "" {
			// Nova's default destination: where the source already is.
			b.DestinationType = "local"
			if b.SourceType == "volume" || b.SourceType == "snapshot" {
				b.DestinationType = "volume"
			}
		}
		if b.SourceType == "" {
			b.SourceType = "blank"
		}
		if b.IsRoot() {
			roots++
		}
		if b.IsVolume() {
			hasVolume = true
			b.ID = uuid.NewString()
		}
		out.Devices[i] = b
	}
	if roots > 1 {
		return Boot{}, invalidBDM("Boot sequence for the instance and image/block device mapping combination is not valid.")
	}
	if !hasVolume {
		out.Devices = bdms
		return out, nil
	}
	vols := s.deps.Volumes
	if vols == nil {
		return Boot{}, invalidBDM("booting from or attaching volumes needs the block-storage service, which this cloud does not run.")
	}
	for i := range out.Devices {
		b := &out.Devices[i]
		if !b.IsVolume() {
			continue
		}
		var img *compute.ImageMeta
		switch b.SourceType {
		case "volume":
			if b.UUID == "" {
				return Boot{}, invalidBDM("Missing volume_id for a volume source.")
			}
			v, err := vols.GetVolume(ctx, c.Token, b.UUID)
			if errors.Is(err, apierr.ErrNotFound) || apierr.IsNotFound(err) {
				return Boot{}, invalidBDM("failed to get volume %s.", b.UUID)
			}
			if err != nil {
				return Boot{}, err
			}
			if v.Status != "available" && !(v.Multiattach && v.Status == "in-use") {
				return Boot{}, apierr.BadRequest("Invalid volume: volume '%s' status must be 'available'. Currently in '%s'", v.ID, v.Status)
			}
			if count > 1 && !v.Multiattach {
				return Boot{}, apierr.BadRequest("Cannot attach one or more volumes to multiple instances")
			}
			// Nova boots only from a volume Cinder calls bootable
			// (InvalidBDMVolumeNotBootable).
			if b.IsRoot() && !v.Bootable {
				return Boot{}, apierr.BadRequest("Block Device %s is not bootable.", v.ID)
			}
			b.VolumeID, b.VolumeSize = v.ID, v.SizeGB
			if len(v.ImageMetadata) > 0 {
				img = imageOfVolume(v)
			}
		case "snapshot":
			if b.UUID == "" {
				return Boot{}, invalidBDM("Missing snapshot_id for a snapshot source.")
			}
			snap, err := vols.GetSnapshot(ctx, c.Token, b.UUID)
			if errors.Is(err, apierr.ErrNotFound) || apierr.IsNotFound(err) {
				return Boot{}, invalidBDM("failed to get snapshot %s.", b.UUID)
			}
			if err != nil {
				return Boot{}, err
			}
			if b.VolumeSize == 0 {
				b.VolumeSize = snap.SizeGB
			}
			if b.VolumeSize < snap.SizeGB {
				return Boot{}, invalidBDM("Volume size %d is smaller than snapshot %s (%d GB).", b.VolumeSize, snap.ID, snap.SizeGB)
			}
		case "image":
			imgs, err := s.deps.NeedImages()
			if err != nil {
				return Boot{}, err
			}
			if b.UUID == "" {
				return Boot{}, invalidBDM("Missing image_id for an image source.")
			}
			img, err = imgs.Get(ctx, c.Token, b.UUID)
			if errors.Is(err, apierr.ErrNotFound) || apierr.IsNotFound(err) {
				return Boot{}, apierr.BadRequest("Image %s could not be found.", b.UUID)
			}
			if err != nil {
				return Boot{}, err
			}
			if img.Status != "active" {
				return Boot{}, apierr.BadRequest("Image %s is not active.", img.ID)
			}
			const gi = 1 << 30
			least := max(img.MinDisk, (img.Size+gi-1)/gi, 1)
			if b.VolumeSize == 0 {
				b.VolumeSize = int(least)
			}
			if int64(b.VolumeSize) < img.MinDisk {
				return Boot{}, apierr.BadRequest("Volume is smaller than the minimum size specified in image metadata. Volume size is %d bytes, minimum size is %d bytes.", int64(b.VolumeSize)*gi, img.MinDisk*gi)
			}
		case "blank":
			if b.VolumeSize <= 0 {
				return Boot{}, invalidBDM("Blank volumes (source: 'blank', dest: 'volume') need to have non-zero size")
			}
		}
		if b.IsRoot() {
			out.VolumeBacked = true
			out.Image = img
		}
	}
	return out, nil
}

// imageOfVolume is the image a volume was made from, as its
// volume_image_metadata keeps it (Nova's get_image_metadata_from_volume).
func imageOfVolume(v *volinfo.Volume) *compute.ImageMeta {
	md := v.ImageMetadata
	img := &compute.ImageMeta{ID: md["image_id"], Name: md["image_name"], Status: "active",
		DiskFormat: md["disk_format"], ContainerFormat: md["container_format"], Properties: map[string]string{}}
	maps.Copy(img.Properties, md)
	for _, k := range []string{"image_id", "image_name", "disk_format", "container_format", "size", "min_disk", "min_ram", "checksum"} {
		delete(img.Properties, k)
	}
	img.MinRAM, _ = strconv.ParseInt(md["min_ram"], 10, 64)
	img.MinDisk, _ = strconv.ParseInt(md["min_disk"], 10, 64)
	return img
}

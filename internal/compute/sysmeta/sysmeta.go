// Package sysmeta is what compute keeps about an instance for itself in
// its system metadata, as Nova does: the boot image's properties (so that
// a move or a reschedule after a restart knows the image without asking
// the image service), and the bookkeeping of shelve and of moves.
package sysmeta

import (
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/compute"
)

// Keys of what compute keeps on an instance, as Nova names them.
const (
	// ImagePrefix prefixes the boot image's properties and its
	// min_ram, min_disk, disk_format and container_format.
	ImagePrefix = "image_"
	// BaseImageRef is the image the instance was built from.
	BaseImageRef = "image_base_image_ref"
	// ShelvedImage is the snapshot a shelved instance was saved
	// into; unshelve boots it and deletes it.
	ShelvedImage = "shelved_image_id"
	ShelvedAt    = "shelved_at"
	ShelvedHost  = "shelved_host"
	// OldVMState is the vm_state before a resize or migration,
	// which a revert restores (stopped stays stopped).
	OldVMState = "old_vm_state"
)

// imageSkipKeys are the image properties Nova does not copy into system
// metadata (utils.SM_SKIP_KEYS).
var imageSkipKeys = map[string]bool{
	"img_signature_hash_method": true, "img_signature": true,
	"img_signature_key_type": true, "img_signature_certificate_uuid": true,
}

// FromImage is Nova's utils.get_system_metadata_from_image: the
// image's properties as image_<key>, its min_ram, disk format and
// container format, and min_disk at least the flavor's root disk (except
// for vhd images). It replaces the image_* keys of into, which it
// returns (a new map when into is nil).
func FromImage(into map[string]string, img *compute.ImageMeta, flavor *compute.Flavor) map[string]string {
	if into == nil {
		into = map[string]string{}
	}
	for k := range into {
		if strings.HasPrefix(k, ImagePrefix) {
			delete(into, k)
		}
	}
	if img == nil {
		return into
	}
	for k, v := range img.Properties {
		if imageSkipKeys[k] {
			continue
		}
		if len(v) > 255 {
			v = v[:255]
		}
		into[ImagePrefix+k] = v
	}
	minDisk := img.MinDisk
	if flavor != nil {
		if img.DiskFormat == "vhd" {
			minDisk = flavor.Disk
		} else {
			minDisk = max(minDisk, flavor.Disk)
		}
	}
	into[ImagePrefix+"min_ram"] = strconv.FormatInt(img.MinRAM, 10)
	into[ImagePrefix+"min_disk"] = strconv.FormatInt(minDisk, 10)
	if img.DiskFormat != "" {
		into[ImagePrefix+"disk_format"] = img.DiskFormat
	}
	if img.ContainerFormat != "" {
		into[ImagePrefix+"container_format"] = img.ContainerFormat
	}
	into[BaseImageRef] = img.ID
	return into
}

// Image rebuilds what compute knew of an instance's
// boot image from its system metadata, for work that no longer has the
// image at hand (rescheduling after a restart, moves). It returns nil
// when the instance has no image metadata (booted from a volume, or
// created before system metadata was kept).
func Image(inst *compute.Instance) *compute.ImageMeta {
	sm := inst.SystemMetadata
	if len(sm) == 0 || inst.ImageRef == "" {
		return nil
	}
	img := &compute.ImageMeta{ID: inst.ImageRef, Status: "active", Properties: map[string]string{}}
	found := false
	for k, v := range sm {
		name, ok := strings.CutPrefix(k, ImagePrefix)
		if !ok || k == BaseImageRef {
			continue
		}
		found = true
		switch name {
		case "min_ram":
			img.MinRAM, _ = strconv.ParseInt(v, 10, 64)
		case "min_disk":
			img.MinDisk, _ = strconv.ParseInt(v, 10, 64)
		case "disk_format":
			img.DiskFormat = v
		case "container_format":
			img.ContainerFormat = v
		default:
			img.Properties[name] = v
		}
	}
	if !found {
		return nil
	}
	return img
}

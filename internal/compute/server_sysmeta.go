package compute

import (
	"net/netip"
	"strconv"
	"strings"
)

// OS-DCF:diskConfig values.
const (
	DiskConfigManual = "MANUAL"
	DiskConfigAuto   = "AUTO"
)

// System metadata keys compute keeps on an instance, as Nova names them.
const (
	// SysMetaImagePrefix prefixes the boot image's properties and its
	// min_ram, min_disk, disk_format and container_format.
	SysMetaImagePrefix = "image_"
	// SysMetaBaseImageRef is the image the instance was built from.
	SysMetaBaseImageRef = "image_base_image_ref"
	// SysMetaShelvedImage is the snapshot a shelved instance was saved
	// into; unshelve boots it and deletes it.
	SysMetaShelvedImage = "shelved_image_id"
	SysMetaShelvedAt    = "shelved_at"
	SysMetaShelvedHost  = "shelved_host"
	// SysMetaOldVMState is the vm_state before a resize or migration,
	// which a revert restores (stopped stays stopped).
	SysMetaOldVMState = "old_vm_state"
)

// DiskConfigOr is the diskConfig to store: v when given, else def, else
// Nova's default MANUAL.
func DiskConfigOr(v, def string) string {
	switch {
	case v != "":
		return strings.ToUpper(v)
	case def != "":
		return def
	}
	return DiskConfigManual
}

// imageSkipKeys are the image properties Nova does not copy into system
// metadata (utils.SM_SKIP_KEYS).
var imageSkipKeys = map[string]bool{
	"img_signature_hash_method": true, "img_signature": true,
	"img_signature_key_type": true, "img_signature_certificate_uuid": true,
}

// ImageSystemMetadata is Nova's utils.get_system_metadata_from_image: the
// image's properties as image_<key>, its min_ram, disk format and
// container format, and min_disk at least the flavor's root disk (except
// for vhd images). It replaces the image_* keys of into, which it
// returns (a new map when into is nil).
func ImageSystemMetadata(into map[string]string, img *ImageMeta, flavor *Flavor) map[string]string {
	if into == nil {
		into = map[string]string{}
	}
	for k := range into {
		if strings.HasPrefix(k, SysMetaImagePrefix) {
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
		into[SysMetaImagePrefix+k] = v
	}
	minDisk := img.MinDisk
	if flavor != nil {
		if img.DiskFormat == "vhd" {
			minDisk = flavor.Disk
		} else {
			minDisk = max(minDisk, flavor.Disk)
		}
	}
	into[SysMetaImagePrefix+"min_ram"] = strconv.FormatInt(img.MinRAM, 10)
	into[SysMetaImagePrefix+"min_disk"] = strconv.FormatInt(minDisk, 10)
	if img.DiskFormat != "" {
		into[SysMetaImagePrefix+"disk_format"] = img.DiskFormat
	}
	if img.ContainerFormat != "" {
		into[SysMetaImagePrefix+"container_format"] = img.ContainerFormat
	}
	into[SysMetaBaseImageRef] = img.ID
	return into
}

// ImageFromSystemMetadata rebuilds what compute knew of an instance's
// boot image from its system metadata, for work that no longer has the
// image at hand (rescheduling after a restart, moves). It returns nil
// when the instance has no image metadata (booted from a volume, or
// created before system metadata was kept).
func ImageFromSystemMetadata(inst *Instance) *ImageMeta {
	sm := inst.SystemMetadata
	if len(sm) == 0 || inst.ImageRef == "" {
		return nil
	}
	img := &ImageMeta{ID: inst.ImageRef, Status: "active", Properties: map[string]string{}}
	found := false
	for k, v := range sm {
		name, ok := strings.CutPrefix(k, SysMetaImagePrefix)
		if !ok || k == SysMetaBaseImageRef {
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

// NormalizeIP is how Nova stores access IPs (an IP address column): the
// canonical form, so that "0000::babe:220.12.22.2" reads back as
// "::babe:dc0c:1602". What does not parse is kept as given (the API has
// validated the format).
func NormalizeIP(s string) string {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.String()
	}
	return s
}
